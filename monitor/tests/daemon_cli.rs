//! The daemon's and the HTTP client's command lines, without privileges:
//! a bad `[daemon] log_format` is refused by `monitor config check` and by
//! `monitor run` before anything is attached, `monitor dump --output`
//! into a missing directory names the output file's directory, and the
//! clients (`dump`, `status`, `tail`) find the daemon where its
//! configuration file says it listens.

use std::process::{Command, Output};

fn monitor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_monitor"))
        .args(args)
        .output()
        .expect("run monitor")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A configuration file holding `text`, removed when dropped.
struct TempConfig(std::path::PathBuf);

impl TempConfig {
    fn new(tag: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "monitor-daemon-cli-{}-{tag}.toml",
            std::process::id()
        ));
        std::fs::write(&path, text).expect("write config");
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 path")
    }
}

impl Drop for TempConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn log_format_is_checked() {
    let good = TempConfig::new("json", "[daemon]\nlog_format = \"json\"\n");
    let o = monitor(&["config", "check", good.path()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let bad = TempConfig::new("xml", "[daemon]\nlog_format = \"xml\"\n");
    let o = monitor(&["config", "check", bad.path()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with(&format!(
            "{}:2:14: error: unknown variant `xml`, expected `text` or `json`",
            bad.path()
        )),
        "{e}"
    );

    // The daemon refuses it before looking at interfaces or privileges.
    let o = monitor(&["run", "--config", bad.path(), "--iface", "nonexistent0"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("unknown variant `xml`"), "{e}");
    assert!(!e.contains("nonexistent0"), "{e}");
}

#[test]
fn dump_into_a_missing_directory_names_the_output_file() {
    // Port 1 on loopback: nothing is asked of a daemon when the output
    // cannot be written anyway.
    let o = monitor(&[
        "dump",
        "--connect",
        "127.0.0.1:1",
        "--output",
        "/nonexistent/dir/x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(
        e.trim_end(),
        "monitor: cannot write /nonexistent/dir/x: the output file's directory /nonexistent/dir does not exist"
    );
}

/// What `monitor ARGS` asks of a daemon that answers 503 at the address
/// this test listens on: the request's first line and its headers.
fn request_seen(args: &[&str], config: Option<&str>) -> (String, Output) {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let text = config.map(|c| c.replace("ADDR", &addr));
    let file = text.map(|t| TempConfig::new(&format!("endpoint-{}", args[0]), &t));
    let mut argv: Vec<&str> = args.to_vec();
    if let Some(f) = &file {
        argv.extend(["--config", f.path()]);
    }
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let child = std::thread::spawn(move || {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        monitor(&argv)
    });
    let (stream, _) = listener.accept().unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        request.push_str(&line);
    }
    (&stream)
        .write_all(b"HTTP/1.0 503 Service Unavailable\r\n\r\nnot now\n")
        .unwrap();
    // The response ends with the connection (HTTP/1.0).
    stream.shutdown(std::net::Shutdown::Both).unwrap();
    drop(reader);
    (request, child.join().unwrap())
}

#[test]
fn clients_use_the_configured_listen_address_and_token() {
    let dir = std::env::temp_dir().join(format!("monitor-daemon-cli-{}-token", std::process::id()));
    std::fs::write(&dir, "s3cret\n").unwrap();
    let config = format!(
        "[daemon]\nlisten = \"ADDR\"\ntoken_file = \"{}\"\n[[interface]]\nname = \"not-on-this-host0\"\n",
        dir.display()
    );
    for args in [
        &["dump", "--output", "-"][..],
        &["status"][..],
        &["tail", "-c", "1"][..],
    ] {
        let (request, out) = request_seen(args, Some(&config));
        assert!(request.starts_with("GET /api/v1/"), "{args:?}: {request:?}");
        assert!(
            request.contains("Authorization: Bearer s3cret\r\n"),
            "{args:?}: {request:?}"
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    std::fs::remove_file(&dir).unwrap();
}
