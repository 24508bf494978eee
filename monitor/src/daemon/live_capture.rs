//! `monitor capture`'s kernel side: its own XDP (ingress) and TC (egress)
//! programs on the given interfaces, sending up every frame that the
//! kernel part of a display filter accepts or cannot decide (every frame
//! without a filter), read back from the ring buffer in arrival order. On
//! a loopback device, where every packet is both sent and received, each
//! is shown once, as it is sent.
//!
//! The programs are attached through BPF links owned by this process: they
//! are detached when the [`LiveCapture`] is dropped, and by the kernel when
//! the process dies, however it dies.

use std::os::fd::AsRawFd as _;

use anyhow::Context as _;
use aya::maps::{MapData, RingBuf};
use monitor_common::record_kind;

use super::{
    preflight::{self, PreflightError},
    ring::{decode_kind, Clock},
    Iface,
};
use crate::{
    ebpf::{CounterMap, Programs, RuleTables, XdpAttachMode},
    filter::{kernel::kernel_rule, FilterError},
    record::{Direction, PacketRecord},
};

/// Why a capture could not start.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// An interface or a privilege is missing.
    #[error(transparent)]
    Preflight(#[from] PreflightError),
    /// The display filter does not compile.
    #[error("{}", .0.message)]
    Filter(FilterError),
    /// Another XDP program (a running daemon, another tool) holds an
    /// interface; an interface has one XDP program.
    #[error("{iface} already has XDP program {program} (id {id}) attached{whose}")]
    Held {
        /// The interface.
        iface: String,
        /// The attached program's name.
        program: String,
        /// Its id.
        id: u32,
        /// Whose it is, when known.
        whose: &'static str,
    },
    /// Loading or attaching failed.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// What to capture.
#[derive(Clone, Debug)]
pub struct CaptureOptions {
    /// Interface names (at least one).
    pub ifaces: Vec<String>,
    /// Display filter whose kernel part selects the frames sent up.
    pub filter: Option<String>,
    /// Bytes copied per frame (1 to [`monitor_common::MAX_SNAPLEN`]).
    pub snaplen: u32,
    /// How the XDP program is attached.
    pub xdp_mode: XdpAttachMode,
    /// Size of the ring buffer in bytes (a power of two).
    pub ring_bytes: u32,
}

/// An attached capture. Dropping it detaches the programs.
pub struct LiveCapture {
    ring: RingBuf<MapData>,
    counters: CounterMap,
    ifaces: Vec<Iface>,
    /// Loopback interfaces: a packet there is sent and received, and is
    /// shown once, as it is sent (as tshark shows it).
    loopback: Vec<u32>,
    clock: Clock,
    // Kept for their lifetime: the rule stage and the attached programs.
    _tables: RuleTables,
    _programs: Programs,
}

impl std::fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCapture")
            .field("ifaces", &self.ifaces)
            .finish_non_exhaustive()
    }
}

impl LiveCapture {
    /// Check the interfaces, the privileges and the filter, then load the
    /// programs and attach them to every interface. Nothing stays attached
    /// when this fails.
    pub fn start(opts: &CaptureOptions) -> Result<Self, CaptureError> {
        let rule = match &opts.filter {
            Some(f) => Some(kernel_rule(f).map_err(CaptureError::Filter)?.0),
            None => None,
        };
        let ifaces = preflight::check(&opts.ifaces)?;
        for i in &ifaces {
            if let Some((program, id)) = crate::ebpf::xdp_holder(&i.name) {
                let whose = if program == crate::ebpf::XDP_PROGRAM {
                    ": the monitor daemon (or another capture) is running there"
                } else {
                    ""
                };
                return Err(CaptureError::Held {
                    iface: i.name.clone(),
                    program,
                    id,
                    whose,
                });
            }
        }
        // No TCP header records: their ring is as small as a ring can be.
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.clamp(4096, 1 << 20) as u32;
        let mut programs = Programs::load_rings(opts.ring_bytes, page)?;
        let mut tables = programs.take_rules()?;
        match rule {
            // Every frame the filter's kernel part accepts is sampled; the
            // frames it cannot decide are sent up as candidates anyway.
            Some(mut rule) => {
                rule.sample = 1.0;
                tables
                    .install(&[Some(rule)], None)
                    .context("installing the filter in the kernel")?;
                programs.configure_capture(0.0, opts.snaplen)?;
            }
            None => programs.configure_capture(1.0, opts.snaplen)?,
        }
        for i in &ifaces {
            let linktype = crate::record::link_type_of_device(&i.name);
            crate::record::set_live_link_type(i.index, linktype);
            let raw_ip = linktype != crate::record::linktype::LINKTYPE_ETHERNET;
            programs.register_iface(i.index, i.slot, raw_ip)?;
            programs.attach_xdp(&i.name, opts.xdp_mode)?;
            programs.attach_tc(&i.name)?;
        }
        let ring = programs.take_ring()?;
        let counters = programs.take_counters()?;
        let loopback = ifaces
            .iter()
            .filter(|i| i.is_loopback())
            .map(|i| i.index)
            .collect();
        Ok(Self {
            ring,
            counters,
            ifaces,
            loopback,
            clock: Clock::new(),
            _tables: tables,
            _programs: programs,
        })
    }

    /// The interfaces captured on.
    pub fn ifaces(&self) -> &[Iface] {
        &self.ifaces
    }

    /// Wait until the ring holds a record or `timeout` passes (or a signal
    /// arrives).
    pub fn wait(&self, timeout: std::time::Duration) {
        let mut pfd = libc::pollfd {
            fd: self.ring.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd; an error (EINTR) is a wake-up like any.
        unsafe { libc::poll(&mut pfd, 1, ms) };
    }

    /// The next frame in the ring, if any.
    pub fn next_frame(&mut self) -> Option<PacketRecord> {
        loop {
            let item = self.ring.next()?;
            if let Some(d) = decode_kind(&item, &self.clock, record_kind::SAMPLE) {
                let looped = d.record.direction == Some(Direction::Ingress)
                    && self.loopback.contains(&d.record.iface);
                if !looped {
                    return Some(d.record);
                }
            }
        }
    }

    /// Per interface: frames the programs had to send up but could not,
    /// because the ring buffer was full (both directions).
    pub fn dropped(&self) -> Vec<(String, u64)> {
        self.ifaces
            .iter()
            .map(|i| {
                let n = (0..2)
                    .map(|dir| self.counters.get(i.slot, dir).ringbuf_dropped)
                    .sum();
                (i.name.clone(), n)
            })
            .collect()
    }
}
