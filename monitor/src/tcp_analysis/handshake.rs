//! Handshake outcome tracking for the live daemon: every connection attempt
//! (a pure SYN) ends as exactly one [`HandshakeKind`]. Zeek's `conn_state`
//! names are the reference: `established` (SF/S1…), `rejected` (REJ: SYN
//! answered by RST), `no_reply` (S0: SYN, no SYN/ACK within the timeout),
//! `reset` (a RST from either side after the SYN/ACK, or from the client
//! before any answer, before the final ACK; Zeek RSTOS0/RSTR),
//! `incomplete` (SH-like: SYN/ACK seen but no final ACK within the timeout).
//!
//! No I/O and no clock: time comes in with each segment and with
//! [`crate::tcp_analysis::Analyzer::poll_expired`].

use std::net::IpAddr;

use super::Nanos;

/// How a connection attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HandshakeKind {
    /// SYN, SYN/ACK and the final ACK were seen.
    Established,
    /// The SYN was answered by a RST (Zeek REJ).
    Rejected,
    /// No SYN/ACK within the handshake timeout (Zeek S0).
    NoReply,
    /// A RST after the SYN/ACK (or the client's own RST before any
    /// answer), before the final ACK.
    Reset,
    /// SYN/ACK seen, but no final ACK within the handshake timeout.
    Incomplete,
}

impl HandshakeKind {
    /// The metric label (`established`, `rejected`, `no_reply`, `reset`, `incomplete`).
    pub fn as_str(self) -> &'static str {
        match self {
            HandshakeKind::Established => "established",
            HandshakeKind::Rejected => "rejected",
            HandshakeKind::NoReply => "no_reply",
            HandshakeKind::Reset => "reset",
            HandshakeKind::Incomplete => "incomplete",
        }
    }
}

/// One finished connection attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeOutcome {
    /// `tcp.stream` of the conversation.
    pub stream: u64,
    /// The side that sent the SYN.
    pub client: (IpAddr, u16),
    /// The side the SYN went to.
    pub server: (IpAddr, u16),
    /// How it ended.
    pub kind: HandshakeKind,
    /// Time of the (last) SYN.
    pub syn_time: Nanos,
    /// When the outcome was decided (segment time or poll time).
    pub decided_at: Nanos,
    /// SYN → SYN/ACK as seen at the capture point.
    pub syn_ack_rtt: Option<Nanos>,
    /// SYN → final ACK (Wireshark's iRTT), for established attempts.
    pub irtt: Option<Nanos>,
}

/// Where a tracked attempt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// SYN seen at `syn_time`.
    SynSent,
    /// SYN/ACK seen at the given time.
    SynAckSeen(Nanos),
}

/// An attempt in progress, owned by its conversation.
#[derive(Clone, Debug)]
pub(crate) struct Attempt {
    pub client: (IpAddr, u16),
    pub server: (IpAddr, u16),
    pub syn_time: Nanos,
    pub phase: Phase,
}

impl Attempt {
    pub(crate) fn new(client: (IpAddr, u16), server: (IpAddr, u16), syn_time: Nanos) -> Self {
        Self {
            client,
            server,
            syn_time,
            phase: Phase::SynSent,
        }
    }

    fn outcome(&self, stream: u64, kind: HandshakeKind, at: Nanos) -> HandshakeOutcome {
        let syn_ack_rtt = match self.phase {
            Phase::SynAckSeen(t) => Some(t - self.syn_time),
            Phase::SynSent => None,
        };
        HandshakeOutcome {
            stream,
            client: self.client,
            server: self.server,
            kind,
            syn_time: self.syn_time,
            decided_at: at,
            syn_ack_rtt,
            irtt: (kind == HandshakeKind::Established).then_some(at - self.syn_time),
        }
    }

    /// Feed one segment of the attempt's conversation; `from_client` tells
    /// the direction. Returns the outcome when this segment decides it.
    pub(crate) fn on_segment(
        &mut self,
        stream: u64,
        from_client: bool,
        flags: u16,
        ts: Nanos,
    ) -> Option<HandshakeOutcome> {
        use super::flags::{ACK, RST, SYN};
        if flags & RST != 0 {
            let kind = match self.phase {
                Phase::SynSent if !from_client => HandshakeKind::Rejected,
                // The client gave up before any answer (Zeek RSTOS0).
                Phase::SynSent | Phase::SynAckSeen(_) => HandshakeKind::Reset,
            };
            return Some(self.outcome(stream, kind, ts));
        }
        match (from_client, flags & (SYN | ACK)) {
            (true, SYN) => {
                // A retransmitted SYN restarts the clock.
                self.syn_time = ts;
                self.phase = Phase::SynSent;
                None
            }
            (false, f) if f == SYN | ACK => {
                if self.phase == Phase::SynSent {
                    self.phase = Phase::SynAckSeen(ts);
                }
                None
            }
            (true, ACK) => match self.phase {
                Phase::SynAckSeen(_) => Some(self.outcome(stream, HandshakeKind::Established, ts)),
                Phase::SynSent => None,
            },
            _ => None,
        }
    }

    /// The timeout outcome if the attempt has waited too long at `now`.
    pub(crate) fn expire(
        &self,
        stream: u64,
        now: Nanos,
        timeout: Nanos,
    ) -> Option<HandshakeOutcome> {
        match self.phase {
            Phase::SynSent if now - self.syn_time > timeout => {
                Some(self.outcome(stream, HandshakeKind::NoReply, now))
            }
            Phase::SynAckSeen(t) if now - t > timeout => {
                Some(self.outcome(stream, HandshakeKind::Incomplete, now))
            }
            _ => None,
        }
    }

    /// The outcome to report when the conversation is dropped (evicted or
    /// replaced by a new attempt on the same ports) before a decision.
    pub(crate) fn abandon(&self, stream: u64, now: Nanos) -> HandshakeOutcome {
        let kind = match self.phase {
            Phase::SynSent => HandshakeKind::NoReply,
            Phase::SynAckSeen(_) => HandshakeKind::Incomplete,
        };
        self.outcome(stream, kind, now)
    }
}
