//! Spanning Tree BPDUs (802.1D STP, 802.1w RSTP; the common part of an
//! 802.1s MSTP BPDU) carried in LLC frames with SAP 0x42, with the fields,
//! columns and cut-frame handling of tshark 4.0.
//!
//! The MST extension after the RST part (configuration name, digest, CIST
//! and MSTI records) is not dissected.

use super::app::util::{be16, be32};
use super::eth::mac;
use super::pipeline::{Cx, Pipeline};
use super::{Base, FieldDef, Layer, Value};

fields! {
    STP = "stp", Protocol, Base::Dec, "Spanning Tree Protocol";
    STP_PROTOCOL = "stp.protocol", UInt, Base::Hex(4), "Protocol Identifier";
    STP_VERSION = "stp.version", UInt, Base::Dec, "Protocol Version Identifier";
    STP_TYPE = "stp.type", UInt, Base::Hex(2), "BPDU Type";
    STP_FLAGS = "stp.flags", UInt, Base::Hex(2), "BPDU flags";
    STP_FLAGS_TCACK = "stp.flags.tcack", Bool, Base::Dec, "Topology Change Acknowledgment";
    STP_FLAGS_AGREEMENT = "stp.flags.agreement", Bool, Base::Dec, "Agreement";
    STP_FLAGS_FORWARDING = "stp.flags.forwarding", Bool, Base::Dec, "Forwarding";
    STP_FLAGS_LEARNING = "stp.flags.learning", Bool, Base::Dec, "Learning";
    STP_FLAGS_PORT_ROLE = "stp.flags.port_role", UInt, Base::Dec, "Port Role";
    STP_FLAGS_PROPOSAL = "stp.flags.proposal", Bool, Base::Dec, "Proposal";
    STP_FLAGS_TC = "stp.flags.tc", Bool, Base::Dec, "Topology Change";
    STP_ROOT_PRIO = "stp.root.prio", UInt, Base::Dec, "Root Bridge Priority";
    STP_ROOT_EXT = "stp.root.ext", UInt, Base::Dec, "Root Bridge System ID Extension";
    STP_ROOT_HW = "stp.root.hw", Ether, Base::Dec, "Root Bridge System ID";
    STP_ROOT_COST = "stp.root.cost", UInt, Base::Dec, "Root Path Cost";
    STP_BRIDGE_PRIO = "stp.bridge.prio", UInt, Base::Dec, "Bridge Priority";
    STP_BRIDGE_EXT = "stp.bridge.ext", UInt, Base::Dec, "Bridge System ID Extension";
    STP_BRIDGE_HW = "stp.bridge.hw", Ether, Base::Dec, "Bridge System ID";
    STP_PORT = "stp.port", UInt, Base::Hex(4), "Port identifier";
    STP_MSG_AGE = "stp.msg_age", Float, Base::Dec, "Message Age";
    STP_MAX_AGE = "stp.max_age", Float, Base::Dec, "Max Age";
    STP_HELLO = "stp.hello", Float, Base::Dec, "Hello Time";
    STP_FORWARD = "stp.forward", Float, Base::Dec, "Forward Delay";
    STP_VERSION_1_LENGTH = "stp.version_1_length", UInt, Base::Dec, "Version 1 Length";
}

/// BPDU types.
const CONF: u8 = 0x00;
const RST: u8 = 0x02;
const TCN: u8 = 0x80;

/// Bytes of a Configuration BPDU up to the port identifier: what tshark
/// reads before it shows anything.
const CONF_HEAD: usize = 27;

/// The flag bits of a Configuration BPDU and, in this order, of an RST BPDU
/// (mask, field); the port role is the two bits under 0x0c.
static CONF_FLAGS: &[(u8, &FieldDef)] = &[(0x80, &STP_FLAGS_TCACK), (0x01, &STP_FLAGS_TC)];
static RST_FLAGS: &[(u8, &FieldDef)] = &[
    (0x80, &STP_FLAGS_TCACK),
    (0x40, &STP_FLAGS_AGREEMENT),
    (0x20, &STP_FLAGS_FORWARDING),
    (0x10, &STP_FLAGS_LEARNING),
    (0x0c, &STP_FLAGS_PORT_ROLE),
    (0x02, &STP_FLAGS_PROPOSAL),
    (0x01, &STP_FLAGS_TC),
];

/// A bridge identifier at `off`: priority (top four bits of the first
/// two bytes), system ID extension (the other twelve) and MAC address.
struct BridgeId {
    prio: u16,
    ext: u16,
    hw: [u8; 6],
}

