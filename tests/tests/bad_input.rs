//! Bad invocations fail with one clear line and exit status 2, before
//! anything is attached.

use std::{os::unix::fs::PermissionsExt as _, process::Command};

use monitor_tests::{monitor_bin, require_root};

fn links() -> String {
    let out = Command::new("bpftool")
        .args(["-j", "link", "show"])
        .output()
        .expect("bpftool");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn missing_interface_is_one_line_and_exit_2() {
    let before = links();
    let out = Command::new(monitor_bin())
        .args(["run", "--iface", "nosuchif0"])
        .output()
        .expect("run monitor");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "expected one line, got: {err}");
    assert!(
        err.contains("interface 'nosuchif0' does not exist"),
        "{err}"
    );
    assert_eq!(before, links());
}

#[test]
fn unprivileged_run_names_the_capabilities_and_exits_2() {
    require_root();
    // A copy anyone may execute, run as nobody with no capabilities.
    let dir = std::env::temp_dir().join(format!("monitor-nonroot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = dir.join("monitor");
    std::fs::copy(monitor_bin(), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(&bin)
        .args(["run", "--iface", "lo"])
        .output()
        .expect("setpriv");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "expected one line, got: {err}");
    for cap in ["CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON"] {
        assert!(err.contains(cap), "{err}");
    }
}

#[test]
fn invalid_config_is_rejected_before_anything_is_attached() {
    let before = links();
    let dir = std::env::temp_dir().join(format!("monitor-badcfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("monitor.toml");
    std::fs::write(&cfg, "[sampling]\nsample = 2.0\n").unwrap();
    let out = Command::new(monitor_bin())
        .args(["run", "--iface", "lo", "--config"])
        .arg(&cfg)
        .output()
        .expect("run monitor");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("monitor.toml:2:10: sample must be between 0 and 1"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line for the journal: {err}");
    assert_eq!(before, links());
}

#[test]
fn listening_beyond_loopback_needs_a_token() {
    let out = Command::new(monitor_bin())
        .args(["run", "--iface", "lo", "--listen", "0.0.0.0:9477"])
        .output()
        .expect("run monitor");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("needs a bearer token"), "{err}");
}
