//! The kernel's rule engine against tshark: hand-compiled decision graphs
//! for a set of display filters run over every corpus frame with
//! BPF_PROG_TEST_RUN; the rule bitmap in each sample record must be a
//! superset of `tshark -Y FILTER`, and equal to it where the graph decides
//! the filter exactly.

use std::collections::BTreeSet;

use aya::programs::{TestRun as _, TestRunOptions};
use monitor::ebpf::{KernelRule, Programs};
use monitor_common::{
    rules::{field as f, op, proto_bit as pb, RuleNode, ACCEPT as A, REJECT as R},
    RECORD_HEADER_LEN,
};
use monitor_tests::{captures_dir, read_capture, require_root};

fn n(field: u8, o: u8, value: u128, mask: u128, jt: u16, jf: u16) -> RuleNode {
    RuleNode {
        field,
        op: o,
        _pad: 0,
        jt,
        jf,
        value: [(value >> 64) as u64, value as u64],
        mask: [(mask >> 64) as u64, mask as u64],
    }
}

const ALL: u128 = u128::MAX;

/// (filter, graph, exact?) — "exact" graphs must agree with tshark on every
/// frame; the others only have to be supersets (ICMP errors carry inner
/// headers the kernel does not read).
fn rules() -> Vec<(&'static str, Vec<RuleNode>, bool)> {
    vec![
        (
            "tcp.dstport == 80",
            vec![n(f::TCP_DSTPORT, op::EQ, 80, ALL, A, R)],
            true,
        ),
        (
            "tcp.port in {80, 443}",
            vec![
                n(f::TCP_SRCPORT, op::EQ, 80, ALL, A, 1),
                n(f::TCP_SRCPORT, op::EQ, 443, ALL, A, 2),
                n(f::TCP_DSTPORT, op::EQ, 80, ALL, A, 3),
                n(f::TCP_DSTPORT, op::EQ, 443, ALL, A, R),
            ],
            true,
        ),
        (
            "tcp.flags.syn == 1 && tcp.flags.ack == 0",
            vec![
                n(f::TCP_FLAGS, op::ANY_BITS, 0, 0x02, 1, R),
                n(f::TCP_FLAGS, op::ANY_BITS, 0, 0x10, R, A),
            ],
            true,
        ),
        (
            "vlan",
            vec![n(f::PROTOCOLS, op::ANY_BITS, 0, pb::VLAN as u128, A, R)],
            true,
        ),
        (
            "eth.dst == ff:ff:ff:ff:ff:ff",
            vec![n(f::ETH_DST, op::EQ, 0xffff_ffff_ffff, ALL, A, R)],
            true,
        ),
        (
            "ipv6.dst == ff02::/16",
            vec![n(f::IPV6_DST, op::EQ, 0xff02 << 112, 0xffff << 112, A, R)],
            true,
        ),
        (
            "tcp.len > 100 && ip.ttl <= 64",
            vec![
                n(f::TCP_LEN, op::GT, 100, ALL, 1, R),
                n(f::IP_TTL, op::LE, 64, ALL, A, R),
            ],
            true,
        ),
        (
            "arp || udp.dstport == 53",
            vec![
                n(f::PROTOCOLS, op::ANY_BITS, 0, pb::ARP as u128, A, 1),
                n(f::UDP_DSTPORT, op::EQ, 53, ALL, A, 2),
                // ICMP errors may quote a UDP header: a candidate.
                n(
                    f::PROTOCOLS,
                    op::ANY_BITS,
                    0,
                    (pb::ICMP | pb::ICMPV6) as u128,
                    A,
                    R,
                ),
            ],
            false,
        ),
        (
            "ip.addr == 192.168.0.0/16",
            vec![
                n(f::IP_SRC, op::EQ, 0xc0a8_0000, 0xffff_0000, A, 1),
                n(f::IP_DST, op::EQ, 0xc0a8_0000, 0xffff_0000, A, 2),
                n(f::PROTOCOLS, op::ANY_BITS, 0, pb::ICMP as u128, A, R),
            ],
            false,
        ),
        (
            "frame.len >= 1000 && !tcp",
            vec![
                n(f::FRAME_LEN, op::GE, 1000, ALL, 1, R),
                n(f::PROTOCOLS, op::ANY_BITS, 0, pb::TCP as u128, R, A),
            ],
            true,
        ),
    ]
}

