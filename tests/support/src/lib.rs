//! What monitor's tests share, in one place: where the sample captures
//! are, how tshark (the oracle) is run, when a test may skip because one
//! of them is missing, and hex literals for hand-written frames.
//!
//! An oracle test fails when tshark or the captures are missing: a green
//! run must mean the comparison ran. Only a run by hand with
//! `MONITOR_ALLOW_SKIP=1` turns that failure into a skip with a message.
//! The captures are found at `MONITOR_CAPTURES`, else beside the checkout
//! (`<workspace>/../shared/captures`).
//!
//! Capture files are read with the library's own reader
//! (`monitor::capture::CaptureReader`); this crate does not depend on
//! `monitor`, so the library's unit tests can use it too.
#![warn(missing_docs)]

use std::{
    ffi::OsStr,
    path::{Path, PathBuf},
    process::Command,
};

/// Environment variable naming the sample-capture directory.
pub const CAPTURES_ENV: &str = "MONITOR_CAPTURES";

/// Environment variable that, set to `1`, lets oracle tests skip when
/// tshark or the captures are missing.
pub const ALLOW_SKIP_ENV: &str = "MONITOR_ALLOW_SKIP";

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/support sits in the workspace")
        .to_path_buf()
}

/// The sample captures: `MONITOR_CAPTURES`, else
/// `<workspace>/../shared/captures`.
pub fn captures_dir() -> PathBuf {
    match std::env::var_os(CAPTURES_ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => workspace().join("../shared/captures"),
    }
}

/// The sample capture called `name`.
pub fn capture(name: &str) -> PathBuf {
    captures_dir().join(name)
}

/// Every `.pcap` and `.pcapng` file of the sample captures, sorted. None
/// there is [`missing`]: a panic, or an empty list with
/// `MONITOR_ALLOW_SKIP=1`.
#[track_caller]
pub fn all_captures() -> Vec<PathBuf> {
    let v = capture_files();
    if v.is_empty() {
        missing(&format!(
            "no sample captures in {}",
            captures_dir().display()
        ));
    }
    v
}

/// Every `.pcap` and `.pcapng` file of the sample captures, sorted; empty
/// when there are none (for benchmarks, which report and stop).
pub fn capture_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(captures_dir())
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"));
    v.sort();
    v
}

/// Whether `MONITOR_ALLOW_SKIP=1`.
pub fn allow_skip() -> bool {
    std::env::var_os(ALLOW_SKIP_ENV).is_some_and(|v| v == "1")
}

/// An oracle's input is missing: panic, or with `MONITOR_ALLOW_SKIP=1`
/// say so on stderr and return (the caller then skips).
#[track_caller]
pub fn missing(what: &str) {
    assert!(
        allow_skip(),
        "{what}: the comparison cannot run (set {ALLOW_SKIP_ENV}=1 to skip it when running by hand)"
    );
    eprintln!("{what}: skipped ({ALLOW_SKIP_ENV}=1)");
}

/// True when the sample captures are there; otherwise [`missing`].
#[track_caller]
pub fn have_captures() -> bool {
    !all_captures().is_empty()
}

/// True when the capture `path` exists; otherwise [`missing`].
#[track_caller]
pub fn have_capture(path: &Path) -> bool {
    let ok = path.exists();
    if !ok {
        missing(&format!("capture {} not found", path.display()));
    }
    ok
}

/// True when tshark runs; otherwise [`missing`].
#[track_caller]
pub fn have_tshark() -> bool {
    let ok = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        missing("tshark is not installed");
    }
    ok
}

/// A tshark command (the oracle), with the time zone fixed to UTC so
/// absolute times compare.
pub fn tshark() -> Command {
    let mut c = Command::new("tshark");
    c.env("TZ", "UTC");
    c
}

/// Run tshark with `args`; its standard output (see [`stdout`]).
#[track_caller]
pub fn tshark_stdout<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    stdout(tshark().args(args))
}

/// Run `cmd`; its standard output. Panics when it cannot start or exits
/// with a failure, showing its standard error.
#[track_caller]
pub fn stdout(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Bytes from hex text; whitespace between digits is ignored. Panics on
/// anything else (a typo in a test's frame).
#[track_caller]
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(
        digits.len().is_multiple_of(2),
        "odd number of hex digits in {s:?}"
    );
    digits
        .chunks(2)
        .map(|p| {
            let p = std::str::from_utf8(p).expect("ASCII");
            u8::from_str_radix(p, 16).unwrap_or_else(|_| panic!("{p:?} is not hex in {s:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_reads_spaced_and_packed_digits() {
        assert_eq!(hex("00 ff\n10"), vec![0, 0xff, 0x10]);
        assert_eq!(hex("DEADbeef"), vec![0xde, 0xad, 0xbe, 0xef]);
        assert!(std::panic::catch_unwind(|| hex("abc")).is_err());
        assert!(std::panic::catch_unwind(|| hex("zz")).is_err());
    }

    #[test]
    fn missing_inputs_fail_unless_skipping_is_allowed() {
        // The process environment is shared by the tests of this crate;
        // this is the only one that reads or sets the variable.
        std::env::remove_var(ALLOW_SKIP_ENV);
        assert!(std::panic::catch_unwind(|| missing("x")).is_err());
        assert!(std::panic::catch_unwind(|| have_capture(Path::new("/nonexistent.pcap"))).is_err());
        std::env::set_var(ALLOW_SKIP_ENV, "1");
        missing("x");
        assert!(!have_capture(Path::new("/nonexistent.pcap")));
        std::env::remove_var(ALLOW_SKIP_ENV);
    }

    #[test]
    fn captures_dir_follows_the_environment() {
        std::env::set_var(CAPTURES_ENV, "/elsewhere/caps");
        assert_eq!(captures_dir(), PathBuf::from("/elsewhere/caps"));
        assert_eq!(capture("a.pcap"), PathBuf::from("/elsewhere/caps/a.pcap"));
        std::env::remove_var(CAPTURES_ENV);
        assert!(captures_dir().ends_with("../shared/captures"));
    }
}
