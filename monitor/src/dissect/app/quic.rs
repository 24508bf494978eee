//! QUIC (RFC 9000) packet headers without keys: long headers (Initial,
//! 0-RTT, Handshake, Retry, Version Negotiation), coalesced packets, and
//! short headers whose Destination Connection ID length is inferred from
//! the connection IDs seen in long headers, as tshark infers it.

use std::collections::{HashSet, VecDeque};

use super::util::be32;
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// Most connection IDs remembered for short-header packets.
const MAX_CIDS: usize = 4096;

/// Connection IDs seen in long headers, and port pairs where the QUIC
/// heuristic matched.
#[derive(Debug, Default)]
pub struct State {
    cids: VecDeque<Vec<u8>>,
    cid_set: HashSet<Vec<u8>>,
    ports: HashSet<(u16, u16)>,
}

impl State {
    fn learn(&mut self, cid: &[u8]) {
        if cid.is_empty() || self.cid_set.contains(cid) {
            return;
        }
        if self.cids.len() >= MAX_CIDS {
            if let Some(old) = self.cids.pop_front() {
                self.cid_set.remove(&old);
            }
        }
        self.cids.push_back(cid.to_vec());
        self.cid_set.insert(cid.to_vec());
    }

    /// The longest known connection ID that starts `b`.
    fn known_prefix(&self, b: &[u8]) -> Option<usize> {
        (1..=20.min(b.len()))
            .rev()
            .find(|&n| self.cid_set.contains(&b[..n]))
    }

    /// Remember that QUIC runs between these ports.
    pub fn note_ports(&mut self, a: u16, b: u16) {
        if self.ports.len() < MAX_CIDS {
            self.ports.insert((a.min(b), a.max(b)));
        }
    }

    /// True when the heuristic matched QUIC on these ports before.
    pub fn has_ports(&self, a: u16, b: u16) -> bool {
        self.ports.contains(&(a.min(b), a.max(b)))
    }
}

fn known_version(v: u32) -> bool {
    v == 1
        || v == 0x6b33_43cf
        || v == 0
        || (v & 0xffff_ff00) == 0xff00_0000
        || (v & 0x0f0f_0f0f) == 0x0a0a_0a0a
}

/// tshark's heuristic: a long-header packet of a known version.
pub fn heuristic(b: &[u8]) -> bool {
    b.len() >= 7 && b[0] & 0x80 != 0 && be32(b, 1).is_some_and(|v| v != 0 && known_version(v))
}

/// A variable-length integer at `off`: value and size.
fn varint(b: &[u8], off: usize) -> Option<(u64, usize)> {
    let first = *b.get(off)?;
    let n = 1usize << (first >> 6);
    let bytes = b.get(off..off + n)?;
    let mut v = u64::from(first & 0x3f);
    for &x in &bytes[1..] {
        v = v << 8 | u64::from(x);
    }
    Some((v, n))
}

fn type_name(t: u8) -> &'static str {
    match t {
        0 => "Initial",
        1 => "0-RTT",
        2 => "Handshake",
        _ => "Retry",
    }
}

/// Dissect a UDP datagram carrying QUIC packets.
pub fn dissect(p: &[u8], st: &mut State, d: &mut Dissection) -> bool {
    if p.is_empty() {
        return false;
    }
    d.protocol = "QUIC".into();
    let mut off = 0;
    let mut infos = Vec::new();
    while off < p.len() {
        let rest = &p[off..];
        if rest[0] & 0x80 == 0 {
            if off > 0 && rest.iter().all(|&b| b == 0) {
                break;
            }
            infos.push(short(rest, st, d));
            break;
        }
        match long(rest, st, d) {
            Some((n, info)) => {
                infos.push(info);
                off += n;
            }
            None => {
                d.malformed = true;
                break;
            }
        }
    }
    // Each packet sets the Info column afresh: the last one shows.
    d.info = infos.last().cloned().unwrap_or_default();
    true
}

