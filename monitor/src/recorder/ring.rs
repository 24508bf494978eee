//! The in-memory ring of recent packets: bounded by the memory it accounts
//! for (not the packet count) and optionally by age; the oldest entries go
//! first.

use std::{
    collections::VecDeque,
    mem::size_of,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use crate::record::PacketRecord;

/// Default memory bound of a [`Recorder`]: 64 MiB.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

/// Entries copied per lock acquisition by [`Recorder::snapshot`].
pub const SNAPSHOT_CHUNK: usize = 4096;

/// One recorded packet with what the pipeline concluded about it.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The frame as captured (bytes, lengths, time, interface, direction).
    pub record: PacketRecord,
    /// Names of the rules (display filters) the packet matched (share
    /// them through an [`Interner`] or the rule set).
    pub rules: Vec<Arc<str>>,
    /// TCP analysis verdicts, as Wireshark field names
    /// (e.g. `tcp.analysis.retransmission`).
    pub analysis: Vec<Arc<str>>,
}

impl Entry {
    /// An entry without rule matches or analysis verdicts.
    pub fn new(record: PacketRecord) -> Self {
        Self {
            record,
            rules: Vec::new(),
            analysis: Vec::new(),
        }
    }

    /// Memory this entry is charged in a [`Recorder`]: the shared allocation
    /// holding the entry (with its reference counts), the packet bytes (by
    /// capacity), and the rule and verdict lists (pointer slots by capacity
    /// plus the string bytes and their reference counts, as if none were
    /// shared), each heap block rounded up to 16 bytes for the allocator's
    /// own overhead. The ring's slot array is charged separately, by its
    /// actual capacity.
    pub fn cost(&self) -> usize {
        fn block(n: usize) -> usize {
            if n == 0 {
                0
            } else {
                // Allocator header and alignment slack.
                (n + 16).next_multiple_of(16)
            }
        }
        let names = |v: &Vec<Arc<str>>| {
            block(v.capacity() * size_of::<Arc<str>>())
                + v.iter()
                    .map(|s| block(s.len() + 2 * size_of::<usize>()))
                    .sum::<usize>()
        };
        // Arc header (strong + weak counts) around the entry.
        block(size_of::<Entry>() + 2 * size_of::<usize>())
            + block(self.record.data.capacity())
            + names(&self.rules)
            + names(&self.analysis)
    }
}

/// Shares one `Arc<str>` per distinct rule or verdict name, so that
/// entries point at the same string instead of each allocating a copy.
#[derive(Debug, Default)]
pub struct Interner {
    names: Mutex<std::collections::HashSet<Arc<str>>>,
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The shared string equal to `name`.
    pub fn get(&self, name: &str) -> Arc<str> {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = names.get(name) {
            return Arc::clone(s);
        }
        let s: Arc<str> = Arc::from(name);
        names.insert(Arc::clone(&s));
        s
    }

    /// Distinct names held.
    pub fn len(&self) -> usize {
        self.names.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no name is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Bytes of one ring slot (the timestamp is kept beside the pointer so that
/// scans stay in one contiguous array).
const SLOT: usize = size_of::<Slot>();
/// Slots the ring starts with.
const MIN_SLOTS: usize = 16;

#[derive(Debug)]
struct Slot {
    ts_ns: i64,
    cost: usize,
    entry: Arc<Entry>,
}

/// Limits of a [`Recorder`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Memory bound in bytes: the entries as charged by [`Entry::cost`]
    /// plus the ring's slot array.
    pub max_bytes: usize,
    /// Entries older than this (relative to the newest entry pushed, or to
    /// the time given to [`Recorder::expire`]) are dropped.
    pub max_age: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_age: None,
        }
    }
}

/// Counters of a [`Recorder`] (serializable for an HTTP API).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Entries held now.
    pub entries: usize,
    /// Bytes charged for them and the slot array now (never more than
    /// `max_bytes`).
    pub bytes: usize,
    /// The memory bound.
    pub max_bytes: usize,
    /// Entries pushed since creation (including rejected ones).
    pub pushed: u64,
    /// Entries dropped to make room or because they grew too old.
    pub evicted: u64,
    /// Entries refused because one alone costs more than `max_bytes`.
    pub rejected: u64,
    /// Timestamp of the oldest entry held (ns since the epoch).
    pub oldest_ts_ns: Option<i64>,
    /// Timestamp of the newest entry held (ns since the epoch).
    pub newest_ts_ns: Option<i64>,
}

#[derive(Debug, Default)]
struct Inner {
    slots: VecDeque<Slot>,
    /// Sum of the held entries' costs (the slot array comes on top).
    bytes: usize,
    pushed: u64,
    evicted: u64,
    rejected: u64,
}

