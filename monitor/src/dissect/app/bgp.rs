//! BGP-4 (RFC 4271) over TCP 179: message header, OPEN with optional
//! parameters and capabilities (multiprotocol, 4-octet AS, ADD-PATH),
//! UPDATE with withdrawn routes, path attributes and NLRI, NOTIFICATION,
//! KEEPALIVE and ROUTE-REFRESH.

use super::protocol::{Mark, Protocol, Tcp};
use super::util::{be16, be32, ipv4};
use super::Pdu;
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// BGP on TCP port 179 (no dissection of cut-short segments: the
/// heuristics get those).
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "bgp",
    fields: FIELDS,
    marks: &[Mark::new("bgp", &P_BGP)],
    tcp: Some(Tcp {
        ports: &[179],
        heuristic: None,
        pdu_len: |b, _, _| pdu_len(b),
        pdu_total: |b, _| Some(usize::from(be16(b, 16)?)),
        dissect: |st, m, seg, d| {
            dissect(m, &mut st.bgp, seg.from_client, d);
            None
        },
        cut: None,
    }),
    ..Protocol::NONE
};

/// BGP state of one TCP connection: which side announced 4-octet ASNs.
#[derive(Debug, Default)]
pub struct StreamState {
    as4: [bool; 2],
}

/// Length of the BGP message at the start of `b`.
pub fn pdu_len(b: &[u8]) -> Pdu {
    let n = b.len().min(16);
    if b[..n].iter().any(|&x| x != 0xff) {
        return Pdu::Invalid;
    }
    let Some(len) = be16(b, 16) else {
        return Pdu::Incomplete;
    };
    let len = usize::from(len);
    if !(19..=65535).contains(&len) {
        return Pdu::Invalid;
    }
    if b.len() >= len {
        Pdu::Len(len)
    } else {
        Pdu::Incomplete
    }
}

fn type_name(t: u8) -> &'static str {
    match t {
        1 => "OPEN Message",
        2 => "UPDATE Message",
        3 => "NOTIFICATION Message",
        4 => "KEEPALIVE Message",
        5 => "ROUTE-REFRESH Message",
        6 => "CAPABILITY Message",
        _ => "Unknown Message",
    }
}

/// Dissect one BGP message.
pub fn dissect(m: &[u8], st: &mut StreamState, from_client: bool, d: &mut Dissection) {
    d.protocol = "BGP".into();
    d.push(&F_BGP_MARKER, Value::Bytes(m[..16.min(m.len())].to_vec()));
    let len = be16(m, 16).unwrap_or(0);
    d.push(&F_BGP_LENGTH, Value::UInt(len.into()));
    let Some(&t) = m.get(18) else {
        d.malformed = true;
        return;
    };
    d.push(&F_BGP_TYPE, Value::UInt(t.into()));
    d.info = type_name(t).into();
    let body = &m[19..];
    let ok = match t {
        1 => open(body, st, usize::from(!from_client), d),
        2 => update(body, st, d),
        3 => notification(body, d),
        5 => route_refresh(body, d),
        _ => Some(()),
    };
    if ok.is_none() {
        d.malformed = true;
    }
}

fn open(b: &[u8], st: &mut StreamState, di: usize, d: &mut Dissection) -> Option<()> {
    d.push(&F_BGP_OPEN_VERSION, Value::UInt((*b.first()?).into()));
    d.push(&F_BGP_OPEN_MYAS, Value::UInt(be16(b, 1)?.into()));
    d.push(&F_BGP_OPEN_HOLDTIME, Value::UInt(be16(b, 3)?.into()));
    d.push(&F_BGP_OPEN_IDENTIFIER, Value::Ipv4(ipv4(b, 5)?));
    let ol = usize::from(*b.get(9)?);
    d.push(&F_BGP_OPEN_OPT_LEN, Value::UInt(ol as u64));
    let opts = b.get(10..10 + ol)?;
    let mut off = 0;
    while off + 2 <= opts.len() {
        let pt = opts[off];
        let pl = usize::from(opts[off + 1]);
        d.push(&F_BGP_OPEN_OPT_PARAM_TYPE, Value::UInt(pt.into()));
        d.push(&F_BGP_OPEN_OPT_PARAM_LEN, Value::UInt(pl as u64));
        let p = opts.get(off + 2..off + 2 + pl)?;
        if pt == 2 {
            let mut c = 0;
            while c + 2 <= p.len() {
                let ct = p[c];
                let cl = usize::from(p[c + 1]);
                d.push(&F_BGP_CAP_TYPE, Value::UInt(ct.into()));
                d.push(&F_BGP_CAP_LENGTH, Value::UInt(cl as u64));
                let v = p.get(c + 2..c + 2 + cl)?;
                capability(ct, v, st, di, d);
                c += 2 + cl;
            }
        }
        off += 2 + pl;
    }
    Some(())
}

