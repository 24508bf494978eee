//! A per-second traffic summary on stderr (`monitor run --summary`).

use std::{collections::HashMap, sync::Arc, time::Duration};

use tokio::sync::watch;

use super::Metrics;

/// Print one line per interface and direction every second until stopped.
pub async fn print(metrics: Arc<Metrics>, mut stop: watch::Receiver<bool>) {
    let mut last: HashMap<(String, &'static str), (u64, u64)> = HashMap::new();
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
        let mut line = String::new();
        for (iface, dir, t) in snap {
            let prev = last.insert((iface.clone(), dir), (t.packets, t.bytes));
            let (dp, db) = prev
                .map(|(p, b)| (t.packets - p, t.bytes - b))
                .unwrap_or((0, 0));
            let top: Vec<String> = monitor_common::proto::NAMES
                .iter()
                .zip(t.proto.iter())
                .filter(|(_, n)| **n > 0)
                .map(|(p, n)| format!("{p}={n}"))
                .collect();
            line.push_str(&format!(
                "{iface} {dir}: {dp} pkt/s {db} B/s (total {} pkts, {}; samples {}, ring drops {})  ",
                t.packets,
                top.join(" "),
                t.samples,
                t.ringbuf_dropped
            ));
        }
        eprintln!("{}", line.trim_end());
    }
}
