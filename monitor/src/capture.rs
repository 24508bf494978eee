//! Capture files: a streaming pcap/pcapng reader yielding [`PacketRecord`]s.
//!
//! Written by hand rather than on a parser crate: the two formats are small,
//! the reader must keep constant memory on any file size (one block buffer,
//! reused), report the exact byte offset of a truncated or corrupt block, and
//! support what tshark supports here (both byte orders, µs/ns pcap magics,
//! several pcapng sections and interfaces, per-interface `if_tsresol`,
//! enhanced/simple/obsolete packet blocks, unknown blocks skipped).

use std::io::{self, Read};

pub use crate::record::FilePacket;
use crate::record::{Direction, FileInfo, PacketRecord};

/// Longest block or packet accepted (a corrupt length beyond this is an error).
const MAX_BLOCK: u32 = 256 * 1024 * 1024;

/// A read failure: what went wrong and where in the file.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The underlying reader failed.
    #[error("I/O error at byte offset {offset}: {source}")]
    Io {
        /// Byte offset where reading failed.
        offset: u64,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not a pcap or pcapng file.
    #[error("not a pcap or pcapng file (magic {0:#010x})")]
    BadMagic(u32),
    /// The file ends in the middle of a header or block.
    #[error("file truncated at byte offset {offset}: {what}")]
    Truncated {
        /// Offset of the incomplete header or block.
        offset: u64,
        /// What was being read.
        what: &'static str,
    },
    /// A structure is invalid.
    #[error("corrupt capture at byte offset {offset}: {what}")]
    Corrupt {
        /// Offset of the invalid header or block.
        offset: u64,
        /// The problem.
        what: String,
    },
}

impl CaptureError {
    /// Byte offset the error refers to, when it has one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            CaptureError::Io { offset, .. }
            | CaptureError::Truncated { offset, .. }
            | CaptureError::Corrupt { offset, .. } => Some(*offset),
            CaptureError::BadMagic(_) => None,
        }
    }
}

/// The precision tshark gives timestamps of `units_per_sec` units per
/// second (`10^n` or `2^n`): the decimal places of one unit, rounded down
/// to seconds, deci-, centi-, milli-, micro- or nanoseconds.
pub fn ts_digits(units_per_sec: u64) -> u8 {
    // Decimal places that one unit resolves: floor(log10(units)).
    let places = units_per_sec.checked_ilog10().unwrap_or(0);
    match places {
        0..=2 => places as u8,
        3..=5 => 3,
        6..=8 => 6,
        _ => 9,
    }
}

#[derive(Clone, Debug)]
struct Iface {
    /// `if_name`, `unknown` when absent (as tshark shows it).
    name: std::sync::Arc<str>,
    linktype: u16,
    snaplen: u32,
    /// Timestamp units per second.
    units_per_sec: u64,
    /// Offset in seconds added to every timestamp (`if_tsoffset`).
    tsoffset: i64,
    /// [`ts_digits`] of `units_per_sec`.
    ts_digits: u8,
}

enum Format {
    Pcap {
        big_endian: bool,
        nanos: bool,
        linktype: u16,
    },
    Pcapng {
        big_endian: bool,
        ifaces: Vec<Iface>,
        section: u32,
    },
}

/// Streaming reader of a pcap or pcapng file (format detected from its magic).
pub struct CaptureReader<R: Read> {
    inner: R,
    offset: u64,
    format: Format,
    buf: Vec<u8>,
    /// A packet buffer given back by [`CaptureReader::recycle`].
    spare: Vec<u8>,
    done: bool,
    /// Packets lost before the packets read so far, as their
    /// `epb_dropcount` options say.
    dropped: u64,
}

fn u16_at(b: &[u8], be: bool) -> u16 {
    let a = [b[0], b[1]];
    if be {
        u16::from_be_bytes(a)
    } else {
        u16::from_le_bytes(a)
    }
}

