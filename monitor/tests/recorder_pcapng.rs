//! The pcapng writer against the oracle: tshark and capinfos read the dumps
//! without a warning and see the same packets, lengths, nanosecond
//! timestamps, interfaces, directions, comments and bytes; real captures
//! rewritten through the writer dissect exactly as the originals.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
};

use monitor::record::{Direction, PacketRecord};
use monitor::recorder::{write_dump, DropStats, Entry};
use pcap_parser::{create_reader, Block, PcapBlockOwned, PcapError};

use test_support::captures_dir as captures;

fn scratch(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "monitor-pcapng-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// Run a tool; fail on a non-zero exit or anything on stderr.
fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    // tshark's notice about running as root is about the environment, not the file.
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("Running as user \"root\""))
        .collect();
    assert!(out.status.success(), "{tool} {args:?} failed: {}", stderr);
    assert!(stderr.trim().is_empty(), "{tool} {args:?} warned: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn tshark_fields(file: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut args = vec![
        "-r",
        file.to_str().unwrap(),
        "-T",
        "fields",
        "-E",
        "separator=|",
    ];
    for f in fields {
        args.push("-e");
        args.push(f);
    }
    run("tshark", &args)
        .lines()
        .map(|l| l.split('|').map(str::to_owned).collect())
        .collect()
}

/// Captured bytes of every frame, from `tshark -x`: each frame's hex lines
/// end with one blank line (a frame with nothing captured is just the blank
/// line); when a frame has several data sources (reassembly), each is
/// headed `Name (N bytes):` and the first is the frame.
fn tshark_bytes(file: &Path) -> Vec<Vec<u8>> {
    let text = run("tshark", &["-r", file.to_str().unwrap(), "-x"]);
    let mut frames = Vec::new();
    let mut bytes = Vec::new();
    let mut sources = 0;
    for line in text.lines() {
        if line.is_empty() {
            frames.push(std::mem::take(&mut bytes));
            sources = 0;
            continue;
        }
        // Offset (4 or more hex digits), two spaces, up to 16 hex bytes.
        let off = line.bytes().take_while(u8::is_ascii_hexdigit).count();
        let is_hex = off >= 4 && line[off..].starts_with("  ");
        if !is_hex {
            assert!(line.ends_with("bytes):"), "unexpected line {line:?}");
            sources += 1;
            continue;
        }
        if sources <= 1 {
            let hex = &line[off + 2..line.len().min(off + 2 + 47)];
            bytes.extend(
                hex.split_whitespace()
                    .map(|b| u8::from_str_radix(b, 16).unwrap()),
            );
        }
    }
    assert!(bytes.is_empty(), "output does not end with a blank line");
    frames
}

/// xorshift64*.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn synthetic() -> Vec<Arc<Entry>> {
    let mut rng = Rng(42);
    let dirs = [Some(Direction::Ingress), Some(Direction::Egress), None];
    let base: i64 = 1_764_040_500_000_000_000;
    let mut out = Vec::new();
    for i in 0..40u32 {
        let caplen = match i % 5 {
            0 => 14,
            1 => 60,
            2 => 1514,
            3 => 9000,
            _ => 15 + (rng.next() % 200) as usize,
        };
        // Ethernet with an experimental EtherType, so the payload stays data.
        let mut data = vec![0x02, 0, 0, 0, 0, i as u8, 0x02, 0, 0, 0, 1, 0, 0x88, 0xb5];
        data.extend((14..caplen).map(|_| rng.next() as u8));
        if i == 37 {
            data.clear(); // nothing captured at all
        }
        let truncated = i % 4 == 1 || data.is_empty();
        let orig_len = if truncated {
            caplen as u32 + 1 + (rng.next() % 3000) as u32
        } else {
            caplen as u32
        };
        let mut e = Entry::new(PacketRecord {
            ts_ns: base + i as i64 * 1_234_567 + (rng.next() % 1000) as i64,
            iface: [2, 7][(i % 2) as usize],
            direction: dirs[(i % 3) as usize],
            orig_len,
            data,
        });
        if i.is_multiple_of(3) {
            e.rules.push(Arc::from("syn-flood"));
        }
        if i.is_multiple_of(6) {
            e.rules.push(Arc::from("big frames"));
        }
        if i.is_multiple_of(5) {
            e.analysis.push(Arc::from("tcp.analysis.retransmission"));
        }
        out.push(Arc::new(e));
    }
    out
}

fn iface_name(i: u32) -> String {
    match i {
        2 => "eth0".into(),
        7 => "veth-a".into(),
        _ => String::new(),
    }
}

