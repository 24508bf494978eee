//! Prometheus metrics: kernel counters summed over CPUs at scrape time, plus
//! the daemon's own counters. Labels are bounded (interface, direction,
//! protocol, rule, flag, outcome, layer, reason); never addresses or ports.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use monitor_common::{direction, proto, rules::RuleCounter};
use prometheus::{
    core::{Collector, Desc},
    proto::{Counter, LabelPair, Metric, MetricFamily, MetricType},
    HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
};

use super::Iface;
use crate::{
    dissect::{pipeline::ReassemblyStats, Layer},
    ebpf::{CounterMap, Totals},
    record::Direction,
};

/// `protocol` label values of the reassembly metrics.
const REASSEMBLY_PROTOCOLS: [&str; 3] = ["ipv4", "ipv6", "tcp"];

/// (protocol, reason) label pairs of `monitor_reassembly_dropped_total`.
const REASSEMBLY_DROPS: [(&str, &str); 7] = [
    ("ipv4", "table_full"),
    ("ipv4", "too_large"),
    ("ipv6", "table_full"),
    ("ipv6", "too_large"),
    ("tcp", "table_full"),
    ("tcp", "too_large"),
    ("tcp", "memory"),
];

/// The running totals of a reassembly snapshot, in the order of
/// [`REASSEMBLY_DROPS`] after (completed ipv4, ipv6, tcp) and (timeouts
/// ipv4, ipv6).
fn reassembly_totals(s: &ReassemblyStats) -> [u64; 12] {
    [
        s.ipv4.completed,
        s.ipv6.completed,
        s.tcp.completed,
        s.ipv4.timed_out,
        s.ipv6.timed_out,
        s.ipv4.evicted,
        s.ipv4.too_large,
        s.ipv6.evicted,
        s.ipv6.too_large,
        s.tcp.evicted,
        s.tcp.too_large,
        s.tcp.memory,
    ]
}

/// Every metric the daemon exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    kernel: Option<Arc<KernelCollector>>,
    /// Samples received from the ring buffer.
    pub samples: IntCounterVec,
    /// Samples whose Ethernet/IP/transport headers did not parse.
    pub sample_errors: IntCounterVec,
    dissection_errors: IntCounterVec,
    reassembly_in_progress: prometheus::IntGaugeVec,
    reassembly_completed: IntCounterVec,
    reassembly_timeouts: IntCounterVec,
    reassembly_dropped: IntCounterVec,
    reassembly_seen: Mutex<[u64; 12]>,
    rule_info: prometheus::IntGaugeVec,
    rule_fraction: prometheus::GaugeVec,
    rule_packets_estimated: prometheus::CounterVec,
    rule_bytes_estimated: prometheus::CounterVec,
    scrape_duration: prometheus::Histogram,
    /// TCP header records received from the TCP ring buffer.
    pub tcp_records: IntCounterVec,
    /// Successful configuration reloads.
    pub reloads: prometheus::IntCounter,
    /// Rejected configuration reloads.
    pub reload_failures: prometheus::IntCounter,
    rule_user: IntCounterVec,
    tcp_analysis: IntCounterVec,
    handshakes: IntCounterVec,
    handshake_rtt: prometheus::HistogramVec,
    ack_rtt: prometheus::HistogramVec,
    flows_tracked: prometheus::IntGaugeVec,
    flows_evicted: IntCounterVec,
    evicted_seen: Mutex<HashMap<String, u64>>,
    /// Dumps written, by result (`ok`, `error`).
    pub dumps: IntCounterVec,
    /// Flight recorder entries and bytes.
    pub recorder: prometheus::IntGaugeVec,
    triggers: IntCounterVec,
    names: std::sync::RwLock<HashMap<u32, String>>,
    confirmed: Arc<Confirmed>,
}

/// Candidates of kernel-exact rules that matched the exact filter in user
/// space, per (rule slot, interface name, direction): (packets, bytes).
/// They are added to the kernel's counts at scrape time.
type Confirmed = Mutex<HashMap<(u32, String, u32), (u64, u64)>>;

/// A rule slot's name and whether the kernel decides the rule exactly.
pub type RuleSlot = (String, bool);

impl Metrics {
    /// Register every metric; known label combinations start at zero.
    pub fn new(
        ifaces: &[Iface],
        counters: CounterMap,
        rule_names: Vec<Option<RuleSlot>>,
    ) -> anyhow::Result<Self> {
        Self::build(ifaces, Some((counters, rule_names)))
    }

