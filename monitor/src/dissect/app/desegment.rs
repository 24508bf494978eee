//! Multi-segment PDUs of one direction of a TCP stream, kept the way
//! tshark's TCP dissector keeps them by default (`desegment_tcp` in
//! epan/dissectors/packet-tcp.c with "reassemble out-of-order segments"
//! off, and `fragment_add` in epan/reassemble.c).
//!
//! A dissector that needs more bytes than a segment holds asks for them;
//! an MSP is then opened from the first byte it could not dissect to the
//! sequence number where the PDU ends (`nxtpdu`). Later segments that
//! start inside the MSP add their bytes at their offset, gaps included;
//! the PDU is handed to the dissector once all its bytes are there. A
//! segment that does not start inside an MSP is dissected on its own,
//! which is how dissection picks up again after lost segments.
//!
//! An MSP may keep only a prefix of its bytes (see [`Pdus::open`]'s
//! `keep`): beyond it, only which byte ranges arrived is recorded. The PDU
//! then completes exactly when tshark's would, and is handed on as that
//! prefix plus its full length ([`Reassembled`]). This is how a large HTTP
//! body whose bytes no field reads is followed without holding it.

use std::collections::BTreeMap;

/// How many more bytes a dissector asks for (tshark's `desegment_len`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Need {
    /// This many bytes past the end of what it was given.
    Bytes(u32),
    /// At least one more segment, whatever its length
    /// (`DESEGMENT_ONE_MORE_SEGMENT`).
    OneMore,
}

/// Why tshark's reassembly refused a segment's bytes (the text of the
/// `ReassemblyError` that `fragment_add` throws; TCP's dissection of the
/// frame ends there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The bytes fall inside a PDU already handed on, or run past its end.
    Overlaps,
    /// The bytes start past the end of a PDU already handed on.
    PastLimits,
}

impl Refused {
    /// What tshark writes into the Info column and `_ws.malformed`.
    pub fn text(self) -> &'static str {
        match self {
            Refused::Overlaps => {
                "[Reassembly error, protocol TCP: New fragment overlaps old data (retransmission?)]"
            }
            Refused::PastLimits => {
                "[Reassembly error, protocol TCP: New fragment past old data limits]"
            }
        }
    }
}

/// Most MSPs kept per direction (the oldest go first). tshark keeps all;
/// only recent ones matter for retransmission checks and lost segments.
const MAX_MSPS: usize = 64;

/// A PDU whose bytes all arrived.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Reassembled {
    /// Its bytes: all of them, or the prefix the MSP kept.
    pub bytes: Vec<u8>,
    /// Its length (more than `bytes.len()` when only a prefix was kept).
    pub len: usize,
}

impl Reassembled {
    /// True when only a prefix of the bytes was kept.
    pub fn elided(&self) -> bool {
        self.len > self.bytes.len()
    }
}

/// Bytes that arrived at one offset of an MSP.
#[derive(Debug)]
struct Frag {
    /// How many bytes arrived.
    len: u32,
    /// Those of them inside the kept prefix.
    bytes: Vec<u8>,
}

/// One multi-segment PDU.
#[derive(Debug)]
struct Msp {
    /// Relative sequence number just past the PDU.
    nxtpdu: u32,
    /// Frame that last added bytes (a segment of another frame that starts
    /// where this MSP starts is a retransmission).
    last_frame: u64,
    /// The next segment is taken whole (`MSP_FLAGS_REASSEMBLE_ENTIRE_SEGMENT`).
    entire_segment: bool,
    /// Bytes by offset from the MSP's start.
    frags: BTreeMap<u32, Frag>,
    /// Only bytes at offsets below this are kept.
    keep: u32,
    /// Length of the PDU once its last fragment came (`FD_DATALEN_SET`).
    datalen: Option<u32>,
    /// All bytes came and the PDU was handed on (`FD_DEFRAGMENTED`).
    reassembled: bool,
    /// The dissector asked for more of a PDU handed on whole
    /// (`FD_PARTIAL_REASSEMBLY`): the PDU's old length, until a segment
    /// reaches it. One that ends before it is refused, as in tshark.
    partial_of: Option<u32>,
    /// Bytes held in `frags`.
    held: usize,
}

/// The MSPs of one direction, by relative sequence number of their start.
#[derive(Debug, Default)]
pub(super) struct Pdus {
    msps: BTreeMap<u32, Msp>,
    held: usize,
}

