//! Dissector tests on real frames (bytes taken from the shared captures)
//! and property tests that arbitrary bytes never make a dissector panic.

use proptest::prelude::*;

use super::format::value_string;
use super::{Dissection, Pipeline};
use crate::record::PacketRecord;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn rec(data: Vec<u8>) -> PacketRecord {
    PacketRecord {
        ts_ns: 1_262_893_114_341_715_000,
        iface: 0,
        direction: None,
        orig_len: data.len() as u32,
        data,
    }
}

/// The `-T fields` text of a field (occurrences joined with `,`).
fn text(d: &Dissection, name: &str) -> String {
    d.fields
        .iter()
        .filter(|f| f.def.name == name)
        .map(|f| value_string(f.def, &f.value))
        .collect::<Vec<_>>()
        .join(",")
}

/// Frame 1 of tcp_handshake.pcapng: a SYN with MSS, WS and SACK_PERM.
const TCP_SYN: &str = "00055d21994c00216a5b7d4a08004500 0034317f4000800655ebac101080d43a
    e28e0b0a0050dc0224740000000080022000cfeb0000020405b4010303020101 0402";

/// Frame 1 of icmpv6_neighbor_solicitation.pcapng.
const ICMPV6_NS: &str = "3333ff001000000c292f803186dd6000 000000203aff20010db8000100020000
    0000000010 03ff0200000000000000000001ff001000870044b70000000020010db8000100020000
    000000001000010100 0c292f8031";

#[test]
fn tcp_syn_fields() {
    let mut p = Pipeline::new();
    let d = p.dissect(&rec(hex(TCP_SYN)));
    assert_eq!(text(&d, "frame.protocols"), "eth:ethertype:ip:tcp");
    assert_eq!(text(&d, "eth.type"), "0x0800");
    assert_eq!(text(&d, "eth.addr"), "00:05:5d:21:99:4c,00:21:6a:5b:7d:4a");
    assert_eq!(text(&d, "ip.flags"), "0x02");
    assert_eq!(text(&d, "ip.flags.df"), "1");
    assert_eq!(text(&d, "ip.id"), "0x317f");
    assert_eq!(text(&d, "ip.addr"), "172.16.16.128,212.58.226.142");
    assert_eq!(text(&d, "tcp.port"), "2826,80");
    assert_eq!(text(&d, "tcp.flags"), "0x0002");
    assert_eq!(text(&d, "tcp.flags.str"), "··········S·");
    assert_eq!(text(&d, "tcp.options.mss_val"), "1460");
    assert_eq!(text(&d, "tcp.options.wscale.multiplier"), "4");
    assert_eq!(text(&d, "tcp.option_kind"), "2,1,3,1,1,4");
    assert_eq!(text(&d, "tcp.hdr_len"), "32");
    assert_eq!(text(&d, "tcp.len"), "0");
    assert_eq!(d.protocol, "TCP");
    assert_eq!(
        d.info,
        "2826 → 80 [SYN] Seq=0 Win=8192 Len=0 MSS=1460 WS=4 SACK_PERM"
    );
    assert!(!d.malformed);
}

#[test]
fn icmpv6_neighbor_solicitation() {
    let mut p = Pipeline::new();
    let d = p.dissect(&rec(hex(ICMPV6_NS)));
    assert_eq!(text(&d, "icmpv6.type"), "135");
    assert_eq!(
        text(&d, "icmpv6.nd.ns.target_address"),
        "2001:db8:1:2::1000"
    );
    assert_eq!(text(&d, "icmpv6.checksum.status"), "1");
    assert_eq!(text(&d, "icmpv6.opt.linkaddr"), "00:0c:29:2f:80:31");
    assert_eq!(text(&d, "ipv6.flow"), "0x000000");
}

#[test]
fn truncated_frames_are_malformed_not_panics() {
    let full = hex(TCP_SYN);
    let mut p = Pipeline::new();
    for n in 0..full.len() {
        let mut r = rec(full[..n].to_vec());
        r.orig_len = full.len() as u32;
        let d = p.dissect(&r);
        assert_eq!(text(&d, "frame.cap_len"), n.to_string());
    }
}

