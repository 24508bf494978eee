//! pcapng writer for recorder dumps: one section, one interface per
//! (interface, direction) pair, nanosecond timestamps, packet direction
//! flags, and a packet comment naming the rules a packet matched and its TCP
//! analysis verdicts, so Wireshark shows why each packet was kept.
//!
//! Little endian, every block and option padded to 32 bits. The writer only
//! needs [`std::io::Write`]; it buffers nothing beyond one block.

use std::{
    collections::HashMap,
    io::{self, Write},
    sync::Arc,
};

use super::ring::Entry;
use crate::record::Direction;

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 0x0000_0001;
const ISB: u32 = 0x0000_0005;
const EPB: u32 = 0x0000_0006;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

const OPT_ENDOFOPT: u16 = 0;
const OPT_COMMENT: u16 = 1;
const SHB_HARDWARE: u16 = 2;
const SHB_OS: u16 = 3;
const SHB_USERAPPL: u16 = 4;
const IF_NAME: u16 = 2;
const IF_DESCRIPTION: u16 = 3;
const IF_TSRESOL: u16 = 9;
const EPB_FLAGS: u16 = 2;
const EPB_DROPCOUNT: u16 = 4;
const ISB_STARTTIME: u16 = 2;
const ISB_ENDTIME: u16 = 3;
const ISB_IFDROP: u16 = 5;
const ISB_USRDELIV: u16 = 8;

/// Counters about packets that are not in a dump, written into it so that a
/// reader knows what is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DropStats {
    /// Packets the kernel could not hand to user space (ring buffer full),
    /// all interfaces together.
    pub ring_lost: u64,
    /// Packets the recorder discarded before this dump (memory or age
    /// limit).
    pub evicted: u64,
    /// Packets dropped on one interface and direction, where known; written
    /// as `isb_ifdrop` of that interface when the dump has packets from it.
    pub iface_drops: HashMap<(u32, Option<Direction>), u64>,
}

