//! The kernel-decidable part of a filter.
//!
//! Negations are pushed to the leaves; every comparison on a header field
//! the kernel program can read at a fixed place (Ethernet, VLAN, IPv4/IPv6
//! addresses, protocol, TTL, ports, TCP flags and length, ICMP type/code,
//! frame length, protocol presence) becomes a predicate node, every other
//! leaf becomes "true". The result is a forward-only decision graph whose
//! verdict accepts a superset of what the exact filter accepts, and exactly
//! the same set when no leaf had to be dropped ([`KernelPlan::exact`]).
//!
//! Verdicts are defined over the outermost headers ([`KernelPacket`]).
//! Packets whose dissection the outer headers do not determine are flagged
//! [`KernelPacket::nested`]: ICMP/ICMPv6 errors and tunnels (the dissector
//! reports the inner headers' fields too), IPv4/IPv6 fragments (tshark
//! shows the transport layer only on the reassembled frame), and IPv6
//! extension headers the kernel does not walk. An exact plan sends them to
//! [`Target::Candidate`]: counted apart and decided by the exact filter in
//! user space, never counted as matches. A superset plan accepts them.
//!
//! Leaves the kernel cannot evaluate still narrow the plan where their
//! field implies something the kernel reads: an `http…` field needs a TCP
//! segment with payload (or UDP), a `tcp…` field a TCP header, and so on
//! (`implied`).

mod nodes;

pub use nodes::{check_filter, kernel_rule, nested_rule, translate};

use super::check::{Dyn, Func, Node, Rel, Val};
use crate::dissect::FieldDef;
use std::fmt;

/// A header value the kernel program reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KField {
    /// The packet has headers beyond the outermost ones (always checked first).
    Nested,
    /// Frame length on the wire.
    FrameLen,
    /// Ethernet destination (48 bits).
    EthDst,
    /// Ethernet source.
    EthSrc,
    /// Outer EtherType.
    EthType,
    /// 802.1Q VLAN ids (one per tag).
    VlanId,
    /// ARP presence.
    Arp,
    /// IPv4 source.
    Ipv4Src,
    /// IPv4 destination.
    Ipv4Dst,
    /// IPv4 protocol.
    IpProto,
    /// IPv4 TTL.
    IpTtl,
    /// IPv6 source.
    Ipv6Src,
    /// IPv6 destination.
    Ipv6Dst,
    /// TCP source port.
    TcpSrcPort,
    /// TCP destination port.
    TcpDstPort,
    /// TCP flags (12 bits).
    TcpFlags,
    /// TCP payload length.
    TcpLen,
    /// UDP source port.
    UdpSrcPort,
    /// UDP destination port.
    UdpDstPort,
    /// ICMP type.
    IcmpType,
    /// ICMP code.
    IcmpCode,
    /// ICMPv6 presence.
    Icmpv6,
}

/// A node's test on `(value & mask)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KOp {
    /// The field is present.
    Exists,
    /// Some value equal.
    Eq,
    /// Present and every value different.
    Ne,
    /// Some value less.
    Lt,
    /// Some value less or equal.
    Le,
    /// Some value greater.
    Gt,
    /// Some value greater or equal.
    Ge,
    /// Some value inside one of the inclusive ranges.
    In,
    /// Some value with a bit of the mask set.
    AnyBits,
}

/// Where a node jumps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Another node, always with a higher index.
    Node(usize),
    /// Pass the packet on.
    Accept,
    /// Drop it.
    Reject,
    /// The kernel cannot decide: count the packet apart and let user space
    /// decide it with the exact filter.
    Candidate,
}

/// One decision: `op(field & mask, values)`, then jump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KNode {
    /// What is read.
    pub field: KField,
    /// The test.
    pub op: KOp,
    /// Applied to the value first.
    pub mask: u128,
    /// Operand(s): `values[0].0` for a comparison, ranges for `In`.
    pub values: Vec<(u128, u128)>,
    /// Next when the test holds.
    pub jump_if_true: Target,
    /// Next when it does not.
    pub jump_if_false: Target,
}

