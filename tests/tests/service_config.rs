//! The example configuration, `monitor/dist/monitor.toml` (installed as
//! /etc/monitor/monitor.toml):
//!
//! - it is valid TOML with every documented section and key, of the right
//!   types and in range;
//! - the examples left commented out are valid too once uncommented;
//! - every setting is documented by a comment right above it;
//! - the values that mirror `monitor run` flags equal the daemon's defaults,
//!   the dump directory lies in the unit's state directory, triggers refer
//!   to rules that exist, durations and sizes parse;
//! - every display filter is one Wireshark (tshark) accepts.

mod service_support;

use std::{collections::BTreeSet, net::SocketAddr, process::Command};

use service_support::*;
use toml::{Table, Value};

fn text() -> String {
    std::fs::read_to_string(dist().join("monitor.toml")).expect("read monitor.toml")
}

fn config() -> Table {
    toml::from_str(&text()).unwrap_or_else(|e| panic!("monitor.toml: {e}"))
}

/// The file with the commented-out examples (`#key = …`, `#[table]`: a `#`
/// directly followed by the setting) uncommented.
fn uncommented() -> String {
    text()
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '[') => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn table<'a>(t: &'a Table, name: &str) -> &'a Table {
    t.get(name)
        .and_then(Value::as_table)
        .unwrap_or_else(|| panic!("no [{name}] table"))
}

fn array<'a>(t: &'a Table, name: &str) -> Vec<&'a Table> {
    t.get(name)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no [[{name}]] tables"))
        .iter()
        .map(|v| v.as_table().expect("array of tables"))
        .collect()
}

fn str_of<'a>(t: &'a Table, key: &str) -> &'a str {
    t.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{key} is not a string in {t:?}"))
}

fn float_of(t: &Table, key: &str) -> f64 {
    match t.get(key) {
        Some(Value::Float(f)) => *f,
        Some(Value::Integer(i)) => *i as f64,
        other => panic!("{key} is not a number: {other:?}"),
    }
}

fn int_of(t: &Table, key: &str) -> i64 {
    t.get(key)
        .and_then(Value::as_integer)
        .unwrap_or_else(|| panic!("{key} is not an integer in {t:?}"))
}

/// The keys a table may have; each must be present unless optional.
fn keys(t: &Table, required: &[&str], optional: &[&str], what: &str) {
    for k in required {
        assert!(t.contains_key(*k), "{what}: missing {k}");
    }
    for k in t.keys() {
        assert!(
            required.contains(&k.as_str()) || optional.contains(&k.as_str()),
            "{what}: undocumented key {k}"
        );
    }
}

/// "500ms", "10s", "5m", "2h", "7d" → seconds.
fn duration(s: &str) -> f64 {
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or_else(|| panic!("duration {s:?} has no unit"));
    let (n, unit) = s.split_at(split);
    let n: f64 = n
        .parse()
        .unwrap_or_else(|_| panic!("duration {s:?}: no number"));
    n * match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => panic!("duration {s:?}: unknown unit"),
    }
}

/// "4096", "512KiB", "64MiB", "1GiB" → bytes.
fn size(s: &str) -> u64 {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .unwrap_or_else(|_| panic!("size {s:?}: no number"));
    n * match unit {
        "" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => panic!("size {s:?}: unknown unit"),
    }
}

fn check_interface(t: &Table) {
    keys(t, &["name"], &["xdp_mode"], "[[interface]]");
    assert!(!str_of(t, "name").is_empty());
    if t.contains_key("xdp_mode") {
        assert!(
            ["auto", "driver", "skb"].contains(&str_of(t, "xdp_mode")),
            "xdp_mode {:?}",
            t["xdp_mode"]
        );
    }
}

fn check_rule(t: &Table) {
    keys(t, &["name", "filter"], &["sample"], "[[rule]]");
    if t.contains_key("sample") {
        assert!((0.0..=1.0).contains(&float_of(t, "sample")));
    }
}

