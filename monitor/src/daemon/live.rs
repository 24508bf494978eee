//! The live pipeline: sampled frames are dissected, checked against the
//! rules the kernel could not decide exactly, and kept in the flight
//! recorder; TCP header records feed one TCP analyzer per interface
//! straight from their headers ([`super::tcp_live`]: the analyzer
//! `monitor read` uses, so verdicts are tshark's), a batch of records at a
//! time. Clients of `monitor tail` follow the samples as they come.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicU32, AtomicU64, Ordering},
        Arc, Mutex, RwLock,
    },
};

use tokio::sync::mpsc::error::TrySendError;

use crate::{
    dissect::{pipeline::Pipeline, Dissection},
    filter::Filter,
    record::{Direction, PacketRecord},
    recorder::{Entry, Recorder},
    tcp_analysis::handshake::HandshakeOutcome,
};

use super::{
    estimate,
    tcp_live::{self, Analyzers},
    Metrics,
};

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
    /// Fraction of the rule's candidates the kernel samples.
    pub sample: f64,
}

/// Samples queued for one follower before it misses some.
pub const TAIL_QUEUE: usize = 4096;

/// What a follower receives ([`Live::tail`]).
pub type TailReceiver = tokio::sync::mpsc::Receiver<Entry>;

/// A client following the samples (`monitor tail`).
struct Tail {
    filter: Option<Filter>,
    tx: tokio::sync::mpsc::Sender<Entry>,
    lost: Arc<AtomicU64>,
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
    samples: Mutex<Samples>,
    /// Changes whenever the filters run on samples change (rules,
    /// followers): the sample pipeline then learns which fields they read.
    reads_version: AtomicU64,
    /// TCP analysis shards: flows are spread over them by a hash of their
    /// addresses and ports; each shard has its own analyzers.
    tcp: Vec<Arc<Mutex<TcpState>>>,
    /// With more than one shard: the worker threads that run them.
    workers: Option<Mutex<Workers>>,
    tcp_config: crate::tcp_analysis::Config,
    shared: Arc<TcpShared>,
    rules: RwLock<Vec<Option<LiveRule>>>,
    recorder_filter: Option<Filter>,
    /// Clients following the samples as they come (`monitor tail`).
    tails: Mutex<Vec<Tail>>,
    /// Loopback interfaces: a packet there is sent and received, and
    /// followers get it once, as it is sent (as tshark shows it).
    loopback: Vec<u32>,
    /// Rule slots holding a temporary rule (`monitor tail --all`): a frame
    /// one of them accepted was sent for sure.
    temporary: AtomicU32,
    /// The flight recorder.
    pub recorder: Arc<Recorder>,
    metrics: Arc<Metrics>,
    /// Global sample fraction (fixed for the daemon's lifetime).
    sample: f64,
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
        sample: f64,
    ) -> Self {
        describe_rules(&metrics, &rules, sample);
        // Each sample is one frame cut at snaplen, and most frames of a
        // connection are not sampled: no TCP reassembly across samples.
        let mut samples = Pipeline::new();
        samples.set_tcp_desegment(false);
        // Its TCP analyzer and conversation tables keep no more flows
        // than the daemon's analysis (their memory stays bounded while
        // flows come and go).
        samples.set_tcp_config(tcp_config.clone());
        samples.set_max_conversations(tcp_config.max_flows);
        Self {
            samples: Mutex::new(Samples {
                pipe: samples,
                version: 0,
            }),
            reads_version: AtomicU64::new(1),
            tcp: vec![Arc::new(Mutex::new(TcpState::new(tcp_config.clone())))],
            workers: None,
            tcp_config,
            shared: Arc::new(TcpShared {
                metrics: metrics.clone(),
                verdicts: Mutex::new(VerdictCache::default()),
                flag_names: tcp_live::FLAG_ORDER.map(|f| Arc::from(format!("tcp.analysis.{f}"))),
            }),
            rules: RwLock::new(rules),
            recorder_filter,
            tails: Mutex::new(Vec::new()),
            loopback: Vec::new(),
            temporary: AtomicU32::new(0),
            recorder,
            metrics,
            sample,
        }
    }

    /// The loopback interfaces among those monitored (by index): their
    /// received copies of packets are not sent to followers.
    pub fn with_loopback(mut self, ifindexes: impl IntoIterator<Item = u32>) -> Self {
        self.loopback = ifindexes.into_iter().collect();
        self
    }

    /// Run TCP analysis on `n` worker threads (at least 1), each with its
    /// share of the flows (and of `max_flows`). With one, the ring reader
    /// analyses the records itself. The metrics do not depend on `n`.
    pub fn with_tcp_workers(mut self, n: usize) -> Self {
        let n = n.max(1);
        let mut config = self.tcp_config.clone();
        config.max_flows = config.max_flows.div_ceil(n);
        self.tcp = (0..n)
            .map(|_| Arc::new(Mutex::new(TcpState::new(config.clone()))))
            .collect();
        self.workers = (n > 1).then(|| Mutex::new(Workers::start(&self.tcp, &self.shared)));
        self
    }

    /// Replace the rules (after a reload).
    pub fn set_rules(&self, rules: Vec<Option<LiveRule>>) {
        describe_rules(&self.metrics, &rules, self.sample);
        if let Ok(mut r) = self.rules.write() {
            *r = rules;
            // (under the lock: a batch holds it while it dissects)
            self.reads_version.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A sampled frame (a batch of one, see [`Live::sample_batch`]);
    /// `kernel_rules` has bit `s` set for every rule slot the kernel
    /// matched, `candidates` for every slot whose rule left the frame to
    /// user space (such frames are always sent, so they stand for
    /// themselves in the estimates).
    pub fn on_sample(&self, rec: PacketRecord, boot_ts: u64, kernel_rules: u32, candidates: u32) {
        if let Some(mut b) = self.sample_batch() {
            b.sample(rec, boot_ts, kernel_rules, candidates);
        }
    }

    /// Start a batch of samples: the pipeline, the rules and the followers
    /// are locked once for all of them, and the sample counters are added
    /// when the batch is dropped.
    pub fn sample_batch(&self) -> Option<SampleBatch<'_>> {
        let samples = self.samples.lock().ok()?;
        let rules = self.rules.read().ok()?;
        let tails = self.tails.lock().ok()?;
        Some(SampleBatch {
            live: self,
            samples,
            rules,
            tails,
            acc: Vec::new(),
        })
    }

    /// Follow the samples from now on: those `filter` matches (every one
    /// without a filter), with the rules they matched and their TCP
    /// analysis verdicts, until the receiver is dropped. A follower more
    /// than [`TAIL_QUEUE`] samples behind misses the next ones, counted in
    /// the returned counter.
    pub fn tail(&self, filter: Option<Filter>) -> (TailReceiver, Arc<AtomicU64>) {
        let (tx, rx) = tokio::sync::mpsc::channel(TAIL_QUEUE);
        let lost = Arc::new(AtomicU64::new(0));
        if let Ok(mut t) = self.tails.lock() {
            t.push(Tail {
                filter,
                tx,
                lost: lost.clone(),
            });
            // (under the lock: a batch holds it while it dissects)
            self.reads_version.fetch_add(1, Ordering::Relaxed);
        }
        (rx, lost)
    }

    /// Which rule slots hold temporary rules (bit `s` for slot `s`).
    pub fn set_temporary_slots(&self, mask: u32) {
        self.temporary.store(mask, Ordering::Relaxed);
    }

    /// Start reading a batch of TCP header records from the ring. With one
    /// shard the records are analysed as they come, under one lock; with
    /// worker threads they are copied out by flow and handed over when the
    /// reader is dropped.
    pub fn tcp_reader(&self) -> Option<TcpReader<'_>> {
        Some(match &self.workers {
            Some(w) => TcpReader::Sharded(w.lock().ok()?),
            None => TcpReader::Inline(TcpBatch {
                shared: &self.shared,
                state: self.tcp[0].lock().ok()?,
            }),
        })
    }

    /// One TCP header record (a batch of one).
    pub fn on_tcp(&self, rec: &PacketRecord, boot_ts: u64) {
        if let Some(mut b) = self.tcp_reader() {
            let dir = rec.direction.unwrap_or(Direction::Ingress);
            b.record(rec.iface, dir, rec.ts_ns, boot_ts, &rec.data);
        }
    }

    /// Wait until the worker threads analysed every record handed over.
    pub fn tcp_sync(&self) {
        if let Some(w) = &self.workers {
            if let Ok(w) = w.lock() {
                w.sync();
            }
        }
    }

    /// Periodic work: handshake and reassembly timeouts, flow-table and
    /// reassembly gauges.
    pub fn tick(&self, now_ns: i64) {
        if let Ok(mut s) = self.samples.lock() {
            s.pipe.expire_reassembly(now_ns);
            self.metrics.reassembly(&s.pipe.reassembly_stats());
        }
        // Per interface, summed over the shards: flows tracked, and
        // flows evicted or expired.
        let mut flows: Vec<(u32, u64, u64)> = Vec::new();
        for shard in &self.tcp {
            let Ok(mut state) = shard.lock() else {
                continue;
            };
            for (ifindex, a) in state.analyzers.iter_mut() {
                let outcomes = a.poll_expired(now_ns);
                if !outcomes.is_empty() {
                    let iface = self.metrics.iface_name(ifindex);
                    for o in outcomes {
                        self.metrics.handshake(&iface, o.kind.as_str(), o.irtt);
                    }
                }
                let s = a.stats();
                let (tracked, gone) = (s.flows_tracked as u64, s.flows_evicted + s.flows_expired);
                match flows.iter_mut().find(|f| f.0 == ifindex) {
                    Some(f) => {
                        f.1 += tracked;
                        f.2 += gone;
                    }
                    None => flows.push((ifindex, tracked, gone)),
                }
            }
        }
        for (ifindex, tracked, gone) in flows {
            let iface = self.metrics.iface_name(ifindex);
            self.metrics.tcp_flows(&iface, tracked, gone);
        }
    }
}

