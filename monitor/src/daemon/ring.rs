//! The ring-buffer reader: turns kernel records into [`PacketRecord`]s and
//! hands them to the pipeline.

use std::{os::fd::AsRawFd as _, sync::Arc};

use aya::maps::{MapData, RingBuf};
use monitor_common::{record_kind, RecordHeader, RECORD_HEADER_LEN};
use tokio::{io::unix::AsyncFd, sync::watch};

use super::live::Live;
use crate::record::{Direction, PacketRecord};

/// Converts kernel CLOCK_BOOTTIME nanoseconds to wall-clock nanoseconds,
/// with the offset measured once at start.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    offset_ns: i64,
}

impl Clock {
    /// Measure the offset between CLOCK_REALTIME and CLOCK_BOOTTIME now.
    pub fn new() -> Self {
        fn now(clock: libc::clockid_t) -> i64 {
            let mut ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: valid clock id and out pointer.
            unsafe { libc::clock_gettime(clock, &mut ts) };
            ts.tv_sec * 1_000_000_000 + ts.tv_nsec
        }
        // Bracket the boot-time read by two real-time reads to halve the error.
        let r1 = now(libc::CLOCK_REALTIME);
        let b = now(libc::CLOCK_BOOTTIME);
        let r2 = now(libc::CLOCK_REALTIME);
        Self {
            offset_ns: r1 + (r2 - r1) / 2 - b,
        }
    }

    /// Wall-clock nanoseconds of a kernel timestamp.
    pub fn wall(&self, boot_ns: u64) -> i64 {
        boot_ns as i64 + self.offset_ns
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

/// A decoded ring-buffer record.
#[derive(Debug)]
pub struct Decoded {
    /// The frame.
    pub record: PacketRecord,
    /// Kernel timestamp (CLOCK_BOOTTIME ns), shared by a frame's records.
    pub boot_ts: u64,
    /// Rule slots the kernel matched.
    pub rules: u32,
    /// Rule slots that left the frame to user space (candidates).
    pub candidates: u32,
}

/// The header and frame bytes of a ring-buffer record of the given kind,
/// in place; `None` for other kinds or short records.
pub fn split_kind(bytes: &[u8], kind: u8) -> Option<(RecordHeader, &[u8])> {
    if bytes.len() < RECORD_HEADER_LEN {
        return None;
    }
    // SAFETY: length checked; RecordHeader is plain old data.
    let hdr: RecordHeader = unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast()) };
    if hdr.kind != kind {
        return None;
    }
    let data = bytes.get(RECORD_HEADER_LEN..RECORD_HEADER_LEN + hdr.cap_len as usize)?;
    Some((hdr, data))
}

/// Decode one ring-buffer record of the given kind; `None` for other kinds
/// or short records.
pub fn decode_kind(bytes: &[u8], clock: &Clock, kind: u8) -> Option<Decoded> {
    let (hdr, data) = split_kind(bytes, kind)?;
    let record = PacketRecord {
        ts_ns: clock.wall(hdr.ts_ns),
        iface: hdr.ifindex,
        direction: Some(if hdr.direction == 0 {
            Direction::Ingress
        } else {
            Direction::Egress
        }),
        orig_len: hdr.orig_len,
        data: data.to_vec(),
    };
    Some(Decoded {
        record,
        boot_ts: hdr.ts_ns,
        rules: hdr.rules,
        candidates: hdr.candidates,
    })
}

/// A request to read the sample ring now, answered once it was read: a
/// dump asks for it first, so that it holds every packet sampled before
/// it was asked for (the kernel wakes the reader only once a batch of
/// records waits).
#[derive(Clone, Debug)]
pub struct Flush(tokio::sync::mpsc::UnboundedSender<tokio::sync::oneshot::Sender<()>>);

/// The reader's end of [`Flush`].
pub type FlushRequests = tokio::sync::mpsc::UnboundedReceiver<tokio::sync::oneshot::Sender<()>>;

impl Flush {
    /// A handle and the requests its reader answers.
    pub fn new() -> (Self, FlushRequests) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (Self(tx), rx)
    }

    /// Have the sample ring read now; returns once it was (or after a
    /// second, or at once when the reader has stopped).
    pub async fn flush(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.0.send(tx).is_ok() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), rx).await;
        }
    }
}

