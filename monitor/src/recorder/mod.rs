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
//!
//! Only [`dumpfile`] touches the file system; the rest takes and returns
//! values, so the daemon decides where and when things run.

pub mod dumpfile;
pub mod pcapng;
pub mod ring;

pub use dumpfile::{rotate, timestamped_name, write_atomic, write_new_dump, DumpFileError};
pub use pcapng::{write_dump, DropStats};

pub use ring::{Config, Entry, Recorder, Stats, DEFAULT_MAX_BYTES};
