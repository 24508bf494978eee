//! The monitor's kernel side: an XDP program for ingress and a TC classifier
//! for egress, sharing one set of maps.
//!
//! Both do the same thing on every frame, and never change its fate:
//! 1. parse Ethernet, VLAN tags, ARP, IPv4 (with options), IPv6 (with up to
//!    [`parse::MAX_IPV6_EXT`] extension headers), TCP, UDP, ICMP and ICMPv6
//!    into the per-CPU [`Scratch`] record (bounded, verifier friendly);
//! 2. add the frame to the per-CPU counters of its interface and direction;
//! 3. tail-call the compiled display-filter rules (stage [`stage::RULES`], a
//!    program user space generates from the rules and puts in the stage
//!    array), which write their verdict into [`Scratch`] and tail-call the
//!    finishing stage; with no rules installed the tail call falls through
//!    and the program finishes inline;
//! 4. finish ([`finish`]): count the frame for every rule that matched; for a
//!    configured fraction of frames (globally, or per matching rule), copy
//!    the first `snaplen` bytes into a ring-buffer record; for TCP segments
//!    in the TCP analysis scope, write a header-only record to a second ring
//!    buffer.
//!
//! Records wake user space in batches: a record is submitted with
//! `BPF_RB_NO_WAKEUP` unless it makes the bytes waiting in its ring cross
//! a multiple of [`Config::wake_bytes`], and user space drains both rings
//! on a short timer besides.
//!
//! Every failed ring-buffer reservation is counted, never silent.
#![no_std]
#![no_main]

mod parse;

use aya_ebpf::EbpfContext;
use aya_ebpf::{
    bindings::{
        xdp_action, BPF_RB_AVAIL_DATA, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, TC_ACT_UNSPEC,
    },
    helpers::{bpf_get_prandom_u32, bpf_ktime_get_boot_ns},
    macros::{classifier, map, xdp},
    maps::{Array, HashMap, PerCpuArray, ProgramArray, RingBuf},
    programs::{TcContext, XdpContext},
};
use monitor_common::{
    counter_index, direction, iface, proto, record_kind,
    rules::{self as r, stage, RuleCounter},
    Config, Counters, RecordHeader, Scratch, MAX_SNAPLEN,
};

/// Interface index → counter slot + 1 (0: none) for indexes below
/// [`iface::DIRECT_MAX`], written by user space. An array lookup is a few
/// instructions; a hash lookup costs about 35 ns per frame.
#[map]
static IFACE_DIRECT: Array<u32> = Array::with_max_entries(iface::DIRECT_MAX, 0);

/// Interface index → counter slot for larger indexes, written by user space.
#[map]
static IFACE_SLOTS: HashMap<u32, u32> = HashMap::with_max_entries(iface::MAX_SLOTS, 0);

/// Per-CPU counters, indexed by [`counter_index`] (slot, direction).
#[map]
static COUNTERS: PerCpuArray<Counters> = PerCpuArray::with_max_entries(iface::MAX_SLOTS * 2, 0);

/// Run-time settings at index 0, written by user space.
#[map]
static CONFIG: Array<Config> = Array::with_max_entries(1, 0);

/// Per-CPU rule counters, indexed by [`r::counter_index`].
#[map]
static RULE_COUNTERS: PerCpuArray<RuleCounter> =
    PerCpuArray::with_max_entries(iface::MAX_SLOTS * r::MAX_RULES * 2, 0);

/// Per-CPU state of the frame being processed, shared by the stages (and
/// off the 512-byte stack).
#[map]
static SCRATCH: PerCpuArray<Scratch> = PerCpuArray::with_max_entries(1, 0);

/// Later stages of the XDP program, indexed by [`stage`]: the compiled
/// rules (written by user space) and [`monitor_xdp_finish`].
#[map]
static XDP_STAGES: ProgramArray = ProgramArray::with_max_entries(stage::COUNT, 0);