#[test]
fn sections_and_keys() {
    let c = config();
    let top: BTreeSet<&str> = c.keys().map(String::as_str).collect();
    assert_eq!(
        top,
        BTreeSet::from(["daemon", "sampling", "rule", "tcp", "recorder", "dumps", "trigger"]),
        "top-level sections (interface is commented out: default route)"
    );

    let d = table(&c, "daemon");
    keys(
        d,
        &["listen", "log_level", "log_format", "dump_dir"],
        &[],
        "[daemon]",
    );
    str_of(d, "listen")
        .parse::<SocketAddr>()
        .expect("listen is an address");
    assert!(["error", "warn", "info", "debug", "trace"].contains(&str_of(d, "log_level")));
    assert!(["text", "json"].contains(&str_of(d, "log_format")));

    let s = table(&c, "sampling");
    keys(s, &["sample", "snaplen", "ring_bytes"], &[], "[sampling]");
    assert!((0.0..=1.0).contains(&float_of(s, "sample")));
    assert!((1..=i64::from(monitor_common::MAX_SNAPLEN)).contains(&int_of(s, "snaplen")));
    let ring = int_of(s, "ring_bytes");
    assert!(ring >= 4096 && (ring as u64).is_power_of_two());

    let rules = array(&c, "rule");
    rules.iter().for_each(|r| check_rule(r));
    let names: BTreeSet<&str> = rules.iter().map(|r| str_of(r, "name")).collect();
    assert_eq!(names.len(), rules.len(), "rule names repeat");

    let t = table(&c, "tcp");
    keys(
        t,
        &["scope", "max_flows", "handshake_timeout"],
        &["idle_timeout"],
        "[tcp]",
    );
    assert_eq!(str_of(t, "scope"), "tcp");
    assert_eq!(int_of(t, "max_flows"), 100_000);
    assert_eq!(duration(str_of(t, "handshake_timeout")), 10.0);
    assert!(duration(str_of(t, "idle_timeout")) > 0.0);

    let r = table(&c, "recorder");
    keys(r, &["max_bytes", "max_age", "filter"], &[], "[recorder]");
    assert_eq!(size(str_of(r, "max_bytes")), 64 << 20);
    assert!(duration(str_of(r, "max_age")) > 0.0);
    str_of(r, "filter");

    let dumps = table(&c, "dumps");
    keys(dumps, &["max_files", "max_bytes"], &[], "[dumps]");
    assert!(int_of(dumps, "max_files") > 0);
    assert!(size(str_of(dumps, "max_bytes")) > 0);

    let triggers = array(&c, "trigger");
    for tr in &triggers {
        keys(
            tr,
            &[
                "name",
                "metric",
                "condition",
                "threshold",
                "window",
                "cooldown",
            ],
            &[],
            "[[trigger]]",
        );
        let metric = str_of(tr, "metric");
        assert!(metric.starts_with("monitor_"), "{metric}");
        if let Some((_, rest)) = metric.split_once("rule=\"") {
            let rule = rest.split('"').next().unwrap();
            assert!(
                names.contains(rule),
                "trigger refers to unknown rule {rule}"
            );
        }
        assert!(["rate", "increase", "value"].contains(&str_of(tr, "condition")));
        assert!(float_of(tr, "threshold") > 0.0);
        assert!(duration(str_of(tr, "window")) > 0.0);
        assert!(duration(str_of(tr, "cooldown")) > 0.0);
    }
}

#[test]
fn commented_examples_are_valid() {
    let c: Table = toml::from_str(&uncommented())
        .unwrap_or_else(|e| panic!("monitor.toml with examples uncommented: {e}"));
    let ifaces = array(&c, "interface");
    assert!(ifaces.len() >= 2, "the [[interface]] examples");
    ifaces.iter().for_each(|t| check_interface(t));
    let modes: BTreeSet<&str> = ifaces.iter().map(|t| str_of(t, "xdp_mode")).collect();
    assert!(modes.len() >= 2, "examples show more than one xdp_mode");
    array(&c, "rule").iter().for_each(|r| check_rule(r));
    assert!(array(&c, "rule").len() > array(&config(), "rule").len());
}

