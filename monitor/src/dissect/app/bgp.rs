//! BGP-4 (RFC 4271) over TCP 179: message header, OPEN with optional
//! parameters and capabilities (multiprotocol, 4-octet AS, ADD-PATH),
//! UPDATE with withdrawn routes, path attributes and NLRI, NOTIFICATION,
//! KEEPALIVE and ROUTE-REFRESH.

use super::util::{be16, be32, ipv4};
use super::Pdu;
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

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

    use crate::dissect::field::{Base, FieldDef, FieldType};

    pub static F_BGP_MARKER: FieldDef = FieldDef::new("bgp.marker", FieldType::Bytes, Base::Dec, "Marker");
    pub static F_BGP_LENGTH: FieldDef = FieldDef::new("bgp.length", FieldType::UInt, Base::Dec, "Length");
    pub static F_BGP_TYPE: FieldDef = FieldDef::new("bgp.type", FieldType::UInt, Base::Dec, "Type");
    pub static F_BGP_OPEN_VERSION: FieldDef = FieldDef::new("bgp.open.version", FieldType::UInt, Base::Dec, "Version");
    pub static F_BGP_OPEN_MYAS: FieldDef = FieldDef::new("bgp.open.myas", FieldType::UInt, Base::Dec, "My AS");
    pub static F_BGP_OPEN_HOLDTIME: FieldDef = FieldDef::new("bgp.open.holdtime", FieldType::UInt, Base::Dec, "Hold Time");
    pub static F_BGP_OPEN_IDENTIFIER: FieldDef = FieldDef::new("bgp.open.identifier", FieldType::Ipv4, Base::Dec, "BGP Identifier");
    pub static F_BGP_OPEN_OPT_LEN: FieldDef = FieldDef::new("bgp.open.opt.len", FieldType::UInt, Base::Dec, "Optional Parameters Length");
    pub static F_BGP_OPEN_OPT_PARAM_TYPE: FieldDef = FieldDef::new("bgp.open.opt.param.type", FieldType::UInt, Base::Dec, "Parameter Type");
    pub static F_BGP_OPEN_OPT_PARAM_LEN: FieldDef = FieldDef::new("bgp.open.opt.param.len", FieldType::UInt, Base::Dec, "Parameter Length");
    pub static F_BGP_CAP_TYPE: FieldDef = FieldDef::new("bgp.cap.type", FieldType::UInt, Base::Dec, "Type");
    pub static F_BGP_CAP_LENGTH: FieldDef = FieldDef::new("bgp.cap.length", FieldType::UInt, Base::Dec, "Length");
    pub static F_BGP_CAP_MP_AFI: FieldDef = FieldDef::new("bgp.cap.mp.afi", FieldType::UInt, Base::Dec, "AFI");
    pub static F_BGP_CAP_RESERVED: FieldDef = FieldDef::new("bgp.cap.reserved", FieldType::Bytes, Base::Dec, "Reserved");
    pub static F_BGP_CAP_MP_SAFI: FieldDef = FieldDef::new("bgp.cap.mp.safi", FieldType::UInt, Base::Dec, "SAFI");
    pub static F_BGP_CAP_4AS: FieldDef = FieldDef::new("bgp.cap.4as", FieldType::UInt, Base::Dec, "AS Number");
    pub static F_BGP_CAP_AP_AFI: FieldDef = FieldDef::new("bgp.cap.ap.afi", FieldType::UInt, Base::Dec, "AFI");
    pub static F_BGP_CAP_AP_SAFI: FieldDef = FieldDef::new("bgp.cap.ap.safi", FieldType::UInt, Base::Dec, "SAFI");
    pub static F_BGP_CAP_AP_SENDRECEIVE: FieldDef = FieldDef::new("bgp.cap.ap.sendreceive", FieldType::UInt, Base::Dec, "Send/Receive");
    pub static F_BGP_UPDATE_WITHDRAWN_ROUTES_LENGTH: FieldDef = FieldDef::new("bgp.update.withdrawn_routes.length", FieldType::UInt, Base::Dec, "Withdrawn Routes Length");
    pub static F_BGP_WITHDRAWN_PREFIX: FieldDef = FieldDef::new("bgp.withdrawn_prefix", FieldType::Ipv4, Base::Dec, "Withdrawn prefix");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTES_LENGTH: FieldDef = FieldDef::new("bgp.update.path_attributes.length", FieldType::UInt, Base::Dec, "Total Path Attribute Length");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS: FieldDef = FieldDef::new("bgp.update.path_attribute.flags", FieldType::UInt, Base::Hex(2), "Flags");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_OPTIONAL: FieldDef = FieldDef::new("bgp.update.path_attribute.flags.optional", FieldType::Bool, Base::Dec, "Optional");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_TRANSITIVE: FieldDef = FieldDef::new("bgp.update.path_attribute.flags.transitive", FieldType::Bool, Base::Dec, "Transitive");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_PARTIAL: FieldDef = FieldDef::new("bgp.update.path_attribute.flags.partial", FieldType::Bool, Base::Dec, "Partial");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_EXTENDED_LENGTH: FieldDef = FieldDef::new("bgp.update.path_attribute.flags.extended_length", FieldType::Bool, Base::Dec, "Extended-Length");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_UNUSED: FieldDef = FieldDef::new("bgp.update.path_attribute.flags.unused", FieldType::UInt, Base::Hex(2), "Unused");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_TYPE_CODE: FieldDef = FieldDef::new("bgp.update.path_attribute.type_code", FieldType::UInt, Base::Dec, "Type Code");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_LENGTH: FieldDef = FieldDef::new("bgp.update.path_attribute.length", FieldType::UInt, Base::Dec, "Length");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_ORIGIN: FieldDef = FieldDef::new("bgp.update.path_attribute.origin", FieldType::UInt, Base::Dec, "Origin");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_TYPE: FieldDef = FieldDef::new("bgp.update.path_attribute.as_path_segment.type", FieldType::UInt, Base::Dec, "Segment type");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_LENGTH: FieldDef = FieldDef::new("bgp.update.path_attribute.as_path_segment.length", FieldType::UInt, Base::Dec, "Segment length (number of ASN)");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_AS2: FieldDef = FieldDef::new("bgp.update.path_attribute.as_path_segment.as2", FieldType::UInt, Base::Dec, "AS2");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_AS4: FieldDef = FieldDef::new("bgp.update.path_attribute.as_path_segment.as4", FieldType::UInt, Base::Dec, "AS4");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_NEXT_HOP: FieldDef = FieldDef::new("bgp.update.path_attribute.next_hop", FieldType::Ipv4, Base::Dec, "Next hop");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_MULTI_EXIT_DISC: FieldDef = FieldDef::new("bgp.update.path_attribute.multi_exit_disc", FieldType::UInt, Base::Dec, "Multiple exit discriminator");
    pub static F_BGP_UPDATE_PATH_ATTRIBUTE_LOCAL_PREF: FieldDef = FieldDef::new("bgp.update.path_attribute.local_pref", FieldType::UInt, Base::Dec, "Local preference");
    pub static F_BGP_PREFIX_LENGTH: FieldDef = FieldDef::new("bgp.prefix_length", FieldType::UInt, Base::Dec, "Prefix Length");
    pub static F_BGP_NLRI_PREFIX: FieldDef = FieldDef::new("bgp.nlri_prefix", FieldType::Ipv4, Base::Dec, "NLRI prefix");
    pub static F_BGP_NOTIFY_MAJOR_ERROR: FieldDef = FieldDef::new("bgp.notify.major_error", FieldType::UInt, Base::Dec, "Major error Code");
    pub static F_BGP_NOTIFY_MINOR_ERROR_CEASE: FieldDef = FieldDef::new("bgp.notify.minor_error_cease", FieldType::UInt, Base::Dec, "Minor error Code (Cease)");
    pub static F_BGP_NOTIFY_MINOR_ERROR_OPEN: FieldDef = FieldDef::new("bgp.notify.minor_error_open", FieldType::UInt, Base::Dec, "Minor error Code (Open Message)");
    pub static F_BGP_NOTIFY_MINOR_ERROR_UPDATE: FieldDef = FieldDef::new("bgp.notify.minor_error_update", FieldType::UInt, Base::Dec, "Minor error Code (Update Message)");
    pub static F_BGP_NOTIFY_MINOR_ERROR: FieldDef = FieldDef::new("bgp.notify.minor_error", FieldType::UInt, Base::Dec, "Minor error Code (Message Header)");
    pub static F_BGP_NOTIFY_MINOR_ERROR_EXPIRED: FieldDef = FieldDef::new("bgp.notify.minor_error_expired", FieldType::UInt, Base::Dec, "Minor error Code (Hold Timer Expired)");
    pub static F_BGP_NOTIFY_MINOR_ERROR_STATE: FieldDef = FieldDef::new("bgp.notify.minor_error_state", FieldType::UInt, Base::Dec, "Minor error Code (State Machine)");
    pub static F_BGP_NOTIFY_MINOR_ERROR_CAPABILITY: FieldDef = FieldDef::new("bgp.notify.minor_error_capability", FieldType::UInt, Base::Dec, "Minor error Code (Capability Message)");
    pub static F_BGP_NOTIFY_MINOR_ERROR_UNKNOWN: FieldDef = FieldDef::new("bgp.notify.minor_error_unknown", FieldType::UInt, Base::Dec, "Minor error Code (Unknown)");
    pub static F_BGP_ROUTE_REFRESH_AFI: FieldDef = FieldDef::new("bgp.route_refresh.afi", FieldType::UInt, Base::Dec, "Address family identifier (AFI)");
    pub static F_BGP_ROUTE_REFRESH_SUBTYPE: FieldDef = FieldDef::new("bgp.route_refresh.subtype", FieldType::UInt, Base::Dec, "Subtype");
    pub static F_BGP_ROUTE_REFRESH_SAFI: FieldDef = FieldDef::new("bgp.route_refresh.safi", FieldType::UInt, Base::Dec, "Subsequent address family identifier (SAFI)");

    /// Every field of this dissector.
    pub static FIELDS: &[&FieldDef] = &[
        &F_BGP_MARKER,
        &F_BGP_LENGTH,
        &F_BGP_TYPE,
        &F_BGP_OPEN_VERSION,
        &F_BGP_OPEN_MYAS,
        &F_BGP_OPEN_HOLDTIME,
        &F_BGP_OPEN_IDENTIFIER,
        &F_BGP_OPEN_OPT_LEN,
        &F_BGP_OPEN_OPT_PARAM_TYPE,
        &F_BGP_OPEN_OPT_PARAM_LEN,
        &F_BGP_CAP_TYPE,
        &F_BGP_CAP_LENGTH,
        &F_BGP_CAP_MP_AFI,
        &F_BGP_CAP_RESERVED,
        &F_BGP_CAP_MP_SAFI,
        &F_BGP_CAP_4AS,
        &F_BGP_CAP_AP_AFI,
        &F_BGP_CAP_AP_SAFI,
        &F_BGP_CAP_AP_SENDRECEIVE,
        &F_BGP_UPDATE_WITHDRAWN_ROUTES_LENGTH,
        &F_BGP_WITHDRAWN_PREFIX,
        &F_BGP_UPDATE_PATH_ATTRIBUTES_LENGTH,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_OPTIONAL,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_TRANSITIVE,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_PARTIAL,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_EXTENDED_LENGTH,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_FLAGS_UNUSED,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_TYPE_CODE,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_LENGTH,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_ORIGIN,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_TYPE,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_LENGTH,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_AS2,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_AS_PATH_SEGMENT_AS4,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_NEXT_HOP,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_MULTI_EXIT_DISC,
        &F_BGP_UPDATE_PATH_ATTRIBUTE_LOCAL_PREF,
        &F_BGP_PREFIX_LENGTH,
        &F_BGP_NLRI_PREFIX,
        &F_BGP_NOTIFY_MAJOR_ERROR,
        &F_BGP_NOTIFY_MINOR_ERROR_CEASE,
        &F_BGP_NOTIFY_MINOR_ERROR_OPEN,
        &F_BGP_NOTIFY_MINOR_ERROR_UPDATE,
        &F_BGP_NOTIFY_MINOR_ERROR,
        &F_BGP_NOTIFY_MINOR_ERROR_EXPIRED,
        &F_BGP_NOTIFY_MINOR_ERROR_STATE,
        &F_BGP_NOTIFY_MINOR_ERROR_CAPABILITY,
        &F_BGP_NOTIFY_MINOR_ERROR_UNKNOWN,
        &F_BGP_ROUTE_REFRESH_AFI,
        &F_BGP_ROUTE_REFRESH_SUBTYPE,
        &F_BGP_ROUTE_REFRESH_SAFI,
    ];
}