/// Later stages of the TC program: the compiled rules and [`monitor_tc_finish`].
#[map]
static TC_STAGES: ProgramArray = ProgramArray::with_max_entries(stage::COUNT, 0);

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
    if let Some(s) = begin(&frame, len, ifindex, direction::INGRESS) {
        // SAFETY: `ctx` is this program's context. Returns only when no
        // rules are installed; otherwise the rules tail-call the finish stage.
        unsafe { XDP_STAGES.tail_call(&ctx, stage::RULES) };
        finish(&ctx, &frame, s, xdp_loader(&ctx));
    }
    xdp_action::XDP_PASS
}

/// Ingress finishing stage, tail-called by the compiled rules.
#[xdp]
pub fn monitor_xdp_finish(ctx: XdpContext) -> u32 {
    let frame = Frame {
        data: ctx.data(),
        data_end: ctx.data_end(),
    };
    if let Some(s) = SCRATCH.get_ptr_mut(0) {
        finish(&ctx, &frame, s, xdp_loader(&ctx));
    }
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
    if let Some(s) = begin(&frame, len, ifindex, direction::EGRESS) {
        // SAFETY: as in `monitor_xdp`.
        unsafe { TC_STAGES.tail_call(&ctx, stage::RULES) };
        finish(&ctx, &frame, s, tc_loader(&ctx));
    }
    TC_ACT_UNSPEC
}

/// Egress finishing stage, tail-called by the compiled rules.
#[classifier]
pub fn monitor_tc_finish(ctx: TcContext) -> i32 {
    let frame = Frame {
        data: ctx.data(),
        data_end: ctx.data_end(),
    };
    if let Some(s) = SCRATCH.get_ptr_mut(0) {
        finish(&ctx, &frame, s, tc_loader(&ctx));
    }
    TC_ACT_UNSPEC
}

/// Copies the first `n` bytes of an XDP frame (multi-buffer aware).
#[inline(always)]
fn xdp_loader(ctx: &XdpContext) -> impl Fn(*mut core::ffi::c_void, u32) -> i64 + '_ {
    // SAFETY: `buf` has room for `n` bytes (see `sample`).
    |buf, n| unsafe { aya_ebpf::helpers::generated::bpf_xdp_load_bytes(ctx.ctx, 0, buf, n) }
}

/// Copies the first `n` bytes of a socket buffer (including paged data).
#[inline(always)]
fn tc_loader(ctx: &TcContext) -> impl Fn(*mut core::ffi::c_void, u32) -> i64 + '_ {
    // SAFETY: as above.
    |buf, n| unsafe {
        aya_ebpf::helpers::generated::bpf_skb_load_bytes(ctx.as_ptr() as *const _, 0, buf, n)
    }
}

/// The linear part of a frame that direct packet access may read.
pub struct Frame {
    data: usize,
    data_end: usize,
}

/// Stage 1: parse the frame into this CPU's [`Scratch`] and count it.
#[inline(always)]
fn begin(frame: &Frame, len: u32, ifindex: u32, dir: u32) -> Option<*mut Scratch> {
    let s = SCRATCH.get_ptr_mut(0)?;
    let (slot, raw_ip) = if ifindex < iface::DIRECT_MAX {
        match IFACE_DIRECT.get(ifindex) {
            Some(&v) if v & iface::SLOT_MASK != 0 && v & iface::SLOT_MASK <= iface::MAX_SLOTS => {
                ((v & iface::SLOT_MASK) - 1, v & iface::RAW_IP != 0)
            }
            _ => (iface::UNKNOWN_SLOT, false),
        }
    } else {
        // SAFETY: plain map lookup.
        match unsafe { IFACE_SLOTS.get(&ifindex) } {
            Some(v) if *v & iface::SLOT_MASK < iface::MAX_SLOTS => {
                (*v & iface::SLOT_MASK, *v & iface::RAW_IP != 0)
            }
            _ => (iface::UNKNOWN_SLOT, false),
        }
    };
    // SAFETY: this CPU's scratch value; XDP (softirq) and TC egress (bottom
    // halves disabled) do not interrupt each other on one CPU.
    let (l3, l4, vlan_depth) = unsafe {
        if raw_ip {
            parse::parse_ip(frame, &mut (*s).parsed);
        } else {
            parse::parse(frame, &mut (*s).parsed);
        }
        (*s).len = len;
        (*s).ifindex = ifindex;
        (*s).dir = dir;
        (*s).slot = slot;
        // Volatile: plain stores of adjacent zeros become a byte-at-a-time
        // `memset` call.
        core::ptr::addr_of_mut!((*s).matched).write_volatile(0);
        core::ptr::addr_of_mut!((*s).sample).write_volatile(0);
        core::ptr::addr_of_mut!((*s).candidates).write_volatile(0);
        ((*s).parsed.l3, (*s).parsed.l4, (*s).parsed.vlan_depth)
    };
    let counters = COUNTERS.get_ptr_mut(counter_index(slot, dir))?;
    // SAFETY: a per-CPU map value of this CPU.
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
    Some(s)
}