/// The kernel form of a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelPlan {
    /// Nodes; execution starts at `entry`.
    pub nodes: Vec<KNode>,
    /// The first decision.
    pub entry: Target,
    /// True when the graph decides exactly what the full filter decides.
    pub exact: bool,
    /// Leaves that were replaced by "true", in canonical-ish text.
    pub dropped: Vec<String>,
}

/// The outermost header values of a packet, as the kernel parses them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelPacket {
    /// Frame length.
    pub frame_len: u32,
    /// Ethernet `(dst, src, type)`.
    pub eth: Option<([u8; 6], [u8; 6], u16)>,
    /// VLAN ids, outer first.
    pub vlan_ids: Vec<u16>,
    /// ARP present.
    pub arp: bool,
    /// IPv4 `(src, dst, proto, ttl)`.
    pub ipv4: Option<(u32, u32, u8, u8)>,
    /// IPv6 `(src, dst)`.
    pub ipv6: Option<(u128, u128)>,
    /// TCP `(srcport, dstport, flags, payload length)`.
    pub tcp: Option<(u16, u16, u16, u32)>,
    /// UDP `(srcport, dstport)`.
    pub udp: Option<(u16, u16)>,
    /// ICMP `(type, code)`.
    pub icmp: Option<(u8, u8)>,
    /// ICMPv6 present.
    pub icmpv6: bool,
    /// The outer headers do not determine the dissection: ICMP errors,
    /// tunnels, IP fragments, unparsed IPv6 extension headers.
    pub nested: bool,
}

fn mac(m: [u8; 6]) -> u128 {
    m.iter().fold(0u128, |a, &b| (a << 8) | u128::from(b))
}

impl KernelPacket {
    /// The values of a field (empty when absent).
    pub fn values(&self, f: KField) -> Vec<u128> {
        let one = |o: Option<u128>| o.into_iter().collect();
        match f {
            KField::Nested => one(self.nested.then_some(1)),
            KField::FrameLen => vec![u128::from(self.frame_len)],
            KField::EthDst => one(self.eth.map(|e| mac(e.0))),
            KField::EthSrc => one(self.eth.map(|e| mac(e.1))),
            KField::EthType => one(self.eth.map(|e| u128::from(e.2))),
            KField::VlanId => self.vlan_ids.iter().map(|&v| u128::from(v)).collect(),
            KField::Arp => one(self.arp.then_some(1)),
            KField::Ipv4Src => one(self.ipv4.map(|i| u128::from(i.0))),
            KField::Ipv4Dst => one(self.ipv4.map(|i| u128::from(i.1))),
            KField::IpProto => one(self.ipv4.map(|i| u128::from(i.2))),
            KField::IpTtl => one(self.ipv4.map(|i| u128::from(i.3))),
            KField::Ipv6Src => one(self.ipv6.map(|i| i.0)),
            KField::Ipv6Dst => one(self.ipv6.map(|i| i.1)),
            KField::TcpSrcPort => one(self.tcp.map(|t| u128::from(t.0))),
            KField::TcpDstPort => one(self.tcp.map(|t| u128::from(t.1))),
            KField::TcpFlags => one(self.tcp.map(|t| u128::from(t.2))),
            KField::TcpLen => one(self.tcp.map(|t| u128::from(t.3))),
            KField::UdpSrcPort => one(self.udp.map(|u| u128::from(u.0))),
            KField::UdpDstPort => one(self.udp.map(|u| u128::from(u.1))),
            KField::IcmpType => one(self.icmp.map(|i| u128::from(i.0))),
            KField::IcmpCode => one(self.icmp.map(|i| u128::from(i.1))),
            KField::Icmpv6 => one(self.icmpv6.then_some(1)),
        }
    }
}

