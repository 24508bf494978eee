//! Per-packet kernel cost of the monitor programs, measured with
//! BPF_PROG_TEST_RUN against a bare XDP_PASS program in the same run.
//!
//! `cargo xtask bench` (root). Figures are the kernel's own per-run
//! average over `REPEAT` runs, the fastest of `TRIALS` trials, averaged over
//! a mix of corpus frames.

use aya::programs::{TestRun as _, TestRunOptions};
use monitor::ebpf::{KernelRule, Programs};
use monitor_common::rules::{field as f, op, RuleNode, ACCEPT, REJECT};
use monitor_tests::{captures_dir, read_capture};

const REPEAT: u32 = 20_000;

fn frames() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (file, idx) in [
        ("tcp_handshake.pcapng", 0usize),
        ("dns_lab.pcapng", 0),
        ("arp_resolution.pcapng", 0),
        ("http_ipv4_and_ipv6.pcapng", 0),
        ("vlan_icmp.pcap", 0),
        ("icmpv6_neighbor_solicitation.pcapng", 0),
    ] {
        let f = read_capture(&captures_dir().join(file));
        if let Some(fr) = f.get(idx) {
            out.push((
                file.to_string(),
                fr.data[..fr.data.len().min(3000)].to_vec(),
            ));
        }
    }
    out
}

/// Trials per frame; the fastest counts (a virtual machine's noise only
/// ever adds time).
const TRIALS: usize = 7;

fn per_packet(run: &mut dyn FnMut(&[u8], u32) -> f64, frames: &[(String, Vec<u8>)]) -> f64 {
    let mut total = 0.0;
    for (_, data) in frames {
        // Warm up, then measure.
        run(data, 1000);
        total += (0..TRIALS)
            .map(|_| run(data, REPEAT))
            .fold(f64::INFINITY, f64::min);
    }
    total / frames.len() as f64
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

fn main() {
    // SAFETY: no arguments.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("kernel benchmark skipped: needs root");
        return;
    }
    let frames = frames();
    let mut progs = Programs::load(1 << 26).expect("load");
    let mut ring = progs.take_ring().expect("ring");
    let mut results = Vec::new();

    let bare = per_packet(
        &mut |d, n| timed(d, n, |o| progs.bare().unwrap().test_run(o)),
        &frames,
    );
    results.push(("bare XDP_PASS (baseline)", bare));

    for (label, sample) in [
        ("monitor XDP, 0 rules, sampling off", 0.0),
        ("monitor XDP, every packet sampled (256 B)", 1.0),
    ] {
        progs.configure(sample, 256).unwrap();
        let ns = per_packet(
            &mut |d, n| {
                // Drain between batches so the ring always has room (64 MiB
                // holds more than one batch).
                while ring.next().is_some() {}
                timed(d, n, |o| progs.xdp().unwrap().test_run(o))
            },
            &frames,
        );
        results.push((label, ns));
    }
    let no_rules = results[1].1;
    // Rules like `tcp.port in {P, P+1}`: up to four nodes each, compiled
    // into the rules stage the way the daemon installs them.
    progs.configure(0.0, 256).unwrap();
    let mut tables = progs.take_rules().expect("rule tables");
    let node = |field, v: u64, jt, jf| RuleNode {
        field,
        op: op::EQ,
        _pad: 0,
        jt,
        jf,
        value: [0, v],
        mask: [u64::MAX, u64::MAX],
    };
    for count in [1usize, 8, 32] {
        let rules: Vec<Option<KernelRule>> = (0..count as u64)
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
            .collect();
        tables.install(&rules, None).expect("install rules");
        let ns = per_packet(
            &mut |d, n| timed(d, n, |o| progs.xdp().unwrap().test_run(o)),
            &frames,
        );
        let label: &'static str = match count {
            1 => "monitor XDP, 1 rule (4 nodes)",
            8 => "monitor XDP, 8 rules",
            _ => "monitor XDP, 32 rules",
        };
        results.push((label, ns));
    }
    tables.install(&[], None).expect("clear rules");
    let tc = per_packet(
        &mut |d, n| timed(d, n, |o| progs.tc().unwrap().test_run(o)),
        &frames,
    );
    results.push(("monitor TC, sampling off", tc));

    println!(
        "kernel per-packet cost over {} frames x {REPEAT} runs (BPF_PROG_TEST_RUN):",
        frames.len()
    );
    for (label, ns) in &results {
        let rules = if label.contains("rule") && !label.contains("0 rules") {
            format!("  rules add {:+.1} ns", ns - no_rules)
        } else {
            String::new()
        };
        println!(
            "  {label:<45} {ns:>7.1} ns/packet  {:>5.2}x baseline  (+{:.1} ns){rules}",
            ns / bare,
            ns - bare
        );
    }
}
