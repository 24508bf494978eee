//! Per-packet kernel cost of the monitor programs, measured with
//! BPF_PROG_TEST_RUN against a bare XDP_PASS program loaded and measured
//! in the same run.
//!
//! `cargo xtask bench` (root). One row per packet kind (ARP, UDP, a TCP
//! data segment, an ICMP error quoting a UDP datagram, a VLAN-tagged UDP
//! datagram, TCP over IPv6), one column per configuration: no rules and
//! no TCP analysis; the TCP analysis scope (the daemon's default, `tcp`);
//! the scope with 8 and 32 rules; the scope, 8 rules and 1 % sampling.
//! Figures are ns per packet above the bare program (the kernel's own
//! per-run average over `REPEAT` runs, the fastest of `TRIALS` trials: a
//! virtual machine's noise only ever adds time). A benchmark: nothing here
//! fails on timing.

use aya::programs::{TestRun as _, TestRunOptions};
use monitor::ebpf::{KernelRule, Programs};
use monitor_common::rules::{field as f, op, RuleNode, ACCEPT, REJECT};

const REPEAT: u32 = 20_000;

/// Trials per measurement; the fastest counts.
const TRIALS: usize = 7;

const DST_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 1];
const SRC_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 2];

fn eth(ty: u16) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&DST_MAC);
    f.extend_from_slice(&SRC_MAC);
    f.extend_from_slice(&ty.to_be_bytes());
    f
}

fn ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0];
    h[2..4].copy_from_slice(&((20 + payload.len()) as u16).to_be_bytes());
    h.extend_from_slice(&[10, 0, 0, 2, 10, 0, 0, 1]);
    h.extend_from_slice(payload);
    h
}