impl Pdus {
    /// Bytes held for reassembly.
    pub fn held(&self) -> usize {
        self.held
    }

    /// True while some PDU waits for bytes.
    pub fn in_progress(&self) -> bool {
        self.msps.values().any(|m| !m.reassembled && m.held > 0)
    }

    /// Forget everything.
    pub fn clear(&mut self) {
        self.msps.clear();
        self.held = 0;
    }

    /// tshark's first check in `desegment_tcp`: an MSP starts at `seq`, the
    /// segment ends inside it, and another frame added to it last: the
    /// segment is a retransmission and is not dissected.
    pub fn retransmitted(&self, seq: u32, nxtseq: u32, frame: u64) -> bool {
        self.msps
            .get(&seq)
            .is_some_and(|m| nxtseq <= m.nxtpdu && m.last_frame != frame)
    }

    /// The MSP the byte at `seq` belongs to: the one starting at `seq`, or
    /// the last one starting before it (`wmem_tree_lookup32_le(seq - 1)`),
    /// if it reaches past `seq`.
    pub fn covering(&self, seq: u32) -> Option<u32> {
        let (&start, m) = match self.msps.get(&seq) {
            Some(m) => (&seq, m),
            None => self.msps.range(..seq).next_back()?,
        };
        (start <= seq && seq < m.nxtpdu).then_some(start)
    }

    /// `nxtpdu` of the MSP starting at `start`.
    pub fn nxtpdu(&self, start: u32) -> u32 {
        self.msps.get(&start).map_or(start, |m| m.nxtpdu)
    }

    /// Add the bytes of a segment at `seq` (of frame `frame`, ending at
    /// `nxtseq`) to the MSP starting at `start`, as `desegment_tcp` does.
    /// Returns how many of the bytes went in, and the whole PDU when this
    /// completed it; or why tshark's reassembly refuses them (the MSP's
    /// PDU was handed on already).
    pub fn add(
        &mut self,
        start: u32,
        seq: u32,
        nxtseq: u32,
        data: &[u8],
        frame: u64,
    ) -> Result<(usize, Option<Reassembled>), Refused> {
        let Some(m) = self.msps.get_mut(&start) else {
            return Ok((0, None));
        };
        m.last_frame = frame;
        let len = if m.entire_segment {
            data.len()
        } else {
            (m.nxtpdu.min(nxtseq).wrapping_sub(seq) as usize).min(data.len())
        };
        let more = nxtseq < m.nxtpdu;
        let before = m.held;
        let done = m.fragment_add(seq.wrapping_sub(start), &data[..len], more)?;
        if m.entire_segment {
            m.entire_segment = false;
            if m.nxtpdu < nxtseq {
                m.nxtpdu = nxtseq;
            }
        }
        self.held = self.held + m.held - before;
        Ok((len, done))
    }

    /// The dissector wants more bytes of the PDU that was just handed to it
    /// whole (`fragment_set_partial_reassembly`): it waits again, now up to
    /// the new end.
    pub fn extend(&mut self, start: u32, end: u32, need: Need, last_fragment_end: u32) {
        if let Some(m) = self.msps.get_mut(&start) {
            m.reassembled = false;
            m.partial_of = m.datalen;
            m.datalen = None;
            match need {
                Need::OneMore => {
                    m.nxtpdu = end.max(m.nxtpdu).wrapping_add(1);
                    m.entire_segment = true;
                }
                Need::Bytes(n) if last_fragment_end >= m.nxtpdu => {
                    m.nxtpdu = last_fragment_end.wrapping_add(n);
                }
                Need::Bytes(n) => m.nxtpdu = m.nxtpdu.wrapping_add(n),
            }
        }
    }