impl KNode {
    /// Whether the node's test holds for a packet.
    pub fn test(&self, pkt: &KernelPacket) -> bool {
        let vs = pkt.values(self.field);
        let v0 = self.values.first().map_or(0, |v| v.0);
        let m = |x: u128| x & self.mask;
        match self.op {
            KOp::Exists => !vs.is_empty(),
            KOp::Ne => !vs.is_empty() && vs.iter().all(|&x| m(x) != v0),
            KOp::Eq => vs.iter().any(|&x| m(x) == v0),
            KOp::Lt => vs.iter().any(|&x| m(x) < v0),
            KOp::Le => vs.iter().any(|&x| m(x) <= v0),
            KOp::Gt => vs.iter().any(|&x| m(x) > v0),
            KOp::Ge => vs.iter().any(|&x| m(x) >= v0),
            KOp::In => vs.iter().any(|&x| {
                self.values
                    .iter()
                    .any(|&(lo, hi)| (lo..=hi).contains(&m(x)))
            }),
            KOp::AnyBits => vs.iter().any(|&x| m(x) != 0),
        }
    }
}

impl KernelPlan {
    /// Run the graph over a packet: true unless it rejects (candidates pass).
    pub fn run(&self, pkt: &KernelPacket) -> bool {
        self.verdict(pkt) != Target::Reject
    }

    /// Run the graph over a packet: [`Target::Accept`], [`Target::Reject`]
    /// or [`Target::Candidate`].
    pub fn verdict(&self, pkt: &KernelPacket) -> Target {
        let mut at = self.entry;
        loop {
            match at {
                Target::Node(i) => {
                    let n = &self.nodes[i];
                    at = if n.test(pkt) {
                        n.jump_if_true
                    } else {
                        n.jump_if_false
                    };
                }
                done => return done,
            }
        }
    }
}

/// A kernel-side formula for one leaf, before it becomes graph nodes.
#[derive(Clone, Debug)]
enum KExpr {
    Atom(KField, KOp, u128, Vec<(u128, u128)>),
    And(Vec<KExpr>),
    Or(Vec<KExpr>),
}

/// Negation normal form over leaves.
#[derive(Clone, Debug)]
enum Nf {
    True,
    And(Vec<Nf>),
    Or(Vec<Nf>),
    Leaf(KExpr, bool),
}

const ALL: u128 = u128::MAX;
/// Largest normal form built before giving up (xor expands).
const MAX_NF: usize = 4096;
/// Deepest typed tree analysed before giving up (long xor chains).
const MAX_NF_DEPTH: usize = 300;

/// Which kernel fields a filter field name stands for, and its width mask.
fn kernel_fields(name: &str) -> Option<(&'static [KField], u128)> {
    use KField::*;
    Some(match name {
        "frame" | "frame.len" => (&[FrameLen], ALL),
        "eth" => (&[EthDst], ALL),
        "eth.dst" => (&[EthDst], ALL),
        "eth.src" => (&[EthSrc], ALL),
        "eth.addr" => (&[EthSrc, EthDst], ALL),
        "eth.type" => (&[EthType], ALL),
        "vlan" | "vlan.id" => (&[VlanId], ALL),
        "arp" => (&[Arp], ALL),
        "ip" => (&[Ipv4Src], ALL),
        "ip.src" => (&[Ipv4Src], ALL),
        "ip.dst" => (&[Ipv4Dst], ALL),
        "ip.addr" => (&[Ipv4Src, Ipv4Dst], ALL),
        "ip.proto" => (&[IpProto], ALL),
        "ip.ttl" => (&[IpTtl], ALL),
        "ipv6" => (&[Ipv6Src], ALL),
        "ipv6.src" => (&[Ipv6Src], ALL),
        "ipv6.dst" => (&[Ipv6Dst], ALL),
        "ipv6.addr" => (&[Ipv6Src, Ipv6Dst], ALL),
        "tcp" => (&[TcpSrcPort], ALL),
        "tcp.srcport" => (&[TcpSrcPort], ALL),
        "tcp.dstport" => (&[TcpDstPort], ALL),
        "tcp.port" => (&[TcpSrcPort, TcpDstPort], ALL),
        "tcp.flags" => (&[TcpFlags], 0xfff),
        "tcp.flags.fin" => (&[TcpFlags], 0x001),
        "tcp.flags.syn" => (&[TcpFlags], 0x002),
        "tcp.flags.reset" => (&[TcpFlags], 0x004),
        "tcp.flags.push" => (&[TcpFlags], 0x008),
        "tcp.flags.ack" => (&[TcpFlags], 0x010),
        "tcp.flags.urg" => (&[TcpFlags], 0x020),
        "tcp.flags.ece" => (&[TcpFlags], 0x040),
        "tcp.flags.cwr" => (&[TcpFlags], 0x080),
        "tcp.len" => (&[TcpLen], ALL),
        "udp" => (&[UdpSrcPort], ALL),
        "udp.srcport" => (&[UdpSrcPort], ALL),
        "udp.dstport" => (&[UdpDstPort], ALL),
        "udp.port" => (&[UdpSrcPort, UdpDstPort], ALL),
        "icmp" => (&[IcmpType], ALL),
        "icmp.type" => (&[IcmpType], ALL),
        "icmp.code" => (&[IcmpCode], ALL),
        "icmpv6" => (&[Icmpv6], ALL),
        _ => return None,
    })
}