/// Last stage: count the frame for the rules that matched, then write the
/// TCP header record and the sample the frame asks for.
#[inline(always)]
fn finish<C, F>(ctx: &C, frame: &Frame, s: *mut Scratch, load: F)
where
    C: EbpfContext,
    F: Fn(*mut core::ffi::c_void, u32) -> i64,
{
    // SAFETY: this CPU's scratch value, filled by `begin` and the rules.
    let (len, ifindex, dir, slot, matched, rule_sample, l4_end, cands) = unsafe {
        (
            (*s).len,
            (*s).ifindex,
            (*s).dir,
            (*s).slot,
            (*s).matched,
            (*s).sample,
            (*s).parsed.l4_end,
            (*s).candidates,
        )
    };
    let dir = dir & 1;
    // Only the rule slots have counters: without the TCP scope's bit (above
    // them) the loop ends after the highest matching rule, not after all
    // of them for every segment in the scope.
    for_each_rule(slot, dir, matched, |rc| {
        rc.packets += 1;
        rc.bytes += len as u64;
    });
    // Frames a rule could not decide: rare (nested headers, fragments), so
    // the common case pays one test here.
    if cands != 0 {
        count_candidates(slot, dir, cands, len, false);
    }

    let Some(cfg) = CONFIG.get(0) else { return };
    let tcp_record = cfg.tcp_records != 0 && matched & (1u64 << r::TCP_SCOPE_SLOT) != 0;
    // Candidates always go to user space, whole (up to MAX_SNAPLEN), so the
    // exact filter sees the quoted or fragmented headers.
    let mut want = rule_sample != 0 || cands != 0;
    if !want && cfg.sample_threshold != 0 {
        // SAFETY: helper without arguments.
        let rnd = unsafe { bpf_get_prandom_u32() } as u64;
        want = rnd < cfg.sample_threshold;
    }
    if !tcp_record && !want {
        return;
    }
    // Looked up only for frames that write a record.
    let Some(counters) = COUNTERS.get_ptr_mut(counter_index(slot, dir)) else {
        return;
    };
    // SAFETY: a per-CPU map value of this CPU.
    let c = unsafe { &mut *counters };
    // One timestamp for both records of a frame, so user space can join a
    // sample with the TCP analysis of the same segment.
    // SAFETY: helper without arguments.
    let ts = unsafe { bpf_ktime_get_boot_ns() };
    let rules_bits = (matched & 0xffff_ffff) as u32;
    let cand_bits = (cands & 0xffff_ffff) as u32;

    let tcp_headers = RecordMeta {
        ts,
        kind: record_kind::TCP_HEADERS,
        len,
        ifindex,
        dir,
        snaplen: if l4_end > 0 { l4_end } else { len },
        rules: rules_bits,
        candidates: 0,
        wake_bytes: cfg.wake_bytes,
    };
    if tcp_record {
        // Most headers (Ethernet, IPv4 or IPv6, TCP with the usual
        // options) fit in 128 bytes: a record of 160 bytes instead of 288
        // leaves the ring room for almost twice as many.
        if sample_fitting!(&TCP_EVENTS, &tcp_headers, &load, frame; 128; 256) {
            c.tcp_records += 1;
        } else {
            c.tcp_records_dropped += 1;
            // Counted above; the log line says where, with RUST_LOG=debug.
            aya_log_ebpf::debug!(ctx, "TCP record ring full (ifindex {})", ifindex);
        }
    }
    if !want {
        return;
    }
    let rec = RecordMeta {
        kind: record_kind::SAMPLE,
        snaplen: if cands != 0 { MAX_SNAPLEN } else { cfg.snaplen },
        candidates: cand_bits,
        ..tcp_headers
    };
    let ok = sample_fitting!(&EVENTS, &rec, &load, frame; 64, 128, 256, 512, 1024; MAX_SNAPLEN);
    if ok {
        c.samples += 1;
    } else {
        c.ringbuf_dropped += 1;
        if cands != 0 {
            count_candidates(slot, dir, cands, len, true);
        }
    }
}

