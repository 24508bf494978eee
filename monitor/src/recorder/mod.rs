//! Flight recorder: keeps the most recent packets in memory, with the rules
//! they matched and the TCP analysis verdicts they got, and writes them out
//! as pcapng files on demand.
//!
//! - [`ring`]: the byte-bounded in-memory ring ([`Recorder`], [`Entry`]).

pub mod ring;

pub use ring::{Config, Entry, Recorder, Stats, DEFAULT_MAX_BYTES};
