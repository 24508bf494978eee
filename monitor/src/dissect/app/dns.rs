//! DNS, mDNS and LLMNR (RFC 1035, 6762, 4795): header, flags, questions and
//! resource records, over UDP and over TCP (two-byte length prefix), with
//! tshark's `dns.*` fields and Info column, and its transaction tracking:
//! a response names its query and the time since it (`dns.response_to`,
//! `dns.time`); repeated queries and responses are retransmissions.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};

use super::protocol::{Mark, Protocol, Tcp, Udp};
use super::util::{be16, be32, ipv4, ipv6};
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
pub(super) use defs::P_DNS;
use defs::*;

/// DNS, mDNS and LLMNR on their UDP ports (transactions tracked per UDP
/// conversation, not inside ICMP errors), DNS over TCP port 53.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "dns",
    fields: FIELDS,
    marks: &[
        Mark::column("dns", "MDNS", &P_MDNS),
        Mark::column("dns", "LLMNR", &P_LLMNR),
        Mark::new("dns", &P_DNS),
    ],
    udp: Some(Udp {
        ports: &[53, 5353, 5355],
        dissect: |call, p, d| {
            let at = super::At {
                frame: call.dg.frame,
                ts_ns: call.dg.ts_ns,
            };
            let track =
                Track::unless_quoted(&mut call.state.dns, call.dg.stream, at, call.dg.quoted);
            let column = match call.port {
                5353 => "MDNS",
                5355 => "LLMNR",
                _ => "DNS",
            };
            dissect(p, Transport::Udp, column, track, d)
        },
        heuristic: None,
    }),
    tcp: Some(Tcp {
        ports: &[53],
        heuristic: None,
        pdu_len: |b, st, _| match (PROTOCOL_TCP_TOTAL)(b, st) {
            Some(n) if b.len() >= n => super::Pdu::Len(n),
            _ => super::Pdu::Incomplete,
        },
        pdu_total: PROTOCOL_TCP_TOTAL,
        dissect: |st, pdu, seg, d| {
            let track = Track {
                tx: &mut st.dns,
                conv: 0,
                at: seg.at(),
            };
            dissect(pdu, Transport::Tcp, "DNS", Some(track), d);
            None
        },
        cut: Some(super::truncated::dns_cut),
    }),
    ip: None,
};

/// A DNS message over TCP: its two-byte length, then the message.
const PROTOCOL_TCP_TOTAL: fn(&[u8], &super::Stream) -> Option<usize> =
    |b, _| Some(2 + usize::from(be16(b, 0)?));

/// How the message was carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// One message per datagram.
    Udp,
    /// Length-prefixed message in a TCP stream.
    Tcp,
}

/// Queries remembered for matching responses (the oldest is forgotten
/// first).
const MAX_QUERIES: usize = 1 << 16;

/// A query sent again within this time of the first, unanswered, is a
/// retransmission (tshark's default `dns.retransmission_timer`).
const RETRANSMISSION_NS: i64 = 5_000_000_000;

/// One query and the first response to it.
#[derive(Clone, Copy, Debug)]
struct Query {
    frame: u64,
    ts_ns: i64,
    response: u64,
}

/// Queries by conversation and transaction ID, as tshark keeps them per
/// conversation: the latest query with an ID is the one a response with
/// that ID answers.
#[derive(Debug, Default)]
pub struct Transactions {
    queries: HashMap<(u64, u16), Query>,
    order: VecDeque<(u64, u16)>,
}

/// Where a message was seen, for transaction tracking: its conversation
/// (a key unique over transports) and frame. Messages quoted in ICMP
/// errors are not tracked.
pub struct Track<'a> {
    /// The conversations' queries.
    pub tx: &'a mut Transactions,
    /// The conversation (`udp.stream` or `tcp.stream`, made distinct).
    pub conv: u64,
    /// The message's frame and time.
    pub at: super::At,
}

