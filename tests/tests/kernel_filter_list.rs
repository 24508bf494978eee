//! Every filter of the display-filter test list, compiled for the kernel
//! the way the daemon compiles rules, run over every frame of every corpus
//! capture with BPF_PROG_TEST_RUN, against the exact user-space evaluator
//! (which the filter differential checks against tshark):
//! - the kernel accepts, or leaves to user space as a candidate, every
//!   frame the exact filter accepts (superset);
//! - for filters the kernel decides exactly, every frame it counts as a
//!   match matches the exact filter, and it leaves to user space only
//!   frames with nested headers or fragments;
//! - superset rules never produce candidates (their kernel matches are).

use aya::programs::{TestRun as _, TestRunOptions};
use monitor::{
    capture::CaptureReader,
    dissect::pipeline::Pipeline,
    ebpf::{KernelRule, Programs},
    filter::kernel::{kernel_rule, nested_rule},
    filter::{self, Filter},
};
use monitor_common::{rules::MAX_RULES, RECORD_HEADER_LEN};
use monitor_tests::{all_captures, require_root};

const FILTERS: &str = include_str!("../../monitor/src/filter/testdata/filters.txt");

/// Longest frame BPF_PROG_TEST_RUN takes for XDP here.
const TEST_RUN_MAX: usize = 3000;

/// Slot of the "frame has nested headers" marker rule in every batch.
const NESTED_SLOT: usize = MAX_RULES as usize - 1;

struct Case {
    expr: &'static str,
    exact_filter: Filter,
    rule: KernelRule,
    kernel_exact: bool,
}

fn cases() -> Vec<Case> {
    FILTERS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|expr| {
            let exact_filter = filter::compile(expr).ok()?;
            let (rule, kernel_exact) = kernel_rule(expr).ok()?;
            Some(Case {
                expr,
                exact_filter,
                rule,
                kernel_exact,
            })
        })
        .collect()
}

#[test]
fn every_listed_filter_in_the_kernel_agrees_with_the_exact_evaluator() {
    require_root();
    let cases = cases();
    assert!(cases.len() > 300, "only {} filters compiled", cases.len());
    let exact_count = cases.iter().filter(|c| c.kernel_exact).count();

    let mut progs = Programs::load(1 << 24).expect("load programs");
    progs.configure(1.0, 64).expect("configure");
    let mut ring = progs.take_ring().expect("ring");
    let mut tables = progs.take_rules().expect("rule tables");

    // Frames and their exact verdicts, per capture.
    let mut frames: Vec<(String, Vec<u8>, Vec<bool>)> = Vec::new();
    for cap in all_captures() {
        let mut reader = CaptureReader::open(&cap).expect("open capture");
        let mut pipe = Pipeline::new();
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let mut n = 0;
        while let Some(Ok(pkt)) = reader.next_packet() {
            n += 1;
            let d = pipe.dissect_file(&pkt);
            let verdicts = cases.iter().map(|c| c.exact_filter.matches(&d)).collect();
            let data = &pkt.record.data[..pkt.record.data.len().min(TEST_RUN_MAX)];
            if data.len() >= 14 {
                frames.push((format!("{name} frame {n}"), data.to_vec(), verdicts));
            }
        }
    }

    // filter → (frames that failed, first one).
    let mut failures: std::collections::BTreeMap<String, (usize, String)> = Default::default();
    let mut fail = |what: String, label: &str| {
        let e = failures.entry(what).or_insert((0, label.to_string()));
        e.0 += 1;
    };
    let mut checked = 0u64;
    for (b, batch) in cases.chunks(NESTED_SLOT).enumerate() {
        let mut rules: Vec<Option<KernelRule>> =
            batch.iter().map(|c| Some(c.rule.clone())).collect();
        rules.resize(NESTED_SLOT, None);
        rules.push(Some(nested_rule()));
        tables.install(&rules, None).expect("install rules");
        for (label, data, verdicts) in &frames {
            let opts = TestRunOptions {
                data_in: Some(data),
                repeat: 1,
                ..Default::default()
            };
            progs.xdp().unwrap().test_run(opts).expect("test run");
            let rec = ring.next().expect("a sample record per frame");
            assert!(rec.len() >= RECORD_HEADER_LEN);
            let bits = u32::from_ne_bytes(rec[24..28].try_into().unwrap());
            let cands = u32::from_ne_bytes(rec[28..32].try_into().unwrap());
            let nested = bits & (1 << NESTED_SLOT) != 0;
            for (i, c) in batch.iter().enumerate() {
                let kernel = bits & (1 << i) != 0;
                let candidate = cands & (1 << i) != 0;
                if candidate && !(c.kernel_exact && nested) {
                    fail(format!("`{}` left a frame to user space", c.expr), label);
                }
                let user = verdicts[b * NESTED_SLOT + i];
                checked += 1;
                if user && !kernel && !candidate {
                    fail(format!("kernel rejected `{}`", c.expr), label);
                } else if c.kernel_exact && kernel && !user {
                    fail(format!("kernel-exact `{}` accepted more", c.expr), label);
                }
            }
        }
    }
    eprintln!(
        "{} filters ({exact_count} kernel-exact) x {} frames: {checked} verdicts compared",
        cases.len(),
        frames.len()
    );
    let report: Vec<String> = failures
        .iter()
        .map(|(what, (n, first))| format!("{what}: {n} frames, first {first}"))
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}