/// The sample pipeline, told which fields the filters run on samples read.
struct Samples {
    pipe: Pipeline,
    /// The [`Live::reads_version`] the pipeline was last told about.
    version: u64,
}

/// One interface's share of a batch of samples.
struct SampleAcc {
    ifindex: u32,
    name: String,
    linktype: u16,
    /// Samples by direction.
    samples: [u64; 2],
}

/// Samples handled together (see [`Live::sample_batch`]).
pub struct SampleBatch<'a> {
    live: &'a Live,
    samples: std::sync::MutexGuard<'a, Samples>,
    rules: std::sync::RwLockReadGuard<'a, Vec<Option<LiveRule>>>,
    tails: std::sync::MutexGuard<'a, Vec<Tail>>,
    acc: Vec<SampleAcc>,
}

impl SampleBatch<'_> {
    /// A sampled frame (see [`Live::on_sample`]).
    pub fn sample(&mut self, rec: PacketRecord, boot_ts: u64, kernel_rules: u32, candidates: u32) {
        let live = self.live;
        let version = live.reads_version.load(Ordering::Relaxed);
        if self.samples.version != version {
            self.samples.version = version;
            match self.reads() {
                Some(names) => self.samples.pipe.only_fields(names),
                None => self.samples.pipe.all_fields(),
            }
        }
        let pos = match self.acc.iter().position(|a| a.ifindex == rec.iface) {
            Some(p) => p,
            None => {
                self.acc.push(SampleAcc {
                    ifindex: rec.iface,
                    name: live.metrics.iface_name(rec.iface),
                    linktype: crate::record::live_link_type(rec.iface),
                    samples: [0; 2],
                });
                self.acc.len() - 1
            }
        };
        let acc = &mut self.acc[pos];
        let d = self.samples.pipe.dissect_linktype(&rec, acc.linktype);
        let dir = rec.direction.unwrap_or(Direction::Ingress);
        acc.samples[dir as usize & 1] += 1;
        let iface = acc.name.as_str();
        if let Some(layer) = d.malformed_layer {
            live.metrics.sample_error(iface, dir, layer);
        }
        let mut matched = Vec::new();
        if kernel_rules | candidates != 0 {
            let rules = &*self.rules;
            let kernel_match = |slot: usize| kernel_rules & (1 << slot) != 0;
            let undecided = |slot: usize| candidates & (1 << slot) != 0;
            // How likely this frame was to be sampled, from every rule it
            // is a candidate of: the weight of its estimated matches. A
            // frame some rule left undecided, or a temporary rule
            // accepted, was sent for sure.
            let sure =
                candidates != 0 || kernel_rules & live.temporary.load(Ordering::Relaxed) != 0;
            let weight = if sure {
                Some(1.0)
            } else {
                estimate::weight(estimate::inclusion_probability(
                    live.sample,
                    rules
                        .iter()
                        .enumerate()
                        .filter(|(slot, _)| kernel_match(*slot))
                        .filter_map(|(_, r)| r.as_ref().map(|r| r.sample)),
                ))
            };
            for (slot, rule) in rules.iter().enumerate() {
                let Some(rule) = rule else { continue };
                if !kernel_match(slot) && !undecided(slot) {
                    continue;
                }
                // A kernel match of an exact rule is already counted; the
                // exact filter still names the rules of the recorded frame.
                if rule.filter.matches(&d) {
                    if rule.exact {
                        if undecided(slot) {
                            live.metrics.rule_candidate_match(
                                slot as u32,
                                iface,
                                dir,
                                rec.orig_len,
                            );
                        }
                    } else {
                        live.metrics.rule_user_match(&rule.name, iface, dir);
                        if let Some(w) = weight
                            .filter(|_| estimate::rule_fraction(live.sample, rule.sample) > 0.0)
                        {
                            live.metrics
                                .rule_estimate(&rule.name, iface, dir, w, rec.orig_len);
                        }
                    }
                    matched.push(rule.name.clone());
                }
            }
        }
        let key = (boot_ts, rec.iface, dir as u8);
        let analysis = live
            .shared
            .verdicts
            .lock()
            .ok()
            .and_then(|v| v.map.get(&key).cloned())
            .unwrap_or_default();
        let mut entry = Entry::new(rec);
        entry.rules = matched;
        entry.analysis = analysis;
        self.send_tails(&d, &entry);
        let record = live.recorder_filter.as_ref().is_none_or(|f| f.matches(&d));
        self.samples.pipe.recycle(d);
        if record {
            live.recorder.push(entry);
        }
    }

    /// The fields every filter run on samples reads (the rules', the
    /// flight recorder's, the followers'), or `None` when one of them
    /// needs the whole dissection.
    fn reads(&self) -> Option<Vec<&'static str>> {
        let filters = self
            .rules
            .iter()
            .flatten()
            .map(|r| &r.filter)
            .chain(&self.live.recorder_filter)
            .chain(self.tails.iter().filter_map(|t| t.filter.as_ref()));
        let mut names = Vec::new();
        for f in filters {
            names.extend(f.reads()?.into_iter().map(|d| d.name));
        }
        Some(names)
    }

    /// Hand a sample to every follower whose filter matches it; forget
    /// followers that went away.
    fn send_tails(&mut self, d: &Dissection, entry: &Entry) {
        if self.tails.is_empty() {
            return;
        }
        let rec = &entry.record;
        if rec.direction == Some(Direction::Ingress) && self.live.loopback.contains(&rec.iface) {
            return;
        }
        let before = self.tails.len();
        self.tails.retain(|t| {
            if t.filter.as_ref().is_some_and(|f| !f.matches(d)) {
                return !t.tx.is_closed();
            }
            match t.tx.try_send(entry.clone()) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    t.lost.fetch_add(1, Ordering::Relaxed);
                    true
                }
                Err(TrySendError::Closed(_)) => false,
            }
        });
        if self.tails.len() != before {
            // Their filters' fields need not be dissected any more.
            self.live.reads_version.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Drop for SampleBatch<'_> {
    fn drop(&mut self) {
        for acc in &self.acc {
            for (d, n) in [Direction::Ingress, Direction::Egress]
                .into_iter()
                .zip(acc.samples)
            {
                if n > 0 {
                    self.live.metrics.samples_n(&acc.name, d, n);
                }
            }
        }
    }
}