fn is_bool_flag(name: &str) -> bool {
    name.starts_with("tcp.flags.")
}

/// `(value, mask)` of a constant for kernel comparison; `None` if the
/// kernel cannot represent it.
fn konst(c: &Dyn) -> Option<(u128, u128)> {
    Some(match c {
        Dyn::Int(i) if *i >= 0 => (*i as u128, ALL),
        Dyn::Ipv4(a, p) => {
            let m = if *p == 0 {
                0
            } else {
                u128::from(u32::MAX << (32 - u32::from(*p)))
            };
            (u128::from(*a) & m, m)
        }
        Dyn::Ipv6(a, p) => {
            let m = if *p == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(*p))
            };
            (a & m, m)
        }
        Dyn::Ether(e) => (mac(*e), ALL),
        _ => return None,
    })
}

fn combine(all: bool, parts: Vec<KExpr>) -> KExpr {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or(KExpr::And(Vec::new()));
    }
    if all {
        KExpr::And(parts)
    } else {
        KExpr::Or(parts)
    }
}

/// The kernel formula of a leaf (in its positive form), if it has one.
fn leaf(node: &Node) -> Option<KExpr> {
    match node {
        Node::Exists(Val::Field(def)) => {
            let (fs, _) = kernel_fields(def.name)?;
            Some(KExpr::Atom(fs[0], KOp::Exists, ALL, Vec::new()))
        }
        Node::Exists(Val::BitAnd(base, Dyn::Int(m))) => {
            let Val::Field(def) = &**base else {
                return None;
            };
            let (fs, width) = kernel_fields(def.name)?;
            if is_bool_flag(def.name) || *m < 0 {
                return None;
            }
            let parts = fs
                .iter()
                .map(|&f| KExpr::Atom(f, KOp::AnyBits, (*m as u128) & width, Vec::new()))
                .collect();
            Some(combine(false, parts))
        }
        Node::Cmp { all, rel, lhs, rhs } => {
            let Val::Const(c) = rhs else { return None };
            let (def, extra_mask) = match lhs {
                Val::Field(def) => (*def, ALL),
                Val::BitAnd(base, Dyn::Int(m)) if *m >= 0 => match &**base {
                    Val::Field(def) if !is_bool_flag(def.name) => (*def, *m as u128),
                    _ => return None,
                },
                _ => return None,
            };
            let (fs, width) = kernel_fields(def.name)?;
            if !def.name.contains('.') || def.name == "frame" {
                return None;
            }
            let multi_valued = fs[0] == KField::VlanId;
            let natural = if *rel == Rel::Ne { *all } else { !*all };
            if multi_valued && !natural {
                return None;
            }
            let (v, cmask) = konst(c)?;
            let mask = width & extra_mask & cmask;
            let (op, v) = if is_bool_flag(def.name) {
                // Booleans: compare "bit set" with the literal 0/1.
                match (rel, v) {
                    (Rel::Eq, 1) | (Rel::Ne, 0) => (KOp::Ne, 0),
                    (Rel::Eq, 0) | (Rel::Ne, 1) => (KOp::Eq, 0),
                    _ => return None,
                }
            } else {
                let op = match rel {
                    Rel::Eq => KOp::Eq,
                    Rel::Ne => KOp::Ne,
                    Rel::Lt => KOp::Lt,
                    Rel::Le => KOp::Le,
                    Rel::Gt => KOp::Gt,
                    Rel::Ge => KOp::Ge,
                    Rel::Contains => return None,
                };
                (op, v)
            };
            let parts = fs
                .iter()
                .map(|&f| KExpr::Atom(f, op, mask, vec![(v, v)]))
                .collect();
            // Components (src, dst) each hold one value: "all" = every one.
            Some(combine(*all, parts))
        }
        Node::In {
            lhs: Val::Field(def),
            set,
        } => {
            let (fs, width) = kernel_fields(def.name)?;
            if is_bool_flag(def.name) || !def.name.contains('.') {
                return None;
            }
            let mut ranges = Vec::new();
            for (lo, hi) in set {
                let (l, lm) = konst(lo)?;
                let (h, hm) = konst(hi)?;
                // Host bits of the upper bound's prefix are all ones.
                let host = match hi {
                    Dyn::Ipv4(..) => !hm & u128::from(u32::MAX),
                    Dyn::Ipv6(..) => !hm,
                    _ => 0,
                };
                ranges.push((l & lm, h | host));
            }
            let parts = fs
                .iter()
                .map(|&f| KExpr::Atom(f, KOp::In, width, ranges.clone()))
                .collect();
            Some(combine(false, parts))
        }
        _ => None,
    }
}