fn capability(t: u8, v: &[u8], st: &mut StreamState, di: usize, d: &mut Dissection) {
    match t {
        1 if v.len() == 4 => {
            d.push(
                &F_BGP_CAP_MP_AFI,
                Value::UInt(be16(v, 0).unwrap_or(0).into()),
            );
            d.push(&F_BGP_CAP_RESERVED, Value::Bytes(vec![v[2]]));
            d.push(&F_BGP_CAP_MP_SAFI, Value::UInt(v[3].into()));
        }
        65 if v.len() == 4 => {
            st.as4[di] = true;
            d.push(&F_BGP_CAP_4AS, Value::UInt(be32(v, 0).unwrap_or(0).into()));
        }
        69 => {
            for e in v.chunks_exact(4) {
                d.push(
                    &F_BGP_CAP_AP_AFI,
                    Value::UInt(u16::from_be_bytes([e[0], e[1]]).into()),
                );
                d.push(&F_BGP_CAP_AP_SAFI, Value::UInt(e[2].into()));
                d.push(&F_BGP_CAP_AP_SENDRECEIVE, Value::UInt(e[3].into()));
            }
        }
        _ => {}
    }
}

/// IPv4 prefixes (length byte, then the significant octets).
fn prefixes(
    mut b: &[u8],
    def: &'static crate::dissect::FieldDef,
    d: &mut Dissection,
) -> Option<()> {
    while let Some(&bits) = b.first() {
        if bits > 32 {
            return None;
        }
        let n = usize::from(bits).div_ceil(8);
        let p = b.get(1..1 + n)?;
        let mut a = [0u8; 4];
        a[..n].copy_from_slice(p);
        d.push(&F_BGP_PREFIX_LENGTH, Value::UInt(bits.into()));
        d.push(def, Value::Ipv4(a.into()));
        b = &b[1 + n..];
    }
    Some(())
}

/// True when the AS_PATH segments fill `v` exactly with `w`-byte ASNs.
fn as_path_fits(v: &[u8], w: usize) -> bool {
    let mut off = 0;
    while off < v.len() {
        if off + 2 > v.len() || !(1..=4).contains(&v[off]) {
            return false;
        }
        off += 2 + w * usize::from(v[off + 1]);
    }
    off == v.len()
}