/// The text of the packet comment for an entry: `None` when it matched no
/// rule and got no analysis verdict, else e.g.
/// `rules: syn-flood, http-5xx; tcp.analysis.retransmission`.
pub fn entry_comment(e: &Entry) -> Option<String> {
    let mut parts = Vec::new();
    if !e.rules.is_empty() {
        parts.push(format!("rules: {}", join(&e.rules, ", ")));
    }
    if !e.analysis.is_empty() {
        parts.push(join(&e.analysis, ", "));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn join(v: &[Arc<str>], sep: &str) -> String {
    v.iter().map(|s| &**s).collect::<Vec<_>>().join(sep)
}

/// The `if_name` of an interface in a dump: `eth0-ingress`, `eth0-egress`,
/// or `eth0` when the direction is unknown. An empty `name` becomes
/// `if<index>`.
pub fn interface_name(name: &str, ifindex: u32, direction: Option<Direction>) -> String {
    let base = if name.is_empty() {
        format!("if{ifindex}")
    } else {
        name.to_owned()
    };
    match direction {
        Some(d) => format!("{base}-{}", d.as_str()),
        None => base,
    }
}

/// Builder of one block: type, length, body, options, trailing length.
struct Block {
    buf: Vec<u8>,
    has_options: bool,
}

impl Block {
    fn new(kind: u32) -> Self {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&kind.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes()); // length, patched in finish
        Self {
            buf,
            has_options: false,
        }
    }

    fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A timestamp as two 32-bit halves, high first.
    fn ts(&mut self, ns: u64) -> &mut Self {
        self.u32((ns >> 32) as u32).u32(ns as u32)
    }

    fn bytes_padded(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self.pad();
        self
    }

    fn pad(&mut self) {
        let n = self.buf.len().next_multiple_of(4);
        self.buf.resize(n, 0);
    }

    /// An option; values longer than 65535 bytes are cut (at a character
    /// boundary for text).
    fn opt(&mut self, code: u16, value: &[u8]) -> &mut Self {
        let len = value.len().min(u16::MAX as usize);
        self.u16(code).u16(len as u16);
        self.bytes_padded(&value[..len]);
        self.has_options = true;
        self
    }

    fn opt_str(&mut self, code: u16, s: &str) -> &mut Self {
        let mut end = s.len().min(u16::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.opt(code, &s.as_bytes()[..end])
    }

    fn finish(mut self) -> Vec<u8> {
        if self.has_options {
            self.u16(OPT_ENDOFOPT).u16(0);
        }
        let total = self.buf.len() as u32 + 4;
        self.u32(total);
        self.buf[4..8].copy_from_slice(&total.to_le_bytes());
        self.buf
    }
}

/// What the section header says about the writer.
#[derive(Clone, Debug)]
pub struct SectionInfo {
    /// `shb_userappl`.
    pub application: String,
    /// `shb_os`.
    pub os: Option<String>,
    /// `shb_hardware`.
    pub hardware: Option<String>,
    /// Section comment.
    pub comment: Option<String>,
}

impl Default for SectionInfo {
    /// `monitor <version>`, the kernel's name and release, the CPU
    /// architecture, no comment.
    fn default() -> Self {
        Self {
            application: format!("monitor {}", env!("CARGO_PKG_VERSION")),
            os: Some(os_name()),
            hardware: Some(std::env::consts::ARCH.to_owned()),
            comment: None,
        }
    }
}

fn os_name() -> String {
    // SAFETY: utsname is plain old data; uname fills it.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: valid out pointer.
    if unsafe { libc::uname(&mut u) } != 0 {
        return std::env::consts::OS.to_owned();
    }
    let field = |f: &[libc::c_char]| {
        let bytes: Vec<u8> = f
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    format!("{} {}", field(&u.sysname), field(&u.release))
}

struct IfaceState {
    id: u32,
    ifindex: u32,
    direction: Option<Direction>,
    first_ns: u64,
    last_ns: u64,
    packets: u64,
}

/// Streaming pcapng writer: the section header on creation, then an
/// interface description the first time each (interface, direction) pair
/// appears, then each packet.
pub struct Writer<W: Write> {
    out: W,
    snaplen: u32,
    ifaces: Vec<IfaceState>,
    by_key: HashMap<(u32, Option<Direction>), u32>,
}

impl<W: Write> Writer<W> {
    /// Write the section header. `snaplen` goes into every interface
    /// description (0 means no limit).
    pub fn new(mut out: W, section: &SectionInfo, snaplen: u32) -> io::Result<Self> {
        let mut b = Block::new(SHB);
        b.u32(BYTE_ORDER_MAGIC).u16(1).u16(0).u64(u64::MAX); // v1.0, length unknown
        if let Some(c) = &section.comment {
            b.opt_str(OPT_COMMENT, c);
        }
        if let Some(h) = &section.hardware {
            b.opt_str(SHB_HARDWARE, h);
        }
        if let Some(os) = &section.os {
            b.opt_str(SHB_OS, os);
        }
        b.opt_str(SHB_USERAPPL, &section.application);
        out.write_all(&b.finish())?;
        Ok(Self {
            out,
            snaplen,
            ifaces: Vec::new(),
            by_key: HashMap::new(),
        })
    }

    fn interface(
        &mut self,
        ifindex: u32,
        direction: Option<Direction>,
        name_of: &dyn Fn(u32) -> String,
    ) -> io::Result<u32> {
        if let Some(&id) = self.by_key.get(&(ifindex, direction)) {
            return Ok(id);
        }
        let name = name_of(ifindex);
        let if_name = interface_name(&name, ifindex, direction);
        let shown = if name.is_empty() {
            format!("if{ifindex}")
        } else {
            name
        };
        let description = match direction {
            Some(Direction::Ingress) => format!("{shown} (ifindex {ifindex}), received"),
            Some(Direction::Egress) => format!("{shown} (ifindex {ifindex}), sent"),
            None => format!("{shown} (ifindex {ifindex})"),
        };
        let mut b = Block::new(IDB);
        b.u16(crate::record::live_link_type(ifindex))
            .u16(0)
            .u32(self.snaplen);
        b.opt_str(IF_NAME, &if_name);
        b.opt_str(IF_DESCRIPTION, &description);
        b.opt(IF_TSRESOL, &[9]);
        self.out.write_all(&b.finish())?;
        let id = self.ifaces.len() as u32;
        self.ifaces.push(IfaceState {
            id,
            ifindex,
            direction,
            first_ns: u64::MAX,
            last_ns: 0,
            packets: 0,
        });
        self.by_key.insert((ifindex, direction), id);
        Ok(id)
    }

    /// The output written so far (a stream takes the bytes out of a
    /// `Vec` after each packet).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Write one packet (and its interface description first if new).
    /// `name_of` maps an ifindex to the interface's name. Timestamps before
    /// the epoch are written as the epoch.
    pub fn packet(&mut self, e: &Entry, name_of: &dyn Fn(u32) -> String) -> io::Result<()> {
        self.packet_after_drops(e, name_of, 0)
    }

    /// [`Writer::packet`], saying (`epb_dropcount`, when not 0) that
    /// `dropped` packets were lost between the previous packet written and
    /// this one.
    pub fn packet_after_drops(
        &mut self,
        e: &Entry,
        name_of: &dyn Fn(u32) -> String,
        dropped: u64,
    ) -> io::Result<()> {
        let r = &e.record;
        let id = self.interface(r.iface, r.direction, name_of)?;
        let ts = u64::try_from(r.ts_ns).unwrap_or(0);
        let st = &mut self.ifaces[id as usize];
        st.first_ns = st.first_ns.min(ts);
        st.last_ns = st.last_ns.max(ts);
        st.packets += 1;
        let cap = r.data.len() as u32;
        let orig = r.orig_len.max(cap);
        let mut b = Block::new(EPB);
        b.u32(id).ts(ts).u32(cap).u32(orig).bytes_padded(&r.data);
        if let Some(d) = r.direction {
            let bits: u32 = match d {
                Direction::Ingress => 1,
                Direction::Egress => 2,
            };
            b.opt(EPB_FLAGS, &bits.to_le_bytes());
        }
        if dropped > 0 {
            b.opt(EPB_DROPCOUNT, &dropped.to_le_bytes());
        }
        if let Some(c) = entry_comment(e) {
            b.opt_str(OPT_COMMENT, &c);
        }
        self.out.write_all(&b.finish())
    }

    /// Write an interface statistics block for every interface that has
    /// packets (first and last packet time, packets in the dump, drops when
    /// `stats` knows them), flush, and return the output.
    pub fn finish(mut self, stats: Option<&DropStats>) -> io::Result<W> {
        if let Some(stats) = stats {
            for st in &self.ifaces {
                if st.packets == 0 {
                    continue;
                }
                let mut b = Block::new(ISB);
                b.u32(st.id).ts(st.last_ns);
                b.opt(ISB_STARTTIME, &ts_halves(st.first_ns));
                b.opt(ISB_ENDTIME, &ts_halves(st.last_ns));
                if let Some(d) = stats.iface_drops.get(&(st.ifindex, st.direction)) {
                    b.opt(ISB_IFDROP, &d.to_le_bytes());
                }
                b.opt(ISB_USRDELIV, &st.packets.to_le_bytes());
                self.out.write_all(&b.finish())?;
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

fn ts_halves(ns: u64) -> [u8; 8] {
    let mut v = [0; 8];
    v[..4].copy_from_slice(&((ns >> 32) as u32).to_le_bytes());
    v[4..].copy_from_slice(&(ns as u32).to_le_bytes());
    v
}

/// The section comment describing `stats`.
pub fn drop_comment(stats: &DropStats) -> String {
    let mut s = format!(
        "monitor flight recorder dump; {} packets lost in the kernel ring buffer; \
         {} older packets evicted from the recorder",
        stats.ring_lost, stats.evicted
    );
    let ifdrops: u64 = stats.iface_drops.values().sum();
    if ifdrops > 0 {
        s.push_str(&format!("; {ifdrops} packets dropped on the interfaces"));
    }
    s
}

/// Write `entries` (in the given order) as one pcapng section. `ifaces`
/// maps an ifindex to its name; `stats`, when given, becomes the section
/// comment and per-interface statistics blocks. The snap length written is
/// the longest captured packet (at least 1).
pub fn write_dump(
    w: impl Write,
    entries: &[Arc<Entry>],
    ifaces: &dyn Fn(u32) -> String,
    stats: Option<DropStats>,
) -> io::Result<()> {
    let snaplen = entries
        .iter()
        .map(|e| e.record.data.len() as u32)
        .max()
        .unwrap_or(0)
        .max(1);
    let section = SectionInfo {
        comment: stats.as_ref().map(drop_comment),
        ..SectionInfo::default()
    };
    let mut wr = Writer::new(w, &section, snaplen)?;
    for e in entries {
        wr.packet(e, ifaces)?;
    }
    wr.finish(stats.as_ref())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::PacketRecord;

    fn entry(iface: u32, dir: Option<Direction>, data: Vec<u8>, orig: u32) -> Arc<Entry> {
        Arc::new(Entry::new(PacketRecord {
            ts_ns: 1_764_040_500_123_456_789,
            iface,
            direction: dir,
            orig_len: orig,
            data,
        }))
    }

    /// Walk blocks: check lengths, alignment and the trailing length copy.
    fn blocks(buf: &[u8]) -> Vec<(u32, &[u8])> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < buf.len() {
            let kind = u32::from_le_bytes(buf[at..at + 4].try_into().unwrap());
            let len = u32::from_le_bytes(buf[at + 4..at + 8].try_into().unwrap()) as usize;
            assert_eq!(len % 4, 0, "block {kind:#x} length {len}");
            let trailer = u32::from_le_bytes(buf[at + len - 4..at + len].try_into().unwrap());
            assert_eq!(trailer as usize, len);
            out.push((kind, &buf[at + 8..at + len - 4]));
            at += len;
        }
        assert_eq!(at, buf.len());
        out
    }

    fn options(mut b: &[u8]) -> Vec<(u16, Vec<u8>)> {
        let mut out = Vec::new();
        loop {
            let code = u16::from_le_bytes([b[0], b[1]]);
            let len = u16::from_le_bytes([b[2], b[3]]) as usize;
            if code == 0 {
                assert_eq!(len, 0);
                assert_eq!(b.len(), 4, "bytes after opt_endofopt");
                return out;
            }
            out.push((code, b[4..4 + len].to_vec()));
            b = &b[4 + len.next_multiple_of(4)..];
        }
    }

    #[test]
    fn packets_lost_before_a_packet_are_its_drop_count_and_read_back() {
        let mut w = Writer::new(Vec::new(), &SectionInfo::default(), 2048).unwrap();
        let name = |_: u32| "eth0".to_string();
        let e = entry(3, Some(Direction::Ingress), vec![1; 60], 60);
        w.packet(&e, &name).unwrap();
        w.packet_after_drops(&e, &name, 0x1_0000_0005).unwrap();
        w.packet_after_drops(&e, &name, 2).unwrap();
        let bytes = w.finish(None).unwrap();
        let epbs: Vec<_> = blocks(&bytes).into_iter().filter(|b| b.0 == EPB).collect();
        // 20 bytes of header and 60 of data, then the options.
        assert!(options(&epbs[0].1[80..])
            .iter()
            .all(|o| o.0 != EPB_DROPCOUNT));
        let drop = (EPB_DROPCOUNT, 0x1_0000_0005u64.to_le_bytes().to_vec());
        assert!(options(&epbs[1].1[80..]).contains(&drop));
        let mut r = crate::capture::CaptureReader::new(&bytes[..]).unwrap();
        let mut seen = Vec::new();
        while let Some(p) = r.next_packet() {
            p.unwrap();
            seen.push(r.dropped());
        }
        assert_eq!(seen, [0, 0x1_0000_0005, 0x1_0000_0007]);
    }

    #[test]
    fn layout_of_blocks_and_options() {
        let mut e = Entry::new(PacketRecord {
            ts_ns: 0x1234_5678_9abc_def0,
            iface: 3,
            direction: Some(Direction::Egress),
            orig_len: 1500,
            data: vec![7; 61],
        });
        e.rules.push(Arc::from("r1"));
        e.analysis.push(Arc::from("tcp.analysis.lost_segment"));
        let plain = entry(3, None, vec![1; 64], 64);
        let mut buf = Vec::new();
        write_dump(
            &mut buf,
            &[Arc::new(e), plain],
            &|i| format!("veth{i}"),
            Some(DropStats::default()),
        )
        .unwrap();
        let b = blocks(&buf);
        let kinds: Vec<u32> = b.iter().map(|b| b.0).collect();
        assert_eq!(kinds, vec![SHB, IDB, EPB, IDB, EPB, ISB, ISB]);
        // Section header: magic, version 1.0, unknown length, options.
        let shb = b[0].1;
        assert_eq!(&shb[..4], &BYTE_ORDER_MAGIC.to_le_bytes());
        assert_eq!(&shb[4..8], &[1, 0, 0, 0]);
        assert_eq!(&shb[8..16], &[0xff; 8]);
        let o = options(&shb[16..]);
        let appl = o.iter().find(|o| o.0 == SHB_USERAPPL).unwrap();
        assert_eq!(
            appl.1,
            format!("monitor {}", env!("CARGO_PKG_VERSION")).as_bytes()
        );
        assert!(o.iter().any(|o| o.0 == OPT_COMMENT));
        // Interface: Ethernet, snaplen = longest capture, name, ns resolution.
        let idb = b[1].1;
        assert_eq!(u16::from_le_bytes([idb[0], idb[1]]), 1);
        assert_eq!(u32::from_le_bytes(idb[4..8].try_into().unwrap()), 64);
        let o = options(&idb[8..]);
        assert_eq!(o[0], (IF_NAME, b"veth3-egress".to_vec()));
        assert!(o.contains(&(IF_TSRESOL, vec![9])));
        assert_eq!(options(&b[3].1[8..])[0], (IF_NAME, b"veth3".to_vec()));
        // Packet: interface 0, split timestamp, lengths, padded data, flags, comment.
        let epb = b[2].1;
        let w = |i: usize| u32::from_le_bytes(epb[i..i + 4].try_into().unwrap());
        assert_eq!(
            (w(0), w(4), w(8), w(12), w(16)),
            (0, 0x1234_5678, 0x9abc_def0, 61, 1500)
        );
        assert_eq!(&epb[20..81], &[7; 61][..]);
        assert_eq!(&epb[81..84], &[0, 0, 0]);
        let o = options(&epb[84..]);
        assert_eq!(o[0], (EPB_FLAGS, 2u32.to_le_bytes().to_vec()));
        assert_eq!(
            o[1],
            (
                OPT_COMMENT,
                b"rules: r1; tcp.analysis.lost_segment".to_vec()
            )
        );
        // The unflagged packet on the second interface has no options.
        let epb = b[4].1;
        assert_eq!(u32::from_le_bytes(epb[0..4].try_into().unwrap()), 1);
        assert_eq!(epb.len(), 20 + 64);
        // Statistics: one per interface with packets in the dump.
        assert_eq!(u32::from_le_bytes(b[5].1[0..4].try_into().unwrap()), 0);
        assert_eq!(u32::from_le_bytes(b[6].1[0..4].try_into().unwrap()), 1);
    }

    #[test]
    fn empty_dump_is_a_bare_section() {
        let mut buf = Vec::new();
        write_dump(&mut buf, &[], &|_| String::new(), None).unwrap();
        let b = blocks(&buf);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].0, SHB);
    }

    #[test]
    fn comment_text() {
        let mut e = Entry::new(entry(1, None, vec![], 0).record.clone());
        assert_eq!(entry_comment(&e), None);
        e.analysis.push(Arc::from("tcp.analysis.retransmission"));
        assert_eq!(
            entry_comment(&e).as_deref(),
            Some("tcp.analysis.retransmission")
        );
        e.rules.push(Arc::from("a"));
        e.rules.push(Arc::from("b"));
        assert_eq!(
            entry_comment(&e).as_deref(),
            Some("rules: a, b; tcp.analysis.retransmission")
        );
    }

    #[test]
    fn long_option_is_cut_on_char_boundary() {
        let mut b = Block::new(EPB);
        let s = "é".repeat(40_000); // 80 000 bytes
        b.opt_str(OPT_COMMENT, &s);
        let buf = b.finish();
        let len = u16::from_le_bytes([buf[10], buf[11]]) as usize;
        assert_eq!(len, 65_534);
        assert!(std::str::from_utf8(&buf[12..12 + len]).is_ok());
        assert_eq!(buf.len() % 4, 0);
    }
}
