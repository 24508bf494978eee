//! Rule-by-rule unit tests, handshake outcomes, table bounds and a
//! property test that random traffic never panics and stays bounded.

use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;

use super::verdict::aflags::*;
use super::*;

const MS: Nanos = 1_000_000;
const SEC: Nanos = 1_000_000_000;

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
}

/// Feeds segments of one client (10.0.0.1:40000) ↔ server (10.0.0.2:80) pair.
struct Conn {
    a: Analyzer,
    frame: u64,
    t: Nanos,
    cport: u16,
}

impl Conn {
    fn new() -> Self {
        Self::with(Config::default())
    }

    fn with(c: Config) -> Self {
        Self {
            a: Analyzer::new(c),
            frame: 0,
            t: SEC,
            cport: 40000,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn seg(
        &mut self,
        dt: Nanos,
        from_client: bool,
        flags: u16,
        seq: u32,
        ack: u32,
        win: u16,
        len: u32,
        opts: &[u8],
    ) -> Verdict {
        self.frame += 1;
        self.t += dt;
        let (src, dst, sp, dp) = if from_client {
            (ip(1), ip(2), self.cport, 80)
        } else {
            (ip(2), ip(1), 80, self.cport)
        };
        let s = Segment {
            src,
            dst,
            src_port: sp,
            dst_port: dp,
            seq,
            ack,
            flags,
            window: win,
            payload_len: len,
            options: opts,
            options_cut: false,
        };
        self.a.on_segment(self.frame, self.t, &s)
    }

    /// SYN (ISN 1000), SYN/ACK (ISN 5000), ACK; both sides scale by 2^7.
    fn handshake(&mut self) -> [Verdict; 3] {
        let ws = [1, 3, 3, 7];
        [
            self.seg(0, true, flags::SYN, 1000, 0, 64240, 0, &ws),
            self.seg(
                10 * MS,
                false,
                flags::SYN | flags::ACK,
                5000,
                1001,
                65160,
                0,
                &ws,
            ),
            self.seg(10 * MS, true, flags::ACK, 1001, 5001, 502, 0, &[]),
        ]
    }
}

const A: u16 = flags::ACK;
const PA: u16 = flags::ACK | flags::PSH;

#[test]
fn relative_numbers_scaling_and_irtt() {
    let mut c = Conn::new();
    let [syn, synack, ack] = c.handshake();
    assert_eq!(
        (syn.rel_seq(), syn.next_seq(), syn.rel_ack()),
        (0, Some(1), 0)
    );
    assert_eq!(syn.window_scale_factor(), None);
    assert_eq!((synack.rel_seq(), synack.rel_ack()), (0, 1));
    assert_eq!(ack.window_size_scaled(), 502 << 7);
    assert_eq!(ack.window_scale_factor(), Some(128));
    assert_eq!(ack.initial_rtt(), Some(20 * MS));
    assert_eq!(ack.completeness(), 3);
    let d = c.seg(MS, true, PA, 1001, 5001, 502, 100, &[]);
    assert_eq!((d.rel_seq(), d.next_seq()), (1, Some(101)));
    assert_eq!(d.bytes_in_flight(), Some(100));
    assert_eq!(d.completeness(), 7);
    let a = c.seg(5 * MS, false, A, 5001, 1101, 509, 0, &[]);
    assert_eq!(a.ack_rtt(), Some(5 * MS));
    assert_eq!(a.acks_frame, Some(4));
    assert_eq!(a.completeness(), 15);
}

#[test]
fn unknown_and_disabled_scaling() {
    // Midstream: scale unknown (-1), numbers relative to the first segment.
    let mut c = Conn::new();
    let v = c.seg(0, false, A, 77, 99, 300, 10, &[]);
    assert_eq!((v.rel_seq(), v.rel_ack()), (1, 1));
    assert_eq!(v.window_scale_factor(), Some(-1));
    assert_eq!(v.window_size_scaled(), 300);
    // A SYN without the option disables scaling for both sides (-2).
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, 1, 0, 100, 0, &[]);
    c.seg(MS, false, flags::SYN | A, 9, 2, 100, 0, &[1, 3, 3, 7]);
    let v = c.seg(MS, true, A, 2, 10, 100, 0, &[]);
    assert_eq!(v.window_scale_factor(), Some(-2));
    assert_eq!(v.window_size_scaled(), 100);
}

#[test]
fn lost_segment_and_acked_unseen() {
    let mut c = Conn::new();
    c.handshake();
    c.seg(MS, true, A, 1001, 5001, 502, 100, &[]);
    let v = c.seg(MS, true, A, 1201, 5001, 502, 100, &[]);
    assert_ne!(v.analysis_flags() & LOST_PACKET, 0);
    assert_eq!(
        v.info_prefix().as_deref(),
        Some("[TCP Previous segment not captured] ")
    );
    // The server acknowledges bytes the capture never saw.
    let mut c = Conn::new();
    c.handshake();
    let v = c.seg(MS, false, A, 5001, 1501, 509, 0, &[]);
    assert_eq!(v.analysis_flags(), ACK_LOST_PACKET);
    let v = c.seg(MS, false, A, 5001, 1501, 509, 0, &[]);
    assert_eq!(v.analysis_flags() & ACK_LOST_PACKET, 0, "reported once");
}

#[test]
fn duplicate_acks_and_fast_retransmission() {
    let mut c = Conn::new();
    c.handshake();
    c.seg(MS, false, A, 5001, 1001, 509, 1000, &[]);
    c.seg(MS, false, A, 7001, 1001, 509, 1000, &[]);
    let first = c.seg(MS, true, A, 1001, 6001, 502, 0, &[]);
    assert_eq!(first.analysis_flags() & DUPLICATE_ACK, 0);
    for n in 1..=3 {
        let v = c.seg(100_000, true, A, 1001, 6001, 502, 0, &[]);
        assert_eq!(v.analysis_flags(), DUPLICATE_ACK);
        assert_eq!(v.info_prefix(), Some(format!("[TCP Dup ACK 6#{n}] ")));
        let mut d = crate::dissect::Dissection::default();
        crate::dissect::tcp_verdict::push_fields(&v, &mut d);
        assert_eq!(d.values("tcp.analysis.duplicate_ack").count(), 2);
    }
    let v = c.seg(100_000, false, A, 6001, 1001, 509, 1000, &[]);
    assert_eq!(v.analysis_flags(), FAST_RETRANSMISSION);
    assert!(v.is_retransmission());
}

#[test]
fn retransmission_rto_spurious_and_out_of_order() {
    let mut c = Conn::new();
    c.handshake();
    c.seg(MS, false, A, 5001, 1001, 509, 500, &[]);
    let v = c.seg(300 * MS, false, A, 5001, 1001, 509, 500, &[]);
    assert_eq!(v.analysis_flags(), RETRANSMISSION);
    assert_eq!(v.rto, Some((300 * MS, 4)));
    assert_eq!(v.info_prefix().as_deref(), Some("[TCP Retransmission] "));
    c.seg(MS, true, A, 1001, 5501, 502, 0, &[]);
    let v = c.seg(MS, false, A, 5001, 1001, 509, 500, &[]);
    assert_eq!(v.analysis_flags(), SPURIOUS_RETRANSMISSION);
    c.seg(MS, false, A, 6001, 1001, 509, 500, &[]);
    let v = c.seg(MS / 2, false, A, 5501, 1001, 509, 500, &[]);
    assert_eq!(v.analysis_flags(), OUT_OF_ORDER);
    assert!(v.skip_payload());
}

#[test]
fn zero_window_probe_and_window_update() {
    let mut c = Conn::new();
    c.handshake();
    c.seg(MS, true, PA, 1001, 5001, 502, 100, &[]);
    let v = c.seg(MS, false, A, 5001, 1101, 0, 0, &[]);
    assert_eq!(v.analysis_flags(), ZERO_WINDOW);
    let v = c.seg(200 * MS, true, A, 1101, 5001, 502, 1, &[]);
    assert_eq!(v.analysis_flags(), ZERO_WINDOW_PROBE);
    let v = c.seg(MS, false, A, 5001, 1101, 0, 0, &[]);
    assert_eq!(v.analysis_flags(), ZERO_WINDOW_PROBE_ACK | ZERO_WINDOW);
    assert_eq!(
        v.info_prefix().as_deref(),
        Some("[TCP ZeroWindowProbeAck] [TCP ZeroWindow] ")
    );
    let v = c.seg(MS, false, A, 5001, 1101, 10, 0, &[]);
    assert_eq!(v.analysis_flags(), WINDOW_UPDATE);
}

#[test]
fn keep_alive_and_ack() {
    let mut c = Conn::new();
    c.handshake();
    c.seg(MS, true, PA, 1001, 5001, 502, 50, &[]);
    c.seg(MS, false, A, 5001, 1051, 509, 0, &[]);
    let v = c.seg(45 * SEC, true, A, 1050, 5001, 502, 1, &[]);
    assert_eq!(v.analysis_flags(), KEEP_ALIVE);
    assert!(v.is_keep_alive());
    let v = c.seg(MS, false, A, 5001, 1051, 509, 0, &[]);
    assert_eq!(v.analysis_flags(), KEEP_ALIVE_ACK);
}

#[test]
fn window_full() {
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, 1, 0, 1000, 0, &[1, 3, 3, 2]);
    c.seg(MS, false, flags::SYN | A, 100, 2, 1000, 0, &[1, 3, 3, 2]);
    c.seg(MS, true, A, 2, 101, 1000, 0, &[]);
    c.seg(MS, false, A, 101, 2, 100, 0, &[]); // 100 << 2 = 400 bytes
    let v = c.seg(MS, true, A, 2, 101, 1000, 200, &[]);
    assert_eq!(v.analysis_flags(), 0);
    let v = c.seg(MS, true, A, 202, 101, 1000, 200, &[]);
    assert_eq!(v.analysis_flags(), WINDOW_FULL);
}

