//! The embedded eBPF object and everything that touches it: loading,
//! attaching the XDP (ingress) and TC (egress) programs, configuring them,
//! installing compiled rules ([`codegen`], [`sys`]) and reading their
//! counters.
//!
//! Minimum kernel: 5.8 (BPF ring buffer, CAP_BPF) with BTF; TC egress uses a
//! TCX link on kernels ≥ 6.6 and a netlink clsact filter before that.

pub mod codegen;
pub mod sys;

use std::os::fd::{AsFd as _, OwnedFd};

use anyhow::{bail, Context as _};
use aya::{
    maps::{Array, HashMap, Map, MapData, PerCpuArray, ProgramArray, RingBuf},
    programs::{tc, SchedClassifier, TcAttachType, Xdp, XdpMode},
    Ebpf, EbpfLoader,
};
use monitor_common::{
    counter_index, iface,
    rules::{self as r, stage, RuleCounter, RuleNode},
    Config, Counters,
};

/// The eBPF object built from `monitor-ebpf` by the build script.
pub static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/monitor"));

/// Name of the XDP program in [`OBJECT`].
pub const XDP_PROGRAM: &str = "monitor_xdp";
/// Name of the do-nothing XDP program used as a benchmark baseline.
pub const BARE_PROGRAM: &str = "bare_pass";
/// Name of the TC program in [`OBJECT`].
pub const TC_PROGRAM: &str = "monitor_tc";
/// The XDP program's finishing stage (tail-called by the compiled rules).
pub const XDP_FINISH_PROGRAM: &str = "monitor_xdp_finish";
/// The TC program's finishing stage.
pub const TC_FINISH_PROGRAM: &str = "monitor_tc_finish";

/// Default ring buffer size in bytes (a power of two multiple of the page size).
pub const DEFAULT_RING_BYTES: u32 = 8 << 20;

/// How the XDP program is attached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum XdpAttachMode {
    /// Driver (native) mode, falling back to SKB (generic) mode.
    #[default]
    Auto,
    /// Driver mode only.
    Driver,
    /// SKB (generic) mode only.
    Skb,
}

/// Where the XDP program ended up for one interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachedMode {
    /// Native XDP.
    Driver,
    /// Generic XDP.
    Skb,
}

impl AttachedMode {
    /// `driver` or `skb`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Driver => "driver",
            Self::Skb => "skb",
        }
    }
}

/// The loaded programs and maps.
#[derive(Debug)]
pub struct Programs {
    ebpf: Ebpf,
    ring_bytes: u32,
}

/// Sum of the per-CPU counters of one interface and direction.
pub type Totals = Counters;

/// Add `o` to `t`, field by field.
fn add(t: &mut Totals, o: &Counters) {
    let Counters {
        packets,
        bytes,
        proto,
        samples,
        ringbuf_dropped,
        tcp_records,
        tcp_records_dropped,
    } = o;
    t.packets += packets;
    t.bytes += bytes;
    for (a, b) in t.proto.iter_mut().zip(proto.iter()) {
        *a += b;
    }
    t.samples += samples;
    t.ringbuf_dropped += ringbuf_dropped;
    t.tcp_records += tcp_records;
    t.tcp_records_dropped += tcp_records_dropped;
}

impl Programs {
    /// Load the object (verifier runs here) with ring buffers of
    /// `ring_bytes` for samples and for TCP header records.
    pub fn load(ring_bytes: u32) -> anyhow::Result<Self> {
        Self::load_rings(ring_bytes, ring_bytes)
    }

