//! The monitor's kernel side: an XDP program for ingress and a TC classifier
//! for egress, sharing one set of maps.
//!
//! Both do the same thing on every frame, and never change its fate:
//! 1. parse Ethernet, up to two VLAN tags, ARP, IPv4 (with options), IPv6
//!    (with up to [`parse::MAX_IPV6_EXT`] extension headers), TCP, UDP, ICMP and
//!    ICMPv6 into a small [`parse::Parsed`] record (bounded, verifier friendly);
//! 2. add the frame to the per-CPU counters of its interface and direction;
//! 3. for a configured fraction of frames, copy the first `snaplen` bytes into
//!    a ring-buffer record; a failed reservation is counted, never silent.
#![no_std]
#![no_main]

mod parse;

use aya_ebpf::{
    bindings::{xdp_action, TC_ACT_UNSPEC},
    helpers::{bpf_get_prandom_u32, bpf_ktime_get_boot_ns},
    macros::{classifier, map, xdp},
    maps::{Array, PerCpuHashMap, RingBuf},
    programs::{TcContext, XdpContext},
    EbpfContext,
};
use monitor_common::{
    direction, proto, record_kind, Config, CounterKey, Counters, RecordHeader, MAX_SNAPLEN,
};

/// Per-CPU counters, one entry per (interface, direction).
#[map]
static COUNTERS: PerCpuHashMap<CounterKey, Counters> = PerCpuHashMap::with_max_entries(1024, 0);

/// Run-time settings at index 0, written by user space.
#[map]
static CONFIG: Array<Config> = Array::with_max_entries(1, 0);

/// Records for user space. The size is set by the loader.
#[map]
static EVENTS: RingBuf = RingBuf::with_byte_size(1 << 22, 0);

/// Ingress: runs on every received frame; always `XDP_PASS`.
#[xdp]
pub fn monitor_xdp(ctx: XdpContext) -> u32 {
    let frame = Frame {
        data: ctx.data(),
        data_end: ctx.data_end(),
    };
    let len = (ctx.data_end() - ctx.data()) as u32;
    // SAFETY: `ctx.md` is the live xdp_md of this invocation.
    let ifindex = unsafe { (*ctx.ctx).ingress_ifindex };
    observe(&frame, len, ifindex, direction::INGRESS, |buf, n| unsafe {
        aya_ebpf::helpers::generated::bpf_xdp_load_bytes(ctx.ctx, 0, buf, n)
    });
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
    // SAFETY: `ctx.skb` is the live __sk_buff of this invocation.
    let ifindex = unsafe { (*ctx.skb.skb).ifindex };
    observe(&frame, len, ifindex, direction::EGRESS, |buf, n| unsafe {
        aya_ebpf::helpers::generated::bpf_skb_load_bytes(ctx.as_ptr() as *const _, 0, buf, n)
    });
    TC_ACT_UNSPEC
}

/// The linear part of a frame that direct packet access may read.
pub struct Frame {
    data: usize,
    data_end: usize,
}

#[inline(always)]
fn observe<F>(frame: &Frame, len: u32, ifindex: u32, dir: u32, load: F)
where
    F: Fn(*mut core::ffi::c_void, u32) -> i64,
{
    let parsed = parse::parse(frame);
    let key = CounterKey {
        ifindex,
        direction: dir,
    };
    let counters = match COUNTERS.get_ptr_mut(&key) {
        Some(c) => c,
        None => {
            let _ = COUNTERS.insert(&key, &Counters::default(), 1 /* BPF_NOEXIST */);
            match COUNTERS.get_ptr_mut(&key) {
                Some(c) => c,
                None => return,
            }
        }
    };
    // SAFETY: a per-CPU map value of this CPU; XDP and TC on one CPU do not nest
    // on the same key (different directions).
    let c = unsafe { &mut *counters };
    c.packets += 1;
    c.bytes += len as u64;
    bump(c, parsed.l3 as usize);
    if parsed.vlan_depth > 0 {
        bump(c, proto::VLAN);
    }
    if parsed.l4 != parse::NONE {
        bump(c, parsed.l4 as usize);
    }

    let Some(cfg) = CONFIG.get(0) else { return };
    if cfg.sample_threshold == 0 {
        return;
    }
    // SAFETY: helper without arguments.
    let r = unsafe { bpf_get_prandom_u32() } as u64;
    if r >= cfg.sample_threshold {
        return;
    }
    let snaplen = cfg.snaplen;
    let ok = if snaplen <= 64 {
        sample::<64, F>(len, ifindex, dir, snaplen, &load)
    } else if snaplen <= 128 {
        sample::<128, F>(len, ifindex, dir, snaplen, &load)
    } else if snaplen <= 256 {
        sample::<256, F>(len, ifindex, dir, snaplen, &load)
    } else if snaplen <= 512 {
        sample::<512, F>(len, ifindex, dir, snaplen, &load)
    } else if snaplen <= 1024 {
        sample::<1024, F>(len, ifindex, dir, snaplen, &load)
    } else {
        sample::<{ MAX_SNAPLEN as usize }, F>(len, ifindex, dir, snaplen, &load)
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

/// A sample record with room for `N` frame bytes.
#[repr(C)]
struct Sample<const N: usize> {
    hdr: RecordHeader,
    data: [u8; N],
}

/// Reserve, fill and submit one sample record. Returns false when the ring
/// buffer had no room (the caller counts it).
#[inline(always)]
fn sample<const N: usize, F>(len: u32, ifindex: u32, dir: u32, snaplen: u32, load: &F) -> bool
where
    F: Fn(*mut core::ffi::c_void, u32) -> i64,
{
    let Some(mut entry) = EVENTS.reserve::<Sample<N>>(0) else {
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
            ts_ns: bpf_ktime_get_boot_ns(),
            ifindex,
            orig_len: len,
            cap_len: copied,
            kind: record_kind::SAMPLE,
            direction: dir as u8,
            _pad: [0; 2],
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
