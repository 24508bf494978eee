//! QUIC (RFC 9000) packet headers without keys: long headers (Initial,
//! 0-RTT, Handshake, Retry, Version Negotiation), coalesced packets, and
//! short headers whose Destination Connection ID length is inferred from
//! the connection IDs seen in long headers, as tshark infers it. Initial
//! packets of QUIC v1 are protected with keys derived from the client's
//! Destination Connection ID (RFC 9001 section 5.2); like tshark, they are
//! decrypted to show the packet number and frames, and their CRYPTO frames
//! (in or out of order) are put back together and handed to TLS.

use std::collections::{HashSet, VecDeque};

use super::protocol::{Mark, Protocol, Udp};
use super::util::be32;
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// QUIC on UDP port 443, and (tshark's heuristic) on the port pair of a
/// long-header packet of a known version from then on.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "quic",
    fields: FIELDS,
    marks: &[Mark::new("quic", &P_QUIC)],
    udp: Some(Udp {
        ports: &[443],
        dissect: |call, p, d| dissect(p, &mut call.state.quic, d),
        heuristic: Some(|call, p, d| {
            let st = &mut call.state.quic;
            if heuristic(p) {
                st.note_ports(call.ep.src_port, call.ep.dst_port);
            }
            st.has_ports(call.ep.src_port, call.ep.dst_port) && dissect(p, st, d)
        }),
    }),
    ..Protocol::NONE
};

/// Most connection IDs remembered for short-header packets.
const MAX_CIDS: usize = 4096;

/// Connection IDs seen in long headers, port pairs where the QUIC
/// heuristic matched, and for Initial keys: the client's original
/// Destination Connection ID by the client's Source Connection ID.
#[derive(Debug, Default)]
pub struct State {
    cids: VecDeque<Vec<u8>>,
    cid_set: HashSet<Vec<u8>>,
    ports: HashSet<(u16, u16)>,
    origin: std::collections::HashMap<Vec<u8>, Vec<u8>>,
    /// Initial CRYPTO streams (client, server) and TLS state by connection.
    crypto: std::collections::HashMap<Vec<u8>, ([CryptoStream; 2], super::tls::StreamState)>,
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