/// The fields transaction tracking adds (they need frame times and
/// conversations).
#[cfg(test)]
pub const TRACKING_FIELDS: [&str; 6] = [
    "dns.response_to",
    "dns.time",
    "dns.retransmission",
    "dns.retransmit_request_in",
    "dns.retransmit_response_in",
    "dns.unsolicited",
];

/// What tracking says of a message, shown once it was read to its end.
enum Link {
    /// A query sent again: the first one's frame.
    RequestAgain(u64),
    /// A response to the query in this frame, sent at this time.
    To(u64, i64),
    /// A response sent again: the first one's frame.
    ResponseAgain(u64),
    /// A response to no query seen.
    Unsolicited,
}

impl<'a> Track<'a> {
    /// Tracking in conversation `conv`, unless the message is quoted in
    /// an ICMP error.
    pub fn unless_quoted(
        tx: &'a mut Transactions,
        conv: u64,
        at: super::At,
        quoted: bool,
    ) -> Option<Self> {
        (!quoted).then_some(Self { tx, conv, at })
    }

    fn note(self, id: u16, response: bool) -> Option<Link> {
        let key = (self.conv, id);
        let at = self.at;
        let tx = self.tx;
        if response {
            let Some(q) = tx.queries.get_mut(&key) else {
                return Some(Link::Unsolicited);
            };
            if q.response == 0 {
                q.response = at.frame;
            }
            return Some(if q.response == at.frame {
                Link::To(q.frame, at.ts_ns - q.ts_ns)
            } else {
                Link::ResponseAgain(q.response)
            });
        }
        if let Some(q) = tx.queries.get(&key) {
            if q.response == 0 && at.ts_ns - q.ts_ns < RETRANSMISSION_NS {
                return Some(Link::RequestAgain(q.frame));
            }
        }
        let query = Query {
            frame: at.frame,
            ts_ns: at.ts_ns,
            response: 0,
        };
        if tx.queries.insert(key, query).is_none() {
            if tx.order.len() >= MAX_QUERIES {
                if let Some(old) = tx.order.pop_front() {
                    tx.queries.remove(&old);
                }
            }
            tx.order.push_back(key);
        }
        None
    }
}

fn push_link(link: Option<Link>, d: &mut Dissection) {
    match link {
        None => {}
        Some(Link::RequestAgain(f)) => {
            d.push(&F_DNS_RETRANSMISSION, Value::Bool(true));
            d.push(&F_DNS_RETRANSMIT_REQUEST_IN, Value::UInt(f));
        }
        Some(Link::To(f, ns)) => {
            d.push(&F_DNS_RESPONSE_TO, Value::UInt(f));
            d.push(&F_DNS_TIME, Value::Float(ns as f64 / 1e9));
        }
        Some(Link::ResponseAgain(f)) => {
            d.push(&F_DNS_RETRANSMISSION, Value::Bool(true));
            d.push(&F_DNS_RETRANSMIT_RESPONSE_IN, Value::UInt(f));
        }
        Some(Link::Unsolicited) => d.push(&F_DNS_UNSOLICITED, Value::Bool(true)),
    }
}

/// Name of a record type as tshark shows it in the Info column.
pub fn type_name(t: u16) -> String {
    let s = match t {
        1 => "A",
        2 => "NS",
        3 => "MD",
        4 => "MF",
        5 => "CNAME",
        6 => "SOA",
        7 => "MB",
        8 => "MG",
        9 => "MR",
        10 => "NULL",
        11 => "WKS",
        14 => "MINFO",
        17 => "RP",
        18 => "AFSDB",
        24 => "SIG",
        25 => "KEY",
        29 => "LOC",
        30 => "NXT",
        37 => "CERT",
        39 => "DNAME",
        42 => "APL",
        44 => "SSHFP",
        45 => "IPSECKEY",
        49 => "DHCID",
        55 => "HIP",
        59 => "CDS",
        60 => "CDNSKEY",
        61 => "OPENPGPKEY",
        62 => "CSYNC",
        63 => "ZONEMD",
        256 => "URI",
        12 => "PTR",
        13 => "HINFO",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        50 => "NSEC3",
        51 => "NSEC3PARAM",
        52 => "TLSA",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        249 => "TKEY",
        250 => "TSIG",
        251 => "IXFR",
        252 => "AXFR",
        255 => "ANY",
        257 => "CAA",
        _ => return format!("Unknown ({t})"),
    };
    s.to_string()
}