fn u32_at(b: &[u8], be: bool) -> u32 {
    let a = [b[0], b[1], b[2], b[3]];
    if be {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

/// Read exactly `buf.len()` bytes; `Ok(false)` on a clean EOF before any byte.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl CaptureReader<io::BufReader<std::fs::File>> {
    /// Open a capture file by path.
    pub fn open(path: &std::path::Path) -> Result<Self, CaptureError> {
        let f =
            std::fs::File::open(path).map_err(|source| CaptureError::Io { offset: 0, source })?;
        Self::new(io::BufReader::with_capacity(1 << 16, f))
    }
}

impl<R: Read> CaptureReader<R> {
    /// Start reading; parses the file header (or the first section header).
    pub fn new(mut inner: R) -> Result<Self, CaptureError> {
        let mut hdr = [0u8; 24];
        let n = read_full(&mut inner, &mut hdr[..4])
            .map_err(|source| CaptureError::Io { offset: 0, source })?;
        if n < 4 {
            return Err(CaptureError::Truncated {
                offset: 0,
                what: "file header",
            });
        }
        let magic = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        match magic {
            0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 => {
                let big_endian = matches!(magic, 0xd4c3_b2a1 | 0x4d3c_b2a1);
                let nanos = matches!(magic, 0xa1b2_3c4d | 0x4d3c_b2a1);
                let n = read_full(&mut inner, &mut hdr[4..])
                    .map_err(|source| CaptureError::Io { offset: 4, source })?;
                if n < 20 {
                    return Err(CaptureError::Truncated {
                        offset: 0,
                        what: "pcap file header",
                    });
                }
                let linktype = (u32_at(&hdr[20..], big_endian) & 0xffff) as u16;
                Ok(Self {
                    inner,
                    offset: 24,
                    format: Format::Pcap {
                        big_endian,
                        nanos,
                        linktype,
                    },
                    buf: Vec::new(),
                    spare: Vec::new(),
                    done: false,
                    dropped: 0,
                })
            }
            0x0a0d_0d0a => {
                let mut r = Self {
                    inner,
                    offset: 0,
                    format: Format::Pcapng {
                        big_endian: false,
                        ifaces: Vec::new(),
                        section: 0,
                    },
                    buf: Vec::new(),
                    spare: Vec::new(),
                    done: false,
                    dropped: 0,
                };
                r.buf.extend_from_slice(&hdr[..4]);
                r.read_shb_rest(4)?;
                Ok(r)
            }
            _ => Err(CaptureError::BadMagic(magic)),
        }
    }

    /// Give back the bytes of a packet that is no longer needed: the
    /// buffer holds the next packet's (saves an allocation per packet).
    pub fn recycle(&mut self, data: Vec<u8>) {
        self.spare = data;
    }

    /// A copy of `buf[range]`, in the recycled buffer when there is one.
    fn packet_data(&mut self, range: std::ops::Range<usize>) -> Vec<u8> {
        let mut v = std::mem::take(&mut self.spare);
        v.clear();
        v.extend_from_slice(&self.buf[range]);
        v
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Link type of the first interface (pcap: of the file).
    pub fn linktype(&self) -> Option<u16> {
        match &self.format {
            Format::Pcap { linktype, .. } => Some(*linktype),
            Format::Pcapng { ifaces, .. } => ifaces.first().map(|i| i.linktype),
        }
    }

    fn fill(
        &mut self,
        start: usize,
        len: usize,
        what: &'static str,
        block_off: u64,
    ) -> Result<(), CaptureError> {
        // Grow the buffer only as bytes arrive: a corrupt length must not
        // allocate more than the file holds.
        // Read in chunks: no `read_to_end` probing per packet, and at
        // most one chunk beyond what the file held.
        // The buffer never shrinks (bytes past this block are stale, and
        // every block is read by its own bounds): a packet's bytes are
        // read over the previous ones without zeroing them first.
        let mut at = start;
        let mut left = len;
        while left > 0 {
            let chunk = left.min(1 << 16);
            if self.buf.len() < at + chunk {
                self.buf.resize(at + chunk, 0);
            }
            let n =
                read_full(&mut self.inner, &mut self.buf[at..at + chunk]).map_err(|source| {
                    CaptureError::Io {
                        offset: block_off,
                        source,
                    }
                })?;
            if n < chunk {
                self.buf.truncate(at + n);
                self.done = true;
                return Err(CaptureError::Truncated {
                    offset: block_off,
                    what,
                });
            }
            left -= chunk;
            at += chunk;
        }
        Ok(())
    }

    /// Having read the first `have` bytes of a section header into `buf`,
    /// read the rest of it.
    fn read_shb_rest(&mut self, have: usize) -> Result<(), CaptureError> {
        let off = self.offset;
        self.fill(have, 12 - have, "section header block", off)?;
        let bom = [self.buf[8], self.buf[9], self.buf[10], self.buf[11]];
        let be = match bom {
            [0x1a, 0x2b, 0x3c, 0x4d] => true,
            [0x4d, 0x3c, 0x2b, 0x1a] => false,
            _ => {
                self.done = true;
                return Err(CaptureError::Corrupt {
                    offset: off,
                    what: "bad byte-order magic in section header".into(),
                });
            }
        };
        let total = u32_at(&self.buf[4..], be);
        if !(28..=MAX_BLOCK).contains(&total) || !total.is_multiple_of(4) {
            self.done = true;
            return Err(CaptureError::Corrupt {
                offset: off,
                what: format!("bad section header length {total}"),
            });
        }
        self.fill(12, total as usize - 12, "section header block", off)?;
        self.offset += u64::from(total);
        let section = match &self.format {
            Format::Pcapng { section, .. } => section + 1,
            Format::Pcap { .. } => 1,
        };
        self.format = Format::Pcapng {
            big_endian: be,
            ifaces: Vec::new(),
            section,
        };
        Ok(())
    }

    /// Packets lost before the packets read so far, as their enhanced
    /// packet blocks say (the sum of their `epb_dropcount` options).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The next packet, `None` at the end of the file.
    pub fn next_packet(&mut self) -> Option<Result<FilePacket, CaptureError>> {
        if self.done {
            return None;
        }
        let r = match self.format {
            Format::Pcap { .. } => self.next_pcap(),
            Format::Pcapng { .. } => self.next_pcapng(),
        };
        match r {
            Ok(Some(p)) => Some(Ok(p)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn next_pcap(&mut self) -> Result<Option<FilePacket>, CaptureError> {
        let Format::Pcap {
            big_endian: be,
            nanos,
            linktype,
        } = self.format
        else {
            unreachable!()
        };
        let off = self.offset;
        if self.buf.len() < 16 {
            self.buf.resize(16, 0);
        }
        let n =
            read_full(&mut self.inner, &mut self.buf[..16]).map_err(|source| CaptureError::Io {
                offset: off,
                source,
            })?;
        if n == 0 {
            return Ok(None);
        }
        if n < 16 {
            return Err(CaptureError::Truncated {
                offset: off,
                what: "pcap record header",
            });
        }
        let sec = u32_at(&self.buf[0..], be);
        let frac = u32_at(&self.buf[4..], be);
        let incl = u32_at(&self.buf[8..], be);
        let orig = u32_at(&self.buf[12..], be);
        if incl > MAX_BLOCK {
            return Err(CaptureError::Corrupt {
                offset: off,
                what: format!("captured length {incl} too large"),
            });
        }
        self.fill(0, incl as usize, "pcap packet data", off)?;
        self.offset += 16 + u64::from(incl);
        let ts_ns = i64::from(sec) * 1_000_000_000 + i64::from(frac) * if nanos { 1 } else { 1000 };
        Ok(Some(FilePacket {
            record: PacketRecord {
                ts_ns,
                iface: 0,
                direction: None,
                orig_len: orig.max(incl),
                data: self.packet_data(0..incl as usize),
            },
            linktype,
            pcapng: None,
            flags: None,
            comments: Vec::new(),
            ts_digits: if nanos { 9 } else { 6 },
        }))
    }

    fn next_pcapng(&mut self) -> Result<Option<FilePacket>, CaptureError> {
        loop {
            let off = self.offset;
            if self.buf.len() < 8 {
                self.buf.resize(8, 0);
            }
            let n = read_full(&mut self.inner, &mut self.buf[..8]).map_err(|source| {
                CaptureError::Io {
                    offset: off,
                    source,
                }
            })?;
            if n == 0 {
                return Ok(None);
            }
            if n < 8 {
                return Err(CaptureError::Truncated {
                    offset: off,
                    what: "pcapng block header",
                });
            }
            if self.buf[..4] == [0x0a, 0x0d, 0x0d, 0x0a] {
                self.read_shb_rest(8)?;
                continue;
            }
            let Format::Pcapng { big_endian: be, .. } = self.format else {
                unreachable!()
            };
            let btype = u32_at(&self.buf[0..], be);
            let total = u32_at(&self.buf[4..], be);
            if !(12..=MAX_BLOCK).contains(&total) || !total.is_multiple_of(4) {
                return Err(CaptureError::Corrupt {
                    offset: off,
                    what: format!("bad block length {total} (block type {btype:#x})"),
                });
            }
            self.fill(8, total as usize - 8, "pcapng block", off)?;
            self.offset += u64::from(total);
            let trailer = u32_at(&self.buf[total as usize - 4..], be);
            if trailer != total {
                return Err(CaptureError::Corrupt {
                    offset: off,
                    what: format!(
                        "block trailing length {trailer} differs from leading length {total}"
                    ),
                });
            }
            let body_end = total as usize - 4;
            match btype {
                1 => self.on_idb(off, body_end, be)?,
                6 | 2 => return self.on_epb(off, btype, body_end, be).map(Some),
                3 => return self.on_spb(off, body_end, be).map(Some),
                _ => {}
            }
        }
    }

    fn on_idb(&mut self, off: u64, end: usize, be: bool) -> Result<(), CaptureError> {
        if end < 16 {
            return Err(CaptureError::Corrupt {
                offset: off,
                what: "interface description block too short".into(),
            });
        }
        let linktype = u16_at(&self.buf[8..], be);
        let snaplen = u32_at(&self.buf[12..], be);
        let mut iface = Iface {
            name: "unknown".into(),
            linktype,
            snaplen,
            units_per_sec: 1_000_000,
            tsoffset: 0,
            ts_digits: 6,
        };
        for (code, val) in Options::new(&self.buf[16..end], be) {
            match code {
                9 if !val.is_empty() => {
                    let r = val[0];
                    let exp = u32::from(r & 0x7f);
                    let base: u64 = if r & 0x80 != 0 { 2 } else { 10 };
                    iface.units_per_sec = base.checked_pow(exp).unwrap_or(u64::MAX).max(1);
                }
                2 => iface.name = String::from_utf8_lossy(val).trim_end_matches('\0').into(),
                14 if val.len() >= 8 => {
                    let v = if be {
                        i64::from_be_bytes(val[..8].try_into().unwrap_or_default())
                    } else {
                        i64::from_le_bytes(val[..8].try_into().unwrap_or_default())
                    };
                    iface.tsoffset = v;
                }
                _ => {}
            }
        }
        iface.ts_digits = ts_digits(iface.units_per_sec);
        if let Format::Pcapng { ifaces, .. } = &mut self.format {
            ifaces.push(iface);
        }
        Ok(())
    }

    fn file_info(&self, iface: &Iface) -> Option<FileInfo> {
        match &self.format {
            Format::Pcapng { section, .. } => Some(FileInfo {
                section: *section,
                interface_name: iface.name.clone(),
            }),
            Format::Pcap { .. } => None,
        }
    }

    fn iface(&self, off: u64, id: u32) -> Result<Iface, CaptureError> {
        match &self.format {
            Format::Pcapng { ifaces, .. } => {
                ifaces
                    .get(id as usize)
                    .cloned()
                    .ok_or_else(|| CaptureError::Corrupt {
                        offset: off,
                        what: format!("packet refers to undefined interface {id}"),
                    })
            }
            Format::Pcap { .. } => unreachable!(),
        }
    }

    fn on_epb(
        &mut self,
        off: u64,
        btype: u32,
        end: usize,
        be: bool,
    ) -> Result<FilePacket, CaptureError> {
        if end < 28 {
            return Err(CaptureError::Corrupt {
                offset: off,
                what: "packet block too short".into(),
            });
        }
        let b = &self.buf;
        let (iface_id, drops_or_none) = if btype == 6 {
            (u32_at(&b[8..], be), None)
        } else {
            (u32::from(u16_at(&b[8..], be)), Some(()))
        };
        let _ = drops_or_none;
        let hi = u64::from(u32_at(&b[12..], be));
        let lo = u64::from(u32_at(&b[16..], be));
        let caplen = u32_at(&b[20..], be);
        let origlen = u32_at(&b[24..], be);
        let data_end = 28usize.saturating_add(caplen as usize);
        if data_end > end {
            return Err(CaptureError::Corrupt {
                offset: off,
                what: format!("captured length {caplen} exceeds the block"),
            });
        }
        let iface = self.iface(off, iface_id)?;
        let ts = (hi << 32) | lo;
        let ts_ns =
            ts_to_ns(ts, iface.units_per_sec) + iface.tsoffset.saturating_mul(1_000_000_000);
        let opts_start = (data_end + 3) & !3;
        let mut direction = None;
        let mut flags = None;
        let mut comments = Vec::new();
        if opts_start < end {
            for (code, val) in Options::new(&self.buf[opts_start..end], be) {
                if code == 1 {
                    let text = val.split(|&b| b == 0).next().unwrap_or_default();
                    comments.push(String::from_utf8_lossy(text).into_owned());
                } else if code == 4 && btype == 6 && val.len() >= 8 {
                    let (first, second) = (u32_at(val, be), u32_at(&val[4..], be));
                    let (hi, lo) = if be { (first, second) } else { (second, first) };
                    let n = (u64::from(hi) << 32) | u64::from(lo);
                    self.dropped = self.dropped.saturating_add(n);
                } else if code == 2 && btype == 6 && val.len() >= 4 {
                    flags = Some(u32_at(val, be));
                    direction = match u32_at(val, be) & 3 {
                        1 => Some(Direction::Ingress),
                        2 => Some(Direction::Egress),
                        _ => None,
                    };
                }
            }
        }
        Ok(FilePacket {
            record: PacketRecord {
                ts_ns,
                iface: iface_id,
                direction,
                orig_len: origlen.max(caplen),
                data: self.packet_data(28..data_end),
            },
            pcapng: self.file_info(&iface),
            flags,
            comments,
            linktype: iface.linktype,
            ts_digits: iface.ts_digits,
        })
    }

    fn on_spb(&mut self, off: u64, end: usize, be: bool) -> Result<FilePacket, CaptureError> {
        if end < 12 {
            return Err(CaptureError::Corrupt {
                offset: off,
                what: "simple packet block too short".into(),
            });
        }
        let iface = self.iface(off, 0)?;
        let origlen = u32_at(&self.buf[8..], be);
        let mut caplen = origlen.min(end as u32 - 12);
        if iface.snaplen != 0 {
            caplen = caplen.min(iface.snaplen);
        }
        Ok(FilePacket {
            record: PacketRecord {
                ts_ns: 0,
                iface: 0,
                direction: None,
                orig_len: origlen,
                data: self.packet_data(12..12 + caplen as usize),
            },
            pcapng: self.file_info(&iface),
            flags: None,
            comments: Vec::new(),
            linktype: iface.linktype,
            ts_digits: iface.ts_digits,
        })
    }
}

impl<R: Read> Iterator for CaptureReader<R> {
    type Item = Result<FilePacket, CaptureError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_packet()
    }
}

fn ts_to_ns(ts: u64, units_per_sec: u64) -> i64 {
    if units_per_sec == 1_000_000_000 {
        return ts as i64;
    }
    let secs = ts / units_per_sec;
    let frac = ts % units_per_sec;
    let frac_ns = (u128::from(frac) * 1_000_000_000 / u128::from(units_per_sec)) as i64;
    (secs as i64)
        .saturating_mul(1_000_000_000)
        .saturating_add(frac_ns)
}

/// Iterator over pcapng options (code, value), stopping at `opt_endofopt`
/// or at the first option that does not fit.
struct Options<'a> {
    b: &'a [u8],
    be: bool,
}

impl<'a> Options<'a> {
    fn new(b: &'a [u8], be: bool) -> Self {
        Self { b, be }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        if self.b.len() < 4 {
            return None;
        }
        let code = u16_at(self.b, self.be);
        let len = u16_at(&self.b[2..], self.be) as usize;
        if code == 0 || 4 + len > self.b.len() {
            return None;
        }
        let val = &self.b[4..4 + len];
        let adv = (4 + len + 3) & !3;
        self.b = &self.b[adv.min(self.b.len())..];
        Some((code, val))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcap(be: bool, nanos: bool, pkts: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let w32 = |v: &mut Vec<u8>, x: u32| {
            v.extend_from_slice(&if be { x.to_be_bytes() } else { x.to_le_bytes() })
        };
        let w16 = |v: &mut Vec<u8>, x: u16| {
            v.extend_from_slice(&if be { x.to_be_bytes() } else { x.to_le_bytes() })
        };
        let mut v = Vec::new();
        w32(&mut v, if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 });
        w16(&mut v, 2);
        w16(&mut v, 4);
        w32(&mut v, 0);
        w32(&mut v, 0);
        w32(&mut v, 65535);
        w32(&mut v, 1);
        for (s, f, d) in pkts {
            w32(&mut v, *s);
            w32(&mut v, *f);
            w32(&mut v, d.len() as u32);
            w32(&mut v, d.len() as u32 + 10);
            v.extend_from_slice(d);
        }
        v
    }

    fn read_all(b: &[u8]) -> (Vec<FilePacket>, Option<CaptureError>) {
        let mut r = CaptureReader::new(b).unwrap();
        let mut out = Vec::new();
        let mut err = None;
        for p in &mut r {
            match p {
                Ok(p) => out.push(p),
                Err(e) => err = Some(e),
            }
        }
        (out, err)
    }

    #[test]
    fn pcap_both_orders_and_nanos() {
        for be in [false, true] {
            for nanos in [false, true] {
                let f = pcap(be, nanos, &[(10, 5, b"abc"), (11, 7, b"")]);
                let (p, e) = read_all(&f);
                assert!(e.is_none());
                assert_eq!(p.len(), 2);
                assert_eq!(p[0].record.data, b"abc");
                assert_eq!(p[0].record.orig_len, 13);
                assert_eq!(p[0].linktype, 1);
                let unit = if nanos { 1 } else { 1000 };
                assert_eq!(p[0].record.ts_ns, 10_000_000_000 + 5 * unit);
                assert_eq!(p[1].record.ts_ns, 11_000_000_000 + 7 * unit);
            }
        }
    }

    #[test]
    fn pcap_truncated_reports_offset() {
        let mut f = pcap(false, false, &[(1, 0, b"abcd"), (2, 0, b"efgh")]);
        f.truncate(f.len() - 2);
        let (p, e) = read_all(&f);
        assert_eq!(p.len(), 1);
        let e = e.unwrap();
        assert_eq!(e.offset(), Some(24 + 16 + 4));
        assert!(e.to_string().contains("44"), "{e}");
    }

    struct Ng {
        v: Vec<u8>,
        be: bool,
    }
    impl Ng {
        fn w32(&mut self, x: u32) {
            let b = if self.be {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            };
            self.v.extend_from_slice(&b);
        }
        fn w16(&mut self, x: u16) {
            let b = if self.be {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            };
            self.v.extend_from_slice(&b);
        }
        fn block(&mut self, ty: u32, body: &[u8]) {
            let total = 12 + ((body.len() + 3) & !3);
            self.w32(ty);
            self.w32(total as u32);
            self.v.extend_from_slice(body);
            self.v.resize(self.v.len() + ((4 - body.len() % 4) % 4), 0);
            self.w32(total as u32);
        }
        fn shb(&mut self) {
            let mut b = Ng {
                v: Vec::new(),
                be: self.be,
            };
            b.w32(0x1a2b_3c4d);
            b.w16(1);
            b.w16(0);
            b.v.extend_from_slice(&u64::MAX.to_le_bytes());
            let body = b.v;
            self.block(0x0a0d_0d0a, &body);
        }
        fn idb(&mut self, linktype: u16, tsresol: Option<u8>) {
            let mut b = Ng {
                v: Vec::new(),
                be: self.be,
            };
            b.w16(linktype);
            b.w16(0);
            b.w32(0);
            if let Some(r) = tsresol {
                b.w16(9);
                b.w16(1);
                b.v.extend_from_slice(&[r, 0, 0, 0]);
                b.w32(0);
            }
            let body = b.v;
            self.block(1, &body);
        }
        fn epb(&mut self, iface: u32, ts: u64, data: &[u8]) {
            let mut b = Ng {
                v: Vec::new(),
                be: self.be,
            };
            b.w32(iface);
            b.w32((ts >> 32) as u32);
            b.w32(ts as u32);
            b.w32(data.len() as u32);
            b.w32(data.len() as u32);
            b.v.extend_from_slice(data);
            let body = b.v;
            self.block(6, &body);
        }
    }

    #[test]
    fn pcapng_sections_interfaces_tsresol() {
        for be in [false, true] {
            let mut n = Ng { v: Vec::new(), be };
            n.shb();
            n.idb(1, None);
            n.idb(1, Some(9));
            n.epb(0, 1_500_000, b"one");
            n.block(0x0bad, b"unknown block body");
            n.epb(1, 2_000_000_001, b"two!!");
            n.shb();
            n.idb(1, Some(0x80 | 10)); // 2^-10 s
            n.epb(0, 1024 * 3 + 512, b"three");
            let (p, e) = read_all(&n.v);
            assert!(e.is_none(), "{e:?}");
            assert_eq!(p.len(), 3);
            assert_eq!(p[0].record.ts_ns, 1_500_000_000);
            assert_eq!(p[1].record.ts_ns, 2_000_000_001);
            assert_eq!(p[1].record.iface, 1);
            assert_eq!(p[1].record.data, b"two!!");
            assert_eq!(p[2].record.ts_ns, 3_500_000_000);
            assert_eq!(p[2].record.iface, 0);
        }
    }

    #[test]
    fn pcapng_simple_and_obsolete_packet_blocks() {
        for be in [false, true] {
            let mut n = Ng { v: Vec::new(), be };
            n.shb();
            n.idb(1, None);
            // Simple packet block: original length, then the data.
            let mut b = Ng { v: Vec::new(), be };
            b.w32(5);
            b.v.extend_from_slice(b"hello");
            let body = b.v;
            n.block(3, &body);
            // Obsolete packet block: 16-bit interface, 16-bit drops.
            let mut b = Ng { v: Vec::new(), be };
            b.w16(0);
            b.w16(0);
            b.w32(0);
            b.w32(2_000_000);
            b.w32(3);
            b.w32(60);
            b.v.extend_from_slice(b"abc");
            let body = b.v;
            n.block(2, &body);
            let (p, e) = read_all(&n.v);
            assert!(e.is_none(), "{e:?}");
            assert_eq!(p.len(), 2);
            assert_eq!(p[0].record.data, b"hello");
            assert_eq!(p[0].record.orig_len, 5);
            assert_eq!(p[1].record.data, b"abc");
            assert_eq!(p[1].record.orig_len, 60);
            assert_eq!(p[1].record.ts_ns, 2_000_000_000);
            assert_eq!(p[1].pcapng.as_ref().map(|i| i.section), Some(1));
        }
    }

    #[test]
    fn pcapng_truncated_block() {
        let mut n = Ng {
            v: Vec::new(),
            be: false,
        };
        n.shb();
        n.idb(1, None);
        n.epb(0, 1, b"one");
        let good = n.v.len();
        n.epb(0, 2, b"two");
        n.v.truncate(n.v.len() - 3);
        let (p, e) = read_all(&n.v);
        assert_eq!(p.len(), 1);
        assert_eq!(e.unwrap().offset(), Some(good as u64));
    }

    #[test]
    fn bad_magic() {
        assert!(matches!(
            CaptureReader::new(&b"hello world, not a capture"[..]),
            Err(CaptureError::BadMagic(_))
        ));
    }
}