    /// True when `b` is the start of a known connection ID, but shorter.
    fn cut_in_cid(&self, b: &[u8]) -> bool {
        self.cid_set
            .iter()
            .any(|cid| cid.len() > b.len() && cid.starts_with(b))
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
            match short(rest, st, d) {
                Some(info) => infos.push(info),
                None => d.malformed = true,
            }
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
    // Each packet sets the Info column afresh: the last one shows (none
    // when the first one ended the dissection before writing it).
    if let Some(last) = infos.pop() {
        d.info = last;
    }
    true
}

/// A short-header packet. None when it ends inside a known connection ID
/// (cut by the snapshot length): tshark's read of the ID ends the
/// dissection before the Info column is written.
fn short(b: &[u8], st: &State, d: &mut Dissection) -> Option<String> {
    if st.cut_in_cid(&b[1..]) {
        return None;
    }
    d.push(&F_QUIC_PACKET_LENGTH, Value::UInt(b.len() as u64));
    d.push(&F_QUIC_HEADER_FORM, Value::UInt(0));
    d.push(&F_QUIC_FIXED_BIT, Value::Bool(b[0] & 0x40 != 0));
    d.push(&F_QUIC_SPIN_BIT, Value::Bool(b[0] & 0x20 != 0));
    match st.known_prefix(&b[1..]) {
        Some(n) => {
            let cid = &b[1..1 + n];
            d.push(&F_QUIC_DCID, Value::Bytes(cid.to_vec()));
            Some(format!(
                "Protected Payload (KP0), DCID={}",
                super::util::hex(cid)
            ))
        }
        None => Some("Protected Payload (KP0)".into()),
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
    let mut info;
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
        let end = off.checked_add(usize::try_from(len).ok()?)?;
        total = end.min(b.len());
        info = format!("{}, {ids}", type_name(t));
        if t == 0 && version == 1 {
            let cut = end > b.len();
            initial(&b[..total], off, cut, dcid, scid, st, d, &mut info)?;
        }
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

    use crate::dissect::field::Base;

    fields! {
        P_QUIC = "quic", Protocol, Base::Dec, "QUIC IETF";
        // HTTP/3 travels inside QUIC's encrypted payload; like tshark without
        // the session keys, no frame ever carries it, but filters may name it.
        P_HTTP3 = "http3", Protocol, Base::Dec, "Hypertext Transfer Protocol Version 3";
        F_QUIC_PACKET_LENGTH = "quic.packet_length", UInt, Base::Dec, "Packet Length";
        F_QUIC_HEADER_FORM = "quic.header_form", UInt, Base::Dec, "Header Form";
        F_QUIC_FIXED_BIT = "quic.fixed_bit", Bool, Base::Dec, "Fixed Bit";
        F_QUIC_SPIN_BIT = "quic.spin_bit", Bool, Base::Dec, "Spin Bit";
        F_QUIC_LONG_PACKET_TYPE = "quic.long.packet_type", UInt, Base::Dec, "Packet Type";
        F_QUIC_VERSION = "quic.version", UInt, Base::Hex(8), "Version";
        F_QUIC_DCIL = "quic.dcil", UInt, Base::Dec, "Destination Connection ID Length";
        F_QUIC_DCID = "quic.dcid", Bytes, Base::Dec, "Destination Connection ID";
        F_QUIC_SCIL = "quic.scil", UInt, Base::Dec, "Source Connection ID Length";
        F_QUIC_SCID = "quic.scid", Bytes, Base::Dec, "Source Connection ID";
        F_QUIC_SUPPORTED_VERSION = "quic.supported_version", UInt, Base::Hex(8), "Supported Version";
        F_QUIC_TOKEN_LENGTH = "quic.token_length", UInt, Base::Dec, "Token Length";
        F_QUIC_TOKEN = "quic.token", Bytes, Base::Dec, "Token";
        F_QUIC_LENGTH = "quic.length", UInt, Base::Dec, "Length";
        F_QUIC_RETRY_TOKEN = "quic.retry_token", Bytes, Base::Dec, "Retry Token";
        F_QUIC_RETRY_INTEGRITY_TAG = "quic.retry_integrity_tag", Bytes, Base::Dec, "Retry Integrity Tag";
        F_QUIC_LONG_RESERVED = "quic.long.reserved", UInt, Base::Dec, "Reserved";
        F_QUIC_PACKET_NUMBER_LENGTH = "quic.packet_number_length", UInt, Base::Dec, "Packet Number Length";
        F_QUIC_PACKET_NUMBER = "quic.packet_number", UInt, Base::Dec, "Packet Number";
        F_QUIC_FRAME_TYPE = "quic.frame_type", UInt, Base::Dec, "Frame Type";
        F_QUIC_PADDING_LENGTH = "quic.padding_length", UInt, Base::Dec, "Padding Length";
        F_QUIC_ACK_LARGEST_ACKNOWLEDGED = "quic.ack.largest_acknowledged", UInt, Base::Dec, "Largest Acknowledged";
        F_QUIC_ACK_ACK_DELAY = "quic.ack.ack_delay", UInt, Base::Dec, "ACK Delay";
        F_QUIC_ACK_ACK_RANGE_COUNT = "quic.ack.ack_range_count", UInt, Base::Dec, "ACK Range Count";
        F_QUIC_ACK_FIRST_ACK_RANGE = "quic.ack.first_ack_range", UInt, Base::Dec, "First ACK Range";
        F_QUIC_CRYPTO_OFFSET = "quic.crypto.offset", UInt, Base::Dec, "Offset";
        F_QUIC_CRYPTO_LENGTH = "quic.crypto.length", UInt, Base::Dec, "Length";
    }
}

/// QUIC v1 initial salt (RFC 9001 section 5.2).
const INITIAL_SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad,
    0xcc, 0xbb, 0x7f, 0x0a,
];

struct OkmLen(usize);

impl ring::hkdf::KeyType for OkmLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand-Label of TLS 1.3 with an empty context.
fn expand_label(prk: &ring::hkdf::Prk, label: &[u8], len: usize) -> Option<Vec<u8>> {
    let out_len = (len as u16).to_be_bytes();
    let label_len = [(6 + label.len()) as u8];
    let info: [&[u8]; 5] = [&out_len, &label_len, b"tls13 ", label, &[0]];
    let mut out = vec![0; len];
    prk.expand(&info, OkmLen(len)).ok()?.fill(&mut out).ok()?;
    Some(out)
}

struct Keys {
    key: Vec<u8>,
    iv: Vec<u8>,
    hp: Vec<u8>,
}

fn initial_keys(dcid: &[u8], server: bool) -> Option<Keys> {
    use ring::hkdf;
    let initial = hkdf::Salt::new(hkdf::HKDF_SHA256, &INITIAL_SALT_V1).extract(dcid);
    let label: &[u8] = if server { b"server in" } else { b"client in" };
    let secret = expand_label(&initial, label, 32)?;
    let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &secret);
    Some(Keys {
        key: expand_label(&prk, b"quic key", 16)?,
        iv: expand_label(&prk, b"quic iv", 12)?,
        hp: expand_label(&prk, b"quic hp", 16)?,
    })
}