#[test]
fn sequence_wraparound() {
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, u32::MAX - 10, 0, 1000, 0, &[]);
    c.seg(MS, false, flags::SYN | A, 7, u32::MAX - 9, 1000, 0, &[]);
    c.seg(MS, true, A, u32::MAX - 9, 8, 1000, 0, &[]);
    let v = c.seg(MS, true, A, u32::MAX - 9, 8, 1000, 100, &[]);
    assert_eq!(
        (v.rel_seq(), v.next_seq(), v.analysis_flags()),
        (1, Some(101), 0)
    );
    let v = c.seg(MS, true, A, 90, 8, 1000, 100, &[]);
    assert_eq!((v.rel_seq(), v.analysis_flags()), (101, 0));
    let v = c.seg(MS, false, A, 8, 190, 1000, 0, &[]);
    assert_eq!(v.acks_frame, Some(5));
}

#[test]
fn port_reuse_starts_a_new_stream() {
    let mut c = Conn::new();
    c.handshake();
    let v = c.seg(SEC, true, flags::SYN, 1000, 0, 64240, 0, &[]);
    assert_eq!(v.stream(), 0);
    assert_eq!(
        v.analysis_flags(),
        RETRANSMISSION,
        "same ISN: retransmission"
    );
    let v = c.seg(SEC, true, flags::SYN, 99_000, 0, 64240, 0, &[]);
    assert_eq!(v.stream(), 1);
    assert_eq!(v.analysis_flags(), REUSED_PORTS);
    assert_eq!(v.completeness(), 1);
    assert_eq!(
        v.info_prefix().as_deref(),
        Some("[TCP Port numbers reused] ")
    );
}

