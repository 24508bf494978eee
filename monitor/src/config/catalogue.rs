//! The daemon's metric families and their label names, so a configuration
//! can be checked before the daemon runs: a trigger must watch a counter or
//! gauge the daemon exports, with labels that family has. It lists what
//! `docs/metrics.md` documents (a test keeps the two in step).

/// What kind of series a family has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Monotonic counter.
    Counter,
    /// Gauge.
    Gauge,
    /// Histogram (`_bucket`, `_sum`, `_count` series).
    Histogram,
}

/// One metric family.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    /// Name.
    pub name: &'static str,
    /// Kind.
    pub kind: Kind,
    /// Label names.
    pub labels: &'static [&'static str],
}

const fn f(name: &'static str, kind: Kind, labels: &'static [&'static str]) -> Family {
    Family { name, kind, labels }
}

use Kind::{Counter as C, Gauge as G, Histogram as H};

const ID: &[&str] = &["iface", "direction"];
const RID: &[&str] = &["rule", "iface", "direction"];

/// Every family the daemon exports.
pub const FAMILIES: &[Family] = &[
    f("monitor_packets_total", C, ID),
    f("monitor_bytes_total", C, ID),
    f(
        "monitor_protocol_packets_total",
        C,
        &["iface", "direction", "protocol"],
    ),
    f("monitor_interfaces", G, &[]),
    f("monitor_rule_packets_total", C, RID),
    f("monitor_rule_bytes_total", C, RID),
    f("monitor_rule_candidates_total", C, RID),
    f("monitor_rule_candidate_bytes_total", C, RID),
    f("monitor_rule_candidates_lost_total", C, RID),
    f("monitor_rule_user_matches_total", C, RID),
    f("monitor_rule_packets_estimated_total", C, RID),
    f("monitor_rule_bytes_estimated_total", C, RID),
    f(
        "monitor_rule_info",
        G,
        &["rule", "kernel_exact", "exact_series"],
    ),
    f("monitor_rule_sample_fraction", G, &["rule"]),
    f("monitor_kernel_samples_total", C, ID),
    f("monitor_ringbuf_dropped_total", C, ID),
    f("monitor_samples_total", C, ID),
    f("monitor_sample_parse_errors_total", C, ID),
    f("monitor_dissection_errors_total", C, &["iface", "layer"]),
    f("monitor_reassembly_in_progress", G, &["protocol"]),
    f("monitor_reassembly_completed_total", C, &["protocol"]),
    f("monitor_reassembly_timeouts_total", C, &["protocol"]),
    f(
        "monitor_reassembly_dropped_total",
        C,
        &["protocol", "reason"],
    ),
    f("monitor_tcp_records_total", C, ID),
    f("monitor_tcp_records_lost_total", C, ID),
    f("monitor_tcp_records_received_total", C, ID),
    f("monitor_tcp_analysis_total", C, &["iface", "flag"]),
    f("monitor_tcp_handshakes_total", C, &["iface", "outcome"]),
    f("monitor_tcp_handshake_rtt_seconds", H, &["iface"]),
    f("monitor_tcp_ack_rtt_seconds", H, &["iface"]),
    f("monitor_tcp_flows_tracked", G, &["iface"]),
    f("monitor_tcp_flows_evicted_total", C, &["iface"]),
    f("monitor_config_reloads_total", C, &[]),
    f("monitor_config_reload_failures_total", C, &[]),
    f("monitor_dumps_total", C, &["result"]),
    f("monitor_recorder", G, &["what"]),
    f("monitor_build_info", G, &["version", "kernel"]),
    f("monitor_scrape_duration_seconds", H, &[]),
    f("process_cpu_seconds_total", C, &[]),
    f("process_resident_memory_bytes", G, &[]),
    f("process_virtual_memory_bytes", G, &[]),
    f("process_open_fds", G, &[]),
    f("process_max_fds", G, &[]),
    f("process_threads", G, &[]),
    f("process_start_time_seconds", G, &[]),
];

/// The family called `name`.
pub fn find(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.name == name)
}

/// Series only kernel-exact rules have.
const EXACT_ONLY: &[&str] = &[
    "monitor_rule_packets_total",
    "monitor_rule_bytes_total",
    "monitor_rule_candidates_lost_total",
];

/// Series only rules the kernel cannot decide have.
const INEXACT_ONLY: &[&str] = &[
    "monitor_rule_user_matches_total",
    "monitor_rule_packets_estimated_total",
    "monitor_rule_bytes_estimated_total",
];

