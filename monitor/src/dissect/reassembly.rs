//! IP fragment reassembly (IPv4 and IPv6), as tshark does by default: the
//! fragments of a datagram are buffered and the upper layer is dissected on
//! the frame that completes it. Memory is bounded (datagram count, bytes per
//! datagram) and incomplete datagrams expire.

use std::collections::VecDeque;
use std::hash::Hash;

/// Incomplete datagrams kept at most (oldest dropped first).
const MAX_PENDING: usize = 4096;
/// Largest datagram reassembled.
const MAX_DATAGRAM: usize = 65_535 + 8;
/// Incomplete datagrams older than this are dropped.
const TIMEOUT_NS: i64 = 60_000_000_000;

struct Frag {
    offset: usize,
    data: Vec<u8>,
    frame: u64,
    overlap: bool,
}

struct Pending {
    frags: Vec<Frag>,
    total: Option<usize>,
    first_ts: i64,
}

/// What reassembly made of one fragment.
pub(crate) enum Outcome {
    /// Buffered; the datagram is not complete yet.
    Pending,
    /// This fragment completed the datagram.
    Complete(Reassembled),
    /// Not reassembled (datagram already complete, too large, …).
    Ignored,
}

/// A reassembled datagram payload.
pub(crate) struct Reassembled {
    /// The payload bytes.
    pub data: Vec<u8>,
    /// Frames of the fragments, in offset order.
    pub frames: Vec<u64>,
    /// Overlap flag of each fragment that overlapped an earlier one.
    pub overlaps: usize,
}

/// What a reassembly table did since it was created, and what it holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams with fragments buffered, waiting for the rest.
    pub in_progress: u64,
    /// Datagrams reassembled.
    pub completed: u64,
    /// Incomplete datagrams dropped after the timeout.
    pub timed_out: u64,
    /// Incomplete datagrams dropped to make room (table full).
    pub evicted: u64,
    /// Fragments not reassembled because the datagram would exceed the
    /// largest IP datagram.
    pub too_large: u64,
}

/// Reassembly table keyed by the datagram identity.
pub(crate) struct Table<K> {
    pending: super::FastMap<K, Pending>,
    order: VecDeque<(K, i64)>,
    stats: Stats,
}

impl<K: Hash + Eq + Clone> Default for Table<K> {
    fn default() -> Self {
        Self {
            pending: Default::default(),
            order: VecDeque::new(),
            stats: Stats::default(),
        }
    }
}

impl<K: Hash + Eq + Clone> Table<K> {
    /// Add a fragment with its byte offset; `more` is the MF flag. A
    /// completed datagram leaves the table, so fragments with the same
    /// identity later (a retransmitted datagram) start a new one, as in
    /// tshark.
    pub(crate) fn add(
        &mut self,
        key: K,
        ts: i64,
        frame: u64,
        offset: usize,
        more: bool,
        data: &[u8],
    ) -> Outcome {
        self.expire(ts);
        if offset + data.len() > MAX_DATAGRAM {
            self.stats.too_large += 1;
            return Outcome::Ignored;
        }
        if !self.pending.contains_key(&key) {
            if self.pending.len() >= MAX_PENDING {
                if let Some((old, _)) = self.order.pop_front() {
                    if self.pending.remove(&old).is_some() {
                        self.stats.evicted += 1;
                    }
                }
            }
            self.pending.insert(
                key.clone(),
                Pending {
                    frags: Vec::new(),
                    total: None,
                    first_ts: ts,
                },
            );
            self.order.push_back((key.clone(), ts));
        }
        let Some(p) = self.pending.get_mut(&key) else {
            return Outcome::Ignored;
        };
        let end = offset + data.len();
        let overlap = p
            .frags
            .iter()
            .any(|f| offset < f.offset + f.data.len() && f.offset < end);
        p.frags.push(Frag {
            offset,
            data: data.to_vec(),
            frame,
            overlap,
        });
        if !more {
            p.total = Some(end);
        }
        let Some(total) = p.total else {
            return Outcome::Pending;
        };
        // Contiguous coverage of [0, total)?
        let mut idx: Vec<usize> = (0..p.frags.len()).collect();
        idx.sort_by_key(|&i| (p.frags[i].offset, i));
        let mut covered = 0;
        for &i in &idx {
            let f = &p.frags[i];
            if f.offset > covered {
                return Outcome::Pending;
            }
            covered = covered.max(f.offset + f.data.len());
        }
        if covered < total {
            return Outcome::Pending;
        }
        let p = self.pending.remove(&key).unwrap_or(Pending {
            frags: Vec::new(),
            total: None,
            first_ts: ts,
        });
        self.order.retain(|(k, _)| k != &key);
        let mut out = vec![0u8; total];
        // Earlier fragments win where they overlap later ones.
        let mut filled = vec![false; total];
        for f in &p.frags {
            for (j, b) in f.data.iter().enumerate() {
                let pos = f.offset + j;
                if pos < total && !filled[pos] {
                    out[pos] = *b;
                    filled[pos] = true;
                }
            }
        }
        let frames = idx.iter().map(|&i| p.frags[i].frame).collect();
        let overlaps = p.frags.iter().filter(|f| f.overlap).count();
        self.stats.completed += 1;
        Outcome::Complete(Reassembled {
            data: out,
            frames,
            overlaps,
        })
    }