    /// Open an MSP at `seq` (`pdu_store_sequencenumber_of_next_pdu`) for
    /// the bytes `data` of frame `frame` that end at `nxtseq`, the
    /// dissector having asked for `need` more. Only the first `keep` bytes
    /// of the PDU are kept (`u32::MAX`: all).
    pub fn open(&mut self, seq: u32, nxtseq: u32, need: Need, data: &[u8], frame: u64, keep: u32) {
        let (nxtpdu, entire_segment) = match need {
            Need::OneMore => (nxtseq.wrapping_add(1), true),
            Need::Bytes(n) => (nxtseq.wrapping_add(n), false),
        };
        // Bytes of PDUs handed on are not needed again.
        for m in self.msps.values_mut().filter(|m| m.reassembled) {
            self.held -= m.held;
            m.held = 0;
            m.frags.clear();
        }
        while self.msps.len() >= MAX_MSPS {
            if let Some((_, old)) = self.msps.pop_first() {
                self.held -= old.held;
            }
        }
        let mut m = Msp {
            nxtpdu,
            last_frame: frame,
            entire_segment,
            frags: BTreeMap::new(),
            keep,
            datalen: None,
            reassembled: false,
            partial_of: None,
            held: 0,
        };
        // (A new MSP: nothing to refuse.)
        let _ = m.fragment_add(0, data, nxtseq < nxtpdu);
        self.held += m.held;
        if let Some(old) = self.msps.insert(seq, m) {
            self.held -= old.held;
        }
    }

    /// Note a PDU from `seq` to `nxtpdu` that a dissector found in a
    /// segment it could not ask more bytes for (a segment cut short):
    /// tshark's `pdu_store_sequencenumber_of_next_pdu`, an MSP none of
    /// whose bytes are kept, so that it never completes, but whole
    /// segments inside it are added to it as to any other.
    pub fn track(&mut self, seq: u32, nxtpdu: u32, frame: u64) {
        self.open(
            seq,
            seq,
            Need::Bytes(nxtpdu.wrapping_sub(seq)),
            &[],
            frame,
            u32::MAX,
        );
    }

    /// Drop the MSP starting at `start` (its PDU grew too large).
    pub fn drop_msp(&mut self, start: u32) {
        if let Some(old) = self.msps.remove(&start) {
            self.held -= old.held;
        }
    }

    /// Bytes held by the MSP starting at `start`.
    pub fn msp_held(&self, start: u32) -> usize {
        self.msps.get(&start).map_or(0, |m| m.held)
    }
}