/// Count a frame for every rule slot in `cands` as a candidate, or (`lost`)
/// as a candidate whose record could not be written.
#[inline(always)]
fn count_candidates(slot: u32, dir: u32, cands: u64, len: u32, lost: bool) {
    for_each_rule(slot, dir, cands, |rc| {
        if lost {
            rc.candidates_lost += 1;
        } else {
            rc.candidates += 1;
            rc.candidate_bytes += len as u64;
        }
    });
}

/// Update this CPU's counters of every rule slot set in `bits` (for the
/// interface slot and direction) with `f`. The loop ends after the highest
/// set slot.
#[inline(always)]
fn for_each_rule(slot: u32, dir: u32, bits: u64, f: impl Fn(&mut RuleCounter)) {
    let mut m = bits & RULE_BITS;
    for rule in 0..r::MAX_RULES {
        if m == 0 {
            break;
        }
        if m & 1 != 0 {
            if let Some(rc) = RULE_COUNTERS.get_ptr_mut(r::counter_index(slot, rule, dir)) {
                // SAFETY: per-CPU map value of this CPU, not otherwise borrowed.
                f(unsafe { &mut *rc });
            }
        }
        m >>= 1;
    }
}

/// The verdict bits of the rule slots (the TCP scope's is above them).
const RULE_BITS: u64 = (1 << r::MAX_RULES) - 1;

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

/// What a record says about its frame, whatever the room it has for bytes.
#[derive(Clone, Copy)]
struct RecordMeta {
    ts: u64,
    kind: u8,
    len: u32,
    ifindex: u32,
    dir: u32,
    /// Frame bytes wanted (at most `len` and the record's room are copied).
    snaplen: u32,
    rules: u32,
    candidates: u32,
    wake_bytes: u64,
}

/// [`sample`] into the smallest record of the sizes listed that holds
/// `snaplen` bytes, the last size otherwise: one instance of `sample` per
/// size, chosen by a chain of comparisons.
macro_rules! sample_fitting {
    ($ring:expr, $rec:expr, $load:expr, $frame:expr; $($n:expr),+; $last:expr) => {{
        let rec: &RecordMeta = $rec;
        $(
            if rec.snaplen <= $n {
                sample::<{ $n as usize }, F>($ring, rec, $load, $frame)
            } else
        )+
        {
            sample::<{ $last as usize }, F>($ring, rec, $load, $frame)
        }
    }};
}
use sample_fitting;