    /// The user-space metrics alone (no kernel maps), for tests and
    /// benchmarks.
    pub fn without_kernel(ifaces: &[Iface]) -> anyhow::Result<Self> {
        Self::build(ifaces, None)
    }

    fn build(
        ifaces: &[Iface],
        kernel: Option<(CounterMap, Vec<Option<RuleSlot>>)>,
    ) -> anyhow::Result<Self> {
        let r = Registry::new();
        let confirmed: Arc<Confirmed> = Arc::default();
        let names: HashMap<u32, String> =
            ifaces.iter().map(|i| (i.index, i.name.clone())).collect();
        // The kernel's counters, read at scrape time.
        let slots: Vec<(u32, String)> = ifaces.iter().map(|i| (i.slot, i.name.clone())).collect();
        let kernel = kernel.map(|(counters, rule_names)| {
            Arc::new(KernelCollector::new(
                counters,
                slots,
                rule_names,
                confirmed.clone(),
            ))
        });
        if let Some(k) = &kernel {
            r.register(Box::new(KernelCollectorRef(k.clone())))?;
        }
        // Build and process information.
        let build = register(
            &r,
            IntGaugeVec::new(
                Opts::new(
                    "monitor_build_info",
                    "Build information; the value is always 1.",
                ),
                &["version", "kernel"],
            )?,
        )?;
        build
            .with_label_values(&[env!("CARGO_PKG_VERSION"), &kernel_release()])
            .set(1);
        r.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        let rtt_buckets = prometheus::exponential_buckets(0.000_05, 2.0, 18)?;
        let rtt = |name: &str, help: &str| {
            HistogramVec::new(
                HistogramOpts::new(name, help).buckets(rtt_buckets.clone()),
                &["iface"],
            )
        };
        let metrics = Self {
            // Samples and their dissection.
            samples: counters(
                &r,
                "monitor_samples_total",
                "Sampled packets received by the daemon from the ring buffer.",
                &["iface", "direction"],
            )?,
            sample_errors: counters(
                &r,
                "monitor_sample_parse_errors_total",
                "Sampled packets the dissectors marked malformed (a layer cut short or invalid; snaplen truncation is not counted).",
                &["iface", "direction"],
            )?,
            dissection_errors: counters(
                &r,
                "monitor_dissection_errors_total",
                "Malformed samples by the layer found malformed first (link, network, transport, application).",
                &["iface", "layer"],
            )?,
            // Reassembly.
            reassembly_in_progress: gauges(
                &r,
                "monitor_reassembly_in_progress",
                "IP datagrams with fragments buffered (ipv4, ipv6); tcp is always 0: samples are dissected one frame at a time, without reassembly across TCP segments.",
                &["protocol"],
            )?,
            reassembly_completed: counters(
                &r,
                "monitor_reassembly_completed_total",
                "IP datagrams reassembled from fragments (ipv4, ipv6); tcp is always 0: samples are not reassembled across TCP segments.",
                &["protocol"],
            )?,
            reassembly_timeouts: counters(
                &r,
                "monitor_reassembly_timeouts_total",
                "Incomplete IP datagrams dropped after the reassembly timeout (60 s).",
                &["protocol"],
            )?,
            reassembly_dropped: counters(
                &r,
                "monitor_reassembly_dropped_total",
                "Unfinished reassemblies given up before the timeout, by reason (table_full, too_large, memory).",
                &["protocol", "reason"],
            )?,
            reassembly_seen: Mutex::new([0; 12]),
            // Rules.
            rule_info: gauges(
                &r,
                "monitor_rule_info",
                "Always 1 for every configured rule; kernel_exact says whether the kernel decides it exactly, exact_series names the series that holds its exact count (none: only candidates and estimates).",
                &["rule", "kernel_exact", "exact_series"],
            )?,
            rule_fraction: register(
                &r,
                prometheus::GaugeVec::new(
                    Opts::new(
                        "monitor_rule_sample_fraction",
                        "Smallest probability that a candidate of the rule is sampled (its own sample fraction combined with the global one).",
                    ),
                    &["rule"],
                )?,
            )?,
            rule_packets_estimated: register(
                &r,
                prometheus::CounterVec::new(
                    Opts::new(
                        "monitor_rule_packets_estimated_total",
                        "Estimated frames matching a rule the kernel cannot decide exactly: each sampled match weighted by the inverse of its sampling probability.",
                    ),
                    &["rule", "iface", "direction"],
                )?,
            )?,
            rule_bytes_estimated: register(
                &r,
                prometheus::CounterVec::new(
                    Opts::new(
                        "monitor_rule_bytes_estimated_total",
                        "Estimated bytes of the frames in monitor_rule_packets_estimated_total.",
                    ),
                    &["rule", "iface", "direction"],
                )?,
            )?,
            rule_user: counters(
                &r,
                "monitor_rule_user_matches_total",
                "Sampled packets that matched a rule the kernel cannot decide exactly, checked in user space.",
                &["rule", "iface", "direction"],
            )?,
            // The daemon itself.
            scrape_duration: register(
                &r,
                prometheus::Histogram::with_opts(
                    HistogramOpts::new(
                        "monitor_scrape_duration_seconds",
                        "Time to collect and encode the metrics of a /metrics request (observed after the response is built, so visible from the next scrape).",
                    )
                    .buckets(prometheus::exponential_buckets(0.000_1, 2.0, 16)?),
                )?,
            )?,
            reloads: register(
                &r,
                prometheus::IntCounter::new(
                    "monitor_config_reloads_total",
                    "Configuration reloads that took effect.",
                )?,
            )?,
            reload_failures: register(
                &r,
                prometheus::IntCounter::new(
                    "monitor_config_reload_failures_total",
                    "Configuration reloads rejected (the running configuration stayed).",
                )?,
            )?,
            // TCP analysis.
            tcp_records: counters(
                &r,
                "monitor_tcp_records_received_total",
                "TCP header records received by the daemon for TCP analysis.",
                &["iface", "direction"],
            )?,
            tcp_analysis: counters(
                &r,
                "monitor_tcp_analysis_total",
                "TCP segments per Wireshark tcp.analysis flag (exact for every segment in the TCP scope).",
                &["iface", "flag"],
            )?,
            handshakes: counters(
                &r,
                "monitor_tcp_handshakes_total",
                "TCP connection attempts by outcome (established, rejected, no_reply, reset, incomplete).",
                &["iface", "outcome"],
            )?,
            handshake_rtt: register(
                &r,
                rtt(
                    "monitor_tcp_handshake_rtt_seconds",
                    "SYN to final ACK as seen at this host (Wireshark's iRTT).",
                )?,
            )?,
            ack_rtt: register(
                &r,
                rtt(
                    "monitor_tcp_ack_rtt_seconds",
                    "Time from a data segment to its ACK (tcp.analysis.ack_rtt).",
                )?,
            )?,
            flows_tracked: gauges(
                &r,
                "monitor_tcp_flows_tracked",
                "TCP conversations tracked by the analyzer.",
                &["iface"],
            )?,
            flows_evicted: counters(
                &r,
                "monitor_tcp_flows_evicted_total",
                "TCP conversations dropped from the analyzer (table full or idle).",
                &["iface"],
            )?,
            evicted_seen: Mutex::new(HashMap::new()),
            // Dumps, the flight recorder and triggers.
            dumps: counters(
                &r,
                "monitor_dumps_total",
                "pcapng dumps written, by result.",
                &["result"],
            )?,
            recorder: gauges(
                &r,
                "monitor_recorder",
                "Flight recorder content (entries, bytes).",
                &["what"],
            )?,
            triggers: counters(
                &r,
                "monitor_trigger_fired_total",
                "Automatic dumps started by a trigger.",
                &["trigger"],
            )?,
            registry: r,
            kernel,
            names: std::sync::RwLock::new(names),
            confirmed,
        };
        metrics.zero_known_labels(ifaces);
        Ok(metrics)
    }