#[test]
fn timestamps_are_per_stream() {
    let mut c = Conn::new();
    let [a, b, d] = c.handshake();
    assert_eq!((a.time_relative, a.time_delta), (0, 0));
    assert_eq!((b.time_relative, b.time_delta), (10 * MS, 10 * MS));
    assert_eq!((d.time_relative, d.time_delta), (20 * MS, 10 * MS));
    let v = c.seg(-5 * MS, true, A, 1001, 5001, 502, 0, &[]);
    assert_eq!(v.time_delta, -5 * MS);
    assert_eq!(verdict::format_reltime(-5 * MS), "-0.005000000");
    assert_eq!(verdict::format_reltime(1_500_000_001), "1.500000001");
}

#[test]
fn fields_registry_has_every_pushed_field() {
    let mut c = Conn::new();
    c.handshake();
    c.seg(MS, false, A, 5001, 1001, 509, 500, &[]);
    let v = c.seg(300 * MS, false, A, 5001, 1001, 509, 500, &[]);
    let mut d = crate::dissect::Dissection::default();
    crate::dissect::tcp_verdict::push_fields(&v, &mut d);
    for f in &d.fields {
        assert!(
            crate::dissect::tcp_verdict::FIELDS
                .iter()
                .any(|g| std::ptr::eq(*g, f.def)),
            "{}",
            f.def.name
        );
    }
    assert!(d.has("tcp.analysis.rto") && d.has("tcp.analysis.rto_frame"));
    assert!(crate::dissect::lookup("tcp.analysis.ack_rtt").is_some());
}