    /// Counters, and the datagrams in progress now.
    pub(crate) fn stats(&self) -> Stats {
        Stats {
            in_progress: self.pending.len() as u64,
            ..self.stats
        }
    }

    /// Drop incomplete datagrams older than the timeout at `now` (also
    /// done on every fragment; call it when no fragment may come).
    pub(crate) fn expire(&mut self, now: i64) {
        while let Some((k, t)) = self.order.front() {
            if now - *t <= TIMEOUT_NS {
                break;
            }
            let k = k.clone();
            self.order.pop_front();
            if self
                .pending
                .get(&k)
                .is_some_and(|p| now - p.first_ts > TIMEOUT_NS)
            {
                self.pending.remove(&k);
                self.stats.timed_out += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_and_duplicates() {
        let mut t: Table<u32> = Table::default();
        assert!(matches!(t.add(1, 0, 1, 8, false, b"89"), Outcome::Pending));
        match t.add(1, 0, 2, 0, true, b"01234567") {
            Outcome::Complete(r) => assert_eq!(r.data, b"0123456789"),
            _ => panic!("not complete"),
        }
        let mut t: Table<u32> = Table::default();
        assert!(matches!(t.add(7, 0, 1, 0, true, b"0123"), Outcome::Pending));
        assert!(matches!(t.add(7, 0, 2, 0, true, b"0123"), Outcome::Pending));
        match t.add(7, 0, 3, 4, false, b"45") {
            Outcome::Complete(r) => {
                assert_eq!(r.data, b"012345");
                assert_eq!(r.frames, vec![1, 2, 3]);
                assert_eq!(r.overlaps, 1);
            }
            _ => panic!("not complete"),
        }
        // The same identity again is a new datagram (a retransmission).
        assert!(matches!(t.add(7, 0, 4, 4, false, b"45"), Outcome::Pending));
        assert!(matches!(
            t.add(7, 0, 5, 0, true, b"0123"),
            Outcome::Complete(_)
        ));
    }

    #[test]
    fn stats_count_completions_timeouts_and_drops() {
        let mut t: Table<u32> = Table::default();
        assert!(matches!(t.add(1, 0, 1, 0, true, b"0123"), Outcome::Pending));
        assert!(matches!(t.add(2, 0, 2, 0, true, b"0123"), Outcome::Pending));
        assert_eq!(t.stats().in_progress, 2);
        assert!(matches!(
            t.add(1, 1, 3, 4, false, b"45"),
            Outcome::Complete(_)
        ));
        // Too large: an offset past the largest datagram.
        assert!(matches!(
            t.add(3, 1, 4, MAX_DATAGRAM, false, b"x"),
            Outcome::Ignored
        ));
        let s = t.stats();
        assert_eq!((s.in_progress, s.completed, s.too_large), (1, 1, 1));
        // Datagram 2 waits past the timeout: expired without a fragment.
        t.expire(TIMEOUT_NS);
        assert_eq!(t.stats().timed_out, 0, "not older than the timeout yet");
        t.expire(TIMEOUT_NS + 1);
        let s = t.stats();
        assert_eq!((s.in_progress, s.timed_out), (0, 1));
        // A full table drops its oldest incomplete datagram.
        for k in 0..=MAX_PENDING as u32 {
            t.add(100 + k, TIMEOUT_NS + 2, 5, 0, true, b"0");
        }
        let s = t.stats();
        assert_eq!((s.in_progress, s.evicted), (MAX_PENDING as u64, 1));
    }
}