/// The flight recorder: a byte-bounded ring of recent [`Entry`]s.
///
/// Safe to share between tasks (`Arc<Recorder>`): a mutex inside guards the
/// ring, and every method holds it only for pointer-sized work per entry.
/// [`Recorder::snapshot`] copies `Arc` pointers under the lock and runs the
/// caller's filter after releasing it, so a slow filter never stalls
/// [`Recorder::push`].
///
/// Entries still held by a snapshot stay in memory after the ring evicts
/// them, outside the bound, until the snapshot is dropped; growing the slot
/// array briefly needs the old and the new array.
#[derive(Debug)]
pub struct Recorder {
    config: Config,
    inner: Mutex<Inner>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl Recorder {
    /// An empty recorder with these limits.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The limits.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The ring stays consistent at every await-free step, so a panic in
        // another thread while holding the lock leaves nothing half-done.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Record an entry, evicting those older than `max_age` relative to it
    /// and then the oldest ones until it fits. Returns false (and counts it
    /// as rejected) when the entry does not fit even in an empty ring.
    pub fn push(&self, entry: Entry) -> bool {
        let cost = entry.cost();
        let ts_ns = entry.record.ts_ns;
        let max = self.config.max_bytes;
        if cost + MIN_SLOTS * SLOT > max {
            let mut inner = self.lock();
            inner.pushed += 1;
            inner.rejected += 1;
            return false;
        }
        // Allocate outside the lock.
        let entry = Arc::new(entry);
        let mut inner = self.lock();
        inner.pushed += 1;
        if let Some(age) = self.config.max_age {
            inner.expire_before(ts_ns.saturating_sub(age_ns(age)));
        }
        loop {
            let (len, cap) = (inner.slots.len(), inner.slots.capacity());
            // Slots needed after the push: growing doubles the array.
            let need = if len < cap {
                cap
            } else {
                (2 * cap).max(MIN_SLOTS)
            };
            if inner.bytes + cost + need * SLOT <= max {
                if need > cap {
                    inner.slots.reserve_exact(need - len);
                }
                break;
            }
            if len == 0 {
                // Only the spare array is left to give back (it fits empty,
                // checked above).
                inner.slots = VecDeque::new();
                continue;
            }
            let keep = (2 * len).max(MIN_SLOTS);
            if cap > keep {
                // Spare slots first, then entries.
                inner.slots.shrink_to(keep);
                if inner.slots.capacity() < cap {
                    continue;
                }
            }
            inner.evict_front();
        }
        inner.bytes += cost;
        inner.slots.push_back(Slot { ts_ns, cost, entry });
        inner.shrink_if_sparse();
        true
    }

    /// Drop entries older than `max_age` relative to `now_ns` (for when
    /// traffic stops and no push ages them out). Returns how many went.
    pub fn expire(&self, now_ns: i64) -> usize {
        let Some(age) = self.config.max_age else {
            return 0;
        };
        self.lock()
            .expire_before(now_ns.saturating_sub(age_ns(age)))
    }

    /// The entries, oldest first, that `filter` accepts and, when `last` is
    /// given, whose timestamp is within `last` before `now_ns` (inclusive).
    /// Entries are shared, not copied.
    ///
    /// The result holds the entries present when the call began, less the
    /// oldest ones if they were evicted while it ran (never a gap). The lock is taken once per
    /// [`SNAPSHOT_CHUNK`] entries, so pushes wait at most for that many
    /// pointer copies; `filter` runs with the lock released.
    pub fn snapshot(
        &self,
        filter: impl Fn(&Entry) -> bool,
        last: Option<Duration>,
        now_ns: i64,
    ) -> Vec<Arc<Entry>> {
        let since = last.map_or(i64::MIN, |d| now_ns.saturating_sub(age_ns(d)));
        // Sequence numbers: every entry ever removed from the front counts
        // in `evicted`, so the front entry's number is `evicted`. Walk from
        // the newest back, so that entries evicted meanwhile (always the
        // oldest) cut the result short instead of leaving a hole.
        let (start, mut end) = {
            let inner = self.lock();
            (inner.evicted, inner.evicted + inner.slots.len() as u64)
        };
        let mut chunks: Vec<Vec<Arc<Entry>>> = Vec::new();
        while end > start {
            let inner = self.lock();
            let from = end
                .saturating_sub(SNAPSHOT_CHUNK as u64)
                .max(start)
                .max(inner.evicted);
            if from >= end {
                break;
            }
            let at = (from - inner.evicted) as usize;
            let to = (end - inner.evicted) as usize;
            chunks.push(
                inner
                    .slots
                    .range(at..to)
                    .filter(|s| s.ts_ns >= since)
                    .map(|s| Arc::clone(&s.entry))
                    .collect(),
            );
            if from == inner.evicted && from > start {
                break; // the older part went while we walked
            }
            end = from;
        }
        let mut candidates: Vec<Arc<Entry>> = chunks.into_iter().rev().flatten().collect();
        candidates.retain(|e| filter(e));
        candidates
    }

    /// Drop every entry (counted as evicted).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.evicted += inner.slots.len() as u64;
        inner.slots = VecDeque::new();
        inner.bytes = 0;
    }

