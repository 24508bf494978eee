//! TLS (SSLv3 to TLS 1.3) record layer and unencrypted handshake messages,
//! without keys: record fields, Client/Server Hello with the common
//! extensions (SNI, ALPN, supported versions and groups, signature
//! algorithms, key share), certificates and session tickets. Handshake
//! messages split across records are reassembled; records after a Change
//! Cipher Spec (or in a TLS 1.3 session) are shown as encrypted, as tshark
//! shows them. The same handshake dissection serves the TLS messages that
//! QUIC carries in its Initial packets.

use super::protocol::{Mark, Protocol, Tcp};
use super::util::{be16, be24, be32};
use super::Pdu;
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
pub(super) use defs::P_TLS;
use defs::*;

/// TLS on its TCP ports, and (tshark's heuristic) on a conversation that
/// starts with a TLS record. Records are taken one by one by the
/// dispatcher ([`step`]); `dissect` is for one whole record.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "tls",
    fields: FIELDS,
    marks: &[Mark::new("tls", &P_TLS)],
    tcp: Some(Tcp {
        ports: &[443, 465, 993, 995, 636, 853, 8443],
        heuristic: Some(heuristic),
        pdu_len: |b, _, _| pdu_len(b),
        pdu_total: |b, _| Some(5 + usize::from(be16(b, 3)?)),
        dissect: |st, rec, seg, d| {
            dissect(rec, &mut st.tls, seg.from_client, d);
            None
        },
        cut: Some(super::truncated::tls_cut),
    }),
    ..Protocol::NONE
};

/// Most bytes of one handshake message kept while its records arrive.
const MAX_HANDSHAKE: usize = 1 << 20;

/// TLS state of one TCP connection.
#[derive(Debug, Default)]
pub struct StreamState {
    /// Version the Server Hello chose.
    version: Option<u16>,
    /// Change Cipher Spec seen, per direction (client first).
    ccs: [bool; 2],
    /// Bytes of a handshake message that spans records, per direction.
    hs: [Vec<u8>; 2],
    /// Carried in QUIC, hence TLS 1.3 from the first message.
    quic: bool,
}

impl StreamState {
    /// Bytes held for handshake messages that span records.
    pub fn buffered(&self) -> usize {
        self.hs.iter().map(Vec::len).sum()
    }

    /// Drop the partial handshake messages.
    pub fn shed(&mut self) {
        self.hs = Default::default();
    }
}

/// True when the bytes start like a TLS handshake record (tshark's
/// heuristic for TLS on ports it does not know).
pub fn heuristic(b: &[u8]) -> bool {
    is_sslv3_or_tls(b) || is_sslv2_client_hello(b)
}

/// tshark's `is_sslv3_or_tls`: a handshake or application-data record
/// header of a common version with a sane length, in the captured bytes.
fn is_sslv3_or_tls(b: &[u8]) -> bool {
    let (Some(&ct), Some(v), Some(len)) = (b.first(), be16(b, 1), be16(b, 3)) else {
        return false;
    };
    matches!(ct, 22 | 23)
        && matches!(v, 0x0300..=0x0303 | 0x0101)
        && len != 0
        && usize::from(len) < (1 << 14) + 2048
}

/// tshark's `is_sslv2_clienthello`: an SSL 2.0 compatible Client Hello of
/// the minimum length.
fn is_sslv2_client_hello(b: &[u8]) -> bool {
    b.len() >= 46
        && b[0] == 0x80
        && b[2] == 1
        && be16(b, 5).is_some_and(|n| n != 0 && n % 3 == 0)
        && be16(b, 7).is_some_and(|n| n == 0 || n == 16)
        && be16(b, 9) == Some(32)
}

/// Length of the TLS record at the start of `b`.
pub fn pdu_len(b: &[u8]) -> Pdu {
    if b.is_empty() {
        return Pdu::Incomplete;
    }
    if !(20..=24).contains(&b[0]) || b.get(1).is_some_and(|&v| v != 3) {
        return Pdu::Invalid;
    }
    if b.len() < 5 {
        return Pdu::Incomplete;
    }
    let n = 5 + usize::from(u16::from_be_bytes([b[3], b[4]]));
    if b.len() >= n {
        Pdu::Len(n)
    } else {
        Pdu::Incomplete
    }
}

/// One step of tshark's record loop (`dissect_ssl`, `dissect_ssl3_record`
/// in epan/dissectors/packet-tls.c) over the bytes TCP handed it.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// A record of this many bytes, to dissect.
    Record(usize),
    /// The record is not all there: this many more bytes, or (None) at
    /// least one more segment (a record header needs 5 bytes).
    Need(Option<usize>),
    /// Bytes passed over with this Info text: this many, or (None) all.
    Skip(Option<usize>, &'static str),
}

/// `ssl_is_valid_content_type`: Change Cipher Spec, Alert, Handshake,
/// Application Data, Heartbeat, TLS 1.2 CID.
fn valid_content_type(t: u8) -> bool {
    (20..=25).contains(&t)
}

/// tshark's TLS dissector declines a payload that starts with four
/// printable characters ("extremely unlikely that real TLS traffic starts
/// with four printable ascii characters"): TCP then shows it as data.
pub fn declines(b: &[u8]) -> bool {
    b.len() > 4 && b[..4].iter().all(|c| (0x20..0x7f).contains(c))
}

