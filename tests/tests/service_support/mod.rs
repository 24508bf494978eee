//! Shared by the `service_*` tests: the files in `monitor/dist`, the unit's
//! settings, and systemd-analyze.

#![allow(dead_code)]

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use monitor_tests::workspace;

/// `monitor/dist`.
pub fn dist() -> PathBuf {
    workspace().join("monitor/dist")
}

/// The unit file's text.
pub fn unit_text() -> String {
    std::fs::read_to_string(dist().join("monitor.service")).expect("read monitor.service")
}

/// `(section, key, value)` of every setting in a unit file, in order;
/// comments and blank lines dropped. (The unit uses no line continuations.)
pub fn unit_settings(text: &str) -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_string();
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not a setting: {line:?}"));
        assert!(!v.ends_with('\\'), "line continuation in {line:?}");
        out.push((section.clone(), k.trim().to_string(), v.trim().to_string()));
    }
    out
}

/// Every value of `key` in `[Service]`.
pub fn service_values(text: &str, key: &str) -> Vec<String> {
    unit_settings(text)
        .into_iter()
        .filter(|(s, k, _)| s == "Service" && k == key)
        .map(|(_, _, v)| v)
        .collect()
}

/// The single value of `key` in `[Service]`.
pub fn service_value(text: &str, key: &str) -> String {
    let v = service_values(text, key);
    assert_eq!(v.len(), 1, "{key}= set {} times: {v:?}", v.len());
    v.into_iter().next().unwrap()
}

/// Space-separated words of `key` in `[Service]`, all assignments together.
pub fn service_words(text: &str, key: &str) -> BTreeSet<String> {
    service_values(text, key)
        .iter()
        .flat_map(|v| v.split_whitespace().map(str::to_string))
        .collect()
}

/// Run a command and return its output whatever the exit status.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// A copy of the unit in a fresh directory, with `/usr/bin/monitor` in its
/// command lines replaced by `bin` (systemd-analyze verify checks that the
/// binary exists and is executable).
pub fn unit_copy(dir: &Path, bin: &Path) -> PathBuf {
    let text = unit_text().replace("/usr/bin/monitor ", &format!("{} ", bin.display()));
    let path = dir.join("monitor.service");
    std::fs::write(&path, text).expect("write unit copy");
    path
}

/// `systemd-analyze verify UNIT`: (success, everything it printed). With
/// `man`, it also checks that the `man:` pages of `Documentation=` exist.
pub fn verify(unit: &Path, man: bool) -> (bool, String) {
    let out = run(Command::new("systemd-analyze")
        .arg("verify")
        .arg(format!("--man={}", if man { "yes" } else { "no" }))
        .arg(unit)
        .env("SYSTEMD_LOG_COLOR", "0")
        .current_dir(unit.parent().unwrap()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text.trim().to_string())
}

/// `systemd-analyze security --offline=true UNIT`: the overall exposure
/// level and the names of the failed checks (the `✗` lines).
pub fn security(unit: &Path) -> (f64, Vec<String>, String) {
    let out = run(Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(unit)
        .env("SYSTEMD_COLORS", "0")
        .current_dir(unit.parent().unwrap()));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "systemd-analyze security failed: {}{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let level = text
        .lines()
        .find_map(|l| l.split_once("Overall exposure level for ").map(|(_, r)| r))
        .and_then(|r| r.split_once(": ").map(|(_, r)| r))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no overall exposure level in:\n{text}"));
    let failed = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('✗'))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    (level, failed, text)
}

/// The system calls a `SystemCallFilter=` group (or a single call) stands
/// for, with nested groups expanded, from `systemd-analyze syscall-filter`.
pub fn syscall_group(name: &str) -> BTreeSet<String> {
    if !name.starts_with('@') {
        return BTreeSet::from([name.to_string()]);
    }
    let out = run(Command::new("systemd-analyze").args(["syscall-filter", name]));
    assert!(out.status.success(), "unknown syscall group {name}");
    let mut set = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines().skip(1) {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        set.extend(syscall_group(l));
    }
    set
}

/// The system calls the unit's `SystemCallFilter=` lines allow: the union of
/// the allow lists, less the `~` deny lists.
pub fn allowed_syscalls(text: &str) -> BTreeSet<String> {
    let mut allow = BTreeSet::new();
    let mut deny = BTreeSet::new();
    for v in service_values(text, "SystemCallFilter") {
        let (set, words) = match v.strip_prefix('~') {
            Some(rest) => (&mut deny, rest.to_string()),
            None => (&mut allow, v.clone()),
        };
        for w in words.split_whitespace() {
            set.extend(syscall_group(w));
        }
    }
    assert!(!allow.is_empty(), "no SystemCallFilter= allow list");
    allow.difference(&deny).cloned().collect()
}

/// Capability names of a unit setting, as `setpriv` spells them
/// (`CAP_NET_ADMIN` → `net_admin`).
pub fn setpriv_caps(words: &BTreeSet<String>) -> String {
    words
        .iter()
        .map(|c| {
            format!(
                "+{}",
                c.strip_prefix("CAP_")
                    .unwrap_or_else(|| panic!("not a capability: {c}"))
                    .to_lowercase()
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A directory under the system temp dir, removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Create an empty directory named after `tag` and this process.
    pub fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "monitor-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        Self(p)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
