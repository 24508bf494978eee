//! The conversation table and the per-segment rules of Wireshark 4.0's
//! `tcp_analyze_sequence_number()` and `dissect_tcp()`, in their order:
//! conversation lookup and port reuse, relative sequence numbers from the
//! first segment of each direction, the analysis flags, RTT and bytes in
//! flight, window scaling from the SYN options, completeness.
//!
//! State is bounded: conversations live in an LRU of `Config::max_flows`
//! entries with an optional idle timeout, and each direction remembers at
//! most `Config::max_unacked_segments` unacknowledged segments.

use std::net::IpAddr;

/// A hash map keyed by addresses and ports: foldhash with a random seed
/// per process, cheaper than SipHash on these small keys and still not
/// predictable from outside.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// A hash set with the hasher of [`FastMap`].
type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

use super::flags::{ACK, FIN, PSH, RST, SYN};
use super::handshake::{Attempt, HandshakeOutcome};
use super::options::{TcpOptions, MAX_SACK_BLOCKS};
use super::verdict::{aflags::*, Verdict};
use super::{Config, Nanos, Segment};

/// Modulo-2^32 "a > b" (Wireshark's `GT_SEQ`).
#[inline]
pub(crate) fn gt_seq(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) < 0
}

/// Modulo-2^32 "a < b" (`LT_SEQ`).
#[inline]
pub(crate) fn lt_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// Modulo-2^32 "a <= b" (`LE_SEQ`).
#[inline]
pub(crate) fn le_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) <= 0
}

/// Conversation key: both endpoints, the "greater" one first.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    a: (IpAddr, u16),
    b: (IpAddr, u16),
}

/// Key and which of the two flows the sender owns: Wireshark's flow1 when
/// the source address (then port) compares greater, flow2 otherwise.
fn key_of(seg: &Segment<'_>) -> (Key, usize) {
    let s = (seg.src, seg.src_port);
    let d = (seg.dst, seg.dst_port);
    if s > d {
        (Key { a: s, b: d }, 0)
    } else {
        (Key { a: d, b: s }, 1)
    }
}

/// One segment not yet acknowledged.
#[derive(Clone, Copy, Debug)]
struct Unacked {
    frame: u64,
    seq: u32,
    nextseq: u32,
    ts: Nanos,
}

/// Per-direction state (`tcp_flow_t` plus its `tcp_analyze_seq_flow_info_t`).
#[derive(Clone, Debug)]
struct Dir {
    base_seq: u32,
    base_set: bool,
    /// -1 unknown, -2 no scaling, else the shift.
    win_scale: i8,
    /// Last raw window (u32::MAX before any segment).
    window: u32,
    is_first_ack: bool,
    nextseq: u32,
    nextseqframe: u64,
    nextseqtime: Nanos,
    maxseqtobeacked: u32,
    lastack: u32,
    lastacktime: Nanos,
    dupacknum: i32,
    lastnondupack: u64,
    /// Oldest first.
    segments: Vec<Unacked>,
    lastsegmentflags: u16,
    valid_bif: bool,
    push_bytes_sent: u32,
    push_set_last: bool,
    num_sack: usize,
    sack: [(u32, u32); MAX_SACK_BLOCKS],
}

impl Default for Dir {
    fn default() -> Self {
        Self {
            base_seq: 0,
            base_set: false,
            win_scale: -1,
            window: u32::MAX,
            is_first_ack: false,
            nextseq: 0,
            nextseqframe: 0,
            nextseqtime: 0,
            maxseqtobeacked: 0,
            lastack: 0,
            lastacktime: 0,
            dupacknum: 0,
            lastnondupack: 0,
            segments: Vec::new(),
            lastsegmentflags: 0,
            valid_bif: true,
            push_bytes_sent: 0,
            push_set_last: false,
            num_sack: 0,
            sack: [(0, 0); MAX_SACK_BLOCKS],
        }
    }
}

/// One TCP conversation (`struct tcp_analysis`).
#[derive(Clone, Debug)]
struct Conv {
    stream: u64,
    dirs: [Dir; 2],
    completeness: u8,
    ts_first: Nanos,
    ts_prev: Nanos,
    ts_mru_syn: Nanos,
    ts_first_rtt: Nanos,
    attempt: Option<Attempt>,
    /// Which flow index sent the SYN of the tracked attempt.
    client_dir: usize,
    /// A handshake was started (so later SYNs are not new attempts).
    hs_started: bool,
}

