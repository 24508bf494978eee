//! Ethernet II / IEEE 802.3 with LLC/SNAP, 802.1Q and 802.1ad tags, and the
//! ethertype dispatch with tshark's padding/trailer/FCS handling.

use super::pipeline::{Cx, Pipeline};
use super::Layer;
use super::{Base, Value};

fields! {
    ETH = "eth", Protocol, Base::Dec, "Ethernet II";
    ETH_DST = "eth.dst", Ether, Base::Dec, "Destination" in ADDR_BLOCK;
    ETH_SRC = "eth.src", Ether, Base::Dec, "Source" in ADDR_BLOCK;
    ETH_ADDR = "eth.addr", Ether, Base::Dec, "Address" in ADDR_BLOCK;
    ETH_DST_RESOLVED = "eth.dst_resolved", String, Base::Dec, "Destination (resolved)" in ADDR_BLOCK;
    ETH_SRC_RESOLVED = "eth.src_resolved", String, Base::Dec, "Source (resolved)" in ADDR_BLOCK;
    ETH_ADDR_RESOLVED = "eth.addr_resolved", String, Base::Dec, "Address (resolved)" in ADDR_BLOCK;
    ETH_DST_OUI = "eth.dst.oui", UInt, Base::Dec, "Destination OUI" in ADDR_BLOCK;
    ETH_SRC_OUI = "eth.src.oui", UInt, Base::Dec, "Source OUI" in ADDR_BLOCK;
    ETH_ADDR_OUI = "eth.addr.oui", UInt, Base::Dec, "Address OUI" in ADDR_BLOCK;
    ETH_DST_LG = "eth.dst.lg", Bool, Base::Dec, "LG bit" in ADDR_BLOCK;
    ETH_DST_IG = "eth.dst.ig", Bool, Base::Dec, "IG bit" in ADDR_BLOCK;
    ETH_SRC_LG = "eth.src.lg", Bool, Base::Dec, "LG bit" in ADDR_BLOCK;
    ETH_SRC_IG = "eth.src.ig", Bool, Base::Dec, "IG bit" in ADDR_BLOCK;
    ETH_LG = "eth.lg", Bool, Base::Dec, "LG bit" in ADDR_BLOCK;
    ETH_IG = "eth.ig", Bool, Base::Dec, "IG bit" in ADDR_BLOCK;
    ETH_TYPE = "eth.type", UInt, Base::Hex(4), "Type";
    ETH_LEN = "eth.len", UInt, Base::Dec, "Length";
    ETH_PADDING = "eth.padding", Bytes, Base::Dec, "Padding";
    ETH_TRAILER = "eth.trailer", Bytes, Base::Dec, "Trailer";
    ETH_PADDING_BAD = "eth.padding_bad", Bool, Base::Dec, "Padding was not zero";
    ETH_FCS = "eth.fcs", UInt, Base::Hex(8), "Frame check sequence";
    ETH_FCS_STATUS = "eth.fcs.status", UInt, Base::Dec, "FCS Status";
    ETHERTYPE = "ethertype", Protocol, Base::Dec, "Ethertype";
    VLAN = "vlan", Protocol, Base::Dec, "802.1Q Virtual LAN";
    VLAN_PRIORITY = "vlan.priority", UInt, Base::Dec, "Priority";
    VLAN_DEI = "vlan.dei", Bool, Base::Dec, "DEI";
    VLAN_ID = "vlan.id", UInt, Base::Dec, "ID";
    VLAN_ETYPE = "vlan.etype", UInt, Base::Hex(4), "Type";
    VLAN_LEN = "vlan.len", UInt, Base::Dec, "Length";
    VLAN_TRAILER = "vlan.trailer", Bytes, Base::Dec, "Trailer";
    AD = "ieee8021ad", Protocol, Base::Dec, "IEEE 802.1ad";
    AD_PRIORITY = "ieee8021ad.priority", UInt, Base::Dec, "Priority";
    AD_DEI = "ieee8021ad.dei", UInt, Base::Dec, "DEI";
    AD_ID = "ieee8021ad.id", UInt, Base::Dec, "ID";
    LLC = "llc", Protocol, Base::Dec, "Logical-Link Control";
    LLC_DSAP = "llc.dsap", UInt, Base::Hex(2), "DSAP";
    LLC_DSAP_SAP = "llc.dsap.sap", UInt, Base::Dec, "SAP";
    LLC_DSAP_IG = "llc.dsap.ig", Bool, Base::Dec, "IG Bit";
    LLC_SSAP = "llc.ssap", UInt, Base::Hex(2), "SSAP";
    LLC_SSAP_SAP = "llc.ssap.sap", UInt, Base::Dec, "SAP";
    LLC_SSAP_CR = "llc.ssap.cr", Bool, Base::Dec, "CR Bit";
    LLC_CONTROL = "llc.control", UInt, Base::Hex(4), "Control field";
    LLC_CONTROL_FTYPE = "llc.control.ftype", UInt, Base::Hex(2), "Frame type";
    LLC_CONTROL_U_MODIFIER_CMD = "llc.control.u_modifier_cmd", UInt, Base::Hex(2), "Command";
    LLC_OUI = "llc.oui", UInt, Base::Dec, "Organization Code";
    LLC_PID = "llc.pid", UInt, Base::Hex(4), "Protocol ID";
    LLC_CISCO_PID = "llc.cisco_pid", UInt, Base::Hex(4), "PID";
    @block pub(crate) ADDR_BLOCK, "The fields of both addresses, pushed together (see [`super::pipeline::Quiet`]).";
}