fn udp(payload_len: usize) -> Vec<u8> {
    let mut u = vec![0xc3, 0x50, 0x13, 0x89];
    u.extend_from_slice(&((8 + payload_len) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend(std::iter::repeat_n(0x61, payload_len));
    u
}

/// A TCP ACK segment with the timestamp option and `payload_len` bytes.
fn tcp(payload_len: usize) -> Vec<u8> {
    let mut t = vec![
        0xc3, 0x50, 0x00, 0x50, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0x80, 0x10, 0x01, 0xf5, 0, 0, 0, 0,
    ];
    t.extend_from_slice(&[1, 1, 8, 10, 0, 0, 1, 0, 0, 0, 2, 0]);
    t.extend(std::iter::repeat_n(0x62, payload_len));
    t
}

/// Frames of each kind the table measures.
fn kinds() -> Vec<(&'static str, Vec<u8>)> {
    let arp = {
        let mut f = eth(0x0806);
        f.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
        f.extend_from_slice(&SRC_MAC);
        f.extend_from_slice(&[10, 0, 0, 2]);
        f.extend_from_slice(&[0; 6]);
        f.extend_from_slice(&[10, 0, 0, 1]);
        f
    };
    let udp4 = [eth(0x0800), ipv4(17, &udp(64))].concat();
    let tcp4 = [eth(0x0800), ipv4(6, &tcp(1000))].concat();
    let icmp_err = {
        let quoted = ipv4(17, &udp(0));
        let mut i = vec![3, 3, 0, 0, 0, 0, 0, 0];
        i.extend_from_slice(&quoted);
        [eth(0x0800), ipv4(1, &i)].concat()
    };
    let vlan = {
        let mut f = eth(0x8100);
        f.extend_from_slice(&[0, 10, 0x08, 0x00]);
        f.extend_from_slice(&ipv4(17, &udp(64)));
        f
    };
    let tcp6 = {
        let seg = tcp(1000);
        let mut h = vec![0x60, 0, 0, 0];
        h.extend_from_slice(&(seg.len() as u16).to_be_bytes());
        h.extend_from_slice(&[6, 64]);
        h.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        h.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        h.extend_from_slice(&seg);
        [eth(0x86dd), h].concat()
    };
    vec![
        ("ARP", arp),
        ("UDP/IPv4", udp4),
        ("TCP/IPv4 (1000 B)", tcp4),
        ("ICMP error", icmp_err),
        ("VLAN UDP", vlan),
        ("TCP/IPv6 (1000 B)", tcp6),
    ]
}

/// Kernel-measured ns per run, fastest of [`TRIALS`] after a warm-up.
fn per_packet(run: &mut dyn FnMut(&[u8], u32) -> f64, data: &[u8]) -> f64 {
    run(data, 1000);
    (0..TRIALS)
        .map(|_| run(data, REPEAT))
        .fold(f64::INFINITY, f64::min)
}

/// Kernel-measured ns per run of `n` test runs over `d`.
fn timed(
    d: &[u8],
    n: u32,
    run: impl FnOnce(
        TestRunOptions<'_>,
    ) -> Result<aya::programs::TestRunResult, aya::programs::ProgramError>,
) -> f64 {
    let opts = TestRunOptions {
        data_in: Some(d),
        repeat: n,
        ..Default::default()
    };
    run(opts).expect("test run").duration.as_nanos() as f64
}

/// `count` rules like `tcp.port in {P, P+1}` (four nodes each), none of
/// which matches the benchmark frames.
fn port_rules(count: usize) -> Vec<Option<KernelRule>> {
    let node = |field, v: u64, jt, jf| RuleNode {
        field,
        op: op::EQ,
        _pad: 0,
        jt,
        jf,
        value: [0, v],
        mask: [u64::MAX, u64::MAX],
    };
    (0..count as u64)
        .map(|i| {
            Some(KernelRule {
                nodes: vec![
                    node(f::TCP_SRCPORT, 8000 + 2 * i, ACCEPT, 1),
                    node(f::TCP_SRCPORT, 8001 + 2 * i, ACCEPT, 2),
                    node(f::TCP_DSTPORT, 8000 + 2 * i, ACCEPT, 3),
                    node(f::TCP_DSTPORT, 8001 + 2 * i, ACCEPT, REJECT),
                ],
                sample: 0.0,
            })
        })
        .collect()
}

fn main() {
    // SAFETY: no arguments.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("kernel benchmark skipped: needs root");
        return;
    }
    let kinds = kinds();
    let mut progs = Programs::load(1 << 26).expect("load");
    let mut ring = progs.take_ring().expect("ring");
    let mut tcp_ring = progs.take_tcp_ring().expect("TCP ring");
    let mut tables = progs.take_rules().expect("rule tables");
    let (scope, _) = monitor::filter::kernel::kernel_rule("tcp").expect("scope rule");

    // (label, rules, TCP scope, sample fraction)
    let configs: [(&str, usize, bool, f64); 5] = [
        ("no rules", 0, false, 0.0),
        ("tcp scope", 0, true, 0.0),
        ("scope+8r", 8, true, 0.0),
        ("scope+32r", 32, true, 0.0),
        ("8r+1%", 8, true, 0.01),
    ];
    let mut table = vec![vec![0.0; configs.len()]; kinds.len()];
    let mut bare = vec![0.0; kinds.len()];
    for (k, (_, data)) in kinds.iter().enumerate() {
        bare[k] = per_packet(
            &mut |d, n| timed(d, n, |o| progs.bare().unwrap().test_run(o)),
            data,
        );
    }
    for (c, (_, rules, with_scope, sample)) in configs.iter().enumerate() {
        progs.configure_all(*sample, 256, *with_scope).unwrap();
        tables
            .install(&port_rules(*rules), with_scope.then_some(&scope))
            .expect("install rules");
        for (k, (_, data)) in kinds.iter().enumerate() {
            let ns = per_packet(
                &mut |d, n| {
                    // Drain between batches so the rings always have room
                    // (64 MiB holds more than one batch).
                    while ring.next().is_some() {}
                    while tcp_ring.next().is_some() {}
                    timed(d, n, |o| progs.xdp().unwrap().test_run(o))
                },
                data,
            );
            table[k][c] = ns;
        }
    }
    tables.install(&[], None).expect("clear rules");
    progs.configure_all(0.0, 256, false).unwrap();
    let tc: Vec<f64> = kinds
        .iter()
        .map(|(_, d)| {
            per_packet(
                &mut |d, n| timed(d, n, |o| progs.tc().unwrap().test_run(o)),
                d,
            )
        })
        .collect();

    println!(
        "kernel per-packet cost, ns above a bare XDP_PASS program (BPF_PROG_TEST_RUN, \
         fastest of {TRIALS} x {REPEAT} runs):"
    );
    print!("  {:<20} {:>8}", "packet", "bare ns");
    for (label, ..) in &configs {
        print!(" {label:>10}");
    }
    println!(" {:>10}", "TC egress");
    for (k, (name, _)) in kinds.iter().enumerate() {
        print!("  {name:<20} {:>8.1}", bare[k]);
        for ns in &table[k] {
            print!(" {:>+10.1}", ns - bare[k]);
        }
        println!(" {:>+10.1}", tc[k] - bare[k]);
    }
    // Sizes of the entry programs (each holds the parser and, inlined for
    // frames that meet no rules stage, the finishing stage).
    let xdp_info = progs.xdp().unwrap().info().expect("XDP program info");
    let tc_info = progs.tc().unwrap().info().expect("TC program info");
    for (name, info) in [("monitor_xdp", xdp_info), ("monitor_tc", tc_info)] {
        println!(
            "  {name}: {} instructions after the verifier, {} bytes of machine code",
            info.size_translated().unwrap_or(0) / 8,
            info.size_jitted()
        );
    }
    println!(
        "  columns: rules are `tcp.port in {{P, P+1}}` (4 nodes, never matching); \
         `tcp scope` writes a TCP header record per TCP segment; `8r+1%` samples 1 % \
         of frames (256 B)."
    );
}
