//! NetBIOS over TCP/IP on UDP (RFC 1001, 1002): the Name Service on port
//! 137 (`nbns`) and the Datagram Service on port 138 (`nbdgm`), whose
//! direct and broadcast datagrams carry SMB (see [`super::smb`]).
//!
//! Names read as tshark shows them: the first-level encoding undone,
//! unprintable bytes as `<XX>`, trailing spaces dropped and the 16th byte
//! as a `<XX>` suffix (`WORKGROUP<1e>`, `<01><02>__MSBROWSE__<02><01>`),
//! with tshark's texts for names that are not valid.

use super::dns::read_name;
use super::util::{be16, be32, ipv4};
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;

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

    use crate::dissect::field::{Base, FieldDef, FieldType};

    pub static P_NBNS: FieldDef = FieldDef::new("nbns", FieldType::Protocol, Base::Dec, "NetBIOS Name Service");
    pub static F_NBNS_ID: FieldDef = FieldDef::new("nbns.id", FieldType::UInt, Base::Hex(4), "Transaction ID");
    pub static F_NBNS_FLAGS: FieldDef = FieldDef::new("nbns.flags", FieldType::UInt, Base::Hex(4), "Flags");
    pub static F_NBNS_FLAGS_RESPONSE: FieldDef = FieldDef::new("nbns.flags.response", FieldType::Bool, Base::Dec, "Response");
    pub static F_NBNS_FLAGS_OPCODE: FieldDef = FieldDef::new("nbns.flags.opcode", FieldType::UInt, Base::Dec, "Opcode");
    pub static F_NBNS_FLAGS_AUTHORITATIVE: FieldDef = FieldDef::new("nbns.flags.authoritative", FieldType::Bool, Base::Dec, "Authoritative");
    pub static F_NBNS_FLAGS_TRUNCATED: FieldDef = FieldDef::new("nbns.flags.truncated", FieldType::Bool, Base::Dec, "Truncated");
    pub static F_NBNS_FLAGS_RECDESIRED: FieldDef = FieldDef::new("nbns.flags.recdesired", FieldType::Bool, Base::Dec, "Recursion desired");
    pub static F_NBNS_FLAGS_RECAVAIL: FieldDef = FieldDef::new("nbns.flags.recavail", FieldType::Bool, Base::Dec, "Recursion available");
    pub static F_NBNS_FLAGS_BROADCAST: FieldDef = FieldDef::new("nbns.flags.broadcast", FieldType::Bool, Base::Dec, "Broadcast");
    pub static F_NBNS_FLAGS_RCODE: FieldDef = FieldDef::new("nbns.flags.rcode", FieldType::UInt, Base::Dec, "Reply code");
    pub static F_NBNS_COUNT_QUERIES: FieldDef = FieldDef::new("nbns.count.queries", FieldType::UInt, Base::Dec, "Questions");
    pub static F_NBNS_COUNT_ANSWERS: FieldDef = FieldDef::new("nbns.count.answers", FieldType::UInt, Base::Dec, "Answer RRs");
    pub static F_NBNS_COUNT_AUTH_RR: FieldDef = FieldDef::new("nbns.count.auth_rr", FieldType::UInt, Base::Dec, "Authority RRs");
    pub static F_NBNS_COUNT_ADD_RR: FieldDef = FieldDef::new("nbns.count.add_rr", FieldType::UInt, Base::Dec, "Additional RRs");
    pub static F_NBNS_NAME: FieldDef = FieldDef::new("nbns.name", FieldType::String, Base::Dec, "Name");
    pub static F_NBNS_TYPE: FieldDef = FieldDef::new("nbns.type", FieldType::UInt, Base::Dec, "Type");
    pub static F_NBNS_CLASS: FieldDef = FieldDef::new("nbns.class", FieldType::UInt, Base::Dec, "Class");
    pub static F_NBNS_TTL: FieldDef = FieldDef::new("nbns.ttl", FieldType::UInt, Base::Dec, "Time to live");
    pub static F_NBNS_DATA_LENGTH: FieldDef = FieldDef::new("nbns.data_length", FieldType::UInt, Base::Dec, "Data length");
    pub static F_NBNS_NB_FLAGS: FieldDef = FieldDef::new("nbns.nb_flags", FieldType::UInt, Base::Hex(4), "Name flags");
    pub static F_NBNS_NB_FLAGS_GROUP: FieldDef = FieldDef::new("nbns.nb_flags.group", FieldType::Bool, Base::Dec, "Name type");
    pub static F_NBNS_NB_FLAGS_ONT: FieldDef = FieldDef::new("nbns.nb_flags.ont", FieldType::UInt, Base::Dec, "ONT");
    pub static F_NBNS_ADDR: FieldDef = FieldDef::new("nbns.addr", FieldType::Ipv4, Base::Dec, "Addr");
    pub static F_NBNS_NUMBER_OF_NAMES: FieldDef = FieldDef::new("nbns.number_of_names", FieldType::UInt, Base::Dec, "Number of names");
    pub static F_NBNS_NETBIOS_NAME: FieldDef = FieldDef::new("nbns.netbios_name", FieldType::String, Base::Dec, "Name");
    pub static F_NBNS_NAME_FLAGS: FieldDef = FieldDef::new("nbns.name_flags", FieldType::UInt, Base::Hex(4), "Name flags");
    pub static F_NBNS_NAME_FLAGS_GROUP: FieldDef = FieldDef::new("nbns.name_flags.group", FieldType::Bool, Base::Dec, "Name type");
    pub static F_NBNS_NAME_FLAGS_ONT: FieldDef = FieldDef::new("nbns.name_flags.ont", FieldType::UInt, Base::Dec, "ONT");
    pub static F_NBNS_NAME_FLAGS_DRG: FieldDef = FieldDef::new("nbns.name_flags.drg", FieldType::Bool, Base::Dec, "Name is being deregistered");
    pub static F_NBNS_NAME_FLAGS_CNF: FieldDef = FieldDef::new("nbns.name_flags.cnf", FieldType::Bool, Base::Dec, "Name is in conflict");
    pub static F_NBNS_NAME_FLAGS_ACT: FieldDef = FieldDef::new("nbns.name_flags.act", FieldType::Bool, Base::Dec, "Name is active");
    pub static F_NBNS_NAME_FLAGS_PRM: FieldDef = FieldDef::new("nbns.name_flags.prm", FieldType::Bool, Base::Dec, "Permanent node name");
    pub static F_NBNS_UNIT_ID: FieldDef = FieldDef::new("nbns.unit_id", FieldType::Ether, Base::Dec, "Unit ID");
    pub static F_NBNS_JUMPERS: FieldDef = FieldDef::new("nbns.jumpers", FieldType::UInt, Base::Hex(2), "Jumpers");
    pub static F_NBNS_TEST_RESULT: FieldDef = FieldDef::new("nbns.test_result", FieldType::UInt, Base::Hex(2), "Test result");
    pub static F_NBNS_VERSION_NUMBER: FieldDef = FieldDef::new("nbns.version_number", FieldType::UInt, Base::Hex(4), "Version number");
    pub static F_NBNS_PERIOD_OF_STATISTICS: FieldDef = FieldDef::new("nbns.period_of_statistics", FieldType::UInt, Base::Hex(4), "Period of statistics");
    pub static F_NBNS_NUM_CRCS: FieldDef = FieldDef::new("nbns.num_crcs", FieldType::UInt, Base::Dec, "Number of CRCs");
    pub static F_NBNS_NUM_ALIGNMENT_ERRORS: FieldDef = FieldDef::new("nbns.num_alignment_errors", FieldType::UInt, Base::Dec, "Number of alignment errors");
    pub static F_NBNS_NUM_COLLISIONS: FieldDef = FieldDef::new("nbns.num_collisions", FieldType::UInt, Base::Dec, "Number of collisions");
    pub static F_NBNS_NUM_SEND_ABORTS: FieldDef = FieldDef::new("nbns.num_send_aborts", FieldType::UInt, Base::Dec, "Number of send aborts");
    pub static F_NBNS_NUM_GOOD_SENDS: FieldDef = FieldDef::new("nbns.num_good_sends", FieldType::UInt, Base::Dec, "Number of good sends");
    pub static F_NBNS_NUM_GOOD_RECEIVES: FieldDef = FieldDef::new("nbns.num_good_receives", FieldType::UInt, Base::Dec, "Number of good receives");
    pub static F_NBNS_NUMRETRANSMITS: FieldDef = FieldDef::new("nbns.numretransmits", FieldType::UInt, Base::Dec, "Number of retransmits");
    pub static F_NBNS_NUM_NO_RESOURCE_CONDITIONS: FieldDef = FieldDef::new("nbns.num_no_resource_conditions", FieldType::UInt, Base::Dec, "Number of no resource conditions");
    pub static F_NBNS_NUMCOMMAND_BLOCKS: FieldDef = FieldDef::new("nbns.numcommand_blocks", FieldType::UInt, Base::Dec, "Number of command blocks");
    pub static F_NBNS_NUMPENDING_SESSIONS: FieldDef = FieldDef::new("nbns.numpending_sessions", FieldType::UInt, Base::Dec, "Number of pending sessions");
    pub static F_NBNS_MAX_NUM_PENDING_SESSIONS: FieldDef = FieldDef::new("nbns.max_num_pending_sessions", FieldType::UInt, Base::Dec, "Max number of pending sessions");
    pub static F_NBNS_MAX_TOTAL_SESSIONS_POSSIBLE: FieldDef = FieldDef::new("nbns.max_total_sessions_possible", FieldType::UInt, Base::Dec, "Max total sessions possible");
    pub static F_NBNS_SESSION_DATA_PACKET_SIZE: FieldDef = FieldDef::new("nbns.session_data_packet_size", FieldType::UInt, Base::Dec, "Session data packet size");
    pub static F_NBNS_DATA: FieldDef = FieldDef::new("nbns.data", FieldType::Bytes, Base::Dec, "Data");

    pub static P_NBDGM: FieldDef = FieldDef::new("nbdgm", FieldType::Protocol, Base::Dec, "NetBIOS Datagram Service");
    pub static F_NBDGM_TYPE: FieldDef = FieldDef::new("nbdgm.type", FieldType::UInt, Base::Dec, "Message Type");
    pub static F_NBDGM_FLAGS: FieldDef = FieldDef::new("nbdgm.flags", FieldType::UInt, Base::Hex(2), "Flags");
    pub static F_NBDGM_NEXT: FieldDef = FieldDef::new("nbdgm.next", FieldType::Bool, Base::Dec, "More fragments follow");
    pub static F_NBDGM_FIRST: FieldDef = FieldDef::new("nbdgm.first", FieldType::Bool, Base::Dec, "This is first fragment");
    pub static F_NBDGM_NODE_TYPE: FieldDef = FieldDef::new("nbdgm.node_type", FieldType::UInt, Base::Dec, "Node Type");
    pub static F_NBDGM_DGRAM_ID: FieldDef = FieldDef::new("nbdgm.dgram_id", FieldType::UInt, Base::Hex(4), "Datagram ID");
    pub static F_NBDGM_SRC_IP: FieldDef = FieldDef::new("nbdgm.src.ip", FieldType::Ipv4, Base::Dec, "Source IP");
    pub static F_NBDGM_SRC_PORT: FieldDef = FieldDef::new("nbdgm.src.port", FieldType::UInt, Base::Dec, "Source Port");
    pub static F_NBDGM_DGRAM_LEN: FieldDef = FieldDef::new("nbdgm.dgram_len", FieldType::UInt, Base::Dec, "Datagram length");
    pub static F_NBDGM_PKT_OFFSET: FieldDef = FieldDef::new("nbdgm.pkt_offset", FieldType::UInt, Base::Dec, "Packet offset");
    pub static F_NBDGM_ERROR_CODE: FieldDef = FieldDef::new("nbdgm.error_code", FieldType::UInt, Base::Hex(2), "Error code");
    pub static F_NBDGM_SOURCE_NAME: FieldDef = FieldDef::new("nbdgm.source_name", FieldType::String, Base::Dec, "Source name");
    pub static F_NBDGM_DESTINATION_NAME: FieldDef = FieldDef::new("nbdgm.destination_name", FieldType::String, Base::Dec, "Destination name");

    /// The four record counts of the header, in order.
    pub static COUNTS: [&FieldDef; 4] = [&F_NBNS_COUNT_QUERIES, &F_NBNS_COUNT_ANSWERS, &F_NBNS_COUNT_AUTH_RR, &F_NBNS_COUNT_ADD_RR];

    /// Every field of this dissector.
    pub static FIELDS: &[&FieldDef] = &[
        &P_NBNS, &F_NBNS_ID, &F_NBNS_FLAGS, &F_NBNS_FLAGS_RESPONSE, &F_NBNS_FLAGS_OPCODE,
        &F_NBNS_FLAGS_AUTHORITATIVE, &F_NBNS_FLAGS_TRUNCATED, &F_NBNS_FLAGS_RECDESIRED,
        &F_NBNS_FLAGS_RECAVAIL, &F_NBNS_FLAGS_BROADCAST, &F_NBNS_FLAGS_RCODE,
        &F_NBNS_COUNT_QUERIES, &F_NBNS_COUNT_ANSWERS, &F_NBNS_COUNT_AUTH_RR, &F_NBNS_COUNT_ADD_RR,
        &F_NBNS_NAME, &F_NBNS_TYPE, &F_NBNS_CLASS, &F_NBNS_TTL, &F_NBNS_DATA_LENGTH,
        &F_NBNS_NB_FLAGS, &F_NBNS_NB_FLAGS_GROUP, &F_NBNS_NB_FLAGS_ONT, &F_NBNS_ADDR,
        &F_NBNS_NUMBER_OF_NAMES, &F_NBNS_NETBIOS_NAME, &F_NBNS_NAME_FLAGS,
        &F_NBNS_NAME_FLAGS_GROUP, &F_NBNS_NAME_FLAGS_ONT, &F_NBNS_NAME_FLAGS_DRG,
        &F_NBNS_NAME_FLAGS_CNF, &F_NBNS_NAME_FLAGS_ACT, &F_NBNS_NAME_FLAGS_PRM,
        &F_NBNS_UNIT_ID, &F_NBNS_JUMPERS, &F_NBNS_TEST_RESULT, &F_NBNS_VERSION_NUMBER,
        &F_NBNS_PERIOD_OF_STATISTICS, &F_NBNS_NUM_CRCS, &F_NBNS_NUM_ALIGNMENT_ERRORS,
        &F_NBNS_NUM_COLLISIONS, &F_NBNS_NUM_SEND_ABORTS, &F_NBNS_NUM_GOOD_SENDS,
        &F_NBNS_NUM_GOOD_RECEIVES, &F_NBNS_NUMRETRANSMITS, &F_NBNS_NUM_NO_RESOURCE_CONDITIONS,
        &F_NBNS_NUMCOMMAND_BLOCKS, &F_NBNS_NUMPENDING_SESSIONS, &F_NBNS_MAX_NUM_PENDING_SESSIONS,
        &F_NBNS_MAX_TOTAL_SESSIONS_POSSIBLE, &F_NBNS_SESSION_DATA_PACKET_SIZE, &F_NBNS_DATA,
        &P_NBDGM, &F_NBDGM_TYPE, &F_NBDGM_FLAGS, &F_NBDGM_NEXT, &F_NBDGM_FIRST,
        &F_NBDGM_NODE_TYPE, &F_NBDGM_DGRAM_ID, &F_NBDGM_SRC_IP, &F_NBDGM_SRC_PORT,
        &F_NBDGM_DGRAM_LEN, &F_NBDGM_PKT_OFFSET, &F_NBDGM_ERROR_CODE,
        &F_NBDGM_SOURCE_NAME, &F_NBDGM_DESTINATION_NAME,
    ];
}