    /// Known label combinations start at zero (so a rate over them exists
    /// before the first event).
    fn zero_known_labels(&self, ifaces: &[Iface]) {
        for p in REASSEMBLY_PROTOCOLS {
            self.reassembly_in_progress.with_label_values(&[p]);
            self.reassembly_completed.with_label_values(&[p]);
        }
        for p in ["ipv4", "ipv6"] {
            self.reassembly_timeouts.with_label_values(&[p]);
        }
        for (p, r) in REASSEMBLY_DROPS {
            self.reassembly_dropped.with_label_values(&[p, r]);
        }
        for r in ["ok", "error"] {
            self.dumps.with_label_values(&[r]);
        }
        for i in ifaces {
            let name = i.name.as_str();
            for l in Layer::ALL {
                self.dissection_errors
                    .with_label_values(&[name, l.as_str()]);
            }
            for f in super::live::ANALYSIS_FLAGS {
                self.tcp_analysis.with_label_values(&[name, f]);
            }
            for o in ["established", "rejected", "no_reply", "reset", "incomplete"] {
                self.handshakes.with_label_values(&[name, o]);
            }
            self.handshake_rtt.with_label_values(&[name]);
            self.ack_rtt.with_label_values(&[name]);
            self.flows_tracked.with_label_values(&[name]);
            self.flows_evicted.with_label_values(&[name]);
            for d in direction::NAMES {
                self.samples.with_label_values(&[name, d]);
                self.sample_errors.with_label_values(&[name, d]);
                self.tcp_records.with_label_values(&[name, d]);
            }
        }
    }

