//! Flight recorder: keeps the most recent packets in memory, with the rules
//! they matched and the TCP analysis verdicts they got, and writes them out
//! as pcapng files on demand.
//!
//! - [`ring`]: the byte-bounded in-memory ring ([`Recorder`], [`Entry`]).
//! - [`pcapng`]: writes entries as a pcapng file Wireshark reads, with the
//!   matched rules and TCP analysis verdicts as packet comments
//!   ([`write_dump`]).

pub mod pcapng;
pub mod ring;

pub use pcapng::{write_dump, DropStats};

pub use ring::{Config, Entry, Recorder, Stats, DEFAULT_MAX_BYTES};