/// Remove header protection and decrypt one Initial packet (`p` is the
/// whole packet, `pn_off` where its packet number starts). Returns the
/// unmasked first byte, the packet number and its length, and the frames.
fn open_packet(p: &[u8], pn_off: usize, keys: &Keys) -> Option<(u8, u64, usize, Vec<u8>)> {
    use ring::aead;
    let (header, pn) = unprotect(p, pn_off, keys)?;
    let first = header[0];
    let pn_len = usize::from(first & 3) + 1;
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&keys.iv);
    for (i, byte) in pn.to_be_bytes().iter().enumerate() {
        nonce[4 + i] ^= byte;
    }
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &keys.key).ok()?);
    let mut body = p[pn_off + pn_len..].to_vec();
    let plain = key
        .open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(&header[..]),
            &mut body,
        )
        .ok()?;
    let plain = plain.to_vec();
    Some((first, pn, pn_len, plain))
}

/// The fields and Info text of an unprotected header's packet number.
fn packet_number(first: u8, pn: u64, d: &mut Dissection, info: &mut String) {
    d.push(
        &F_QUIC_LONG_RESERVED,
        Value::UInt(((first >> 2) & 3).into()),
    );
    d.push(
        &F_QUIC_PACKET_NUMBER_LENGTH,
        Value::UInt((first & 3).into()),
    );
    d.push(&F_QUIC_PACKET_NUMBER, Value::UInt(pn));
    info.push_str(&format!(", PKN: {pn}"));
}

/// Remove the header protection of a packet (which needs the 16 bytes of
/// sample after the packet number's first four): the unmasked header,
/// through the packet number, and the packet number.
fn unprotect(p: &[u8], pn_off: usize, keys: &Keys) -> Option<(Vec<u8>, u64)> {
    use ring::aead;
    let sample = p.get(pn_off + 4..pn_off + 20)?;
    let hp = aead::quic::HeaderProtectionKey::new(&aead::quic::AES_128, &keys.hp).ok()?;
    let mask = hp.new_mask(sample).ok()?;
    let first = p[0] ^ (mask[0] & 0x0f);
    let pn_len = usize::from(first & 3) + 1;
    let mut header = p.get(..pn_off + pn_len)?.to_vec();
    header[0] = first;
    let mut pn = 0u64;
    for i in 0..pn_len {
        header[pn_off + i] ^= mask[1 + i];
        pn = pn << 8 | u64::from(header[pn_off + i]);
    }
    Some((header, pn))
}