impl Msp {
    /// `fragment_add`: keep the bytes at `off`; the last fragment
    /// (`more` false) fixes the length. Returns the PDU when it is whole.
    /// Bytes for a PDU already handed on are refused as tshark refuses
    /// them (`fragment_add_work` on a head marked `FD_DEFRAGMENTED`).
    fn fragment_add(
        &mut self,
        off: u32,
        data: &[u8],
        more: bool,
    ) -> Result<Option<Reassembled>, Refused> {
        let end = off.wrapping_add(data.len() as u32);
        if self.reassembled {
            let datalen = self.datalen.unwrap_or(0);
            return Err(if off >= datalen {
                Refused::PastLimits
            } else {
                Refused::Overlaps
            });
        }
        if let Some(old) = self.partial_of {
            // Waiting again for more: a segment that reaches the old end
            // starts the new round; one inside the old PDU is refused.
            if end < old {
                return Err(Refused::Overlaps);
            }
            self.partial_of = None;
        }
        if !data.is_empty() {
            let len = data.len() as u32;
            let replace = self.frags.get(&off).is_none_or(|old| old.len < len);
            if replace {
                let kept = (self.keep.saturating_sub(off) as usize).min(data.len());
                let frag = Frag {
                    len,
                    bytes: data[..kept].to_vec(),
                };
                self.held += frag.bytes.len();
                if let Some(old) = self.frags.insert(off, frag) {
                    self.held -= old.bytes.len();
                }
            }
        }
        if !more && self.datalen.is_none() {
            self.datalen = Some(off.wrapping_add(data.len() as u32));
        }
        let Some(total) = self.datalen else {
            return Ok(None);
        };
        let mut reach = 0u32;
        for (&o, f) in &self.frags {
            if o > reach {
                return Ok(None);
            }
            reach = reach.max(o + f.len);
        }
        if reach < total {
            return Ok(None);
        }
        let mut pdu = vec![0u8; total.min(self.keep) as usize];
        for (&o, f) in &self.frags {
            let o = o as usize;
            if o < pdu.len() {
                let n = f.bytes.len().min(pdu.len() - o);
                pdu[o..o + n].copy_from_slice(&f.bytes[..n]);
            }
        }
        self.reassembled = true;
        // Kept as one piece, in case the dissector asks for more.
        self.frags.clear();
        self.held = pdu.len();
        self.frags.insert(
            0,
            Frag {
                len: total,
                bytes: pdu.clone(),
            },
        );
        Ok(Some(Reassembled {
            bytes: pdu,
            len: total as usize,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdu_completes_when_its_last_byte_arrives() {
        let mut p = Pdus::default();
        // A 10-byte PDU starts in a 4-byte segment at 100.
        p.open(100, 104, Need::Bytes(6), b"abcd", 1, u32::MAX);
        assert_eq!(p.covering(105), Some(100));
        let (n, done) = p.add(100, 104, 108, b"efgh", 2).unwrap();
        assert_eq!((n, done), (4, None));
        // The last segment brings more than the PDU needs.
        let (n, done) = p.add(100, 108, 112, b"ijKL", 3).unwrap();
        assert_eq!(n, 2);
        assert_eq!(done.map(|r| r.bytes).as_deref(), Some(&b"abcdefghij"[..]));
        assert_eq!(p.covering(110), None);
    }

    #[test]
    fn a_hole_keeps_the_pdu_incomplete() {
        let mut p = Pdus::default();
        p.open(0, 4, Need::Bytes(8), b"abcd", 1, u32::MAX);
        // Bytes 4..8 were lost; the tail still goes in, but nothing completes.
        let (n, done) = p.add(0, 8, 12, b"ijkl", 2).unwrap();
        assert_eq!((n, done), (4, None));
        assert!(p.in_progress());
        // A retransmission of the first segment, from another frame than
        // the one that added to the MSP last.
        assert!(p.retransmitted(0, 4, 3));
        assert!(!p.retransmitted(0, 4, 2));
    }

    #[test]
    fn one_more_segment_takes_the_next_segment_whole() {
        let mut p = Pdus::default();
        p.open(0, 3, Need::OneMore, b"abc", 1, u32::MAX);
        assert_eq!(p.nxtpdu(0), 4);
        let (n, done) = p.add(0, 3, 10, b"defghij", 2).unwrap();
        assert_eq!(n, 7);
        assert_eq!(done.map(|r| r.bytes).as_deref(), Some(&b"abcdefghij"[..]));
        assert_eq!(p.nxtpdu(0), 10);
        // The dissector wants still more: the MSP waits again.
        p.extend(0, 10, Need::Bytes(5), 10);
        assert_eq!(p.nxtpdu(0), 15);
        let (_, done) = p.add(0, 10, 15, b"klmno", 3).unwrap();
        assert_eq!(
            done.map(|r| r.bytes).as_deref(),
            Some(&b"abcdefghijklmno"[..])
        );
    }

    #[test]
    fn a_kept_prefix_completes_like_the_whole_pdu() {
        let mut p = Pdus::default();
        // A 12-byte PDU of which only the first 6 bytes are kept.
        p.open(0, 4, Need::Bytes(8), b"abcd", 1, 6);
        // The last segment first: a hole at 4..8 keeps it waiting.
        let (n, done) = p.add(0, 8, 12, b"ijkl", 2).unwrap();
        assert_eq!((n, done), (4, None));
        assert_eq!(p.msp_held(0), 4, "bytes past the prefix are not held");
        let (n, done) = p.add(0, 4, 8, b"efgh", 3).unwrap();
        assert_eq!(n, 4);
        let r = done.expect("complete once the hole is filled");
        assert_eq!((r.bytes.as_slice(), r.len), (&b"abcdef"[..], 12));
        assert!(r.elided());
    }

    #[test]
    fn bytes_for_a_pdu_handed_on_are_refused() {
        let mut p = Pdus::default();
        p.open(0, 4, Need::Bytes(4), b"abcd", 1, u32::MAX);
        let (_, done) = p.add(0, 4, 8, b"efgh", 2).unwrap();
        assert!(done.is_some());
        // The same bytes again, in a later frame: tshark's ReassemblyError.
        assert_eq!(p.add(0, 4, 8, b"efgh", 3), Err(Refused::Overlaps));
        assert_eq!(p.add(0, 2, 6, b"cdef", 4), Err(Refused::Overlaps));
        // Once the dissector asks for more, a segment reaching the old end
        // goes in; one inside the old PDU is still refused.
        p.extend(0, 8, Need::Bytes(4), 8);
        assert_eq!(p.add(0, 2, 6, b"cdef", 5), Err(Refused::Overlaps));
        let (n, done) = p.add(0, 8, 12, b"ijkl", 6).unwrap();
        assert_eq!(n, 4);
        assert_eq!(done.map(|r| r.bytes).as_deref(), Some(&b"abcdefghijkl"[..]));
    }
}