/// Filters compiled by `monitor::filter::kernel::kernel_rule`.
const COMPILED: &[&str] = &[
    "tcp.port == 443 || udp.port == 53",
    "ip.src == 192.168.0.0/16 && !(tcp.dstport in {80, 443})",
    "tcp.flags.syn == 1 and tcp.flags.ack == 0",
    "tcp.flags & 0x12 == 0x12",
    "ipv6 && !icmpv6",
    "eth.type == 0x8100",
    "vlan.id == 100 || arp",
    "ip.ttl < 64 || ip.proto == 17",
    "icmp.type == 8 || icmp.type == 0",
    "udp.dstport >= 1024 && udp.dstport <= 2048",
    "tcp.len > 0 && tcp.srcport != 80",
    "eth.src == 00:00:00:00:00:00 || eth.dst[0] & 1",
    "ip.addr != 10.0.0.1",
    "tcp.port in {20..25, 110, 143..144}",
    "not ip and not arp",
];

const CAPTURES: &[&str] = &[
    "arp_resolution.pcapng",
    "bgp_messages.pcap",
    "dhcp_dora.pcapng",
    "dns_lab.pcapng",
    "http_google.pcapng",
    "http_ipv4_and_ipv6.pcapng",
    "icmp_traceroute.pcapng",
    "icmpv6_ra_mld.pcap",
    "ipv4_frag_udp_nfs.pcap",
    "ipv6_frag_icmpv6.pcapng",
    "ospfv3.pcap",
    "qinq_802.1ad_arp.pcap",
    "tcp_handshake.pcapng",
    "tcp_vlan_http_retrans.pcap",
    "vlan_icmp_cdp_llc.pcap",
    "vlan_ipv6_frag_tcp.pcap",
];

