//! The `monitor` subcommands: argument types (clap), output and exit
//! statuses. Each calls the library and prints what it returns.

pub mod capture;
pub mod client;
pub mod config;
pub mod filter;
pub mod read;
pub mod run;
pub mod tail;
pub mod verify;