/// What the TCP shards share with the rest of the daemon.
struct TcpShared {
    metrics: Arc<Metrics>,
    verdicts: Mutex<VerdictCache>,
    /// `tcp.analysis.FLAG` for every flag of [`tcp_live::FLAG_ORDER`].
    flag_names: [Arc<str>; 15],
}

/// One shard's TCP analyzers and the metrics of the batch under way.
struct TcpState {
    analyzers: Analyzers,
    /// Per interface: what the batch added up (kept between batches so
    /// no record allocates).
    acc: Vec<IfaceAcc>,
    /// Flagged frames of the batch, for the flight recorder's labels.
    flagged: Vec<(FrameKey, u16)>,
}

/// One interface's share of a batch.
struct IfaceAcc {
    ifindex: u32,
    linktype: u16,
    records: [u64; 2],
    flags: [u64; 15],
    rtts: Vec<f64>,
    handshakes: Vec<HandshakeOutcome>,
}

/// TCP header records analysed together: the analyzers are locked once,
/// and metrics, flight-recorder labels and handshakes are published when
/// the batch is dropped.
pub struct TcpBatch<'a> {
    shared: &'a TcpShared,
    state: std::sync::MutexGuard<'a, TcpState>,
}

impl TcpState {
    fn new(config: crate::tcp_analysis::Config) -> Self {
        Self {
            analyzers: Analyzers::new(config),
            acc: Vec::new(),
            flagged: Vec::new(),
        }
    }
}

impl TcpBatch<'_> {
    /// A record of interface `ifindex`: frame bytes `data` (link, IP and
    /// TCP headers), wall-clock time `ts`, kernel time `boot_ts` (which
    /// joins it with a sample of the same frame).
    pub fn record(&mut self, ifindex: u32, dir: Direction, ts: i64, boot_ts: u64, data: &[u8]) {
        let state = &mut *self.state;
        let pos = match state.acc.iter().position(|a| a.ifindex == ifindex) {
            Some(p) => p,
            None => {
                state.acc.push(IfaceAcc {
                    ifindex,
                    linktype: 0,
                    records: [0; 2],
                    flags: [0; 15],
                    rtts: Vec::new(),
                    handshakes: Vec::new(),
                });
                state.acc.len() - 1
            }
        };
        let acc = &mut state.acc[pos];
        if acc.records == [0; 2] {
            // Once per interface and batch: a device can come back as
            // another kind under the same index.
            acc.linktype = crate::record::live_link_type(ifindex);
        }
        acc.records[dir as usize & 1] += 1;
        let Some(out) = state.analyzers.on_record(ifindex, acc.linktype, ts, data) else {
            return;
        };
        if out.flags != 0 {
            for (i, n) in acc.flags.iter_mut().enumerate() {
                *n += u64::from(out.flags >> i & 1);
            }
            state
                .flagged
                .push(((boot_ts, ifindex, dir as u8), out.flags));
        }
        if let Some(rtt) = out.ack_rtt {
            acc.rtts.push(rtt as f64 / 1e9);
        }
        if let Some(h) = out.handshake {
            acc.handshakes.push(h);
        }
    }
}