fn update(b: &[u8], st: &StreamState, d: &mut Dissection) -> Option<()> {
    let wl = usize::from(be16(b, 0)?);
    d.push(
        &F_BGP_UPDATE_WITHDRAWN_ROUTES_LENGTH,
        Value::UInt(wl as u64),
    );
    prefixes(b.get(2..2 + wl)?, &F_BGP_WITHDRAWN_PREFIX, d)?;
    let al = usize::from(be16(b, 2 + wl)?);
    d.push(&F_BGP_UPDATE_PATH_ATTRIBUTES_LENGTH, Value::UInt(al as u64));
    let attrs = b.get(4 + wl..4 + wl + al)?;
    let mut off = 0;
    while off + 3 <= attrs.len() {
        let flags = attrs[off];
        let tc = attrs[off + 1];
        let ext = flags & 0x10 != 0;
        let (len, h) = if ext {
            (usize::from(be16(attrs, off + 2)?), 4)
        } else {
            (usize::from(attrs[off + 2]), 3)
        };
        d.push(
            &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS,
            Value::UInt(flags.into()),
        );
        d.push(
            &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_OPTIONAL,
            Value::Bool(flags & 0x80 != 0),
        );
        d.push(
            &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_TRANSITIVE,
            Value::Bool(flags & 0x40 != 0),
        );
        d.push(
            &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_PARTIAL,
            Value::Bool(flags & 0x20 != 0),
        );
        d.push(
            &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_EXTENDED_LENGTH,
            Value::Bool(ext),
        );
        d.push(
            &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_UNUSED,
            Value::UInt((flags & 0x0f).into()),
        );
        d.push(
            &F_BGP_UPDATE_PATH_ATTRIBUTE_TYPE_CODE,
            Value::UInt(tc.into()),
        );
        d.push(&F_BGP_UPDATE_PATH_ATTRIBUTE_LENGTH, Value::UInt(len as u64));
        let v = attrs.get(off + h..off + h + len)?;
        match tc {
            1 if len == 1 => d.push(
                &F_BGP_UPDATE_PATH_ATTRIBUTE_ORIGIN,
                Value::UInt(v[0].into()),
            ),
            2 | 17 => {
                let w = if tc == 17 || (st.as4[0] && st.as4[1]) {
                    4
                } else if as_path_fits(v, 2) {
                    2
                } else if as_path_fits(v, 4) {
                    4
                } else {
                    2
                };
                let mut s = 0;
                while s + 2 <= v.len() {
                    let n = usize::from(v[s + 1]);
                    d.push(
                        &F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_TYPE,
                        Value::UInt(v[s].into()),
                    );
                    d.push(
                        &F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_LENGTH,
                        Value::UInt(n as u64),
                    );
                    for i in 0..n {
                        let o = s + 2 + i * w;
                        if w == 4 {
                            let a = be32(v, o)?;
                            d.push(
                                &F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_AS4,
                                Value::UInt(a.into()),
                            );
                        } else {
                            let a = be16(v, o)?;
                            d.push(
                                &F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_AS2,
                                Value::UInt(a.into()),
                            );
                        }
                    }
                    s += 2 + n * w;
                }
            }
            3 if len == 4 => d.push(
                &F_BGP_UPDATE_PATH_ATTRIBUTE_NEXT_HOP,
                Value::Ipv4(ipv4(v, 0)?),
            ),
            4 if len == 4 => d.push(
                &F_BGP_UPDATE_PATH_ATTRIBUTE_MULTI_EXIT_DISC,
                Value::UInt(be32(v, 0)?.into()),
            ),
            5 if len == 4 => d.push(
                &F_BGP_UPDATE_PATH_ATTRIBUTE_LOCAL_PREF,
                Value::UInt(be32(v, 0)?.into()),
            ),
            _ => {}
        }
        off += h + len;
    }
    prefixes(b.get(4 + wl + al..)?, &F_BGP_NLRI_PREFIX, d)
}

fn notification(b: &[u8], d: &mut Dissection) -> Option<()> {
    let major = *b.first()?;
    d.push(&F_BGP_NOTIFY_MAJOR_ERROR, Value::UInt(major.into()));
    let minor = *b.get(1)?;
    let def = match major {
        1 => &F_BGP_NOTIFY_MINOR_ERROR,
        2 => &F_BGP_NOTIFY_MINOR_ERROR_OPEN,
        3 => &F_BGP_NOTIFY_MINOR_ERROR_UPDATE,
        4 => &F_BGP_NOTIFY_MINOR_ERROR_EXPIRED,
        5 => &F_BGP_NOTIFY_MINOR_ERROR_STATE,
        6 => &F_BGP_NOTIFY_MINOR_ERROR_CEASE,
        7 => &F_BGP_NOTIFY_MINOR_ERROR_CAPABILITY,
        _ => &F_BGP_NOTIFY_MINOR_ERROR_UNKNOWN,
    };
    d.push(def, Value::UInt(minor.into()));
    Some(())
}

