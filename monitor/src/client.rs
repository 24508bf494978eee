//! `monitor dump`: a client of the running daemon's HTTP API that fetches a
//! pcapng of the flight recorder and writes it atomically with mode 0600
//! (or to standard output).

use std::{
    io::{Read as _, Write as _},
    net::TcpStream,
    path::{Path, PathBuf},
    time::Duration,
};

use clap::Args;

/// Arguments of `monitor dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Address of the daemon's HTTP API.
    #[arg(long, default_value = "127.0.0.1:9477")]
    pub connect: String,
    /// Output file (`-` for standard output).
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Only packets matching this display filter.
    #[arg(long)]
    pub filter: Option<String>,
    /// Only the last DURATION (e.g. 30s, 5m).
    #[arg(long)]
    pub last: Option<String>,
    /// File holding the bearer token, when the daemon requires one.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fetch a dump; returns the exit status.
pub fn main(args: DumpArgs) -> anyhow::Result<i32> {
    let mut query = Vec::new();
    if let Some(f) = &args.filter {
        query.push(format!("filter={}", encode(f)));
    }
    if let Some(l) = &args.last {
        query.push(format!("last={}", encode(l)));
    }
    let path = format!("/api/v1/dump?{}", query.join("&"));
    let token = match &args.token_file {
        Some(p) => Some(std::fs::read_to_string(p)?.trim().to_string()),
        None => None,
    };
    let mut s = match TcpStream::connect(&args.connect) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("monitor: cannot reach the daemon at {}: {e}", args.connect);
            return Ok(2);
        }
    };
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {}\r\n{auth}\r\n",
        args.connect
    )?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let Some(split) = resp.windows(4).position(|w| w == b"\r\n\r\n") else {
        eprintln!("monitor: malformed answer from the daemon");
        return Ok(2);
    };
    let head = String::from_utf8_lossy(&resp[..split]);
    let body = &resp[split + 4..];
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    if status != 200 {
        eprint!(
            "monitor: the daemon refused the dump ({status}): {}",
            String::from_utf8_lossy(body)
        );
        return Ok(2);
    }
    if args.output == Path::new("-") {
        std::io::stdout().write_all(body)?;
        return Ok(0);
    }
    let dir = match args.output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(name) = args.output.file_name().and_then(|n| n.to_str()) else {
        eprintln!("monitor: {} is not a file name", args.output.display());
        return Ok(2);
    };
    match crate::recorder::dumpfile::write_atomic(&dir, name, |w| w.write_all(body)) {
        Ok(p) => {
            eprintln!("monitor: wrote {} ({} bytes)", p.display(), body.len());
            Ok(0)
        }
        Err(e) => {
            eprintln!("monitor: {e}");
            Ok(2)
        }
    }
}