/// Decrypt an Initial packet with the client's keys (from its own
/// Destination Connection ID) or the server's (from the client's original
/// one), then show its packet number and frames.
/// None when the packet, cut by the snapshot length, ends before the
/// sample the header protection needs (tshark's bounds error).
#[allow(clippy::too_many_arguments)]
fn initial(
    p: &[u8],
    pn_off: usize,
    cut: bool,
    dcid: &[u8],
    scid: &[u8],
    st: &mut State,
    d: &mut Dissection,
    info: &mut String,
) -> Option<()> {
    let client = initial_keys(dcid, false).and_then(|k| open_packet(p, pn_off, &k));
    // Which keys opened it: the connection (client's original Destination
    // Connection ID) and whether the server sent it.
    let opened = match client {
        Some(o) => {
            if !scid.is_empty() && (st.origin.len() < MAX_CIDS || st.origin.contains_key(scid)) {
                st.origin.insert(scid.to_vec(), dcid.to_vec());
            }
            Some((o, dcid.to_vec(), false))
        }
        // A server's Initial (to the client's Source Connection ID), or a
        // later client Initial (to the server's chosen ID): keys from the
        // client's original Destination Connection ID.
        None => {
            let as_server = st.origin.get(dcid).cloned().and_then(|orig| {
                let k = initial_keys(&orig, true)?;
                Some((open_packet(p, pn_off, &k)?, orig, true))
            });
            as_server.or_else(|| {
                let orig = st.origin.get(scid).cloned()?;
                let k = initial_keys(&orig, false)?;
                Some((open_packet(p, pn_off, &k)?, orig, false))
            })
        }
    };
    let Some((opened, conn, server)) = opened else {
        if cut {
            // Cut by the snapshot length: nothing to decrypt, but tshark
            // (whose keys follow the connection, not a trial) still
            // removes the header protection when the sample was captured.
            let keys = match (st.origin.get(dcid), st.origin.get(scid)) {
                (Some(orig), _) => initial_keys(orig, true),
                (None, Some(orig)) => initial_keys(orig, false),
                (None, None) => {
                    if !scid.is_empty() && st.origin.len() < MAX_CIDS {
                        st.origin.insert(scid.to_vec(), dcid.to_vec());
                    }
                    initial_keys(dcid, false)
                }
            };
            // Without the sample, the read ends the dissection before the
            // Info column is written.
            let (header, pn) = keys.and_then(|k| unprotect(p, pn_off, &k))?;
            packet_number(header[0], pn, d, info);
        }
        return Some(());
    };
    let (first, pn, _pn_len, frames) = opened;

    let mut fragments: Vec<(u64, Vec<u8>)> = Vec::new();
    packet_number(first, pn, d, info);
    let mut off = 0;
    while off < frames.len() {
        let Some((ft, n)) = varint(&frames, off) else {
            break;
        };
        let name = match ft {
            0x00 => "PADDING",
            0x01 => "PING",
            0x02 => "ACK",
            0x03 => "ACK_ECN",
            0x06 => "CRYPTO",
            0x1c | 0x1d => "CONNECTION_CLOSE",
            _ => break,
        };
        d.push(&F_QUIC_FRAME_TYPE, Value::UInt(ft));
        info.push_str(", ");
        info.push_str(name);
        off += n;
        let ok = match ft {
            0x00 => {
                let run = frames[off..].iter().take_while(|&&b| b == 0).count();
                d.push(&F_QUIC_PADDING_LENGTH, Value::UInt(run as u64 + 1));
                off += run;
                Some(())
            }
            0x01 => Some(()),
            0x02 | 0x03 => ack(&frames, &mut off, ft == 0x03, d),
            0x06 => crypto(&frames, &mut off, d).map(|frag| fragments.push(frag)),
            _ => {
                // CONNECTION_CLOSE: error code, frame type (0x1c), reason.
                (|| {
                    let (_, n) = varint(&frames, off)?;
                    off += n;
                    if ft == 0x1c {
                        let (_, n) = varint(&frames, off)?;
                        off += n;
                    }
                    let (rl, n) = varint(&frames, off)?;
                    off += n + usize::try_from(rl).ok()?;
                    Some(())
                })()
            }
        };
        if ok.is_none() {
            d.malformed = true;
            break;
        }
    }
    if !fragments.is_empty() {
        // The connection is known by the client's Source Connection ID,
        // which stays the same across a Retry (its own DCID does not).
        let id = match (server, scid.is_empty()) {
            (true, _) => dcid.to_vec(),
            (false, false) => scid.to_vec(),
            (false, true) => conn,
        };
        feed_crypto(st, &id, server, fragments, d);
    }
    Some(())
}