fn route_refresh(b: &[u8], d: &mut Dissection) -> Option<()> {
    d.push(&F_BGP_ROUTE_REFRESH_AFI, Value::UInt(be16(b, 0)?.into()));
    d.push(
        &F_BGP_ROUTE_REFRESH_SUBTYPE,
        Value::UInt((*b.get(2)?).into()),
    );
    d.push(&F_BGP_ROUTE_REFRESH_SAFI, Value::UInt((*b.get(3)?).into()));
    Some(())
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_BGP = "bgp", Protocol, Base::Dec, "Border Gateway Protocol";
        F_BGP_MARKER = "bgp.marker", Bytes, Base::Dec, "Marker";
        F_BGP_LENGTH = "bgp.length", UInt, Base::Dec, "Length";
        F_BGP_TYPE = "bgp.type", UInt, Base::Dec, "Type";
        F_BGP_OPEN_VERSION = "bgp.open.version", UInt, Base::Dec, "Version";
        F_BGP_OPEN_MYAS = "bgp.open.myas", UInt, Base::Dec, "My AS";
        F_BGP_OPEN_HOLDTIME = "bgp.open.holdtime", UInt, Base::Dec, "Hold Time";
        F_BGP_OPEN_IDENTIFIER = "bgp.open.identifier", Ipv4, Base::Dec, "BGP Identifier";
        F_BGP_OPEN_OPT_LEN = "bgp.open.opt.len", UInt, Base::Dec, "Optional Parameters Length";
        F_BGP_OPEN_OPT_PARAM_TYPE = "bgp.open.opt.param.type", UInt, Base::Dec, "Parameter Type";
        F_BGP_OPEN_OPT_PARAM_LEN = "bgp.open.opt.param.len", UInt, Base::Dec, "Parameter Length";
        F_BGP_CAP_TYPE = "bgp.cap.type", UInt, Base::Dec, "Type";
        F_BGP_CAP_LENGTH = "bgp.cap.length", UInt, Base::Dec, "Length";
        F_BGP_CAP_MP_AFI = "bgp.cap.mp.afi", UInt, Base::Dec, "AFI";
        F_BGP_CAP_RESERVED = "bgp.cap.reserved", Bytes, Base::Dec, "Reserved";
        F_BGP_CAP_MP_SAFI = "bgp.cap.mp.safi", UInt, Base::Dec, "SAFI";
        F_BGP_CAP_4AS = "bgp.cap.4as", UInt, Base::Dec, "AS Number";
        F_BGP_CAP_AP_AFI = "bgp.cap.ap.afi", UInt, Base::Dec, "AFI";
        F_BGP_CAP_AP_SAFI = "bgp.cap.ap.safi", UInt, Base::Dec, "SAFI";
        F_BGP_CAP_AP_SENDRECEIVE = "bgp.cap.ap.sendreceive", UInt, Base::Dec, "Send/Receive";
        F_BGP_UPDATE_WITHDRAWN_ROUTES_LENGTH = "bgp.update.withdrawn_routes.length", UInt, Base::Dec, "Withdrawn Routes Length";
        F_BGP_WITHDRAWN_PREFIX = "bgp.withdrawn_prefix", Ipv4, Base::Dec, "Withdrawn prefix";
        F_BGP_UPDATE_PATH_ATTRIBUTES_LENGTH = "bgp.update.path_attributes.length", UInt, Base::Dec, "Total Path Attribute Length";
        F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS = "bgp.update.path_attribute.flags", UInt, Base::Hex(2), "Flags";
        F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_OPTIONAL = "bgp.update.path_attribute.flags.optional", Bool, Base::Dec, "Optional";
        F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_TRANSITIVE = "bgp.update.path_attribute.flags.transitive", Bool, Base::Dec, "Transitive";
        F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_PARTIAL = "bgp.update.path_attribute.flags.partial", Bool, Base::Dec, "Partial";
        F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_EXTENDED_LENGTH = "bgp.update.path_attribute.flags.extended_length", Bool, Base::Dec, "Extended-Length";
        F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_UNUSED = "bgp.update.path_attribute.flags.unused", UInt, Base::Hex(2), "Unused";
        F_BGP_UPDATE_PATH_ATTRIBUTE_TYPE_CODE = "bgp.update.path_attribute.type_code", UInt, Base::Dec, "Type Code";
        F_BGP_UPDATE_PATH_ATTRIBUTE_LENGTH = "bgp.update.path_attribute.length", UInt, Base::Dec, "Length";
        F_BGP_UPDATE_PATH_ATTRIBUTE_ORIGIN = "bgp.update.path_attribute.origin", UInt, Base::Dec, "Origin";
        F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_TYPE = "bgp.update.path_attribute.as_path_segment.type", UInt, Base::Dec, "Segment type";
        F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_LENGTH = "bgp.update.path_attribute.as_path_segment.length", UInt, Base::Dec, "Segment length (number of ASN)";
        F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_AS2 = "bgp.update.path_attribute.as_path_segment.as2", UInt, Base::Dec, "AS2";
        F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_AS4 = "bgp.update.path_attribute.as_path_segment.as4", UInt, Base::Dec, "AS4";
        F_BGP_UPDATE_PATH_ATTRIBUTE_NEXT_HOP = "bgp.update.path_attribute.next_hop", Ipv4, Base::Dec, "Next hop";
        F_BGP_UPDATE_PATH_ATTRIBUTE_MULTI_EXIT_DISC = "bgp.update.path_attribute.multi_exit_disc", UInt, Base::Dec, "Multiple exit discriminator";
        F_BGP_UPDATE_PATH_ATTRIBUTE_LOCAL_PREF = "bgp.update.path_attribute.local_pref", UInt, Base::Dec, "Local preference";
        F_BGP_PREFIX_LENGTH = "bgp.prefix_length", UInt, Base::Dec, "Prefix Length";
        F_BGP_NLRI_PREFIX = "bgp.nlri_prefix", Ipv4, Base::Dec, "NLRI prefix";
        F_BGP_NOTIFY_MAJOR_ERROR = "bgp.notify.major_error", UInt, Base::Dec, "Major error Code";
        F_BGP_NOTIFY_MINOR_ERROR_CEASE = "bgp.notify.minor_error_cease", UInt, Base::Dec, "Minor error Code (Cease)";
        F_BGP_NOTIFY_MINOR_ERROR_OPEN = "bgp.notify.minor_error_open", UInt, Base::Dec, "Minor error Code (Open Message)";
        F_BGP_NOTIFY_MINOR_ERROR_UPDATE = "bgp.notify.minor_error_update", UInt, Base::Dec, "Minor error Code (Update Message)";
        F_BGP_NOTIFY_MINOR_ERROR = "bgp.notify.minor_error", UInt, Base::Dec, "Minor error Code (Message Header)";
        F_BGP_NOTIFY_MINOR_ERROR_EXPIRED = "bgp.notify.minor_error_expired", UInt, Base::Dec, "Minor error Code (Hold Timer Expired)";
        F_BGP_NOTIFY_MINOR_ERROR_STATE = "bgp.notify.minor_error_state", UInt, Base::Dec, "Minor error Code (State Machine)";
        F_BGP_NOTIFY_MINOR_ERROR_CAPABILITY = "bgp.notify.minor_error_capability", UInt, Base::Dec, "Minor error Code (Capability Message)";
        F_BGP_NOTIFY_MINOR_ERROR_UNKNOWN = "bgp.notify.minor_error_unknown", UInt, Base::Dec, "Minor error Code (Unknown)";
        F_BGP_ROUTE_REFRESH_AFI = "bgp.route_refresh.afi", UInt, Base::Dec, "Address family identifier (AFI)";
        F_BGP_ROUTE_REFRESH_SUBTYPE = "bgp.route_refresh.subtype", UInt, Base::Dec, "Subtype";
        F_BGP_ROUTE_REFRESH_SAFI = "bgp.route_refresh.safi", UInt, Base::Dec, "Subsequent address family identifier (SAFI)";
    }
}
