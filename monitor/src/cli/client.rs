//! Clients of the running daemon's HTTP API: `monitor dump` fetches a
//! pcapng of the flight recorder and writes it atomically with mode 0600
//! (or to standard output); `monitor status` prints `/api/v1/status`.

use std::{
    io::{Read as _, Write as _},
    net::TcpStream,
    path::{Path, PathBuf},
    time::Duration,
};

use clap::Args;

/// How to reach the running daemon: the flags, else the `[daemon]`
/// section of its configuration file.
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Address of the daemon's HTTP API [default: `listen` in the
    /// configuration file, else 127.0.0.1:9477].
    #[arg(long, value_name = "ADDR")]
    pub connect: Option<String>,
    /// File holding the bearer token, when the daemon requires one
    /// [default: `token_file` in the configuration file].
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The daemon's configuration file, read for `listen` and `token_file`
    /// [default: /etc/monitor/monitor.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl DaemonArgs {
    /// The address to connect to and the token file, or why the
    /// configuration file could not say.
    pub fn endpoint(&self) -> Result<(String, Option<PathBuf>), String> {
        let file = match &self.config {
            Some(p) => Some(p.clone()),
            None if self.connect.is_none() || self.token_file.is_none() => {
                Some(PathBuf::from(monitor::config::DEFAULT_PATH)).filter(|p| p.exists())
            }
            None => None,
        };
        let (listen, token) = match file {
            Some(f) => {
                let (a, t) = monitor::config::daemon_endpoint(&f).map_err(|e| e.summary())?;
                (a.to_string(), t)
            }
            None => ("127.0.0.1:9477".to_string(), None),
        };
        Ok((
            self.connect.clone().unwrap_or(listen),
            self.token_file.clone().or(token),
        ))
    }
}

/// Arguments of `monitor dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Where the daemon is.
    #[command(flatten)]
    pub daemon: DaemonArgs,
    /// Output file (`-` for standard output).
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Only packets matching this display filter.
    #[arg(long)]
    pub filter: Option<String>,
    /// Only the last DURATION (e.g. 30s, 5m).
    #[arg(long)]
    pub last: Option<String>,
}

/// `s` percent-encoded for a query string.
pub(super) fn encode(s: &str) -> String {
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

/// GET `path` from the daemon at `connect`: the status code and body, or
/// the one-line reason it could not be asked.
fn fetch(
    connect: &str,
    path: &str,
    token_file: Option<&Path>,
    timeout: Duration,
) -> anyhow::Result<Result<(u16, Vec<u8>), String>> {
    let token = match token_file {
        Some(p) => Some(std::fs::read_to_string(p)?.trim().to_string()),
        None => None,
    };
    let mut s = match TcpStream::connect(connect) {
        Ok(s) => s,
        Err(e) => return Ok(Err(format!("cannot reach the daemon at {connect}: {e}"))),
    };
    s.set_read_timeout(Some(timeout))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {connect}\r\n{auth}\r\n")?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let Some(split) = resp.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(Err("malformed answer from the daemon".into()));
    };
    let head = String::from_utf8_lossy(&resp[..split]);
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok(Ok((status, resp[split + 4..].to_vec())))
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
    // Checked before asking the daemon, so a mistyped path costs no dump.
    let target = if args.output == Path::new("-") {
        None
    } else {
        match output_target(&args.output) {
            Ok(t) => Some(t),
            Err(m) => {
                eprintln!("monitor: {m}");
                return Ok(2);
            }
        }
    };
    let (connect, token_file) = match args.daemon.endpoint() {
        Ok(e) => e,
        Err(m) => {
            eprintln!("monitor: {m}");
            return Ok(2);
        }
    };
    let path = format!("/api/v1/dump?{}", query.join("&"));
    let (status, body) = match fetch(
        &connect,
        &path,
        token_file.as_deref(),
        Duration::from_secs(120),
    )? {
        Ok(r) => r,
        Err(m) => {
            eprintln!("monitor: {m}");
            return Ok(2);
        }
    };
    let body = &body[..];
    if status != 200 {
        eprint!(
            "monitor: the daemon refused the dump ({status}): {}",
            String::from_utf8_lossy(body)
        );
        return Ok(2);
    }
    let Some((dir, name)) = target else {
        std::io::stdout().write_all(body)?;
        return Ok(0);
    };
    match monitor::recorder::dumpfile::write_atomic(&dir, &name, |w| w.write_all(body)) {
        Ok(p) => {
            eprintln!("monitor: wrote {} ({} bytes)", p.display(), body.len());
            Ok(0)
        }
        Err(e) => {
            eprintln!("monitor: {}", write_error(&args.output, &e));
            Ok(2)
        }
    }
}

/// The directory and file name `--output` names, refused with a message
/// about the output file (not the daemon's dump directory) when the
/// directory is missing or is not a directory.
fn output_target(output: &Path) -> Result<(PathBuf, String), String> {
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(name) = output.file_name().and_then(|n| n.to_str()) else {
        return Err(format!("{} is not a file name", output.display()));
    };
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => Ok((dir, name.to_string())),
        Ok(_) => Err(format!(
            "cannot write {}: {} is not a directory",
            output.display(),
            dir.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "cannot write {}: the output file's directory {} does not exist",
            output.display(),
            dir.display()
        )),
        Err(e) => Err(format!(
            "cannot write {}: the output file's directory {}: {e}",
            output.display(),
            dir.display()
        )),
    }
}

