//! OSPFv2 (RFC 2328) and OSPFv3 (RFC 5340), IP protocol 89: common header
//! with authentication (v2), Hello, Database Description, Link State
//! Request, Link State Update and Link State Acknowledgment, down to the
//! LSA headers.

use super::protocol::{Ip, Mark, Protocol};
use super::util::{be16, be24, be32, ipv4};
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// OSPF, IP protocol 89.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "ospf",
    fields: FIELDS,
    marks: &[Mark::new("ospf", &P_OSPF)],
    ip: Some(Ip {
        proto: monitor_common::consts::ip_proto::OSPF,
        dissect,
    }),
    ..Protocol::NONE
};

fn msg_name(t: u8) -> &'static str {
    match t {
        1 => "Hello Packet",
        2 => "DB Description",
        3 => "LS Request",
        4 => "LS Update",
        5 => "LS Acknowledge",
        _ => "Unknown",
    }
}

/// Dissect an OSPF packet (the IP payload of protocol 89).
pub fn dissect(p: &[u8], d: &mut Dissection) -> bool {
    if p.len() < 16 || !matches!(p[0], 2 | 3) {
        return false;
    }
    d.protocol = "OSPF".into();
    let v3 = p[0] == 3;
    let t = p[1];
    d.info = msg_name(t).into();
    if header(p, v3, d).is_none() || body(p, v3, t, d).is_none() {
        d.malformed = true;
    }
    true
}

fn ip(b: &[u8], off: usize) -> Option<Value> {
    ipv4(b, off).map(Value::Ipv4)
}

fn header(p: &[u8], v3: bool, d: &mut Dissection) -> Option<()> {
    d.push(&F_OSPF_VERSION, Value::UInt(p[0].into()));
    d.push(&F_OSPF_MSG, Value::UInt(p[1].into()));
    let len = be16(p, 2)?;
    d.push(&F_OSPF_PACKET_LENGTH, Value::UInt(len.into()));
    d.push(&F_OSPF_SRCROUTER, ip(p, 4)?);
    d.push(&F_OSPF_AREA_ID, ip(p, 8)?);
    d.push(&F_OSPF_CHECKSUM, Value::UInt(be16(p, 12)?.into()));
    if v3 {
        d.push(&F_OSPF_INSTANCE_ID, Value::UInt(p[14].into()));
        return Some(());
    }
    let au = be16(p, 14)?;
    d.push(&F_OSPF_AUTH_TYPE, Value::UInt(au.into()));
    let auth = p.get(16..24)?;
    match au {
        0 => d.push(&F_OSPF_AUTH_NONE, Value::Bytes(auth.to_vec())),
        1 => {
            let end = auth.iter().position(|&c| c == 0).unwrap_or(8);
            d.push(
                &F_OSPF_AUTH_SIMPLE,
                Value::Str(super::util::text(&auth[..end])),
            );
        }
        2 => {
            d.push(&F_OSPF_AUTH_CRYPT_KEY_ID, Value::UInt(auth[2].into()));
            d.push(&F_OSPF_AUTH_CRYPT_DATA_LENGTH, Value::UInt(auth[3].into()));
            d.push(
                &F_OSPF_AUTH_CRYPT_SEQ_NBR,
                Value::UInt(be32(auth, 4)?.into()),
            );
            let at = usize::from(len);
            if let Some(data) = p.get(at..at + usize::from(auth[3])) {
                d.push(&F_OSPF_AUTH_CRYPT_DATA, Value::Bytes(data.to_vec()));
            }
        }
        _ => {}
    }
    Some(())
}

