//! Throughput of the TCP analyzer on generated traffic: many concurrent
//! conversations, each a handshake, data segments with ACKs, a little loss
//! and a teardown. Run with `cargo bench -p monitor --bench tcp_analysis`.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use monitor::tcp_analysis::{flags, Analyzer, Config, Segment};

fn main() {
    const FLOWS: u32 = 20_000;
    const DATA: u32 = 40;
    let mut a = Analyzer::new(Config::default());
    let server = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let mut frame = 0u64;
    let mut t = 1_700_000_000_000_000_000i64;
    let start = Instant::now();
    let mut verdicts = 0u64;
    // Interleave the flows: round r advances every flow by one exchange.
    for round in 0..(DATA + 3) {
        for f in 0..FLOWS {
            let client = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + f));
            let cport = 10_000 + (f % 50_000) as u16;
            let (cisn, sisn) = (f.wrapping_mul(7919), f.wrapping_mul(104_729));
            let mut seg = |from_client: bool, fl: u16, seq: u32, ack: u32, len: u32| {
                frame += 1;
                t += 1_000;
                let s = Segment {
                    src: if from_client { client } else { server },
                    dst: if from_client { server } else { client },
                    src_port: if from_client { cport } else { 443 },
                    dst_port: if from_client { 443 } else { cport },
                    seq,
                    ack,
                    flags: fl,
                    window: 502,
                    payload_len: len,
                    options: &[],
                    options_cut: false,
                };
                black_box(a.on_segment(frame, t, &s));
                verdicts += 1;
            };
            match round {
                0 => seg(true, flags::SYN, cisn, 0, 0),
                1 => seg(false, flags::SYN | flags::ACK, sisn, cisn + 1, 0),
                2 => seg(true, flags::ACK, cisn + 1, sisn + 1, 0),
                r if r < DATA + 2 => {
                    let off = (r - 3) * 1400;
                    // Every 17th segment of a flow is lost once and resent.
                    if (f + r) % 17 != 0 {
                        seg(false, flags::ACK, sisn + 1 + off, cisn + 1, 1400);
                    }
                    seg(true, flags::ACK, cisn + 1, sisn + 1 + off + 1400, 0);
                }
                _ => {
                    seg(
                        false,
                        flags::FIN | flags::ACK,
                        sisn + 1 + DATA * 1400,
                        cisn + 1,
                        0,
                    );
                    seg(
                        true,
                        flags::FIN | flags::ACK,
                        cisn + 1,
                        sisn + 2 + DATA * 1400,
                        0,
                    );
                }
            }
        }
    }
    let el = start.elapsed();
    println!(
        "{verdicts} segments, {FLOWS} flows in {el:?}: {:.2} M segments/s; {:?}",
        verdicts as f64 / el.as_secs_f64() / 1e6,
        a.stats()
    );
}