// ---- handshake outcomes ----

fn outcome_kinds(v: &[HandshakeOutcome]) -> Vec<HandshakeKind> {
    v.iter().map(|o| o.kind).collect()
}

#[test]
fn handshake_established() {
    let mut c = Conn::new();
    let [_, _, ack] = c.handshake();
    let o = ack.handshake().expect("decided by the final ACK");
    assert_eq!(o.kind, HandshakeKind::Established);
    assert_eq!(o.irtt, Some(20 * MS));
    assert_eq!(o.syn_ack_rtt, Some(10 * MS));
    assert_eq!(o.client, (ip(1), 40000));
    assert!(c.a.poll_expired(c.t + 60 * SEC).is_empty());
}

#[test]
fn handshake_rejected() {
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, 1, 0, 100, 0, &[]);
    let v = c.seg(MS, false, flags::RST | A, 0, 2, 0, 0, &[]);
    assert_eq!(v.handshake().map(|o| o.kind), Some(HandshakeKind::Rejected));
    assert_eq!(HandshakeKind::Rejected.as_str(), "rejected");
}

#[test]
fn handshake_no_reply_after_timeout() {
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, 1, 0, 100, 0, &[]);
    c.seg(3 * SEC, true, flags::SYN, 1, 0, 100, 0, &[]);
    assert!(c.a.poll_expired(c.t + 9 * SEC).is_empty());
    let o = c.a.poll_expired(c.t + 11 * SEC);
    assert_eq!(outcome_kinds(&o), [HandshakeKind::NoReply]);
    assert!(c.a.poll_expired(c.t + 30 * SEC).is_empty(), "reported once");
}

#[test]
fn a_syn_retransmitted_after_the_timeout_is_no_new_attempt() {
    // Timeout 1 s; the client retransmits its SYN after 1.2 s. Whether the
    // timeout is noticed by polling first or by the late SYN itself, the
    // attempt ends once, as no_reply, and the retransmission opens none.
    for poll_first in [true, false] {
        let mut c = Conn::with(Config {
            handshake_timeout: SEC,
            ..Config::default()
        });
        let t0 = c.t;
        c.seg(0, true, flags::SYN, 1, 0, 100, 0, &[]);
        let mut kinds = Vec::new();
        if poll_first {
            kinds.extend(outcome_kinds(&c.a.poll_expired(t0 + 1_100 * MS)));
        }
        let v = c.seg(1_200 * MS, true, flags::SYN, 1, 0, 100, 0, &[]);
        assert!(v.handshake().is_none());
        kinds.extend(outcome_kinds(&c.a.poll_expired(c.t)));
        kinds.extend(outcome_kinds(&c.a.poll_expired(c.t + 10 * SEC)));
        assert_eq!(kinds, [HandshakeKind::NoReply], "poll first: {poll_first}");
    }
}

