//! ICMPv6: echo, error messages (with the quoted packet), neighbour
//! discovery (RS/RA/NS/NA/redirect and their options) and MLD v1/v2.

use std::net::{IpAddr, Ipv6Addr};

use super::icmp::{fold, inet_sum};
use super::pipeline::{Cx, Pipeline};
use super::Layer;
use super::{Base, Value};

fields! {
    ICMPV6 = "icmpv6", Protocol, Base::Dec, "Internet Control Message Protocol v6";
    T = "icmpv6.type", UInt, Base::Dec, "Type";
    C = "icmpv6.code", UInt, Base::Dec, "Code";
    CK = "icmpv6.checksum", UInt, Base::Hex(4), "Checksum";
    CK_STATUS = "icmpv6.checksum.status", UInt, Base::Dec, "Checksum Status";
    RESERVED = "icmpv6.reserved", Bytes, Base::Dec, "Reserved";
    MTU = "icmpv6.mtu", UInt, Base::Dec, "MTU";
    POINTER = "icmpv6.pointer", UInt, Base::Dec, "Pointer";
    ECHO_ID = "icmpv6.echo.identifier", UInt, Base::Hex(4), "Identifier";
    ECHO_SEQ = "icmpv6.echo.sequence_number", UInt, Base::Dec, "Sequence";
    RESP_TO = "icmpv6.resp_to", FrameNum, Base::Dec, "Response To";
    RESPTIME = "icmpv6.resptime", Float, Base::Dec, "Response Time";
    NS_TARGET = "icmpv6.nd.ns.target_address", Ipv6, Base::Dec, "Target Address";
    NA_FLAG = "icmpv6.nd.na.flag", UInt, Base::Hex(8), "Flags";
    NA_R = "icmpv6.nd.na.flag.r", Bool, Base::Dec, "Router";
    NA_S = "icmpv6.nd.na.flag.s", Bool, Base::Dec, "Solicited";
    NA_O = "icmpv6.nd.na.flag.o", Bool, Base::Dec, "Override";
    NA_RSV = "icmpv6.nd.na.flag.rsv", UInt, Base::Dec, "Reserved";
    NA_TARGET = "icmpv6.nd.na.target_address", Ipv6, Base::Dec, "Target Address";
    RA_HOP = "icmpv6.nd.ra.cur_hop_limit", UInt, Base::Dec, "Cur hop limit";
    RA_FLAG = "icmpv6.nd.ra.flag", UInt, Base::Hex(2), "Flags";
    RA_M = "icmpv6.nd.ra.flag.m", Bool, Base::Dec, "Managed address configuration";
    RA_O = "icmpv6.nd.ra.flag.o", Bool, Base::Dec, "Other configuration";
    RA_H = "icmpv6.nd.ra.flag.h", Bool, Base::Dec, "Home Agent";
    RA_PRF = "icmpv6.nd.ra.flag.prf", UInt, Base::Dec, "Prf (Default Router Preference)";
    RA_P = "icmpv6.nd.ra.flag.p", Bool, Base::Dec, "ND Proxy";
    RA_RSV = "icmpv6.nd.ra.flag.rsv", UInt, Base::Dec, "Reserved";
    RA_LIFETIME = "icmpv6.nd.ra.router_lifetime", UInt, Base::Dec, "Router lifetime (s)";
    RA_REACHABLE = "icmpv6.nd.ra.reachable_time", UInt, Base::Dec, "Reachable time (ms)";
    RA_RETRANS = "icmpv6.nd.ra.retrans_timer", UInt, Base::Dec, "Retrans timer (ms)";
    RD_TARGET = "icmpv6.nd.rd.target_address", Ipv6, Base::Dec, "Target Address";
    RD_DST = "icmpv6.rd.na.destination_address", Ipv6, Base::Dec, "Destination Address";
    OPT_TYPE = "icmpv6.opt.type", UInt, Base::Dec, "Type";
    OPT_LENGTH = "icmpv6.opt.length", UInt, Base::Dec, "Length";
    OPT_LINKADDR = "icmpv6.opt.linkaddr", Ether, Base::Dec, "Link-layer address";
    OPT_SRC_LINKADDR = "icmpv6.opt.src_linkaddr", Ether, Base::Dec, "Source Link-layer address";
    OPT_TARGET_LINKADDR = "icmpv6.opt.target_linkaddr", Ether, Base::Dec, "Target Link-layer address";
    OPT_MTU = "icmpv6.opt.mtu", UInt, Base::Dec, "MTU";
    OPT_PREFIX_LENGTH = "icmpv6.opt.prefix.length", UInt, Base::Dec, "Prefix Length";
    OPT_PREFIX_FLAG = "icmpv6.opt.prefix.flag", UInt, Base::Hex(2), "Flag";
    OPT_PREFIX_L = "icmpv6.opt.prefix.flag.l", Bool, Base::Dec, "On-link flag(L)";
    OPT_PREFIX_A = "icmpv6.opt.prefix.flag.a", Bool, Base::Dec, "Autonomous address-configuration flag(A)";
    OPT_PREFIX_R = "icmpv6.opt.prefix.flag.r", Bool, Base::Dec, "Router address flag(R)";
    OPT_PREFIX_RESERVED = "icmpv6.opt.prefix.flag.reserved", UInt, Base::Dec, "Reserved";
    OPT_ADV_INTERVAL = "icmpv6.opt.advertisement_interval", UInt, Base::Dec, "Advertisement Interval";
    OPT_HA_PREFERENCE = "icmpv6.opt.home_agent_preference", UInt, Base::Dec, "Home Agent Preference";
    OPT_HA_LIFETIME = "icmpv6.opt.home_agent_lifetime", UInt, Base::Dec, "Home Agent Lifetime";
    OPT_DNSSL_LIFETIME = "icmpv6.opt.dnssl.lifetime", UInt, Base::Dec, "Lifetime";
    OPT_DNSSL = "icmpv6.opt.dnssl", String, Base::Dec, "Domain Names";
    OPT_PREFIX_VALID = "icmpv6.opt.prefix.valid_lifetime", UInt, Base::Dec, "Valid Lifetime";
    OPT_PREFIX_PREFERRED = "icmpv6.opt.prefix.preferred_lifetime", UInt, Base::Dec, "Preferred Lifetime";
    OPT_PREFIX = "icmpv6.opt.prefix", Ipv6, Base::Dec, "Prefix";
    OPT_RDNSS_LIFETIME = "icmpv6.opt.rdnss.lifetime", UInt, Base::Dec, "Lifetime";
    OPT_RDNSS = "icmpv6.opt.rdnss", Ipv6, Base::Dec, "Recursive DNS Servers";
    MLD_MRD = "icmpv6.mld.maximum_response_delay", UInt, Base::Dec, "Maximum Response Delay [ms]";
    MLD_MRC = "icmpv6.mld.maximum_response_code", UInt, Base::Dec, "Maximum Response Code";
    MLD_ADDR = "icmpv6.mld.multicast_address", Ipv6, Base::Dec, "Multicast Address";
    MLD_FLAG = "icmpv6.mld.flag", UInt, Base::Hex(2), "Flags";
    MLD_S = "icmpv6.mld.flag.s", Bool, Base::Dec, "Suppress Router-Side Processing";
    MLD_QRV = "icmpv6.mld.flag.qrv", UInt, Base::Dec, "QRV (Querier's Robustness Variable)";
    MLD_QQI = "icmpv6.mld.qqi", UInt, Base::Dec, "QQIC (Querier's Query Interval Code)";
    MLD_NB_SOURCES = "icmpv6.mld.nb_sources", UInt, Base::Dec, "Number of Sources";
    MLDR_NB = "icmpv6.mldr.nb_mcast_records", UInt, Base::Dec, "Number of Multicast Address Records";
    MAR_TYPE = "icmpv6.mldr.mar.record_type", UInt, Base::Dec, "Record Type";
    MAR_AUX = "icmpv6.mldr.mar.aux_data_len", UInt, Base::Dec, "Aux Data Len";
    MAR_NB_SOURCES = "icmpv6.mldr.mar.nb_sources", UInt, Base::Dec, "Number of Sources";
    MAR_ADDR = "icmpv6.mldr.mar.multicast_address", Ipv6, Base::Dec, "Multicast Address";
    MAR_SOURCE = "icmpv6.mldr.mar.source_address", Ipv6, Base::Dec, "Source Address";
}