pub(crate) fn mac(b: &[u8]) -> [u8; 6] {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[..6]);
    m
}

/// `Ether` value of 6 bytes at `b`.
fn ether(b: &[u8]) -> Value {
    Value::Ether(mac(b))
}

impl Pipeline {
    /// Dissect an Ethernet frame.
    pub(crate) fn eth(&mut self, cx: &mut Cx<'_>, data: &[u8]) {
        if data.len() < 14 {
            cx.malformed(Layer::Link);
            return;
        }
        cx.proto_bytes(&ETH, "eth", data);
        let (dst, src) = (&data[0..6], &data[6..12]);
        if self.quiet.eth_addrs {
            // (no columns either: nothing of the addresses is read)
            return self.eth_type(cx, data);
        }
        // Resolving names is a table lookup and two strings per address.
        let resolve = cx.wants_columns()
            || [&ETH_SRC_RESOLVED, &ETH_DST_RESOLVED, &ETH_ADDR_RESOLVED]
                .iter()
                .any(|f| cx.d.wants(f));
        let (src_name, dst_name) = if resolve {
            (super::names::mac_name(src), super::names::mac_name(dst))
        } else {
            (String::new(), String::new())
        };
        for (b, f, oui, lg, ig, res, name) in [
            (
                dst,
                &ETH_DST,
                &ETH_DST_OUI,
                &ETH_DST_LG,
                &ETH_DST_IG,
                &ETH_DST_RESOLVED,
                &dst_name,
            ),
            (
                src,
                &ETH_SRC,
                &ETH_SRC_OUI,
                &ETH_SRC_LG,
                &ETH_SRC_IG,
                &ETH_SRC_RESOLVED,
                &src_name,
            ),
        ] {
            cx.d.push(f, ether(b));
            cx.d.push(&ETH_ADDR, ether(b));
            cx.d.push(res, Value::Str(name.clone()));
            cx.d.push(&ETH_ADDR_RESOLVED, Value::Str(name.clone()));
            let o = u32::from_be_bytes([0, b[0], b[1], b[2]]);
            cx.d.push(oui, Value::UInt(o.into()));
            cx.d.push(&ETH_ADDR_OUI, Value::UInt(o.into()));
            cx.d.push(lg, Value::Bool(b[0] & 2 != 0));
            cx.d.push(&ETH_LG, Value::Bool(b[0] & 2 != 0));
            cx.d.push(ig, Value::Bool(b[0] & 1 != 0));
            cx.d.push(&ETH_IG, Value::Bool(b[0] & 1 != 0));
        }
        cx.set_addrs(src_name, dst_name);
        self.eth_type(cx, data);
    }

