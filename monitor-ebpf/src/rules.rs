//! Evaluation of the compiled display-filter rules: each rule is a decision
//! graph of [`RuleNode`]s with forward-only jumps, walked with a bounded
//! number of steps shared by all rules of the active generation.

use aya_ebpf::helpers::{bpf_get_prandom_u32, bpf_loop};
use monitor_common::rules::{self as r, field, op, proto_bit, RuleNode};

use crate::{parse::Parsed, RULE_GEN, RULE_NODES, RULE_SETS, RULE_SLOTS, SCRATCH};

/// The rules' kernel verdict for one frame.
pub struct Verdict {
    /// Bit `s` set for every slot whose rule accepted (or was not reached
    /// because the steps ran out).
    pub matched: u64,
    /// A matching rule asked for this frame to be sampled.
    pub sample: bool,
    /// The step budget ran out.
    pub exhausted: bool,
}

/// Value of `f` for this frame: `(present, hi, lo)`.
#[inline(always)]
fn value(p: &Parsed, f: u8, len: u32) -> (bool, u64, u64) {
    let has = |b: u64| p.protos & b != 0;
    match f {
        field::FRAME_LEN => (true, 0, len as u64),
        field::ETH_DST => (has(proto_bit::ETH), 0, p.eth_dst),
        field::ETH_SRC => (has(proto_bit::ETH), 0, p.eth_src),
        field::ETH_TYPE => (has(proto_bit::ETH), 0, p.eth_type as u64),
        field::VLAN_ID => (has(proto_bit::VLAN), 0, p.vlan_id as u64),
        field::IP_SRC => (has(proto_bit::IP), 0, p.src[1]),
        field::IP_DST => (has(proto_bit::IP), 0, p.dst[1]),
        field::IP_PROTO => (has(proto_bit::IP), 0, p.ip_proto as u64),
        field::IP_TTL => (has(proto_bit::IP), 0, p.ttl as u64),
        field::IP_LEN => (has(proto_bit::IP), 0, p.ip_len as u64),
        field::IPV6_SRC => (has(proto_bit::IPV6), p.src[0], p.src[1]),
        field::IPV6_DST => (has(proto_bit::IPV6), p.dst[0], p.dst[1]),
        field::IPV6_NXT => (has(proto_bit::IPV6), 0, p.ip_proto as u64),
        field::IPV6_HLIM => (has(proto_bit::IPV6), 0, p.ttl as u64),
        field::TCP_SRCPORT => (has(proto_bit::TCP), 0, p.sport as u64),
        field::TCP_DSTPORT => (has(proto_bit::TCP), 0, p.dport as u64),
        field::TCP_FLAGS => (has(proto_bit::TCP), 0, p.tcp_flags as u64),
        field::TCP_LEN => (has(proto_bit::TCP), 0, p.tcp_len as u64),
        field::TCP_HDR_LEN => (has(proto_bit::TCP), 0, p.tcp_hdr_len as u64),
        field::UDP_SRCPORT => (has(proto_bit::UDP), 0, p.sport as u64),
        field::UDP_DSTPORT => (has(proto_bit::UDP), 0, p.dport as u64),
        field::UDP_LENGTH => (has(proto_bit::UDP), 0, p.udp_len as u64),
        field::ICMP_TYPE => (has(proto_bit::ICMP), 0, p.icmp_type as u64),
        field::ICMP_CODE => (has(proto_bit::ICMP), 0, p.icmp_code as u64),
        field::ICMPV6_TYPE => (has(proto_bit::ICMPV6), 0, p.icmp_type as u64),
        field::ICMPV6_CODE => (has(proto_bit::ICMPV6), 0, p.icmp_code as u64),
        field::PROTOCOLS => (true, 0, p.protos),
        _ => (false, 0, 0),
    }
}

#[inline(always)]
fn test(n: &RuleNode, hi: u64, lo: u64) -> bool {
    let (hi, lo) = (hi & n.mask[0], lo & n.mask[1]);
    let (vh, vl) = (n.value[0], n.value[1]);
    let eq = hi == vh && lo == vl;
    let lt = hi < vh || (hi == vh && lo < vl);
    match n.op {
        op::PRESENT => true,
        op::EQ => eq,
        op::NE => !eq,
        op::LT => lt,
        op::LE => lt || eq,
        op::GT => !(lt || eq),
        op::GE => !lt,
        op::ANY_BITS => hi | lo != 0,
        _ => false,
    }
}

