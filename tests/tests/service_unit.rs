//! The systemd unit, `monitor/dist/monitor.service`:
//!
//! - `systemd-analyze verify` accepts it without a word, and does flag a
//!   misspelt setting (so its silence means something);
//! - `systemd-analyze security --offline=true` rates its exposure at most
//!   2.5, and none of the checks about capabilities the daemon does not
//!   hold fails;
//! - it declares what the daemon's contract needs (notify, reload by
//!   SIGHUP, `--config`, the state directory for dumps);
//! - the daemon really runs with only the unit's capabilities, as an
//!   unprivileged user with no_new_privs, and every system call, socket
//!   family, memory mapping and file access it makes while attaching,
//!   serving a scrape and stopping is one the unit's sandbox allows.
//!
//! `systemd` PID 1 is not needed: the unit's identity and capability
//! settings are reproduced with `setpriv`, and its seccomp and address
//! family filters are checked against an strace of the daemon.

mod service_support;

use std::{
    collections::BTreeSet,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use monitor_tests::{free_port, http_get, monitor_bin, require_root, Metrics, Netns};
use service_support::*;

const MAX_EXPOSURE: f64 = 2.5;

#[test]
fn verify_is_clean() {
    let dir = TempDir::new("unit-verify");
    let unit = unit_copy(dir.path(), &monitor_bin());
    // The manual page is checked where the package installs it
    // (service_deb).
    let (ok, text) = verify(&unit, false);
    assert!(ok && text.is_empty(), "systemd-analyze verify:\n{text}");

    // The same check notices a misspelt setting and a missing binary.
    let broken = unit_text().replace("ProtectHome=yes", "ProtectHomes=yes");
    std::fs::write(&unit, broken).unwrap();
    let (_, text) = verify(&unit, false);
    assert!(text.contains("ProtectHomes"), "typo not reported: {text:?}");
}

#[test]
fn security_exposure_is_low() {
    let dir = TempDir::new("unit-security");
    let unit = unit_copy(dir.path(), &monitor_bin());
    let (level, failed, text) = security(&unit);
    eprintln!("overall exposure level: {level}; failed checks: {failed:?}");
    assert!(
        level <= MAX_EXPOSURE,
        "exposure {level} > {MAX_EXPOSURE}:\n{text}"
    );
    // The only capabilities that may be flagged are the three it holds.
    for f in failed
        .iter()
        .filter(|f| f.starts_with("CapabilityBoundingSet="))
    {
        assert!(
            [
                "CapabilityBoundingSet=~CAP_BPF",
                "CapabilityBoundingSet=~CAP_NET_ADMIN",
                "CapabilityBoundingSet=~CAP_PERFMON",
            ]
            .contains(&f.as_str()),
            "{f} fails:\n{text}"
        );
    }
    for must_pass in [
        "NoNewPrivileges=",
        "ProtectSystem=",
        "ProtectHome=",
        "PrivateTmp=",
        "PrivateDevices=",
        "ProtectKernelTunables=",
        "ProtectKernelModules=",
        "ProtectKernelLogs=",
        "ProtectControlGroups=",
        "ProtectClock=",
        "ProtectHostname=",
        "ProtectProc=",
        "RestrictNamespaces=~user",
        "RestrictRealtime=",
        "RestrictSUIDSGID=",
        "LockPersonality=",
        "MemoryDenyWriteExecute=",
        "SystemCallArchitectures=",
        "User=/DynamicUser=",
        "UMask=",
        "RestrictAddressFamilies=~AF_PACKET",
    ] {
        assert!(
            !failed.iter().any(|f| f == must_pass),
            "{must_pass} fails:\n{text}"
        );
        assert!(text.contains(must_pass), "{must_pass} not rated:\n{text}");
    }
}

#[test]
fn declares_the_daemon_contract() {
    let t = unit_text();
    assert_eq!(service_value(&t, "Type"), "notify");
    assert_eq!(
        service_value(&t, "ExecStart"),
        "/usr/bin/monitor run --config /etc/monitor/monitor.toml"
    );
    assert_eq!(service_value(&t, "ExecReload"), "/bin/kill -HUP $MAINPID");
    assert_eq!(service_value(&t, "Restart"), "on-failure");
    // Restarts are bounded: a configuration error does not loop forever.
    let unit: Vec<(String, String)> = unit_settings(&t)
        .into_iter()
        .filter(|(s, _, _)| s == "Unit")
        .map(|(_, k, v)| (k, v))
        .collect();
    assert!(unit.contains(&("StartLimitBurst".into(), "5".into())));
    assert!(unit.contains(&("StartLimitIntervalSec".into(), "300".into())));
    assert_eq!(service_value(&t, "StateDirectory"), "monitor monitor/dumps");
    assert_eq!(service_value(&t, "UMask"), "0077");
    assert_eq!(service_value(&t, "LimitMEMLOCK"), "infinity");

    let want: BTreeSet<String> = ["CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON"]
        .map(String::from)
        .into();
    assert_eq!(service_words(&t, "CapabilityBoundingSet"), want);
    assert_eq!(service_words(&t, "AmbientCapabilities"), want);
    let families = service_words(&t, "RestrictAddressFamilies");
    assert_eq!(
        families,
        ["AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"]
            .map(String::from)
            .into()
    );

    let allowed = allowed_syscalls(&t);
    for call in [
        "bpf",
        "socket",
        "setsockopt",
        "sendmsg",
        "recvmsg",
        "bind",
        "epoll_wait",
    ] {
        assert!(allowed.contains(call), "{call}(2) is not allowed");
    }
    for call in [
        "perf_event_open",
        "init_module",
        "ptrace",
        "mount",
        "kexec_load",
    ] {
        assert!(!allowed.contains(call), "{call}(2) is allowed");
    }
}

/// Start the daemon on the namespace's host interface as the unit would
/// run it: user nobody, only the unit's capabilities (bounding, inheritable
/// and ambient sets), no_new_privs. With `strace_out`, under strace -f.
fn start_confined(
    ns: &Netns,
    caps: &BTreeSet<String>,
    addr: &str,
    strace_out: Option<&Path>,
) -> std::process::Child {
    let caps = if caps.is_empty() {
        "-all".to_string()
    } else {
        format!("-all,{}", setpriv_caps(caps))
    };
    let mut cmd = match strace_out {
        Some(out) => {
            let mut c = Command::new("strace");
            c.args(["-f", "-qq", "-s", "512", "-o"])
                .arg(out)
                .arg("setpriv");
            c
        }
        None => Command::new("setpriv"),
    };
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(format!("--inh-caps={caps}"))
        .arg(format!("--ambient-caps={caps}"))
        .arg(format!("--bounding-set={caps}"))
        .args(["--no-new-privs", "--"])
        .arg(monitor_bin())
        .args([
            "run",
            "--iface",
            &ns.host_if,
            "--listen",
            addr,
            "--sample",
            "1",
        ])
        .env("RUST_LOG", "info")
        // cargo's library path for tests would send the loader looking in
        // the toolchain under /root; a service has no such variable.
        .env_remove("LD_LIBRARY_PATH")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn setpriv")
}

fn wait_for_metrics(child: &mut std::process::Child, addr: &str) -> Metrics {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(text) = http_get(addr, "/metrics") {
            return Metrics::parse(&text);
        }
        if let Ok(Some(st)) = child.try_wait() {
            let mut err = String::new();
            use std::io::Read as _;
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("monitor exited early ({st}):\n{err}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("monitor did not serve /metrics within 60 s");
}

/// SIGTERM the daemon and wait for `child` (the daemon itself, since
/// setpriv execs it, or strace, whose only child is the daemon).
fn terminate(mut child: std::process::Child, traced: bool) -> Option<i32> {
    let pid = if traced {
        let id = child.id();
        std::fs::read_to_string(format!("/proc/{id}/task/{id}/children"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .expect("the traced daemon's pid")
    } else {
        child.id() as i32
    };
    // SAFETY: kill(2) on our own child or grandchild.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(st)) = child.try_wait() {
            return st.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn runs_with_only_the_units_capabilities() {
    require_root();
    let caps = service_words(&unit_text(), "AmbientCapabilities");
    let ns = Netns::new("svccap");
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = start_confined(&ns, &caps, &addr, None);
    let before = wait_for_metrics(&mut child, &addr);
    assert_eq!(before.get("monitor_interfaces", &[]), 1.0);
    ns.run(
        true,
        &["ping", "-c", "3", "-i", "0.2", "-W", "1", &ns.host_ip],
    );
    std::thread::sleep(Duration::from_millis(500));
    let after = Metrics::parse(&http_get(&addr, "/metrics").expect("scrape"));
    let ingress = [("direction", "ingress"), ("iface", ns.host_if.as_str())];
    let egress = [("direction", "egress"), ("iface", ns.host_if.as_str())];
    assert!(after.get("monitor_packets_total", &ingress) >= 3.0);
    assert!(after.get("monitor_packets_total", &egress) >= 3.0);
    assert_eq!(terminate(child, false), Some(0), "SIGTERM did not exit 0");

    // Each of the three is needed: without it the daemon refuses to start.
    for missing in &caps {
        let fewer: BTreeSet<String> = caps.iter().filter(|c| *c != missing).cloned().collect();
        let addr = format!("127.0.0.1:{}", free_port());
        let child = start_confined(&ns, &fewer, &addr, None);
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "without {missing}: {err}");
        assert!(err.contains(missing.as_str()), "without {missing}: {err}");
    }
}

/// One system call of an strace -f line (`PID name(args) = ret`).
fn strace_call(line: &str) -> Option<(&str, &str)> {
    let rest = line.split_once(char::is_whitespace)?.1.trim_start();
    let (name, args) = rest.split_once('(')?;
    name.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        .then_some((name, args))
}

/// What the unit's file-system settings would refuse in one system call:
/// writing outside the state directory and the private /tmp
/// (ProtectSystem=strict, ProtectKernelTunables=), anything under /home or
/// /root (ProtectHome=), device nodes beyond the pseudo-devices
/// PrivateDevices= keeps, other processes' /proc entries (ProtectProc=).
fn file_problem(name: &str, args: &str) -> Option<&'static str> {
    let path = args.split('"').nth(1)?;
    let after = args.split('"').nth(2).unwrap_or("");
    let writes = match name {
        "open" | "openat" | "openat2" => ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"]
            .iter()
            .any(|f| after.contains(f)),
        "creat" | "mkdir" | "mkdirat" | "unlink" | "unlinkat" | "rename" | "renameat"
        | "renameat2" | "rmdir" | "truncate" | "chmod" | "fchmodat" | "symlink" | "symlinkat"
        | "link" | "linkat" | "mknod" | "mknodat" => true,
        _ => false,
    };
    const WRITABLE: &[&str] = &["/var/lib/monitor/", "/tmp/", "/var/tmp/", "/dev/null"];
    const DEVICES: &[&str] = &[
        "/dev/null",
        "/dev/zero",
        "/dev/full",
        "/dev/random",
        "/dev/urandom",
        "/dev/tty",
        "/dev/shm/",
        "/dev/pts/",
        "/dev/ptmx",
    ];
    if !path.starts_with('/') {
        return None;
    }
    if writes && !WRITABLE.iter().any(|w| path.starts_with(w)) {
        return Some("write outside the state directory");
    }
    if path.starts_with("/home/") || path == "/home" || path.starts_with("/root") {
        return Some("home directory access");
    }
    if path.starts_with("/dev/") && !DEVICES.iter().any(|d| path.starts_with(d)) {
        return Some("device node");
    }
    if let Some(rest) = path.strip_prefix("/proc/") {
        let first = rest.split('/').next().unwrap_or("");
        if first.chars().all(|c| c.is_ascii_digit()) && !first.is_empty() {
            return Some("another process's /proc entry");
        }
    }
    None
}

#[test]
fn sandbox_allows_what_the_daemon_does() {
    require_root();
    let text = unit_text();
    let caps = service_words(&text, "AmbientCapabilities");
    let allowed = allowed_syscalls(&text);
    let families = service_words(&text, "RestrictAddressFamilies");

    let dir = TempDir::new("unit-strace");
    let trace = dir.path().join("trace");
    let ns = Netns::new("svcsys");
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = start_confined(&ns, &caps, &addr, Some(&trace));
    wait_for_metrics(&mut child, &addr);
    ns.run(
        true,
        &["ping", "-c", "3", "-i", "0.2", "-W", "1", &ns.host_ip],
    );
    std::thread::sleep(Duration::from_millis(300));
    http_get(&addr, "/metrics").expect("second scrape");
    assert_eq!(terminate(child, true), Some(0), "SIGTERM did not exit 0");

    // Everything from the daemon's execve on: the seccomp filter is in
    // place from that execve in a real service.
    let log = std::fs::read_to_string(&trace).expect("read strace output");
    let bin = monitor_bin().display().to_string();
    let exec = format!("execve(\"{bin}\"");
    let start = log
        .lines()
        .position(|l| l.contains(&exec) && l.ends_with("= 0"))
        .unwrap_or_else(|| panic!("no execve of {bin} in the trace"));
    // The daemon's own /proc entry (process metrics read it) is its own business.
    let own_pid = log
        .lines()
        .nth(start)
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("")
        .to_string();
    let own_proc = format!("\"/proc/{own_pid}");
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    for line in log.lines().skip(start + 1) {
        let Some((name, args)) = strace_call(line) else {
            continue;
        };
        used.insert(name.to_string());
        if !allowed.contains(name) {
            problems.push(format!("system call not allowed: {line}"));
        }
        if name == "socket" {
            let family = args.split(',').next().unwrap_or("").trim();
            if !families.contains(family) {
                problems.push(format!("address family not allowed: {line}"));
            }
        }
        // MemoryDenyWriteExecute=: no writable+executable mapping, no
        // mprotect() that makes memory executable.
        let prot = args.split(',').nth(2).unwrap_or("");
        if (name == "mmap" && prot.contains("PROT_WRITE") && prot.contains("PROT_EXEC"))
            || (name == "mprotect" && prot.contains("PROT_EXEC"))
        {
            problems.push(format!("W^X violation: {line}"));
        }
        if name == "unshare" || name == "setns" {
            problems.push(format!("namespace change: {line}"));
        }
        if let Some(p) = file_problem(name, args) {
            let own = !own_pid.is_empty()
                && (args.contains(&format!("{own_proc}\""))
                    || args.contains(&format!("{own_proc}/")));
            if !own {
                problems.push(format!("{p}: {line}"));
            }
        }
    }
    eprintln!("{} distinct system calls: {used:?}", used.len());
    assert!(
        used.contains("bpf"),
        "the trace has no bpf(2): wrong start?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn file_checks() {
    let call = |l| strace_call(l).unwrap();
    let check = |l| {
        let (n, a) = call(l);
        file_problem(n, a)
    };
    assert_eq!(
        check(r#"7  openat(AT_FDCWD, "/proc/self/status", O_RDONLY|O_CLOEXEC) = 3"#),
        None
    );
    assert_eq!(
        check(r#"7  openat(AT_FDCWD, "/sys/kernel/btf/vmlinux", O_RDONLY|O_CLOEXEC) = 3"#),
        None
    );
    assert!(check(r#"7  openat(AT_FDCWD, "/etc/x", O_WRONLY|O_CREAT, 0600) = 3"#).is_some());
    assert!(check(r#"7  openat(AT_FDCWD, "/dev/mem", O_RDONLY) = 3"#).is_some());
    assert!(check(r#"7  openat(AT_FDCWD, "/proc/1/cmdline", O_RDONLY) = 3"#).is_some());
    assert!(check(r#"7  mkdir("/var/lib/monitor/dumps/a", 0700) = 0"#).is_none());
    assert!(check(r#"7  unlink("/usr/bin/x") = 0"#).is_some());
}

#[test]
fn strace_lines_parse() {
    assert_eq!(
        strace_call("4242  socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 9"),
        Some((
            "socket",
            "AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 9"
        ))
    );
    assert_eq!(
        strace_call("4243  bpf(BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_XDP}, 148 <unfinished ...>")
            .map(|c| c.0),
        Some("bpf")
    );
    assert_eq!(strace_call("4243  <... bpf resumed>) = 7"), None);
    assert_eq!(strace_call("4243  +++ exited with 0 +++"), None);
    assert_eq!(
        strace_call("4243  --- SIGTERM {si_signo=SIGTERM} ---"),
        None
    );
}