    /// Load the object with a sample ring of `ring_bytes` and a TCP header
    /// ring of `tcp_ring_bytes` (each a power-of-two multiple of the page
    /// size).
    pub fn load_rings(ring_bytes: u32, tcp_ring_bytes: u32) -> anyhow::Result<Self> {
        let mut ebpf = EbpfLoader::new()
            .map_max_entries("EVENTS", ring_bytes)
            .map_max_entries("TCP_EVENTS", tcp_ring_bytes)
            .load(OBJECT)
            .context("loading the eBPF object")?;
        for (name, finish, stages) in [
            (XDP_PROGRAM, XDP_FINISH_PROGRAM, "XDP_STAGES"),
            (TC_PROGRAM, TC_FINISH_PROGRAM, "TC_STAGES"),
        ] {
            for prog in [name, finish] {
                let p = ebpf
                    .program_mut(prog)
                    .with_context(|| format!("{prog} missing from object"))?;
                match p {
                    aya::programs::Program::Xdp(x) => x.load(),
                    aya::programs::Program::SchedClassifier(c) => c.load(),
                    _ => bail!("{prog} has an unexpected program type"),
                }
                .with_context(|| format!("loading {prog}"))?;
            }
            let fd = ebpf
                .program(finish)
                .context("finish stage missing")?
                .fd()?
                .try_clone()?;
            let mut array = ProgramArray::try_from(
                ebpf.map_mut(stages)
                    .with_context(|| format!("{stages} map missing"))?,
            )?;
            array
                .set(stage::FINISH, &fd, 0)
                .with_context(|| format!("installing {finish}"))?;
        }
        Ok(Self { ebpf, ring_bytes })
    }

    /// Set the sampling fraction (0..=1) and snaplen; TCP header records off.
    pub fn configure(&mut self, sample: f64, snaplen: u32) -> anyhow::Result<()> {
        self.configure_all(sample, snaplen, false)
    }

    /// Set the sampling fraction, snaplen, and whether TCP header records
    /// are written for segments in the TCP scope rule.
    pub fn configure_all(
        &mut self,
        sample: f64,
        snaplen: u32,
        tcp_records: bool,
    ) -> anyhow::Result<()> {
        self.set_config(Config {
            sample_threshold: Config::threshold_for(sample),
            snaplen,
            tcp_records: tcp_records as u32,
            wake_bytes: Config::wake_bytes_for(self.ring_bytes),
        })
    }

    /// Write the programs' configuration (read by them for every frame).
    fn set_config(&mut self, config: Config) -> anyhow::Result<()> {
        let mut cfg: Array<&mut MapData, Config> =
            Array::try_from(self.ebpf.map_mut("CONFIG").context("CONFIG map missing")?)?;
        cfg.set(0, config, 0).context("writing CONFIG")
    }

    /// Attach the XDP program to `iface` for ingress.
    pub fn attach_xdp(&mut self, iface: &str, mode: XdpAttachMode) -> anyhow::Result<AttachedMode> {
        // An interface has one XDP program: say whose it is, rather than
        // failing in driver mode and then in SKB mode.
        if let Some((name, id)) = xdp_holder(iface) {
            let whose = if name == XDP_PROGRAM {
                "another monitor is running there"
            } else {
                "another program holds XDP there"
            };
            bail!("{iface} already has XDP program {name} (id {id}) attached: {whose}");
        }
        let xdp: &mut Xdp = self
            .ebpf
            .program_mut(XDP_PROGRAM)
            .context("XDP program missing")?
            .try_into()?;
        match mode {
            XdpAttachMode::Driver => {
                xdp.attach(iface, XdpMode::Driver)
                    .with_context(|| format!("attaching XDP (driver mode) to {iface}"))?;
                Ok(AttachedMode::Driver)
            }
            XdpAttachMode::Skb => {
                xdp.attach(iface, XdpMode::Skb)
                    .with_context(|| format!("attaching XDP (SKB mode) to {iface}"))?;
                Ok(AttachedMode::Skb)
            }
            XdpAttachMode::Auto => match xdp.attach(iface, XdpMode::Driver) {
                Ok(_) => Ok(AttachedMode::Driver),
                Err(e) => {
                    tracing::info!(iface, error = %e, "XDP driver mode unavailable, falling back to SKB mode");
                    xdp.attach(iface, XdpMode::Skb)
                        .with_context(|| format!("attaching XDP (SKB mode) to {iface}"))?;
                    Ok(AttachedMode::Skb)
                }
            },
        }
    }

