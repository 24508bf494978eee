//! NetBIOS over TCP/IP on UDP (RFC 1001, 1002): the Name Service on port
//! 137 (`nbns`) and the Datagram Service on port 138 (`nbdgm`), whose
//! direct and broadcast datagrams carry SMB (see [`super::smb`]).
//!
//! Names read as tshark shows them: the first-level encoding undone,
//! unprintable bytes as `<XX>`, trailing spaces dropped and the 16th byte
//! as a `<XX>` suffix (`WORKGROUP<1e>`, `<01><02>__MSBROWSE__<02><01>`),
//! with tshark's texts for names that are not valid.

use super::dns::read_name;
use super::protocol::{Protocol, Udp};
use super::util::{be16, be32, ipv4};
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;

/// The NetBIOS name service on UDP port 137, the datagram service on 138.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "nbns",
    fields: FIELDS,
    udp: Some(Udp {
        ports: &[137, 138],
        dissect: |call, p, d| match call.port {
            137 => nbns(p, d),
            _ => nbdgm(p, d),
        },
        heuristic: None,
    }),
    ..Protocol::NONE
};

/// Length of a NetBIOS name, suffix included.
const NAME_LEN: usize = 16;
/// NBNS header length.
const HEADER: usize = 12;
/// Resource record types.
const T_NB: u16 = 32;
const T_NBSTAT: u16 = 33;
/// The "wait for acknowledgement" opcode, whose records hold flags.
const OPCODE_WACK: u16 = 7;
const F_RESPONSE: u16 = 0x8000;

fn opcode_name(op: u16) -> Option<&'static str> {
    Some(match op {
        0 => "Name query",
        5 => "Registration",
        6 => "Release",
        7 => "Wait for acknowledgment",
        8 => "Refresh",
        9 => "Refresh (alternate opcode)",
        15 => "Multi-homed registration",
        _ => return None,
    })
}

fn rcode_name(r: u16) -> &'static str {
    match r {
        1 => "Request was invalidly formatted",
        2 => "Server failure",
        3 => "Requested name does not exist",
        4 => "Request is not implemented",
        5 => "Request was refused",
        6 => "Name is owned by another node",
        7 => "Name is in conflict",
        _ => "Unknown error",
    }
}

fn type_name(t: u16) -> &'static str {
    match t {
        T_NB => "NB",
        T_NBSTAT => "NBSTAT",
        _ => "Unknown",
    }
}

/// The service a name suffix stands for (`None`: an invalid name).
fn suffix_descr(suffix: Option<u8>) -> &'static str {
    match suffix {
        Some(0x00 | 0x02) => "Workstation/Redirector",
        Some(0x01) => "Browser",
        Some(0x03) => "Messenger service/Main name",
        Some(0x05) => "Forwarded name",
        Some(0x06) => "RAS Server service",
        Some(0x1b) => "Domain Master Browser",
        Some(0x1c) => "Domain Controllers",
        Some(0x1d) => "Local Master Browser",
        Some(0x1e) => "Browser Election Service",
        Some(0x1f) => "Net DDE Service",
        Some(0x20) => "Server service",
        Some(0x21) => "RAS client service",
        Some(0x22) => "Exchange Interchange (MSMail Connector)",
        Some(0x23) => "Exchange Store",
        Some(0x24) => "Exchange Directory",
        Some(0x2b) => "Lotus Notes Server service",
        Some(0x30) => "Modem sharing server service",
        Some(0x31) => "Modem sharing client service",
        Some(0x43) => "SMS Clients Remote Control",
        Some(0x44) => "SMS Administrators Remote Control Tool",
        Some(0x45) => "SMS Clients Remote Chat",
        Some(0x46) => "SMS Clients Remote Transfer",
        Some(0x4c | 0x52) => "DEC Pathworks TCP/IP Service on Windows NT",
        Some(0x6a) => "Microsoft Exchange IMC",
        Some(0x87) => "Microsoft Exchange MTA",
        Some(0xbe) => "Network Monitor Agent",
        Some(0xbf) => "Network Monitor Analyzer",
        _ => "Unknown",
    }
}

