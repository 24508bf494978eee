//! Kernel plans as the XDP/TC programs run them: a [`KernelPlan`] turned
//! into the fixed-size [`RuleNode`] graph of `monitor_common::rules`, and
//! the one entry point that compiles a display filter for the kernel.

use monitor_common::rules::{field, op, proto_bit, RuleNode, ACCEPT, CANDIDATE, MAX_NODES, REJECT};

use super::{KField, KOp, KernelPlan, Target};
use crate::{
    ebpf::KernelRule,
    filter::{self, FilterError},
};

/// Compile a display filter for the kernel. Returns the graph and whether
/// the kernel verdict is exact. An exact graph sends frames with nested
/// headers ([`proto_bit::NESTED`]) to [`CANDIDATE`]: the kernel counts them
/// apart and user space decides them; a superset graph accepts them.
pub fn kernel_rule(expr: &str) -> Result<(KernelRule, bool), FilterError> {
    let f = filter::compile(expr)?;
    let plan = f.kernel_plan();
    Ok(match translate(&plan) {
        Some(nodes) => (KernelRule { nodes, sample: 0.0 }, plan.exact),
        // Too large for the kernel: every frame is a candidate.
        None => (
            KernelRule {
                nodes: vec![always(ACCEPT)],
                sample: 0.0,
            },
            false,
        ),
    })
}

/// Validate a filter (used by configuration checking).
pub fn check_filter(expr: &str) -> Result<(), FilterError> {
    kernel_rule(expr).map(|_| ())
}

fn always(target: u16) -> RuleNode {
    RuleNode {
        field: field::FRAME_LEN,
        op: op::PRESENT,
        _pad: 0,
        jt: target,
        jf: target,
        value: [0, 0],
        mask: [0, 0],
    }
}

fn split(v: u128) -> [u64; 2] {
    [(v >> 64) as u64, v as u64]
}

/// A rule that matches the frames whose dissection may hold values the
/// kernel does not see ([`proto_bit::NESTED`]): the candidates on which a
/// kernel-exact rule may still differ from the exact filter.
pub fn nested_rule() -> KernelRule {
    KernelRule {
        nodes: vec![RuleNode {
            field: field::PROTOCOLS,
            op: op::ANY_BITS,
            _pad: 0,
            jt: ACCEPT,
            jf: REJECT,
            value: [0, 0],
            mask: [0, proto_bit::NESTED],
        }],
        sample: 0.0,
    }
}