#[test]
fn ipv4_fragments_reassemble_on_last() {
    // An ICMP echo split in two fragments (8 + 4 bytes of ICMP).
    let icmp = [8u8, 0, 0xf7, 0xfc, 0, 1, 0, 2, 0xde, 0xad, 0xbe, 0xef];
    let frag = |off: u16, mf: bool, body: &[u8]| {
        let mut f = hex("ffffffffffff0200000000010800");
        let total = 20 + body.len() as u16;
        let fl = (u16::from(mf) << 13) | (off / 8);
        f.extend_from_slice(&[0x45, 0, (total >> 8) as u8, total as u8, 0x12, 0x34]);
        f.extend_from_slice(&fl.to_be_bytes());
        f.extend_from_slice(&[64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        f.extend_from_slice(body);
        rec(f)
    };
    let mut p = Pipeline::new();
    let d1 = p.dissect(&frag(0, true, &icmp[..8]));
    assert_eq!(text(&d1, "frame.protocols"), "eth:ethertype:ip:data");
    assert_eq!(
        d1.info,
        "Fragmented IP protocol (proto=ICMP 1, off=0, ID=1234)"
    );
    let d2 = p.dissect(&frag(8, false, &icmp[8..]));
    assert_eq!(text(&d2, "ip.fragment"), "1,2");
    assert_eq!(text(&d2, "ip.reassembled.length"), "12");
    assert_eq!(text(&d2, "icmp.type"), "8");
    assert_eq!(text(&d2, "data.len"), "4");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut p = Pipeline::new();
        let _ = p.dissect(&rec(data));
    }

    #[test]
    fn random_payloads_behind_real_headers_never_panic(
        which in 0usize..6,
        tail in proptest::collection::vec(any::<u8>(), 0..120),
        cut in 0usize..80,
    ) {
        // Ethernet + the given ethertype/IP protocol, then random bytes.
        let prefixes = [
            "ffffffffffff0200000000010800 45000064000000004006", // IPv4/TCP, no addresses yet
            "ffffffffffff0200000000010800 45000064000020004011",
            "ffffffffffff0200000000010800 46000064000000004001",
            "ffffffffffff020000000001 86dd 6000000000400000",
            "ffffffffffff020000000001 8100 0001 86dd 600000000040 2c00",
            "ffffffffffff020000000001 88a8 0001 8100 0002 0806",
        ];
        let mut data = hex(prefixes[which]);
        data.extend_from_slice(&tail);
        let keep = data.len().saturating_sub(cut % (data.len() + 1));
        data.truncate(keep.max(1));
        let mut p = Pipeline::new();
        // Twice, so reassembly and conversation state see repeats.
        let _ = p.dissect(&rec(data.clone()));
        let _ = p.dissect(&rec(data));
    }

    #[test]
    fn random_capture_files_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300), magic in 0usize..3) {
        let mut file = match magic {
            0 => vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0],
            1 => vec![0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0],
            _ => Vec::new(),
        };
        file.extend_from_slice(&data);
        if let Ok(r) = crate::capture::CaptureReader::new(&file[..]) {
            let mut p = Pipeline::new();
            for pkt in r.take(100) {
                match pkt {
                    Ok(pkt) => { let _ = p.dissect(&pkt.record); }
                    Err(_) => break,
                }
            }
        }
    }
}

/// Frames of a few shared captures (empty when the captures are absent).
fn real_frames() -> &'static [Vec<u8>] {
    static FRAMES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    FRAMES.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/captures");
        let mut out = Vec::new();
        for name in [
            "mixed_large_web.pcap",
            "icmpv6_ra_mld.pcap",
            "ipv6_frag_udp.pcap",
            "vlan_icmp_cdp_llc.pcap",
            "icmp_traceroute.pcapng",
        ] {
            if let Ok(r) =
                crate::capture::CaptureReader::open(std::path::Path::new(&format!("{dir}/{name}")))
            {
                out.extend(r.take(400).filter_map(Result::ok).map(|p| p.record.data));
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_real_frames_never_panic(
        idx in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let frames = real_frames();
        prop_assume!(!frames.is_empty());
        let mut f = frames[idx.index(frames.len())].clone();
        for (at, v) in flips {
            let i = at.index(f.len());
            f[i] = v;
        }
        let orig = f.len() as u32;
        f.truncate(cut.index(f.len() + 1));
        let mut p = Pipeline::new();
        let mut r = rec(f);
        r.orig_len = orig;
        let _ = p.dissect(&r);
        let _ = p.dissect(&r);
    }
}

#[test]
fn real_frames_are_loaded_when_captures_exist() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/captures");
    if std::path::Path::new(dir).exists() {
        assert!(real_frames().len() > 500, "{}", real_frames().len());
    }
}