fn body(p: &[u8], v3: bool, t: u8, d: &mut Dissection) -> Option<()> {
    let hl = if v3 { 16 } else { 24 };
    let end = usize::from(be16(p, 2)?).min(p.len());
    let b = p.get(hl..end)?;
    match t {
        1 => {
            let off = if v3 {
                d.push(&F_OSPF_HELLO_INTERFACE_ID, Value::UInt(be32(b, 0)?.into()));
                d.push(
                    &F_OSPF_HELLO_ROUTER_PRIORITY,
                    Value::UInt((*b.get(4)?).into()),
                );
                d.push(&F_OSPF_V3_OPTIONS, Value::UInt(be24(b, 5)?.into()));
                d.push(
                    &F_OSPF_HELLO_HELLO_INTERVAL,
                    Value::UInt(be16(b, 8)?.into()),
                );
                d.push(
                    &F_OSPF_HELLO_ROUTER_DEAD_INTERVAL,
                    Value::UInt(be16(b, 10)?.into()),
                );
                12
            } else {
                d.push(&F_OSPF_HELLO_NETWORK_MASK, ip(b, 0)?);
                d.push(
                    &F_OSPF_HELLO_HELLO_INTERVAL,
                    Value::UInt(be16(b, 4)?.into()),
                );
                d.push(&F_OSPF_V2_OPTIONS, Value::UInt((*b.get(6)?).into()));
                d.push(
                    &F_OSPF_HELLO_ROUTER_PRIORITY,
                    Value::UInt((*b.get(7)?).into()),
                );
                d.push(
                    &F_OSPF_HELLO_ROUTER_DEAD_INTERVAL,
                    Value::UInt(be32(b, 8)?.into()),
                );
                12
            };
            d.push(&F_OSPF_HELLO_DESIGNATED_ROUTER, ip(b, off)?);
            d.push(&F_OSPF_HELLO_BACKUP_DESIGNATED_ROUTER, ip(b, off + 4)?);
            let mut o = off + 8;
            while o + 4 <= b.len() {
                d.push(&F_OSPF_HELLO_ACTIVE_NEIGHBOR, ip(b, o)?);
                o += 4;
            }
        }
        2 => {
            let (flags, off) = if v3 {
                d.push(&F_OSPF_V3_OPTIONS, Value::UInt(be24(b, 1)?.into()));
                d.push(&F_OSPF_DB_INTERFACE_MTU, Value::UInt(be16(b, 4)?.into()));
                (*b.get(7)?, 8)
            } else {
                d.push(&F_OSPF_DB_INTERFACE_MTU, Value::UInt(be16(b, 0)?.into()));
                d.push(&F_OSPF_V2_OPTIONS, Value::UInt((*b.get(2)?).into()));
                (*b.get(3)?, 4)
            };
            d.push(&F_OSPF_DBD, Value::UInt(flags.into()));
            d.push(&F_OSPF_DBD_R, Value::Bool(flags & 0x08 != 0));
            d.push(&F_OSPF_DBD_I, Value::Bool(flags & 0x04 != 0));
            d.push(&F_OSPF_DBD_M, Value::Bool(flags & 0x02 != 0));
            d.push(&F_OSPF_DBD_MS, Value::Bool(flags & 0x01 != 0));
            d.push(&F_OSPF_DB_DD_SEQUENCE, Value::UInt(be32(b, off)?.into()));
            let mut o = off + 4;
            while o + 20 <= b.len() {
                lsa_header(&b[o..], v3, d)?;
                o += 20;
            }
        }
        3 => {
            let mut o = 0;
            while o + 12 <= b.len() {
                if v3 {
                    d.push(&F_OSPF_V3_LSA, Value::UInt(be16(b, o + 2)?.into()));
                } else {
                    d.push(&F_OSPF_LSA, Value::UInt(be32(b, o)?.into()));
                }
                d.push(&F_OSPF_LINK_STATE_ID, ip(b, o + 4)?);
                d.push(&F_OSPF_ADVROUTER, ip(b, o + 8)?);
                o += 12;
            }
        }
        4 => {
            let n = be32(b, 0)?;
            d.push(&F_OSPF_LS_NUMBER_OF_LSAS, Value::UInt(n.into()));
            let mut o = 4;
            for _ in 0..n {
                if o + 20 > b.len() {
                    return None;
                }
                lsa_header(&b[o..], v3, d)?;
                let len = usize::from(be16(b, o + 18)?);
                if len < 20 {
                    return None;
                }
                // OSPFv3 router, network, inter-area-router and link LSAs
                // carry options after their first byte.
                if v3 && matches!(be16(b, o + 2)? & 0x1fff, 1 | 2 | 4 | 8) {
                    if let Some(opt) = be24(b, o + 21) {
                        d.push(&F_OSPF_V3_OPTIONS, Value::UInt(opt.into()));
                    }
                }
                o += len;
            }
        }
        5 => {
            let mut o = 0;
            while o + 20 <= b.len() {
                lsa_header(&b[o..], v3, d)?;
                o += 20;
            }
        }
        _ => {}
    }
    Some(())
}