    /// Current counters.
    pub fn stats(&self) -> Stats {
        let inner = self.lock();
        Stats {
            entries: inner.slots.len(),
            bytes: inner.total(),
            max_bytes: self.config.max_bytes,
            pushed: inner.pushed,
            evicted: inner.evicted,
            rejected: inner.rejected,
            oldest_ts_ns: inner.slots.front().map(|s| s.ts_ns),
            newest_ts_ns: inner.slots.back().map(|s| s.ts_ns),
        }
    }
}

impl Inner {
    /// Bytes charged: entries plus the slot array.
    fn total(&self) -> usize {
        self.bytes + self.slots.capacity() * SLOT
    }

    /// Give back most of the slot array once it is mostly empty (after
    /// small packets gave way to large ones, or after expiry), so that the
    /// room it took can hold packets again.
    fn shrink_if_sparse(&mut self) {
        let (len, cap) = (self.slots.len(), self.slots.capacity());
        if len == 0 {
            self.slots = VecDeque::new();
        } else if cap > 4 * MIN_SLOTS && len * 4 < cap {
            self.slots.shrink_to((2 * len).max(MIN_SLOTS));
        }
    }

    fn evict_front(&mut self) -> bool {
        match self.slots.pop_front() {
            Some(slot) => {
                self.bytes -= slot.cost;
                self.evicted += 1;
                true
            }
            None => false,
        }
    }

    /// Evict from the front while the oldest entry is older than `cutoff`.
    /// Entries arrive nearly in time order (per-CPU rings interleave), so an
    /// entry slightly out of order stays until the ones before it go.
    fn expire_before(&mut self, cutoff: i64) -> usize {
        let mut n = 0;
        while self.slots.front().is_some_and(|s| s.ts_ns < cutoff) {
            self.evict_front();
            n += 1;
        }
        if n > 0 {
            self.shrink_if_sparse();
        }
        n
    }
}