fn ack(f: &[u8], off: &mut usize, ecn: bool, d: &mut Dissection) -> Option<()> {
    let mut next = || {
        let (v, n) = varint(f, *off)?;
        *off += n;
        Some(v)
    };
    let largest = next()?;
    let delay = next()?;
    let count = next()?;
    let first = next()?;
    d.push(&F_QUIC_ACK_LARGEST_ACKNOWLEDGED, Value::UInt(largest));
    d.push(&F_QUIC_ACK_ACK_DELAY, Value::UInt(delay));
    d.push(&F_QUIC_ACK_ACK_RANGE_COUNT, Value::UInt(count));
    d.push(&F_QUIC_ACK_FIRST_ACK_RANGE, Value::UInt(first));
    for _ in 0..count.min(1024) {
        next()?;
        next()?;
    }
    if ecn {
        for _ in 0..3 {
            next()?;
        }
    }
    Some(())
}

fn crypto(f: &[u8], off: &mut usize, d: &mut Dissection) -> Option<(u64, Vec<u8>)> {
    let (o, n) = varint(f, *off)?;
    *off += n;
    let (l, n) = varint(f, *off)?;
    *off += n;
    d.push(&F_QUIC_CRYPTO_OFFSET, Value::UInt(o));
    d.push(&F_QUIC_CRYPTO_LENGTH, Value::UInt(l));
    let l = usize::try_from(l).ok()?;
    let data = f.get(*off..*off + l)?.to_vec();
    *off += l;
    Some((o, data))
}

/// The Initial CRYPTO stream of one side of one connection, reassembled
/// as tshark does: bytes that continue the stream go to TLS at once (one
/// TLS layer each); bytes past a gap wait, with what follows them, until
/// the gap fills, and then go to TLS together.
#[derive(Debug, Default)]
pub struct CryptoStream {
    /// End of the bytes received without a gap.
    next: u64,
    /// Bytes past a gap, waiting for it to fill.
    waiting: Option<Waiting>,
}

/// Out-of-order CRYPTO bytes: from `start` (where the gap begins) to `end`.
#[derive(Debug, Default)]
struct Waiting {
    start: u64,
    end: u64,
    /// Fragments by offset.
    frags: std::collections::BTreeMap<u64, Vec<u8>>,
    /// The gap filled and the bytes went to TLS.
    done: bool,
}

impl Waiting {
    /// Where the bytes from `from` on stop being contiguous (`from` or
    /// further, through the fragments).
    fn contiguous_end(&self, mut from: u64) -> u64 {
        for (&o, data) in &self.frags {
            let end = o + data.len() as u64;
            if o <= from && from < end {
                from = end;
            }
        }
        from
    }

    /// The bytes from `start` to `end`, when all are there.
    fn assembled(&self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut at = self.start;
        for (&o, data) in &self.frags {
            if o > at {
                return None;
            }
            let end = o + data.len() as u64;
            if end > at {
                out.extend_from_slice(&data[usize::try_from(at - o).ok()?..]);
                at = end;
            }
        }
        (at >= self.end).then_some(out)
    }

    fn held(&self) -> usize {
        self.frags.values().map(Vec::len).sum()
    }
}

impl CryptoStream {
    /// Take one CRYPTO frame; returns the bytes to hand to TLS now, if any.
    fn push(&mut self, offset: u64, data: &[u8]) -> Option<Vec<u8>> {
        let mut seq = offset;
        let mut data = data;
        let nxt = offset + data.len() as u64;
        if nxt <= self.next {
            // Seen already (a retransmission).
            return None;
        }
        if seq < self.next {
            data = &data[usize::try_from(self.next - seq).ok()?..];
            seq = self.next;
        }
        if self.waiting.as_ref().is_some_and(|w| w.done) {
            self.waiting = None;
        }
        let gap = self.next < seq;
        if !gap {
            self.next = match &self.waiting {
                Some(w) => w.contiguous_end(nxt),
                None => nxt,
            };
        }
        match &mut self.waiting {
            Some(w) => {
                w.end = w.end.max(nxt);
                if w.held() + data.len() <= MAX_CRYPTO {
                    w.frags.insert(seq, data.to_vec());
                }
                let whole = w.assembled()?;
                w.done = true;
                Some(whole)
            }
            None if gap => {
                self.waiting = Some(Waiting {
                    start: self.next,
                    end: nxt,
                    frags: [(seq, data.to_vec())].into(),
                    done: false,
                });
                None
            }
            None => Some(data.to_vec()),
        }
    }
}

