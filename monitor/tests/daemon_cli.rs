//! The daemon's and the HTTP client's command lines, without privileges:
//! a bad `[daemon] log_format` is refused by `monitor config check` and by
//! `monitor run` before anything is attached, and `monitor dump --output`
//! into a missing directory names the output file's directory.

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