struct Planner {
    dropped: Vec<String>,
    size: usize,
    depth: usize,
}

impl Planner {
    fn nf(&mut self, node: &Node, pos: bool) -> Option<Nf> {
        self.size += 1;
        if self.size > MAX_NF || self.depth >= MAX_NF_DEPTH {
            return None;
        }
        self.depth += 1;
        let out = self.nf_inner(node, pos);
        self.depth -= 1;
        out
    }

    fn nf_inner(&mut self, node: &Node, pos: bool) -> Option<Nf> {
        Some(match node {
            Node::And(xs) | Node::Or(xs) => {
                let is_and = matches!(node, Node::And(..));
                let mut parts = Vec::with_capacity(xs.len());
                for x in xs {
                    parts.push(self.nf(x, pos)?);
                }
                if is_and == pos {
                    Nf::And(parts)
                } else {
                    Nf::Or(parts)
                }
            }
            Node::Not(a) => self.nf(a, !pos)?,
            Node::Xor(a, b) => {
                let (ap, an, bp, bn) = (
                    self.nf(a, true)?,
                    self.nf(a, false)?,
                    self.nf(b, true)?,
                    self.nf(b, false)?,
                );
                if pos {
                    Nf::Or(vec![Nf::And(vec![ap, bn]), Nf::And(vec![an, bp])])
                } else {
                    Nf::Or(vec![Nf::And(vec![ap, bp]), Nf::And(vec![an, bn])])
                }
            }
            leaf_node => match leaf(leaf_node) {
                Some(k) => Nf::Leaf(k, pos),
                None => {
                    self.dropped.push(describe(leaf_node));
                    // A positive leaf still needs its field present; the
                    // negation of one can hold anywhere.
                    match implied(leaf_node).filter(|_| pos) {
                        Some(k) => Nf::Leaf(k, true),
                        None => Nf::True,
                    }
                }
            },
        })
    }
}