    /// The rest of an Ethernet frame after the addresses: type or length,
    /// payload, trailer.
    fn eth_type(&mut self, cx: &mut Cx<'_>, data: &[u8]) {
        let ty = u16::from_be_bytes([data[12], data[13]]);
        if ty <= 1500 {
            cx.d.push(&ETH_LEN, Value::UInt(ty.into()));
            let end = (14 + ty as usize).min(data.len());
            let reported = usize::from(ty).min(data.len() - 14 + cx.cut);
            self.llc(cx, &data[14..end], reported);
            let rep_total = cx.orig_len as usize;
            self.trailer(cx, data, 14 + ty as usize, rep_total, &ETH_TRAILER);
            return;
        }
        cx.d.push(&ETH_TYPE, Value::UInt(ty.into()));
        let used = self.ethertype(cx, ty, &data[14..]);
        if let Some(used) = used {
            let trailer_field = cx.trailer_field.unwrap_or(&ETH_TRAILER);
            self.trailer(cx, data, 14 + used, cx.orig_len as usize, trailer_field);
        }
    }

    /// Padding, trailer and FCS after the last byte the payload claimed
    /// (tshark: zero padding up to 60 bytes when the frame is at least 60
    /// bytes long, non-zero padding shown as trailer, and on untagged frames
    /// of 64 bytes or more the last 4 bytes taken as an unverified FCS).
    pub(crate) fn trailer(
        &mut self,
        cx: &mut Cx<'_>,
        data: &[u8],
        end: usize,
        reported: usize,
        trailer_field: &'static super::FieldDef,
    ) {
        if end >= data.len() || end >= reported {
            return;
        }
        let mut rest = &data[end..];
        if end < 60 && reported >= 60 {
            let pad = 60 - end;
            if rest.len() < pad {
                // The padding itself was cut by the snapshot length: tshark
                // reads it whole once any of it was captured.
                cx.malformed(Layer::Link);
                return;
            }
            if rest[..pad].iter().all(|&b| b == 0) {
                cx.d.push(&ETH_PADDING, cx.d.bytes(&ETH_PADDING, &rest[..pad]));
                rest = &rest[pad..];
            } else {
                cx.d.push(&ETH_PADDING_BAD, Value::Bool(true));
            }
        }
        let fcs_possible = std::ptr::eq(trailer_field, &ETH_TRAILER);
        if fcs_possible && reported >= 64 && reported == data.len() && rest.len() >= 4 {
            let (t, f) = rest.split_at(rest.len() - 4);
            if !t.is_empty() {
                cx.d.push(&ETH_TRAILER, Value::Bytes(t.to_vec()));
            }
            cx.d.push(
                &ETH_FCS,
                Value::UInt(u32::from_be_bytes([f[0], f[1], f[2], f[3]]).into()),
            );
            cx.d.push(&ETH_FCS_STATUS, Value::UInt(2));
            return;
        }
        if !rest.is_empty() {
            cx.d.push(trailer_field, Value::Bytes(rest.to_vec()));
        }
    }

    /// Dispatch on an ethertype; returns how many bytes of `data` the
    /// payload claimed (None when unknown: the rest is shown as data).
    pub(crate) fn ethertype(&mut self, cx: &mut Cx<'_>, ty: u16, data: &[u8]) -> Option<usize> {
        cx.protos.push("ethertype");
        if let Some(used) = self.ethertype_table(cx, ty, data) {
            return Some(used);
        }
        self.unknown_ethertype(cx, ty, data);
        Some(data.len())
    }