/// The Info column's name of a response code (tshark's `rcode_vals`).
fn rcode_name(r: u16) -> Cow<'static, str> {
    Cow::Borrowed(match r {
        0 => "No error",
        1 => "Format error",
        2 => "Server failure",
        3 => "No such name",
        4 => "Not implemented",
        5 => "Refused",
        6 => "Name exists",
        7 => "RRset exists",
        8 => "RRset does not exist",
        9 => "Not authoritative",
        10 => "Name out of zone",
        11 => "DSO-Type not implemented",
        _ => return Cow::Owned(format!("Unknown error ({r})")),
    })
}

/// The Info column's name of an opcode (tshark's `opcode_vals`).
fn opcode_name(op: u16) -> Cow<'static, str> {
    Cow::Borrowed(match op {
        0 => "Standard query",
        1 => "Inverse query",
        2 => "Server status request",
        4 => "Zone change notification",
        5 => "Dynamic update",
        6 => "DNS Stateful operations (DSO)",
        _ => return Cow::Owned(format!("Unknown operation ({op})")),
    })
}

/// Read a possibly compressed name at `off`; returns the name and the
/// offset just after it in the record (not following pointers).
pub(super) fn read_name(msg: &[u8], off: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    let mut pos = off;
    let mut end = None;
    let mut jumps = 0;
    loop {
        let len = *msg.get(pos)?;
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    end.get_or_insert(pos + 1);
                    break;
                }
                let label = msg.get(pos + 1..pos + 1 + usize::from(len))?;
                if !name.is_empty() {
                    name.push('.');
                }
                for &c in label {
                    if c.is_ascii_graphic() || c == b' ' {
                        name.push(char::from(c));
                    } else {
                        name.push_str(&format!("\\{c:03}"));
                    }
                }
                pos += 1 + usize::from(len);
            }
            0xc0 => {
                let ptr = usize::from(be16(msg, pos)? & 0x3fff);
                end.get_or_insert(pos + 2);
                jumps += 1;
                if jumps > 64 || name.len() > 1024 {
                    return None;
                }
                pos = ptr;
            }
            _ => return None,
        }
    }
    if name.is_empty() {
        name.push_str("<Root>");
    }
    Some((name, end?))
}