    /// Set up a live capture: every frame the programs send up (all of
    /// them when `sample` is 1) wakes the reader, so each is shown as it
    /// comes; `snaplen` bytes per frame; no TCP header records.
    pub fn configure_capture(&mut self, sample: f64, snaplen: u32) -> anyhow::Result<()> {
        self.set_config(Config {
            sample_threshold: Config::threshold_for(sample),
            snaplen,
            tcp_records: 0,
            wake_bytes: 0,
        })
    }

    /// Attach the TC program to `iface` for egress (TCX on ≥ 6.6, else clsact).
    pub fn attach_tc(&mut self, iface: &str) -> anyhow::Result<()> {
        let tcx = aya::util::KernelVersion::current()
            .map(|v| v >= aya::util::KernelVersion::new(6, 6, 0))
            .unwrap_or(false);
        if !tcx {
            // An existing clsact qdisc is fine.
            let _ = tc::qdisc_add_clsact(iface);
        }
        let prog: &mut SchedClassifier = self
            .ebpf
            .program_mut(TC_PROGRAM)
            .context("TC program missing")?
            .try_into()?;
        prog.attach(iface, TcAttachType::Egress)
            .with_context(|| format!("attaching TC egress to {iface}"))?;
        Ok(())
    }

    /// Give `ifindex` its own counter slot (0..[`iface::UNKNOWN_SLOT`]);
    /// `raw_ip` when its frames start at the IP header (no link-layer
    /// header: tun), which the programs then parse from there.
    pub fn register_iface(&mut self, ifindex: u32, slot: u32, raw_ip: bool) -> anyhow::Result<()> {
        let flag = if raw_ip { iface::RAW_IP } else { 0 };
        if slot >= iface::UNKNOWN_SLOT {
            bail!(
                "at most {} interfaces can be monitored",
                iface::UNKNOWN_SLOT
            );
        }
        if ifindex < iface::DIRECT_MAX {
            let mut m: Array<&mut MapData, u32> = Array::try_from(
                self.ebpf
                    .map_mut("IFACE_DIRECT")
                    .context("IFACE_DIRECT map missing")?,
            )?;
            m.set(ifindex, (slot + 1) | flag, 0)
                .context("writing IFACE_DIRECT")?;
        } else {
            let mut m: HashMap<&mut MapData, u32, u32> = HashMap::try_from(
                self.ebpf
                    .map_mut("IFACE_SLOTS")
                    .context("IFACE_SLOTS map missing")?,
            )?;
            m.insert(ifindex, slot | flag, 0)
                .context("writing IFACE_SLOTS")?;
        }
        Ok(())
    }

    /// Take the sample ring buffer out for the reader task.
    pub fn take_ring(&mut self) -> anyhow::Result<RingBuf<MapData>> {
        let map = self.ebpf.take_map("EVENTS").context("EVENTS map missing")?;
        Ok(RingBuf::try_from(map)?)
    }

    /// Take the TCP header ring buffer out for the reader task.
    pub fn take_tcp_ring(&mut self) -> anyhow::Result<RingBuf<MapData>> {
        let map = self
            .ebpf
            .take_map("TCP_EVENTS")
            .context("TCP_EVENTS map missing")?;
        Ok(RingBuf::try_from(map)?)
    }

    /// Take the counter maps out for the metrics collector.
    pub fn take_counters(&mut self) -> anyhow::Result<CounterMap> {
        let map = self
            .ebpf
            .take_map("COUNTERS")
            .context("COUNTERS map missing")?;
        let rules = self
            .ebpf
            .take_map("RULE_COUNTERS")
            .context("RULE_COUNTERS map missing")?;
        Ok(CounterMap {
            map: PerCpuArray::try_from(map)?,
            rules: PerCpuArray::try_from(rules)?,
        })
    }

