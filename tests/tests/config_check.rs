//! `monitor config check` refuses triggers that could never fire (unknown
//! metric, a label the metric does not have, a rule that is not configured
//! or has no such series) and interfaces this host does not have (unless
//! `--no-host-check`), one error with its line and column, exit 2; and
//! `monitor run --dump-dir` writes SIGUSR1 dumps there.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use monitor_tests::{monitor_bin, sh, Daemon, Netns};

const RULES: &str = "[[rule]]\nname = \"resets\"\nfilter = \"tcp.flags.reset == 1\"\n\n[[rule]]\nname = \"web\"\nfilter = 'http.request.method == \"GET\"'\n";

fn trigger(metric: &str) -> String {
    format!(
        "{RULES}\n[[trigger]]\nname = \"t\"\nmetric = '{metric}'\nthreshold = 1.0\nwindow = \"10s\"\n"
    )
}

/// (exit code, stdout, stderr) of `monitor config check [extra] FILE`.
fn check(text: &str, extra: &[&str]) -> (i32, String, String) {
    let path = std::env::temp_dir().join(format!(
        "monitor-check-{}-{}.toml",
        std::process::id(),
        text.len()
    ));
    std::fs::write(&path, text).unwrap();
    let out = Command::new(monitor_bin())
        .args(["config", "check"])
        .args(extra)
        .arg(&path)
        .output()
        .expect("monitor config check");
    let _ = std::fs::remove_file(&path);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn triggers_are_checked_against_the_metrics_and_the_rules() {
    for good in [
        r#"monitor_rule_packets_total{rule="resets",direction="egress"}"#,
        r#"monitor_rule_candidates_total{rule="web"}"#,
        "monitor_ringbuf_dropped_total",
    ] {
        let (code, out, err) = check(&trigger(good), &[]);
        assert_eq!(code, 0, "{good}: {err}");
        assert!(
            out.contains(": ok (0 interfaces, 2 rules, 1 triggers)"),
            "{out}"
        );
    }
    for (bad, says) in [
        (
            "monitor_rule_packet_total",
            "unknown metric 'monitor_rule_packet_total'",
        ),
        (
            r#"monitor_packets_total{rule="resets"}"#,
            "has no label 'rule'",
        ),
        (
            r#"monitor_rule_packets_total{rule="rests"}"#,
            "no [[rule]] is named 'rests'",
        ),
        (
            r#"monitor_rule_packets_total{rule="web"}"#,
            "not decided exactly in the kernel",
        ),
        (
            r#"monitor_packets_total{direction="in"}"#,
            "must be ingress or egress",
        ),
        ("monitor_tcp_ack_rtt_seconds", "is a histogram"),
    ] {
        let (code, out, err) = check(&trigger(bad), &[]);
        assert_eq!(code, 2, "{bad} accepted: {out}");
        assert!(err.contains(says), "{bad}: {err}");
        // Where: the line of `metric = …`.
        assert!(err.contains(":11:10: error:"), "{bad}: {err}");
    }
}

#[test]
fn interfaces_are_looked_up_on_this_host_unless_told_not_to() {
    let text = "[[interface]]\nname = \"lo\"\n\n[[interface]]\nname = \"nosuchif0\"\n";
    let (code, _, err) = check(text, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains(":5:8: error: interface 'nosuchif0' does not exist on this host"),
        "{err}"
    );
    assert!(err.contains("--no-host-check"), "{err}");
    let (code, out, err) = check(text, &["--no-host-check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ok (2 interfaces"), "{out}");
}

#[test]
fn run_dump_dir_receives_the_sigusr1_dump() {
    let net = Netns::new("ddir");
    let dir = std::env::temp_dir().join(format!("{}-dumps", net.ns));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let daemon = Daemon::start(&[
        "--iface",
        &net.host_if,
        "--xdp-mode",
        "skb",
        "--sample",
        "1",
        "--dump-dir",
        &dir.to_string_lossy(),
    ]);
    sh(&["ping", "-q", "-c", "2", "-i", "0.2", &net.ns_ip]);
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(daemon.pid() as i32, libc::SIGUSR1) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let dump = loop {
        let found = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "pcapng"));
        if let Some(p) = found {
            break p;
        }
        assert!(Instant::now() < deadline, "no dump in {}", dir.display());
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(300));
    let out = test_support::tshark()
        .arg("-r")
        .arg(&dump)
        .args(["-Y", "icmp.type == 8", "-T", "fields", "-e", "frame.number"])
        .output()
        .expect("tshark");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    assert_eq!(daemon.stop(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