/// The first 15 bytes of a raw NetBIOS name as text, and its suffix byte.
/// Like tshark, at most `limit - 1` characters are written (an `<XX>`
/// escape may be cut), and only trailing spaces among the last 15
/// characters are dropped.
fn raw_name(b: &[u8; NAME_LEN], limit: usize) -> (String, u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(NAME_LEN * 4);
    let mut room = limit;
    let mut put = |c: u8| {
        room = room.saturating_sub(1);
        if room > 0 {
            out.push(c);
        }
    };
    for &c in &b[..NAME_LEN - 1] {
        if (b' '..=b'~').contains(&c) {
            put(c);
        } else {
            for x in [
                b'<',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 15)],
                b'>',
            ] {
                put(x);
            }
        }
    }
    let keep = (1..NAME_LEN)
        .map(|i| out.len().checked_sub(i))
        .find(|j| j.is_none_or(|j| out[j] != b' '))
        .map(|j| j.map_or(0, |j| j + 1));
    if let Some(k) = keep {
        out.truncate(k);
    }
    (out.into_iter().map(char::from).collect(), b[NAME_LEN - 1])
}

/// Undo the first-level encoding of a name read as a DNS name: the
/// decoded name with its suffix (and scope, if any), and the suffix byte;
/// tshark's error text and no suffix when the name is not valid.
fn decode(dns: &str) -> (String, Option<u8>) {
    let b = dns.as_bytes();
    let mut raw = [0u8; NAME_LEN];
    let mut len = 0;
    let mut scope = "";
    let mut i = 0;
    while let Some(&hi) = b.get(i) {
        if hi == b'.' {
            scope = dns.get(i..).unwrap_or("");
            break;
        }
        if !hi.is_ascii_uppercase() {
            return (
                "Illegal NetBIOS name (1st character not between A and Z in first-level encoding)"
                    .into(),
                None,
            );
        }
        let lo = match b.get(i + 1) {
            None | Some(b'.') => {
                return ("Illegal NetBIOS name (odd number of bytes)".into(), None)
            }
            Some(c) if !c.is_ascii_uppercase() => return (
                "Illegal NetBIOS name (2nd character not between A and Z in first-level encoding)"
                    .into(),
                None,
            ),
            Some(&c) => c,
        };
        // Letters past 'P' overflow the nibble, as in tshark.
        if len < NAME_LEN {
            raw[len] = ((hi - b'A') << 4) | (lo - b'A');
            len += 1;
        }
        i += 2;
    }
    if len != NAME_LEN {
        return (format!("Illegal NetBIOS name ({len} bytes long)"), None);
    }
    let (mut name, suffix) = raw_name(&raw, usize::MAX);
    name.push_str(&format!("<{suffix:02x}>"));
    name.push_str(scope);
    (name, Some(suffix))
}

/// A decoded name at `off` of `msg` (compression pointers are relative to
/// `msg`), its suffix, and the offset after it.
fn name_at(msg: &[u8], off: usize) -> Option<(String, Option<u8>, usize)> {
    let (dns, end) = read_name(msg, off)?;
    let (name, suffix) = decode(&dns);
    Some((name, suffix, end))
}

/// Dissect a NetBIOS Name Service message.
pub fn nbns(p: &[u8], d: &mut Dissection) -> bool {
    d.protocol = "NBNS".into();
    d.info.clear();
    d.push(&P_NBNS, d.bytes(&P_NBNS, p));
    if nbns_message(p, d).is_none() {
        d.malformed = true;
    }
    true
}