/// Turn the filter engine's kernel plan into the programs' node format.
/// `None` when it does not fit in [`MAX_NODES`] nodes.
pub fn translate(plan: &KernelPlan) -> Option<Vec<RuleNode>> {
    match plan.entry {
        Target::Accept => return Some(vec![always(ACCEPT)]),
        Target::Reject => return Some(vec![always(REJECT)]),
        Target::Candidate => return Some(vec![always(CANDIDATE)]),
        Target::Node(0) => {}
        Target::Node(_) => return None,
    }
    // Expand each plan node into one or more kernel nodes whose jumps name
    // plan nodes (Pending) or kernel nodes of the same expansion (Local).
    #[derive(Clone, Copy)]
    enum J {
        Plan(Target),
        Local(usize),
    }
    let mut expanded: Vec<Vec<(RuleNode, J, J)>> = Vec::new();
    for k in &plan.nodes {
        let (t, f) = (J::Plan(k.jump_if_true), J::Plan(k.jump_if_false));
        let base = |fld: u8, o: u8, mask: u128, value: u128| RuleNode {
            field: fld,
            op: o,
            _pad: 0,
            jt: 0,
            jf: 0,
            value: split(value),
            mask: split(mask),
        };
        let bits = |b: u64| base(field::PROTOCOLS, op::ANY_BITS, b as u128, 0);
        let fld = match k.field {
            KField::Nested => {
                expanded.push(vec![(bits(proto_bit::NESTED), t, f)]);
                continue;
            }
            KField::Arp => {
                expanded.push(vec![(bits(proto_bit::ARP), t, f)]);
                continue;
            }
            KField::Icmpv6 => {
                expanded.push(vec![(bits(proto_bit::ICMPV6), t, f)]);
                continue;
            }
            KField::FrameLen => field::FRAME_LEN,
            KField::EthDst => field::ETH_DST,
            KField::EthSrc => field::ETH_SRC,
            KField::EthType => field::ETH_TYPE,
            KField::VlanId => field::VLAN_ID,
            KField::Ipv4Src => field::IP_SRC,
            KField::Ipv4Dst => field::IP_DST,
            KField::IpProto => field::IP_PROTO,
            KField::IpTtl => field::IP_TTL,
            KField::Ipv6Src => field::IPV6_SRC,
            KField::Ipv6Dst => field::IPV6_DST,
            KField::TcpSrcPort => field::TCP_SRCPORT,
            KField::TcpDstPort => field::TCP_DSTPORT,
            KField::TcpFlags => field::TCP_FLAGS,
            KField::TcpLen => field::TCP_LEN,
            KField::UdpSrcPort => field::UDP_SRCPORT,
            KField::UdpDstPort => field::UDP_DSTPORT,
            KField::IcmpType => field::ICMP_TYPE,
            KField::IcmpCode => field::ICMP_CODE,
        };
        let v0 = k.values.first().map_or(0, |v| v.0);
        let simple = |o: u8| vec![(base(fld, o, k.mask, v0), t, f)];
        let seq = match k.op {
            KOp::Exists => simple(op::PRESENT),
            KOp::Eq => simple(op::EQ),
            KOp::Ne => simple(op::NE),
            KOp::Lt => simple(op::LT),
            KOp::Le => simple(op::LE),
            KOp::Gt => simple(op::GT),
            KOp::Ge => simple(op::GE),
            KOp::AnyBits => vec![(base(fld, op::ANY_BITS, k.mask, 0), t, f)],
            KOp::In => {
                // One or two nodes per range; a miss moves to the next range.
                let mut seq: Vec<(RuleNode, J, J)> = Vec::new();
                let mut starts = Vec::new();
                for &(lo, hi) in &k.values {
                    starts.push(seq.len());
                    if lo == hi {
                        seq.push((base(fld, op::EQ, k.mask, lo), t, J::Local(usize::MAX)));
                    } else {
                        let i = seq.len();
                        seq.push((
                            base(fld, op::GE, k.mask, lo),
                            J::Local(i + 1),
                            J::Local(usize::MAX),
                        ));
                        seq.push((base(fld, op::LE, k.mask, hi), t, J::Local(usize::MAX)));
                    }
                }
                if seq.is_empty() {
                    seq.push((always(0), f, f));
                }
                // Patch "next range" placeholders.
                for (r, start) in starts.iter().enumerate() {
                    let end = starts.get(r + 1).copied().unwrap_or(seq.len());
                    let next = if r + 1 < starts.len() {
                        J::Local(starts[r + 1])
                    } else {
                        f
                    };
                    for e in seq.iter_mut().take(end).skip(*start) {
                        if matches!(e.2, J::Local(usize::MAX)) {
                            e.2 = next;
                        }
                    }
                }
                seq
            }
        };
        expanded.push(seq);
    }
    let mut starts = Vec::with_capacity(expanded.len());
    let mut total = 0usize;
    for e in &expanded {
        starts.push(total);
        total += e.len();
    }
    if total == 0 || total > MAX_NODES as usize {
        return None;
    }
    let resolve = |j: J, own: usize| -> u16 {
        match j {
            J::Plan(Target::Accept) => ACCEPT,
            J::Plan(Target::Reject) => REJECT,
            J::Plan(Target::Candidate) => CANDIDATE,
            J::Plan(Target::Node(i)) => starts[i] as u16,
            J::Local(i) => (own + i) as u16,
        }
    };
    let mut out = Vec::with_capacity(total);
    for (k, seq) in expanded.into_iter().enumerate() {
        for (mut n, t, f) in seq {
            n.jt = resolve(t, starts[k]);
            n.jf = resolve(f, starts[k]);
            out.push(n);
        }
    }
    Some(out)
}