fn short(b: &[u8], st: &State, d: &mut Dissection) -> String {
    d.push(&F_QUIC_PACKET_LENGTH, Value::UInt(b.len() as u64));
    d.push(&F_QUIC_HEADER_FORM, Value::UInt(0));
    d.push(&F_QUIC_FIXED_BIT, Value::Bool(b[0] & 0x40 != 0));
    d.push(&F_QUIC_SPIN_BIT, Value::Bool(b[0] & 0x20 != 0));
    match st.known_prefix(&b[1..]) {
        Some(n) => {
            let cid = &b[1..1 + n];
            d.push(&F_QUIC_DCID, Value::Bytes(cid.to_vec()));
            format!("Protected Payload (KP0), DCID={}", super::util::hex(cid))
        }
        None => "Protected Payload (KP0)".into(),
    }
}

fn long(b: &[u8], st: &mut State, d: &mut Dissection) -> Option<(usize, String)> {
    let first = b[0];
    let version = be32(b, 1)?;
    let dcil = usize::from(*b.get(5)?);
    let dcid = b.get(6..6 + dcil)?;
    let scil = usize::from(*b.get(6 + dcil)?);
    let scid = b.get(7 + dcil..7 + dcil + scil)?;
    let mut off = 7 + dcil + scil;
    st.learn(dcid);
    st.learn(scid);
    let t = (first >> 4) & 3;
    // The packet length goes first; it is known once the header is read.
    let at = d.fields.len();
    d.push(&F_QUIC_HEADER_FORM, Value::UInt(1));
    if version != 0 {
        // tshark shows no fixed bit for Retry packets.
        if t != 3 {
            d.push(&F_QUIC_FIXED_BIT, Value::Bool(first & 0x40 != 0));
        }
        d.push(&F_QUIC_LONG_PACKET_TYPE, Value::UInt(t.into()));
    }
    d.push(&F_QUIC_VERSION, Value::UInt(version.into()));
    d.push(&F_QUIC_DCIL, Value::UInt(dcil as u64));
    d.push(&F_QUIC_DCID, Value::Bytes(dcid.to_vec()));
    d.push(&F_QUIC_SCIL, Value::UInt(scil as u64));
    d.push(&F_QUIC_SCID, Value::Bytes(scid.to_vec()));
    let hex = super::util::hex;
    let ids = if scil > 0 {
        format!("DCID={}, SCID={}", hex(dcid), hex(scid))
    } else {
        format!("DCID={}", hex(dcid))
    };
    let total;
    let info;
    if version == 0 {
        while off + 4 <= b.len() {
            d.push(&F_QUIC_SUPPORTED_VERSION, Value::UInt(be32(b, off)?.into()));
            off += 4;
        }
        total = b.len();
        info = format!("Version Negotiation, {ids}");
    } else if t == 3 {
        if b.len() < off + 16 {
            return None;
        }
        d.push(
            &F_QUIC_RETRY_TOKEN,
            Value::Bytes(b[off..b.len() - 16].to_vec()),
        );
        d.push(
            &F_QUIC_RETRY_INTEGRITY_TAG,
            Value::Bytes(b[b.len() - 16..].to_vec()),
        );
        total = b.len();
        info = format!("Retry, {ids}");
    } else {
        if t == 0 {
            let (tl, n) = varint(b, off)?;
            d.push(&F_QUIC_TOKEN_LENGTH, Value::UInt(tl));
            off += n;
            let tl = usize::try_from(tl).ok()?;
            if tl > 0 {
                d.push(&F_QUIC_TOKEN, Value::Bytes(b.get(off..off + tl)?.to_vec()));
            }
            off += tl;
        }
        let (len, n) = varint(b, off)?;
        d.push(&F_QUIC_LENGTH, Value::UInt(len));
        off += n;
        total = off.checked_add(usize::try_from(len).ok()?)?.min(b.len());
        info = format!("{}, {ids}", type_name(t));
    }
    d.fields.insert(
        at,
        crate::dissect::Field {
            def: &F_QUIC_PACKET_LENGTH,
            value: Value::UInt(total as u64),
        },
    );
    Some((total.max(1), info))
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::{Base, FieldDef, FieldType};

    pub static F_QUIC_PACKET_LENGTH: FieldDef = FieldDef::new("quic.packet_length", FieldType::UInt, Base::Dec, "Packet Length");
    pub static F_QUIC_HEADER_FORM: FieldDef = FieldDef::new("quic.header_form", FieldType::UInt, Base::Dec, "Header Form");
    pub static F_QUIC_FIXED_BIT: FieldDef = FieldDef::new("quic.fixed_bit", FieldType::Bool, Base::Dec, "Fixed Bit");
    pub static F_QUIC_SPIN_BIT: FieldDef = FieldDef::new("quic.spin_bit", FieldType::Bool, Base::Dec, "Spin Bit");
    pub static F_QUIC_LONG_PACKET_TYPE: FieldDef = FieldDef::new("quic.long.packet_type", FieldType::UInt, Base::Dec, "Packet Type");
    pub static F_QUIC_VERSION: FieldDef = FieldDef::new("quic.version", FieldType::UInt, Base::Hex(8), "Version");
    pub static F_QUIC_DCIL: FieldDef = FieldDef::new("quic.dcil", FieldType::UInt, Base::Dec, "Destination Connection ID Length");
    pub static F_QUIC_DCID: FieldDef = FieldDef::new("quic.dcid", FieldType::Bytes, Base::Dec, "Destination Connection ID");
    pub static F_QUIC_SCIL: FieldDef = FieldDef::new("quic.scil", FieldType::UInt, Base::Dec, "Source Connection ID Length");
    pub static F_QUIC_SCID: FieldDef = FieldDef::new("quic.scid", FieldType::Bytes, Base::Dec, "Source Connection ID");
    pub static F_QUIC_SUPPORTED_VERSION: FieldDef = FieldDef::new("quic.supported_version", FieldType::UInt, Base::Hex(8), "Supported Version");
    pub static F_QUIC_TOKEN_LENGTH: FieldDef = FieldDef::new("quic.token_length", FieldType::UInt, Base::Dec, "Token Length");
    pub static F_QUIC_TOKEN: FieldDef = FieldDef::new("quic.token", FieldType::Bytes, Base::Dec, "Token");
    pub static F_QUIC_LENGTH: FieldDef = FieldDef::new("quic.length", FieldType::UInt, Base::Dec, "Length");
    pub static F_QUIC_RETRY_TOKEN: FieldDef = FieldDef::new("quic.retry_token", FieldType::Bytes, Base::Dec, "Retry Token");
    pub static F_QUIC_RETRY_INTEGRITY_TAG: FieldDef = FieldDef::new("quic.retry_integrity_tag", FieldType::Bytes, Base::Dec, "Retry Integrity Tag");

    /// Every field of this dissector.
    pub static FIELDS: &[&FieldDef] = &[
        &F_QUIC_PACKET_LENGTH,
        &F_QUIC_HEADER_FORM,
        &F_QUIC_FIXED_BIT,
        &F_QUIC_SPIN_BIT,
        &F_QUIC_LONG_PACKET_TYPE,
        &F_QUIC_VERSION,
        &F_QUIC_DCIL,
        &F_QUIC_DCID,
        &F_QUIC_SCIL,
        &F_QUIC_SCID,
        &F_QUIC_SUPPORTED_VERSION,
        &F_QUIC_TOKEN_LENGTH,
        &F_QUIC_TOKEN,
        &F_QUIC_LENGTH,
        &F_QUIC_RETRY_TOKEN,
        &F_QUIC_RETRY_INTEGRITY_TAG,
    ];
}