/// Most connections whose Initial CRYPTO streams are kept.
const MAX_CRYPTO_CONNS: usize = 1024;

/// Most handshake bytes a CRYPTO stream may hold out of order.
const MAX_CRYPTO: usize = 16 * 1024;

/// Add the CRYPTO frames of a decrypted Initial to its stream and dissect
/// the TLS handshake messages they complete, as tshark does: each hand-off
/// to TLS is a TLS layer of its own, even when it completes no message.
fn feed_crypto(
    st: &mut State,
    conn: &[u8],
    server: bool,
    frags: Vec<(u64, Vec<u8>)>,
    d: &mut Dissection,
) {
    if !st.crypto.contains_key(conn) && st.crypto.len() >= MAX_CRYPTO_CONNS {
        return;
    }
    let entry = st.crypto.entry(conn.to_vec()).or_default();
    let (streams, tls) = (&mut entry.0, &mut entry.1);
    let cs = &mut streams[usize::from(server)];
    for (o, data) in frags {
        if let Some(ready) = cs.push(o, &data) {
            let v = d.bytes(&super::tls::P_TLS, &ready);
            d.push(&super::tls::P_TLS, v);
            super::tls::quic_handshake(&ready, tls, !server, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CryptoStream;

    /// How many hand-offs to TLS the CRYPTO frames (offset, length) of one
    /// packet make, and the bytes handed over in all.
    fn calls(frames: &[(u64, usize)]) -> (usize, usize) {
        let mut cs = CryptoStream::default();
        let mut n = (0, 0);
        for &(o, len) in frames {
            let data: Vec<u8> = (o..o + len as u64).map(|b| b as u8).collect();
            if let Some(ready) = cs.push(o, &data) {
                n.0 += 1;
                n.1 += ready.len();
            }
        }
        n
    }

    /// CRYPTO frames of client Initials in quic_h3_multi_conn.pcap (Chrome
    /// splits and shuffles its ClientHello); tshark lists one `tls` per
    /// hand-off.
    #[test]
    fn crypto_frames_reach_tls_as_in_tshark() {
        // Frame 5: in order, two hand-offs.
        assert_eq!(calls(&[(0, 263), (263, 20)]), (2, 283));
        // Frame 4: the gap at 0 fills last, one hand-off of everything.
        assert_eq!(calls(&[(55, 53), (108, 187), (0, 55)]), (1, 295));
        // Frame 11: the first fill completes the wait; the rest follows.
        assert_eq!(calls(&[(107, 63), (0, 107), (170, 122)]), (2, 292));
        // Frame 9: a wait whose last gap (284..289) fills at the end.
        assert_eq!(
            calls(&[
                (0, 47),
                (212, 68),
                (280, 2),
                (282, 2),
                (289, 4),
                (47, 165),
                (284, 5)
            ]),
            (2, 293)
        );
        // Frame 1: one hand-off.
        assert_eq!(
            calls(&[
                (227, 13),
                (0, 33),
                (240, 44),
                (33, 6),
                (39, 47),
                (208, 19),
                (86, 122)
            ]),
            (1, 284)
        );
    }

    #[test]
    fn retransmitted_crypto_bytes_are_not_handed_again() {
        let mut cs = CryptoStream::default();
        assert!(cs.push(0, &[1; 100]).is_some());
        assert!(cs.push(0, &[1; 100]).is_none());
        assert_eq!(cs.push(50, &[2; 100]).map(|b| b.len()), Some(50));
    }
}
