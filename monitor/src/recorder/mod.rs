//! Flight recorder: keeps the most recent packets in memory, with the rules
//! they matched and the TCP analysis verdicts they got, and writes them out
//! as pcapng files on demand.
//!
//! - [`ring`]: the byte-bounded in-memory ring ([`Recorder`], [`Entry`]).
//! - [`pcapng`]: writes entries as a pcapng file Wireshark reads, with the
//!   matched rules and TCP analysis verdicts as packet comments
//!   ([`write_dump`]).
//! - [`dumpfile`]: puts finished dumps on disk safely (all or nothing,
//!   mode 0600, no symbolic links, no escape from the dump directory),
//!   names them by time and rotates them.
//! - [`trigger`]: decides when to save a dump from a counter's growth, with
//!   a cool-down.
//!
//! Only [`dumpfile`] (and [`save_dump`], built on it) touches the file
//! system, and nothing here reads a clock: callers pass the time, so the
//! daemon decides where and when things run. File writes block; from async
//! code, call them in `tokio::task::spawn_blocking`.
//!
//! ```no_run
//! use std::{path::Path, sync::Arc, time::{Duration, SystemTime}};
//! use monitor::recorder::{save_dump, Config, Entry, Recorder};
//! # fn packet() -> monitor::record::PacketRecord { unimplemented!() }
//!
//! let rec = Arc::new(Recorder::new(Config::default()));
//! let mut e = Entry::new(packet());
//! e.analysis.push(Arc::from("tcp.analysis.retransmission"));
//! rec.push(e);
//!
//! // Later: the last 30 s of retransmissions, to disk.
//! let now = SystemTime::now();
//! let now_ns = now.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as i64;
//! let entries = rec.snapshot(
//!     |e| e.analysis.iter().any(|a| a.starts_with("tcp.analysis.")),
//!     Some(Duration::from_secs(30)),
//!     now_ns,
//! );
//! let path = save_dump(Path::new("/var/lib/monitor/dumps"), now, &entries, &|i| format!("if{i}"), None)?;
//! # Ok::<(), monitor::recorder::DumpFileError>(())
//! ```

pub mod dumpfile;
pub mod pcapng;
pub mod ring;
pub mod trigger;

use std::{path::Path, path::PathBuf, sync::Arc, time::SystemTime};

pub use dumpfile::{
    list_dumps, rotate, timestamped_name, write_atomic, write_new_dump, DumpFile, DumpFileError,
};
pub use pcapng::{write_dump, DropStats};
pub use ring::{Config, Entry, Interner, Recorder, Stats, DEFAULT_MAX_BYTES};
pub use trigger::Trigger;

/// Write `entries` as a pcapng dump in `dir`, named for `now` (see
/// [`write_new_dump`]); `ifaces` maps an ifindex to its name. Returns the
/// file's path.
pub fn save_dump(
    dir: &Path,
    now: SystemTime,
    entries: &[Arc<Entry>],
    ifaces: &dyn Fn(u32) -> String,
    stats: Option<DropStats>,
) -> Result<PathBuf, DumpFileError> {
    write_new_dump(dir, now, |w| write_dump(w, entries, ifaces, stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Direction, PacketRecord};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn save_dump_writes_a_pcapng_file() {
        let dir = std::env::temp_dir().join(format!("monitor-save-dump-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let rec = Recorder::default();
        for i in 0..3 {
            rec.push(Entry::new(PacketRecord {
                ts_ns: 1_000_000_000 + i,
                iface: 1,
                direction: Some(Direction::Ingress),
                orig_len: 60,
                data: vec![0; 60],
            }));
        }
        let entries = rec.snapshot(|_| true, None, 0);
        let now = UNIX_EPOCH + Duration::from_secs(1_795_576_500);
        let p = save_dump(&dir, now, &entries, &|_| "lo".into(), None).unwrap();
        assert!(p.ends_with("monitor-20261125T031500.000Z.pcapng"));
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(&bytes[..4], &[0x0a, 0x0d, 0x0d, 0x0a]);
        // Section header, one interface, three packets.
        let mut kinds = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            kinds.push(u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()));
            at += u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        }
        assert_eq!(kinds, vec![0x0a0d_0d0a, 1, 6, 6, 6]);
        assert_eq!(list_dumps(&dir).unwrap().len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