#[test]
fn synthetic_dump_reads_back_exactly_in_tshark() {
    let entries = synthetic();
    let dir = scratch("synthetic");
    let file = dir.join("dump.pcapng");
    let mut stats = DropStats {
        ring_lost: 17,
        evicted: 1234,
        ..DropStats::default()
    };
    stats.iface_drops.insert((2, Some(Direction::Ingress)), 5);
    let mut f = fs::File::create(&file).unwrap();
    write_dump(&mut f, &entries, &iface_name, Some(stats)).unwrap();
    drop(f);

    let rows = tshark_fields(
        &file,
        &[
            "frame.number",
            "frame.len",
            "frame.cap_len",
            "frame.time_epoch",
            "frame.interface_name",
            "frame.interface_description",
            "frame.packet_flags_direction",
            "frame.comment",
        ],
    );
    assert_eq!(rows.len(), entries.len());
    for (i, (row, e)) in rows.iter().zip(&entries).enumerate() {
        let r = &e.record;
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!(row[1], r.orig_len.to_string(), "frame {}", i + 1);
        assert_eq!(row[2], r.data.len().to_string(), "frame {}", i + 1);
        let ts = format!("{}.{:09}", r.ts_ns / 1_000_000_000, r.ts_ns % 1_000_000_000);
        assert_eq!(row[3], ts, "frame {}", i + 1);
        let name = iface_name(r.iface);
        let expect_name = match r.direction {
            Some(Direction::Ingress) => format!("{name}-ingress"),
            Some(Direction::Egress) => format!("{name}-egress"),
            None => name.clone(),
        };
        assert_eq!(row[4], expect_name);
        assert!(row[5].starts_with(&name), "description {}", row[5]);
        let dir = match r.direction {
            Some(Direction::Ingress) => "0x00000001",
            Some(Direction::Egress) => "0x00000002",
            None => "",
        };
        assert_eq!(row[6], dir, "frame {}", i + 1);
        let mut parts = Vec::new();
        if !e.rules.is_empty() {
            let names: Vec<&str> = e.rules.iter().map(|s| &**s).collect();
            parts.push(format!("rules: {}", names.join(", ")));
        }
        parts.extend(e.analysis.iter().map(|s| s.to_string()));
        assert_eq!(row[7], parts.join("; "), "frame {}", i + 1);
    }

    // The bytes tshark shows are the captured bytes.
    let bytes = tshark_bytes(&file);
    assert_eq!(bytes.len(), entries.len());
    for (i, (b, e)) in bytes.iter().zip(&entries).enumerate() {
        assert_eq!(b, &e.record.data, "bytes of frame {}", i + 1);
    }

    let info = run("capinfos", &[file.to_str().unwrap()]);
    assert!(
        info.contains("File type:           Wireshark/... - pcapng"),
        "{info}"
    );
    assert!(info.contains("File encapsulation:  Ethernet"), "{info}");
    assert!(
        info.contains(&format!("Number of packets:   {}", entries.len())),
        "{info}"
    );
    assert!(info.contains("nanoseconds (9)"), "{info}");
    assert!(
        info.contains(&format!(
            "Capture application: monitor {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{info}"
    );
    assert!(
        info.contains("17 packets lost in the kernel ring buffer"),
        "{info}"
    );
    assert!(info.contains("1234 older packets evicted"), "{info}");
    // 2 interfaces × 3 directions.
    assert!(info.contains("Number of interfaces in file: 6"), "{info}");
    assert_eq!(
        info.matches("Number of stat entries = 1").count(),
        6,
        "{info}"
    );
    for n in [
        "eth0-ingress",
        "eth0-egress",
        "veth-a-ingress",
        "veth-a-egress",
    ] {
        assert!(
            info.contains(&format!("Name = {n}\n")),
            "{n} missing: {info}"
        );
    }
    if std::env::var_os("MONITOR_KEEP_TEST_FILES").is_none() {
        let _ = fs::remove_dir_all(dir);
    }
}

/// Frames of a capture: (ns timestamp, original length, bytes).
fn read_capture(path: &Path) -> Vec<(i64, u32, Vec<u8>)> {
    let file = fs::File::open(path).unwrap();
    let mut reader = create_reader(1 << 20, file).unwrap();
    let mut resol: Vec<(u64, i64)> = Vec::new();
    let mut legacy_ns = false;
    let mut out = Vec::new();
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::LegacyHeader(h) => legacy_ns = h.is_nanosecond_precision(),
                    PcapBlockOwned::Legacy(b) => {
                        let frac = if legacy_ns {
                            b.ts_usec as i64
                        } else {
                            b.ts_usec as i64 * 1000
                        };
                        out.push((
                            b.ts_sec as i64 * 1_000_000_000 + frac,
                            b.origlen,
                            b.data[..b.caplen as usize].to_vec(),
                        ));
                    }
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => resol.clear(),
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        resol.push((idb.ts_resolution().unwrap(), idb.ts_offset()));
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        let (units, off) = resol[epb.if_id as usize];
                        let ts = ((epb.ts_high as u64) << 32) | epb.ts_low as u64;
                        let ns = (ts as u128 * 1_000_000_000 / units as u128) as i64
                            + off * 1_000_000_000;
                        out.push((ns, epb.origlen, epb.data[..epb.caplen as usize].to_vec()));
                    }
                    _ => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => reader.refill().unwrap(),
            Err(e) => panic!("{}: {e:?}", path.display()),
        }
    }
    out
}

