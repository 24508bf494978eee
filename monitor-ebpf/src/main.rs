//! The monitor's kernel side: an XDP program for ingress and a TC classifier
//! for egress, sharing one set of maps.
//!
//! Both do the same thing on every frame, and never change its fate:
//! 1. parse Ethernet, VLAN tags, ARP, IPv4 (with options), IPv6 (with up to
//!    [`parse::MAX_IPV6_EXT`] extension headers), TCP, UDP, ICMP and ICMPv6
//!    into a small [`parse::Parsed`] record (bounded, verifier friendly);
//! 2. add the frame to the per-CPU counters of its interface and direction;
//! 3. walk the compiled display-filter rules ([`rules`]) and count the
//!    frame for every rule that matches;
//! 4. for a configured fraction of frames (globally, or per matching rule),
//!    copy the first `snaplen` bytes into a ring-buffer record;
//! 5. for TCP segments in the TCP analysis scope, write a header-only record
//!    to a second ring buffer.
//!
//! Every failed ring-buffer reservation is counted, never silent.
#![no_std]
#![no_main]

mod parse;
mod rules;

use aya_ebpf::{
    bindings::{xdp_action, TC_ACT_UNSPEC},
    helpers::{bpf_get_prandom_u32, bpf_ktime_get_boot_ns},
    macros::{classifier, map, xdp},
    maps::{Array, HashMap, PerCpuArray, RingBuf},
    programs::{TcContext, XdpContext},
    EbpfContext,
};
use monitor_common::{
    counter_index, iface, proto, record_kind,
    rules::{self as r, RuleCounter, RuleNode, RuleSet, RuleSlot},
    Config, Counters, RecordHeader, MAX_SNAPLEN,
};

/// Interface index → counter slot, written by user space.
#[map]
static IFACE_SLOTS: HashMap<u32, u32> = HashMap::with_max_entries(iface::MAX_SLOTS, 0);

/// Per-CPU counters, indexed by [`counter_index`] (slot, direction).
#[map]
static COUNTERS: PerCpuArray<Counters> = PerCpuArray::with_max_entries(iface::MAX_SLOTS * 2, 0);

/// Run-time settings at index 0, written by user space.
#[map]
static CONFIG: Array<Config> = Array::with_max_entries(1, 0);

/// The active rule generation (0 or 1) at index 0.
#[map]
static RULE_GEN: Array<u32> = Array::with_max_entries(1, 0);

/// Per generation: which slots hold rules.
#[map]
static RULE_SETS: Array<RuleSet> = Array::with_max_entries(2, 0);

/// Per generation and slot: the rule header.
#[map]
static RULE_SLOTS: Array<RuleSlot> = Array::with_max_entries(2 * r::SLOTS, 0);

/// Per generation and slot: the rule's decision-graph nodes.
#[map]
static RULE_NODES: Array<RuleNode> = Array::with_max_entries(2 * r::SLOTS * r::MAX_NODES, 0);

/// Per-CPU rule counters, indexed by [`r::counter_index`].
#[map]
static RULE_COUNTERS: PerCpuArray<RuleCounter> =
    PerCpuArray::with_max_entries(iface::MAX_SLOTS * r::MAX_RULES * 2, 0);

/// Per-CPU scratch space for the parsed frame and the rule walk (keeps
/// them off the 512-byte stack, and reachable from the `bpf_loop` callback).
#[map]
static SCRATCH: PerCpuArray<rules::Walk> = PerCpuArray::with_max_entries(1, 0);

/// Sampled packets for user space. The size is set by the loader.
#[map]
static EVENTS: RingBuf = RingBuf::with_byte_size(1 << 22, 0);

/// TCP header records for user space. The size is set by the loader.
#[map]
static TCP_EVENTS: RingBuf = RingBuf::with_byte_size(1 << 22, 0);