#[test]
fn every_setting_is_documented() {
    let text = uncommented();
    let mut seen = BTreeSet::new();
    let mut table = String::new();
    let original_text = self::text();
    let original: Vec<&str> = original_text.lines().collect();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('[') {
            table = line.trim_matches(|c| c == '[' || c == ']').to_string();
            continue;
        }
        let Some((key, _)) = line.split_once(" = ") else {
            continue;
        };
        if line.starts_with('#') || line.starts_with(' ') {
            continue;
        }
        if !seen.insert(format!("{table}.{key}")) {
            continue;
        }
        // The first occurrence of each setting has a prose comment ("# …")
        // directly above it.
        let above = original[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .copied()
            .unwrap_or("");
        assert!(
            above.starts_with("# "),
            "{table}.{key} (line {}) has no comment above it",
            i + 1
        );
    }
    assert!(seen.len() >= 25, "only {} settings found", seen.len());
    // The sections are each introduced by a comment too.
    for section in [
        "[daemon]",
        "#[[interface]]",
        "[sampling]",
        "[[rule]]",
        "[tcp]",
        "[recorder]",
        "[dumps]",
        "[[trigger]]",
    ] {
        assert!(
            self::text().contains(&format!("\n{section}\n")),
            "{section} missing"
        );
    }
}

#[test]
fn defaults_match_the_daemon_and_the_unit() {
    let c = config();
    let d = table(&c, "daemon");
    let s = table(&c, "sampling");
    // `monitor run --help` defaults.
    assert_eq!(str_of(d, "listen"), "127.0.0.1:9477");
    assert_eq!(float_of(s, "sample"), 0.01);
    assert_eq!(
        int_of(s, "snaplen"),
        i64::from(monitor_common::DEFAULT_SNAPLEN)
    );
    assert_eq!(
        int_of(s, "ring_bytes"),
        i64::from(monitor::ebpf::DEFAULT_RING_BYTES)
    );
    let help = run(Command::new(monitor_tests::monitor_bin()).args(["run", "--help"]));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[default: 127.0.0.1:9477]"), "{help}");
    assert!(help.contains("[default: 0.01]"), "{help}");

    // Dumps go where the unit lets the service write.
    let unit = unit_text();
    let state = service_words(&unit, "StateDirectory");
    let dump_dir = str_of(d, "dump_dir");
    assert!(
        state.iter().any(|s| dump_dir == format!("/var/lib/{s}")),
        "dump_dir {dump_dir} is not one of StateDirectory={state:?}"
    );
    // And the unit reads this file.
    assert!(service_value(&unit, "ExecStart").ends_with("--config /etc/monitor/monitor.toml"));
}

#[test]
fn filters_are_valid_display_filters() {
    let dir = TempDir::new("config-filters");
    // An empty pcap: tshark checks the filter, then reads no frames.
    let pcap = dir.path().join("empty.pcap");
    let mut header = Vec::new();
    for (v, n) in [
        (0xa1b2_c3d4u32, 4),
        (2, 2),
        (4, 2),
        (0, 4),
        (0, 4),
        (65535, 4),
        (1, 4),
    ] {
        header.extend_from_slice(&v.to_le_bytes()[..n]);
    }
    std::fs::write(&pcap, header).unwrap();
    let c: Table = toml::from_str(&uncommented()).unwrap();
    let mut filters = vec![str_of(table(&c, "tcp"), "scope").to_string()];
    filters.push(str_of(table(&c, "recorder"), "filter").to_string());
    filters.extend(
        array(&c, "rule")
            .iter()
            .map(|r| str_of(r, "filter").to_string()),
    );
    let mut checked = 0;
    for f in filters.iter().filter(|f| !f.is_empty()) {
        let out = run(test_support::tshark().arg("-r").arg(&pcap).args(["-Y", f]));
        assert!(
            out.status.success(),
            "tshark rejects {f:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 4);
    // The check has teeth.
    let out = run(test_support::tshark()
        .arg("-r")
        .arg(&pcap)
        .args(["-Y", "tcp.flags.rst == 1"]));
    assert!(!out.status.success());
}
