//! A per-second traffic summary on stderr (`monitor run --summary`): one
//! line for each second in which packets were seen, none while idle.

use std::{collections::HashMap, sync::Arc, time::Duration};

use tokio::sync::watch;

use super::Metrics;
use crate::ebpf::Totals;

/// Counters at the previous tick, per (interface, direction).
type Previous = HashMap<(String, &'static str), (u64, u64)>;

/// Print a line every second in which packets were seen, until stopped.
pub async fn print(metrics: Arc<Metrics>, mut stop: watch::Receiver<bool>) {
    let mut last = Previous::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let m = metrics.clone();
        let Ok(snap) = tokio::task::spawn_blocking(move || m.kernel_totals()).await else {
            return;
        };
        if let Some(line) = line(&snap, &mut last) {
            eprintln!("{line}");
        }
    }
}

/// The summary of one second: for each interface and direction, the
/// packets and bytes since the previous call (`last`, updated here) and
/// the totals. `None` when no packet was seen anywhere in that second
/// (and on the first call, which has nothing to compare with).
fn line(snap: &[(String, &'static str, Totals)], last: &mut Previous) -> Option<String> {
    let mut parts = Vec::new();
    let mut active = false;
    for (iface, dir, t) in snap {
        let prev = last.insert((iface.clone(), *dir), (t.packets, t.bytes));
        let (dp, db) = prev
            .map(|(p, b)| (t.packets.saturating_sub(p), t.bytes.saturating_sub(b)))
            .unwrap_or((0, 0));
        active |= dp > 0;
        let protos: Vec<String> = monitor_common::proto::NAMES
            .iter()
            .zip(t.proto.iter())
            .filter(|(_, n)| **n > 0)
            .map(|(p, n)| format!("{p}={n}"))
            .collect();
        let mut total = format!("total {} pkts", t.packets);
        if !protos.is_empty() {
            total = format!("{total}, {}", protos.join(" "));
        }
        parts.push(format!(
            "{iface} {dir}: {dp} pkt/s {db} B/s ({total}; samples {}, ring drops {})",
            t.samples, t.ringbuf_dropped
        ));
    }
    active.then(|| parts.join("  "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(packets: u64, bytes: u64, proto: &[(usize, u64)]) -> Totals {
        let mut t = Totals {
            packets,
            bytes,
            samples: packets / 10,
            ..Default::default()
        };
        for (i, n) in proto {
            t.proto[*i] = *n;
        }
        t
    }

    #[test]
    fn idle_seconds_print_nothing_and_totals_have_no_stray_separators() {
        let mut last = Previous::new();
        let idle = [
            ("eth0".to_string(), "ingress", totals(0, 0, &[])),
            ("eth0".to_string(), "egress", totals(0, 0, &[])),
        ];
        assert_eq!(line(&idle, &mut last), None, "first call");
        assert_eq!(line(&idle, &mut last), None, "idle second");

        let names = monitor_common::proto::NAMES;
        let (tcp, udp) = (
            names.iter().position(|n| *n == "tcp").expect("tcp"),
            names.iter().position(|n| *n == "udp").expect("udp"),
        );
        let busy = [
            (
                "eth0".to_string(),
                "ingress",
                totals(30, 3000, &[(tcp, 20), (udp, 10)]),
            ),
            ("eth0".to_string(), "egress", totals(0, 0, &[])),
        ];
        assert_eq!(
            line(&busy, &mut last).as_deref(),
            Some(
                "eth0 ingress: 30 pkt/s 3000 B/s (total 30 pkts, tcp=20 udp=10; samples 3, ring drops 0)  \
                 eth0 egress: 0 pkt/s 0 B/s (total 0 pkts; samples 0, ring drops 0)"
            )
        );
        assert_eq!(line(&busy, &mut last), None, "nothing new since");
    }
}