/// What tshark's record loop makes of the bytes at the start of `b`. The
/// session's version decides: SSLv3 to TLS 1.2 go straight to the record
/// parser (TLS 1.0 to 1.2 ignore the rest after an unknown content type);
/// an unknown version, and TLS 1.3 (not in that list in tshark 4.0), first
/// ask whether the bytes look like an SSLv2 or SSLv3/TLS record header, and
/// call anything else continuation data.
pub fn step(b: &[u8], st: &StreamState) -> Step {
    if b.len() < 5 {
        return Step::Need(None);
    }
    match st.version {
        Some(v @ (0x0300..=0x0303 | 0x0101)) => {
            if b[0] == 0x80 && b[2] == 0x01 {
                return sslv2_step(b);
            }
            if v != 0x0300 && !valid_content_type(b[0]) {
                return Step::Skip(None, "Ignored Unknown Record");
            }
            ssl3_step(b)
        }
        _ => {
            if b[0] >= 0x80 && matches!(b[2], 0 | 1 | 2 | 4) {
                sslv2_step(b)
            } else if valid_content_type(b[0])
                && matches!(be16(b, 1), Some(0x0300..=0x0303 | 0x0101))
            {
                ssl3_step(b)
            } else {
                Step::Skip(None, "Continuation Data")
            }
        }
    }
}

/// `dissect_ssl3_record` up to the record's dissection.
fn ssl3_step(b: &[u8]) -> Step {
    let n = 5 + usize::from(u16::from_be_bytes([b[3], b[4]]));
    if !valid_content_type(b[0]) {
        Step::Skip(Some(n), "Continuation Data")
    } else if b.len() < n {
        Step::Need(Some(n - b.len()))
    } else {
        Step::Record(n)
    }
}

/// The Info text of an SSLv2 record (no keys: encrypted).
pub const SSLV2_INFO: &str = "Encrypted Data";

/// `dissect_ssl2_record`: a two- or three-byte header, then the record,
/// shown (without keys) as encrypted data.
fn sslv2_step(b: &[u8]) -> Step {
    let (hl, len) = if b[0] & 0x80 != 0 {
        (2, usize::from(b[0] & 0x7f) << 8 | usize::from(b[1]))
    } else {
        (3, usize::from(b[0] & 0x3f) << 8 | usize::from(b[1]))
    };
    if b.len() < hl + len {
        Step::Need(Some(hl + len - b.len()))
    } else {
        Step::Skip(Some(hl + len), SSLV2_INFO)
    }
}

/// Whether an SSLv2 record (two-byte header) whose message type tshark's
/// heuristic accepted holds a clear-text handshake, by
/// `ssl_looks_like_valid_v2_handshake` and, while the session's version is
/// unknown or the first says no, `ssl_looks_like_valid_pct_handshake`.
/// None when a byte those read was not captured.
fn sslv2_handshake_cut(b: &[u8], version_unknown: bool) -> Option<bool> {
    let len = usize::from(b[0] & 0x7f) << 8 | usize::from(b[1]);
    let m = b.get(2..)?;
    let sum = |offs: &[usize]| -> Option<usize> {
        offs.iter()
            .map(|&o| be16(m, o).map(usize::from))
            .sum::<Option<usize>>()
    };
    let valid_version = |v: u16| {
        matches!(
            v,
            0x0002 | 0x0300..=0x0304 | 0x0101 | 0x0100 | 0xfeff | 0xfefd
        )
    };
    let pct = |t: u8| -> Option<bool> {
        Some(match t {
            1 => be16(m, 1)? == 0x8001,
            2 => be16(m, 2)? == 0x8001,
            3 => sum(&[6, 8, 10, 12, 14, 16])? <= len,
            4 => sum(&[34])? + 36 == len,
            _ => false,
        })
    };
    let t = *m.first()?;
    if version_unknown {
        pct(t)?;
    }
    let v2 = match t {
        1 => valid_version(be16(m, 1)?),
        4 => valid_version(be16(m, 3)?),
        2 => sum(&[4, 6, 8])? <= len,
        _ => false,
    };
    Some(v2 || pct(t)?)
}

/// `ssl_try_set_version`: while the session's version is unknown, a
/// record other than a Client Hello tells it (a Server Hello's extension
/// may still change it).
pub fn note_record(rec: &[u8], st: &mut StreamState) {
    if st.version.is_some() || rec.len() < 6 {
        return;
    }
    let authoritative = if rec[0] == 22 {
        known_type(rec[5]) && rec[5] != 1
    } else {
        valid_content_type(rec[0])
    };
    let v = u16::from_be_bytes([rec[1], rec[2]]);
    if authoritative && matches!(v, 0x0300..=0x0304 | 0x0101) {
        st.version = Some(v);
    }
}

/// The Protocol column for bytes that do not start a record: the one
/// `dissect_ssl` starts with ("SSL" while the version is unknown).
pub fn continuation_protocol(st: &StreamState) -> String {
    st.version.map_or("SSL", version_name).into()
}

/// Name of a protocol version as the Protocol column shows it.
fn version_name(v: u16) -> &'static str {
    match v {
        0x0300 => "SSLv3",
        0x0301 => "TLSv1",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        0x0002 => "SSLv2",
        _ => "TLS",
    }
}

fn handshake_name(t: u8) -> &'static str {
    match t {
        0 => "Hello Request",
        1 => "Client Hello",
        2 => "Server Hello",
        3 => "Hello Verify Request",
        4 => "New Session Ticket",
        5 => "End of Early Data",
        6 => "Hello Retry Request",
        8 => "Encrypted Extensions",
        11 => "Certificate",
        12 => "Server Key Exchange",
        13 => "Certificate Request",
        14 => "Server Hello Done",
        15 => "Certificate Verify",
        16 => "Client Key Exchange",
        20 => "Finished",
        21 => "Certificate URL",
        22 => "Certificate Status",
        23 => "Supplemental Data",
        24 => "Key Update",
        25 => "Compressed Certificate",
        _ => "Unknown Handshake Message",
    }
}