fn nbns_message(p: &[u8], d: &mut Dissection) -> Option<()> {
    let id = be16(p, 0)?;
    let flags = be16(p, 2)?;
    let opcode = (flags >> 11) & 0xf;
    let response = flags & F_RESPONSE != 0;
    d.info = match opcode_name(opcode) {
        Some(name) => name.to_string(),
        None => format!("Unknown operation ({opcode})"),
    };
    if response {
        d.info.push_str(" response");
    }
    d.push(&F_NBNS_ID, Value::UInt(id.into()));
    if response && flags & 0xf != 0 {
        d.info.push_str(", ");
        d.info.push_str(rcode_name(flags & 0xf));
    }
    push_flags(d, flags, false);
    let mut counts = [0u16; 4];
    for (i, (n, def)) in counts.iter_mut().zip(COUNTS).enumerate() {
        *n = be16(p, 4 + 2 * i)?;
        d.push(def, Value::UInt((*n).into()));
    }
    let mut off = HEADER;
    for _ in 0..counts[0] {
        off = query(p, off, !response, d)?;
    }
    for (i, &n) in counts[1..].iter().enumerate() {
        // Only the answers of a response go to the Info column.
        let info = i == 0 && response;
        for _ in 0..n {
            off = record(p, off, info, opcode, d)?;
        }
    }
    Some(())
}

/// The header's flags, or those of a WACK record (whose response flags
/// have no reply code).
fn push_flags(d: &mut Dissection, flags: u16, wack: bool) {
    let response = flags & F_RESPONSE != 0;
    let bit = |m: u16| Value::Bool(flags & m != 0);
    d.push(&F_NBNS_FLAGS, Value::UInt(flags.into()));
    d.push(&F_NBNS_FLAGS_RESPONSE, bit(F_RESPONSE));
    d.push(
        &F_NBNS_FLAGS_OPCODE,
        Value::UInt(((flags >> 11) & 0xf).into()),
    );
    if response {
        d.push(&F_NBNS_FLAGS_AUTHORITATIVE, bit(0x400));
    }
    d.push(&F_NBNS_FLAGS_TRUNCATED, bit(0x200));
    d.push(&F_NBNS_FLAGS_RECDESIRED, bit(0x100));
    if response {
        d.push(&F_NBNS_FLAGS_RECAVAIL, bit(0x80));
    }
    d.push(&F_NBNS_FLAGS_BROADCAST, bit(0x10));
    if response && !wack {
        d.push(&F_NBNS_FLAGS_RCODE, Value::UInt((flags & 0xf).into()));
    }
}

/// One question; returns the offset after it.
fn query(p: &[u8], off: usize, info: bool, d: &mut Dissection) -> Option<usize> {
    let (name, _, end) = name_at(p, off)?;
    let (ty, class) = (be16(p, end)?, be16(p, end + 2)?);
    if info {
        d.info.push_str(&format!(" {} {name}", type_name(ty)));
    }
    d.push(&F_NBNS_NAME, Value::Str(name));
    d.push(&F_NBNS_TYPE, Value::UInt(ty.into()));
    d.push(&F_NBNS_CLASS, Value::UInt(class.into()));
    Some(end + 4)
}

/// The statistics after the names of a node status record, in order,
/// with their sizes.
const NBSTAT_STATS: &[(&FieldDef, usize)] = &[
    (&F_NBNS_UNIT_ID, 6),
    (&F_NBNS_JUMPERS, 1),
    (&F_NBNS_TEST_RESULT, 1),
    (&F_NBNS_VERSION_NUMBER, 2),
    (&F_NBNS_PERIOD_OF_STATISTICS, 2),
    (&F_NBNS_NUM_CRCS, 2),
    (&F_NBNS_NUM_ALIGNMENT_ERRORS, 2),
    (&F_NBNS_NUM_COLLISIONS, 2),
    (&F_NBNS_NUM_SEND_ABORTS, 2),
    (&F_NBNS_NUM_GOOD_SENDS, 4),
    (&F_NBNS_NUM_GOOD_RECEIVES, 4),
    (&F_NBNS_NUMRETRANSMITS, 2),
    (&F_NBNS_NUM_NO_RESOURCE_CONDITIONS, 2),
    (&F_NBNS_NUMCOMMAND_BLOCKS, 2),
    (&F_NBNS_NUMPENDING_SESSIONS, 2),
    (&F_NBNS_MAX_NUM_PENDING_SESSIONS, 2),
    (&F_NBNS_MAX_TOTAL_SESSIONS_POSSIBLE, 2),
    (&F_NBNS_SESSION_DATA_PACKET_SIZE, 2),
];