impl Conv {
    fn new(stream: u64, ts: Nanos) -> Self {
        Self {
            stream,
            dirs: [Dir::default(), Dir::default()],
            completeness: 0,
            ts_first: ts,
            ts_prev: ts,
            ts_mru_syn: 0,
            ts_first_rtt: 0,
            attempt: None,
            client_dir: 0,
            hs_started: false,
        }
    }
}

/// No slot (end of the LRU list).
const NIL: usize = usize::MAX;

/// One conversation in [`Table`], linked into the LRU list.
#[derive(Debug)]
struct Slot {
    key: Key,
    conv: Option<Conv>,
    /// Next less / more recently used slot.
    prev: usize,
    next: usize,
}

/// Conversations by key, in least-recently-used order: a slab whose slots
/// are linked from least to most recent, so a segment moves its
/// conversation to the recent end without a search.
#[derive(Debug, Default)]
struct Table {
    index: FastMap<Key, usize>,
    slots: Vec<Slot>,
    free: Vec<usize>,
    /// Least recently used slot, or [`NIL`].
    head: usize,
    /// Most recently used slot, or [`NIL`].
    tail: usize,
}

impl Table {
    fn new() -> Self {
        Self {
            head: NIL,
            tail: NIL,
            ..Default::default()
        }
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    fn find(&self, key: &Key) -> Option<usize> {
        self.index.get(key).copied()
    }

    fn conv(&self, i: usize) -> &Conv {
        self.slots[i].conv.as_ref().expect("live slot")
    }

    fn conv_mut(&mut self, i: usize) -> &mut Conv {
        self.slots[i].conv.as_mut().expect("live slot")
    }

    fn get(&self, key: &Key) -> Option<&Conv> {
        self.find(key).map(|i| self.conv(i))
    }

    fn get_mut(&mut self, key: &Key) -> Option<&mut Conv> {
        self.find(key).map(|i| self.conv_mut(i))
    }

    /// Key of the least recently used conversation.
    fn oldest(&self) -> Option<(Key, &Conv)> {
        (self.head != NIL).then(|| (self.slots[self.head].key, self.conv(self.head)))
    }

    fn unlink(&mut self, i: usize) {
        let (prev, next) = (self.slots[i].prev, self.slots[i].next);
        match prev {
            NIL => self.head = next,
            p => self.slots[p].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.slots[n].prev = prev,
        }
    }

    fn link_last(&mut self, i: usize) {
        self.slots[i].prev = self.tail;
        self.slots[i].next = NIL;
        match self.tail {
            NIL => self.head = i,
            t => self.slots[t].next = i,
        }
        self.tail = i;
    }

    /// Mark slot `i` the most recently used.
    fn touch(&mut self, i: usize) {
        if self.tail != i {
            self.unlink(i);
            self.link_last(i);
        }
    }

    /// Add a conversation (the key must not be present) as the most
    /// recently used; returns its slot.
    fn insert(&mut self, key: Key, conv: Conv) -> usize {
        let slot = Slot {
            key,
            conv: Some(conv),
            prev: NIL,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                self.slots.len() - 1
            }
        };
        self.index.insert(key, i);
        self.link_last(i);
        i
    }

    fn remove(&mut self, key: &Key) -> Option<Conv> {
        let i = self.index.remove(key)?;
        self.unlink(i);
        self.free.push(i);
        self.slots[i].conv.take()
    }

    #[cfg(test)]
    fn values(&self) -> impl Iterator<Item = &Conv> {
        self.slots.iter().filter_map(|s| s.conv.as_ref())
    }
}

/// Counters describing the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Conversations currently tracked.
    pub flows_tracked: usize,
    /// Conversations ever created (equals the next `tcp.stream`).
    pub flows_created: u64,
    /// Conversations dropped because the table was full (LRU).
    pub flows_evicted: u64,
    /// Conversations dropped after the idle timeout.
    pub flows_expired: u64,
    /// Segments analysed.
    pub segments: u64,
    /// Handshake outcomes discarded because `poll_expired` was not called
    /// while `max_flows` of them were waiting.
    pub outcomes_dropped: u64,
}