/// How often the rings are drained without a wake-up from the kernel: the
/// longest a record waits below the kernel's wake-up threshold.
const DRAIN_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// Wait for `fd` to become readable and call `drain` on it each time (and
/// every [`DRAIN_EVERY`]), until `stop` turns true. `fd` must own its file descriptor.
async fn poll<T: std::os::fd::AsRawFd>(
    inner: T,
    what: &str,
    mut stop: watch::Receiver<bool>,
    mut flush: Option<FlushRequests>,
    mut drain: impl FnMut(&mut T),
) {
    // SAFETY: `inner` owns its fd and stays inside the AsyncFd until the
    // AsyncFd is dropped, so the fd outlives its registration.
    let mut fd = match unsafe { AsyncFd::register(inner) } {
        Ok(fd) => fd,
        Err(e) => {
            tracing::error!(error = %e.into_parts().1, "cannot poll the {what}");
            return;
        }
    };
    // The kernel wakes this reader only once a batch of records waits
    // (`Config::wake_bytes`); the timer reads what a quiet ring holds.
    let mut timer = tokio::time::interval(DRAIN_EVERY);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            guard = fd.readable_mut() => {
                let Ok(mut guard) = guard else { return };
                drain(guard.get_inner_mut());
                guard.clear_ready();
            }
            _ = timer.tick() => drain(fd.get_mut()),
            Some(done) = async {
                match flush.as_mut() {
                    Some(f) => f.recv().await,
                    None => std::future::pending().await,
                }
            } => {
                drain(fd.get_mut());
                let _ = done.send(());
            }
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Most samples handled under one lock.
const SAMPLE_BATCH: usize = 1024;

/// Read sample records until `stop` turns true: every wake-up drains the
/// ring in batches (see [`Live::sample_batch`]).
pub async fn read(
    ring: RingBuf<MapData>,
    live: Arc<Live>,
    stop: watch::Receiver<bool>,
    flush: FlushRequests,
) {
    let clock = Clock::new();
    tracing::debug!(fd = ring.as_raw_fd(), "reading ring buffer");
    poll(ring, "sample ring buffer", stop, Some(flush), |ring| {
        // Batches are bounded so that a ring that never runs dry still
        // lets rule reloads, new followers and the periodic work in.
        let mut more = true;
        while more {
            let Some(mut batch) = live.sample_batch() else {
                return;
            };
            more = false;
            for _ in 0..SAMPLE_BATCH {
                let Some(item) = ring.next() else { break };
                if let Some(d) = decode_kind(&item, &clock, record_kind::SAMPLE) {
                    batch.sample(d.record, d.boot_ts, d.rules, d.candidates);
                }
                more = true;
            }
        }
    })
    .await
}

/// Most TCP header records analysed under one lock.
const TCP_BATCH: usize = 4096;

/// Read TCP header records until `stop` turns true: every wake-up drains
/// the ring as one batch, analysed in place (no copy of the record).
pub async fn read_tcp(ring: RingBuf<MapData>, live: Arc<Live>, stop: watch::Receiver<bool>) {
    let clock = Clock::new();
    poll(ring, "TCP ring buffer", stop, None, |ring| {
        // Batches are bounded so a ring that never runs dry still
        // publishes its metrics and lets the periodic work in.
        let mut more = true;
        while more {
            let Some(mut batch) = live.tcp_reader() else {
                return;
            };
            more = false;
            for _ in 0..TCP_BATCH {
                let Some(item) = ring.next() else { break };
                if let Some((hdr, data)) = split_kind(&item, record_kind::TCP_HEADERS) {
                    let dir = if hdr.direction == 0 {
                        Direction::Ingress
                    } else {
                        Direction::Egress
                    };
                    batch.record(hdr.ifindex, dir, clock.wall(hdr.ts_ns), hdr.ts_ns, data);
                }
                more = true;
            }
        }
    })
    .await
}

/// Forward the eBPF programs' log records (aya-log) until `stop` turns true.
pub async fn forward_logs(
    logger: aya_log::EbpfLogger<&'static dyn log::Log>,
    stop: watch::Receiver<bool>,
) {
    poll(logger, "eBPF log", stop, None, |l| l.flush()).await
}