fn alert_level(l: u8) -> &'static str {
    match l {
        1 => "Warning",
        2 => "Fatal",
        _ => "Unknown",
    }
}

fn alert_desc(x: u8) -> &'static str {
    match x {
        0 => "Close Notify",
        10 => "Unexpected Message",
        20 => "Bad Record MAC",
        21 => "Decryption Failed",
        22 => "Record Overflow",
        30 => "Decompression Failure",
        40 => "Handshake Failure",
        41 => "No Certificate",
        42 => "Bad Certificate",
        43 => "Unsupported Certificate",
        44 => "Certificate Revoked",
        45 => "Certificate Expired",
        46 => "Certificate Unknown",
        47 => "Illegal Parameter",
        48 => "Unknown CA",
        49 => "Access Denied",
        50 => "Decode Error",
        51 => "Decrypt Error",
        60 => "Export Restriction",
        70 => "Protocol Version",
        71 => "Insufficient Security",
        80 => "Internal Error",
        86 => "Inappropriate Fallback",
        90 => "User Canceled",
        100 => "No Renegotiation",
        109 => "Missing Extension",
        110 => "Unsupported Extension",
        112 => "Unrecognized Name",
        116 => "Certificate Required",
        120 => "No application Protocol",
        _ => "Unknown",
    }
}

/// Dissect one TLS record.
pub fn dissect(rec: &[u8], st: &mut StreamState, from_client: bool, d: &mut Dissection) {
    let di = usize::from(!from_client);
    let ct = rec[0];
    let rv = be16(rec, 1).unwrap_or(0);
    let body = &rec[5.min(rec.len())..];
    let tls13 = st.version == Some(0x0304);
    if tls13 && ct == 23 {
        d.push(&F_TLS_RECORD_OPAQUE_TYPE, Value::UInt(ct.into()));
    } else {
        d.push(&F_TLS_RECORD_CONTENT_TYPE, Value::UInt(ct.into()));
    }
    d.push(&F_TLS_RECORD_VERSION, Value::UInt(rv.into()));
    d.push(&F_TLS_RECORD_LENGTH, Value::UInt(body.len() as u64));
    let mut info: Vec<String> = Vec::new();
    match ct {
        20 => {
            d.push(&F_TLS_CHANGE_CIPHER_SPEC, Value::None);
            st.ccs[di] = true;
            info.push("Change Cipher Spec".into());
        }
        21 => {
            if body.len() == 2 && !st.ccs[di] && !tls13 {
                d.push(&F_TLS_ALERT_MESSAGE_LEVEL, Value::UInt(body[0].into()));
                d.push(&F_TLS_ALERT_MESSAGE_DESC, Value::UInt(body[1].into()));
                info.push(format!(
                    "Alert (Level: {}, Description: {})",
                    alert_level(body[0]),
                    alert_desc(body[1])
                ));
            } else {
                info.push("Encrypted Alert".into());
            }
        }
        22 => {
            // TLS 1.3's Change Cipher Spec is a dummy (middlebox
            // compatibility): only Hellos are in clear text there.
            if (st.ccs[di] && !tls13) || (tls13 && !matches!(body.first(), Some(1 | 2))) {
                info.push("Encrypted Handshake Message".into());
            } else {
                handshakes(body, st, di, d, &mut info);
            }
        }
        23 => {
            d.push(&F_TLS_APP_DATA, Value::Bytes(body.to_vec()));
            info.push("Application Data".into());
        }
        24 => info.push("Heartbeat".into()),
        _ => {}
    }
    d.protocol = version_name(st.version.unwrap_or(rv)).into();
    d.info = info.join(", ");
}

/// Handshake messages carried in QUIC CRYPTO frames (no records): the
/// next contiguous bytes of one side's stream.
pub fn quic_handshake(data: &[u8], st: &mut StreamState, from_client: bool, d: &mut Dissection) {
    st.quic = true;
    let mut info = Vec::new();
    handshakes(data, st, usize::from(!from_client), d, &mut info);
}

fn handshakes(
    body: &[u8],
    st: &mut StreamState,
    di: usize,
    d: &mut Dissection,
    info: &mut Vec<String>,
) {
    let mut buf = std::mem::take(&mut st.hs[di]);
    buf.extend_from_slice(body);
    let mut off = 0;
    while off + 4 <= buf.len() {
        let t = buf[off];
        let len = be24(&buf, off + 1).unwrap_or(0) as usize;
        if len > MAX_HANDSHAKE || (off == 0 && st.hs[di].is_empty() && !known_type(t)) {
            // Not a plain handshake message: encrypted (e.g. a Finished
            // after an unseen Change Cipher Spec).
            info.push("Encrypted Handshake Message".into());
            return;
        }
        if off + 4 + len > buf.len() {
            break;
        }
        let msg = &buf[off + 4..off + 4 + len];
        d.push(&F_TLS_HANDSHAKE_TYPE, Value::UInt(t.into()));
        d.push(&F_TLS_HANDSHAKE_LENGTH, Value::UInt(len as u64));
        info.push(if t == 2 && is_hrr(msg) {
            "Hello Retry Request".into()
        } else {
            handshake_name(t).into()
        });
        handshake(t, msg, st, d);
        off += 4 + len;
    }
    if off < buf.len() {
        if buf.len() - off > MAX_HANDSHAKE {
            return;
        }
        st.hs[di] = buf[off..].to_vec();
    }
}

