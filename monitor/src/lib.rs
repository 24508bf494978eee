//! monitor: an eBPF/XDP live network monitor that sees traffic the way
//! Wireshark does.
//!
//! Data flows one way through these modules:
//!
//! ```text
//! ebpf (kernel programs, loader) ──► daemon::ring ──┐
//!                                                    ├─► record::PacketRecord ─► dissect ─► filter ─► tcp_analysis ─► metrics / recorder
//! capture (pcap/pcapng files) ───────────────────────┘
//! ```
//!
//! The dissectors, the display-filter evaluator and the TCP analyzer take
//! bytes and timestamps as arguments and do no I/O, so capture files and the
//! live ring buffer drive the same code.
#![warn(missing_docs)]
// Output is written with `write!` so that a closed stdout is an error the
// command returns, not a panic (see `main.rs`).
#![deny(clippy::print_stdout)]

pub mod capture;
pub mod client;
pub mod config;
pub mod daemon;
pub mod dissect;
pub mod ebpf;
pub mod filter;
pub mod read;
pub mod record;
pub mod recorder;
pub mod tcp_analysis;
pub mod verify;
