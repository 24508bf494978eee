//! TCP segments cut short by the snapshot length.
//!
//! tshark lets an application dissector ask for more bytes only when the
//! whole segment was captured (packet-tcp.c sets `pinfo->can_desegment`
//! only if `tvb_bytes_exist(tvb, 0, reported_len)`). A truncated segment is
//! therefore handed, once and on its own, to the dissector of its
//! conversation, which dissects what was captured: no reassembly buffer is
//! touched. Sampled packets in the daemon are truncated the same way, so
//! this is also what a dump of the flight recorder shows in tshark.

use super::{http, port_proto, tls, AppState, Endpoints, Handoff, TcpPayload, TcpProto};
use super::{P_HTTP, P_TLS};
use crate::dissect::{Dissection, Field};

/// Dissect the captured part of a truncated segment whose payload is
/// `reported` bytes long on the wire.
pub fn tcp(
    state: &mut AppState,
    ep: Endpoints,
    seg: TcpPayload<'_>,
    reported: usize,
    d: &mut Dissection,
) -> Handoff {
    use crate::tcp_analysis::verdict::aflags;
    // Nothing is held for reassembly here: no note.
    state.held_note = super::HeldNote::None;
    // decode_tcp_ports applies to cut segments too: retransmitted data is
    // not dissected again (a spurious retransmission is), out-of-order data
    // reaches no dissector, a keep-alive's byte is data.
    let spurious = seg.flags & aflags::SPURIOUS_RETRANSMISSION != 0;
    if seg.flags & aflags::RETRANSMISSION != 0 && !spurious {
        return Handoff::Ignored;
    }
    if seg.flags & aflags::OUT_OF_ORDER != 0 {
        return Handoff::Held;
    }
    if seg.flags & aflags::KEEP_ALIVE != 0 {
        return Handoff::Unclaimed;
    }
    let st = state.stream(seg.stream);
    // The conversation's dissector, else the port's, else the heuristics
    // (which then own the conversation). Only TLS and HTTP dissect cut
    // segments here; for the others the heuristics get their turn.
    let port = port_proto(ep, seg.data).filter(|p| matches!(p, TcpProto::Tls | TcpProto::Http));
    let proto = match st.proto.or(port) {
        Some(p) => p,
        None => match super::heuristic_proto(seg.data) {
            Some(p) => {
                st.proto = Some(p);
                p
            }
            None => return Handoff::Unclaimed,
        },
    };
    match proto {
        TcpProto::Tls => {
            // One TLS call over what was captured; a record cut short ends
            // it, and nothing is kept for reassembly.
            if tls::declines(seg.data) {
                return Handoff::Unclaimed;
            }
            let value = d.bytes(&P_TLS, seg.data);
            d.fields.push(Field { def: &P_TLS, value });
            tls::dissect_cut(seg.data, reported, &mut st.tls, seg.from_client, d);
            Handoff::Claimed
        }
        TcpProto::Http => {
            let mark = d.fields.len();
            d.protocol = "HTTP".into();
            let body = if starts_message(seg.data) || seg.data.is_empty() {
                if !seg.data.starts_with(b"HTTP/") && !seg.data.is_empty() {
                    st.http.saw_request();
                }
                None
            } else {
                let mut sub = d.part();
                match http::continuation(seg.data, &st.http, &mut sub) {
                    // A text line cut short: without reassembly the line
                    // ends with the captured bytes; with a colon tshark
                    // takes it for a header, else it is body.
                    http::Continuation::NeedMore(at) => {
                        (!seg.data[at..].contains(&b':')).then_some(at)
                    }
                    http::Continuation::Shown(at) => {
                        d.fields.append(&mut sub.fields);
                        d.info = sub.info;
                        Some(at)
                    }
                    http::Continuation::Nothing => return Handoff::Ignored,
                }
            };
            let value = d.bytes(&P_HTTP, seg.data);
            d.fields.insert(
                mark,
                Field {
                    def: &P_HTTP,
                    value,
                },
            );
            if let Some(at) = body {
                crate::dissect::data::push(d, &seg.data[at.min(seg.data.len())..]);
            }
            Handoff::Claimed
        }
        TcpProto::Dns | TcpProto::Bgp | TcpProto::Http2 => Handoff::Unclaimed,
    }
}

/// tshark's test for the first line of a request or response
/// (`is_http_request_or_reply`) when the line end was not captured: the
/// line is then all the captured bytes, so `HTTP/` starts a response and a
/// method followed by a space, or by the end of the bytes, a request.
fn starts_message(b: &[u8]) -> bool {
    if b.starts_with(b"HTTP/") {
        return true;
    }
    let method = b.split(|&c| c == b' ').next().unwrap_or(b);
    http::METHODS.iter().any(|m| m.as_bytes() == method)
}