/// The Random of a TLS 1.3 HelloRetryRequest (RFC 8446, 4.1.3): a
/// Server Hello with it asks the client for another Client Hello.
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// True for a Server Hello body that is a HelloRetryRequest.
fn is_hrr(m: &[u8]) -> bool {
    m.get(2..34) == Some(&HRR_RANDOM[..])
}

fn known_type(t: u8) -> bool {
    matches!(t, 0..=6 | 8 | 11..=16 | 20..=25)
}

fn handshake(t: u8, m: &[u8], st: &mut StreamState, d: &mut Dissection) {
    match t {
        1 | 2 => {
            let _ = hello(t == 2, m, st, d);
        }
        11 => {
            let mut off = 0;
            if st.version == Some(0x0304) {
                off = 1 + usize::from(*m.first().unwrap_or(&0));
            }
            let Some(total) = be24(m, off) else { return };
            d.push(
                &F_TLS_HANDSHAKE_CERTIFICATES_LENGTH,
                Value::UInt(total.into()),
            );
            off += 3;
            let end = (off + total as usize).min(m.len());
            while off + 3 <= end {
                let l = be24(m, off).unwrap_or(0) as usize;
                let Some(c) = m.get(off + 3..off + 3 + l) else {
                    return;
                };
                d.push(&F_TLS_HANDSHAKE_CERTIFICATE_LENGTH, Value::UInt(l as u64));
                d.push(&F_TLS_HANDSHAKE_CERTIFICATE, Value::Bytes(c.to_vec()));
                super::x509::certificate(c, d);
                off += 3 + l;
                if st.version == Some(0x0304) {
                    off += 2 + usize::from(be16(m, off).unwrap_or(0));
                }
            }
        }
        12 => server_key_exchange(m, st, d),
        // Certificate Status: an OCSP response (status type 1).
        22 if m.first() == Some(&1) => {
            let l = be24(m, 1).unwrap_or(0) as usize;
            if let Some(r) = m.get(4..4 + l) {
                super::x509::tls_ocsp_response(r, d);
            }
        }
        4 => {
            let (Some(hint), Some(l)) = (be32(m, 0), be16(m, 4)) else {
                return;
            };
            d.push(
                &F_TLS_HANDSHAKE_SESSION_TICKET_LIFETIME_HINT,
                Value::UInt(hint.into()),
            );
            d.push(
                &F_TLS_HANDSHAKE_SESSION_TICKET_LENGTH,
                Value::UInt(l.into()),
            );
            if let Some(tk) = m.get(6..6 + usize::from(l)) {
                d.push(&F_TLS_HANDSHAKE_SESSION_TICKET, Value::Bytes(tk.to_vec()));
            }
        }
        _ => {}
    }
}

/// The signed certificate timestamps of a certificate's extension (a
/// length-prefixed list, as tshark's TLS dissector decodes it for X.509):
/// their signature algorithms.
pub(super) fn sct_list(b: &[u8], d: &mut Dissection) {
    let Some(total) = be16(b, 0) else { return };
    let end = (2 + usize::from(total)).min(b.len());
    let mut off = 2;
    while off + 2 <= end {
        let l = usize::from(be16(b, off).unwrap_or(0));
        let Some(sct) = b.get(off + 2..off + 2 + l) else {
            return;
        };
        let ext = usize::from(be16(sct, 41).unwrap_or(0));
        if let Some(a) = be16(sct, 43 + ext) {
            d.push(&F_TLS_HANDSHAKE_SIG_HASH_ALG, Value::UInt(a.into()));
        }
        off += 2 + l;
    }
}

/// The signature algorithm of an (EC)DHE Server Key Exchange (TLS 1.2).
fn server_key_exchange(m: &[u8], st: &StreamState, d: &mut Dissection) {
    if st.version != Some(0x0303) {
        return;
    }
    let off = if m.first() == Some(&3) {
        // named_curve ECDHE: type, curve, point.
        4 + usize::from(*m.get(3).unwrap_or(&0))
    } else {
        // DHE: p, g, Ys.
        let mut off = 0;
        for _ in 0..3 {
            off += 2 + usize::from(be16(m, off).unwrap_or(0));
        }
        off
    };
    if let Some(a) = be16(m, off) {
        if off + 4 <= m.len() {
            d.push(&F_TLS_HANDSHAKE_SIG_HASH_ALG, Value::UInt(a.into()));
        }
    }
}

/// The version a Server Hello chose: its supported_versions extension or
/// its legacy version.
fn server_version(m: &[u8]) -> Option<u16> {
    let legacy = be16(m, 0)?;
    let sid = usize::from(*m.get(34)?);
    let mut off = 35 + sid + 3;
    let ext_len = usize::from(be16(m, off).unwrap_or(0));
    off += 2;
    let end = (off + ext_len).min(m.len());
    while off + 4 <= end {
        let et = be16(m, off)?;
        let el = usize::from(be16(m, off + 2)?);
        if et == 43 && el == 2 {
            return be16(m, off + 4);
        }
        off += 4 + el;
    }
    Some(legacy)
}

