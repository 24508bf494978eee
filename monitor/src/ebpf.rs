//! The embedded eBPF object and everything that touches it: loading,
//! attaching the XDP (ingress) and TC (egress) programs, configuring them,
//! and reading their counters.
//!
//! Minimum kernel: 5.8 (BPF ring buffer, CAP_BPF) with BTF; TC egress uses a
//! TCX link on kernels ≥ 6.6 and a netlink clsact filter before that.

use std::collections::HashMap;

use anyhow::Context as _;
use aya::{
    maps::{Array, MapData, PerCpuHashMap, RingBuf},
    programs::{tc, SchedClassifier, TcAttachType, Xdp, XdpMode},
    Ebpf, EbpfLoader,
};
use monitor_common::{direction, proto, Config, CounterKey, Counters};

/// The eBPF object built from `monitor-ebpf` by the build script.
pub static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/monitor"));

/// Name of the XDP program in [`OBJECT`].
pub const XDP_PROGRAM: &str = "monitor_xdp";
/// Name of the do-nothing XDP program used as a benchmark baseline.
pub const BARE_PROGRAM: &str = "bare_pass";
/// Name of the TC program in [`OBJECT`].
pub const TC_PROGRAM: &str = "monitor_tc";

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

/// The loaded programs and maps.
#[derive(Debug)]
pub struct Programs {
    ebpf: Ebpf,
}

/// Sum of the per-CPU counters of one interface and direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Frames.
    pub packets: u64,
    /// Bytes.
    pub bytes: u64,
    /// Frames per protocol index (see [`monitor_common::proto`]).
    pub proto: [u64; proto::COUNT],
    /// Sample records written.
    pub samples: u64,
    /// Sample records lost to a full ring buffer.
    pub ringbuf_dropped: u64,
}

impl Programs {
    /// Load the object (verifier runs here) with a ring buffer of `ring_bytes`.
    pub fn load(ring_bytes: u32) -> anyhow::Result<Self> {
        let mut ebpf = EbpfLoader::new()
            .map_max_entries("EVENTS", ring_bytes)
            .load(OBJECT)
            .context("loading the eBPF object")?;
        let xdp: &mut Xdp = ebpf
            .program_mut(XDP_PROGRAM)
            .context("XDP program missing from object")?
            .try_into()?;
        xdp.load().context("loading the XDP program")?;
        let tc: &mut SchedClassifier = ebpf
            .program_mut(TC_PROGRAM)
            .context("TC program missing from object")?
            .try_into()?;
        tc.load().context("loading the TC program")?;
        Ok(Self { ebpf })
    }

    /// Set the sampling fraction (0..=1) and snaplen.
    pub fn configure(&mut self, sample: f64, snaplen: u32) -> anyhow::Result<()> {
        let mut cfg: Array<&mut MapData, Config> =
            Array::try_from(self.ebpf.map_mut("CONFIG").context("CONFIG map missing")?)?;
        cfg.set(
            0,
            Config {
                sample_threshold: Config::threshold_for(sample),
                snaplen,
                _reserved: 0,
            },
            0,
        )
        .context("writing CONFIG")?;
        Ok(())
    }

    /// Attach the XDP program to `iface` for ingress.
    pub fn attach_xdp(&mut self, iface: &str, mode: XdpAttachMode) -> anyhow::Result<AttachedMode> {
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

    /// Take the ring buffer out for the reader task.
    pub fn take_ring(&mut self) -> anyhow::Result<RingBuf<aya::maps::MapData>> {
        let map = self.ebpf.take_map("EVENTS").context("EVENTS map missing")?;
        Ok(RingBuf::try_from(map)?)
    }

    /// Take the counter map out for the metrics collector.
    pub fn take_counters(&mut self) -> anyhow::Result<CounterMap> {
        let map = self
            .ebpf
            .take_map("COUNTERS")
            .context("COUNTERS map missing")?;
        Ok(CounterMap {
            map: PerCpuHashMap::try_from(map)?,
        })
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

/// The per-CPU counter map, read at scrape time.
pub struct CounterMap {
    map: PerCpuHashMap<MapData, CounterKey, Counters>,
}

impl std::fmt::Debug for CounterMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterMap").finish_non_exhaustive()
    }
}

impl CounterMap {
    /// Sum every CPU's counters for every (ifindex, direction) present.
    pub fn totals(&self) -> HashMap<(u32, u32), Totals> {
        let mut out = HashMap::new();
        for item in self.map.iter() {
            let Ok((key, per_cpu)) = item else { continue };
            let t: &mut Totals = out.entry((key.ifindex, key.direction)).or_default();
            for c in per_cpu.iter() {
                let Counters {
                    packets,
                    bytes,
                    proto,
                    samples,
                    ringbuf_dropped,
                } = c;
                t.packets += packets;
                t.bytes += bytes;
                for (a, b) in t.proto.iter_mut().zip(proto.iter()) {
                    *a += b;
                }
                t.samples += samples;
                t.ringbuf_dropped += ringbuf_dropped;
            }
        }
        out
    }

    /// Totals of one interface and direction (zero when never seen).
    pub fn get(&self, ifindex: u32, dir: u32) -> Totals {
        self.totals().remove(&(ifindex, dir)).unwrap_or_default()
    }
}

/// Direction label of a kernel direction value.
pub fn direction_name(dir: u32) -> &'static str {
    direction::NAMES
        .get(dir as usize)
        .copied()
        .unwrap_or("unknown")
}
