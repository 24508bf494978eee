//! What `GET /api/v1/status` answers (and `monitor status` prints): the
//! monitored interfaces with their XDP mode and link type, every rule with
//! whether the kernel decides it exactly and its counts, uptime, the
//! configuration file and the last reload, and what was lost on the way
//! (ring-buffer samples, TCP header records, candidates). Counts are read
//! from the same registry as `/metrics`, so the two always agree.

use std::{
    collections::BTreeMap,
    path::PathBuf,
    sync::Mutex,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

use prometheus::proto::{MetricFamily, MetricType};
use serde_json::{json, Value};

/// One monitored interface, as last attached.
#[derive(Clone, Debug)]
pub struct IfaceState {
    /// Name.
    pub name: String,
    /// Interface index while it exists.
    pub ifindex: Option<u32>,
    /// `driver` or `skb` while attached.
    pub xdp_mode: Option<&'static str>,
    /// Link type (LINKTYPE_* number).
    pub link_type: u16,
}

/// The daemon's state that the metrics do not hold.
#[derive(Debug)]
pub struct Status {
    started: Instant,
    started_at: SystemTime,
    config: Option<PathBuf>,
    ifaces: Mutex<Vec<IfaceState>>,
    /// (when, `None` for success or the error).
    last_reload: Mutex<Option<(SystemTime, Option<String>)>>,
}

fn unix(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Status {
    /// A daemon started now with `config` (if any) on `ifaces`.
    pub fn new(config: Option<PathBuf>, ifaces: Vec<IfaceState>) -> Self {
        Self {
            started: Instant::now(),
            started_at: SystemTime::now(),
            config,
            ifaces: Mutex::new(ifaces),
            last_reload: Mutex::new(None),
        }
    }

    /// Interface `name` is now attached (with its index and mode) or gone.
    pub fn set_iface(&self, name: &str, attached: Option<(u32, &'static str, u16)>) {
        if let Ok(mut v) = self.ifaces.lock() {
            if let Some(i) = v.iter_mut().find(|i| i.name == name) {
                i.ifindex = attached.map(|a| a.0);
                i.xdp_mode = attached.map(|a| a.1);
                if let Some(a) = attached {
                    i.link_type = a.2;
                }
            }
        }
    }

    /// A reload ended: `Ok` or the reason it was rejected.
    pub fn reloaded(&self, result: Result<(), String>) {
        if let Ok(mut r) = self.last_reload.lock() {
            *r = Some((SystemTime::now(), result.err()));
        }
    }

    /// The status document, with counts from `families` (the metrics
    /// registry) and the recorder's part from `recorder`.
    pub fn render(&self, families: &[MetricFamily], recorder: Value) -> Value {
        let sums = Sums(families);
        let ifaces: Vec<Value> = self
            .ifaces
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|i| {
                let by = |f: &str| sums.sum(f, &[("iface", &i.name)]);
                json!({
                    "name": i.name,
                    "ifindex": i.ifindex,
                    "attached": i.xdp_mode.is_some(),
                    "xdp_mode": i.xdp_mode,
                    "link_type": i.link_type,
                    "link_type_name": crate::dissect::link::linktype_name(i.link_type),
                    "packets": by("monitor_packets_total"),
                    "bytes": by("monitor_bytes_total"),
                    "ringbuf_dropped": by("monitor_ringbuf_dropped_total"),
                    "tcp_records_lost": by("monitor_tcp_records_lost_total"),
                })
            })
            .collect();
        let mut rules = Vec::new();
        for (labels, _) in sums.series("monitor_rule_info") {
            let get = |k: &str| labels.get(k).cloned().unwrap_or_default();
            let rule = get("rule");
            let exact = get("kernel_exact") == "true";
            let r = |f: &str| sums.sum(f, &[("rule", &rule)]);
            let mut v = json!({
                "name": rule,
                "kernel_exact": exact,
                "exact_series": get("exact_series"),
                "candidates": r("monitor_rule_candidates_total"),
                "candidate_bytes": r("monitor_rule_candidate_bytes_total"),
            });
            if exact {
                v["packets"] = r("monitor_rule_packets_total").into();
                v["bytes"] = r("monitor_rule_bytes_total").into();
                v["candidates_lost"] = r("monitor_rule_candidates_lost_total").into();
            } else {
                v["user_matches"] = r("monitor_rule_user_matches_total").into();
                v["packets_estimated"] = r("monitor_rule_packets_estimated_total").into();
                v["sample_fraction"] = r("monitor_rule_sample_fraction").into();
            }
            rules.push(v);
        }
        let reload = self
            .last_reload
            .lock()
            .ok()
            .and_then(|r| r.clone())
            .map(|(at, err)| {
                json!({
                    "at": unix(at),
                    "result": if err.is_some() { "rejected" } else { "ok" },
                    "error": err,
                })
            });
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "started_at": unix(self.started_at),
            "uptime_seconds": self.started.elapsed().as_secs_f64(),
            "config": self.config,
            "last_reload": reload,
            "reloads": sums.sum("monitor_config_reloads_total", &[]),
            "reload_failures": sums.sum("monitor_config_reload_failures_total", &[]),
            "interfaces": ifaces,
            "rules": rules,
            "losses": {
                "ringbuf_dropped": sums.sum("monitor_ringbuf_dropped_total", &[]),
                "tcp_records_lost": sums.sum("monitor_tcp_records_lost_total", &[]),
                "rule_candidates_lost": sums.sum("monitor_rule_candidates_lost_total", &[]),
            },
            "recorder": recorder,
        })
    }
}

/// Sums over the series of gathered families.
struct Sums<'a>(&'a [MetricFamily]);

impl Sums<'_> {
    /// Every series of a family: labels and value.
    fn series(&self, name: &str) -> Vec<(BTreeMap<String, String>, f64)> {
        let Some(f) = self.0.iter().find(|f| f.name() == name) else {
            return Vec::new();
        };
        f.get_metric()
            .iter()
            .map(|m| {
                let labels = m
                    .get_label()
                    .iter()
                    .map(|l| (l.name().to_string(), l.value().to_string()))
                    .collect();
                let v = match f.get_field_type() {
                    MetricType::COUNTER => m.get_counter().get_value(),
                    MetricType::GAUGE => m.get_gauge().get_value(),
                    _ => 0.0,
                };
                (labels, v)
            })
            .collect()
    }

    /// Sum of the series whose labels include `want`.
    fn sum(&self, name: &str, want: &[(&str, &str)]) -> f64 {
        self.series(name)
            .into_iter()
            .filter(|(l, _)| want.iter().all(|(k, v)| l.get(*k).is_some_and(|x| x == v)))
            .map(|(_, v)| v)
            .sum()
    }
}
