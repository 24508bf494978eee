//! The live pipeline: sampled frames are dissected, checked against the
//! rules the kernel could not decide exactly, and kept in the flight
//! recorder; TCP header records feed one TCP analyzer per interface (the
//! same dissection pipeline `monitor read` uses, so verdicts are tshark's).

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, RwLock},
};

use crate::{
    dissect::{pipeline::Pipeline, Dissection, FieldType, Value},
    filter::Filter,
    record::{Direction, PacketRecord},
    recorder::{Entry, Recorder},
};

use super::Metrics;

/// TCP analysis flags exported as `monitor_tcp_analysis_total{flag}`.
pub const ANALYSIS_FLAGS: [&str; 15] = [
    "retransmission",
    "fast_retransmission",
    "spurious_retransmission",
    "out_of_order",
    "duplicate_ack",
    "lost_segment",
    "ack_lost_segment",
    "zero_window",
    "zero_window_probe",
    "zero_window_probe_ack",
    "window_update",
    "window_full",
    "keep_alive",
    "keep_alive_ack",
    "reused_ports",
];

/// A rule as user space sees it.
#[derive(Clone, Debug)]
pub struct LiveRule {
    /// Name.
    pub name: Arc<str>,
    /// The kernel decides it exactly (no user-space check needed).
    pub exact: bool,
    /// The exact filter, for candidates the kernel passed up.
    pub filter: Filter,
}

/// Key joining a sample with the TCP record of the same frame.
type FrameKey = (u64, u32, u8);

/// Recent analysis verdicts, for labelling samples (bounded).
#[derive(Debug, Default)]
struct VerdictCache {
    order: VecDeque<FrameKey>,
    map: HashMap<FrameKey, Vec<Arc<str>>>,
}

const VERDICT_CACHE: usize = 65_536;

impl VerdictCache {
    fn insert(&mut self, k: FrameKey, v: Vec<Arc<str>>) {
        if self.order.len() >= VERDICT_CACHE {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.order.push_back(k);
        self.map.insert(k, v);
    }
}

/// The daemon's user-space packet state.
pub struct Live {
    samples: Mutex<Pipeline>,
    tcp: Mutex<HashMap<u32, Pipeline>>,
    verdicts: Mutex<VerdictCache>,
    rules: RwLock<Vec<Option<LiveRule>>>,
    recorder_filter: Option<Filter>,
    /// The flight recorder.
    pub recorder: Arc<Recorder>,
    metrics: Arc<Metrics>,
    flag_names: HashMap<&'static str, Arc<str>>,
    tcp_config: crate::tcp_analysis::Config,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").finish_non_exhaustive()
    }
}

impl Live {
    /// A live pipeline feeding `recorder` and `metrics`.
    pub fn new(
        recorder: Arc<Recorder>,
        recorder_filter: Option<Filter>,
        metrics: Arc<Metrics>,
        rules: Vec<Option<LiveRule>>,
        tcp_config: crate::tcp_analysis::Config,
    ) -> Self {
        for r in rules.iter().flatten().filter(|r| !r.exact) {
            metrics.init_rule_user(&r.name);
        }
        let flag_names = ANALYSIS_FLAGS
            .iter()
            .map(|f| (*f, Arc::from(format!("tcp.analysis.{f}"))))
            .collect();
        Self {
            samples: Mutex::new(Pipeline::new()),
            tcp: Mutex::new(HashMap::new()),
            verdicts: Mutex::new(VerdictCache::default()),
            rules: RwLock::new(rules),
            recorder_filter,
            recorder,
            metrics,
            flag_names,
            tcp_config,
        }
    }

    /// Replace the rules (after a reload).
    pub fn set_rules(&self, rules: Vec<Option<LiveRule>>) {
        for r in rules.iter().flatten().filter(|r| !r.exact) {
            self.metrics.init_rule_user(&r.name);
        }
        if let Ok(mut r) = self.rules.write() {
            *r = rules;
        }
    }