fn a6(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    Ipv6Addr::from(a)
}

fn u32be(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// The Info text of a message of type `t` and code `c` (`None` when the
/// code was not captured: tshark shows the type as soon as it has read it,
/// and adds the code's text once it has read that).
fn type_text(t: u8, c: Option<u8>) -> String {
    match (t, c) {
        (1, None) => "Destination Unreachable".into(),
        (1, Some(c)) => format!("Destination Unreachable (code {c})"),
        (2, _) => "Packet Too Big".into(),
        (3, Some(0)) => "Time Exceeded (hop limit exceeded in transit)".into(),
        (3, Some(1)) => "Time Exceeded (fragment reassembly time exceeded)".into(),
        (3, _) => "Time Exceeded".into(),
        (4, _) => "Parameter Problem".into(),
        (128, _) => "Echo (ping) request".into(),
        (129, _) => "Echo (ping) reply".into(),
        (130, _) => "Multicast Listener Query".into(),
        (131, _) => "Multicast Listener Report".into(),
        (132, _) => "Multicast Listener Done".into(),
        (133, _) => "Router Solicitation".into(),
        (134, _) => "Router Advertisement".into(),
        (135, _) => "Neighbor Solicitation".into(),
        (136, _) => "Neighbor Advertisement".into(),
        (137, _) => "Redirect".into(),
        (143, _) => "Multicast Listener Report Message v2".into(),
        (_, _) => format!("Unknown ICMPv6 type {t}"),
    }
}

impl Pipeline {
    /// Dissect an ICMPv6 message.
    pub(crate) fn icmpv6(
        &mut self,
        cx: &mut Cx<'_>,
        src: IpAddr,
        dst: IpAddr,
        p: &[u8],
        reported: usize,
        hlim: u8,
    ) {
        cx.proto_bytes(&ICMPV6, "icmpv6", p);
        // tshark names the layer before any read, then shows the type and
        // its code as it reads them.
        cx.set_columns("ICMPv6");
        if let (0, true, Some(&t)) = (cx.depth, cx.wants_columns(), p.first()) {
            cx.d.info = type_text(t, p.get(1).copied());
        }
        if p.len() < 4 {
            cx.malformed(Layer::Transport);
            return;
        }
        let (t, c) = (p[0], p[1]);
        cx.d.push(&T, Value::UInt(t.into()));
        cx.d.push(&C, Value::UInt(c.into()));
        cx.d.push(&CK, Value::UInt(u16::from_be_bytes([p[2], p[3]]).into()));
        let status = checksum_status(src, dst, p, reported, cx.depth);
        cx.d.push(&CK_STATUS, Value::UInt(status));
        if p.len() < 8 {
            // Show what the captured bytes hold of the fixed part.
            if t == 134 && p.len() >= 5 {
                cx.d.push(&RA_HOP, Value::UInt(p[4].into()));
            }
            if t == 134 && p.len() >= 6 {
                push_ra_flags(cx, p[5]);
            }
            if (130..=132).contains(&t) && p.len() >= 6 {
                cx.d.push(
                    &MLD_MRD,
                    Value::UInt(u16::from_be_bytes([p[4], p[5]]).into()),
                );
            }
            cx.malformed(Layer::Transport);
            return;
        }
        let body = &p[8..];
        if p.len() < reported && matches!(t, 130..=137 | 143) {
            // tshark reads these messages to their end on the wire (the
            // multicast records, the neighbor discovery options), so the
            // snapshot length ends their dissection.
            cx.malformed(Layer::Transport);
        }
        match t {
            1..=4 => {
                match t {
                    2 => cx.d.push(&MTU, Value::UInt(u32be(&p[4..]).into())),
                    4 => cx.d.push(&POINTER, Value::UInt(u32be(&p[4..]).into())),
                    _ => cx.d.push(&RESERVED, Value::Bytes(p[4..8].to_vec())),
                }
                if cx.depth < 2 {
                    cx.depth += 1;
                    self.ipv6(cx, body);
                    cx.depth -= 1;
                }
            }
            128 | 129 => self.icmpv6_echo(cx, src, dst, p, hlim),
            130..=132 => mld(cx, t, p),
            143 => mldv2_report(cx, p),
            133 => {
                cx.d.push(&RESERVED, Value::Bytes(p[4..8].to_vec()));
                self.nd_options(cx, body);
            }
            134 => self.router_advertisement(cx, p),
            135 | 136 => self.neighbor(cx, t, p),
            137 => self.redirect(cx, p),
            _ => self.data(cx, body),
        }
    }

    /// Echo request and reply (types 128, 129): identifier, sequence
    /// number, the matching request or reply, and the Info column.
    fn icmpv6_echo(&mut self, cx: &mut Cx<'_>, src: IpAddr, dst: IpAddr, p: &[u8], hlim: u8) {
        let (t, c) = (p[0], p[1]);
        let id = u16::from_be_bytes([p[4], p[5]]);
        let seq = u16::from_be_bytes([p[6], p[7]]);
        cx.d.push(&ECHO_ID, Value::UInt(id.into()));
        cx.d.push(&ECHO_SEQ, Value::UInt(seq.into()));
        if cx.depth == 0 {
            let mut info = format!(
                "{} id={id:#06x}, seq={seq}, hop limit={hlim}",
                type_text(t, Some(c))
            );
            if let Some(f) = self.echo_match(t == 128, src, dst, id, seq, cx.frame, cx.ts_ns) {
                cx.d.push(&RESP_TO, Value::UInt(f.0));
                cx.d.push(&RESPTIME, Value::Float(f.1));
                info.push_str(&format!(" (request in {})", f.0));
            }
            cx.d.info = info;
        }
        self.data(cx, &p[8..]);
    }

    /// Router advertisement (type 134): hop limit, flags, lifetimes, then
    /// the neighbor discovery options.
    fn router_advertisement(&mut self, cx: &mut Cx<'_>, p: &[u8]) {
        cx.d.push(&RA_HOP, Value::UInt(p[4].into()));
        push_ra_flags(cx, p[5]);
        cx.d.push(
            &RA_LIFETIME,
            Value::UInt(u16::from_be_bytes([p[6], p[7]]).into()),
        );
        if p.len() < 16 {
            cx.malformed(Layer::Transport);
            return;
        }
        cx.d.push(&RA_REACHABLE, Value::UInt(u32be(&p[8..]).into()));
        cx.d.push(&RA_RETRANS, Value::UInt(u32be(&p[12..]).into()));
        self.nd_options(cx, &p[16..]);
    }

    /// Neighbor solicitation (135) and advertisement (136): flags, target,
    /// the Info column, then the options.
    fn neighbor(&mut self, cx: &mut Cx<'_>, t: u8, p: &[u8]) {
        if p.len() < 24 {
            cx.malformed(Layer::Transport);
            return;
        }
        let target = a6(&p[8..]);
        if t == 135 {
            cx.d.push(&RESERVED, Value::Bytes(p[4..8].to_vec()));
            cx.d.push(&NS_TARGET, Value::Ipv6(target));
            if cx.depth == 0 {
                cx.d.info = format!("Neighbor Solicitation for {target}");
            }
        } else {
            let fl = u32be(&p[4..]);
            cx.d.push(&NA_FLAG, Value::UInt(fl.into()));
            cx.d.push(&NA_R, Value::Bool(fl & 0x8000_0000 != 0));
            cx.d.push(&NA_S, Value::Bool(fl & 0x4000_0000 != 0));
            cx.d.push(&NA_O, Value::Bool(fl & 0x2000_0000 != 0));
            cx.d.push(&NA_RSV, Value::UInt((fl & 0x1fff_ffff).into()));
            cx.d.push(&NA_TARGET, Value::Ipv6(target));
            if cx.depth == 0 {
                let names: Vec<&str> = [
                    (0x8000_0000u32, "rtr"),
                    (0x4000_0000, "sol"),
                    (0x2000_0000, "ovr"),
                ]
                .iter()
                .filter(|(b, _)| fl & b != 0)
                .map(|(_, n)| *n)
                .collect();
                cx.d.info = if names.is_empty() {
                    format!("Neighbor Advertisement {target}")
                } else {
                    format!("Neighbor Advertisement {target} ({})", names.join(", "))
                };
            }
        }
        self.nd_options(cx, &p[24..]);
    }

    /// Redirect (type 137): target and destination, then the options.
    fn redirect(&mut self, cx: &mut Cx<'_>, p: &[u8]) {
        if p.len() < 40 {
            cx.malformed(Layer::Transport);
            return;
        }
        cx.d.push(&RESERVED, Value::Bytes(p[4..8].to_vec()));
        cx.d.push(&RD_TARGET, Value::Ipv6(a6(&p[8..])));
        cx.d.push(&RD_DST, Value::Ipv6(a6(&p[24..])));
        self.nd_options(cx, &p[40..]);
    }

    fn nd_options(&mut self, cx: &mut Cx<'_>, mut o: &[u8]) {
        while o.len() >= 2 {
            let (t, l) = (o[0], o[1]);
            cx.d.push(&OPT_TYPE, Value::UInt(t.into()));
            cx.d.push(&OPT_LENGTH, Value::UInt(l.into()));
            let len = usize::from(l) * 8;
            if len == 0 || len > o.len() {
                cx.malformed(Layer::Transport);
                return;
            }
            let v = &o[2..len];
            match t {
                1 | 2 if v.len() >= 6 => {
                    let m = super::eth::mac(v);
                    if cx.depth == 0 {
                        cx.d.info
                            .push_str(if t == 1 { " from " } else { " is at " });
                        cx.d.info.push_str(&super::eth::fmt_mac(v));
                    }
                    cx.d.push(&OPT_LINKADDR, Value::Ether(m));
                    cx.d.push(
                        if t == 1 {
                            &OPT_SRC_LINKADDR
                        } else {
                            &OPT_TARGET_LINKADDR
                        },
                        Value::Ether(m),
                    );
                }
                3 if v.len() >= 30 => {
                    cx.d.push(&OPT_PREFIX_LENGTH, Value::UInt(v[0].into()));
                    let fl = v[1];
                    cx.d.push(&OPT_PREFIX_FLAG, Value::UInt(fl.into()));
                    cx.d.push(&OPT_PREFIX_L, Value::Bool(fl & 0x80 != 0));
                    cx.d.push(&OPT_PREFIX_A, Value::Bool(fl & 0x40 != 0));
                    cx.d.push(&OPT_PREFIX_R, Value::Bool(fl & 0x20 != 0));
                    cx.d.push(&OPT_PREFIX_RESERVED, Value::UInt((fl & 0x1f).into()));
                    cx.d.push(&OPT_PREFIX_VALID, Value::UInt(u32be(&v[2..]).into()));
                    cx.d.push(&OPT_PREFIX_PREFERRED, Value::UInt(u32be(&v[6..]).into()));
                    cx.d.push(&OPT_PREFIX, Value::Ipv6(a6(&v[14..])));
                }
                5 if v.len() >= 6 => cx.d.push(&OPT_MTU, Value::UInt(u32be(&v[2..]).into())),
                7 if v.len() >= 6 => {
                    cx.d.push(&OPT_ADV_INTERVAL, Value::UInt(u32be(&v[2..]).into()))
                }
                8 if v.len() >= 6 => {
                    let pref = u16::from_be_bytes([v[2], v[3]]);
                    let life = u16::from_be_bytes([v[4], v[5]]);
                    cx.d.push(&OPT_HA_PREFERENCE, Value::UInt(pref.into()));
                    cx.d.push(&OPT_HA_LIFETIME, Value::UInt(life.into()));
                }
                31 if v.len() >= 6 => {
                    cx.d.push(&OPT_DNSSL_LIFETIME, Value::UInt(u32be(&v[2..]).into()));
                    let mut n = &v[6..];
                    while !n.is_empty() && n[0] != 0 {
                        let mut name = String::new();
                        while let Some(&l) = n.first() {
                            let l = usize::from(l);
                            if l == 0 || l + 1 > n.len() {
                                n = n.get(1..).unwrap_or(&[]);
                                break;
                            }
                            if !name.is_empty() {
                                name.push('.');
                            }
                            name.push_str(&String::from_utf8_lossy(&n[1..1 + l]));
                            n = &n[1 + l..];
                        }
                        cx.d.push(&OPT_DNSSL, Value::Str(name));
                    }
                }
                25 if v.len() >= 6 => {
                    cx.d.push(&OPT_RDNSS_LIFETIME, Value::UInt(u32be(&v[2..]).into()));
                    for a in v[6..].chunks_exact(16) {
                        cx.d.push(&OPT_RDNSS, Value::Ipv6(a6(a)));
                    }
                }
                _ => {}
            }
            o = &o[len..];
        }
    }
}

/// `icmpv6.checksum.status`: 1 good, 0 bad, 2 not verified (cut by the
/// snapshot length, or inside an ICMPv6 error).
fn checksum_status(src: IpAddr, dst: IpAddr, p: &[u8], reported: usize, depth: u8) -> u64 {
    match (src, dst) {
        (IpAddr::V6(s), IpAddr::V6(d)) if p.len() >= reported && depth == 0 => {
            let mut sum = inet_sum(0, &s.octets());
            sum = inet_sum(sum, &d.octets());
            sum += (p.len() as u32 >> 16) + (p.len() as u32 & 0xffff) + 58;
            u64::from(fold(inet_sum(sum, p)) == 0)
        }
        _ => 2,
    }
}

/// The router advertisement flags byte and its bits.
fn push_ra_flags(cx: &mut Cx<'_>, fl: u8) {
    cx.d.push(&RA_FLAG, Value::UInt(fl.into()));
    cx.d.push(&RA_M, Value::Bool(fl & 0x80 != 0));
    cx.d.push(&RA_O, Value::Bool(fl & 0x40 != 0));
    cx.d.push(&RA_H, Value::Bool(fl & 0x20 != 0));
    cx.d.push(&RA_PRF, Value::UInt(((fl >> 3) & 3).into()));
    cx.d.push(&RA_P, Value::Bool(fl & 4 != 0));
    cx.d.push(&RA_RSV, Value::UInt((fl & 3).into()));
}

/// Multicast listener query, report and done (types 130–132; a query of
/// 28 bytes or more is MLDv2).
fn mld(cx: &mut Cx<'_>, t: u8, p: &[u8]) {
    let mrc = u16::from_be_bytes([p[4], p[5]]);
    if t == 130 && p.len() >= 28 {
        cx.d.push(&MLD_MRC, Value::UInt(mrc.into()));
        cx.d.push(&RESERVED, Value::Bytes(p[6..8].to_vec()));
        cx.d.push(&MLD_ADDR, Value::Ipv6(a6(&p[8..])));
        let fl = p[24];
        cx.d.push(&MLD_FLAG, Value::UInt(fl.into()));
        cx.d.push(&MLD_S, Value::Bool(fl & 8 != 0));
        cx.d.push(&MLD_QRV, Value::UInt((fl & 7).into()));
        cx.d.push(&MLD_QQI, Value::UInt(p[25].into()));
        cx.d.push(
            &MLD_NB_SOURCES,
            Value::UInt(u16::from_be_bytes([p[26], p[27]]).into()),
        );
    } else {
        cx.d.push(&MLD_MRD, Value::UInt(mrc.into()));
        cx.d.push(&RESERVED, Value::Bytes(p[6..8].to_vec()));
        if p.len() >= 24 {
            cx.d.push(&MLD_ADDR, Value::Ipv6(a6(&p[8..])));
        }
    }
}

/// MLDv2 report (type 143): each multicast address record and its sources.
fn mldv2_report(cx: &mut Cx<'_>, p: &[u8]) {
    let body = &p[8..];
    cx.d.push(&RESERVED, Value::Bytes(p[4..6].to_vec()));
    let n = u16::from_be_bytes([p[6], p[7]]);
    cx.d.push(&MLDR_NB, Value::UInt(n.into()));
    let mut r = body;
    for _ in 0..n {
        if r.len() < 20 {
            cx.malformed(Layer::Transport);
            break;
        }
        let ns = usize::from(u16::from_be_bytes([r[2], r[3]]));
        cx.d.push(&MAR_TYPE, Value::UInt(r[0].into()));
        cx.d.push(&MAR_AUX, Value::UInt(r[1].into()));
        cx.d.push(&MAR_NB_SOURCES, Value::UInt(ns as u64));
        cx.d.push(&MAR_ADDR, Value::Ipv6(a6(&r[4..])));
        let len = 20 + ns * 16 + usize::from(r[1]) * 4;
        for i in 0..ns {
            if let Some(s) = r.get(20 + i * 16..36 + i * 16) {
                cx.d.push(&MAR_SOURCE, Value::Ipv6(a6(s)));
            }
        }
        r = r.get(len..).unwrap_or(&[]);
    }
}