/// The field a value needs present to produce any value (`None` when it
/// can produce values without one: constants, `count`, `max`/`min`).
fn operand_field(v: &Val) -> Option<&'static FieldDef> {
    match v {
        Val::Field(d) | Val::Layer(d, _) => Some(d),
        Val::Slice(b, _) | Val::BitAnd(b, _) => operand_field(b),
        Val::Call(f, b) if *f != Func::Count => operand_field(b),
        _ => None,
    }
}

/// What the kernel can check of a protocol's presence: its fields are only
/// in frames that have this.
fn protocol_needs(proto: &str) -> Option<KExpr> {
    let exists = |f: KField| KExpr::Atom(f, KOp::Exists, ALL, Vec::new());
    let tcp_payload = || KExpr::Atom(KField::TcpLen, KOp::Gt, ALL, vec![(0, 0)]);
    let udp = || exists(KField::UdpSrcPort);
    Some(match proto {
        "tcp" => exists(KField::TcpSrcPort),
        "udp" => udp(),
        "ip" => exists(KField::Ipv4Src),
        "ipv6" => exists(KField::Ipv6Src),
        "icmp" => exists(KField::IcmpType),
        "icmpv6" => exists(KField::Icmpv6),
        "arp" => exists(KField::Arp),
        "vlan" => exists(KField::VlanId),
        // Application protocols over a TCP byte stream (any port: tshark
        // also finds them by heuristics).
        "http2" | "bgp" => tcp_payload(),
        // Over UDP only.
        "quic" | "http3" | "dhcp" | "bootp" | "dhcpv6" | "rip" | "ripng" | "nbns" | "nbdgm"
        | "browser" | "echo" => udp(),
        // Over either (HTTP over UDP: SSDP; TLS inside QUIC).
        "http" | "tls" | "ssl" | "dns" | "mdns" | "llmnr" | "rpc" | "nfs" | "smb" => {
            KExpr::Or(vec![tcp_payload(), udp()])
        }
        _ => return None,
    })
}

/// A necessary condition the kernel can check for a leaf it cannot
/// evaluate: the protocol of every field the leaf needs present.
fn implied(node: &Node) -> Option<KExpr> {
    let operands: Vec<&Val> = match node {
        Node::Exists(v) => vec![v],
        Node::Cmp { lhs, rhs, .. } => vec![lhs, rhs],
        Node::In { lhs, .. } | Node::Matches { lhs, .. } => vec![lhs],
        _ => return None,
    };
    let needs: Vec<KExpr> = operands
        .into_iter()
        .filter_map(operand_field)
        .filter_map(|d| match d.name {
            "tcp.payload" | "tcp.segment_data" => {
                Some(KExpr::Atom(KField::TcpLen, KOp::Gt, ALL, vec![(0, 0)]))
            }
            name => protocol_needs(name.split('.').next().unwrap_or(name)),
        })
        .collect();
    match needs.len() {
        0 => None,
        _ => Some(combine(true, needs)),
    }
}

fn describe(n: &Node) -> String {
    fn val(v: &Val) -> String {
        match v {
            Val::Field(d) => d.name.to_string(),
            Val::Const(c) => format!("{c:?}"),
            Val::Slice(b, _) => format!("{}[…]", val(b)),
            Val::Layer(d, _) => format!("{}#…", d.name),
            Val::Call(f, b) => format!("{f:?}({})", val(b)).to_lowercase(),
            Val::BitAnd(b, m) => format!("{} & {m:?}", val(b)),
            Val::Extreme { max, .. } => if *max { "max(…)" } else { "min(…)" }.to_string(),
        }
    }
    match n {
        Node::Exists(v) => val(v),
        Node::Cmp { rel, lhs, .. } => format!("{} {rel:?} …", val(lhs)),
        Node::In { lhs, .. } => format!("{} in {{…}}", val(lhs)),
        Node::Matches { lhs, .. } => format!("{} matches …", val(lhs)),
        _ => "…".to_string(),
    }
}

struct Builder {
    /// Nodes in creation order; execution order is the reverse.
    rev: Vec<KNode>,
}