    /// A sampled frame; `kernel_rules` has bit `s` set for every rule slot
    /// the kernel matched.
    pub fn on_sample(&self, rec: PacketRecord, boot_ts: u64, kernel_rules: u32) {
        let d = match self.samples.lock() {
            Ok(mut p) => p.dissect(&rec),
            Err(_) => return,
        };
        let dir = rec.direction.unwrap_or(Direction::Ingress);
        let iface = self.metrics.iface_name(rec.iface);
        self.metrics.sample(&iface, dir, d.malformed);
        let mut matched = Vec::new();
        if let Ok(rules) = self.rules.read() {
            for (slot, rule) in rules.iter().enumerate() {
                let Some(rule) = rule else { continue };
                if kernel_rules & (1 << slot) == 0 {
                    continue;
                }
                // Even a kernel-exact rule passes frames with nested headers
                // or fragments up as candidates, so samples are always
                // checked with the exact filter.
                if rule.filter.matches(&d) {
                    if !rule.exact {
                        self.metrics.rule_user_match(&rule.name, &iface, dir);
                    }
                    matched.push(rule.name.clone());
                }
            }
        }
        if self
            .recorder_filter
            .as_ref()
            .is_some_and(|f| !f.matches(&d))
        {
            return;
        }
        let key = (boot_ts, rec.iface, dir as u8);
        let analysis = self
            .verdicts
            .lock()
            .ok()
            .and_then(|v| v.map.get(&key).cloned())
            .unwrap_or_default();
        let mut entry = Entry::new(rec);
        entry.rules = matched;
        entry.analysis = analysis;
        self.recorder.push(entry);
    }

    /// A TCP header record: analyse it.
    pub fn on_tcp(&self, rec: PacketRecord, boot_ts: u64) {
        let dir = rec.direction.unwrap_or(Direction::Ingress);
        let iface = self.metrics.iface_name(rec.iface);
        let ifindex = rec.iface;
        let (d, outcomes) = {
            let Ok(mut map) = self.tcp.lock() else { return };
            let p = map.entry(ifindex).or_insert_with(|| {
                let mut p = Pipeline::new();
                p.set_tcp_config(self.tcp_config.clone());
                p.collect_handshakes();
                p
            });
            let d = p.dissect(&rec);
            (d, p.take_handshakes(None))
        };
        let flags = self.analysis_flags(&d);
        for f in &flags {
            let short = f.strip_prefix("tcp.analysis.").unwrap_or(f);
            self.metrics.tcp_flag(&iface, short);
        }
        if let Some(rtt) = float(&d, "tcp.analysis.ack_rtt") {
            self.metrics.ack_rtt(&iface, rtt);
        }
        for o in outcomes {
            self.metrics.handshake(&iface, o.kind.as_str(), o.irtt);
        }
        if !flags.is_empty() {
            if let Ok(mut v) = self.verdicts.lock() {
                v.insert((boot_ts, ifindex, dir as u8), flags);
            }
        }
    }

    /// Periodic work: handshake timeouts and flow-table gauges.
    pub fn tick(&self, now_ns: i64) {
        let Ok(mut map) = self.tcp.lock() else { return };
        for (ifindex, p) in map.iter_mut() {
            let iface = self.metrics.iface_name(*ifindex);
            for o in p.take_handshakes(Some(now_ns)) {
                self.metrics.handshake(&iface, o.kind.as_str(), o.irtt);
            }
            let s = p.tcp_stats();
            self.metrics.tcp_flows(
                &iface,
                s.flows_tracked as u64,
                s.flows_evicted + s.flows_expired,
            );
        }
    }

    fn analysis_flags(&self, d: &Dissection) -> Vec<Arc<str>> {
        let mut out: Vec<Arc<str>> = Vec::new();
        for f in &d.fields {
            let Some(short) = f.def.name.strip_prefix("tcp.analysis.") else {
                continue;
            };
            if !matches!(f.def.ty, FieldType::None | FieldType::Bool) {
                continue;
            }
            if let Some(name) = self.flag_names.get(short) {
                if !out.iter().any(|o| Arc::ptr_eq(o, name)) {
                    out.push(name.clone());
                }
            }
        }
        out
    }
}

fn float(d: &Dissection, name: &str) -> Option<f64> {
    d.values(name).find_map(|v| match v {
        Value::Float(f) => Some(*f),
        _ => None,
    })
}