    /// The map file descriptors the compiled rules need, for the control plane.
    pub fn take_rules(&mut self) -> anyhow::Result<RuleTables> {
        let fd = |name: &str| -> anyhow::Result<OwnedFd> {
            let data = match self.ebpf.map(name) {
                Some(Map::PerCpuArray(d) | Map::ProgramArray(d)) => d,
                _ => bail!("{name} map missing"),
            };
            Ok(data.fd().as_fd().try_clone_to_owned()?)
        };
        Ok(RuleTables {
            scratch: fd("SCRATCH")?,
            stages: [
                (
                    fd("XDP_STAGES")?,
                    sys::PROG_TYPE_XDP,
                    sys::ATTACH_XDP,
                    XDP_PASS,
                ),
                (fd("TC_STAGES")?, sys::PROG_TYPE_SCHED_CLS, 0, TC_ACT_UNSPEC),
            ],
        })
    }

    /// The eBPF-side log (aya-log), forwarded to this process's logger.
    /// `None` when the programs log nothing.
    pub fn take_logger(&mut self) -> Option<aya_log::EbpfLogger<&'static dyn log::Log>> {
        aya_log::EbpfLogger::init(&mut self.ebpf).ok()
    }

    /// The XDP program, for BPF_PROG_TEST_RUN.
    pub fn xdp(&mut self) -> anyhow::Result<&mut Xdp> {
        Ok(self
            .ebpf
            .program_mut(XDP_PROGRAM)
            .context("XDP program missing")?
            .try_into()?)
    }

    /// The do-nothing XDP baseline (loaded on first use), for benchmarks.
    pub fn bare(&mut self) -> anyhow::Result<&mut Xdp> {
        let prog: &mut Xdp = self
            .ebpf
            .program_mut(BARE_PROGRAM)
            .context("baseline program missing")?
            .try_into()?;
        if prog.fd().is_err() {
            prog.load().context("loading the baseline program")?;
        }
        Ok(prog)
    }

    /// The TC program, for BPF_PROG_TEST_RUN.
    pub fn tc(&mut self) -> anyhow::Result<&mut SchedClassifier> {
        Ok(self
            .ebpf
            .program_mut(TC_PROGRAM)
            .context("TC program missing")?
            .try_into()?)
    }
}

/// The name and id of the XDP program attached to `iface`, if any.
pub fn xdp_holder(iface: &str) -> Option<(String, u32)> {
    let id = sys::ifindex(iface).and_then(sys::xdp_prog_id)?;
    let name = aya::programs::loaded_programs()
        .filter_map(Result::ok)
        .find(|p| p.id() == id)
        .and_then(|p| p.name_as_str().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    Some((name, id))
}

/// One compiled rule for the kernel: its decision graph and sample fraction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KernelRule {
    /// Nodes, with forward-only jumps (at most [`r::MAX_NODES`]).
    pub nodes: Vec<RuleNode>,
    /// Fraction of matching frames to sample (0..=1).
    pub sample: f64,
}

const XDP_PASS: i32 = 2;
const TC_ACT_UNSPEC: i32 = -1;

/// Installs rule sets: compiles them into the rules stage of the XDP and TC
/// programs and swaps it in with one program-array update per program, so
/// every frame sees either the old set or the new one, and counters of
/// rules that keep their slot continue.
pub struct RuleTables {
    scratch: OwnedFd,
    /// Per program: its stage array, program type, expected attach type
    /// and pass verdict.
    stages: [(OwnedFd, u32, u32, i32); 2],
}

impl std::fmt::Debug for RuleTables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleTables").finish_non_exhaustive()
    }
}