/// State of one walk over the rules, in the per-CPU `SCRATCH` map.
#[repr(C)]
pub struct Walk {
    /// The parsed frame.
    pub parsed: Parsed,
    len: u32,
    gen: u32,
    slot: u32,
    node: u32,
    pending: u64,
    matched: u64,
    sample: u64,
}

/// One node evaluation; `bpf_loop` calls it up to [`r::MAX_STEPS`] times.
/// Returns 1 to stop (every rule decided), 0 to go on.
#[inline(never)]
extern "C" fn step(_index: u64, _ctx: *mut core::ffi::c_void) -> i64 {
    let Some(w) = SCRATCH.get_ptr_mut(0) else {
        return 1;
    };
    // SAFETY: this CPU's scratch value; nothing else runs on it meanwhile.
    let w = unsafe { &mut *w };
    if w.pending == 0 || w.slot >= r::SLOTS {
        return 1;
    }
    let (gen, slot, node) = (w.gen & 1, w.slot, w.node & (r::MAX_NODES - 1));
    let Some(hdr) = RULE_SLOTS.get(r::slot_index(gen, slot)) else {
        return 1;
    };
    let Some(n) = RULE_NODES.get(r::node_index(gen, slot, node)) else {
        return 1;
    };
    let (present, hi, lo) = value(&w.parsed, n.field, w.len);
    let next = if present && test(n, hi, lo) {
        n.jt
    } else {
        n.jf
    };
    // Forward-only jumps inside the rule; anything else ends the rule (a
    // malformed graph counts as a match, keeping the kernel a superset).
    let done = next == r::ACCEPT
        || next == r::REJECT
        || next as u32 <= node
        || next as u32 >= hdr.n_nodes
        || next as u32 >= r::MAX_NODES;
    if !done {
        w.node = next as u32;
        return 0;
    }
    if next != r::REJECT {
        w.matched |= 1u64 << slot;
        if hdr.sample_threshold != 0 && slot < r::MAX_RULES {
            // SAFETY: helper without arguments.
            let rnd = unsafe { bpf_get_prandom_u32() } as u64;
            if rnd < hdr.sample_threshold {
                w.sample = 1;
            }
        }
    }
    w.pending &= !(1u64 << slot);
    if w.pending == 0 {
        return 1;
    }
    w.slot = w.pending.trailing_zeros();
    w.node = 0;
    0
}

/// Walk every active rule of the current generation over `(*w).parsed`
/// (kernel ≥ 5.17 for `bpf_loop`, which keeps verification cost
/// independent of the step count).
///
/// `w` is this CPU's `SCRATCH` value. The callback reaches it through the
/// map, not through a pointer the compiler can see, so the fields it shares
/// with the callback are written and read back with volatile accesses.
#[inline(always)]
pub fn evaluate(w: *mut Walk, len: u32) -> Verdict {
    let none = Verdict {
        matched: 0,
        sample: false,
        exhausted: false,
    };
    let gen = match RULE_GEN.get(0) {
        Some(g) => *g & 1,
        None => return none,
    };
    let active = match RULE_SETS.get(gen) {
        Some(s) => s.active,
        None => return none,
    };
    if active == 0 {
        return none;
    }
    // SAFETY: `w` is a live map value of this CPU.
    unsafe {
        use core::ptr::{addr_of_mut, read_volatile, write_volatile};
        write_volatile(addr_of_mut!((*w).len), len);
        write_volatile(addr_of_mut!((*w).gen), gen);
        write_volatile(addr_of_mut!((*w).slot), active.trailing_zeros());
        write_volatile(addr_of_mut!((*w).node), 0);
        write_volatile(addr_of_mut!((*w).pending), active);
        write_volatile(addr_of_mut!((*w).matched), 0);
        write_volatile(addr_of_mut!((*w).sample), 0);
        bpf_loop(
            r::MAX_STEPS,
            step as *mut core::ffi::c_void,
            core::ptr::null_mut(),
            0,
        );
        let pending = read_volatile(addr_of_mut!((*w).pending));
        Verdict {
            matched: read_volatile(addr_of_mut!((*w).matched)) | pending,
            sample: read_volatile(addr_of_mut!((*w).sample)) != 0,
            exhausted: pending != 0,
        }
    }
}