    /// Interface name of an ifindex (the index itself when unknown).
    pub fn iface_name(&self, ifindex: u32) -> String {
        self.names
            .read()
            .ok()
            .and_then(|n| n.get(&ifindex).cloned())
            .unwrap_or_else(|| ifindex.to_string())
    }

    /// An interface came back with index `ifindex`.
    pub fn set_iface(&self, ifindex: u32, name: &str) {
        if let Ok(mut n) = self.names.write() {
            n.insert(ifindex, name.to_string());
        }
    }

    /// Count `n` received, dissected samples.
    pub fn samples_n(&self, name: &str, dir: Direction, n: u64) {
        self.samples
            .with_label_values(&[name, dir.as_str()])
            .inc_by(n);
    }

    /// A sample the dissectors found cut short or invalid at `layer` (not
    /// snaplen truncation).
    pub fn sample_error(&self, name: &str, dir: Direction, layer: Layer) {
        self.sample_errors
            .with_label_values(&[name, dir.as_str()])
            .inc();
        self.dissection_errors
            .with_label_values(&[name, layer.as_str()])
            .inc();
    }

    /// Describe the configured rules: `(name, kernel-exact, smallest
    /// sampling probability of a candidate)`. Rules the kernel cannot
    /// decide exactly get their user-space and estimated series at zero
    /// (the estimates only when their candidates can be sampled at all).
    pub fn set_rules(&self, rules: &[(&str, bool, f64)]) {
        self.rule_info.reset();
        self.rule_fraction.reset();
        let names: Vec<String> = self
            .names
            .read()
            .map(|n| n.values().cloned().collect())
            .unwrap_or_default();
        for &(rule, exact, fraction) in rules {
            let exact_label = if exact { "true" } else { "false" };
            self.rule_info
                .with_label_values(&[rule, exact_label, exact_series(exact, fraction)])
                .set(1);
            self.rule_fraction.with_label_values(&[rule]).set(fraction);
            if exact {
                continue;
            }
            for iface in &names {
                for d in direction::NAMES {
                    self.rule_user.with_label_values(&[rule, iface, d]);
                    if fraction > 0.0 {
                        self.rule_packets_estimated
                            .with_label_values(&[rule, iface, d]);
                        self.rule_bytes_estimated
                            .with_label_values(&[rule, iface, d]);
                    }
                }
            }
        }
    }

    /// Add one sampled match of a non-exact rule to its estimated totals,
    /// weighted by the inverse of its sampling probability.
    pub fn rule_estimate(&self, rule: &str, iface: &str, dir: Direction, weight: f64, len: u32) {
        let l = [rule, iface, dir.as_str()];
        self.rule_packets_estimated
            .with_label_values(&l)
            .inc_by(weight);
        self.rule_bytes_estimated
            .with_label_values(&l)
            .inc_by(weight * f64::from(len));
    }

