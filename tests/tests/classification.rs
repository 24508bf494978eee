//! Every packet of the sample captures goes through the kernel programs with
//! BPF_PROG_TEST_RUN; the protocols they count must be the ones tshark sees
//! (`frame.protocols`, with IP reassembly off since the kernel looks at one
//! frame at a time).

use std::collections::BTreeMap;

use aya::programs::{TestRun as _, TestRunOptions};
use monitor::ebpf::{CounterMap, Programs};
use monitor_common::proto;
use monitor_tests::{read_capture, require_root};

/// Expected protocol indexes for one tshark `frame.protocols` string.
fn expected(protocols: &str) -> Vec<usize> {
    let layers: Vec<&str> = protocols.split(':').collect();
    let mut out = Vec::new();
    let mut i = 1; // after "eth"
    let mut vlan = false;
    while i < layers.len() && matches!(layers[i], "ethertype" | "vlan" | "ieee8021ad") {
        vlan |= layers[i] != "ethertype";
        i += 1;
    }
    if vlan {
        out.push(proto::VLAN);
    }
    match layers.get(i).copied() {
        Some("arp") => out.push(proto::ARP),
        Some(l3 @ ("ip" | "ipv6")) => {
            out.push(if l3 == "ip" { proto::IPV4 } else { proto::IPV6 });
            let mut j = i + 1;
            while j < layers.len() && layers[j].starts_with("ipv6.") {
                j += 1;
            }
            out.push(match layers.get(j).copied() {
                Some("tcp") => proto::TCP,
                Some("udp") => proto::UDP,
                Some("icmp") => proto::ICMP,
                Some("icmpv6") => proto::ICMPV6,
                _ => proto::IP_OTHER,
            });
        }
        _ => out.push(proto::OTHER),
    }
    out.sort();
    out
}

fn per_direction(c: &CounterMap) -> [[u64; proto::COUNT]; 2] {
    let [i, e] = c.all();
    [i.proto, e.proto]
}

fn counted(before: &[u64; proto::COUNT], after: &[u64; proto::COUNT]) -> Vec<usize> {
    (0..proto::COUNT)
        .flat_map(|i| std::iter::repeat_n(i, (after[i] - before[i]) as usize))
        .collect()
}

#[test]
fn kernel_classification_equals_tshark_on_every_capture() {
    require_root();
    let mut progs = Programs::load(1 << 16).expect("load programs");
    progs.configure(0.0, 256).expect("configure");
    let counters = progs.take_counters().expect("counters");
    let captures = monitor_tests::all_captures();
    assert!(captures.len() >= 50, "expected the sample captures");

    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for cap in &captures {
        let out = test_support::tshark()
            .args([
                "-n",
                "-o",
                "ip.defragment:FALSE",
                "-o",
                "ipv6.defragment:FALSE",
                "-r",
            ])
            .arg(cap)
            .args(["-T", "fields", "-e", "frame.protocols"])
            .output()
            .expect("tshark");
        let tshark: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(String::from)
            .collect();
        let frames = read_capture(cap);
        assert_eq!(frames.len(), tshark.len(), "{}: frame count", cap.display());
        for (n, (frame, protos)) in frames.iter().zip(&tshark).enumerate() {
            let want = expected(protos);
            for dir in 0..2 {
                let before = per_direction(&counters);
                // Test runs take at most a page of data; the headers the
                // programs classify are always within the first 3000 bytes.
                let data = &frame.data[..frame.data.len().min(3000)];
                let opts = TestRunOptions {
                    data_in: Some(data),
                    repeat: 1,
                    ..Default::default()
                };
                let ran = if dir == 0 {
                    progs.xdp().unwrap().test_run(opts).map(|r| r.return_value)
                } else {
                    progs.tc().unwrap().test_run(opts).map(|r| r.return_value)
                };
                let rv = ran
                    .unwrap_or_else(|e| panic!("{} frame {}: test_run: {e}", cap.display(), n + 1));
                let pass = if dir == 0 { rv == 2 } else { rv as i32 == -1 };
                assert!(
                    pass,
                    "{} frame {}: program did not pass the packet ({rv})",
                    cap.display(),
                    n + 1
                );
                let after = per_direction(&counters);
                let mut got = counted(&before[dir], &after[dir]);
                got.sort();
                let e = totals
                    .entry(if dir == 0 { "xdp" } else { "tc" })
                    .or_default();
                e.0 += 1;
                if got == want {
                    e.1 += 1;
                } else {
                    failures.push(format!(
                        "{} frame {} ({}): tshark {protos} → {:?}, kernel {:?}",
                        cap.file_name().unwrap().to_string_lossy(),
                        n + 1,
                        if dir == 0 { "xdp" } else { "tc" },
                        want.iter().map(|i| proto::NAMES[*i]).collect::<Vec<_>>(),
                        got.iter().map(|i| proto::NAMES[*i]).collect::<Vec<_>>(),
                    ));
                }
            }
        }
    }
    for (prog, (n, ok)) in &totals {
        eprintln!("{prog}: {ok}/{n} packets classified as tshark does");
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}
