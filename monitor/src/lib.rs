//! monitor: an eBPF/XDP live network monitor that sees traffic the way
//! Wireshark does.
//!
//! Packets flow one way:
//!
//! ```text
//! ebpf (kernel programs) ──► daemon::ring ──┐
//!                                            ├─► record::PacketRecord ─► dissect ─► filter ─► daemon metrics / recorder
//! capture (pcap/pcapng files) ───────────────┘        (the TCP dissector feeds tcp_analysis)
//! ```
//!
//! The dissectors, the display-filter evaluator and the TCP analyzer take
//! bytes and timestamps as arguments and do no I/O, so capture files and the
//! live ring buffer drive the same code.
//!
//! The command line (argument types, printing, exit statuses) is the
//! binary's (`src/main.rs`, `src/cli/`); the library returns values and
//! errors.
//!
//! # Layers
//!
//! A module uses only modules on lower lines of this table (its own line
//! excepted: modules of one line do not use each other).
//! `tests/architecture.rs` fails on any `crate::` path that points up.
//!
//! ```text
//! daemon                   the running service: attach, ring reader, metrics, reloads, dumps
//! config                   the configuration file, its triggers and the metric catalogue they name
//! recorder                 the flight recorder and the dump files it writes
//! filter                   display filters: parse, check, evaluate; their kernel plans and rule nodes
//! dissect                  tshark-exact dissection of one frame into fields
//! capture  tcp_analysis    the pcap/pcapng reader; the sans-I/O TCP analyzer
//! ebpf                     the kernel programs: loader, rule code generation, bpf(2) calls
//! record                   packet types both sources share: records, file packets, link types
//! ```
#![warn(missing_docs)]
// Output is written with `write!` so that a closed stdout is an error the
// command returns, not a panic (see `main.rs`).
#![deny(clippy::print_stdout)]

pub mod capture;
pub mod config;
pub mod daemon;
pub mod dissect;
pub mod ebpf;
pub mod filter;
pub mod record;
pub mod recorder;
pub mod tcp_analysis;
