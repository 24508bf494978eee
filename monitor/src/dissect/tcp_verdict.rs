//! The TCP analyzer's verdict as fields: the generated `tcp.*` fields
//! (`tcp.stream`, relative sequence numbers, the `tcp.analysis` tree) and
//! where in tshark's TCP tree the dissector places each group.

use super::{Base, Dissection, FieldDef, Value};
use crate::tcp_analysis::{Nanos, Verdict};

fields! {
    F_STREAM = "tcp.stream", UInt, Base::Dec, "Stream index";
    F_COMPLETENESS = "tcp.completeness", UInt, Base::Dec, "Conversation completeness";
    F_SEQ = "tcp.seq", UInt, Base::Dec, "Sequence Number";
    F_NXTSEQ = "tcp.nxtseq", UInt, Base::Dec, "Next Sequence Number";
    F_ACK = "tcp.ack", UInt, Base::Dec, "Acknowledgment Number";
    F_WIN = "tcp.window_size", UInt, Base::Dec, "Calculated window size";
    F_WSF = "tcp.window_size_scalefactor", Int, Base::Dec, "Window size scaling factor";
    F_TREL = "tcp.time_relative", RelTime, Base::Dec, "Time since first frame in this TCP stream";
    F_TDELTA = "tcp.time_delta", RelTime, Base::Dec, "Time since previous frame in this TCP stream";
    F_ANALYSIS = "tcp.analysis", None, Base::Dec, "SEQ/ACK analysis";
    F_ACKS_FRAME = "tcp.analysis.acks_frame", FrameNum, Base::Dec, "This is an ACK to the segment in frame";
    F_ACK_RTT = "tcp.analysis.ack_rtt", RelTime, Base::Dec, "The RTT to ACK the segment was";
    F_IRTT = "tcp.analysis.initial_rtt", RelTime, Base::Dec, "iRTT";
    F_BIF = "tcp.analysis.bytes_in_flight", UInt, Base::Dec, "Bytes in flight";
    F_PUSH = "tcp.analysis.push_bytes_sent", UInt, Base::Dec, "Bytes sent since last PSH flag";
    F_FLAGS = "tcp.analysis.flags", None, Base::Dec, "TCP Analysis Flags";
    F_REUSED = "tcp.analysis.reused_ports", None, Base::Dec, "A new tcp session is started with the same ports as an earlier session in this trace";
    F_RETRANS = "tcp.analysis.retransmission", None, Base::Dec, "This frame is a (suspected) retransmission";
    F_RTO = "tcp.analysis.rto", RelTime, Base::Dec, "The RTO for this segment was";
    F_RTO_FRAME = "tcp.analysis.rto_frame", FrameNum, Base::Dec, "RTO based on delta from frame";
    F_FAST = "tcp.analysis.fast_retransmission", None, Base::Dec, "This frame is a (suspected) fast retransmission";
    F_SPURIOUS = "tcp.analysis.spurious_retransmission", None, Base::Dec, "This frame is a (suspected) spurious retransmission";
    F_OOO = "tcp.analysis.out_of_order", None, Base::Dec, "This frame is a (suspected) out-of-order segment";
    F_LOST = "tcp.analysis.lost_segment", None, Base::Dec, "Previous segment(s) not captured (common at capture start)";
    F_ACK_LOST = "tcp.analysis.ack_lost_segment", None, Base::Dec, "ACKed segment that wasn't captured (common at capture start)";
    F_WUPD = "tcp.analysis.window_update", None, Base::Dec, "TCP window update";
    F_WFULL = "tcp.analysis.window_full", None, Base::Dec, "TCP window specified by the receiver is now completely full";
    F_KA = "tcp.analysis.keep_alive", None, Base::Dec, "TCP keep-alive segment";
    F_KA_ACK = "tcp.analysis.keep_alive_ack", None, Base::Dec, "ACK to a TCP keep-alive segment";
    F_DUP = "tcp.analysis.duplicate_ack", None, Base::Dec, "Duplicate ACK";
    F_DUP_NUM = "tcp.analysis.duplicate_ack_num", UInt, Base::Dec, "Duplicate ACK #";
    F_DUP_FRAME = "tcp.analysis.duplicate_ack_frame", FrameNum, Base::Dec, "Duplicate to the ACK in frame";
    F_ZWP = "tcp.analysis.zero_window_probe", None, Base::Dec, "TCP Zero Window Probe";
    F_ZW = "tcp.analysis.zero_window", None, Base::Dec, "TCP Zero Window segment";
    F_ZWP_ACK = "tcp.analysis.zero_window_probe_ack", None, Base::Dec, "ACK to a TCP Zero Window Probe";
}

fn secs(ns: Nanos) -> Value {
    Value::Float(ns as f64 / 1e9)
}

