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

/// Dissect the captured part of a truncated segment.
pub fn tcp(
    state: &mut AppState,
    ep: Endpoints,
    seg: TcpPayload<'_>,
    d: &mut Dissection,
) -> Handoff {
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
            // One TLS call: every record wholly captured is dissected; a
            // record cut by the snapshot length ends the call.
            let mut off = 0;
            let mut infos = Vec::new();
            let mark = d.fields.len();
            while let Some(rec) = whole_record(&seg.data[off..]) {
                let mut sub = d.part();
                tls::dissect(rec, &mut st.tls, seg.from_client, &mut sub);
                d.fields.append(&mut sub.fields);
                infos.push(sub.info);
                d.protocol = sub.protocol;
                off += rec.len();
            }
            if infos.is_empty() {
                d.protocol = tls::continuation_protocol(&st.tls);
                infos.push(tls::continuation_info(&st.tls).into());
            }
            let value = d.bytes(&P_TLS, seg.data);
            d.fields.insert(mark, Field { def: &P_TLS, value });
            d.info = infos.join(", ");
            Handoff::Claimed
        }
        TcpProto::Http => {
            let mark = d.fields.len();
            if starts_message(seg.data) {
                d.protocol = "HTTP".into();
            } else if seg.data.is_empty() {
                d.protocol = "HTTP".into();
                d.info = "Continuation".into();
            } else {
                // Continuation: the body bytes go to the data dissector.
                http::continuation(seg.data, d);
                super::mark_protocols(d, mark, seg.data);
                crate::dissect::data::push(d, seg.data);
                return Handoff::Claimed;
            }
            let value = d.bytes(&P_HTTP, seg.data);
            d.fields.insert(
                mark,
                Field {
                    def: &P_HTTP,
                    value,
                },
            );
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

/// The first TLS record of `b`, if its header and body were captured.
fn whole_record(b: &[u8]) -> Option<&[u8]> {
    if b.len() < 5 || !matches!(b[0], 20..=24) {
        return None;
    }
    let n = 5 + usize::from(u16::from_be_bytes([b[3], b[4]]));
    b.get(..n)
}