/// Check a trigger's selector against the catalogue and the configured
/// rules, `(name, kernel-exact)` (`None` when not known); the error says
/// what is wrong in one line.
pub fn check_selector(
    family: &str,
    matchers: &[(String, String)],
    rules: &[(&str, Option<bool>)],
) -> Result<(), String> {
    let Some(f) = find(family) else {
        let close: Vec<&str> = FAMILIES
            .iter()
            .map(|f| f.name)
            .filter(|n| {
                let stem = family.trim_end_matches("_total");
                n.contains(stem) || stem.contains(n.trim_end_matches("_total"))
            })
            .take(3)
            .collect();
        return Err(if close.is_empty() {
            format!(
                "unknown metric '{family}' (the daemon's metrics are listed in docs/metrics.md)"
            )
        } else {
            format!(
                "unknown metric '{family}' (did you mean {}?)",
                close.join(", ")
            )
        });
    };
    if f.kind == Kind::Histogram {
        return Err(format!(
            "'{family}' is a histogram; a trigger watches a counter or a gauge"
        ));
    }
    for (k, v) in matchers {
        if !f.labels.contains(&k.as_str()) {
            return Err(if f.labels.is_empty() {
                format!("'{family}' has no labels, not '{k}'")
            } else {
                format!(
                    "'{family}' has no label '{k}' (its labels: {})",
                    f.labels.join(", ")
                )
            });
        }
        match k.as_str() {
            "rule" => match rules.iter().find(|r| r.0 == v) {
                None => return Err(format!("no [[rule]] is named '{v}'")),
                Some((_, Some(false))) if EXACT_ONLY.contains(&family) => {
                    return Err(format!(
                        "rule '{v}' is not decided exactly in the kernel, so it has no {family}: watch monitor_rule_candidates_total or monitor_rule_packets_estimated_total"
                    ));
                }
                Some((_, Some(true))) if INEXACT_ONLY.contains(&family) => {
                    return Err(format!(
                        "rule '{v}' is decided exactly in the kernel, so it has no {family}: watch monitor_rule_packets_total"
                    ));
                }
                _ => {}
            },
            "direction" if v != "ingress" && v != "egress" => {
                return Err(format!("direction '{v}' must be ingress or egress"));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_what_docs_metrics_md_lists() {
        let doc = include_str!("../../../docs/metrics.md");
        let mut listed = Vec::new();
        for line in doc.lines().filter(|l| l.starts_with("| `")) {
            let cols: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cols[1].trim_matches('`');
            let kind = match cols[2] {
                "counter" => Kind::Counter,
                "gauge" => Kind::Gauge,
                "histogram" => Kind::Histogram,
                other => panic!("{name}: type {other}"),
            };
            let labels: Vec<&str> = if cols[3] == "—" {
                Vec::new()
            } else {
                cols[3].split(',').map(str::trim).collect()
            };
            let f = find(name).unwrap_or_else(|| panic!("{name} is not in the catalogue"));
            assert_eq!(f.kind, kind, "{name}");
            assert_eq!(f.labels, labels.as_slice(), "{name}");
            listed.push(name);
        }
        for f in FAMILIES {
            assert!(
                listed.contains(&f.name),
                "{} is not in docs/metrics.md",
                f.name
            );
        }
    }

    #[test]
    fn selectors_are_checked_against_families_labels_and_rules() {
        let rules = [("web", Some(false)), ("pings", Some(true))];
        let m = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert!(check_selector("monitor_rule_packets_total", &m("rule", "pings"), &rules).is_ok());
        assert!(check_selector("monitor_rule_candidates_total", &m("rule", "web"), &rules).is_ok());
        let e =
            check_selector("monitor_rule_packets_total", &m("rule", "web"), &rules).unwrap_err();
        assert!(e.contains("not decided exactly"), "{e}");
        let e = check_selector(
            "monitor_rule_packets_estimated_total",
            &m("rule", "pings"),
            &rules,
        )
        .unwrap_err();
        assert!(e.contains("watch monitor_rule_packets_total"), "{e}");
        assert!(check_selector("monitor_ringbuf_dropped_total", &[], &rules).is_ok());
        let e = check_selector("monitor_rule_packet_total", &[], &rules).unwrap_err();
        assert!(
            e.contains("unknown metric") && e.contains("monitor_rule_packets_total"),
            "{e}"
        );
        let e = check_selector("monitor_nothing", &[], &rules).unwrap_err();
        assert!(e.contains("docs/metrics.md"), "{e}");
        let e =
            check_selector("monitor_rule_packets_total", &m("rule", "ftp"), &rules).unwrap_err();
        assert_eq!(e, "no [[rule]] is named 'ftp'");
        let e = check_selector("monitor_packets_total", &m("rule", "web"), &rules).unwrap_err();
        assert!(
            e.contains("no label 'rule'") && e.contains("iface, direction"),
            "{e}"
        );
        let e = check_selector("monitor_packets_total", &m("direction", "in"), &rules).unwrap_err();
        assert!(e.contains("ingress or egress"), "{e}");
        let e = check_selector("monitor_tcp_ack_rtt_seconds", &[], &rules).unwrap_err();
        assert!(e.contains("histogram"), "{e}");
        let e = check_selector("monitor_interfaces", &m("iface", "x"), &rules).unwrap_err();
        assert!(e.contains("no labels"), "{e}");
    }
}