fn hello(server: bool, m: &[u8], st: &mut StreamState, d: &mut Dissection) -> Option<()> {
    if server {
        st.version = server_version(m);
    }
    let v = be16(m, 0)?;
    d.push(&F_TLS_HANDSHAKE_VERSION, Value::UInt(v.into()));
    let random = m.get(2..34)?;
    d.push(&F_TLS_HANDSHAKE_RANDOM, Value::Bytes(random.to_vec()));
    let tls13 = st.quic || st.version == Some(0x0304);
    if !tls13 {
        d.push(
            &F_TLS_HANDSHAKE_RANDOM_BYTES,
            Value::Bytes(random[4..].to_vec()),
        );
    }
    let sid_len = usize::from(*m.get(34)?);
    d.push(
        &F_TLS_HANDSHAKE_SESSION_ID_LENGTH,
        Value::UInt(sid_len as u64),
    );
    let sid = m.get(35..35 + sid_len)?;
    if sid_len > 0 {
        d.push(&F_TLS_HANDSHAKE_SESSION_ID, Value::Bytes(sid.to_vec()));
    }
    let mut off = 35 + sid_len;
    if server {
        d.push(
            &F_TLS_HANDSHAKE_CIPHERSUITE,
            Value::UInt(be16(m, off)?.into()),
        );
        d.push(
            &F_TLS_HANDSHAKE_COMP_METHOD,
            Value::UInt((*m.get(off + 2)?).into()),
        );
        off += 3;
    } else {
        let cl = usize::from(be16(m, off)?);
        d.push(
            &F_TLS_HANDSHAKE_CIPHER_SUITES_LENGTH,
            Value::UInt(cl as u64),
        );
        // Suites and methods are read one by one: a list cut short shows
        // those before the cut.
        let suites = m.get(off + 2..).unwrap_or_default();
        for c in suites[..cl.min(suites.len())].chunks_exact(2) {
            d.push(
                &F_TLS_HANDSHAKE_CIPHERSUITE,
                Value::UInt(u16::from_be_bytes([c[0], c[1]]).into()),
            );
        }
        m.get(off + 2 + cl - 1)?;
        off += 2 + cl;
        let ml = usize::from(*m.get(off)?);
        d.push(&F_TLS_HANDSHAKE_COMP_METHODS_LENGTH, Value::UInt(ml as u64));
        for &c in m.get(off + 1..).unwrap_or_default().iter().take(ml) {
            d.push(&F_TLS_HANDSHAKE_COMP_METHOD, Value::UInt(c.into()));
        }
        m.get(off + ml)?;
        off += 1 + ml;
    }
    let el = usize::from(be16(m, off)?);
    d.push(&F_TLS_HANDSHAKE_EXTENSIONS_LENGTH, Value::UInt(el as u64));
    off += 2;
    let end = (off + el).min(m.len());
    while off + 4 <= end {
        let et = be16(m, off)?;
        let len = usize::from(be16(m, off + 2)?);
        // An extension not all there shows nothing, not even its type.
        let e = m.get(off + 4..off + 4 + len)?;
        d.push(&F_TLS_HANDSHAKE_EXTENSION_TYPE, Value::UInt(et.into()));
        d.push(&F_TLS_HANDSHAKE_EXTENSION_LEN, Value::UInt(len as u64));
        if server && et == 51 && len == 2 && is_hrr(m) {
            // A HelloRetryRequest's key_share names only the group the
            // server selected.
            d.push(
                &F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_SELECTED_GROUP,
                Value::UInt(be16(e, 0)?.into()),
            );
            off += 4 + len;
            continue;
        }
        extension(et, e, server, d);
        off += 4 + len;
    }
    Some(())
}

fn u16s(b: &[u8]) -> impl Iterator<Item = u16> + '_ {
    b.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]))
}