    /// Publish the reassembly state of the sample pipeline (running totals
    /// are exported as their growth).
    pub fn reassembly(&self, s: &ReassemblyStats) {
        for (p, n) in REASSEMBLY_PROTOCOLS.iter().zip([
            s.ipv4.in_progress,
            s.ipv6.in_progress,
            s.tcp.in_progress,
        ]) {
            self.reassembly_in_progress
                .with_label_values(&[p])
                .set(n as i64);
        }
        let Ok(mut seen) = self.reassembly_seen.lock() else {
            return;
        };
        let now = reassembly_totals(s);
        for (i, (&n, last)) in now.iter().zip(seen.iter_mut()).enumerate() {
            if n <= *last {
                continue;
            }
            let grow = n - *last;
            *last = n;
            match i {
                0..=2 => self
                    .reassembly_completed
                    .with_label_values(&[REASSEMBLY_PROTOCOLS[i]])
                    .inc_by(grow),
                3 | 4 => self
                    .reassembly_timeouts
                    .with_label_values(&[REASSEMBLY_PROTOCOLS[i - 3]])
                    .inc_by(grow),
                _ => {
                    let (p, r) = REASSEMBLY_DROPS[i - 5];
                    self.reassembly_dropped
                        .with_label_values(&[p, r])
                        .inc_by(grow)
                }
            }
        }
    }

    /// A candidate of the kernel-exact rule in `slot` (a frame the kernel
    /// left to user space) matched the rule's exact filter: it counts in
    /// `monitor_rule_packets_total`.
    pub fn rule_candidate_match(&self, slot: u32, iface: &str, dir: Direction, len: u32) {
        if let Ok(mut c) = self.confirmed.lock() {
            let e = c
                .entry((slot, iface.to_string(), dir as u32))
                .or_insert((0, 0));
            e.0 += 1;
            e.1 += u64::from(len);
        }
    }

    /// A sampled candidate matched a rule's exact filter in user space.
    pub fn rule_user_match(&self, rule: &str, iface: &str, dir: Direction) {
        self.rule_user
            .with_label_values(&[rule, iface, dir.as_str()])
            .inc();
    }

    /// A TCP analysis flag was raised.
    pub fn tcp_flag(&self, iface: &str, flag: &str) {
        self.tcp_analysis.with_label_values(&[iface, flag]).inc();
    }

    /// An ACK RTT, in seconds.
    pub fn ack_rtt(&self, iface: &str, secs: f64) {
        self.ack_rtt.with_label_values(&[iface]).observe(secs);
    }

    /// `n` segments of `iface` with the analysis flag `flag`.
    pub fn tcp_flag_n(&self, iface: &str, flag: &str, n: u64) {
        self.tcp_analysis
            .with_label_values(&[iface, flag])
            .inc_by(n);
    }

    /// The ACK RTT histogram of `iface`, to observe many values with one
    /// label look-up.
    pub fn ack_rtt_of(&self, iface: &str) -> prometheus::Histogram {
        self.ack_rtt.with_label_values(&[iface])
    }

    /// `n` TCP header records received from interface `iface`.
    pub fn tcp_records_n(&self, iface: &str, dir: Direction, n: u64) {
        self.tcp_records
            .with_label_values(&[iface, dir.as_str()])
            .inc_by(n);
    }

    /// A connection attempt ended.
    pub fn handshake(&self, iface: &str, outcome: &str, irtt_ns: Option<i64>) {
        self.handshakes.with_label_values(&[iface, outcome]).inc();
        if let Some(ns) = irtt_ns {
            self.handshake_rtt
                .with_label_values(&[iface])
                .observe(ns as f64 / 1e9);
        }
    }

    /// Analyzer table size and the total of conversations dropped.
    pub fn tcp_flows(&self, iface: &str, tracked: u64, evicted: u64) {
        self.flows_tracked
            .with_label_values(&[iface])
            .set(tracked as i64);
        // The analyzer keeps a running total; export its growth as a counter.
        if let Ok(mut seen) = self.evicted_seen.lock() {
            let last = seen.entry(iface.to_string()).or_insert(0);
            if evicted > *last {
                self.flows_evicted
                    .with_label_values(&[iface])
                    .inc_by(evicted - *last);
                *last = evicted;
            }
        }
    }

    /// Every metric family, for triggers.
    pub fn gather(&self) -> Vec<prometheus::proto::MetricFamily> {
        self.registry.gather()
    }

    /// A trigger fired.
    pub fn trigger_fired(&self, name: &str) {
        self.triggers.with_label_values(&[name]).inc();
    }

    /// Flight recorder gauges.
    pub fn recorder_stats(&self, entries: u64, bytes: u64) {
        self.recorder
            .with_label_values(&["entries"])
            .set(entries as i64);
        self.recorder
            .with_label_values(&["bytes"])
            .set(bytes as i64);
    }

