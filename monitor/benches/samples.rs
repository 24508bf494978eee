//! Daemon CPU per sample without the kernel: sample records as the ring
//! reader hands them over go through `Live::on_sample` (dissection, rule
//! filters, metrics, flight recorder), and the bench prints the wall-clock
//! ns per sample, the fastest of several trials. Run with
//! `cargo bench -p monitor --bench samples`.
//!
//! Cases: UDP datagrams with 64 bytes of payload (the daemon bench's
//! flood) with no rules; the same with 8 kernel-exact rules the frames
//! match (`udp.port == P`); and one TCP connection's requests and ACKs
//! with a rule the kernel leaves to user space (`tcp.payload contains
//! "GET"`).

use std::{hint::black_box, sync::Arc, time::Instant};

use monitor::{
    daemon::{
        live::{Live, LiveRule},
        Iface, Metrics,
    },
    record::{Direction, PacketRecord},
    recorder::{Config, Recorder},
};

const IFINDEX: u32 = 7;
const SAMPLES: usize = 200_000;
const TRIALS: usize = 5;

/// Ethernet, IPv4, UDP 40000 → `dport`, `payload`.
fn udp(dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, // eth
        0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, // ipv4 (len, csum below)
        10, 0, 0, 1, 10, 0, 0, 2,
    ];
    let udp_len = (8 + payload.len()) as u16;
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&udp_len.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    let ip_len = (f.len() - 14) as u16;
    f[16..18].copy_from_slice(&ip_len.to_be_bytes());
    let mut sum = 0u32;
    for c in f[14..34].chunks(2) {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    f[24..26].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    f
}

/// Ethernet, IPv4, TCP 40000 → 80 (PSH/ACK), `payload`.
fn tcp(payload: &[u8]) -> Vec<u8> {
    let mut f = udp(80, &[]);
    f.truncate(34);
    f[23] = 6;
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&80u16.to_be_bytes());
    f.extend_from_slice(&1000u32.to_be_bytes());
    f.extend_from_slice(&2000u32.to_be_bytes());
    f.extend_from_slice(&[0x50, 0x18, 0x01, 0xf5, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    let ip_len = (f.len() - 14) as u16;
    f[16..18].copy_from_slice(&ip_len.to_be_bytes());
    f
}

fn rule(name: &str, filter: &str, exact: bool) -> Option<LiveRule> {
    Some(LiveRule {
        name: name.into(),
        exact,
        filter: monitor::filter::compile(filter).unwrap(),
        sample: 1.0,
    })
}

/// ns per sample of `frame(i)` (sample `i`) through a fresh `Live` with
/// `rules`, where the kernel set `kernel_rules` and `candidates` on every
/// sample.
fn run(
    frame: impl Fn(usize) -> Vec<u8>,
    rules: Vec<Option<LiveRule>>,
    kernel_rules: u32,
    candidates: u32,
) -> f64 {
    let ifaces = [Iface {
        name: "veth0".into(),
        index: IFINDEX,
        slot: 0,
    }];
    let metrics = Arc::new(Metrics::without_kernel(&ifaces).unwrap());
    let recorder = Arc::new(Recorder::new(Config::default()));
    let live = Live::new(
        recorder,
        None,
        metrics,
        rules,
        monitor::tcp_analysis::Config::default(),
        1.0,
    );
    let mut best = f64::INFINITY;
    let mut ts = 1_700_000_000_000_000_000i64;
    for trial in 0..TRIALS {
        // The records as the ring reader makes them (one copy each).
        let recs: Vec<PacketRecord> = (0..SAMPLES)
            .map(|i| {
                let data = frame(trial * SAMPLES + i);
                PacketRecord {
                    ts_ns: ts + i as i64 * 1000,
                    iface: IFINDEX,
                    direction: Some(Direction::Ingress),
                    orig_len: data.len() as u32,
                    data,
                }
            })
            .collect();
        ts += SAMPLES as i64 * 1000;
        let t0 = Instant::now();
        for (i, r) in recs.into_iter().enumerate() {
            live.on_sample(black_box(r), i as u64, kernel_rules, candidates);
        }
        best = best.min(t0.elapsed().as_nanos() as f64 / SAMPLES as f64);
    }
    best
}

fn main() {
    let dgram = udp(9000, &[0x61; 64]);
    let dgram = |_| dgram.clone();
    // One connection: requests from the client, each after the one
    // before, and the server's ACK of each.
    let get = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let get = |i: usize| {
        let mut f = tcp(get);
        let end = 1000u32.wrapping_add(((i / 2 + 1) * get.len()) as u32);
        let seq = end.wrapping_sub(get.len() as u32);
        f[38..42].copy_from_slice(&seq.to_be_bytes());
        if i % 2 == 1 {
            // The server's ACK: addresses and ports swapped, no payload.
            f.truncate(54);
            f[16..18].copy_from_slice(&40u16.to_be_bytes());
            let (a, b) = (f[26..30].to_vec(), f[30..34].to_vec());
            f[26..30].copy_from_slice(&b);
            f[30..34].copy_from_slice(&a);
            f[34..38].copy_from_slice(&[0, 80, 0x9c, 0x40]);
            f[38..42].copy_from_slice(&2000u32.to_be_bytes());
            f[42..46].copy_from_slice(&end.to_be_bytes());
            f[47] = 0x10;
        }
        f
    };
    let only = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let only = only.as_deref();
    let eight: Vec<_> = (0..8)
        .map(|i| rule(&format!("r{i}"), &format!("udp.port == {}", 9000 + i), true))
        .collect();
    println!("daemon CPU per sample (Live::on_sample, fastest of {TRIALS} x {SAMPLES}):");
    let cases: [(&str, &dyn Fn() -> f64); 3] = [
        ("UDP, 64 B payload, no rules", &|| {
            run(dgram, Vec::new(), 0, 0)
        }),
        ("UDP, 8 kernel-exact rules, 1 matched", &|| {
            run(dgram, eight.clone(), 1, 0)
        }),
        ("TCP GETs and ACKs, 1 user-space rule (candidate)", &|| {
            run(
                get,
                vec![rule("web", "tcp.payload contains \"GET\"", false)],
                0,
                1,
            )
        }),
    ];
    // An argument runs the cases whose name contains it.
    for (name, case) in cases {
        if only.is_none_or(|o| name.contains(o)) {
            println!("  {name:<48} {:>8.0} ns", case());
        }
    }
}