fn age_ns(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Direction;

    fn rec(ts_ns: i64, len: usize) -> Entry {
        Entry::new(PacketRecord {
            ts_ns,
            iface: 1,
            direction: Some(Direction::Ingress),
            orig_len: len as u32,
            data: vec![0xab; len],
        })
    }

    /// xorshift64*: deterministic sizes without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn cost_counts_overhead_and_capacity() {
        let small = rec(0, 0);
        assert!(small.cost() >= size_of::<Entry>() + 2 * size_of::<usize>());
        let mut big = rec(0, 100);
        big.record.data.reserve_exact(1000);
        assert!(big.cost() >= small.cost() + 1100);
        let mut named = rec(0, 0);
        named.rules.push(Arc::from("a-rule-with-a-long-name"));
        named
            .analysis
            .push(Arc::from("tcp.analysis.retransmission"));
        assert!(named.cost() >= small.cost() + 23 + 27 + 2 * size_of::<Arc<str>>());
    }

    #[test]
    fn byte_bound_holds_under_random_flood() {
        let max = 256 * 1024;
        let r = Recorder::new(Config {
            max_bytes: max,
            max_age: None,
        });
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut sum_data = 0usize;
        for i in 0..20_000 {
            let len = match rng.next() % 10 {
                0 => (rng.next() % 70_000) as usize, // GRO-sized
                1..=3 => 0,
                _ => (rng.next() % 1600) as usize,
            };
            let mut e = rec(i, len);
            if rng.next().is_multiple_of(4) {
                e.rules.push(Arc::from(format!("rule-{}", rng.next() % 7)));
            }
            sum_data += len;
            assert!(r.push(e));
            let s = r.stats();
            assert!(s.bytes <= max, "push {i}: {} > {max}", s.bytes);
            if i % 997 == 0 {
                // The accounted bytes really are the entries' costs plus a
                // slot array between full and four times larger.
                let held: usize = r.snapshot(|_| true, None, 0).iter().map(|e| e.cost()).sum();
                assert!(held + s.entries * SLOT <= s.bytes);
                assert!(s.bytes <= held + (4 * s.entries).max(4 * MIN_SLOTS) * SLOT);
                // Every entry costs more than its data plus fixed overhead.
                assert!(s.bytes >= s.entries * (size_of::<Entry>() + size_of::<Slot>()));
            }
        }
        let s = r.stats();
        assert_eq!(s.pushed, 20_000);
        assert_eq!(s.evicted as usize + s.entries, 20_000);
        assert!(sum_data > 10 * max, "the flood must overflow the bound");
        // Filled close to the bound, not emptied by over-eviction.
        assert!(s.bytes > max - 80_000, "only {} of {max} used", s.bytes);
    }

    #[test]
    fn tiny_packets_are_bounded_by_overhead() {
        // Zero-length packets still cost their overhead: the count is bounded.
        let max = 64 * 1024;
        let r = Recorder::new(Config {
            max_bytes: max,
            max_age: None,
        });
        for i in 0..100_000 {
            r.push(rec(i, 0));
        }
        let s = r.stats();
        assert!(s.entries <= max / (size_of::<Entry>() + size_of::<Slot>()));
        assert!(s.entries > 0);
        assert!(s.bytes <= max);
    }

    #[test]
    fn interner_shares_strings() {
        let i = Interner::new();
        let a = i.get("tcp.analysis.retransmission");
        let b = i.get("tcp.analysis.retransmission");
        let c = i.get("syn-flood");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*c, "syn-flood");
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn evicts_oldest_first() {
        let one = rec(0, 1000).cost();
        let array = MIN_SLOTS * SLOT;
        let r = Recorder::new(Config {
            max_bytes: one * 3 + array,
            max_age: None,
        });
        for ts in 0..5 {
            assert!(r.push(rec(ts, 1000)));
        }
        let ts: Vec<i64> = r
            .snapshot(|_| true, None, 0)
            .iter()
            .map(|e| e.record.ts_ns)
            .collect();
        assert_eq!(ts, vec![2, 3, 4]);
        let s = r.stats();
        assert_eq!((s.entries, s.evicted, s.bytes), (3, 2, 3 * one + array));
        assert_eq!((s.oldest_ts_ns, s.newest_ts_ns), (Some(2), Some(4)));
        // A bigger entry pushes out as many old ones as it needs.
        assert!(r.push(rec(5, 2500)));
        let ts: Vec<i64> = r
            .snapshot(|_| true, None, 0)
            .iter()
            .map(|e| e.record.ts_ns)
            .collect();
        assert_eq!(ts, vec![5]);
    }

    #[test]
    fn rejects_entry_larger_than_bound() {
        let r = Recorder::new(Config {
            max_bytes: 4096,
            max_age: None,
        });
        assert!(r.push(rec(0, 100)));
        assert!(!r.push(rec(1, 5000)));
        let s = r.stats();
        assert_eq!((s.entries, s.rejected, s.evicted, s.pushed), (1, 1, 0, 2));
    }

    #[test]
    fn age_limit() {
        const S: i64 = 1_000_000_000;
        let r = Recorder::new(Config {
            max_bytes: DEFAULT_MAX_BYTES,
            max_age: Some(Duration::from_secs(10)),
        });
        for t in [0, 5, 9, 10, 15] {
            r.push(rec(t * S, 10));
        }
        // Pushing t=15 s dropped everything older than 5 s.
        let ts: Vec<i64> = r
            .snapshot(|_| true, None, 15 * S)
            .iter()
            .map(|e| e.record.ts_ns / S)
            .collect();
        assert_eq!(ts, vec![5, 9, 10, 15]);
        assert_eq!(r.stats().evicted, 1);
        // Without traffic, expire() ages entries out against the clock.
        assert_eq!(r.expire(20 * S), 2);
        assert_eq!(r.stats().entries, 2);
        assert_eq!(r.expire(100 * S), 2);
        assert_eq!(r.stats().entries, 0);
        assert_eq!(r.stats().bytes, 0);
        // No age limit: expire does nothing.
        let r = Recorder::default();
        r.push(rec(0, 10));
        assert_eq!(r.expire(i64::MAX), 0);
    }

    #[test]
    fn snapshot_filter_and_last() {
        const S: i64 = 1_000_000_000;
        let r = Recorder::default();
        for t in 0..10 {
            let mut e = rec(t * S, 60);
            e.record.iface = (t % 2) as u32;
            if t % 3 == 0 {
                e.rules.push(Arc::from("syn"));
            }
            r.push(e);
        }
        let ts = |v: Vec<Arc<Entry>>| v.iter().map(|e| e.record.ts_ns / S).collect::<Vec<_>>();
        assert_eq!(ts(r.snapshot(|_| true, None, 0)).len(), 10);
        assert_eq!(
            ts(r.snapshot(|e| e.record.iface == 1, None, 0)),
            vec![1, 3, 5, 7, 9]
        );
        assert_eq!(
            ts(r.snapshot(|e| e.rules.iter().any(|n| &**n == "syn"), None, 0)),
            vec![0, 3, 6, 9]
        );
        // The last 3 s before t=9 s: 6, 7, 8, 9 (inclusive bound).
        assert_eq!(
            ts(r.snapshot(|_| true, Some(Duration::from_secs(3)), 9 * S)),
            vec![6, 7, 8, 9]
        );
        assert_eq!(
            ts(r.snapshot(|e| e.record.iface == 0, Some(Duration::from_secs(3)), 9 * S)),
            vec![6, 8]
        );
        // Snapshots share the packet bytes with the ring.
        let a = r.snapshot(|_| true, None, 0);
        let b = r.snapshot(|_| true, None, 0);
        assert!(Arc::ptr_eq(&a[0], &b[0]));
        assert_eq!(a[0].record.data.as_ptr(), b[0].record.data.as_ptr());
        // A snapshot outlives eviction.
        r.clear();
        assert_eq!(r.stats().entries, 0);
        assert_eq!(a.len(), 10);
        assert_eq!(a[9].record.data.len(), 60);
    }

    #[test]
    fn snapshot_spans_chunks_in_order() {
        let r = Recorder::default();
        let n = SNAPSHOT_CHUNK as i64 * 2 + 123;
        for t in 0..n {
            r.push(rec(t, 1));
        }
        let ts: Vec<i64> = r
            .snapshot(|_| true, None, 0)
            .iter()
            .map(|e| e.record.ts_ns)
            .collect();
        assert_eq!(ts, (0..n).collect::<Vec<_>>());
        let odd = r.snapshot(
            |e| e.record.ts_ns % 2 == 1,
            Some(Duration::from_nanos(5000)),
            n,
        );
        assert_eq!(odd.len(), 2500);
        assert_eq!(odd[0].record.ts_ns, n - 5000 + (n - 5000 + 1) % 2);
    }

    #[test]
    fn snapshot_during_eviction_is_ordered_without_duplicates() {
        // One writer evicting constantly while snapshots walk the ring in
        // chunks: each snapshot is increasing (no duplicates, no reordering)
        // and contiguous (what was evicted meanwhile is a prefix).
        let one = rec(0, 10).cost();
        let r = Arc::new(Recorder::new(Config {
            max_bytes: one * SNAPSHOT_CHUNK * 3,
            max_age: None,
        }));
        for t in 0..(SNAPSHOT_CHUNK * 3) as i64 {
            r.push(rec(t, 10));
        }
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (r, stop) = (Arc::clone(&r), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut t = (SNAPSHOT_CHUNK * 3) as i64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    r.push(rec(t, 10));
                    t += 1;
                }
            })
        };
        for _ in 0..50 {
            let snap = r.snapshot(|_| true, None, 0);
            assert!(!snap.is_empty());
            assert!(snap
                .windows(2)
                .all(|w| w[0].record.ts_ns + 1 == w[1].record.ts_ns));
            // Never more than the ring holds at once (no entries from after
            // the snapshot began on top of a full ring).
            assert!(snap.len() <= SNAPSHOT_CHUNK * 3);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap();
    }

    #[test]
    fn concurrent_push_and_snapshot() {
        let max = 128 * 1024;
        let r = Arc::new(Recorder::new(Config {
            max_bytes: max,
            max_age: None,
        }));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let r = Arc::clone(&r);
                std::thread::spawn(move || {
                    for i in 0..5000 {
                        r.push(rec(w * 1_000_000 + i, (i as usize * 37) % 1500));
                    }
                })
            })
            .collect();
        let reader = {
            let r = Arc::clone(&r);
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let snap = r.snapshot(|e| e.record.data.len() > 100, None, 0);
                    assert!(snap.iter().all(|e| e.record.data.len() > 100));
                    assert!(r.stats().bytes <= max);
                }
            })
        };
        for w in writers {
            w.join().unwrap();
        }
        reader.join().unwrap();
        let s = r.stats();
        assert_eq!(s.pushed, 20_000);
        assert_eq!(s.evicted as usize + s.entries, 20_000);
        assert!(s.bytes <= max);
    }
}