fn extension(t: u16, e: &[u8], server: bool, d: &mut Dissection) {
    match t {
        0 if !e.is_empty() => {
            let Some(ll) = be16(e, 0) else { return };
            d.push(
                &F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME_LIST_LEN,
                Value::UInt(ll.into()),
            );
            let mut off = 2;
            while off + 3 <= e.len() {
                let ty = e[off];
                let l = usize::from(be16(e, off + 1).unwrap_or(0));
                let Some(name) = e.get(off + 3..off + 3 + l) else {
                    return;
                };
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME_TYPE,
                    Value::UInt(ty.into()),
                );
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME_LEN,
                    Value::UInt(l as u64),
                );
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME,
                    Value::Str(super::util::text(name)),
                );
                off += 3 + l;
            }
        }
        16 => {
            let Some(ll) = be16(e, 0) else { return };
            d.push(&F_TLS_HANDSHAKE_EXTENSIONS_ALPN_LEN, Value::UInt(ll.into()));
            let mut off = 2;
            while off < e.len() {
                let l = usize::from(e[off]);
                let Some(p) = e.get(off + 1..off + 1 + l) else {
                    return;
                };
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_ALPN_STR_LEN,
                    Value::UInt(l as u64),
                );
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_ALPN_STR,
                    Value::Str(super::util::text(p)),
                );
                off += 1 + l;
            }
        }
        43 => {
            if server {
                if let Some(v) = be16(e, 0) {
                    d.push(
                        &F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_VERSION,
                        Value::UInt(v.into()),
                    );
                }
            } else if let Some(&l) = e.first() {
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_VERSIONS_LEN,
                    Value::UInt(l.into()),
                );
                let end = (1 + usize::from(l)).min(e.len());
                for v in u16s(&e[1..end]) {
                    d.push(
                        &F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_VERSION,
                        Value::UInt(v.into()),
                    );
                }
            }
        }
        10 => {
            let Some(l) = be16(e, 0) else { return };
            d.push(
                &F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_GROUPS_LENGTH,
                Value::UInt(l.into()),
            );
            let end = (2 + usize::from(l)).min(e.len());
            for g in u16s(&e[2..end]) {
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_GROUP,
                    Value::UInt(g.into()),
                );
            }
        }
        11 => {
            let Some(&l) = e.first() else { return };
            d.push(
                &F_TLS_HANDSHAKE_EXTENSIONS_EC_POINT_FORMATS_LENGTH,
                Value::UInt(l.into()),
            );
            let end = (1 + usize::from(l)).min(e.len());
            for &f in &e[1..end] {
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_EC_POINT_FORMAT,
                    Value::UInt(f.into()),
                );
            }
        }
        13 | 34 | 50 => {
            let Some(l) = be16(e, 0) else { return };
            d.push(&F_TLS_HANDSHAKE_SIG_HASH_ALG_LEN, Value::UInt(l.into()));
            let end = (2 + usize::from(l)).min(e.len());
            for a in u16s(&e[2..end]) {
                d.push(&F_TLS_HANDSHAKE_SIG_HASH_ALG, Value::UInt(a.into()));
            }
        }
        51 => {
            let mut off = 0;
            if !server {
                let Some(l) = be16(e, 0) else { return };
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_CLIENT_LENGTH,
                    Value::UInt(l.into()),
                );
                off = 2;
            }
            while off + 2 <= e.len() {
                let g = be16(e, off).unwrap_or(0);
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_GROUP,
                    Value::UInt(g.into()),
                );
                let Some(kl) = be16(e, off + 2) else { return };
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_KEY_EXCHANGE_LENGTH,
                    Value::UInt(kl.into()),
                );
                let Some(k) = e.get(off + 4..off + 4 + usize::from(kl)) else {
                    return;
                };
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_KEY_EXCHANGE,
                    Value::Bytes(k.to_vec()),
                );
                off += 4 + usize::from(kl);
            }
        }
        18 if server => {
            // Signed certificate timestamps: each has a signature algorithm.
            let mut off = 2;
            while off + 2 <= e.len() {
                let l = usize::from(be16(e, off).unwrap_or(0));
                let Some(sct) = e.get(off + 2..off + 2 + l) else {
                    return;
                };
                let ext = usize::from(be16(sct, 41).unwrap_or(0));
                if let Some(a) = be16(sct, 43 + ext) {
                    d.push(&F_TLS_HANDSHAKE_SIG_HASH_ALG, Value::UInt(a.into()));
                }
                off += 2 + l;
            }
        }
        65281 => {
            if let Some(&l) = e.first() {
                d.push(
                    &F_TLS_HANDSHAKE_EXTENSIONS_RENEG_INFO_LEN,
                    Value::UInt(l.into()),
                );
            }
        }
        _ => {}
    }
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_TLS = "tls", Protocol, Base::Dec, "Transport Layer Security";
        F_TLS_RECORD_CONTENT_TYPE = "tls.record.content_type", UInt, Base::Dec, "Content Type";
        F_TLS_RECORD_OPAQUE_TYPE = "tls.record.opaque_type", UInt, Base::Dec, "Opaque Type";
        F_TLS_RECORD_VERSION = "tls.record.version", UInt, Base::Hex(4), "Version";
        F_TLS_RECORD_LENGTH = "tls.record.length", UInt, Base::Dec, "Length";
        F_TLS_CHANGE_CIPHER_SPEC = "tls.change_cipher_spec", None, Base::Dec, "Change Cipher Spec Message";
        F_TLS_ALERT_MESSAGE_LEVEL = "tls.alert_message.level", UInt, Base::Dec, "Level";
        F_TLS_ALERT_MESSAGE_DESC = "tls.alert_message.desc", UInt, Base::Dec, "Description";
        F_TLS_HANDSHAKE_TYPE = "tls.handshake.type", UInt, Base::Dec, "Handshake Message Type";
        F_TLS_HANDSHAKE_LENGTH = "tls.handshake.length", UInt, Base::Dec, "Length";
        F_TLS_HANDSHAKE_VERSION = "tls.handshake.version", UInt, Base::Hex(4), "Version";
        F_TLS_HANDSHAKE_RANDOM = "tls.handshake.random", Bytes, Base::Dec, "Random";
        F_TLS_HANDSHAKE_RANDOM_BYTES = "tls.handshake.random_bytes", Bytes, Base::Dec, "Random Bytes";
        F_TLS_HANDSHAKE_SESSION_ID_LENGTH = "tls.handshake.session_id_length", UInt, Base::Dec, "Session ID Length";
        F_TLS_HANDSHAKE_SESSION_ID = "tls.handshake.session_id", Bytes, Base::Dec, "Session ID";
        F_TLS_HANDSHAKE_CIPHER_SUITES_LENGTH = "tls.handshake.cipher_suites_length", UInt, Base::Dec, "Cipher Suites Length";
        F_TLS_HANDSHAKE_CIPHERSUITE = "tls.handshake.ciphersuite", UInt, Base::Hex(4), "Cipher Suite";
        F_TLS_HANDSHAKE_COMP_METHODS_LENGTH = "tls.handshake.comp_methods_length", UInt, Base::Dec, "Compression Methods Length";
        F_TLS_HANDSHAKE_COMP_METHOD = "tls.handshake.comp_method", UInt, Base::Dec, "Compression Method";
        F_TLS_HANDSHAKE_EXTENSIONS_LENGTH = "tls.handshake.extensions_length", UInt, Base::Dec, "Extensions Length";
        F_TLS_HANDSHAKE_EXTENSION_TYPE = "tls.handshake.extension.type", UInt, Base::Dec, "Type";
        F_TLS_HANDSHAKE_EXTENSION_LEN = "tls.handshake.extension.len", UInt, Base::Dec, "Length";
        F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME_LIST_LEN = "tls.handshake.extensions_server_name_list_len", UInt, Base::Dec, "Server Name list length";
        F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME_TYPE = "tls.handshake.extensions_server_name_type", UInt, Base::Dec, "Server Name Type";
        F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME_LEN = "tls.handshake.extensions_server_name_len", UInt, Base::Dec, "Server Name length";
        F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME = "tls.handshake.extensions_server_name", String, Base::Dec, "Server Name";
        F_TLS_HANDSHAKE_EXTENSIONS_ALPN_LEN = "tls.handshake.extensions_alpn_len", UInt, Base::Dec, "ALPN Extension Length";
        F_TLS_HANDSHAKE_EXTENSIONS_ALPN_STR_LEN = "tls.handshake.extensions_alpn_str_len", UInt, Base::Dec, "ALPN string length";
        F_TLS_HANDSHAKE_EXTENSIONS_ALPN_STR = "tls.handshake.extensions_alpn_str", String, Base::Dec, "ALPN Next Protocol";
        F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_VERSIONS_LEN = "tls.handshake.extensions.supported_versions_len", UInt, Base::Dec, "Supported Versions length";
        F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_VERSION = "tls.handshake.extensions.supported_version", UInt, Base::Hex(4), "Supported Version";
        F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_GROUPS_LENGTH = "tls.handshake.extensions_supported_groups_length", UInt, Base::Dec, "Supported Groups List Length";
        F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_GROUP = "tls.handshake.extensions_supported_group", UInt, Base::Hex(4), "Supported Group";
        F_TLS_HANDSHAKE_EXTENSIONS_EC_POINT_FORMATS_LENGTH = "tls.handshake.extensions_ec_point_formats_length", UInt, Base::Dec, "EC point formats Length";
        F_TLS_HANDSHAKE_EXTENSIONS_EC_POINT_FORMAT = "tls.handshake.extensions_ec_point_format", UInt, Base::Dec, "EC point format";
        F_TLS_HANDSHAKE_SIG_HASH_ALG_LEN = "tls.handshake.sig_hash_alg_len", UInt, Base::Dec, "Signature Hash Algorithms Length";
        F_TLS_HANDSHAKE_SIG_HASH_ALG = "tls.handshake.sig_hash_alg", UInt, Base::Hex(4), "Signature Algorithm";
        F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_CLIENT_LENGTH = "tls.handshake.extensions_key_share_client_length", UInt, Base::Dec, "Client Key Share Length";
        F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_GROUP = "tls.handshake.extensions_key_share_group", UInt, Base::Dec, "Group";
        F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_SELECTED_GROUP = "tls.handshake.extensions_key_share_selected_group", UInt, Base::Dec, "Selected Group";
        F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_KEY_EXCHANGE_LENGTH = "tls.handshake.extensions_key_share_key_exchange_length", UInt, Base::Dec, "Key Exchange Length";
        F_TLS_HANDSHAKE_EXTENSIONS_KEY_SHARE_KEY_EXCHANGE = "tls.handshake.extensions_key_share_key_exchange", Bytes, Base::Dec, "Key Exchange";
        F_TLS_HANDSHAKE_EXTENSIONS_RENEG_INFO_LEN = "tls.handshake.extensions_reneg_info_len", UInt, Base::Dec, "Renegotiation info extension length";
        F_TLS_HANDSHAKE_CERTIFICATES_LENGTH = "tls.handshake.certificates_length", UInt, Base::Dec, "Certificates Length";
        F_TLS_HANDSHAKE_CERTIFICATE_LENGTH = "tls.handshake.certificate_length", UInt, Base::Dec, "Certificate Length";
        F_TLS_HANDSHAKE_CERTIFICATE = "tls.handshake.certificate", Bytes, Base::Dec, "Certificate";
        F_TLS_HANDSHAKE_SESSION_TICKET_LIFETIME_HINT = "tls.handshake.session_ticket_lifetime_hint", UInt, Base::Dec, "Session Ticket Lifetime Hint";
        F_TLS_HANDSHAKE_SESSION_TICKET_LENGTH = "tls.handshake.session_ticket_length", UInt, Base::Dec, "Session Ticket Length";
        F_TLS_HANDSHAKE_SESSION_TICKET = "tls.handshake.session_ticket", Bytes, Base::Dec, "Session Ticket";
        F_TLS_APP_DATA = "tls.app_data", Bytes, Base::Dec, "Encrypted Application Data";
    }
}

