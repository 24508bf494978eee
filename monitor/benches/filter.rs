//! Cost of the exact display-filter evaluator per packet, next to the cost
//! of dissecting the packet in the first place (the baseline, measured in
//! the same run on the same frames). Frames: every capture of
//! `../shared/captures`, dissected once; each filter is then evaluated on
//! all of them. Run with `cargo bench -p monitor --bench filter`.

use std::hint::black_box;
use std::time::Instant;

use monitor::capture::CaptureReader;
use monitor::dissect::{pipeline::Pipeline, Dissection};

const FILTERS: &[&str] = &[
    "tcp",
    "tcp.port == 443",
    "ip.addr == 10.0.0.0/8 && !(tcp.dstport in {80, 443})",
    "tcp.flags.syn == 1 && tcp.flags.ack == 0",
    "tcp.analysis.retransmission || tcp.analysis.duplicate_ack",
    "dns.qry.name contains \"google\"",
    "http.request.method == \"GET\" && http.host matches \"\\\\.com$\"",
    "tls.handshake.type == 1",
    "frame.len > 1000 and ipv6",
    "eth.addr == ff:ff:ff:ff:ff:ff or arp",
];

/// Repeat evaluation until at least this many evaluations per filter.
const MIN_EVALS: usize = 2_000_000;

fn main() {
    let dir = test_support::captures_dir();
    let caps = test_support::capture_files();
    if caps.is_empty() {
        eprintln!("filter benchmark skipped: no captures in {}", dir.display());
        return;
    }

    // Baseline: dissecting every frame (the full pipeline, TCP analysis included).
    let mut frames: Vec<Dissection> = Vec::new();
    let start = Instant::now();
    for cap in &caps {
        let mut reader = CaptureReader::open(cap).expect("open capture");
        let mut pipe = Pipeline::new();
        while let Some(Ok(pkt)) = reader.next_packet() {
            frames.push(pipe.dissect_file(&pkt));
        }
    }
    let dissect_ns = start.elapsed().as_nanos() as f64 / frames.len() as f64;
    println!(
        "{} frames from {} captures; dissection (baseline): {dissect_ns:.0} ns/packet",
        frames.len(),
        caps.len()
    );
    // Filters run on a packet right after it was dissected, while its
    // fields are in cache: evaluate them over small chunks of frames at a
    // time, as the daemon and `monitor read -Y` do, not over the whole
    // corpus in one sweep (which would measure memory bandwidth).
    let compiled: Vec<_> = FILTERS
        .iter()
        .map(|e| monitor::filter::compile(e).expect("filter compiles"))
        .collect();
    let rounds = MIN_EVALS.div_ceil(frames.len());
    let mut ns = vec![0f64; FILTERS.len()];
    let mut hits = vec![0usize; FILTERS.len()];
    for chunk in frames.chunks(16) {
        for (i, f) in compiled.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..rounds {
                for d in chunk {
                    hits[i] += usize::from(f.matches(black_box(d)));
                }
            }
            ns[i] += start.elapsed().as_nanos() as f64;
        }
    }
    for (i, expr) in FILTERS.iter().enumerate() {
        let per = ns[i] / (rounds * frames.len()) as f64;
        println!(
            "  {expr:<62} {per:>7.1} ns/packet  {:>6.3}x dissection  ({} matches)",
            per / dissect_ns,
            hits[i] / rounds
        );
    }
}