/// One resource record; returns the offset where tshark takes the next
/// one to start (after the data it read, which need not be all of it).
fn record(p: &[u8], off: usize, info: bool, opcode: u16, d: &mut Dissection) -> Option<usize> {
    let (name, suffix, end) = name_at(p, off)?;
    let (ty, class) = (be16(p, end)?, be16(p, end + 2)?);
    let (ttl, data_len) = (be32(p, end + 4)?, be16(p, end + 8)?);
    let mut cur = end + 10;
    let mut left = usize::from(data_len);
    let push_rr = |d: &mut Dissection, name: String| {
        d.push(&F_NBNS_NAME, Value::Str(name));
        d.push(&F_NBNS_TYPE, Value::UInt(ty.into()));
        d.push(&F_NBNS_CLASS, Value::UInt(class.into()));
        d.push(&F_NBNS_TTL, Value::UInt(ttl.into()));
        d.push(&F_NBNS_DATA_LENGTH, Value::UInt(data_len.into()));
    };
    match ty {
        T_NB => {
            push_rr(d, format!("{name} ({})", suffix_descr(suffix)));
            if info && opcode != OPCODE_WACK {
                d.info.push_str(&format!(" NB {}", ipv4(p, cur + 2)?));
            }
            while left >= 2 {
                let flags = be16(p, cur)?;
                cur += 2;
                left -= 2;
                if opcode == OPCODE_WACK {
                    push_flags(d, flags, true);
                    continue;
                }
                d.push(&F_NBNS_NB_FLAGS, Value::UInt(flags.into()));
                d.push(&F_NBNS_NB_FLAGS_GROUP, Value::Bool(flags & 0x8000 != 0));
                d.push(
                    &F_NBNS_NB_FLAGS_ONT,
                    Value::UInt(((flags >> 13) & 3).into()),
                );
                if left < 4 {
                    break;
                }
                d.push(&F_NBNS_ADDR, Value::Ipv4(ipv4(p, cur)?));
                cur += 4;
                left -= 4;
            }
        }
        T_NBSTAT => {
            if info {
                d.info.push_str(" NBSTAT");
            }
            push_rr(d, name);
            if left < 1 {
                return Some(cur);
            }
            let count = *p.get(cur)?;
            d.push(&F_NBNS_NUMBER_OF_NAMES, Value::UInt(count.into()));
            // (tshark does not count this byte against the data length)
            cur += 1;
            for _ in 0..count {
                if left < NAME_LEN {
                    return Some(cur);
                }
                let raw: &[u8; NAME_LEN] = p.get(cur..cur + NAME_LEN)?.try_into().ok()?;
                // tshark sizes the text by the length of the record's name.
                let (text, _) = raw_name(raw, end - off);
                d.push(&F_NBNS_NETBIOS_NAME, Value::Str(text));
                cur += NAME_LEN;
                left -= NAME_LEN;
                if left < 2 {
                    return Some(cur);
                }
                push_name_flags(d, be16(p, cur)?);
                cur += 2;
                left -= 2;
            }
            for &(def, n) in NBSTAT_STATS {
                if left < n {
                    break;
                }
                let value = match n {
                    6 => Value::Ether(p.get(cur..cur + 6)?.try_into().ok()?),
                    1 => Value::UInt((*p.get(cur)?).into()),
                    2 => Value::UInt(be16(p, cur)?.into()),
                    _ => Value::UInt(be32(p, cur)?.into()),
                };
                d.push(def, value);
                cur += n;
                left -= n;
            }
        }
        _ => {
            if info {
                d.info.push_str(" Unknown");
            }
            push_rr(d, name);
            let data = p.get(cur..cur + left)?;
            d.push(&F_NBNS_DATA, d.bytes(&F_NBNS_DATA, data));
            cur += left;
        }
    }
    Some(cur)
}

/// The flags of a name in a node status record.
fn push_name_flags(d: &mut Dissection, flags: u16) {
    let bit = |m: u16| Value::Bool(flags & m != 0);
    d.push(&F_NBNS_NAME_FLAGS, Value::UInt(flags.into()));
    d.push(&F_NBNS_NAME_FLAGS_GROUP, bit(0x8000));
    d.push(
        &F_NBNS_NAME_FLAGS_ONT,
        Value::UInt(((flags >> 13) & 3).into()),
    );
    d.push(&F_NBNS_NAME_FLAGS_DRG, bit(0x1000));
    d.push(&F_NBNS_NAME_FLAGS_CNF, bit(0x800));
    d.push(&F_NBNS_NAME_FLAGS_ACT, bit(0x400));
    d.push(&F_NBNS_NAME_FLAGS_PRM, bit(0x200));
}