    /// How many of the monitored interfaces have the programs attached now.
    pub fn set_attached(&self, n: usize) {
        if let Some(k) = &self.kernel {
            k.attached
                .store(n as u64, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Rule names (and kernel exactness) by slot after a reload.
    pub fn set_rule_names(&self, names: Vec<Option<RuleSlot>>) {
        if let Some(Ok(mut n)) = self.kernel.as_ref().map(|k| k.rule_names.lock()) {
            *n = names;
        }
    }

    /// Start the metrics of rule slot `rule` from its counters' current
    /// values (called before a new rule is switched into that slot).
    pub fn rebase_rule(&self, rule: u32) {
        if let Some(k) = &self.kernel {
            k.rebase(rule);
        }
        if let Ok(mut c) = self.confirmed.lock() {
            c.retain(|k, _| k.0 != rule);
        }
    }

    /// Kernel totals per (interface name, direction label).
    pub fn kernel_totals(&self) -> Vec<(String, &'static str, Totals)> {
        self.kernel
            .as_ref()
            .map(|k| k.snapshot())
            .unwrap_or_default()
    }

    /// Prometheus text exposition of every metric (a scrape: its cost is
    /// observed in `monitor_scrape_duration_seconds`).
    pub fn render(&self) -> String {
        let start = std::time::Instant::now();
        let families = self.registry.gather();
        let text = prometheus::TextEncoder::new()
            .encode_to_string(&families)
            .unwrap_or_default();
        self.scrape_duration.observe(start.elapsed().as_secs_f64());
        text
    }
}

/// The series that holds a rule's exact count: the kernel's (with the
/// candidates user space confirmed) for a kernel-exact rule, the user-space
/// matches when every candidate is sampled, else none.
fn exact_series(kernel_exact: bool, fraction: f64) -> &'static str {
    if kernel_exact {
        "monitor_rule_packets_total"
    } else if fraction >= 1.0 {
        "monitor_rule_user_matches_total"
    } else {
        "none"
    }
}

/// `c`, registered with `r`.
fn register<C: Collector + Clone + 'static>(r: &Registry, c: C) -> prometheus::Result<C> {
    r.register(Box::new(c.clone()))?;
    Ok(c)
}

/// A registered integer counter family.
fn counters(
    r: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntCounterVec> {
    register(r, IntCounterVec::new(Opts::new(name, help), labels)?)
}

/// A registered integer gauge family.
fn gauges(
    r: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntGaugeVec> {
    register(r, IntGaugeVec::new(Opts::new(name, help), labels)?)
}

fn kernel_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// Reads the per-CPU counter arrays at scrape time.
#[derive(Debug)]
struct KernelCollector {
    map: Mutex<CounterMap>,
    slots: Vec<(u32, String)>,
    descs: Vec<Desc>,
    rule_names: Mutex<Vec<Option<RuleSlot>>>,
    /// (rule slot, interface slot, direction) → counters at rebase.
    rule_base: Mutex<HashMap<RuleKey, RuleCounter>>,
    confirmed: Arc<Confirmed>,
    /// Interfaces attached now.
    attached: std::sync::atomic::AtomicU64,
}

/// (rule slot, interface slot, direction).
type RuleKey = (u32, u32, u32);

struct KernelCollectorRef(Arc<KernelCollector>);

/// Kernel counter families: name, help, and which [`Totals`] field.
type Getter = fn(&Totals) -> u64;
const FAMILIES: [(&str, &str, Getter); 6] = [
    (
        "monitor_packets_total",
        "Frames seen by the kernel programs.",
        |t| t.packets,
    ),
    (
        "monitor_bytes_total",
        "Bytes seen by the kernel programs (frame length).",
        |t| t.bytes,
    ),
    (
        "monitor_kernel_samples_total",
        "Sample records the kernel programs wrote to the ring buffer.",
        |t| t.samples,
    ),
    (
        "monitor_ringbuf_dropped_total",
        "Sample records lost because the ring buffer was full.",
        |t| t.ringbuf_dropped,
    ),
    (
        "monitor_tcp_records_total",
        "TCP header records the kernel programs wrote for TCP analysis.",
        |t| t.tcp_records,
    ),
    (
        "monitor_tcp_records_lost_total",
        "TCP header records lost because the TCP ring buffer was full.",
        |t| t.tcp_records_dropped,
    ),
];
const PROTOCOLS: (&str, &str) = (
    "monitor_protocol_packets_total",
    "Frames per protocol: link level (arp, ipv4, ipv6, other), vlan-tagged, and transport (tcp, udp, icmp, icmpv6, ip_other).",
);
const INTERFACES: (&str, &str) = (
    "monitor_interfaces",
    "Interfaces with the programs attached now (an interface that disappeared counts again once it is back and re-attached).",
);
const RULE_FAMILIES: [(&str, &str); 5] = [
    (
        "monitor_rule_packets_total",
        "Frames matching a kernel-exact rule: the kernel's matches plus the candidates user space confirmed with the exact filter (rules the kernel cannot decide have no such series).",
    ),
    (
        "monitor_rule_bytes_total",
        "Bytes of the frames in monitor_rule_packets_total.",
    ),
    (
        "monitor_rule_candidates_total",
        "Frames the kernel could not decide for a rule: for a kernel-exact rule the frames with nested headers or fragments, all sent to user space; for any other rule every frame its kernel part accepted.",
    ),
    (
        "monitor_rule_candidate_bytes_total",
        "Bytes of the frames in monitor_rule_candidates_total.",
    ),
    (
        "monitor_rule_candidates_lost_total",
        "Candidates of kernel-exact rules whose record was lost because the ring buffer was full (missing from monitor_rule_packets_total if they matched).",
    ),
];

/// One rule's series values on one interface and direction.
struct RuleRow {
    rule: String,
    iface: String,
    dir: &'static str,
    exact: bool,
    /// Kernel counters since the rule took its slot.
    k: RuleCounter,
    /// Candidates confirmed in user space (packets, bytes).
    confirmed: (u64, u64),
}

fn desc(name: &str, help: &str, labels: &[&str]) -> Desc {
    Desc::new(
        name.to_string(),
        help.to_string(),
        labels.iter().map(|l| l.to_string()).collect(),
        HashMap::new(),
    )
    .expect("static metric description is valid")
}

fn family(name: &str, help: &str, ty: MetricType) -> MetricFamily {
    let mut f = MetricFamily::default();
    f.set_name(name.to_string());
    f.set_help(help.to_string());
    f.set_field_type(ty);
    f
}

impl KernelCollector {
    fn new(
        map: CounterMap,
        slots: Vec<(u32, String)>,
        rule_names: Vec<Option<RuleSlot>>,
        confirmed: Arc<Confirmed>,
    ) -> Self {
        let slots_len = slots.len() as u64;
        let mut descs: Vec<Desc> = FAMILIES
            .iter()
            .map(|(n, h, _)| desc(n, h, &["iface", "direction"]))
            .collect();
        descs.push(desc(
            PROTOCOLS.0,
            PROTOCOLS.1,
            &["iface", "direction", "protocol"],
        ));
        descs.push(desc(INTERFACES.0, INTERFACES.1, &[]));
        for (n, h) in RULE_FAMILIES {
            descs.push(desc(n, h, &["rule", "iface", "direction"]));
        }
        Self {
            map: Mutex::new(map),
            slots,
            descs,
            rule_names: Mutex::new(rule_names),
            rule_base: Mutex::new(HashMap::new()),
            confirmed,
            attached: std::sync::atomic::AtomicU64::new(slots_len),
        }
    }

    fn rebase(&self, rule: u32) {
        let (Ok(map), Ok(mut base)) = (self.map.lock(), self.rule_base.lock()) else {
            return;
        };
        for (slot, _) in &self.slots {
            for d in 0..2 {
                base.insert((rule, *slot, d), map.rule(*slot, rule, d));
            }
        }
    }

    /// Every installed rule's counters on every interface and direction.
    fn rule_snapshot(&self) -> Vec<RuleRow> {
        let (Ok(map), Ok(names), Ok(base), Ok(confirmed)) = (
            self.map.lock(),
            self.rule_names.lock(),
            self.rule_base.lock(),
            self.confirmed.lock(),
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (rule, slot_rule) in names.iter().enumerate() {
            let Some((name, exact)) = slot_rule else {
                continue;
            };
            for (slot, iface) in &self.slots {
                for (d, dname) in direction::NAMES.iter().enumerate() {
                    let now = map.rule(*slot, rule as u32, d as u32);
                    let b = base
                        .get(&(rule as u32, *slot, d as u32))
                        .copied()
                        .unwrap_or_default();
                    let k = RuleCounter {
                        packets: now.packets.saturating_sub(b.packets),
                        bytes: now.bytes.saturating_sub(b.bytes),
                        candidates: now.candidates.saturating_sub(b.candidates),
                        candidate_bytes: now.candidate_bytes.saturating_sub(b.candidate_bytes),
                        candidates_lost: now.candidates_lost.saturating_sub(b.candidates_lost),
                    };
                    out.push(RuleRow {
                        rule: name.clone(),
                        iface: iface.clone(),
                        dir: dname,
                        exact: *exact,
                        k,
                        confirmed: confirmed
                            .get(&(rule as u32, iface.clone(), d as u32))
                            .copied()
                            .unwrap_or((0, 0)),
                    });
                }
            }
        }
        out
    }

    fn snapshot(&self) -> Vec<(String, &'static str, Totals)> {
        let Ok(map) = self.map.lock() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (slot, name) in &self.slots {
            for (d, dname) in direction::NAMES.iter().enumerate() {
                out.push((name.clone(), *dname, map.get(*slot, d as u32)));
            }
        }
        out
    }
}

fn label(name: &str, value: &str) -> LabelPair {
    let mut l = LabelPair::default();
    l.set_name(name.to_string());
    l.set_value(value.to_string());
    l
}

fn counter(labels: Vec<LabelPair>, v: u64) -> Metric {
    let mut c = Counter::default();
    c.set_value(v as f64);
    let mut m = Metric::default();
    m.set_label(labels);
    m.set_counter(c);
    m
}

impl Collector for KernelCollectorRef {
    fn desc(&self) -> Vec<&Desc> {
        self.0.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let snap = self.0.snapshot();
        let mut fams: Vec<MetricFamily> = FAMILIES
            .iter()
            .map(|(n, h, _)| family(n, h, MetricType::COUNTER))
            .collect();
        let mut protos = family(PROTOCOLS.0, PROTOCOLS.1, MetricType::COUNTER);
        for (iface, dir, t) in &snap {
            let base = || vec![label("direction", dir), label("iface", iface)];
            for (f, (_, _, get)) in fams.iter_mut().zip(FAMILIES.iter()) {
                f.mut_metric().push(counter(base(), get(t)));
            }
            for (p, pname) in proto::NAMES.iter().enumerate() {
                let mut l = base();
                l.push(label("protocol", pname));
                protos.mut_metric().push(counter(l, t.proto[p]));
            }
        }
        fams.push(protos);
        let mut ifs = family(INTERFACES.0, INTERFACES.1, MetricType::GAUGE);
        let mut g = prometheus::proto::Gauge::default();
        g.set_value(
            self.0
                .attached
                .load(std::sync::atomic::Ordering::Relaxed)
                .min(self.0.slots.len() as u64) as f64,
        );
        let mut m = Metric::default();
        m.set_gauge(g);
        ifs.mut_metric().push(m);
        fams.push(ifs);
        let mut rf: Vec<MetricFamily> = RULE_FAMILIES
            .iter()
            .map(|(n, h)| family(n, h, MetricType::COUNTER))
            .collect();
        for row in self.0.rule_snapshot() {
            let l = || {
                vec![
                    label("direction", row.dir),
                    label("iface", &row.iface),
                    label("rule", &row.rule),
                ]
            };
            let k = &row.k;
            if row.exact {
                rf[0]
                    .mut_metric()
                    .push(counter(l(), k.packets + row.confirmed.0));
                rf[1]
                    .mut_metric()
                    .push(counter(l(), k.bytes + row.confirmed.1));
                rf[2].mut_metric().push(counter(l(), k.candidates));
                rf[3].mut_metric().push(counter(l(), k.candidate_bytes));
                rf[4].mut_metric().push(counter(l(), k.candidates_lost));
            } else {
                // The kernel part of the rule is a superset: all candidates.
                rf[2]
                    .mut_metric()
                    .push(counter(l(), k.packets + k.candidates));
                rf[3]
                    .mut_metric()
                    .push(counter(l(), k.bytes + k.candidate_bytes));
            }
        }
        fams.extend(rf);
        fams
    }
}