impl BridgeId {
    /// The identifier at `off`, if its 8 bytes are there.
    fn read(p: &[u8], off: usize) -> Option<Self> {
        let v = be16(p, off)?;
        let hw = p.get(off + 2..off + 8)?;
        Some(Self {
            prio: v & 0xf000,
            ext: v & 0x0fff,
            hw: mac(hw),
        })
    }

    /// Push the three fields.
    fn push(&self, cx: &mut Cx<'_>, fields: [&'static FieldDef; 3]) {
        cx.d.push(fields[0], Value::UInt(self.prio.into()));
        cx.d.push(fields[1], Value::UInt(self.ext.into()));
        cx.d.push(fields[2], Value::Ether(self.hw));
    }
}

impl Pipeline {
    /// Dissect a BPDU (the LLC payload).
    pub(crate) fn stp(&mut self, cx: &mut Cx<'_>, p: &[u8]) {
        cx.protos.push("stp");
        cx.d.protocol = "STP".into();
        cx.d.info.clear();
        // tshark reads the type, the version and (for Configuration and
        // RST BPDUs) the fields of the Info column before it shows any
        // field: a BPDU cut before them shows nothing.
        let (Some(&version), Some(&ty)) = (p.get(2), p.get(3)) else {
            return cx.malformed(Layer::Link);
        };
        let head = match ty {
            CONF | RST => {
                let (Some(&flags), Some(root), Some(cost), Some(port)) =
                    (p.get(4), BridgeId::read(p, 5), be32(p, 13), be16(p, 25))
                else {
                    return cx.malformed(Layer::Link);
                };
                let kind = match (ty, version) {
                    (CONF, _) => "Conf",
                    (_, 3) => "MST",
                    (_, 4) => "SPT",
                    _ => "RST",
                };
                cx.d.info = format!(
                    "{kind}. {}Root = {}/{}/{}  Cost = {}  Port = 0x{port:04x}",
                    if flags & 1 != 0 { "TC + " } else { "" },
                    root.prio,
                    root.ext,
                    super::eth::fmt_mac(&root.hw),
                    // (printed signed, as tshark's format does)
                    cost as i32,
                );
                Some((flags, root, cost, port))
            }
            TCN => {
                cx.d.info = "Topology Change Notification".into();
                None
            }
            _ => {
                cx.d.info = format!("Unknown BPDU type ({ty})");
                None
            }
        };
        cx.proto_item(&STP, p);
        if let Some(id) = be16(p, 0) {
            cx.d.push(&STP_PROTOCOL, Value::UInt(id.into()));
        }
        cx.d.push(&STP_VERSION, Value::UInt(version.into()));
        cx.d.push(&STP_TYPE, Value::UInt(ty.into()));
        let Some((flags, root, cost, port)) = head else {
            return;
        };
        let Some(bridge) = BridgeId::read(p, 17) else {
            return cx.malformed(Layer::Link);
        };
        cx.d.push(&STP_FLAGS, Value::UInt(flags.into()));
        for &(mask, f) in if ty == RST { RST_FLAGS } else { CONF_FLAGS } {
            let v = if f.ty == super::FieldType::Bool {
                Value::Bool(flags & mask != 0)
            } else {
                Value::UInt(((flags & mask) >> mask.trailing_zeros()).into())
            };
            cx.d.push(f, v);
        }
        root.push(cx, [&STP_ROOT_PRIO, &STP_ROOT_EXT, &STP_ROOT_HW]);
        cx.d.push(&STP_ROOT_COST, Value::UInt(cost.into()));
        bridge.push(cx, [&STP_BRIDGE_PRIO, &STP_BRIDGE_EXT, &STP_BRIDGE_HW]);
        cx.d.push(&STP_PORT, Value::UInt(port.into()));
        // Times are in units of 1/256 second.
        for (off, f) in [
            (CONF_HEAD, &STP_MSG_AGE),
            (29, &STP_MAX_AGE),
            (31, &STP_HELLO),
            (33, &STP_FORWARD),
        ] {
            let Some(t) = be16(p, off) else {
                return cx.malformed(Layer::Link);
            };
            cx.d.push(f, Value::Float(f64::from(t) / 256.0));
        }
        if ty == RST {
            match p.get(35) {
                Some(&n) => cx.d.push(&STP_VERSION_1_LENGTH, Value::UInt(n.into())),
                None => cx.malformed(Layer::Link),
            }
        }
    }
}