impl RuleTables {
    /// Install a rule set: `rules[s]` goes to slot `s` (at most
    /// [`r::MAX_RULES`]), `tcp_scope` to the TCP scope slot. Nothing changes
    /// in the kernel when the set cannot be compiled or loaded.
    pub fn install(
        &mut self,
        rules: &[Option<KernelRule>],
        tcp_scope: Option<&KernelRule>,
    ) -> anyhow::Result<()> {
        if rules.len() > r::MAX_RULES as usize {
            bail!("at most {} rules", r::MAX_RULES);
        }
        let slots: Vec<codegen::SlotRule<'_>> = rules
            .iter()
            .enumerate()
            .filter_map(|(s, rule)| rule.as_ref().map(|rule| (s as u32, rule)))
            .chain(tcp_scope.map(|rule| (r::TCP_SCOPE_SLOT, rule)))
            .map(|(slot, rule)| {
                if rule.nodes.is_empty() || rule.nodes.len() > r::MAX_NODES as usize {
                    bail!(
                        "a rule needs 1 to {} kernel nodes, this one has {}",
                        r::MAX_NODES,
                        rule.nodes.len()
                    );
                }
                Ok(codegen::SlotRule {
                    slot,
                    nodes: &rule.nodes,
                    sample: rule.sample,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        if slots.is_empty() {
            for (array, ..) in &self.stages {
                sys::prog_array_clear(array.as_fd(), stage::RULES)
                    .context("clearing the rules stage")?;
            }
            return Ok(());
        }
        // Compile and load for both programs before touching either.
        let mut loaded = Vec::with_capacity(self.stages.len());
        for (array, prog_type, attach, pass) in &self.stages {
            let insns = codegen::compile(
                &slots,
                codegen::Target {
                    scratch_fd: std::os::fd::AsRawFd::as_raw_fd(&self.scratch),
                    stages_fd: std::os::fd::AsRawFd::as_raw_fd(array),
                    pass: *pass,
                },
            )?;
            loaded.push(sys::load_program(
                *prog_type,
                *attach,
                "monitor_rules",
                &insns,
            )?);
        }
        for ((array, ..), prog) in self.stages.iter().zip(&loaded) {
            sys::prog_array_set(array.as_fd(), stage::RULES, prog.as_fd())
                .context("installing the rules stage")?;
        }
        Ok(())
    }
}

/// The per-CPU counter arrays, read at scrape time.
pub struct CounterMap {
    map: PerCpuArray<MapData, Counters>,
    rules: PerCpuArray<MapData, RuleCounter>,
}

impl std::fmt::Debug for CounterMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterMap").finish_non_exhaustive()
    }
}

impl CounterMap {
    /// Sum every CPU's counters for (interface slot, direction).
    pub fn get(&self, slot: u32, dir: u32) -> Totals {
        let mut t = Totals::default();
        let Ok(per_cpu) = self.map.get(&counter_index(slot, dir), 0) else {
            return t;
        };
        for c in per_cpu.iter() {
            add(&mut t, c);
        }
        t
    }

    /// Totals of every slot, per direction (what test runs count).
    pub fn all(&self) -> [Totals; 2] {
        let mut out = [Totals::default(); 2];
        for slot in 0..iface::MAX_SLOTS {
            for (dir, o) in out.iter_mut().enumerate() {
                add(o, &self.get(slot, dir as u32));
            }
        }
        out
    }

    /// Counters of `rule` on (interface slot, direction), summed over CPUs.
    pub fn rule(&self, slot: u32, rule: u32, dir: u32) -> RuleCounter {
        let mut t = RuleCounter::default();
        let Ok(per_cpu) = self.rules.get(&r::counter_index(slot, rule, dir), 0) else {
            return t;
        };
        for c in per_cpu.iter() {
            t.packets += c.packets;
            t.bytes += c.bytes;
            t.candidates += c.candidates;
            t.candidate_bytes += c.candidate_bytes;
            t.candidates_lost += c.candidates_lost;
        }
        t
    }
}