/// The TCP conversation table.
#[derive(Debug)]
pub struct Analyzer {
    config: Config,
    convs: Table,
    next_stream: u64,
    /// Conversations with a handshake attempt still open.
    pending: FastSet<Key>,
    /// Outcomes decided outside a segment's own verdict, for `poll_expired`.
    decided: Vec<HandshakeOutcome>,
    stats: Stats,
}

/// The per-frame analysis record (Wireshark's `struct tcp_acked`).
#[derive(Default)]
struct Ta {
    has: bool,
    flags: u16,
    dupack_num: u32,
    dupack_frame: u64,
    acks_frame: Option<u64>,
    ack_rtt: Nanos,
    bytes_in_flight: u32,
    push_bytes_sent: u32,
    rto: Nanos,
    rto_frame: u64,
}

impl Ta {
    fn set(&mut self, f: u16) {
        self.has = true;
        self.flags |= f;
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl Analyzer {
    /// A new, empty analyzer.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            convs: Table::new(),
            next_stream: 0,
            pending: FastSet::default(),
            decided: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Table counters.
    pub fn stats(&self) -> Stats {
        Stats {
            flows_tracked: self.convs.len(),
            ..self.stats
        }
    }

    /// Handshake outcomes decided by time passing (`no_reply`,
    /// `incomplete`), by eviction, or by a new attempt replacing an open one;
    /// also forgets conversations idle past `Config::idle_timeout`.
    pub fn poll_expired(&mut self, now: Nanos) -> Vec<HandshakeOutcome> {
        let timeout = self.config.handshake_timeout;
        let mut done = Vec::new();
        for key in &self.pending {
            if let Some(c) = self.convs.get(key) {
                if let Some(o) = c
                    .attempt
                    .as_ref()
                    .and_then(|a| a.expire(c.stream, now, timeout))
                {
                    done.push((*key, o));
                }
            }
        }
        for (key, o) in done {
            self.pending.remove(&key);
            if let Some(c) = self.convs.get_mut(&key) {
                c.attempt = None;
            }
            self.decide(o);
        }
        if let Some(idle) = self.config.idle_timeout {
            while let Some((key, c)) = self.convs.oldest() {
                if now - c.ts_prev <= idle {
                    break;
                }
                self.drop_conv(key, now);
                self.stats.flows_expired += 1;
            }
        }
        std::mem::take(&mut self.decided)
    }

    /// Queue an outcome for `poll_expired`; the queue is bounded by
    /// `max_flows` in case the caller never polls.
    fn decide(&mut self, o: HandshakeOutcome) {
        if self.decided.len() < self.config.max_flows.max(1) {
            self.decided.push(o);
        } else {
            self.stats.outcomes_dropped += 1;
        }
    }

    fn drop_conv(&mut self, key: Key, now: Nanos) {
        if let Some(c) = self.convs.remove(&key) {
            if self.pending.remove(&key) {
                if let Some(a) = &c.attempt {
                    let o = a.abandon(c.stream, now);
                    self.decide(o);
                }
            }
        }
    }

    /// Start a conversation (replacing one with the same key), evicting
    /// the least recently used ones while the table is full; returns its slot.
    fn new_conv(&mut self, key: Key, ts: Nanos) -> usize {
        self.drop_conv(key, ts);
        while self.convs.len() >= self.config.max_flows.max(1) {
            let Some((k, _)) = self.convs.oldest() else {
                break;
            };
            self.drop_conv(k, ts);
            self.stats.flows_evicted += 1;
        }
        let c = Conv::new(self.next_stream, ts);
        self.next_stream += 1;
        self.stats.flows_created += 1;
        self.convs.insert(key, c)
    }

    /// Analyze one segment (frame numbers start at 1, in capture order).
    pub fn on_segment(&mut self, frame: u64, ts: Nanos, seg: &Segment<'_>) -> Verdict {
        self.process(frame, ts, seg, false)
    }

    /// A TCP header quoted inside an ICMP/ICMPv6 error (call it only when
    /// the quoted header is complete, 20 bytes or more; with less tshark
    /// stops before the conversation lookup). As tshark does, this finds or
    /// creates the conversation, updates its timestamps, completeness, iRTT
    /// and window-scale state, but runs no sequence analysis: `tcp.seq` and
    /// `tcp.ack` stay raw, the window unscaled, and there is no `tcp.nxtseq`.
    pub fn on_embedded_segment(&mut self, frame: u64, ts: Nanos, seg: &Segment<'_>) -> Verdict {
        self.process(frame, ts, seg, true)
    }

    fn process(&mut self, frame: u64, ts: Nanos, seg: &Segment<'_>, embedded: bool) -> Verdict {
        self.stats.segments += 1;
        let (key, f) = key_of(seg);
        let r = 1 - f;
        let fl = seg.flags;
        // Without the IP lengths of a segment of its own, tshark has no length.
        let seglen = if embedded { 0 } else { seg.payload_len };
        let mut ta = Ta::default();
        let (slot, conversation_is_new) = self.conversation(key, f, ts, seg, &mut ta);
        let conv = self.convs.conv_mut(slot);

        if fl & (SYN | ACK) == (SYN | ACK)
            && conv.dirs[f].base_set
            && seg.seq != conv.dirs[f].base_seq
        {
            conv.dirs[f].base_seq = seg.seq;
            ta.set(REUSED_PORTS);
        }

        let mut v = Verdict {
            stream: conv.stream,
            completeness: conv.completeness,
            ..Default::default()
        };
        conv.dirs[f].num_sack = 0;
        v.time_delta = ts - conv.ts_prev;
        v.time_relative = ts - conv.ts_first;
        conv.ts_prev = ts;

        if embedded {
            v.rel_seq = seg.seq;
            v.rel_ack = seg.ack;
            v.window_size = u32::from(seg.window);
        } else {
            let max_unacked = self.config.max_unacked_segments;
            analyze(conv, f, r, frame, ts, seg, &mut ta, max_unacked);
            relative_numbers(conv, f, seg, seglen, &mut v);
        }
        v.peer_base_seq = conv.dirs[r].base_seq;
        if fl & SYN == 0 {
            let ws = conv.dirs[f].win_scale;
            v.scale_factor = Some(if ws >= 0 { 1 << ws } else { ws.into() });
        }
        conv.completeness = completeness(conv.completeness, conversation_is_new, fl, seglen);
        first_rtt(conv, f, fl, ts);
        // Options are dissected after the analysis: they affect later segments.
        note_options(conv, f, seg.options);
        if ta.has {
            analysis_fields(&ta, conv.ts_first_rtt, &mut v);
        }
        trust_window_scale(conv, f, seg);
        if !embedded {
            // A quoted header is no new event.
            v.handshake = self.track_handshake(slot, key, f, seg, ts);
        }
        v
    }

    /// Conversation lookup (an idle one is forgotten first), and port reuse:
    /// a pure SYN with another ISN starts a new conversation. Returns the
    /// conversation's slot and whether it is new.
    fn conversation(
        &mut self,
        key: Key,
        f: usize,
        ts: Nanos,
        seg: &Segment<'_>,
        ta: &mut Ta,
    ) -> (usize, bool) {
        let found = self.convs.find(&key);
        let conversation_is_new = match found {
            Some(i) => match self.config.idle_timeout {
                Some(idle) if ts - self.convs.conv(i).ts_prev > idle => {
                    self.stats.flows_expired += 1;
                    true
                }
                _ => false,
            },
            None => true,
        };
        let mut slot = match found {
            Some(i) if !conversation_is_new => i,
            _ => self.new_conv(key, ts),
        };
        if seg.flags & (SYN | ACK) == SYN && self.convs.conv(slot).dirs[f].base_set {
            if seg.seq != self.convs.conv(slot).dirs[f].base_seq {
                slot = self.new_conv(key, ts);
                self.convs.conv_mut(slot).completeness = 1;
                ta.set(REUSED_PORTS);
            } else {
                // The same ISN again: a retransmitted SYN (flagged as such
                // by the analysis); a RST may have moved nextseq.
                let d = &mut self.convs.conv_mut(slot).dirs[f];
                d.nextseq = d.maxseqtobeacked;
            }
        }
        self.convs.touch(slot);
        (slot, conversation_is_new)
    }

    /// Handshake outcome tracking: a SYN opens an attempt, later segments
    /// (or the timeout) decide it. Returns the outcome this segment
    /// decided.
    fn track_handshake(
        &mut self,
        slot: usize,
        key: Key,
        f: usize,
        seg: &Segment<'_>,
        ts: Nanos,
    ) -> Option<HandshakeOutcome> {
        let fl = seg.flags;
        let timeout = self.config.handshake_timeout;
        let conv = self.convs.conv_mut(slot);
        let stream = conv.stream;
        if fl & (SYN | ACK) == SYN && conv.attempt.is_none() && !conv.hs_started {
            conv.hs_started = true;
            conv.client_dir = f;
            conv.attempt = Some(Attempt::new(
                (seg.src, seg.src_port),
                (seg.dst, seg.dst_port),
                ts,
            ));
            self.pending.insert(key);
            return None;
        }
        let client = f == conv.client_dir;
        let a = conv.attempt.as_mut()?;
        let (decided, late, now) = match a.expire(stream, ts, timeout) {
            Some(o) => (true, Some(o), None),
            None => match a.on_segment(stream, client, fl, ts) {
                Some(o) => (true, None, Some(o)),
                None => (false, None, None),
            },
        };
        if decided {
            conv.attempt = None;
            self.pending.remove(&key);
        }
        if let Some(o) = late {
            self.decide(o);
        }
        now
    }
}

/// Relative numbers and the scaled window (after the analysis, which may
/// have set the bases).
fn relative_numbers(conv: &Conv, f: usize, seg: &Segment<'_>, seglen: u32, v: &mut Verdict) {
    let (r, fl) = (1 - f, seg.flags);
    v.rel_seq = seg.seq.wrapping_sub(conv.dirs[f].base_seq);
    v.rel_ack = if fl & ACK != 0 {
        seg.ack.wrapping_sub(conv.dirs[r].base_seq)
    } else {
        seg.ack
    };
    v.nxtseq = Some(
        v.rel_seq
            .wrapping_add(seglen)
            .wrapping_add(u32::from(fl & (SYN | FIN) != 0)),
    );
    v.window_size = u32::from(seg.window);
    if fl & SYN == 0 && conv.dirs[f].win_scale >= 0 {
        v.window_size <<= conv.dirs[f].win_scale;
    }
}

/// The conversation's completeness after a segment with flags `fl` (the
/// verdict shows it as it was before).
fn completeness(before: u8, conversation_is_new: bool, fl: u16, seglen: u32) -> u8 {
    let mut c = 0u8;
    if conversation_is_new {
        if fl & (SYN | ACK) == SYN {
            c |= 1;
            if seglen > 0 {
                c |= 8;
            }
        }
        return c;
    }
    c = before;
    if fl & (SYN | ACK) == (SYN | ACK) {
        c |= 2;
    }
    if fl & (SYN | ACK) == ACK {
        c |= if seglen > 0 { 8 } else { 4 };
    }
    if fl & (FIN | ACK) == (FIN | ACK) {
        c |= 16;
    }
    if fl & RST != 0 {
        c |= 32;
    }
    c
}

/// The initial RTT: from the latest SYN to the first ACK after it.
fn first_rtt(conv: &mut Conv, f: usize, fl: u16, ts: Nanos) {
    if fl & SYN != 0 {
        if fl & ACK == 0 {
            conv.ts_mru_syn = ts;
        }
        conv.dirs[f].is_first_ack = true;
    }
    if fl & (SYN | ACK) == ACK {
        if conv.ts_mru_syn != 0 && conv.ts_first_rtt == 0 {
            conv.ts_first_rtt = ts - conv.ts_mru_syn;
        }
        conv.dirs[f].is_first_ack = false;
    }
}

/// The options that matter to later segments: the window scale and the
/// SACK blocks.
fn note_options(conv: &mut Conv, f: usize, options: &[u8]) {
    if options.is_empty() {
        return;
    }
    let o = TcpOptions::parse(options);
    if let Some(s) = o.window_scale {
        conv.dirs[f].win_scale = s as i8;
    }
    if o.sack_present {
        let kept = o.kept_sack();
        conv.dirs[f].num_sack = kept.len();
        conv.dirs[f].sack[..kept.len()].copy_from_slice(kept);
    }
}

/// The analysis' findings into the verdict.
fn analysis_fields(ta: &Ta, first_rtt: Nanos, v: &mut Verdict) {
    v.has_analysis = true;
    v.flags = ta.flags;
    v.dupack_num = ta.dupack_num;
    v.dupack_frame = ta.dupack_frame;
    v.acks_frame = ta.acks_frame;
    v.ack_rtt = (ta.acks_frame.is_some() && ta.ack_rtt != 0).then_some(ta.ack_rtt);
    v.initial_rtt = (first_rtt != 0).then_some(first_rtt);
    if ta.bytes_in_flight != 0 {
        v.bytes_in_flight = Some(ta.bytes_in_flight);
        v.push_bytes_sent = Some(ta.push_bytes_sent);
    }
    if ta.flags & RETRANSMISSION != 0 && ta.rto != 0 {
        v.rto = Some((ta.rto, ta.rto_frame));
    }
}

/// Window scaling is only trusted when both SYNs carried the option.
fn trust_window_scale(conv: &mut Conv, f: usize, seg: &Segment<'_>) {
    let fl = seg.flags;
    if fl & SYN == 0 || seg.options_cut {
        return;
    }
    let r = 1 - f;
    if conv.dirs[f].win_scale == -1 {
        conv.dirs[f].win_scale = -2;
        conv.dirs[r].win_scale = -2;
    } else if fl & ACK != 0 && conv.dirs[r].win_scale == -2 {
        conv.dirs[f].win_scale = -2;
    }
}

/// Wireshark's `tcp_analyze_sequence_number()` for one segment.
#[allow(clippy::too_many_arguments)]
fn analyze(
    conv: &mut Conv,
    f: usize,
    r: usize,
    frame: u64,
    ts: Nanos,
    seg: &Segment<'_>,
    ta: &mut Ta,
    max_unacked: usize,
) {
    let fl = seg.flags;
    let s = Seen {
        seq: seg.seq,
        ack: seg.ack,
        fl,
        seglen: seg.payload_len,
        window: u32::from(seg.window),
        sfr: fl & (SYN | FIN | RST) != 0,
        frame,
        ts,
    };
    let irtt = conv.ts_first_rtt;
    let (fwd, rev) = if f == 0 {
        let (a, b) = conv.dirs.split_at_mut(1);
        (&mut a[0], &mut b[0])
    } else {
        let (a, b) = conv.dirs.split_at_mut(1);
        (&mut b[0], &mut a[0])
    };
    debug_assert_eq!(r, 1 - f);
    set_bases(fwd, rev, &s);
    forward_checks(fwd, rev, &s, ta);
    if s.ack != fwd.lastack {
        fwd.lastnondupack = frame;
        fwd.dupacknum = 0;
    }
    ack_of_lost(rev, &s, ta);
    if s.seglen > 0 || fl & (SYN | FIN) != 0 {
        retransmission(fwd, rev, &s, irtt, ta);
    }
    advance(fwd, &s, ta, max_unacked);
    acked(rev, &s, ta);
    if s.seglen != 0 && fwd.valid_bif {
        in_flight(fwd, rev, &s, ta);
    }
}

/// The numbers of the segment [`analyze`] looks at.
struct Seen {
    seq: u32,
    ack: u32,
    /// TCP flags.
    fl: u16,
    seglen: u32,
    window: u32,
    /// SYN, FIN or RST set.
    sfr: bool,
    frame: u64,
    ts: Nanos,
}

/// The base sequence numbers, from the first segment seen each way (or
/// the first ACK of the other side).
fn set_bases(fwd: &mut Dir, rev: &mut Dir, s: &Seen) {
    if !fwd.base_set {
        fwd.base_seq = if s.fl & SYN != 0 {
            s.seq
        } else {
            s.seq.wrapping_sub(1)
        };
        fwd.base_set = true;
    }
    if !rev.base_set && s.fl & ACK != 0 {
        rev.base_seq = s.ack.wrapping_sub(1);
        rev.base_set = true;
    }
    if s.fl & ACK != 0 {
        rev.valid_bif = true;
    }
}

/// What the segment says about its own direction: zero-window probes and
/// windows, lost segments, keep-alives, window updates, a full window,
/// keep-alive and probe ACKs, duplicate ACKs.
fn forward_checks(fwd: &mut Dir, rev: &Dir, s: &Seen, ta: &mut Ta) {
    let (seq, ack, window, seglen, sfr) = (s.seq, s.ack, s.window, s.seglen, s.sfr);
    if seglen == 1 && seq == fwd.nextseq && rev.window == 0 {
        ta.set(ZERO_WINDOW_PROBE);
        return;
    }
    if window == 0 && !sfr {
        ta.set(ZERO_WINDOW);
    }
    if fwd.nextseq != 0 && gt_seq(seq, fwd.nextseq) && s.fl & RST == 0 {
        ta.set(LOST_PACKET);
        fwd.valid_bif = false;
    }
    if seglen <= 1 && seq == fwd.nextseq.wrapping_sub(1) && !sfr {
        ta.set(KEEP_ALIVE);
    }
    if seglen == 0
        && window != 0
        && window != fwd.window
        && seq == fwd.nextseq
        && ack == fwd.lastack
        && !sfr
    {
        ta.set(WINDOW_UPDATE);
    }
    if seglen > 0 && rev.win_scale != -1 && !sfr {
        let shift = if rev.is_first_ack || rev.win_scale == -2 {
            0
        } else {
            rev.win_scale as u32
        };
        if seq.wrapping_add(seglen) == rev.lastack.wrapping_add(rev.window << shift) {
            ta.set(WINDOW_FULL);
        }
    }
    let same =
        seglen == 0 && window == fwd.window && seq == fwd.nextseq && ack == fwd.lastack && !sfr;
    if same && window != 0 && rev.lastsegmentflags & KEEP_ALIVE != 0 {
        ta.set(KEEP_ALIVE_ACK);
        return;
    }
    if same && window == 0 && rev.lastsegmentflags & ZERO_WINDOW_PROBE != 0 {
        ta.set(ZERO_WINDOW_PROBE_ACK);
        return;
    }
    if same && window != 0 {
        fwd.dupacknum = if fwd.dupacknum == -1 {
            1
        } else {
            fwd.dupacknum + 1
        };
        ta.set(DUPLICATE_ACK);
        ta.dupack_num = fwd.dupacknum as u32;
        ta.dupack_frame = fwd.lastnondupack;
    }
}

/// An ACK of data never seen (the other side's segment was lost before
/// the capture point).
fn ack_of_lost(rev: &mut Dir, s: &Seen, ta: &mut Ta) {
    if rev.maxseqtobeacked != 0 && gt_seq(s.ack, rev.maxseqtobeacked) && s.fl & ACK != 0 {
        ta.has = true;
        if lt_seq(rev.maxseqtobeacked, rev.nextseq) {
            // Move the reverse boundary past the hole so it is reported once.
            rev.maxseqtobeacked = rev.nextseq;
            ta.set(ACK_LOST_PACKET);
        } else {
            // Nothing new was sent: report once until that side's ACK changes.
            if rev.dupacknum == 0 {
                ta.set(ACK_LOST_PACKET);
            }
            rev.dupacknum = -1;
        }
    }
}

/// A segment that does not advance the sequence: spurious, fast or plain
/// retransmission, or out of order (`irtt`: the initial RTT, 0 if none).
fn retransmission(fwd: &Dir, rev: &Dir, s: &Seen, irtt: Nanos, ta: &mut Ta) {
    let (seq, seglen, ts) = (s.seq, s.seglen, s.ts);
    let mut seq_not_advanced = fwd.nextseq != 0 && lt_seq(seq, fwd.nextseq);
    if ta.flags & KEEP_ALIVE != 0 {
        return;
    }
    if seglen > 1 && fwd.nextseq.wrapping_sub(1) == seq {
        seq_not_advanced = false;
    }
    if seglen > 0 && rev.lastack != 0 && le_seq(seq.wrapping_add(seglen), rev.lastack) {
        ta.set(SPURIOUS_RETRANSMISSION);
        return;
    }
    let t = ts.wrapping_sub(rev.lastacktime) as u64;
    if seq_not_advanced && rev.dupacknum >= 2 && rev.lastack == seq && t < 20_000_000 {
        ta.set(FAST_RETRANSMISSION);
        return;
    }
    let t = ts.wrapping_sub(fwd.nextseqtime) as u64;
    let thres = if irtt == 0 { 3_000_000 } else { irtt as u64 };
    let end = seq
        .wrapping_add(seglen)
        .wrapping_add(u32::from(s.fl & (SYN | FIN) != 0));
    if seq_not_advanced && t < thres && fwd.nextseq != end {
        ta.set(OUT_OF_ORDER);
    } else if seq_not_advanced {
        ta.set(RETRANSMISSION);
        ta.rto = ts - fwd.nextseqtime;
        ta.rto_frame = fwd.nextseqframe;
        if let Some(u) = fwd.segments.first() {
            ta.rto = ts - u.ts;
            ta.rto_frame = u.frame;
        }
    }
}

/// The segment joins its side's unacknowledged ones (up to
/// `max_unacked`), and moves that side's next and highest expected
/// sequence numbers, window and last ACK.
fn advance(fwd: &mut Dir, s: &Seen, ta: &Ta, max_unacked: usize) {
    let (seq, fl) = (s.seq, s.fl);
    let mut nextseq = seq.wrapping_add(s.seglen);
    if (s.seglen > 0 || fl & (SYN | FIN) != 0) && fwd.segments.len() < max_unacked {
        if fl & (SYN | FIN) != 0 {
            nextseq = nextseq.wrapping_add(1);
        }
        fwd.segments.push(Unacked {
            frame: s.frame,
            seq,
            nextseq,
            ts: s.ts,
        });
    }
    let zwp = ta.flags & ZERO_WINDOW_PROBE != 0;
    if (gt_seq(nextseq, fwd.nextseq) || fwd.nextseq == 0) && !zwp {
        fwd.nextseq = nextseq;
        fwd.nextseqframe = s.frame;
        fwd.nextseqtime = s.ts;
    }
    if (seq == fwd.maxseqtobeacked || fwd.maxseqtobeacked == 0) && !zwp {
        fwd.maxseqtobeacked = fwd.nextseq;
    }
    fwd.window = s.window;
    fwd.lastack = s.ack;
    fwd.lastacktime = s.ts;
    fwd.lastsegmentflags = ta.flags;
}

/// Drop what this ACK covers; an exact match gives the RTT. Wireshark
/// walks newest to oldest, so the oldest exact match wins.
fn acked(rev: &mut Dir, s: &Seen, ta: &mut Ta) {
    let ack = s.ack;
    for u in rev.segments.iter_mut() {
        if ack == u.nextseq {
            ta.has = true;
            if ta.acks_frame.is_none() {
                ta.acks_frame = Some(u.frame);
                ta.ack_rtt = s.ts - u.ts;
            }
        } else if gt_seq(ack, u.seq) && le_seq(ack, u.nextseq) {
            u.seq = ack;
        }
    }
    rev.segments
        .retain(|u| ack != u.nextseq && gt_seq(u.nextseq, ack));
}

/// Bytes in flight (payload based) and bytes since the last PSH.
fn in_flight(fwd: &mut Dir, rev: &Dir, s: &Seen, ta: &mut Ta) {
    let Some(head) = fwd.segments.last() else {
        return;
    };
    let base = fwd.base_seq;
    let mut first = head.seq.wrapping_sub(base);
    let mut last = head.nextseq.wrapping_sub(base);
    for u in &fwd.segments {
        last = last.max(u.nextseq.wrapping_sub(base));
        first = first.min(u.seq.wrapping_sub(base));
    }
    let mut in_flight = last.wrapping_sub(first);
    for &(l, r) in &rev.sack[..rev.num_sack] {
        in_flight = in_flight.wrapping_sub(r.wrapping_sub(l));
    }
    ta.has = true;
    if in_flight > 0 && in_flight < 2_000_000_000 {
        ta.bytes_in_flight = in_flight - u32::from(s.fl & (SYN | FIN) != 0);
    }
    let psh = s.fl & PSH != 0;
    let seglen = s.seglen;
    if psh && !fwd.push_set_last {
        fwd.push_bytes_sent = fwd.push_bytes_sent.wrapping_add(seglen);
        fwd.push_set_last = true;
    } else if psh || fwd.push_set_last {
        fwd.push_bytes_sent = seglen;
        fwd.push_set_last = psh;
    } else {
        fwd.push_bytes_sent = fwd.push_bytes_sent.wrapping_add(seglen);
    }
    ta.push_bytes_sent = fwd.push_bytes_sent;
}

#[cfg(test)]
impl Analyzer {
    /// Largest unacknowledged-segment list of any direction (for bound tests).
    pub(crate) fn convs_unacked_max(&self) -> usize {
        self.convs
            .values()
            .flat_map(|c| c.dirs.iter().map(|d| d.segments.len()))
            .max()
            .unwrap_or(0)
    }
}
