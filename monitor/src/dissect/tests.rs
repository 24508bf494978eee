//! Dissector tests on real frames (bytes taken from the shared captures)
//! and property tests that arbitrary bytes never make a dissector panic.

use proptest::prelude::*;

use super::format::value_string;
use super::{Dissection, Pipeline};
use crate::record::PacketRecord;

use test_support::hex;

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
fn a_full_conversation_table_is_emptied_for_the_next_new_one() {
    // The SYN's frame made a UDP datagram (24 bytes of payload) from three
    // source ports; at most two conversations kept.
    let datagram = |sport: u16| {
        let mut f = hex(TCP_SYN);
        f[23] = 17;
        f[34..36].copy_from_slice(&sport.to_be_bytes());
        f[36..38].copy_from_slice(&40000u16.to_be_bytes());
        f[38..40].copy_from_slice(&32u16.to_be_bytes());
        f[40..42].copy_from_slice(&[0, 0]);
        rec(f)
    };
    let mut p = Pipeline::new();
    p.set_max_conversations(2);
    let streams: Vec<String> = [1, 2, 1, 3, 1, 2]
        .into_iter()
        .map(|s| text(&p.dissect(&datagram(s)), "udp.stream"))
        .collect();
    // Port 3 finds the table full: emptied, it starts again from 3
    // alone; port 1 comes back as a new conversation, and port 2 finds
    // the table full again.
    assert_eq!(streams, ["0", "1", "0", "2", "3", "4"]);
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
        which in 0usize..8,
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
            "0180c2000000020000000001 0026 424203 0000", // STP
            "01000ccccccc020000000001 0080 aaaa0300000c2000 02b4", // CDP
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
        let mut out = Vec::new();
        for name in [
            "mixed_large_web.pcap",
            "icmpv6_ra_mld.pcap",
            "ipv6_frag_udp.pcap",
            "vlan_icmp_cdp_llc.pcap",
            "icmp_traceroute.pcapng",
        ] {
            if let Ok(r) = crate::capture::CaptureReader::open(&test_support::capture(name)) {
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
    if test_support::have_captures() {
        assert!(real_frames().len() > 500, "{}", real_frames().len());
    }
}

/// A pipeline told which fields are read gives those fields exactly the
/// values a full dissection gives: every field whose value a dissector may
/// skip, asked for on its own (other fields left out) and next to
/// `frame.protocols` (every field kept).
#[test]
fn only_fields_gives_the_same_values_for_those_fields() {
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
        let path = test_support::capture(name);
        if !test_support::have_capture(&path) {
            continue;
        }
        let r = crate::capture::CaptureReader::open(&path).expect(name);
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

/// Frame 18 of mixed_large_web.pcap: an 802.1D Configuration BPDU.
const STP_CONF: &str = "0180c2000000fe5400107593002642420300000000008000
    5254002f9f430000000080005254002f9f4380050000140002000200";

/// Frame 23 of vlan_icmp_cdp_llc.pcap: CDP v2 from a Catalyst 3550 (cluster
/// hello, native VLAN, trust TLVs, management address), 375 bytes.
const CDP_S2: &str = "01000ccccccc000f345f168d0169aaaa0300000c200002b401a5000100065332
    000500c2436973636f20494f5320536f6674776172652c20433335353020536f
    667477617265202843333535302d495053455256494345534b392d4d292c2056
    657273696f6e2031322e32283434295345322c2052454c4541534520534f4654
    574152452028666332290a436f707972696768742028632920313938362d3230
    303820627920436973636f2053797374656d732c20496e632e0a436f6d70696c
    6564205468752030312d4d61792d30382031363a313420627920616e746f6e69
    6e6f00060015436973636f2057532d43333535302d3234000200110000000101
    01cc000400000000000300144661737445746865726e6574302f313300040008
    000000280008002400000c011200000000ffffffff010221ff00000000000000
    0f345f1680ff000000090009636973636f000a00060001000b00050100120005
    00001300050000160011000000010101cc000400000000";

#[test]
fn stp_configuration_bpdu() {
    let data = hex(STP_CONF);
    let mut p = Pipeline::new();
    let d = p.dissect(&rec(data));
    assert_eq!(text(&d, "frame.protocols"), "eth:llc:stp");
    assert_eq!(d.protocol, "STP");
    assert_eq!(
        d.info,
        "Conf. Root = 32768/0/52:54:00:2f:9f:43  Cost = 0  Port = 0x8005"
    );
    assert_eq!(text(&d, "stp.protocol"), "0x0000");
    assert_eq!(text(&d, "stp.version"), "0");
    assert_eq!(text(&d, "stp.type"), "0x00");
    assert_eq!(text(&d, "stp.flags"), "0x00");
    assert_eq!(text(&d, "stp.flags.tcack"), "0");
    assert_eq!(text(&d, "stp.flags.tc"), "0");
    assert_eq!(text(&d, "stp.flags.agreement"), "");
    assert_eq!(text(&d, "stp.root.prio"), "32768");
    assert_eq!(text(&d, "stp.root.ext"), "0");
    assert_eq!(text(&d, "stp.root.hw"), "52:54:00:2f:9f:43");
    assert_eq!(text(&d, "stp.root.cost"), "0");
    assert_eq!(text(&d, "stp.bridge.hw"), "52:54:00:2f:9f:43");
    assert_eq!(text(&d, "stp.port"), "0x8005");
    assert_eq!(text(&d, "stp.msg_age"), "0");
    assert_eq!(text(&d, "stp.max_age"), "20");
    assert_eq!(text(&d, "stp.hello"), "2");
    assert_eq!(text(&d, "stp.forward"), "2");
    assert_eq!(text(&d, "stp.version_1_length"), "");
    assert!(!d.malformed);
}

/// The same BPDU made an RST BPDU with every flag but the proposal set.
#[test]
fn stp_rapid_bpdu_flags() {
    let mut data = hex(STP_CONF);
    // (length 39, version 2, type 2, flags, the version 1 length 0 last)
    data[13] = 39;
    data[19] = 2;
    data[20] = 2;
    data[21] = 0xfd;
    data.push(0);
    let mut p = Pipeline::new();
    let d = p.dissect(&rec(data));
    assert_eq!(
        d.info,
        "RST. TC + Root = 32768/0/52:54:00:2f:9f:43  Cost = 0  Port = 0x8005"
    );
    assert_eq!(text(&d, "stp.flags"), "0xfd");
    for (f, v) in [
        ("tcack", "1"),
        ("agreement", "1"),
        ("forwarding", "1"),
        ("learning", "1"),
        ("port_role", "3"),
        ("proposal", "0"),
        ("tc", "1"),
    ] {
        assert_eq!(text(&d, &format!("stp.flags.{f}")), v, "{f}");
    }
    assert_eq!(text(&d, "stp.version_1_length"), "0");
}

/// tshark reads a BPDU's Info fields before it shows any field: a BPDU cut
/// before its port identifier shows none; one cut later shows what is there.
#[test]
fn stp_cut_short() {
    let full = hex(STP_CONF);
    let mut p = Pipeline::new();
    for (keep, last) in [(20, None), (43, None), (50, Some("stp.hello"))] {
        let mut r = rec(full[..keep].to_vec());
        r.orig_len = full.len() as u32;
        let d = p.dissect(&r);
        assert_eq!(text(&d, "frame.protocols"), "eth:llc:stp");
        assert_eq!(d.protocol, "STP");
        assert_eq!(d.has("stp"), last.is_some(), "{keep}");
        if let Some(f) = last {
            assert_eq!(text(&d, f), "2");
            assert_eq!(text(&d, "stp.forward"), "");
            assert!(d.info.starts_with("Conf. Root"));
        } else {
            assert_eq!(d.info, "[Packet size limited during capture]");
        }
    }
}

#[test]
fn cdp_fields_and_columns() {
    let mut p = Pipeline::new();
    let d = p.dissect(&rec(hex(CDP_S2)));
    assert_eq!(text(&d, "frame.protocols"), "eth:llc:cdp");
    assert_eq!(d.protocol, "CDP");
    assert_eq!(d.info, "Device ID: S2  Port ID: FastEthernet0/13  ");
    assert_eq!(text(&d, "llc.cisco_pid"), "0x2000");
    assert_eq!(text(&d, "cdp.version"), "2");
    assert_eq!(text(&d, "cdp.ttl"), "180");
    assert_eq!(text(&d, "cdp.checksum"), "0x01a5");
    assert_eq!(text(&d, "cdp.checksum.status"), "1");
    assert_eq!(
        text(&d, "cdp.tlv.type"),
        "0x0001,0x0005,0x0006,0x0002,0x0003,0x0004,0x0008,0x0009,0x000a,0x000b,0x0012,0x0013,0x0016"
    );
    assert_eq!(text(&d, "cdp.deviceid"), "S2");
    assert_eq!(text(&d, "cdp.portid"), "FastEthernet0/13");
    assert_eq!(text(&d, "cdp.platform"), "Cisco WS-C3550-24");
    assert_eq!(
        text(&d, "cdp.software_version"),
        "Cisco IOS Software, C3550 Software (C3550-IPSERVICESK9-M), Version 12.2(44)SE2, \
         RELEASE SOFTWARE (fc2),Copyright (c) 1986-2008 by Cisco Systems, Inc.,\
         Compiled Thu 01-May-08 16:14 by antonino"
    );
    assert_eq!(text(&d, "cdp.number_of_addresses"), "1,1");
    assert_eq!(text(&d, "cdp.protocol"), "cc,cc");
    assert_eq!(text(&d, "cdp.nrgyz.ip_address"), "0.0.0.0,0.0.0.0");
    assert_eq!(text(&d, "cdp.capabilities"), "0x00000028");
    assert_eq!(text(&d, "cdp.capabilities.switch"), "1");
    assert_eq!(text(&d, "cdp.capabilities.router"), "0");
    assert_eq!(text(&d, "cdp.oui"), "12");
    assert_eq!(text(&d, "cdp.protocol_id"), "0x0112");
    assert_eq!(text(&d, "cdp.cluster.ip"), "255.255.255.255");
    assert_eq!(text(&d, "cdp.cluster.unknown"), "0xff,0xff");
    assert_eq!(text(&d, "cdp.cluster.switch_mac"), "00:0f:34:5f:16:80");
    assert_eq!(text(&d, "cdp.vtp_management_domain"), "cisco");
    assert_eq!(text(&d, "cdp.native_vlan"), "1");
    assert_eq!(text(&d, "cdp.duplex"), "1");
    assert_eq!(text(&d, "cdp.trust_bitmap"), "0x00");
    assert!(!d.malformed);
}

/// A changed byte shows as a bad checksum; a cut packet shows no checksum.
#[test]
fn cdp_checksum_and_cut() {
    let full = hex(CDP_S2);
    let mut bad = full.clone();
    bad[40] ^= 1;
    let mut p = Pipeline::new();
    let d = p.dissect(&rec(bad));
    assert_eq!(text(&d, "cdp.checksum.status"), "0");
    let mut r = rec(full[..60].to_vec());
    r.orig_len = full.len() as u32;
    let d = p.dissect(&r);
    assert_eq!(text(&d, "frame.protocols"), "eth:llc:cdp");
    assert_eq!(text(&d, "cdp.ttl"), "180");
    assert_eq!(text(&d, "cdp.checksum"), "");
    assert_eq!(d.protocol, "CDP");
    assert_eq!(d.info, "[Packet size limited during capture]");
}

/// `frame` cut to its first `n` bytes by the snapshot length.
fn cut(frame: &str, n: usize) -> PacketRecord {
    let data = hex(frame);
    let mut r = rec(data[..n].to_vec());
    r.orig_len = data.len() as u32;
    r
}

/// The Protocol and Info columns (Info as printed, with the cut note).
fn columns(r: &PacketRecord) -> (String, String) {
    let d = Pipeline::new().dissect(r);
    (d.protocol, d.info)
}

#[test]
fn columns_of_frames_cut_in_the_ip_and_tcp_headers() {
    // As tshark shows the SYN of `TCP_SYN` cut with `editcap -s`: each
    // layer's columns as far as its reads got.
    let cases = [
        (20, "IPv4", "[Packet size limited during capture]"),
        (34, "IPv4", "[Packet size limited during capture]"),
        (44, "TCP", "2826 → 80[Packet size limited during capture]"),
        (
            50,
            "TCP",
            "2826 → 80 [SYN] Seq=0 Win=8192[Packet size limited during capture]",
        ),
        (
            56,
            "TCP",
            "2826 → 80 [SYN] Seq=0 Win=8192 Len=0[Packet size limited during capture]",
        ),
        (
            58,
            "TCP",
            "2826 → 80 [SYN] Seq=0 Win=8192 Len=0 MSS=1460[Packet size limited during capture]",
        ),
    ];
    for (n, protocol, info) in cases {
        let got = columns(&cut(TCP_SYN, n));
        assert_eq!(got, (protocol.to_string(), info.to_string()), "cut {n}");
    }
}

#[test]
fn addresses_of_a_cut_ipv4_header_are_shown_once_read() {
    // The Ethernet addresses stay until the IPv4 source is read.
    let d = Pipeline::new().dissect(&cut(TCP_SYN, 29));
    assert_eq!(
        (d.src.as_str(), d.protocol.as_str()),
        ("IntelCor_5b:7d:4a", "IPv4")
    );
    let d = Pipeline::new().dissect(&cut(TCP_SYN, 30));
    assert_eq!(
        (d.src.as_str(), d.dst.as_str()),
        ("172.16.16.128", "D-Link_21:99:4c")
    );
    let d = Pipeline::new().dissect(&cut(TCP_SYN, 34));
    assert_eq!(d.dst, "212.58.226.142");
}

#[test]
fn columns_of_a_cut_icmpv6_message() {
    // No byte of the message: named, no type; then the type once read.
    let empty = "[Packet size limited during capture]";
    assert_eq!(
        columns(&cut(ICMPV6_NS, 54)),
        ("ICMPv6".into(), empty.into())
    );
    assert_eq!(
        columns(&cut(ICMPV6_NS, 55)),
        ("ICMPv6".into(), format!("Neighbor Solicitation{empty}"))
    );
}

/// Frame 52 of mixed_large_web.pcap cut to 60 bytes: 6 bytes of a
/// 1206-byte segment on port 443 that are not a TLS record ("://ocs").
const CUT_NOT_TLS: &str = "12a9866c77de5254 00363eff08004500 04dec6d840003f06 b8b2cc4fc5c8c0a8
    64ce01bbe92a7882 3f19cbae31a45010 00fba5a800003a2f 2f6f6373";

#[test]
fn unclaimed_cut_payload_ends_in_the_rtps_heuristic() {
    // tshark: "eth:ethertype:ip:tcp:rtps", TCP's Info and the cut note.
    let mut r = rec(hex(CUT_NOT_TLS));
    r.orig_len = 1260;
    let d = Pipeline::new().dissect(&r);
    assert_eq!(text(&d, "frame.protocols"), "eth:ethertype:ip:tcp:rtps");
    assert_eq!(d.protocol, "TCP");
    assert!(d
        .info
        .ends_with("Len=1206[Packet size limited during capture]"));
    // With 8 bytes the heuristic declines: the payload is data.
    let mut r = rec([hex(CUT_NOT_TLS), b"p.ms".to_vec()].concat()[..62].to_vec());
    r.orig_len = 1260;
    let d = Pipeline::new().dissect(&r);
    assert_eq!(text(&d, "frame.protocols"), "eth:ethertype:ip:tcp:data");
}

#[test]
fn bogus_tcp_header_length_is_said_in_info() {
    // `TCP_SYN` with a data offset of 4 words (tshark's text, not malformed).
    let mut b = hex(TCP_SYN);
    b[14 + 20 + 12] = 0x40;
    let d = Pipeline::new().dissect(&rec(b));
    assert_eq!(
        d.info,
        "2826 → 80 [SYN] Seq=0 Win=8192, bogus TCP header length (16, must be at least 20)"
    );
    assert!(!d.malformed);
}