/// Reserve, fill and submit one record with up to `min(len, snaplen, N)`
/// frame bytes. Returns false when the ring buffer had no room (the caller
/// counts it).
#[inline(always)]
fn sample<const N: usize, F>(ring: &RingBuf, rec: &RecordMeta, load: &F, frame: &Frame) -> bool
where
    F: Fn(*mut core::ffi::c_void, u32) -> i64,
{
    let RecordMeta {
        ts,
        kind,
        len,
        ifindex,
        dir,
        snaplen,
        rules,
        candidates,
        wake_bytes,
    } = *rec;
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
        let data = (*rec).data.as_mut_ptr();
        let copied = if cap == 0 {
            0
        } else if copy_linear::<N>(frame, data, cap) {
            cap
        } else {
            // N is a power of two and 1 <= cap <= N, so this is cap; written
            // this way the verifier sees 1 <= n <= N on the exact value passed.
            // (The barrier keeps the compiler from replacing it by `cap`,
            // whose bounds the verifier does not know at this point.)
            let n = ((core::hint::black_box(cap) - 1) & (N as u32 - 1)) + 1;
            if load(data as *mut _, n) == 0 {
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
            candidates,
        };
    }
    // Wake user space only when this record makes the data waiting cross
    // a multiple of `wake_bytes`: once per batch, not once per record (a
    // wake-up is an interrupt, dearer than the record; in a virtual
    // machine much dearer). User space also drains the rings on a timer,
    // so a quiet ring is read soon enough, and a crossing two CPUs both
    // miss costs at most one timer period.
    let flags = if wake_bytes == 0 {
        0
    } else {
        // The record as the ring holds it: its 8-byte header, rounded up,
        // and some slack (a wake-up too many is harmless).
        let size = core::mem::size_of::<Sample<N>>() as u64 + 16;
        let waiting = ring.query(BPF_RB_AVAIL_DATA as u64);
        // `wake_bytes` is a power of two: the two counts lie in different
        // multiples of it when they differ in a bit at or above it (no
        // 64-bit division on the per-record path).
        if waiting ^ waiting.saturating_sub(size) >= wake_bytes {
            BPF_RB_FORCE_WAKEUP as u64
        } else {
            BPF_RB_NO_WAKEUP as u64
        }
    };
    entry.submit(flags);
    true
}

/// Records of up to this many frame bytes are copied with [`copy_linear`];
/// longer ones with the load helper, whose copy is faster per byte.
const DIRECT_COPY_MAX: u32 = 128;

/// Copy the first `cap` bytes of the frame's linear part (`cap` in
/// `8..=min(N, DIRECT_COPY_MAX)`) to `dst` (room for N) with 8-byte loads
/// and stores: a handful of instructions per word where the load helper
/// costs tens of nanoseconds. The last word is the one ending at `cap`,
/// overlapping the one before when `cap` is not a multiple of 8, so
/// nothing past `cap` is read. False (nothing promised about `dst`) when
/// `cap` is out of that range or the linear part is shorter: the caller
/// then uses the helper.
#[inline(always)]
fn copy_linear<const N: usize>(f: &Frame, dst: *mut u8, cap: u32) -> bool {
    let limit = if N < DIRECT_COPY_MAX as usize {
        N
    } else {
        DIRECT_COPY_MAX as usize
    };
    let cap = cap as usize;
    // The last word's offset, bounded on the exact value used (a
    // `cap < 8` wraps around and fails here too). The barrier keeps the
    // compiler from checking `data + cap` instead of `data + last + 8`,
    // which the verifier cannot relate to the access.
    let last = core::hint::black_box(cap.wrapping_sub(8));
    if last > limit - 8 {
        return false;
    }
    for i in 0..limit / 8 {
        let off = i * 8;
        if off + 8 > cap {
            break;
        }
        let p = f.data + off;
        if p + 8 > f.data_end {
            return false;
        }
        // SAFETY: 8 packet bytes checked against data_end just above; `dst`
        // has room for N >= limit >= off + 8 bytes. eBPF loads and stores need no
        // alignment where the kernel runs these programs (the verifier
        // refuses them at load time otherwise).
        unsafe { (dst.add(off) as *mut u64).write((p as *const u64).read()) };
    }
    let p = f.data + last;
    if p + 8 > f.data_end {
        return false;
    }
    // SAFETY: as above; last + 8 = cap <= limit <= N.
    unsafe { (dst.add(last) as *mut u64).write((p as *const u64).read()) };
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