/// Ingress: runs on every received frame; always `XDP_PASS`.
#[xdp]
pub fn monitor_xdp(ctx: XdpContext) -> u32 {
    let frame = Frame {
        data: ctx.data(),
        data_end: ctx.data_end(),
    };
    let len = (ctx.data_end() - ctx.data()) as u32;
    // SAFETY: `ctx.ctx` is the live xdp_md of this invocation.
    let ifindex = unsafe { (*ctx.ctx).ingress_ifindex };
    observe(
        &ctx,
        &frame,
        len,
        ifindex,
        monitor_common::direction::INGRESS,
        |buf, n| unsafe { aya_ebpf::helpers::generated::bpf_xdp_load_bytes(ctx.ctx, 0, buf, n) },
    );
    xdp_action::XDP_PASS
}

/// Baseline for benchmarks: passes every frame and does nothing else. It is
/// only loaded by the benchmark, never attached by the daemon.
#[xdp]
pub fn bare_pass(_ctx: XdpContext) -> u32 {
    xdp_action::XDP_PASS
}

/// Egress: runs on every transmitted frame; always lets it continue.
#[classifier]
pub fn monitor_tc(ctx: TcContext) -> i32 {
    let frame = Frame {
        data: ctx.data(),
        data_end: ctx.data_end(),
    };
    let len = ctx.len();
    // SAFETY: `ctx.skb.skb` is the live __sk_buff of this invocation.
    let ifindex = unsafe { (*ctx.skb.skb).ifindex };
    observe(
        &ctx,
        &frame,
        len,
        ifindex,
        monitor_common::direction::EGRESS,
        |buf, n| unsafe {
            aya_ebpf::helpers::generated::bpf_skb_load_bytes(ctx.as_ptr() as *const _, 0, buf, n)
        },
    );
    TC_ACT_UNSPEC
}

/// The linear part of a frame that direct packet access may read.
pub struct Frame {
    data: usize,
    data_end: usize,
}

#[inline(always)]
fn observe<C, F>(ctx: &C, frame: &Frame, len: u32, ifindex: u32, dir: u32, load: F)
where
    C: EbpfContext,
    F: Fn(*mut core::ffi::c_void, u32) -> i64,
{
    let Some(walk) = SCRATCH.get_ptr_mut(0) else {
        return;
    };
    // SAFETY: this CPU's scratch value; XDP and TC do not nest on one CPU
    // while a program holds it.
    let (l3, l4, vlan_depth) = unsafe {
        parse::parse(frame, &mut (*walk).parsed);
        (
            (*walk).parsed.l3,
            (*walk).parsed.l4,
            (*walk).parsed.vlan_depth,
        )
    };
    // SAFETY: plain map lookup.
    let slot = match unsafe { IFACE_SLOTS.get(&ifindex) } {
        Some(s) if *s < iface::MAX_SLOTS => *s,
        _ => iface::UNKNOWN_SLOT,
    };
    let Some(counters) = COUNTERS.get_ptr_mut(counter_index(slot, dir)) else {
        return;
    };
    // SAFETY: a per-CPU map value of this CPU; XDP and TC on one CPU do not
    // nest on the same entry (different directions).
    let c = unsafe { &mut *counters };
    c.packets += 1;
    c.bytes += len as u64;
    bump(c, l3 as usize);
    if vlan_depth > 0 {
        bump(c, proto::VLAN);
    }
    if l4 != parse::NONE {
        bump(c, l4 as usize);
    }

    let verdict = rules::evaluate(walk, len);
    // SAFETY: as above.
    let l4_end = unsafe { (*walk).parsed.l4_end };
    if verdict.exhausted {
        c.rule_steps_exhausted += 1;
        // Rare (rules longer than the step budget); visible with RUST_LOG=debug.
        aya_log_ebpf::debug!(ctx, "rule walk ran out of steps on ifindex {}", ifindex);
    }
    let mut m = verdict.matched;
    for rule in 0..r::MAX_RULES {
        if m == 0 {
            break;
        }
        if m & 1 != 0 {
            if let Some(rc) = RULE_COUNTERS.get_ptr_mut(r::counter_index(slot, rule, dir)) {
                // SAFETY: per-CPU map value of this CPU.
                unsafe {
                    (*rc).packets += 1;
                    (*rc).bytes += len as u64;
                }
            }
        }
        m >>= 1;
    }

    let Some(cfg) = CONFIG.get(0) else { return };
    let tcp_record = cfg.tcp_records != 0 && verdict.matched & (1u64 << r::TCP_SCOPE_SLOT) != 0;
    let mut want = verdict.sample;
    if !want && cfg.sample_threshold != 0 {
        // SAFETY: helper without arguments.
        let rnd = unsafe { bpf_get_prandom_u32() } as u64;
        want = rnd < cfg.sample_threshold;
    }
    if !tcp_record && !want {
        return;
    }
    // One timestamp for both records of a frame, so user space can join a
    // sample with the TCP analysis of the same segment.
    // SAFETY: helper without arguments.
    let ts = unsafe { bpf_ktime_get_boot_ns() };
    let rules_bits = (verdict.matched & 0xffff_ffff) as u32;

    if tcp_record {
        let cap = if l4_end > 0 { l4_end } else { len };
        if sample::<256, F>(
            &TCP_EVENTS,
            ts,
            record_kind::TCP_HEADERS,
            len,
            ifindex,
            dir,
            cap,
            rules_bits,
            &load,
        ) {
            c.tcp_records += 1;
        } else {
            c.tcp_records_dropped += 1;
        }
    }
    if !want {
        return;
    }
    let snaplen = cfg.snaplen;
    let k = record_kind::SAMPLE;
    let ok = if snaplen <= 64 {
        sample::<64, F>(
            &EVENTS, ts, k, len, ifindex, dir, snaplen, rules_bits, &load,
        )
    } else if snaplen <= 128 {
        sample::<128, F>(
            &EVENTS, ts, k, len, ifindex, dir, snaplen, rules_bits, &load,
        )
    } else if snaplen <= 256 {
        sample::<256, F>(
            &EVENTS, ts, k, len, ifindex, dir, snaplen, rules_bits, &load,
        )
    } else if snaplen <= 512 {
        sample::<512, F>(
            &EVENTS, ts, k, len, ifindex, dir, snaplen, rules_bits, &load,
        )
    } else if snaplen <= 1024 {
        sample::<1024, F>(
            &EVENTS, ts, k, len, ifindex, dir, snaplen, rules_bits, &load,
        )
    } else {
        sample::<{ MAX_SNAPLEN as usize }, F>(
            &EVENTS, ts, k, len, ifindex, dir, snaplen, rules_bits, &load,
        )
    };
    if ok {
        c.samples += 1;
    } else {
        c.ringbuf_dropped += 1;
    }
}