fn datagram_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        0x10 => "Direct_unique datagram",
        0x11 => "Direct_group datagram",
        0x12 => "Broadcast datagram",
        0x13 => "Datagram error",
        0x14 => "Datagram query request",
        0x15 => "Datagram positive query response",
        0x16 => "Datagram negative query response",
        _ => return None,
    })
}

/// Dissect a NetBIOS Datagram Service message, and the SMB message (or
/// data) a datagram carries.
pub fn nbdgm(p: &[u8], d: &mut Dissection) -> bool {
    d.protocol = "NBDS".into();
    d.info.clear();
    d.push(&P_NBDGM, d.bytes(&P_NBDGM, p));
    match nbdgm_header(p, d) {
        None => d.malformed = true,
        Some((end, carries)) => {
            let rest = p.get(end..).unwrap_or_default();
            if carries && !super::smb::dissect(rest, d) {
                crate::dissect::data::push(d, rest);
            }
        }
    }
    true
}

/// The datagram header: its length, and whether a payload follows.
fn nbdgm_header(p: &[u8], d: &mut Dissection) -> Option<(usize, bool)> {
    let ty = *p.first()?;
    d.push(&F_NBDGM_TYPE, Value::UInt(ty.into()));
    d.info = match datagram_type_name(ty) {
        Some(name) => name.to_string(),
        None => format!("Unknown message type (0x{ty:02X})"),
    };
    let flags = *p.get(1)?;
    d.push(&F_NBDGM_FLAGS, Value::UInt(flags.into()));
    d.push(&F_NBDGM_NEXT, Value::Bool(flags & 1 != 0));
    d.push(&F_NBDGM_FIRST, Value::Bool(flags & 2 != 0));
    d.push(&F_NBDGM_NODE_TYPE, Value::UInt(((flags >> 2) & 3).into()));
    d.push(&F_NBDGM_DGRAM_ID, Value::UInt(be16(p, 2)?.into()));
    d.push(&F_NBDGM_SRC_IP, Value::Ipv4(ipv4(p, 4)?));
    d.push(&F_NBDGM_SRC_PORT, Value::UInt(be16(p, 8)?.into()));
    let mut off = 10;
    match ty {
        0x10..=0x12 => {
            d.push(&F_NBDGM_DGRAM_LEN, Value::UInt(be16(p, off)?.into()));
            d.push(&F_NBDGM_PKT_OFFSET, Value::UInt(be16(p, off + 2)?.into()));
            off += 4;
            for def in [&F_NBDGM_SOURCE_NAME, &F_NBDGM_DESTINATION_NAME] {
                off = datagram_name(p, off, def, d)?;
            }
            Some((off, true))
        }
        0x13 => {
            d.push(&F_NBDGM_ERROR_CODE, Value::UInt((*p.get(off)?).into()));
            Some((off + 1, false))
        }
        0x14..=0x16 => Some((datagram_name(p, off, &F_NBDGM_DESTINATION_NAME, d)?, false)),
        _ => Some((off, false)),
    }
}