#[test]
fn real_captures_dissect_identically() {
    let dir = scratch("real");
    let fields = [
        "frame.len",
        "frame.cap_len",
        "frame.time_epoch",
        "frame.protocols",
        "eth.src",
        "eth.dst",
        "vlan.id",
        "ip.src",
        "ip.dst",
        "ipv6.src",
        "ipv6.dst",
        "ip.flags.mf",
        "tcp.srcport",
        "tcp.dstport",
        "tcp.seq",
        "tcp.len",
        "tcp.analysis.flags",
        "udp.srcport",
        "dns.qry.name",
        "http.request.method",
        "_ws.col.Info",
    ];
    let mut total = 0;
    for name in [
        "tcp_retransmissions.pcapng",
        "tcp_dupack_fastretrans.pcapng",
        "http_google.pcapng",
        "dns_tcp.pcapng",
        "ipv4_frag_icmp.pcapng",
        "icmpv6_neighbor_solicitation.pcapng",
        "tcp_vlan_http_retrans.pcap",
        "ipv6_frag_udp.pcap",
        "tls12_illustrated.pcap",
    ] {
        let orig = captures().join(name);
        let frames = read_capture(&orig);
        assert!(!frames.is_empty(), "{name}: no frames");
        total += frames.len();
        let entries: Vec<Arc<Entry>> = frames
            .into_iter()
            .enumerate()
            .map(|(i, (ts_ns, orig_len, data))| {
                let mut e = Entry::new(PacketRecord {
                    ts_ns,
                    iface: 4,
                    direction: [Some(Direction::Ingress), Some(Direction::Egress)][i % 2],
                    orig_len,
                    data,
                });
                if i.is_multiple_of(3) {
                    e.rules.push(Arc::from("every third"));
                }
                Arc::new(e)
            })
            .collect();
        let copy = dir.join(name.replace(".pcap", ".out.pcap"));
        let mut buf = Vec::new();
        write_dump(&mut buf, &entries, &|_| "eth1".into(), None).unwrap();
        fs::write(&copy, buf).unwrap();
        let a = tshark_fields(&orig, &fields);
        let b = tshark_fields(&copy, &fields);
        assert_eq!(a.len(), b.len(), "{name}: frame count");
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(x, y, "{name}: frame {} differs", i + 1);
        }
        assert_eq!(tshark_bytes(&orig), tshark_bytes(&copy), "{name}: bytes");
    }
    assert!(total > 100, "only {total} frames compared");
    if std::env::var_os("MONITOR_KEEP_TEST_FILES").is_none() {
        let _ = fs::remove_dir_all(dir);
    }
}

#[test]
fn interface_statistics_read_back() {
    let entries = synthetic();
    let mut stats = DropStats::default();
    stats.iface_drops.insert((2, Some(Direction::Ingress)), 5);
    stats.iface_drops.insert((9, None), 7); // no packets: no block
    let mut buf = Vec::new();
    write_dump(&mut buf, &entries, &iface_name, Some(stats)).unwrap();

    let mut reader = create_reader(1 << 20, &buf[..]).unwrap();
    let mut names = Vec::new();
    let mut isbs = Vec::new();
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        names.push(idb.if_name().unwrap().unwrap().to_owned());
                    }
                    PcapBlockOwned::NG(Block::InterfaceStatistics(isb)) => {
                        let start = isb.isb_starttime().unwrap().unwrap();
                        let end = isb.isb_endtime().unwrap().unwrap();
                        let ns = |(hi, lo): (u32, u32)| ((hi as i64) << 32) | lo as i64;
                        isbs.push((
                            isb.if_id,
                            ns(start),
                            ns(end),
                            isb.isb_ifdrop().map(|r| r.unwrap()),
                            isb.isb_usrdeliv().unwrap().unwrap(),
                        ));
                    }
                    _ => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => reader.refill().unwrap(),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(names.len(), 6);
    assert_eq!(isbs.len(), 6);
    for (id, start, end, ifdrop, delivered) in isbs {
        let name = &names[id as usize];
        let mine: Vec<&Arc<Entry>> = entries
            .iter()
            .filter(|e| {
                let base = iface_name(e.record.iface);
                let n = match e.record.direction {
                    Some(d) => format!("{base}-{}", d.as_str()),
                    None => base,
                };
                &n == name
            })
            .collect();
        assert_eq!(delivered as usize, mine.len(), "{name}");
        assert_eq!(start, mine.iter().map(|e| e.record.ts_ns).min().unwrap());
        assert_eq!(end, mine.iter().map(|e| e.record.ts_ns).max().unwrap());
        let expect_drop = (name == "eth0-ingress").then_some(5);
        assert_eq!(ifdrop, expect_drop, "{name}");
    }
}