#[inline(always)]
fn bump(c: &mut Counters, idx: usize) {
    if let Some(slot) = c.proto.get_mut(idx) {
        *slot += 1;
    }
}

/// A record with room for `N` frame bytes.
#[repr(C)]
struct Sample<const N: usize> {
    hdr: RecordHeader,
    data: [u8; N],
}

/// Reserve, fill and submit one record with up to `min(len, snaplen, N)`
/// frame bytes. Returns false when the ring buffer had no room (the caller
/// counts it).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn sample<const N: usize, F>(
    ring: &RingBuf,
    ts: u64,
    kind: u8,
    len: u32,
    ifindex: u32,
    dir: u32,
    snaplen: u32,
    rules: u32,
    load: &F,
) -> bool
where
    F: Fn(*mut core::ffi::c_void, u32) -> i64,
{
    let Some(mut entry) = ring.reserve::<Sample<N>>(0) else {
        return false;
    };
    let rec = entry.as_mut_ptr();
    let mut cap = if len < snaplen { len } else { snaplen };
    if cap > N as u32 {
        cap = N as u32;
    }
    // SAFETY: `rec` points at a reserved, exclusively owned record of Sample<N>.
    unsafe {
        let copied = if cap == 0 {
            0
        } else {
            // N is a power of two and 1 <= cap <= N, so this is cap; written
            // this way the verifier sees 1 <= n <= N on the exact value passed.
            let n = ((cap - 1) & (N as u32 - 1)) + 1;
            if load((*rec).data.as_mut_ptr() as *mut _, n) == 0 {
                n
            } else {
                0
            }
        };
        (*rec).hdr = RecordHeader {
            ts_ns: ts,
            ifindex,
            orig_len: len,
            cap_len: copied,
            kind,
            direction: dir as u8,
            _pad: [0; 2],
            rules,
            _pad2: 0,
        };
    }
    entry.submit(0);
    true
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 4] = *b"GPL\0";