/// A failed write of `--output`, said in terms of the output file.
fn write_error(output: &Path, e: &monitor::recorder::dumpfile::DumpFileError) -> String {
    use monitor::recorder::dumpfile::DumpFileError as E;
    match e {
        E::Dir { path, source } => format!(
            "cannot write {}: the output file's directory {}: {source}",
            output.display(),
            path.display()
        ),
        E::NotADir { path } => format!(
            "cannot write {}: {} is not a directory",
            output.display(),
            path.display()
        ),
        E::SymlinkDir { path } => format!(
            "cannot write {}: the output file's directory {} is a symbolic link; give the directory it points to instead",
            output.display(),
            path.display()
        ),
        other => format!("cannot write {}: {other}", output.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_in_a_missing_directory_is_named_as_such() {
        let e = output_target(Path::new("/nonexistent/dir/x")).unwrap_err();
        assert_eq!(
            e,
            "cannot write /nonexistent/dir/x: the output file's directory /nonexistent/dir does not exist"
        );
        let tmp = std::env::temp_dir();
        let (dir, name) = output_target(&tmp.join("x.pcapng")).unwrap();
        assert_eq!((dir, name.as_str()), (tmp, "x.pcapng"));
        let (dir, _) = output_target(Path::new("x.pcapng")).unwrap();
        assert_eq!(dir, PathBuf::from("."));
    }
}

/// Arguments of `monitor status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Where the daemon is.
    #[command(flatten)]
    pub daemon: DaemonArgs,
    /// Print the JSON document as the daemon sent it.
    #[arg(long)]
    pub json: bool,
}

/// Print the daemon's status; returns the exit status.
pub fn status(args: StatusArgs) -> anyhow::Result<i32> {
    let (connect, token_file) = match args.daemon.endpoint() {
        Ok(e) => e,
        Err(m) => {
            eprintln!("monitor: {m}");
            return Ok(2);
        }
    };
    let (code, body) = match fetch(
        &connect,
        "/api/v1/status",
        token_file.as_deref(),
        Duration::from_secs(30),
    )? {
        Ok(r) => r,
        Err(m) => {
            eprintln!("monitor: {m}");
            return Ok(2);
        }
    };
    if code != 200 {
        eprint!(
            "monitor: the daemon refused the status ({code}): {}",
            String::from_utf8_lossy(&body)
        );
        return Ok(2);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        out.write_all(&body)?;
        writeln!(out)?;
        return Ok(0);
    }
    let v: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("monitor: the daemon's status is not JSON: {e}");
            return Ok(2);
        }
    };
    out.write_all(render_status(&v).as_bytes())?;
    Ok(0)
}

fn when(unix: &serde_json::Value) -> String {
    let secs = unix.as_f64().unwrap_or(0.0).max(0.0);
    let t = std::time::UNIX_EPOCH + Duration::from_secs(secs as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// The status document as text, one fact per line.
pub fn render_status(v: &serde_json::Value) -> String {
    use std::fmt::Write as _;
    let n = |x: &serde_json::Value| x.as_f64().unwrap_or(0.0);
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("").to_string();
    let mut o = String::new();
    let up = Duration::from_secs(n(&v["uptime_seconds"]) as u64);
    let _ = writeln!(
        o,
        "monitor {}, up {} (since {})",
        s(&v["version"]),
        humantime::format_duration(up),
        when(&v["started_at"])
    );
    let _ = writeln!(
        o,
        "config: {}",
        v["config"].as_str().unwrap_or("(built-in defaults)")
    );
    match v["last_reload"].as_object() {
        None => {
            let _ = writeln!(o, "last reload: none");
        }
        Some(r) => {
            let err = r
                .get("error")
                .and_then(|e| e.as_str())
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "last reload: {} at {}{err}",
                r.get("result").map(s).unwrap_or_default(),
                r.get("at").map(when).unwrap_or_default()
            );
        }
    }
    let _ = writeln!(o, "interfaces:");
    for i in v["interfaces"].as_array().into_iter().flatten() {
        let mode = match i["xdp_mode"].as_str() {
            Some(m) => format!("attached, XDP {m}"),
            None => "not attached".to_string(),
        };
        let _ = writeln!(
            o,
            "  {}: {mode}, link type {} ({}), {} packets, {} ring drops, {} TCP records lost",
            s(&i["name"]),
            s(&i["link_type_name"]),
            n(&i["link_type"]),
            n(&i["packets"]),
            n(&i["ringbuf_dropped"]),
            n(&i["tcp_records_lost"])
        );
    }
    let _ = writeln!(o, "rules:");
    for r in v["rules"].as_array().into_iter().flatten() {
        if r["kernel_exact"].as_bool() == Some(true) {
            let _ = writeln!(
                o,
                "  {}: kernel-exact, {} packets, {} bytes, {} candidates, {} lost",
                s(&r["name"]),
                n(&r["packets"]),
                n(&r["bytes"]),
                n(&r["candidates"]),
                n(&r["candidates_lost"])
            );
        } else {
            let _ = writeln!(
                o,
                "  {}: candidates in the kernel, {} candidates, {} sampled matches, {} estimated (sample fraction {})",
                s(&r["name"]),
                n(&r["candidates"]),
                n(&r["user_matches"]),
                n(&r["packets_estimated"]),
                n(&r["sample_fraction"])
            );
        }
    }
    let l = &v["losses"];
    let _ = writeln!(
        o,
        "losses: {} ring-buffer samples, {} TCP records, {} rule candidates",
        n(&l["ringbuf_dropped"]),
        n(&l["tcp_records_lost"]),
        n(&l["rule_candidates_lost"])
    );
    o
}