fn lsa_header(h: &[u8], v3: bool, d: &mut Dissection) -> Option<()> {
    let age = be16(h, 0)?;
    d.push(&F_OSPF_LSA_AGE, Value::UInt((age & 0x7fff).into()));
    if v3 {
        d.push(&F_OSPF_V3_LSA_DO_NOT_AGE, Value::Bool(age & 0x8000 != 0));
        d.push(&F_OSPF_V3_LSA, Value::UInt(be16(h, 2)?.into()));
    } else {
        d.push(&F_OSPF_LSA_DONOTAGE, Value::UInt((age >> 15).into()));
        d.push(&F_OSPF_V2_OPTIONS, Value::UInt(h[2].into()));
        d.push(&F_OSPF_LSA, Value::UInt(h[3].into()));
    }
    if v3 {
        d.push(&F_OSPF_LINK_STATE_ID, ip(h, 4)?);
    } else {
        d.push(&F_OSPF_LSA_ID, ip(h, 4)?);
    }
    d.push(&F_OSPF_ADVROUTER, ip(h, 8)?);
    d.push(&F_OSPF_LSA_SEQNUM, Value::UInt(be32(h, 12)?.into()));
    d.push(&F_OSPF_LSA_CHKSUM, Value::UInt(be16(h, 16)?.into()));
    d.push(&F_OSPF_LSA_LENGTH, Value::UInt(be16(h, 18)?.into()));
    Some(())
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_OSPF = "ospf", Protocol, Base::Dec, "Open Shortest Path First";
        F_OSPF_VERSION = "ospf.version", UInt, Base::Dec, "Version";
        F_OSPF_MSG = "ospf.msg", UInt, Base::Dec, "Message Type";
        F_OSPF_PACKET_LENGTH = "ospf.packet_length", UInt, Base::Dec, "Packet Length";
        F_OSPF_SRCROUTER = "ospf.srcrouter", Ipv4, Base::Dec, "Source OSPF Router";
        F_OSPF_AREA_ID = "ospf.area_id", Ipv4, Base::Dec, "Area ID";
        F_OSPF_CHECKSUM = "ospf.checksum", UInt, Base::Hex(4), "Checksum";
        F_OSPF_AUTH_TYPE = "ospf.auth.type", UInt, Base::Dec, "Auth Type";
        F_OSPF_AUTH_NONE = "ospf.auth.none", Bytes, Base::Dec, "Auth Data (none)";
        F_OSPF_AUTH_SIMPLE = "ospf.auth.simple", String, Base::Dec, "Auth Data (Simple)";
        F_OSPF_AUTH_CRYPT_KEY_ID = "ospf.auth.crypt.key_id", UInt, Base::Dec, "Auth Crypt Key id";
        F_OSPF_AUTH_CRYPT_DATA_LENGTH = "ospf.auth.crypt.data_length", UInt, Base::Dec, "Auth Crypt Data Length";
        F_OSPF_AUTH_CRYPT_SEQ_NBR = "ospf.auth.crypt.seq_nbr", UInt, Base::Dec, "Auth Crypt Sequence Number";
        F_OSPF_AUTH_CRYPT_DATA = "ospf.auth.crypt.data", Bytes, Base::Dec, "Auth Crypt Data";
        F_OSPF_INSTANCE_ID = "ospf.instance_id", UInt, Base::Dec, "Instance ID";
        F_OSPF_HELLO_NETWORK_MASK = "ospf.hello.network_mask", Ipv4, Base::Dec, "Network Mask";
        F_OSPF_HELLO_INTERFACE_ID = "ospf.hello.interface_id", UInt, Base::Dec, "Interface ID";
        F_OSPF_HELLO_HELLO_INTERVAL = "ospf.hello.hello_interval", UInt, Base::Dec, "Hello Interval [sec]";
        F_OSPF_HELLO_ROUTER_PRIORITY = "ospf.hello.router_priority", UInt, Base::Dec, "Router Priority";
        F_OSPF_HELLO_ROUTER_DEAD_INTERVAL = "ospf.hello.router_dead_interval", UInt, Base::Dec, "Router Dead Interval [sec]";
        F_OSPF_HELLO_DESIGNATED_ROUTER = "ospf.hello.designated_router", Ipv4, Base::Dec, "Designated Router";
        F_OSPF_HELLO_BACKUP_DESIGNATED_ROUTER = "ospf.hello.backup_designated_router", Ipv4, Base::Dec, "Backup Designated Router";
        F_OSPF_HELLO_ACTIVE_NEIGHBOR = "ospf.hello.active_neighbor", Ipv4, Base::Dec, "Active Neighbor";
        F_OSPF_V2_OPTIONS = "ospf.v2.options", UInt, Base::Hex(2), "Options";
        F_OSPF_V3_OPTIONS = "ospf.v3.options", UInt, Base::Hex(6), "Options";
        F_OSPF_DB_INTERFACE_MTU = "ospf.db.interface_mtu", UInt, Base::Dec, "Interface MTU";
        F_OSPF_DBD = "ospf.dbd", UInt, Base::Hex(2), "DB Description";
        F_OSPF_DBD_R = "ospf.dbd.r", Bool, Base::Dec, "(R) OOBResync";
        F_OSPF_DBD_I = "ospf.dbd.i", Bool, Base::Dec, "(I) Init";
        F_OSPF_DBD_M = "ospf.dbd.m", Bool, Base::Dec, "(M) More";
        F_OSPF_DBD_MS = "ospf.dbd.ms", Bool, Base::Dec, "(MS) Master";
        F_OSPF_DB_DD_SEQUENCE = "ospf.db.dd_sequence", UInt, Base::Dec, "DD Sequence";
        F_OSPF_LS_NUMBER_OF_LSAS = "ospf.ls.number_of_lsas", UInt, Base::Dec, "Number of LSAs";
        F_OSPF_LSA_AGE = "ospf.lsa.age", UInt, Base::Dec, "LS Age (seconds)";
        F_OSPF_LSA_DONOTAGE = "ospf.lsa.donotage", UInt, Base::Dec, "Do Not Age Flag";
        F_OSPF_V3_LSA_DO_NOT_AGE = "ospf.v3.lsa.do_not_age", Bool, Base::Dec, "Do Not Age";
        F_OSPF_LSA = "ospf.lsa", UInt, Base::Dec, "LS Type";
        F_OSPF_V3_LSA = "ospf.v3.lsa", UInt, Base::Hex(4), "LS Type";
        F_OSPF_LSA_ID = "ospf.lsa.id", Ipv4, Base::Dec, "Link State ID";
        F_OSPF_LINK_STATE_ID = "ospf.link_state_id", Ipv4, Base::Dec, "Link State ID";
        F_OSPF_ADVROUTER = "ospf.advrouter", Ipv4, Base::Dec, "Advertising Router";
        F_OSPF_LSA_SEQNUM = "ospf.lsa.seqnum", UInt, Base::Hex(8), "Sequence Number";
        F_OSPF_LSA_CHKSUM = "ospf.lsa.chksum", UInt, Base::Hex(4), "Checksum";
        F_OSPF_LSA_LENGTH = "ospf.lsa.length", UInt, Base::Dec, "Length";
    }
}