/// The stream-level fields tshark puts first in the TCP tree
/// (`tcp.stream`, `tcp.completeness`).
pub fn push_stream_fields(v: &Verdict, d: &mut Dissection) {
    d.push(&F_STREAM, Value::UInt(v.stream));
    d.push(&F_COMPLETENESS, Value::UInt(v.completeness.into()));
}

/// `tcp.seq`, `tcp.nxtseq`, `tcp.ack` (tshark puts the raw numbers between them).
pub fn push_seq_fields(v: &Verdict, d: &mut Dissection) {
    d.push(&F_SEQ, Value::UInt(v.rel_seq.into()));
    if let Some(n) = v.nxtseq {
        d.push(&F_NXTSEQ, Value::UInt(n.into()));
    }
    d.push(&F_ACK, Value::UInt(v.rel_ack.into()));
}

/// `tcp.window_size` and `tcp.window_size_scalefactor` (after `tcp.window_size_value`).
pub fn push_window_fields(v: &Verdict, d: &mut Dissection) {
    d.push(&F_WIN, Value::UInt(v.window_size.into()));
    if let Some(f) = v.scale_factor {
        d.push(&F_WSF, Value::Int(f.into()));
    }
}

/// `tcp.time_relative`, `tcp.time_delta` (the "Timestamps" subtree, before the options).
pub fn push_time_fields(v: &Verdict, d: &mut Dissection) {
    d.push(&F_TREL, secs(v.time_relative));
    d.push(&F_TDELTA, secs(v.time_delta));
}

/// The `tcp.analysis` subtree (after the options).
pub fn push_analysis_fields(v: &Verdict, d: &mut Dissection) {
    use crate::tcp_analysis::verdict::aflags::*;
    if !v.has_analysis {
        return;
    }
    d.push(&F_ANALYSIS, Value::None);
    if let Some(f) = v.acks_frame {
        d.push(&F_ACKS_FRAME, Value::UInt(f));
        if let Some(r) = v.ack_rtt {
            d.push(&F_ACK_RTT, secs(r));
        }
    }
    if let Some(r) = v.initial_rtt {
        d.push(&F_IRTT, secs(r));
    }
    if let Some(b) = v.bytes_in_flight {
        d.push(&F_BIF, Value::UInt(b.into()));
        d.push(&F_PUSH, Value::UInt(v.push_bytes_sent.unwrap_or(0).into()));
    }
    let fl = v.flags;
    if fl == 0 {
        return;
    }
    d.push(&F_FLAGS, Value::None);
    let put = |d: &mut Dissection, bit: u16, def: &'static FieldDef| {
        if fl & bit != 0 {
            d.push(def, Value::None);
        }
    };
    put(d, REUSED_PORTS, &F_REUSED);
    if fl & RETRANSMISSION != 0 {
        d.push(&F_RETRANS, Value::None);
        if let Some((rto, frame)) = v.rto {
            d.push(&F_RTO, secs(rto));
            d.push(&F_RTO_FRAME, Value::UInt(frame));
        }
    }
    if fl & FAST_RETRANSMISSION != 0 {
        d.push(&F_FAST, Value::None);
        d.push(&F_RETRANS, Value::None);
    }
    if fl & SPURIOUS_RETRANSMISSION != 0 {
        d.push(&F_SPURIOUS, Value::None);
        d.push(&F_RETRANS, Value::None);
    }
    put(d, OUT_OF_ORDER, &F_OOO);
    put(d, LOST_PACKET, &F_LOST);
    put(d, ACK_LOST_PACKET, &F_ACK_LOST);
    put(d, WINDOW_UPDATE, &F_WUPD);
    put(d, WINDOW_FULL, &F_WFULL);
    put(d, KEEP_ALIVE, &F_KA);
    put(d, KEEP_ALIVE_ACK, &F_KA_ACK);
    if v.dupack_num != 0 {
        if fl & DUPLICATE_ACK != 0 {
            d.push(&F_DUP, Value::None);
        }
        d.push(&F_DUP_NUM, Value::UInt(v.dupack_num.into()));
        d.push(&F_DUP_FRAME, Value::UInt(v.dupack_frame));
        // The expert item carries the same filter name.
        d.push(&F_DUP, Value::None);
    }
    put(d, ZERO_WINDOW_PROBE, &F_ZWP);
    put(d, ZERO_WINDOW, &F_ZW);
    put(d, ZERO_WINDOW_PROBE_ACK, &F_ZWP_ACK);
}

/// Append every field of the verdict, in tshark's tree order.
pub fn push_fields(v: &Verdict, d: &mut Dissection) {
    push_header_fields(v, d);
    push_analysis_fields(v, d);
}

/// Every field but the `tcp.analysis` tree: what tshark shows when the
/// options were cut by the snapshot length (the analysis tree is added
/// after the options, so the cut ends the dissection before it).
pub fn push_header_fields(v: &Verdict, d: &mut Dissection) {
    push_stream_fields(v, d);
    push_seq_fields(v, d);
    push_window_fields(v, d);
    push_time_fields(v, d);
}