    /// The dissector registered for an ethertype, if there is one here
    /// (tshark's `ethertype` table, which BSD loopback also consults
    /// directly); returns how many bytes of `data` it claimed.
    pub(crate) fn ethertype_table(
        &mut self,
        cx: &mut Cx<'_>,
        ty: u16,
        data: &[u8],
    ) -> Option<usize> {
        use monitor_common::consts::ethertype::*;
        match ty {
            IPV4 => Some(self.ipv4(cx, data)),
            IPV6 => self.ipv6_checked(cx, data),
            ARP => Some(self.arp(cx, data)),
            VLAN | QINQ | QINQ_LEGACY => {
                Some(self.vlan(cx, ty, data).map_or(data.len(), |n| n + 4))
            }
            _ => None,
        }
    }

    /// What the ethertype dissector shows for a type with no dissector:
    /// the type in the Protocol column, its name (when known) in Info,
    /// the payload as data.
    pub(crate) fn unknown_ethertype(&mut self, cx: &mut Cx<'_>, ty: u16, data: &[u8]) {
        if cx.depth == 0 {
            cx.d.protocol = format!("{ty:#06x}");
            if let Some(name) = super::ethertype_names::name(ty) {
                cx.d.info = name.into();
            }
        }
        self.data(cx, data);
    }

    fn vlan(&mut self, cx: &mut Cx<'_>, ty: u16, data: &[u8]) -> Option<usize> {
        // tshark names the tag before reading it, and describes it once it
        // has read the tag control information.
        cx.set_columns(if ty == 0x88a8 { "802.1ad" } else { "VLAN" });
        if let (0, true, Some(&[hi, lo])) = (cx.depth, cx.wants_columns(), data.get(..2)) {
            let tci = u16::from_be_bytes([hi, lo]);
            let (pri, dei, id) = (tci >> 13, (tci >> 12) & 1, tci & 0xfff);
            cx.d.info = if ty == 0x88a8 {
                format!("PRI: {pri}  DROP: {dei} ID: {id}")
            } else {
                format!("PRI: {pri}  DEI: {dei}  ID: {id}")
            };
        }
        if data.len() < 2 {
            cx.proto(
                if ty == 0x88a8 { &AD } else { &VLAN },
                if ty == 0x88a8 { "ieee8021ad" } else { "vlan" },
            );
            cx.malformed(Layer::Link);
            return None;
        }
        let tci = u16::from_be_bytes([data[0], data[1]]);
        let short = data.len() < 4;
        let inner = if short {
            0
        } else {
            u16::from_be_bytes([data[2], data[3]])
        };
        if ty == 0x88a8 {
            cx.proto(&AD, "ieee8021ad");
            cx.d.push(&AD_PRIORITY, Value::UInt((tci >> 13).into()));
            cx.d.push(&AD_DEI, Value::UInt(((tci >> 12) & 1).into()));
            cx.d.push(&AD_ID, Value::UInt((tci & 0xfff).into()));
        } else {
            cx.proto(&VLAN, "vlan");
            cx.d.push(&VLAN_PRIORITY, Value::UInt((tci >> 13).into()));
            cx.d.push(&VLAN_DEI, Value::Bool(tci & 0x1000 != 0));
            cx.d.push(&VLAN_ID, Value::UInt((tci & 0xfff).into()));
            cx.trailer_field = Some(&VLAN_TRAILER);
        }
        if short {
            cx.malformed(Layer::Link);
            return None;
        }
        if inner <= 1500 {
            if ty != 0x88a8 {
                cx.d.push(&VLAN_LEN, Value::UInt(inner.into()));
            }
            let end = (4 + inner as usize).min(data.len());
            let reported = usize::from(inner).min(data.len() - 4 + cx.cut);
            self.llc(cx, &data[4..end], reported);
            return Some(inner as usize);
        }
        if ty != 0x88a8 {
            cx.d.push(&VLAN_ETYPE, Value::UInt(inner.into()));
        }
        self.ethertype(cx, inner, &data[4..])
    }