fn tshark_matches(cap: &std::path::Path, filter: &str) -> BTreeSet<usize> {
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
        .args(["-Y", filter, "-T", "fields", "-e", "frame.number"])
        .output()
        .expect("tshark");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

#[test]
fn kernel_rules_agree_with_tshark_on_every_capture() {
    require_root();
    let mut rules = rules();
    // Hand-written graphs have no candidate exit: their nested frames are
    // exempt from exactness. Compiled ones leave those to user space.
    let hand_written = rules.len();
    // Filters compiled by the display-filter engine's kernel back end.
    for filter in COMPILED {
        let (rule, exact) = monitor::filter::kernel::kernel_rule(filter)
            .unwrap_or_else(|e| panic!("{filter}: {}", e.message));
        rules.push((filter, rule.nodes, exact));
    }
    // Last slot: which frames carry nested headers (always candidates).
    let nested_slot = rules.len();
    assert!(nested_slot < 32);
    let mut progs = Programs::load(1 << 20).expect("load programs");
    progs.configure(1.0, 64).expect("configure");
    let mut ring = progs.take_ring().expect("ring");
    let mut tables = progs.take_rules().expect("rule tables");
    let mut kernel: Vec<Option<KernelRule>> = rules
        .iter()
        .map(|(_, nodes, _)| {
            Some(KernelRule {
                nodes: nodes.clone(),
                sample: 0.0,
            })
        })
        .collect();
    kernel.push(Some(KernelRule {
        nodes: vec![n(f::PROTOCOLS, op::ANY_BITS, 0, pb::NESTED as u128, A, R)],
        sample: 0.0,
    }));
    tables.install(&kernel, None).expect("install rules");

    // A spread of the corpus: VLAN/QinQ, ARP, IPv4/IPv6 with fragments and
    // extension headers, ICMP errors, TCP, UDP services, routing protocols.
    let captures: Vec<_> = CAPTURES.iter().map(|c| captures_dir().join(c)).collect();

    // tshark's verdicts, four processes at a time.
    let jobs: Vec<(usize, usize)> = (0..captures.len())
        .flat_map(|c| (0..rules.len()).map(move |r| (c, r)))
        .collect();
    let mut oracle = vec![BTreeSet::new(); jobs.len()];
    std::thread::scope(|s| {
        for (chunk_jobs, chunk_out) in jobs
            .chunks(jobs.len().div_ceil(4))
            .zip(oracle.chunks_mut(jobs.len().div_ceil(4)))
        {
            let (captures, rules) = (&captures, &rules);
            s.spawn(move || {
                for ((c, r), out) in chunk_jobs.iter().zip(chunk_out.iter_mut()) {
                    *out = tshark_matches(&captures[*c], rules[*r].0);
                }
            });
        }
    });

    let mut failures = Vec::new();
    let mut checked = 0usize;
    for (ci, cap) in captures.iter().enumerate() {
        let frames = read_capture(cap);
        // The kernel's bitmap for every frame.
        let mut bitmaps = Vec::with_capacity(frames.len());
        for fr in &frames {
            let data = &fr.data[..fr.data.len().min(3000)];
            let opts = TestRunOptions {
                data_in: Some(data),
                repeat: 1,
                ..Default::default()
            };
            progs.xdp().unwrap().test_run(opts).expect("test_run");
            let item = ring.next().expect("a sample record per frame");
            assert!(item.len() >= RECORD_HEADER_LEN);
            let rules = u32::from_ne_bytes(item[24..28].try_into().unwrap());
            let cands = u32::from_ne_bytes(item[28..32].try_into().unwrap());
            bitmaps.push((rules, cands));
        }
        for (i, (filter, _, exact)) in rules.iter().enumerate() {
            // frame.len is the test-run length, which is cut at 3000 bytes.
            if filter.contains("frame.len") && frames.iter().any(|f| f.data.len() > 3000) {
                continue;
            }
            let want = &oracle[ci * rules.len() + i];
            let with = |pick: &dyn Fn(&(u32, u32)) -> u32| -> BTreeSet<usize> {
                bitmaps
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| pick(b) & (1 << i) != 0)
                    .map(|(k, _)| k + 1)
                    .collect()
            };
            let got = with(&|b| b.0);
            let passed = with(&|b| b.0 | b.1);
            let candidates = with(&|b| b.1);
            checked += frames.len();
            let missing: Vec<_> = want.difference(&passed).collect();
            // Only nested frames are left to user space.
            let stray: Vec<_> = candidates
                .iter()
                .filter(|k| bitmaps[**k - 1].0 & (1 << nested_slot) == 0)
                .collect();
            let extra: Vec<_> = got
                .difference(want)
                .filter(|k| i >= hand_written || bitmaps[**k - 1].0 & (1 << nested_slot) == 0)
                .collect();
            let name = cap.file_name().unwrap().to_string_lossy();
            if !missing.is_empty() {
                failures.push(format!(
                    "{name}: `{filter}`: kernel missed frames {missing:?}"
                ));
            }
            if !stray.is_empty() {
                failures.push(format!(
                    "{name}: `{filter}`: frames without nested headers left to user space {stray:?}"
                ));
            }
            if *exact && !extra.is_empty() {
                failures.push(format!(
                    "{name}: `{filter}` (exact): kernel also matched {extra:?}"
                ));
            }
        }
    }
    eprintln!("{checked} (frame, rule) verdicts checked against tshark");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn filter_verify_agrees_on_real_captures() {
    require_root();
    for cap in [
        "http_espn_retrans.pcapng",
        "dns_lab.pcapng",
        "vlan_icmp.pcap",
        "ipv6_frag_udp.pcap",
    ] {
        for filter in [
            "tcp.port == 80",
            "udp.port == 53 || icmp",
            "ip.src == 192.168.0.0/16 and not tcp.flags.syn == 1",
            "tcp.analysis.retransmission",
            "ipv6 && udp",
        ] {
            let out = std::process::Command::new(monitor_tests::monitor_bin())
                .args(["filter", "verify", "-r"])
                .arg(captures_dir().join(cap))
                .arg(filter)
                .output()
                .expect("monitor filter verify");
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{cap} `{filter}`:\n{text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(text.contains("packets: kernel accepted"), "{text}");
        }
    }
}

/// A frame: Ethernet to `ethertype`, then `l3`.
fn frame(ethertype: u16, l3: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(l3);
    f
}

/// A TCP SYN 40000 → 80 (checksum left 0: tshark does not check it).
fn syn_to_80() -> Vec<u8> {
    let mut t = vec![
        0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff,
    ];
    t.extend_from_slice(&[0, 0, 0, 0]);
    t
}

/// Write `frames` as a classic pcap file.
fn write_pcap(path: &std::path::Path, frames: &[Vec<u8>]) {
    let mut b = Vec::new();
    for v in [0xa1b2_c3d4u32, 0x0004_0002, 0, 0, 65535, 1] {
        if v == 0x0004_0002 {
            b.extend_from_slice(&2u16.to_le_bytes());
            b.extend_from_slice(&4u16.to_le_bytes());
        } else {
            b.extend_from_slice(&v.to_le_bytes());
        }
    }
    for (i, f) in frames.iter().enumerate() {
        for v in [i as u32 + 1, 0, f.len() as u32, f.len() as u32] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(f);
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn headers_the_parser_does_not_walk_leave_frames_to_user_space() {
    require_root();
    // IPv6 with five destination-options headers (the parser walks four)
    // before TCP; IPv4 with AH (51) before TCP.
    let mut v6 = vec![0x60, 0, 0, 0];
    let mut body = Vec::new();
    for k in 0..5 {
        let next = if k == 4 { 6 } else { 60 };
        body.extend_from_slice(&[next, 0, 1, 4, 0, 0, 0, 0]);
    }
    body.extend_from_slice(&syn_to_80());
    v6.extend_from_slice(&(body.len() as u16).to_be_bytes());
    v6.extend_from_slice(&[60, 64]);
    v6.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    v6.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    v6.extend_from_slice(&body);
    let mut ah = vec![6, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    ah.extend_from_slice(&[0; 12]);
    let mut v4 = vec![
        0x45, 0, 0, 0, 0, 1, 0, 0, 64, 51, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    let total = (20 + ah.len() + 20) as u16;
    v4[2..4].copy_from_slice(&total.to_be_bytes());
    v4.extend_from_slice(&ah);
    v4.extend_from_slice(&syn_to_80());
    let frames = [frame(0x86dd, &v6), frame(0x0800, &v4)];

    let filter = "tcp.port == 80";
    let pcap = std::env::temp_dir().join(format!("monitor-unwalked-{}.pcap", std::process::id()));
    write_pcap(&pcap, &frames);
    let want = tshark_matches(&pcap, filter);
    let _ = std::fs::remove_file(&pcap);
    assert_eq!(want, BTreeSet::from([1, 2]), "tshark sees TCP in both");

    let (rule, exact) = monitor::filter::kernel::kernel_rule(filter).unwrap();
    assert!(exact);
    let mut progs = Programs::load(1 << 16).expect("load programs");
    progs.configure(1.0, 64).expect("configure");
    let mut ring = progs.take_ring().expect("ring");
    let mut tables = progs.take_rules().expect("rule tables");
    tables.install(&[Some(rule)], None).expect("install");
    for (i, f) in frames.iter().enumerate() {
        let opts = TestRunOptions {
            data_in: Some(f),
            repeat: 1,
            ..Default::default()
        };
        progs.xdp().unwrap().test_run(opts).expect("test_run");
        let item = ring.next().expect("a record");
        let matched = u32::from_ne_bytes(item[24..28].try_into().unwrap());
        let cands = u32::from_ne_bytes(item[28..32].try_into().unwrap());
        assert_eq!(
            (matched & 1, cands & 1),
            (0, 1),
            "frame {}: a candidate, neither rejected nor counted",
            i + 1
        );
    }
}

#[test]
fn candidates_beyond_a_full_ring_are_counted_lost() {
    require_root();
    // An ICMP port-unreachable quoting a UDP datagram to port 9998: a
    // candidate of the kernel-exact rule `udp.port == 9998`.
    let quoted_ip = [
        0x45, 0, 0, 36, 0, 2, 0, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1,
    ];
    let quoted_udp = [0x9c, 0x40, 0x27, 0x0e, 0, 16, 0, 0];
    let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&quoted_ip);
    icmp.extend_from_slice(&quoted_udp);
    let mut v4 = vec![
        0x45, 0, 0, 0, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    let total = (20 + icmp.len()) as u16;
    v4[2..4].copy_from_slice(&total.to_be_bytes());
    v4.extend_from_slice(&icmp);
    let f = frame(0x0800, &v4);

    let (rule, exact) = monitor::filter::kernel::kernel_rule("udp.port == 9998").unwrap();
    assert!(exact);
    // A small ring, nobody reading it, no random sampling: only the
    // candidates are sent, and most find no room.
    let mut progs = Programs::load(1 << 13).expect("load programs");
    progs.configure(0.0, 64).expect("configure");
    let mut ring = progs.take_ring().expect("ring");
    let mut tables = progs.take_rules().expect("rule tables");
    let counters = progs.take_counters().expect("counters");
    tables.install(&[Some(rule)], None).expect("install");
    const RUNS: u64 = 10;
    let opts = TestRunOptions {
        data_in: Some(&f),
        repeat: RUNS as u32,
        ..Default::default()
    };
    progs.xdp().unwrap().test_run(opts).expect("test_run");
    let mut sent = 0u64;
    while let Some(item) = ring.next() {
        let cands = u32::from_ne_bytes(item[28..32].try_into().unwrap());
        assert_eq!(cands & 1, 1);
        // Sent whole, not cut at the 64-byte snaplen.
        let cap = u32::from_ne_bytes(item[16..20].try_into().unwrap());
        assert_eq!(cap as usize, f.len());
        sent += 1;
    }
    let slot = monitor_common::iface::UNKNOWN_SLOT;
    let c = counters.rule(slot, 0, monitor_common::direction::INGRESS);
    assert_eq!((c.packets, c.candidates), (0, RUNS), "{c:?}");
    assert_eq!(c.candidate_bytes, RUNS * f.len() as u64);
    assert!(sent > 0 && c.candidates_lost > 0, "sent {sent}, {c:?}");
    assert_eq!(sent + c.candidates_lost, RUNS, "{c:?}");
    let t = counters.all()[0];
    assert_eq!(t.ringbuf_dropped, c.candidates_lost);
}

/// A TCP segment 40000 → 80 with `opts` bytes of options (NOPs, a multiple
/// of 4) and `payload` bytes of data; every header byte differs, so a copy
/// from the wrong offset shows.
fn tcp_segment(opts: usize, payload: usize) -> Vec<u8> {
    let words = (5 + opts / 4) as u8;
    let mut t = vec![
        0x9c, 0x40, 0, 80, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    ];
    t.extend_from_slice(&[words << 4, 0x18, 0x01, 0xf5, 0xab, 0xcd, 0, 0]);
    t.extend((0..opts).map(|k| if k + 1 == opts { 0 } else { 1 }));
    t.extend((0..payload).map(|k| (k * 7) as u8));
    t
}

/// IPv4 with `opts` bytes of options (a multiple of 4) around `payload`.
fn ipv4_with(opts: usize, proto: u8, payload: &[u8]) -> Vec<u8> {
    let ihl = (5 + opts / 4) as u8;
    let mut h = vec![0x40 | ihl, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0];
    h[2..4].copy_from_slice(&((20 + opts + payload.len()) as u16).to_be_bytes());
    h.extend_from_slice(&[10, 0, 0, 2, 10, 0, 0, 1]);
    h.extend((0..opts).map(|k| if k + 1 == opts { 0 } else { 1 }));
    h.extend_from_slice(payload);
    h
}

#[test]
fn records_hold_the_frame_bytes_exactly() {
    require_root();
    // Header lengths from 54 to 138 bytes: every remainder modulo 8, both
    // record sizes, segments ending at the header (pure ACKs) and with
    // data, IPv4 with options, IPv6, a VLAN tag.
    let mut frames: Vec<(Vec<u8>, usize)> = Vec::new();
    for opts in (0..=40).step_by(4) {
        for payload in [0, 1, 100] {
            let seg = tcp_segment(opts, payload);
            let hl = 20 + opts;
            frames.push((frame(0x0800, &ipv4_with(0, 6, &seg)), 14 + 20 + hl));
            frames.push((frame(0x0800, &ipv4_with(40, 6, &seg)), 14 + 60 + hl));
            let mut v6 = vec![0x60, 0, 0, 0];
            v6.extend_from_slice(&(seg.len() as u16).to_be_bytes());
            v6.extend_from_slice(&[6, 64]);
            v6.extend((0..32).map(|k| 0x20 + k as u8));
            v6.extend_from_slice(&seg);
            frames.push((frame(0x86dd, &v6), 14 + 40 + hl));
            let mut tagged = vec![0, 10, 0x08, 0x00];
            tagged.extend_from_slice(&ipv4_with(40, 6, &seg));
            frames.push((frame(0x8100, &tagged), 18 + 60 + hl));
        }
    }
    let (scope, _) = monitor::filter::kernel::kernel_rule("tcp").unwrap();
    let mut progs = Programs::load(1 << 16).expect("load programs");
    let mut ring = progs.take_ring().expect("sample ring");
    let mut tcp_ring = progs.take_tcp_ring().expect("TCP ring");
    let mut tables = progs.take_rules().expect("rule tables");
    tables.install(&[], Some(&scope)).expect("install");
    // Every frame sampled too, cut at 64 and at 256 bytes.
    for snaplen in [64usize, 256] {
        progs
            .configure_all(1.0, snaplen as u32, true)
            .expect("configure");
        for egress in [false, true] {
            for (k, (f, hdr)) in frames.iter().enumerate() {
                let opts = TestRunOptions {
                    data_in: Some(f),
                    repeat: 1,
                    ..Default::default()
                };
                if egress {
                    progs.tc().unwrap().test_run(opts).expect("test_run");
                } else {
                    progs.xdp().unwrap().test_run(opts).expect("test_run");
                }
                let what = format!("frame {k} ({} bytes, egress {egress})", f.len());
                let check = |item: &[u8], kind: u8, want_cap: usize, name: &str| {
                    let at =
                        |i: usize| u32::from_ne_bytes(item[i..i + 4].try_into().unwrap()) as usize;
                    let (orig, cap) = (at(12), at(16));
                    assert_eq!(item[20], kind, "{what}: {name}");
                    assert_eq!((orig, cap), (f.len(), want_cap), "{what}: {name}");
                    assert_eq!(
                        &item[RECORD_HEADER_LEN..RECORD_HEADER_LEN + cap],
                        &f[..cap],
                        "{what}: {name}"
                    );
                };
                let item = tcp_ring.next().expect("a TCP record per segment");
                check(
                    &item,
                    monitor_common::record_kind::TCP_HEADERS,
                    *hdr,
                    "TCP record",
                );
                drop(item);
                assert!(tcp_ring.next().is_none(), "{what}: one TCP record");
                let item = ring.next().expect("a sample per frame");
                let want = f.len().min(snaplen);
                check(&item, monitor_common::record_kind::SAMPLE, want, "sample");
                drop(item);
                assert!(ring.next().is_none(), "{what}: one sample");
            }
        }
    }
}