impl Builder {
    fn nf(&mut self, e: &Nf, t: Target, f: Target) -> Target {
        match e {
            Nf::True => t,
            Nf::And(xs) => xs.iter().rev().fold(t, |acc, x| self.nf(x, acc, f)),
            Nf::Or(xs) => xs.iter().rev().fold(f, |acc, x| self.nf(x, t, acc)),
            Nf::Leaf(k, pos) => {
                if *pos {
                    self.k(k, t, f)
                } else {
                    self.k(k, f, t)
                }
            }
        }
    }

    fn k(&mut self, e: &KExpr, t: Target, f: Target) -> Target {
        match e {
            KExpr::And(xs) => xs.iter().rev().fold(t, |acc, x| self.k(x, acc, f)),
            KExpr::Or(xs) => xs.iter().rev().fold(f, |acc, x| self.k(x, t, acc)),
            KExpr::Atom(field, op, mask, values) => {
                if t == f {
                    return t;
                }
                self.rev.push(KNode {
                    field: *field,
                    op: *op,
                    mask: *mask,
                    values: values.clone(),
                    jump_if_true: t,
                    jump_if_false: f,
                });
                Target::Node(self.rev.len() - 1)
            }
        }
    }
}

/// Compute the kernel plan of a typed filter.
pub fn plan(node: &Node) -> KernelPlan {
    let mut p = Planner {
        dropped: Vec::new(),
        size: 0,
        depth: 0,
    };
    let Some(nf) = p.nf(node, true) else {
        return KernelPlan {
            nodes: Vec::new(),
            entry: Target::Accept,
            exact: false,
            dropped: vec!["(filter too large to analyse)".to_string()],
        };
    };
    let mut b = Builder { rev: Vec::new() };
    let root = b.nf(&nf, Target::Accept, Target::Reject);
    let exact = p.dropped.is_empty();
    let root = if root == Target::Accept {
        root
    } else {
        // Packets with inner headers: the dissector reports their fields
        // too, so only user space can decide. An exact plan marks them as
        // candidates; a superset plan accepts them like any other.
        b.rev.push(KNode {
            field: KField::Nested,
            op: KOp::Exists,
            mask: ALL,
            values: Vec::new(),
            jump_if_true: if exact {
                Target::Candidate
            } else {
                Target::Accept
            },
            jump_if_false: root,
        });
        Target::Node(b.rev.len() - 1)
    };
    let n = b.rev.len();
    let fix = |t: Target| match t {
        Target::Node(i) => Target::Node(n - 1 - i),
        other => other,
    };
    let nodes = b
        .rev
        .into_iter()
        .rev()
        .map(|mut k| {
            k.jump_if_true = fix(k.jump_if_true);
            k.jump_if_false = fix(k.jump_if_false);
            k
        })
        .collect();
    KernelPlan {
        nodes,
        entry: fix(root),
        exact,
        dropped: p.dropped,
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Node(i) => write!(f, "{i}"),
            Target::Accept => f.write_str("ACCEPT"),
            Target::Reject => f.write_str("REJECT"),
            Target::Candidate => f.write_str("CANDIDATE"),
        }
    }
}

impl fmt::Display for KernelPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.exact {
            writeln!(f, "kernel verdict: exact")?;
        } else {
            writeln!(f, "kernel verdict: superset (user space decides the rest)")?;
            for d in &self.dropped {
                writeln!(f, "  not in kernel: {d}")?;
            }
        }
        writeln!(f, "entry: {}", self.entry)?;
        for (i, n) in self.nodes.iter().enumerate() {
            write!(f, "{i:3}: {:?} {:?}", n.field, n.op)?;
            if n.mask != ALL {
                write!(f, " mask {:#x}", n.mask)?;
            }
            for (lo, hi) in &n.values {
                if lo == hi {
                    write!(f, " {lo:#x}")?;
                } else {
                    write!(f, " {lo:#x}..{hi:#x}")?;
                }
            }
            writeln!(f, " ? {} : {}", n.jump_if_true, n.jump_if_false)?;
        }
        Ok(())
    }
}