    /// Dissect an LLC header and what it carries: `data` was captured of
    /// the `reported` bytes the length field (or the frame) gave it.
    pub(crate) fn llc(&mut self, cx: &mut Cx<'_>, data: &[u8], reported: usize) {
        cx.proto(&LLC, "llc");
        // (named before any read, as tshark does)
        cx.set_columns("LLC");
        if let Some(&dsap) = data.first() {
            cx.d.push(&LLC_DSAP, Value::UInt(dsap.into()));
            cx.d.push(&LLC_DSAP_SAP, Value::UInt((dsap >> 1).into()));
            cx.d.push(&LLC_DSAP_IG, Value::Bool(dsap & 1 != 0));
        }
        if let Some(&ssap) = data.get(1) {
            cx.d.push(&LLC_SSAP, Value::UInt(ssap.into()));
            cx.d.push(&LLC_SSAP_SAP, Value::UInt((ssap >> 1).into()));
            cx.d.push(&LLC_SSAP_CR, Value::Bool(ssap & 1 != 0));
        }
        if data.len() < 3 {
            cx.malformed(Layer::Link);
            return;
        }
        let (dsap, ssap, ctl) = (data[0], data[1], data[2]);
        // U frames have a one-byte control field; I and S frames two.
        let clen = if ctl & 3 == 3 { 1 } else { 2 };
        if data.len() < 2 + clen {
            cx.malformed(Layer::Link);
            return;
        }
        let control = if clen == 1 {
            u16::from(ctl)
        } else {
            u16::from_le_bytes([data[2], data[3]])
        };
        if ctl == 0x03 && cx.depth == 0 {
            // tshark's text of the control field (only the common
            // unnumbered information frame is named here).
            cx.d.info = "U, func=UI".into();
        }
        cx.d.push(&LLC_CONTROL, Value::UInt(control.into()));
        if clen == 1 {
            cx.d.push(
                &LLC_CONTROL_U_MODIFIER_CMD,
                Value::UInt(((ctl & 0xec) >> 2).into()),
            );
            cx.d.push(&LLC_CONTROL_FTYPE, Value::UInt(3));
        }
        let rest = &data[2 + clen..];
        if dsap == 0xaa && ssap == 0xaa && rest.len() < 5 {
            // tshark reads OUI and PID together: nothing shown when cut.
            cx.malformed(Layer::Link);
        } else if dsap == 0xaa && ssap == 0xaa {
            let oui = u32::from_be_bytes([0, rest[0], rest[1], rest[2]]);
            let pid = u16::from_be_bytes([rest[3], rest[4]]);
            cx.d.push(&LLC_OUI, Value::UInt(oui.into()));
            if oui == 0x00000c {
                cx.d.push(&LLC_CISCO_PID, Value::UInt(pid.into()));
                if pid == CISCO_PID_CDP {
                    let head = 2 + clen + 5;
                    self.cdp(cx, &rest[5..], reported.saturating_sub(head));
                } else {
                    self.data_named(cx, &rest[5..], cisco_proto(pid));
                }
            } else {
                cx.d.push(&LLC_PID, Value::UInt(pid.into()));
                if oui == 0 {
                    self.ethertype(cx, pid, &rest[5..]);
                } else {
                    self.data(cx, &rest[5..]);
                }
            }
        } else if dsap == SAP_BPDU && ssap == SAP_BPDU {
            self.stp(cx, rest);
        } else {
            self.data(cx, rest);
        }
    }
}

/// LLC SAP of Spanning Tree BPDUs.
const SAP_BPDU: u8 = 0x42;

/// Cisco SNAP protocol ID of CDP.
const CISCO_PID_CDP: u16 = 0x2000;

fn cisco_proto(pid: u16) -> Option<&'static str> {
    match pid {
        0x2004 => Some("dtp"),
        0x010b => Some("pvstp"),
        0x2003 => Some("vtp"),
        0x0111 => Some("udld"),
        _ => None,
    }
}

/// `aa:bb:cc:dd:ee:ff` (the Source/Destination columns without name resolution).
pub(crate) fn fmt_mac(b: &[u8]) -> String {
    let mut s = String::with_capacity(17);
    super::format::write_mac(&mut s, &mac(b));
    s
}