/// A name in a datagram header (compression pointers count from the
/// name's own start, as in tshark); returns the offset after it.
fn datagram_name(
    p: &[u8],
    off: usize,
    def: &'static FieldDef,
    d: &mut Dissection,
) -> Option<usize> {
    let (name, _, len) = name_at(p.get(off..)?, 0)?;
    d.push(def, Value::Str(name));
    Some(off + len)
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::{Base, FieldDef};

    fields! {
        P_NBNS = "nbns", Protocol, Base::Dec, "NetBIOS Name Service";
        F_NBNS_ID = "nbns.id", UInt, Base::Hex(4), "Transaction ID";
        F_NBNS_FLAGS = "nbns.flags", UInt, Base::Hex(4), "Flags";
        F_NBNS_FLAGS_RESPONSE = "nbns.flags.response", Bool, Base::Dec, "Response";
        F_NBNS_FLAGS_OPCODE = "nbns.flags.opcode", UInt, Base::Dec, "Opcode";
        F_NBNS_FLAGS_AUTHORITATIVE = "nbns.flags.authoritative", Bool, Base::Dec, "Authoritative";
        F_NBNS_FLAGS_TRUNCATED = "nbns.flags.truncated", Bool, Base::Dec, "Truncated";
        F_NBNS_FLAGS_RECDESIRED = "nbns.flags.recdesired", Bool, Base::Dec, "Recursion desired";
        F_NBNS_FLAGS_RECAVAIL = "nbns.flags.recavail", Bool, Base::Dec, "Recursion available";
        F_NBNS_FLAGS_BROADCAST = "nbns.flags.broadcast", Bool, Base::Dec, "Broadcast";
        F_NBNS_FLAGS_RCODE = "nbns.flags.rcode", UInt, Base::Dec, "Reply code";
        F_NBNS_COUNT_QUERIES = "nbns.count.queries", UInt, Base::Dec, "Questions";
        F_NBNS_COUNT_ANSWERS = "nbns.count.answers", UInt, Base::Dec, "Answer RRs";
        F_NBNS_COUNT_AUTH_RR = "nbns.count.auth_rr", UInt, Base::Dec, "Authority RRs";
        F_NBNS_COUNT_ADD_RR = "nbns.count.add_rr", UInt, Base::Dec, "Additional RRs";
        F_NBNS_NAME = "nbns.name", String, Base::Dec, "Name";
        F_NBNS_TYPE = "nbns.type", UInt, Base::Dec, "Type";
        F_NBNS_CLASS = "nbns.class", UInt, Base::Dec, "Class";
        F_NBNS_TTL = "nbns.ttl", UInt, Base::Dec, "Time to live";
        F_NBNS_DATA_LENGTH = "nbns.data_length", UInt, Base::Dec, "Data length";
        F_NBNS_NB_FLAGS = "nbns.nb_flags", UInt, Base::Hex(4), "Name flags";
        F_NBNS_NB_FLAGS_GROUP = "nbns.nb_flags.group", Bool, Base::Dec, "Name type";
        F_NBNS_NB_FLAGS_ONT = "nbns.nb_flags.ont", UInt, Base::Dec, "ONT";
        F_NBNS_ADDR = "nbns.addr", Ipv4, Base::Dec, "Addr";
        F_NBNS_NUMBER_OF_NAMES = "nbns.number_of_names", UInt, Base::Dec, "Number of names";
        F_NBNS_NETBIOS_NAME = "nbns.netbios_name", String, Base::Dec, "Name";
        F_NBNS_NAME_FLAGS = "nbns.name_flags", UInt, Base::Hex(4), "Name flags";
        F_NBNS_NAME_FLAGS_GROUP = "nbns.name_flags.group", Bool, Base::Dec, "Name type";
        F_NBNS_NAME_FLAGS_ONT = "nbns.name_flags.ont", UInt, Base::Dec, "ONT";
        F_NBNS_NAME_FLAGS_DRG = "nbns.name_flags.drg", Bool, Base::Dec, "Name is being deregistered";
        F_NBNS_NAME_FLAGS_CNF = "nbns.name_flags.cnf", Bool, Base::Dec, "Name is in conflict";
        F_NBNS_NAME_FLAGS_ACT = "nbns.name_flags.act", Bool, Base::Dec, "Name is active";
        F_NBNS_NAME_FLAGS_PRM = "nbns.name_flags.prm", Bool, Base::Dec, "Permanent node name";
        F_NBNS_UNIT_ID = "nbns.unit_id", Ether, Base::Dec, "Unit ID";
        F_NBNS_JUMPERS = "nbns.jumpers", UInt, Base::Hex(2), "Jumpers";
        F_NBNS_TEST_RESULT = "nbns.test_result", UInt, Base::Hex(2), "Test result";
        F_NBNS_VERSION_NUMBER = "nbns.version_number", UInt, Base::Hex(4), "Version number";
        F_NBNS_PERIOD_OF_STATISTICS = "nbns.period_of_statistics", UInt, Base::Hex(4), "Period of statistics";
        F_NBNS_NUM_CRCS = "nbns.num_crcs", UInt, Base::Dec, "Number of CRCs";
        F_NBNS_NUM_ALIGNMENT_ERRORS = "nbns.num_alignment_errors", UInt, Base::Dec, "Number of alignment errors";
        F_NBNS_NUM_COLLISIONS = "nbns.num_collisions", UInt, Base::Dec, "Number of collisions";
        F_NBNS_NUM_SEND_ABORTS = "nbns.num_send_aborts", UInt, Base::Dec, "Number of send aborts";
        F_NBNS_NUM_GOOD_SENDS = "nbns.num_good_sends", UInt, Base::Dec, "Number of good sends";
        F_NBNS_NUM_GOOD_RECEIVES = "nbns.num_good_receives", UInt, Base::Dec, "Number of good receives";
        F_NBNS_NUMRETRANSMITS = "nbns.numretransmits", UInt, Base::Dec, "Number of retransmits";
        F_NBNS_NUM_NO_RESOURCE_CONDITIONS = "nbns.num_no_resource_conditions", UInt, Base::Dec, "Number of no resource conditions";
        F_NBNS_NUMCOMMAND_BLOCKS = "nbns.numcommand_blocks", UInt, Base::Dec, "Number of command blocks";
        F_NBNS_NUMPENDING_SESSIONS = "nbns.numpending_sessions", UInt, Base::Dec, "Number of pending sessions";
        F_NBNS_MAX_NUM_PENDING_SESSIONS = "nbns.max_num_pending_sessions", UInt, Base::Dec, "Max number of pending sessions";
        F_NBNS_MAX_TOTAL_SESSIONS_POSSIBLE = "nbns.max_total_sessions_possible", UInt, Base::Dec, "Max total sessions possible";
        F_NBNS_SESSION_DATA_PACKET_SIZE = "nbns.session_data_packet_size", UInt, Base::Dec, "Session data packet size";
        F_NBNS_DATA = "nbns.data", Bytes, Base::Dec, "Data";
        P_NBDGM = "nbdgm", Protocol, Base::Dec, "NetBIOS Datagram Service";
        F_NBDGM_TYPE = "nbdgm.type", UInt, Base::Dec, "Message Type";
        F_NBDGM_FLAGS = "nbdgm.flags", UInt, Base::Hex(2), "Flags";
        F_NBDGM_NEXT = "nbdgm.next", Bool, Base::Dec, "More fragments follow";
        F_NBDGM_FIRST = "nbdgm.first", Bool, Base::Dec, "This is first fragment";
        F_NBDGM_NODE_TYPE = "nbdgm.node_type", UInt, Base::Dec, "Node Type";
        F_NBDGM_DGRAM_ID = "nbdgm.dgram_id", UInt, Base::Hex(4), "Datagram ID";
        F_NBDGM_SRC_IP = "nbdgm.src.ip", Ipv4, Base::Dec, "Source IP";
        F_NBDGM_SRC_PORT = "nbdgm.src.port", UInt, Base::Dec, "Source Port";
        F_NBDGM_DGRAM_LEN = "nbdgm.dgram_len", UInt, Base::Dec, "Datagram length";
        F_NBDGM_PKT_OFFSET = "nbdgm.pkt_offset", UInt, Base::Dec, "Packet offset";
        F_NBDGM_ERROR_CODE = "nbdgm.error_code", UInt, Base::Hex(2), "Error code";
        F_NBDGM_SOURCE_NAME = "nbdgm.source_name", String, Base::Dec, "Source name";
        F_NBDGM_DESTINATION_NAME = "nbdgm.destination_name", String, Base::Dec, "Destination name";
    }

    /// The four record counts of the header, in order.
    pub static COUNTS: [&FieldDef; 4] = [&F_NBNS_COUNT_QUERIES, &F_NBNS_COUNT_ANSWERS, &F_NBNS_COUNT_AUTH_RR, &F_NBNS_COUNT_ADD_RR];
}
