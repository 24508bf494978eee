//! The `monitor` subcommands: argument types (clap), output and exit
//! statuses. Each calls the library and prints what it returns.

pub mod capture;
pub mod client;
pub mod config;
pub mod fields;
pub mod filter;
pub mod read;
pub mod run;
pub mod tail;
pub mod verify;

/// `n packets`, or `1 packet`: the counts live commands print on exit.
fn packets(n: u64) -> String {
    format!("{n} packet{}", if n == 1 { "" } else { "s" })
}

/// How a live command (`capture`, `tail`) ends: 2 when its `-w` file could
/// not be finished (said on stderr), 0 when it ran out or its reader went
/// away (a closed stdout ends it quietly), else the error.
fn live_exit(
    written: Option<std::io::Result<()>>,
    write: Option<&std::path::Path>,
    result: std::io::Result<()>,
) -> anyhow::Result<i32> {
    if let Some(Err(e)) = written {
        if let Some(p) = write {
            eprintln!("monitor: {}: {e}", p.display());
        }
        return Ok(2);
    }
    match result {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(e.into()),
    }
}