/// tshark's record loop (`dissect_ssl`, `dissect_ssl3_record`) over a
/// segment cut short by the snapshot length: `b` holds the captured bytes
/// of `reported` on the wire. Sets the columns and, where tshark's read of
/// a byte past the captured ones ends the dissection, `d.malformed` (shown
/// as "[Packet size limited during capture]" by the pipeline).
///
/// The Protocol column starts as the session's version ("SSL" while it is
/// unknown). A record that ends past the reported length stops the loop
/// quietly; otherwise every record needs its header and the byte after it
/// captured (the version is then read and shown) and is dissected if all
/// of it was captured. A record cut short adds its Info text only when
/// tshark writes the column before reading the body (Change Cipher Spec);
/// an unknown content type in a TLS 1.0 to 1.2 session
/// is ignored only when all the rest was captured.
pub fn dissect_cut(
    b: &[u8],
    reported: usize,
    st: &mut StreamState,
    from_client: bool,
    d: &mut Dissection,
) {
    d.protocol = continuation_protocol(st);
    let mut infos: Vec<String> = Vec::new();
    let mut off = 0;
    let cut = loop {
        if off >= reported {
            break false;
        }
        let avail = reported - off;
        let rest = b.get(off..).unwrap_or_default();
        if avail < 5 {
            break false;
        }
        let known = matches!(st.version, Some(0x0300..=0x0303 | 0x0101));
        if known {
            let Some(&ct) = rest.first() else {
                break true;
            };
            if st.version != Some(0x0300) && !valid_content_type(ct) {
                if rest.len() < avail {
                    break true;
                }
                infos.push("Ignored Unknown Record".into());
                break false;
            }
        } else {
            // `ssl_looks_like_sslv2` reads the message type in the third
            // byte only when the first has its high bit set;
            // `ssl_looks_like_sslv3` reads the version only after a valid
            // content type. A first byte that is neither is Continuation
            // Data, however few bytes follow it.
            let Some(&first) = rest.first() else {
                break true;
            };
            let need = if first >= 0x80 || valid_content_type(first) {
                3
            } else {
                1
            };
            if rest.len() < need {
                break true;
            }
            if first >= 0x80 && matches!(rest[2], 0 | 1 | 2 | 4) {
                // An SSLv2 record: one that ends past the reported length
                // stops the loop quietly, one cut short ends it.
                match sslv2_step(rest) {
                    Step::Skip(Some(n), info) if n <= avail => {
                        d.protocol = "SSLv2".into();
                        infos.push(info.into());
                        off += n;
                        continue;
                    }
                    Step::Need(Some(more)) => {
                        // A record that fits the segment but was cut
                        // names its protocol, then tells a handshake from
                        // encrypted data by a few of its bytes and ends
                        // the loop quietly; one that runs past the segment
                        // is left whole.
                        if rest.len() + more > avail {
                            break false;
                        }
                        d.protocol = "SSLv2".into();
                        match sslv2_handshake_cut(rest, st.version.is_none()) {
                            Some(false) => {
                                d.push(&F_TLS_RECORD_VERSION, Value::UInt(2));
                                infos.push(SSLV2_INFO.into());
                                break false;
                            }
                            Some(true) => {
                                infos.push(
                                    match rest[2] {
                                        1 => "Client Hello",
                                        2 => "Client Master Key",
                                        _ => "Server Hello",
                                    }
                                    .into(),
                                );
                                break false;
                            }
                            None => break true,
                        }
                    }
                    _ => break false,
                }
            }
            let v = be16(rest, 1).unwrap_or(0);
            if !(valid_content_type(first) && matches!(v, 0x0300..=0x0303 | 0x0101)) {
                infos.push("Continuation Data".into());
                break false;
            }
        }
        if rest.len() < 5 {
            break true;
        }
        let n = 5 + usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        if !valid_content_type(rest[0]) {
            infos.push("Continuation Data".into());
            off += n;
            continue;
        }
        if avail < n {
            break false;
        }
        // While the version is unknown the byte after the header (a
        // handshake's type) is read to learn it; once known, a record
        // header alone shows its fields.
        if rest.len() < 6 && st.version.is_none() {
            break true;
        }
        let rv = u16::from_be_bytes([rest[1], rest[2]]);
        if st.version.is_none() {
            note_record(rest, st);
            d.protocol = version_name(rv).into();
        }
        let Some(rec) = rest.get(..n) else {
            let tls13 = st.version == Some(0x0304);
            if tls13 && rest[0] == 23 {
                d.push(&F_TLS_RECORD_OPAQUE_TYPE, Value::UInt(rest[0].into()));
            } else {
                d.push(&F_TLS_RECORD_CONTENT_TYPE, Value::UInt(rest[0].into()));
            }
            d.push(&F_TLS_RECORD_VERSION, Value::UInt(rv.into()));
            d.push(&F_TLS_RECORD_LENGTH, Value::UInt((n - 5) as u64));
            if rest[0] == 20 {
                infos.push("Change Cipher Spec".into());
            }
            // A clear-text Hello cut short: its type was read
            // (and named) before the cut.
            let di = usize::from(!from_client);
            let clear = if tls13 {
                matches!(rest.get(5), Some(1 | 2))
            } else {
                !st.ccs[di]
            };
            // (Not a first Client Hello, while the version is unknown.)
            // Seen in TLS 1.3 sessions (after a HelloRetryRequest), once
            // the version and random were captured.
            let named = clear
                && matches!(rest.get(5), Some(1 | 2))
                && rest.len() >= 5 + 4 + 2 + 32
                && st.hs[di].is_empty()
                && tls13;
            if rest[0] == 22 && named {
                d.push(&F_TLS_HANDSHAKE_TYPE, Value::UInt(rest[5].into()));
                if let Some(len) = be24(rest, 6) {
                    d.push(&F_TLS_HANDSHAKE_LENGTH, Value::UInt(len.into()));
                }
                // Then the Hello's fields, as far as they were captured
                // (a Server Hello cut short does not change the session's
                // version: its extensions may be missing).
                if let Some(m) = rest.get(9..) {
                    let version = st.version;
                    let _ = hello(rest[5] == 2, m, st, d);
                    st.version = version;
                }
                let hrr = rest[5] == 2 && rest.get(9..).is_some_and(is_hrr);
                infos.push(
                    if hrr {
                        "Hello Retry Request"
                    } else {
                        handshake_name(rest[5])
                    }
                    .into(),
                );
            }
            break true;
        };
        let mut sub = d.part();
        dissect(rec, st, from_client, &mut sub);
        d.fields.append(&mut sub.fields);
        d.protocol = sub.protocol;
        if !sub.info.is_empty() {
            infos.push(sub.info);
        }
        off += n;
    };
    d.info = infos.join(", ");
    d.malformed |= cut;
}