#[test]
fn handshake_reset_after_syn_ack() {
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, 1, 0, 100, 0, &[]);
    c.seg(MS, false, flags::SYN | A, 50, 2, 100, 0, &[]);
    let v = c.seg(MS, true, flags::RST, 2, 0, 0, 0, &[]);
    assert_eq!(v.handshake().map(|o| o.kind), Some(HandshakeKind::Reset));
    // The client aborting its own SYN.
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, 1, 0, 100, 0, &[]);
    let v = c.seg(MS, true, flags::RST, 2, 0, 0, 0, &[]);
    assert_eq!(v.handshake().map(|o| o.kind), Some(HandshakeKind::Reset));
    assert!(c.a.poll_expired(c.t + 60 * SEC).is_empty());
}

#[test]
fn handshake_incomplete_after_timeout() {
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, 1, 0, 100, 0, &[]);
    c.seg(MS, false, flags::SYN | A, 50, 2, 100, 0, &[]);
    let o = c.a.poll_expired(c.t + 10 * SEC + 1);
    assert_eq!(outcome_kinds(&o), [HandshakeKind::Incomplete]);
    // A timed-out attempt decided lazily by a late segment.
    let mut c = Conn::new();
    c.seg(0, true, flags::SYN, 1, 0, 100, 0, &[]);
    c.seg(MS, false, flags::SYN | A, 50, 2, 100, 0, &[]);
    let v = c.seg(20 * SEC, true, A, 2, 51, 100, 0, &[]);
    assert!(v.handshake().is_none());
    assert_eq!(
        outcome_kinds(&c.a.poll_expired(c.t)),
        [HandshakeKind::Incomplete]
    );
}

// ---- bounds ----

#[test]
fn lru_evicts_least_recently_used() {
    let mut c = Conn::with(Config {
        max_flows: 3,
        ..Config::default()
    });
    for p in 0..3 {
        c.cport = 1000 + p;
        c.seg(MS, true, flags::SYN, 1, 0, 100, 0, &[]);
    }
    c.cport = 1000; // touch the oldest so 1001 becomes least recent
    c.seg(MS, true, A, 2, 0, 100, 0, &[]);
    c.cport = 2000;
    let v = c.seg(MS, true, flags::SYN, 1, 0, 100, 0, &[]);
    assert_eq!(v.stream(), 3);
    let s = c.a.stats();
    assert_eq!(
        (s.flows_tracked, s.flows_evicted, s.flows_created),
        (3, 1, 4)
    );
    c.cport = 1000;
    assert_eq!(c.seg(MS, true, A, 2, 0, 100, 0, &[]).stream(), 0, "kept");
    c.cport = 1001;
    assert_eq!(
        c.seg(MS, true, A, 2, 0, 100, 0, &[]).stream(),
        4,
        "evicted: new stream"
    );
    // The evicted attempt is reported as unanswered.
    let o = c.a.poll_expired(c.t);
    assert!(o
        .iter()
        .any(|o| o.kind == HandshakeKind::NoReply && o.stream == 1));
}

#[test]
fn idle_conversations_are_forgotten() {
    let mut c = Conn::with(Config {
        idle_timeout: Some(60 * SEC),
        ..Config::default()
    });
    c.handshake();
    c.a.poll_expired(c.t + 30 * SEC);
    assert_eq!(c.a.stats().flows_tracked, 1);
    c.a.poll_expired(c.t + 61 * SEC);
    assert_eq!(c.a.stats().flows_tracked, 0);
    assert_eq!(c.a.stats().flows_expired, 1);
    let v = c.seg(120 * SEC, true, A, 1001, 5001, 502, 0, &[]);
    assert_eq!(v.stream(), 1);
}