fn label_count(name: &str) -> u64 {
    if name == "<Root>" {
        0
    } else {
        name.split('.').count() as u64
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Dns,
    Mdns,
    Llmnr,
}

/// Dissect one DNS message; `proto` is the Protocol column ("DNS", "MDNS",
/// "LLMNR"). For TCP the message starts with its two-byte length.
pub fn dissect(
    pdu: &[u8],
    tr: Transport,
    proto: &str,
    track: Option<Track<'_>>,
    d: &mut Dissection,
) -> bool {
    let flavor = match proto {
        "MDNS" => Flavor::Mdns,
        "LLMNR" => Flavor::Llmnr,
        _ => Flavor::Dns,
    };
    let msg = match tr {
        Transport::Udp => pdu,
        Transport::Tcp => {
            let Some(len) = be16(pdu, 0) else {
                return false;
            };
            d.push(&F_DNS_LENGTH, Value::UInt(len.into()));
            &pdu[2..]
        }
    };
    // tshark claims every payload on a DNS port, and shows as much of a
    // short header as there is before marking the packet malformed.
    if msg.is_empty() && tr == Transport::Udp {
        return false;
    }
    // The Info column is cleared before the header is read: a message cut
    // inside its ID and flags shows nothing there.
    d.protocol = proto.to_string();
    d.info.clear();
    let (Some(id), Some(flags)) = (be16(msg, 0), be16(msg, 2)) else {
        d.malformed = true;
        return true;
    };
    let response = flags & 0x8000 != 0;
    // Tracked as soon as the ID and flags are read; shown only when the
    // whole message was.
    let link = track.and_then(|t| t.note(id, response));
    let opcode = (flags >> 11) & 0xf;
    let rcode = flags & 0xf;
    d.push(&F_DNS_ID, Value::UInt(id.into()));
    d.push(&F_DNS_FLAGS, Value::UInt(flags.into()));
    let bit = |m: u16| Value::Bool(flags & m != 0);
    d.push(&F_DNS_FLAGS_RESPONSE, bit(0x8000));
    d.push(&F_DNS_FLAGS_OPCODE, Value::UInt(opcode.into()));
    if flavor == Flavor::Llmnr {
        d.push(&F_DNS_FLAGS_CONFLICT, bit(0x0400));
        d.push(&F_DNS_FLAGS_TRUNCATED, bit(0x0200));
        d.push(&F_DNS_FLAGS_TENTATIVE, bit(0x0100));
        if response {
            d.push(&F_DNS_FLAGS_RCODE, Value::UInt(rcode.into()));
        }
    } else {
        if response {
            d.push(&F_DNS_FLAGS_AUTHORITATIVE, bit(0x0400));
        }
        d.push(&F_DNS_FLAGS_TRUNCATED, bit(0x0200));
        d.push(&F_DNS_FLAGS_RECDESIRED, bit(0x0100));
        if response {
            d.push(&F_DNS_FLAGS_RECAVAIL, bit(0x0080));
        }
        d.push(&F_DNS_FLAGS_Z, bit(0x0040));
        // A query shows the AD bit (under the same field name) only when
        // it is set, as resolvers that want it set it.
        if response || flags & 0x0020 != 0 {
            d.push(&F_DNS_FLAGS_AUTHENTICATED, bit(0x0020));
        }
        d.push(&F_DNS_FLAGS_CHECKDISABLE, bit(0x0010));
        if response {
            d.push(&F_DNS_FLAGS_RCODE, Value::UInt(rcode.into()));
        }
    }
    let mut info = String::new();
    info.push_str(&opcode_name(opcode));
    if response {
        info.push_str(" response");
    }
    info.push_str(&format!(" 0x{id:04x}"));
    if response && rcode != 0 {
        info.push(' ');
        info.push_str(&rcode_name(rcode));
    }
    let update = opcode == 5;
    let count_defs = if update {
        [
            &F_DNS_COUNT_ZONES,
            &F_DNS_COUNT_PREREQUISITES,
            &F_DNS_COUNT_UPDATES,
            &F_DNS_COUNT_ADD_RR,
        ]
    } else {
        [
            &F_DNS_COUNT_QUERIES,
            &F_DNS_COUNT_ANSWERS,
            &F_DNS_COUNT_AUTH_RR,
            &F_DNS_COUNT_ADD_RR,
        ]
    };
    let mut counts = [0u16; 4];
    for (i, def) in count_defs.into_iter().enumerate() {
        let Some(c) = be16(msg, 4 + 2 * i) else {
            d.malformed = true;
            d.info = info;
            return true;
        };
        counts[i] = c;
        d.push(def, Value::UInt(c.into()));
    }
    let mut off = 12;
    for _ in 0..counts[0] {
        let Some(n) = question(msg, &mut off, flavor, d, &mut info) else {
            d.malformed = true;
            d.info = info;
            return true;
        };
        off = n;
    }
    for _ in 0..(u32::from(counts[1]) + u32::from(counts[2]) + u32::from(counts[3])) {
        match record(msg, off, flavor, d, &mut info) {
            Some(n) => off = n,
            None => {
                d.malformed = true;
                break;
            }
        }
    }
    d.info = info;
    if !d.malformed {
        push_link(link, d);
    }
    true
}

fn question(
    msg: &[u8],
    off: &mut usize,
    flavor: Flavor,
    d: &mut Dissection,
    info: &mut String,
) -> Option<usize> {
    // tshark reads the name, type and class before it adds anything: a
    // question cut before the end of its class shows none of its fields.
    let (name, p) = read_name(msg, *off)?;
    let ty = be16(msg, p)?;
    let class = be16(msg, p + 2)?;
    d.push(&F_DNS_QRY_NAME, Value::Str(name.clone()));
    d.push(
        &F_DNS_QRY_NAME_LEN,
        Value::UInt(if name == "<Root>" {
            6
        } else {
            name.len() as u64
        }),
    );
    d.push(&F_DNS_COUNT_LABELS, Value::UInt(label_count(&name)));
    d.push(&F_DNS_QRY_TYPE, Value::UInt(ty.into()));
    info.push_str(&format!(" {} {}", type_name(ty), name));
    if flavor == Flavor::Mdns {
        d.push(&F_DNS_QRY_CLASS, Value::UInt((class & 0x7fff).into()));
        d.push(&F_DNS_QRY_QU, Value::Bool(class & 0x8000 != 0));
        info.push_str(if class & 0x8000 != 0 {
            ", \"QU\" question"
        } else {
            ", \"QM\" question"
        });
    } else {
        d.push(&F_DNS_QRY_CLASS, Value::UInt(class.into()));
    }
    *off = p + 4;
    Some(p + 4)
}

fn record(
    msg: &[u8],
    off: usize,
    flavor: Flavor,
    d: &mut Dissection,
    info: &mut String,
) -> Option<usize> {
    let (name, p) = read_name(msg, off)?;
    let ty = be16(msg, p)?;
    let class = be16(msg, p + 2)?;
    let ttl = be32(msg, p + 4)?;
    let len = usize::from(be16(msg, p + 8)?);
    // tshark names the type in the Info column once the fixed part is
    // read, before it reads the data: a record cut there shows its type.
    info.push(' ');
    info.push_str(&type_name(ty));
    if flavor == Flavor::Mdns && ty != 41 && class & 0x8000 != 0 {
        info.push_str(", cache flush");
    }
    let rd_off = p + 10;
    let Some(rdata) = msg.get(rd_off..rd_off + len) else {
        // The data ends past the bytes there are: tshark still shows the
        // name that starts the data of these types, when it is all there.
        if matches!(ty, 2 | 5 | 6 | 12 | 47) {
            if let Some((n, _)) = read_name(msg, rd_off) {
                info.push_str(&format!(" {n}"));
            }
        }
        return None;
    };
    // tshark splits an SRV owner name into service/proto/name fields.
    if !(ty == 33 && name.starts_with('_')) {
        d.push(&F_DNS_RESP_NAME, Value::Str(name));
    }
    d.push(&F_DNS_RESP_TYPE, Value::UInt(ty.into()));
    if ty == 41 {
        if flavor == Flavor::Mdns {
            d.push(
                &F_DNS_RR_UDP_PAYLOAD_SIZE_MDNS,
                Value::UInt((class & 0x7fff).into()),
            );
            d.push(&F_DNS_RESP_CACHE_FLUSH, Value::Bool(class & 0x8000 != 0));
        } else {
            d.push(&F_DNS_RR_UDP_PAYLOAD_SIZE, Value::UInt(class.into()));
        }
        d.push(&F_DNS_RESP_EXT_RCODE, Value::UInt((ttl >> 24).into()));
        d.push(
            &F_DNS_RESP_EDNS0_VERSION,
            Value::UInt(((ttl >> 16) & 0xff).into()),
        );
        d.push(&F_DNS_RESP_Z, Value::UInt((ttl & 0xffff).into()));
        d.push(&F_DNS_RESP_LEN, Value::UInt(len as u64));
        return Some(rd_off + len);
    }
    if flavor == Flavor::Mdns {
        d.push(&F_DNS_RESP_CLASS, Value::UInt((class & 0x7fff).into()));
        d.push(&F_DNS_RESP_CACHE_FLUSH, Value::Bool(class & 0x8000 != 0));
    } else {
        d.push(&F_DNS_RESP_CLASS, Value::UInt(class.into()));
    }
    d.push(&F_DNS_RESP_TTL, Value::UInt(ttl.into()));
    d.push(&F_DNS_RESP_LEN, Value::UInt(len as u64));
    match ty {
        1 if len == 4 => {
            let a = ipv4(rdata, 0)?;
            d.push(&F_DNS_A, Value::Ipv4(a));
            info.push_str(&format!(" {a}"));
        }
        28 if len == 16 => {
            let a = ipv6(rdata, 0)?;
            d.push(&F_DNS_AAAA, Value::Ipv6(a));
            info.push_str(&format!(" {a}"));
        }
        2 | 5 | 12 => {
            let (n, _) = read_name(msg, rd_off)?;
            let def = match ty {
                2 => &F_DNS_NS,
                5 => &F_DNS_CNAME,
                _ => &F_DNS_PTR_DOMAIN_NAME,
            };
            info.push_str(&format!(" {n}"));
            d.push(def, Value::Str(n));
        }
        15 => {
            let pref = be16(rdata, 0)?;
            let (n, _) = read_name(msg, rd_off + 2)?;
            d.push(&F_DNS_MX_PREFERENCE, Value::UInt(pref.into()));
            info.push_str(&format!(" {pref} {n}"));
            d.push(&F_DNS_MX_MAIL_EXCHANGE, Value::Str(n));
        }
        16 => {
            let mut i = 0;
            while i < rdata.len() {
                let l = usize::from(rdata[i]);
                let s = rdata.get(i + 1..i + 1 + l)?;
                d.push(&F_DNS_TXT_LENGTH, Value::UInt(l as u64));
                d.push(&F_DNS_TXT, Value::Str(super::util::text(s)));
                i += 1 + l;
            }
        }
        6 => {
            let (m, q) = read_name(msg, rd_off)?;
            let (r, q) = read_name(msg, q)?;
            info.push_str(&format!(" {m}"));
            d.push(&F_DNS_SOA_MNAME, Value::Str(m));
            d.push(&F_DNS_SOA_RNAME, Value::Str(r));
            let defs = [
                &F_DNS_SOA_SERIAL_NUMBER,
                &F_DNS_SOA_REFRESH_INTERVAL,
                &F_DNS_SOA_RETRY_INTERVAL,
                &F_DNS_SOA_EXPIRE_LIMIT,
                &F_DNS_SOA_MINIMUM_TTL,
            ];
            for (i, def) in defs.into_iter().enumerate() {
                d.push(def, Value::UInt(be32(msg, q + 4 * i)?.into()));
            }
        }
        33 => {
            let pr = be16(rdata, 0)?;
            let w = be16(rdata, 2)?;
            let port = be16(rdata, 4)?;
            let (t, _) = read_name(msg, rd_off + 6)?;
            d.push(&F_DNS_SRV_PRIORITY, Value::UInt(pr.into()));
            d.push(&F_DNS_SRV_WEIGHT, Value::UInt(w.into()));
            d.push(&F_DNS_SRV_PORT, Value::UInt(port.into()));
            info.push_str(&format!(" {pr} {w} {port} {t}"));
            d.push(&F_DNS_SRV_TARGET, Value::Str(t));
        }
        47 => {
            let (n, q) = read_name(msg, rd_off)?;
            info.push_str(&format!(" {n}"));
            // The type bit map: each type present shows as a `dns.resp.type`.
            let mut i = q;
            while i + 2 <= rd_off + len {
                let win = u16::from(msg[i]);
                let blen = usize::from(msg[i + 1]);
                let bm = msg.get(i + 2..(i + 2 + blen).min(rd_off + len))?;
                for (j, byte) in bm.iter().enumerate() {
                    for b in 0..8 {
                        if byte & (0x80 >> b) != 0 {
                            let t = win * 256 + (j as u16) * 8 + b;
                            d.push(&F_DNS_RESP_TYPE, Value::UInt(t.into()));
                        }
                    }
                }
                i += 2 + blen;
            }
        }
        _ => {}
    }
    Some(rd_off + len)
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::{Base, FieldDef, FieldType};

    fields! {
        P_DNS = "dns", Protocol, Base::Dec, "Domain Name System";
        P_MDNS = "mdns", Protocol, Base::Dec, "Multicast Domain Name System";
        P_LLMNR = "llmnr", Protocol, Base::Dec, "Link-local Multicast Name Resolution";
        F_DNS_LENGTH = "dns.length", UInt, Base::Dec, "Length";
        F_DNS_ID = "dns.id", UInt, Base::Hex(4), "Transaction ID";
        F_DNS_FLAGS = "dns.flags", UInt, Base::Hex(4), "Flags";
        F_DNS_FLAGS_RESPONSE = "dns.flags.response", Bool, Base::Dec, "Response";
        F_DNS_FLAGS_OPCODE = "dns.flags.opcode", UInt, Base::Dec, "Opcode";
        F_DNS_FLAGS_AUTHORITATIVE = "dns.flags.authoritative", Bool, Base::Dec, "Authoritative";
        F_DNS_FLAGS_CONFLICT = "dns.flags.conflict", Bool, Base::Dec, "Conflict";
        F_DNS_FLAGS_TRUNCATED = "dns.flags.truncated", Bool, Base::Dec, "Truncated";
        F_DNS_FLAGS_RECDESIRED = "dns.flags.recdesired", Bool, Base::Dec, "Recursion desired";
        F_DNS_FLAGS_TENTATIVE = "dns.flags.tentative", Bool, Base::Dec, "Tentative";
        F_DNS_FLAGS_RECAVAIL = "dns.flags.recavail", Bool, Base::Dec, "Recursion available";
        F_DNS_FLAGS_Z = "dns.flags.z", Bool, Base::Dec, "Z";
        F_DNS_FLAGS_AUTHENTICATED = "dns.flags.authenticated", Bool, Base::Dec, "Answer authenticated";
        F_DNS_FLAGS_CHECKDISABLE = "dns.flags.checkdisable", Bool, Base::Dec, "Non-authenticated data";
        F_DNS_FLAGS_RCODE = "dns.flags.rcode", UInt, Base::Dec, "Reply code";
        F_DNS_COUNT_QUERIES = "dns.count.queries", UInt, Base::Dec, "Questions";
        F_DNS_COUNT_ZONES = "dns.count.zones", UInt, Base::Dec, "Zones";
        F_DNS_COUNT_ANSWERS = "dns.count.answers", UInt, Base::Dec, "Answer RRs";
        F_DNS_COUNT_PREREQUISITES = "dns.count.prerequisites", UInt, Base::Dec, "Prerequisites";
        F_DNS_COUNT_AUTH_RR = "dns.count.auth_rr", UInt, Base::Dec, "Authority RRs";
        F_DNS_COUNT_UPDATES = "dns.count.updates", UInt, Base::Dec, "Updates";
        F_DNS_COUNT_ADD_RR = "dns.count.add_rr", UInt, Base::Dec, "Additional RRs";
        F_DNS_QRY_NAME = "dns.qry.name", String, Base::Dec, "Name";
        F_DNS_QRY_NAME_LEN = "dns.qry.name.len", UInt, Base::Dec, "Name Length";
        F_DNS_COUNT_LABELS = "dns.count.labels", UInt, Base::Dec, "Label Count";
        F_DNS_QRY_TYPE = "dns.qry.type", UInt, Base::Dec, "Type";
        F_DNS_QRY_CLASS = "dns.qry.class", UInt, Base::Hex(4), "Class";
        F_DNS_QRY_QU = "dns.qry.qu", Bool, Base::Dec, "\"QU\" question";
        F_DNS_RESP_NAME = "dns.resp.name", String, Base::Dec, "Name";
        F_DNS_RESP_TYPE = "dns.resp.type", UInt, Base::Dec, "Type";
        F_DNS_RESP_CLASS = "dns.resp.class", UInt, Base::Hex(4), "Class";
        F_DNS_RESP_CACHE_FLUSH = "dns.resp.cache_flush", Bool, Base::Dec, "Cache flush";
        F_DNS_RESP_TTL = "dns.resp.ttl", UInt, Base::Dec, "Time to live";
        F_DNS_RESP_LEN = "dns.resp.len", UInt, Base::Dec, "Data length";
        F_DNS_A = "dns.a", Ipv4, Base::Dec, "Address";
        F_DNS_AAAA = "dns.aaaa", Ipv6, Base::Dec, "AAAA Address";
        F_DNS_CNAME = "dns.cname", String, Base::Dec, "CNAME";
        F_DNS_PTR_DOMAIN_NAME = "dns.ptr.domain_name", String, Base::Dec, "Domain Name";
        F_DNS_NS = "dns.ns", String, Base::Dec, "Name Server";
        F_DNS_MX_PREFERENCE = "dns.mx.preference", UInt, Base::Dec, "Preference";
        F_DNS_MX_MAIL_EXCHANGE = "dns.mx.mail_exchange", String, Base::Dec, "Mail Exchange";
        F_DNS_TXT_LENGTH = "dns.txt.length", UInt, Base::Dec, "TXT Length";
        F_DNS_TXT = "dns.txt", String, Base::Dec, "TXT";
        F_DNS_SOA_MNAME = "dns.soa.mname", String, Base::Dec, "Primary name server";
        F_DNS_SOA_RNAME = "dns.soa.rname", String, Base::Dec, "Responsible authority's mailbox";
        F_DNS_SOA_SERIAL_NUMBER = "dns.soa.serial_number", UInt, Base::Dec, "Serial Number";
        F_DNS_SOA_REFRESH_INTERVAL = "dns.soa.refresh_interval", UInt, Base::Dec, "Refresh Interval";
        F_DNS_SOA_RETRY_INTERVAL = "dns.soa.retry_interval", UInt, Base::Dec, "Retry Interval";
        F_DNS_SOA_EXPIRE_LIMIT = "dns.soa.expire_limit", UInt, Base::Dec, "Expire limit";
        F_DNS_SOA_MINIMUM_TTL = "dns.soa.minimum_ttl", UInt, Base::Dec, "Minimum TTL";
        F_DNS_SRV_PRIORITY = "dns.srv.priority", UInt, Base::Dec, "Priority";
        F_DNS_SRV_WEIGHT = "dns.srv.weight", UInt, Base::Dec, "Weight";
        F_DNS_SRV_PORT = "dns.srv.port", UInt, Base::Dec, "Port";
        F_DNS_SRV_TARGET = "dns.srv.target", String, Base::Dec, "Target";
        F_DNS_RR_UDP_PAYLOAD_SIZE = "dns.rr.udp_payload_size", UInt, Base::Dec, "UDP payload size";
        F_DNS_RESP_EXT_RCODE = "dns.resp.ext_rcode", UInt, Base::Hex(2), "Higher bits in extended RCODE";
        F_DNS_RESP_EDNS0_VERSION = "dns.resp.edns0_version", UInt, Base::Dec, "EDNS0 version";
        F_DNS_RESP_Z = "dns.resp.z", UInt, Base::Hex(4), "Z";
        F_DNS_RESPONSE_TO = "dns.response_to", FrameNum, Base::Dec, "Request In";
        F_DNS_TIME = "dns.time", RelTime, Base::Dec, "Time";
        F_DNS_RETRANSMISSION = "dns.retransmission", Bool, Base::Dec, "Retransmission";
        F_DNS_RETRANSMIT_REQUEST_IN = "dns.retransmit_request_in", FrameNum, Base::Dec, "Retransmitted request. Original request in";
        F_DNS_RETRANSMIT_RESPONSE_IN = "dns.retransmit_response_in", FrameNum, Base::Dec, "Retransmitted response. Original response in";
        F_DNS_UNSOLICITED = "dns.unsolicited", Bool, Base::Dec, "Unsolicited";
    }
    /// The same field as mDNS registers it (hex, cache-flush bit masked off).
    pub static F_DNS_RR_UDP_PAYLOAD_SIZE_MDNS: FieldDef = FieldDef::new("dns.rr.udp_payload_size", FieldType::UInt, Base::Hex(4), "UDP payload size");
}