/// A pipeline told which fields are read gives those fields exactly the
/// values a full dissection gives: every field whose value a dissector may
/// skip, asked for on its own (other fields left out) and next to
/// `frame.protocols` (every field kept).
#[test]
fn only_fields_gives_the_same_values_for_those_fields() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/captures");
    let skippable = [
        "eth.src_resolved",
        "eth.dst_resolved",
        "eth.addr_resolved",
        "eth.padding",
        "ip.src_host",
        "ip.dst_host",
        "ip.host",
        "ipv6.src_host",
        "ipv6.host",
        "tcp.options",
        "tcp.option_kind",
        "tcp.options.nop",
        "tcp.options.mss",
        "tcp.options.timestamp",
        "tcp.options.sack_perm",
        "tcp.payload",
        "udp.payload",
        "data.data",
        "http.file_data",
        "frame.protocols",
        "frame.interface_name",
        "tcp.flags.str",
        "frame.number",
        "tcp.analysis.ack_rtt",
        "dns.qry.name",
    ];
    // And every field of the dissectors that skip blocks of fields as a
    // whole when none is read (a field missing from its block would be
    // left out when asked for alone).
    let blocks = [
        super::frame::FIELDS,
        super::eth::FIELDS,
        super::ipv4::FIELDS,
        super::tcp::FIELDS,
    ];
    let skippable: Vec<&'static str> = skippable
        .into_iter()
        .chain(blocks.iter().flat_map(|b| b.iter().map(|f| f.name)))
        .collect();
    for name in [
        "http_espn_retrans.pcapng",
        "http_ipv4_and_ipv6.pcapng",
        "dns_lab.pcapng",
        "tcp_dupack_fastretrans.pcapng",
    ] {
        let Ok(r) =
            crate::capture::CaptureReader::open(std::path::Path::new(&format!("{dir}/{name}")))
        else {
            continue;
        };
        let pkts: Vec<_> = r.filter_map(Result::ok).collect();
        for &field in &skippable {
            let (mut full, mut lean, mut with) =
                (Pipeline::new(), Pipeline::new(), Pipeline::new());
            let others = ["frame.protocols", "tcp.stream", "http.host"];
            lean.only_fields([field]);
            with.only_fields(std::iter::once(field).chain(others));
            for p in &pkts {
                let (a, b) = (full.dissect_file(p), lean.dissect_file(p));
                let c = with.dissect_file(p);
                assert_eq!(text(&a, field), text(&b, field), "{name}: {field}");
                for f in std::iter::once(field).chain(others) {
                    assert_eq!(text(&a, f), text(&c, f), "{name}: {f} next to {field}");
                }
            }
        }
    }
}

/// Frames 55, 72 and 73 of mixed_large_web.pcap cut to 60 bytes (as
/// `editcap -s 60` cuts them): 6 bytes of a 1206-byte segment captured.
const CUT_TLS: &str = "12a9866c77de5254 00363eff08004500 04dec6da40003f06 b8b0cc4fc5c8c0a8
    64ce01bbe92a7882 4885cbae31a45018 00fb5d7a00005504 0b130a43";

#[test]
fn cut_segments_go_to_the_application_once_without_reassembly() {
    // As tshark: a segment cut by the snapshot length cannot be reassembled,
    // so its protocol's dissector sees what was captured, once.
    let mut p = Pipeline::new();
    let mut r = rec(hex(CUT_TLS));
    r.orig_len = 1260;
    let d = p.dissect(&r);
    assert_eq!(text(&d, "tcp.len"), "1206");
    assert_eq!(text(&d, "frame.protocols"), "eth:ethertype:ip:tcp:tls");
    assert_eq!(text(&d, "data.len"), "");
}

/// Frames 72 and 73 of the same cut capture: the start of an HTTP response
/// ("HTTP/1") and a body segment, both on port 80.
const CUT_HTTP_START: &str = "12a9866c77de5254 00363eff08004500 04de903f40003f06 45bb5db8ddf0c0a8
    64ce0050e9318f46 bfacc29a690e5010 00fb4fff00004854 54502f31";
const CUT_HTTP_BODY: &str = "12a9866c77de5254 00363eff08004500 04de904040003f06 45ba5db8ddf0c0a8
    64ce0050e9318f46 c462c29a690e5010 00fba3d300007a07 62cb135d";

#[test]
fn cut_http_segments_are_a_message_start_or_data() {
    let mut p = Pipeline::new();
    let mut start = rec(hex(CUT_HTTP_START));
    start.orig_len = 1260;
    let d = p.dissect(&start);
    assert_eq!(text(&d, "frame.protocols"), "eth:ethertype:ip:tcp:http");
    let mut body = rec(hex(CUT_HTTP_BODY));
    body.orig_len = 1260;
    let d = p.dissect(&body);
    assert_eq!(
        text(&d, "frame.protocols"),
        "eth:ethertype:ip:tcp:http:data"
    );
    assert_eq!(text(&d, "data.len"), "6");
}