#[test]
fn unacked_segments_are_capped() {
    let mut c = Conn::with(Config {
        max_unacked_segments: 4,
        ..Config::default()
    });
    c.handshake();
    for i in 0..10u32 {
        c.seg(MS, true, A, 1001 + i * 10, 5001, 502, 10, &[]);
    }
    let v = c.seg(MS, false, A, 5001, 1031, 509, 0, &[]);
    assert_eq!(v.acks_frame, Some(6), "tracked segment acknowledged");
    let v = c.seg(MS, false, A, 5001, 1101, 509, 0, &[]);
    assert_eq!(v.acks_frame, None, "untracked segment: no RTT");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]
    #[test]
    fn random_segments_never_panic_and_stay_bounded(
        segs in proptest::collection::vec(
            (0u8..6, 0u8..6, any::<u32>(), any::<u32>(), any::<u16>(), 0u32..3000,
             0u16..0x40, proptest::collection::vec(any::<u8>(), 0..40), -1_000_000i64..2_000_000_000),
            1..300)
    ) {
        let mut a = Analyzer::new(Config { max_flows: 8, max_unacked_segments: 16, ..Config::default() });
        let mut t: Nanos = 0;
        for (i, (s, d, seq, ack, win, len, fl, opts, dt)) in segs.iter().enumerate() {
            t += dt;
            let seg = Segment {
                src: ip(*s), dst: ip(*d), src_port: 1000 + u16::from(*s), dst_port: 80,
                seq: *seq % 4096, ack: *ack % 4096, flags: *fl, window: *win % 4,
                payload_len: *len, options: opts, options_cut: false,
            };
            let v = a.on_segment(i as u64 + 1, t, &seg);
            let mut dd = crate::dissect::Dissection::default();
            crate::dissect::tcp_verdict::push_fields(&v, &mut dd);
            let _ = v.info_prefix();
            prop_assert!(a.stats().flows_tracked <= 8);
            prop_assert!(a.convs_unacked_max() <= 16);
        }
        let _ = a.poll_expired(t + 3600 * SEC);
    }
}

#[test]
fn undelivered_outcomes_are_bounded() {
    let mut c = Conn::with(Config {
        max_flows: 2,
        ..Config::default()
    });
    for p in 0..10 {
        c.cport = 3000 + p;
        c.seg(MS, true, flags::SYN, 1, 0, 100, 0, &[]);
    }
    let s = c.a.stats();
    assert_eq!(s.flows_tracked, 2);
    assert_eq!(s.flows_evicted, 8);
    assert_eq!(s.outcomes_dropped, 6);
    let o = c.a.poll_expired(c.t);
    assert_eq!(outcome_kinds(&o), [HandshakeKind::NoReply; 2]);
    assert_eq!(o[0].stream, 0);
}

#[test]
fn completeness_text_and_sack_base() {
    use verdict::completeness_str;
    assert_eq!(completeness_str(0), "Incomplete (0)");
    assert_eq!(completeness_str(3), "Incomplete, CLIENT_ESTABLISHED (3)");
    assert_eq!(completeness_str(31), "Complete, WITH_DATA (31)");
    assert_eq!(completeness_str(39), "Complete, NO_DATA (39)");
    assert_eq!(completeness_str(37), "Incomplete (37)");
    let mut c = Conn::new();
    c.handshake();
    let v = c.seg(MS, true, A, 1001, 5001, 502, 0, &[]);
    assert_eq!(v.peer_base_seq(), 5000);
}

#[test]
fn partial_and_cumulative_acks() {
    let mut c = Conn::new();
    c.handshake();
    for i in 0..3u32 {
        c.seg(MS, true, A, 1001 + i * 100, 5001, 502, 100, &[]);
    }
    // Half of the second segment: the first is dropped without an RTT.
    let v = c.seg(MS, false, A, 5001, 1151, 509, 0, &[]);
    assert_eq!(v.acks_frame(), None);
    // The end of the second segment: RTT from its own frame.
    let v = c.seg(MS, false, A, 5001, 1201, 509, 0, &[]);
    assert_eq!((v.acks_frame(), v.ack_rtt()), (Some(5), Some(3 * MS)));
    // A retransmission of the third, then a cumulative ACK: the oldest
    // matching transmission gives the RTT.
    c.seg(MS, true, A, 1201, 5001, 502, 100, &[]);
    let v = c.seg(MS, false, A, 5001, 1301, 509, 0, &[]);
    assert_eq!((v.acks_frame(), v.ack_rtt()), (Some(6), Some(4 * MS)));
}