impl Drop for TcpBatch<'_> {
    fn drop(&mut self) {
        let m = &self.shared.metrics;
        let state = &mut *self.state;
        for acc in &mut state.acc {
            if acc.records == [0; 2] {
                continue;
            }
            let iface = m.iface_name(acc.ifindex);
            for (d, n) in [Direction::Ingress, Direction::Egress]
                .into_iter()
                .zip(acc.records)
            {
                if n > 0 {
                    m.tcp_records_n(&iface, d, n);
                }
            }
            for (flag, n) in tcp_live::FLAG_ORDER.iter().zip(&acc.flags) {
                if *n > 0 {
                    m.tcp_flag_n(&iface, flag, *n);
                }
            }
            if !acc.rtts.is_empty() {
                let h = m.ack_rtt_of(&iface);
                for r in acc.rtts.drain(..) {
                    h.observe(r);
                }
            }
            for o in acc.handshakes.drain(..) {
                m.handshake(&iface, o.kind.as_str(), o.irtt);
            }
            acc.records = [0; 2];
            acc.flags = [0; 15];
        }
        if !state.flagged.is_empty() {
            if let Ok(mut v) = self.shared.verdicts.lock() {
                for (key, bits) in state.flagged.drain(..) {
                    v.insert(key, tcp_live::flag_names(bits, &self.shared.flag_names));
                }
            }
            state.flagged.clear();
        }
    }
}

/// A batch of TCP header records being read (see [`Live::tcp_reader`]).
pub enum TcpReader<'a> {
    /// Analysed as they come.
    Inline(TcpBatch<'a>),
    /// Copied out per worker, handed over on drop.
    Sharded(std::sync::MutexGuard<'a, Workers>),
}

impl TcpReader<'_> {
    /// A record of interface `ifindex`: frame bytes `data` (link, IP and
    /// TCP headers), wall-clock time `ts`, kernel time `boot_ts`.
    pub fn record(&mut self, ifindex: u32, dir: Direction, ts: i64, boot_ts: u64, data: &[u8]) {
        match self {
            Self::Inline(b) => b.record(ifindex, dir, ts, boot_ts, data),
            Self::Sharded(w) => w.push(ifindex, dir, ts, boot_ts, data),
        }
    }
}

impl Drop for TcpReader<'_> {
    fn drop(&mut self) {
        if let Self::Sharded(w) = self {
            w.flush();
        }
    }
}

/// Records copied out of the ring for one worker.
#[derive(Default)]
struct Owned {
    bytes: Vec<u8>,
    recs: Vec<(u32, Direction, i64, u64, std::ops::Range<usize>)>,
}

/// Worker threads running the TCP shards.
pub struct Workers {
    /// Per worker: the records of the batch being read.
    pending: Vec<Owned>,
    senders: Vec<std::sync::mpsc::SyncSender<Owned>>,
    /// Emptied batches coming back, so reading allocates nothing.
    spare: std::sync::mpsc::Receiver<Owned>,
    /// Per worker: batches handed over, and (shared with it) batches done.
    sent: Vec<u64>,
    done: Vec<Arc<(Mutex<u64>, std::sync::Condvar)>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Workers {
    fn start(shards: &[Arc<Mutex<TcpState>>], shared: &Arc<TcpShared>) -> Self {
        let (back, spare) = std::sync::mpsc::channel();
        let mut w = Self {
            pending: Vec::new(),
            senders: Vec::new(),
            spare,
            sent: Vec::new(),
            done: Vec::new(),
            threads: Vec::new(),
        };
        for (i, shard) in shards.iter().enumerate() {
            // A few batches in flight; then the reader waits (and the
            // kernel counts what the full ring cannot take).
            let (tx, rx) = std::sync::mpsc::sync_channel::<Owned>(4);
            let done = Arc::new((Mutex::new(0u64), std::sync::Condvar::new()));
            let (shard, shared, back, d) =
                (shard.clone(), shared.clone(), back.clone(), done.clone());
            let thread = std::thread::Builder::new()
                .name(format!("tcp-{i}"))
                .spawn(move || {
                    for mut owned in rx {
                        if let Ok(state) = shard.lock() {
                            let mut batch = TcpBatch {
                                shared: &shared,
                                state,
                            };
                            for (ifindex, dir, ts, boot_ts, r) in &owned.recs {
                                let data = owned.bytes.get(r.clone()).unwrap_or_default();
                                batch.record(*ifindex, *dir, *ts, *boot_ts, data);
                            }
                        }
                        owned.bytes.clear();
                        owned.recs.clear();
                        let _ = back.send(owned);
                        let (n, cv) = &*d;
                        if let Ok(mut n) = n.lock() {
                            *n += 1;
                        }
                        cv.notify_all();
                    }
                });
            match thread {
                Ok(t) => w.threads.push(t),
                Err(e) => tracing::error!(error = %e, "cannot start a TCP analysis worker"),
            }
            w.pending.push(Owned::default());
            w.senders.push(tx);
            w.sent.push(0);
            w.done.push(done);
        }
        w
    }

    /// Copy a record out for the worker of its flow.
    fn push(&mut self, ifindex: u32, dir: Direction, ts: i64, boot_ts: u64, data: &[u8]) {
        let linktype = crate::record::live_link_type(ifindex);
        let shard = tcp_live::flow_hash(ifindex, linktype, data) as usize % self.pending.len();
        let o = &mut self.pending[shard];
        let start = o.bytes.len();
        o.bytes.extend_from_slice(data);
        o.recs
            .push((ifindex, dir, ts, boot_ts, start..o.bytes.len()));
    }

    /// Hand the records read so far to their workers.
    fn flush(&mut self) {
        for i in 0..self.pending.len() {
            if self.pending[i].recs.is_empty() {
                continue;
            }
            let fresh = self.spare.try_recv().unwrap_or_default();
            let batch = std::mem::replace(&mut self.pending[i], fresh);
            if self.senders[i].send(batch).is_ok() {
                self.sent[i] += 1;
            }
        }
    }

    /// Wait until every worker has analysed what it was handed.
    fn sync(&self) {
        for (sent, done) in self.sent.iter().zip(&self.done) {
            let (n, cv) = &**done;
            let Ok(mut n) = n.lock() else { continue };
            while *n < *sent {
                n = match cv.wait(n) {
                    Ok(n) => n,
                    Err(_) => break,
                };
            }
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        // Closing the channels ends the threads.
        self.senders.clear();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Publish how each rule is counted: kernel-exact or not, and the smallest
/// sampling probability of its candidates.
fn describe_rules(metrics: &Metrics, rules: &[Option<LiveRule>], sample: f64) {
    let described: Vec<(&str, bool, f64)> = rules
        .iter()
        .flatten()
        .map(|r| (&*r.name, r.exact, estimate::rule_fraction(sample, r.sample)))
        .collect();
    metrics.set_rules(&described);
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::{daemon::Iface, filter::kernel::kernel_rule, recorder::Config};

    /// Frame 1 of tcp_handshake.pcapng: Ethernet, IPv4 (20 bytes), a TCP
    /// SYN with options (32 bytes), 2826 → 80.
    const TCP_SYN: &str = "00055d21994c00216a5b7d4a080045000034317f4000800655ebac101080d43a\
                           e28e0b0a0050dc0224740000000080022000cfeb0000020405b40103030201010402";

    use test_support::hex;

    /// The SYN turned into a PSH/ACK segment to `dport` carrying `payload`
    /// (IPv4 total length adjusted).
    fn segment(dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = hex(TCP_SYN);
        f.extend_from_slice(payload);
        let ip_len = (f.len() - 14) as u16;
        f[16..18].copy_from_slice(&ip_len.to_be_bytes());
        f[36..38].copy_from_slice(&dport.to_be_bytes());
        f[47] = 0x18;
        f
    }

    fn rec(data: Vec<u8>, dir: Direction) -> PacketRecord {
        PacketRecord {
            ts_ns: 1_700_000_000_000_000_000,
            iface: 7,
            direction: Some(dir),
            orig_len: data.len() as u32,
            data,
        }
    }

    fn rule(name: &str, filter: &str, sample: f64) -> Option<LiveRule> {
        Some(LiveRule {
            name: name.into(),
            exact: kernel_rule(filter).unwrap().1,
            filter: crate::filter::compile(filter).unwrap(),
            sample,
        })
    }

    fn live(rules: Vec<Option<LiveRule>>, sample: f64) -> (Live, Arc<Metrics>) {
        let ifaces = [Iface {
            name: "eth0".into(),
            index: 7,
            slot: 0,
        }];
        let metrics = Arc::new(Metrics::without_kernel(&ifaces).unwrap());
        let recorder = Arc::new(Recorder::new(Config {
            max_bytes: 1 << 20,
            max_age: None,
        }));
        let live = Live::new(
            recorder,
            None,
            metrics.clone(),
            rules,
            crate::tcp_analysis::Config::default(),
            sample,
        );
        (live, metrics)
    }

    /// Value of one series in the text exposition (`None` when absent).
    fn value(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn estimated_rule_totals_weight_each_sample_by_its_probability() {
        // `web` needs the payload (not kernel-exact), sampled at 0.5 on top
        // of the global 0.1; `tcp` is kernel-exact and sampled at 1.
        let web = "tcp.port == 80 && tcp.payload contains \"GET\"";
        let (live, metrics) = live(vec![rule("web", web, 0.5), rule("all", "tcp", 1.0)], 0.1);
        let get = segment(80, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        let post = segment(80, b"POST / HTTP/1.1\r\nHost: a\r\n\r\n");
        // Four GETs sampled as candidates of `web` only: each stands for
        // 1 / (1 - 0.9 · 0.5) frames.
        for _ in 0..4 {
            live.on_sample(rec(get.clone(), Direction::Ingress), 1, 0b01, 0);
        }
        // A candidate that does not match in user space counts nowhere.
        live.on_sample(rec(post.clone(), Direction::Ingress), 2, 0b01, 0);
        // A GET that was a candidate of both rules: `all` samples every
        // frame, so it stands for itself only.
        live.on_sample(rec(get.clone(), Direction::Egress), 3, 0b11, 0);
        let text = metrics.render();
        let p = estimate::inclusion_probability(0.1, [0.5]);
        assert!(close(p, 0.55), "{p}");
        let s = |name: &str, dir: &str| {
            format!("{name}{{direction=\"{dir}\",iface=\"eth0\",rule=\"web\"}}")
        };
        let got = |name: &str, dir: &str| value(&text, &s(name, dir)).unwrap();
        assert_eq!(got("monitor_rule_user_matches_total", "ingress"), 4.0);
        assert_eq!(got("monitor_rule_user_matches_total", "egress"), 1.0);
        let est = got("monitor_rule_packets_estimated_total", "ingress");
        assert!(close(est, 4.0 / p), "{est}");
        assert!(close(est, 7.272_727), "{est}");
        let bytes = got("monitor_rule_bytes_estimated_total", "ingress");
        assert!(close(bytes, 4.0 * get.len() as f64 / p), "{bytes}");
        assert!(close(
            got("monitor_rule_packets_estimated_total", "egress"),
            1.0
        ));
        // How each rule is counted.
        assert_eq!(
            value(
                &text,
                "monitor_rule_info{exact_series=\"none\",kernel_exact=\"false\",rule=\"web\"}"
            ),
            Some(1.0)
        );
        assert_eq!(
            value(
                &text,
                "monitor_rule_info{exact_series=\"monitor_rule_packets_total\",kernel_exact=\"true\",rule=\"all\"}"
            ),
            Some(1.0)
        );
        let f = value(&text, "monitor_rule_sample_fraction{rule=\"web\"}").unwrap();
        assert!(close(f, 0.55), "{f}");
        // Kernel-exact rules have no estimate: the kernel counts them.
        assert!(!text.contains("monitor_rule_packets_estimated_total{direction=\"ingress\",iface=\"eth0\",rule=\"all\"}"));
    }

    #[test]
    fn followers_get_a_loopback_packet_once_as_it_is_sent() {
        let frame = segment(80, b"GET / HTTP/1.1\r\n\r\n");
        for (loopback, want) in [(false, 2), (true, 1)] {
            let (live, _) = live(Vec::new(), 1.0);
            let live = live.with_loopback(loopback.then_some(7));
            let (mut rx, lost) = live.tail(None);
            live.on_sample(rec(frame.clone(), Direction::Egress), 1, 0, 0);
            live.on_sample(rec(frame.clone(), Direction::Ingress), 2, 0, 0);
            let mut dirs = Vec::new();
            while let Ok(e) = rx.try_recv() {
                dirs.push(e.record.direction);
            }
            assert_eq!(dirs.len(), want, "loopback {loopback}");
            assert_eq!(dirs[0], Some(Direction::Egress));
            assert_eq!(lost.load(Ordering::Relaxed), 0);
            // The recorder keeps both copies.
            assert_eq!(live.recorder.stats().entries, 2, "loopback {loopback}");
        }
    }

    #[test]
    fn rules_that_are_never_sampled_have_no_estimate() {
        let web = "tcp.payload contains \"GET\"";
        let (live, metrics) = live(vec![rule("web", web, 0.0), rule("all", "tcp", 1.0)], 0.0);
        let text = metrics.render();
        let user =
            "monitor_rule_user_matches_total{direction=\"ingress\",iface=\"eth0\",rule=\"web\"}";
        assert_eq!(value(&text, user), Some(0.0), "exported at zero");
        assert!(!text.contains("monitor_rule_packets_estimated_total{"));
        // Sampled only because `all` matched too: a user-space match, but
        // no estimate (the rule's other candidates are never seen).
        let get = segment(80, b"GET / HTTP/1.1\r\n\r\n");
        live.on_sample(rec(get, Direction::Ingress), 1, 0b11, 0);
        let text = metrics.render();
        assert_eq!(value(&text, user), Some(1.0));
        assert!(!text.contains("monitor_rule_packets_estimated_total{"));
        assert_eq!(
            value(&text, "monitor_rule_sample_fraction{rule=\"web\"}"),
            Some(0.0)
        );
    }

    #[test]
    fn dissection_errors_are_counted_by_layer() {
        let (live, metrics) = live(Vec::new(), 0.0);
        let layer = |text: &str, l: &str| {
            value(
                text,
                &format!("monitor_dissection_errors_total{{iface=\"eth0\",layer=\"{l}\"}}"),
            )
            .unwrap()
        };
        let text = metrics.render();
        for l in ["link", "network", "transport", "application"] {
            assert_eq!(layer(&text, l), 0.0, "{l} exported at zero");
        }
        let syn = hex(TCP_SYN);
        // Link: an Ethernet header cut short.
        live.on_sample(rec(syn[..10].to_vec(), Direction::Ingress), 1, 0, 0);
        // Network: an IPv4 total length shorter than its header.
        let mut f = syn.clone();
        f[16..18].copy_from_slice(&10u16.to_be_bytes());
        live.on_sample(rec(f, Direction::Ingress), 2, 0, 0);
        // Transport: a TCP option (the SYN's MSS) of length 1, below the
        // minimum 2.
        let mut f = syn.clone();
        f[55] = 1;
        live.on_sample(rec(f, Direction::Egress), 3, 0, 0);
        // Application: DNS over TCP whose message is shorter than a DNS
        // header (length prefix 5, then 5 bytes).
        let f = segment(53, &[0, 5, 1, 2, 3, 4, 5]);
        live.on_sample(rec(f, Direction::Egress), 4, 0, 0);
        // Cut by the snapshot length is no error.
        let mut r = rec(syn[..40].to_vec(), Direction::Ingress);
        r.orig_len = syn.len() as u32;
        live.on_sample(r, 5, 0, 0);
        // A good frame.
        live.on_sample(rec(syn, Direction::Ingress), 6, 0, 0);
        let text = metrics.render();
        for l in ["link", "network", "transport", "application"] {
            assert_eq!(layer(&text, l), 1.0, "{l}");
        }
        let errors = |d: &str| {
            value(
                &text,
                &format!("monitor_sample_parse_errors_total{{direction=\"{d}\",iface=\"eth0\"}}"),
            )
            .unwrap()
        };
        assert_eq!(errors("ingress") + errors("egress"), 4.0);
    }

    /// A sample capture; missing, the test fails (or skips with
    /// `MONITOR_ALLOW_SKIP=1`: `None`).
    fn capture(name: &str) -> Option<PathBuf> {
        let p = test_support::capture(name);
        test_support::have_capture(&p).then_some(p)
    }

    fn frames(path: &Path) -> Vec<PacketRecord> {
        let mut r = crate::capture::CaptureReader::open(path).unwrap();
        let mut out = Vec::new();
        while let Some(p) = r.next_packet() {
            let mut rec = p.unwrap().record;
            rec.iface = 7;
            rec.direction = Some(Direction::Ingress);
            out.push(rec);
        }
        out
    }

    /// Hand `frames` to the daemon side as samples, then run its tick at the
    /// last frame's time. Returns that time.
    fn feed(live: &Live, frames: impl IntoIterator<Item = PacketRecord>) -> i64 {
        let mut last = 0;
        for f in frames {
            last = last.max(f.ts_ns);
            live.on_sample(f, 0, 0, 0);
        }
        live.tick(last);
        last
    }

    /// The TCP series of a rendering: name and labels → value.
    fn tcp_series(text: &str) -> Vec<(String, f64)> {
        text.lines()
            .filter(|l| l.starts_with("monitor_tcp_"))
            .filter_map(|l| {
                let (k, v) = l.rsplit_once(' ')?;
                Some((k.to_string(), v.parse().ok()?))
            })
            .collect()
    }

    #[test]
    fn tcp_metrics_are_the_same_with_one_and_two_workers() {
        let names = [
            "http_espn_retrans.pcapng",
            "http_espn_many_flows.pcapng",
            "tcp_synscan.pcapng",
            "mixed_large_web.pcap",
            "tls13_large_tor.pcap",
            "tcp_handshake.pcapng",
        ];
        let mut all = Vec::new();
        for name in names {
            let Some(p) = capture(name) else {
                assert!(
                    std::env::var("MONITOR_ALLOW_SKIP").is_ok_and(|v| v == "1"),
                    "{name} missing; MONITOR_ALLOW_SKIP=1 to skip"
                );
                return;
            };
            all.extend(frames(&p));
        }
        let last = all.iter().map(|f| f.ts_ns).max().unwrap_or(0);
        let run = |workers: usize| {
            let (live, metrics) = live(Vec::new(), 0.0);
            let live = live.with_tcp_workers(workers);
            for (n, chunk) in all.chunks(64).enumerate() {
                let mut reader = live.tcp_reader().unwrap();
                for (i, f) in chunk.iter().enumerate() {
                    let dir = f.direction.unwrap();
                    let boot = (n * 64 + i) as u64;
                    reader.record(f.iface, dir, f.ts_ns, boot, &f.data);
                }
            }
            live.tcp_sync();
            // Past every timeout: open attempts end, idle flows expire.
            live.tick(last + 7_200_000_000_000);
            let segments: Vec<u64> = live
                .tcp
                .iter()
                .map(|s| {
                    let mut st = s.lock().unwrap();
                    st.analyzers
                        .iter_mut()
                        .map(|(_, a)| a.stats().segments)
                        .sum()
                })
                .collect();
            (tcp_series(&metrics.render()), segments)
        };
        let (one, seg1) = run(1);
        let (two, seg2) = run(2);
        assert_eq!(seg1.len(), 1);
        assert_eq!(seg2.len(), 2);
        assert!(
            seg2.iter().all(|&n| n > 1000),
            "flows spread over both: {seg2:?}"
        );
        assert_eq!(seg1[0], seg2.iter().sum::<u64>());
        assert_eq!(one.len(), two.len());
        let mut flagged = 0.0;
        for ((k1, v1), (k2, v2)) in one.iter().zip(&two) {
            assert_eq!(k1, k2);
            if k1.contains("_sum") {
                // Float sums added in another order.
                assert!(
                    (v1 - v2).abs() <= 1e-9 * v1.abs().max(1.0),
                    "{k1}: {v1} vs {v2}"
                );
            } else {
                assert_eq!(v1, v2, "{k1}");
            }
            if k1.starts_with("monitor_tcp_analysis_total") {
                flagged += v1;
            }
        }
        assert!(flagged > 100.0, "only {flagged} flags counted");
        let established = "monitor_tcp_handshakes_total{iface=\"eth0\",outcome=\"established\"}";
        assert!(value(
            &two.iter()
                .map(|(k, v)| format!("{k} {v}\n"))
                .collect::<String>(),
            established
        )
        .is_some_and(|v| v > 10.0));
    }

    #[test]
    fn reassembly_counters_from_real_fragments() {
        // tshark reassembles 6 datagrams in the first and 4 in the second.
        let (Some(v4), Some(v6)) = (
            capture("ipv4_frag_udp_nfs.pcap"),
            capture("ipv6_frag_udp.pcap"),
        ) else {
            return;
        };
        let (live, metrics) = live(Vec::new(), 1.0);
        let text = metrics.render();
        for p in ["ipv4", "ipv6", "tcp"] {
            let s = format!("monitor_reassembly_completed_total{{protocol=\"{p}\"}}");
            assert_eq!(value(&text, &s), Some(0.0), "{s}");
        }
        let last = feed(&live, frames(&v4).into_iter().chain(frames(&v6)));
        let text = metrics.render();
        let get = |s: &str| value(&text, s).unwrap();
        assert_eq!(
            get("monitor_reassembly_completed_total{protocol=\"ipv4\"}"),
            6.0
        );
        assert_eq!(
            get("monitor_reassembly_completed_total{protocol=\"ipv6\"}"),
            4.0
        );
        // Two datagrams were sent again in part after they completed; as in
        // tshark those fragments start new datagrams, which never complete
        // and time out within the capture.
        assert_eq!(
            get("monitor_reassembly_in_progress{protocol=\"ipv4\"}"),
            0.0
        );
        assert_eq!(
            get("monitor_reassembly_timeouts_total{protocol=\"ipv4\"}"),
            2.0
        );

        // The first fragment of a datagram whose others never come: in
        // progress until the 60 s timeout, then a timeout.
        let first = frames(&v4)
            .into_iter()
            .find(|f| {
                let flags_off = u16::from_be_bytes([f.data[20], f.data[21]]);
                f.data[12..14] == [8, 0] && flags_off == 0x2000
            })
            .expect("a first fragment");
        let mut f = first.clone();
        f.data[18] ^= 0xff; // another IP ID: another datagram
        f.ts_ns = last + 1_000_000_000;
        live.on_sample(f, 0, 0, 0);
        live.tick(last + 2_000_000_000);
        let text = metrics.render();
        assert_eq!(
            value(&text, "monitor_reassembly_in_progress{protocol=\"ipv4\"}"),
            Some(1.0)
        );
        live.tick(last + 62_000_000_000);
        let text = metrics.render();
        assert_eq!(
            value(&text, "monitor_reassembly_in_progress{protocol=\"ipv4\"}"),
            Some(0.0)
        );
        assert_eq!(
            value(
                &text,
                "monitor_reassembly_timeouts_total{protocol=\"ipv4\"}"
            ),
            Some(3.0)
        );
        assert_eq!(
            value(
                &text,
                "monitor_reassembly_timeouts_total{protocol=\"ipv6\"}"
            ),
            Some(0.0)
        );
        assert_eq!(
            value(
                &text,
                "monitor_reassembly_dropped_total{protocol=\"ipv4\",reason=\"table_full\"}"
            ),
            Some(0.0)
        );
    }

    #[test]
    fn samples_are_not_reassembled_across_tcp_segments() {
        // Captures with PDUs over several segments (tshark reassembles 41
        // in http_espn_many_flows.pcapng): each sample stands alone, so no
        // PDU is completed or left waiting, while IP fragments still are
        // reassembled (see above).
        for name in [
            "http_post.pcapng",
            "dns_tcp.pcapng",
            "http_espn_many_flows.pcapng",
            "http2_h2c_range.pcap",
        ] {
            let Some(p) = capture(name) else { continue };
            let (live, metrics) = live(Vec::new(), 1.0);
            feed(&live, frames(&p));
            let text = metrics.render();
            let get = |s: &str| value(&text, s).unwrap();
            assert_eq!(
                get("monitor_reassembly_completed_total{protocol=\"tcp\"}"),
                0.0,
                "{name}"
            );
            assert_eq!(
                get("monitor_reassembly_in_progress{protocol=\"tcp\"}"),
                0.0,
                "{name}"
            );
            assert!(get("monitor_samples_total{direction=\"ingress\",iface=\"eth0\"}") > 0.0);
        }
    }

    /// Frame numbers tshark's filter matches on a capture, dissecting
    /// every TCP segment on its own (`None`: skipped, see below).
    fn tshark_alone(cap: &Path, filter: &str) -> Option<Vec<usize>> {
        if !test_support::have_tshark() {
            return None;
        }
        let out = test_support::stdout(
            test_support::tshark()
                .args(["-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-r"])
                .arg(cap)
                .args(["-Y", filter, "-T", "fields", "-e", "frame.number"]),
        );
        Some(out.lines().filter_map(|l| l.trim().parse().ok()).collect())
    }

    #[test]
    fn samples_are_dissected_segment_by_segment_as_tshark_without_desegmentation() {
        // Fields of HTTP message heads: what rules on samples read.
        let filters = [
            "http.response.code == 200",
            "http.response.code == 404",
            "http.response.code >= 300",
            "http.request.method == \"GET\"",
            "http.request",
            "http.response",
            "http.content_length > 1000",
        ];
        let mut compared = 0;
        for name in [
            "http_google.pcapng",
            "http_espn_retrans.pcapng",
            "http_post.pcapng",
            "http_650_responses.pcap",
        ] {
            let Some(p) = capture(name) else {
                continue;
            };
            let filters: Vec<_> = filters
                .iter()
                .map(|f| (f, crate::filter::compile(f).unwrap()))
                .collect();
            let mut pipe = Pipeline::new();
            pipe.set_tcp_desegment(false);
            let mut ours = vec![Vec::new(); filters.len()];
            for (i, rec) in frames(&p).into_iter().enumerate() {
                let d = pipe.dissect(&rec);
                for (k, (_, f)) in filters.iter().enumerate() {
                    if f.matches(&d) {
                        ours[k].push(i + 1);
                    }
                }
            }
            assert_eq!(pipe.reassembly_stats().tcp.in_progress, 0, "{name}");
            assert_eq!(pipe.reassembly_stats().tcp.completed, 0, "{name}");
            for ((text, _), got) in filters.iter().zip(&ours) {
                let Some(want) = tshark_alone(&p, text) else {
                    return;
                };
                assert_eq!(got, &want, "{name}: `{text}`");
                compared += want.len();
            }
        }
        assert!(compared > 100, "only {compared} matches compared");
    }

    #[test]
    fn samples_dissected_for_the_fields_read_give_the_same_answers() {
        // Every frame of the sample captures, each TCP segment on its own
        // as the daemon dissects samples: told which fields the filters
        // read (none, or those of the filters below), the pipeline finds
        // the same dissection errors at the same layers and the filters
        // give the same verdicts as with a full dissection.
        let exprs = [
            "tcp.port == 80",
            "tcp.flags.syn == 1 && tcp.flags.ack == 0",
            "tcp.analysis.retransmission || tcp.analysis.duplicate_ack",
            "tcp.payload contains \"HTTP\"",
            "tcp.options.mss_val < 1460",
            "http.request.method == \"GET\" || http.response.code >= 300",
            "dns.qry.name contains \"google\" || dns.flags.rcode != 0",
            "tls.handshake.type == 1",
            "ip.src == 10.0.0.0/8 || ip.ttl < 64",
            "ip.flags.mf == 1 || ip.frag_offset > 0",
            "ipv6.nxt == 17 || ipv6.hlim == 255",
            "udp.length > 100 && !dns",
            "icmp.type == 3 || icmp.type == 8",
            "eth.src == 00:05:5d:21:99:4c || eth.dst.ig == 1",
            "vlan.id == 100 || arp.opcode == 2",
            "frame.len > 1000",
            "count(ip) == 2 || tcp.len > 0 && udp",
        ];
        let filters: Vec<_> = exprs
            .iter()
            .map(|e| crate::filter::compile(e).unwrap())
            .collect();
        let names: Vec<&'static str> = filters
            .iter()
            .flat_map(|f| f.reads().unwrap())
            .map(|d| d.name)
            .collect();
        let (mut matched, mut errors, mut frames) = (vec![0; filters.len()], 0, 0);
        for path in test_support::all_captures() {
            let pipe = || {
                let mut p = Pipeline::new();
                p.set_tcp_desegment(false);
                p
            };
            let (mut full, mut none, mut lean) = (pipe(), pipe(), pipe());
            none.only_fields([]);
            lean.only_fields(names.iter().copied());
            let r = crate::capture::CaptureReader::open(&path).unwrap();
            for (i, p) in r.filter_map(Result::ok).enumerate() {
                let at = format!("{} frame {}", path.display(), i + 1);
                let a = full.dissect_linktype(&p.record, p.linktype);
                let b = none.dissect_linktype(&p.record, p.linktype);
                let c = lean.dissect_linktype(&p.record, p.linktype);
                assert_eq!(a.malformed_layer, b.malformed_layer, "{at}");
                assert_eq!(a.malformed_layer, c.malformed_layer, "{at}");
                errors += usize::from(a.malformed_layer.is_some());
                for (k, f) in filters.iter().enumerate() {
                    let m = f.matches(&a);
                    assert_eq!(m, f.matches(&c), "{at}: {}", exprs[k]);
                    matched[k] += usize::from(m);
                }
                none.recycle(b);
                lean.recycle(c);
                frames += 1;
            }
        }
        if frames == 0 {
            return; // MONITOR_ALLOW_SKIP=1 and no captures
        }
        assert!(errors > 0, "no frame with a dissection error");
        let unmatched: Vec<_> = (0..exprs.len()).filter(|&k| matched[k] == 0).collect();
        assert!(
            unmatched.is_empty(),
            "matched no frame: {:?}",
            unmatched.iter().map(|&k| exprs[k]).collect::<Vec<_>>()
        );
    }

    #[test]
    fn rules_followers_and_the_recorder_filter_see_the_fields_they_read() {
        // The pipeline is told which fields the filters read each time
        // they change: a follower whose filter reads a field no rule
        // reads still gets exactly the frames it asked for, and a rule
        // reading a protocol's bytes gets the full dissection.
        // One connection's requests, each segment after the one before
        // (a segment sent again would be a retransmission, whose payload
        // is not dissected).
        let mut seq = 0x1000u32;
        let mut next = |payload: &[u8]| {
            let mut f = segment(80, payload);
            f[38..42].copy_from_slice(&seq.to_be_bytes());
            seq += payload.len() as u32;
            rec(f, Direction::Ingress)
        };
        let get = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        let post = b"POST / HTTP/1.1\r\nHost: a\r\n\r\n";
        let (live, metrics) = live(vec![rule("web", "tcp.port == 80", 1.0)], 1.0);
        live.on_sample(next(get), 1, 0b1, 0);
        let f = crate::filter::compile("http.request.method == \"POST\"").unwrap();
        let (mut rx, _) = live.tail(Some(f));
        live.on_sample(next(get), 2, 0b1, 0);
        let p = next(post);
        let want = p.data.clone();
        live.on_sample(p, 3, 0b1, 0);
        let e = rx.try_recv().expect("the POST");
        assert_eq!(e.record.data, want);
        assert_eq!(e.rules, vec![Arc::<str>::from("web")]);
        assert!(rx.try_recv().is_err(), "only the POST");
        drop(rx);
        live.set_rules(vec![
            rule("web", "tcp.port == 80", 1.0),
            rule("get", "tcp contains \"GET\"", 1.0),
        ]);
        live.on_sample(next(get), 4, 0b01, 0b10);
        live.on_sample(next(post), 5, 0b01, 0b10);
        let text = metrics.render();
        let user =
            "monitor_rule_user_matches_total{direction=\"ingress\",iface=\"eth0\",rule=\"get\"}";
        assert_eq!(value(&text, user), Some(1.0));
        let samples = "monitor_samples_total{direction=\"ingress\",iface=\"eth0\"}";
        assert_eq!(value(&text, samples), Some(5.0));
    }

    #[test]
    fn scrape_cost_is_observed_from_the_second_scrape() {
        let (_live, metrics) = live(Vec::new(), 0.0);
        let first = metrics.render();
        assert_eq!(
            value(&first, "monitor_scrape_duration_seconds_count"),
            Some(0.0)
        );
        let second = metrics.render();
        assert_eq!(
            value(&second, "monitor_scrape_duration_seconds_count"),
            Some(1.0)
        );
        assert!(value(&second, "monitor_scrape_duration_seconds_sum").unwrap() > 0.0);
    }
}
