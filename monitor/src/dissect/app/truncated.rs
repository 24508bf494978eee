//! TCP segments cut short by the snapshot length.
//!
//! tshark lets an application dissector ask for more bytes only when the
//! whole segment was captured (packet-tcp.c sets `pinfo->can_desegment`
//! only if `tvb_bytes_exist(tvb, 0, reported_len)`). A truncated segment is
//! therefore handed, once and on its own, to the dissector of its
//! conversation, which dissects what was captured: no reassembly buffer is
//! touched. Sampled packets in the daemon are truncated the same way, so
//! this is also what a dump of the flight recorder shows in tshark.
//!
//! Each dissector writes its columns at its own point relative to its
//! reads; a read past the captured bytes ends the dissection there, and
//! the pipeline then appends "[Packet size limited during capture]" to
//! whatever the Info column holds (a dissector signals it with
//! `Dissection::malformed`, which the pipeline tells apart from a
//! malformed packet by the frame being cut). So what shows depends on
//! where the cut falls: see [`tls::dissect_cut`], `http_cut`,
//! `http2_cut` and `dns_cut`. No payload byte captured: no dissector is
//! called.

use super::http::P_HTTP;
use super::png;
use super::tls::P_TLS;
use super::{
    dns, http, http2, port_proto, tls, AppState, Endpoints, Handoff, TcpPayload, TcpProto,
};
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
    // Nothing captured: tshark calls no dissector on no bytes.
    if seg.data.is_empty() {
        return Handoff::Unclaimed;
    }
    let st = state.stream(seg.stream);
    // The conversation's dissector, else the port's, else the heuristics
    // (which then own the conversation). Only TLS, HTTP, HTTP/2 (once the
    // conversation switched to it) and DNS dissect cut segments here (the
    // protocols with a `cut` dissector); for BGP the heuristics get their
    // turn.
    // (A preface cut short is left to the port's dissector, as tshark's
    // HTTP reads it.)
    if seg.data.starts_with(http2::PREFACE) && st.proto != Some(TcpProto::HTTP2) {
        // Prior-knowledge HTTP/2, as on whole segments: the connection is
        // HTTP/2 from here on, reached through HTTP when that is what the
        // stream was taken for.
        st.h2_via_http = st.proto.or(super::by_port(ep)) == Some(TcpProto::HTTP);
        st.proto = Some(TcpProto::HTTP2);
    }
    let port = match port_proto(ep, seg.data) {
        Some(p) if p == TcpProto::HTTP2 && seg.data.len() < http2::PREFACE.len() => {
            super::by_port(ep)
        }
        p => p,
    }
    .filter(|p| p.tcp.cut.is_some());
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
    match proto.tcp.cut {
        Some(cut) => cut(st, seg, reported, d),
        None => Handoff::Unclaimed,
    }
}

/// One TLS call over what was captured; a record cut short ends it, and
/// nothing is kept for reassembly.
pub(super) fn tls_cut(
    st: &mut super::Stream,
    seg: TcpPayload<'_>,
    reported: usize,
    d: &mut Dissection,
) -> Handoff {
    if tls::declines(seg.data) {
        return Handoff::Unclaimed;
    }
    let value = d.bytes(&P_TLS, seg.data);
    d.fields.push(Field { def: &P_TLS, value });
    tls::dissect_cut(seg.data, reported, &mut st.tls, seg.from_client, d);
    if seg.flags != 0 && !d.info.is_empty() {
        // TCP's analysis note is fenced in front of the Info column; TLS
        // appends its text to it after a separator.
        d.info.insert_str(0, ", ");
    }
    Handoff::Claimed
}

/// tshark's HTTP dissector on the captured part of a segment. A line is
/// read up to its end, or as far as the reported bytes go when its end was
/// not captured, so reading text ends with a bounds error (`d.malformed`);
/// bytes taken for binary go to the data dissector as captured, which
/// reads nothing more. What differs is which columns were written first:
///
/// - One or two bytes leave both columns to TCP.
/// - A whole message head is dissected as the message, with the captured
///   part of its body.
/// - A first line whose end was captured goes into the Info column (with
///   its trailing space) and the Protocol column becomes HTTP.
/// - A line cut short at the start (of a message or not) is a
///   continuation once a request was seen on the connection (HTTP,
///   "Continuation"); before that, both columns stay TCP's. Unless it
///   starts a message or holds a colon (a header), it is body, as data.
/// - The middle of a message is a continuation as when it is captured
///   whole (HTTP, "Continuation" once a request was seen), with what
///   follows its header lines, or all of it when binary, as data.
pub(super) fn http_cut(
    st: &mut super::Stream,
    seg: TcpPayload<'_>,
    reported: usize,
    d: &mut Dissection,
) -> Handoff {
    let data = seg.data;
    if data.len() <= 2 && reported > 3 {
        if !st.http.seen_request()
            && http::continuation_is_binary(data)
            && !data.starts_with(b"\r\n")
        {
            // Binary bytes before any request: not HTTP's, as uncut.
            return Handoff::Ignored;
        }
        // Too little to classify: tshark reads on (past a leading CRLF,
        // which it skips by the reported length) before it writes any
        // column; the bytes are body unless they were that CRLF or hold
        // a colon (a header).
        let value = d.bytes(&P_HTTP, data);
        d.fields.push(Field {
            def: &P_HTTP,
            value,
        });
        if data != b"\r\n" && !data.contains(&b':') {
            crate::dissect::data::push(d, data);
        }
        d.malformed = true;
        return Handoff::Held;
    }
    // A segment captured whole reaches here when TCP does not desegment:
    // nothing was cut, so nothing is read past the captured bytes.
    let whole = data.len() >= reported;
    if starts_message(data) && http::head_complete(data) && (whole || !http::body_encoded(data)) {
        // The whole head: the message is dissected with what was captured
        // of its body, whose dissector then reads past it when it was cut.
        // (A compressed or chunked body cannot be decoded from a part cut
        // short: tshark shows the first line only then.)
        // A message that ends inside the captured bytes is followed by
        // the start of the next (pipelined requests).
        let end = match http::pdu_len(data, &st.http, seg.from_client) {
            super::Pdu::Len(n) => n,
            _ => data.len(),
        };
        let mut sub = d.part();
        http::dissect(
            &data[..end],
            &mut st.http,
            seg.from_client,
            seg.at(),
            &mut sub,
        );
        let value = d.bytes(&P_HTTP, data);
        d.fields.push(Field {
            def: &P_HTTP,
            value,
        });
        d.fields.append(&mut sub.fields);
        d.protocol = sub.protocol;
        d.info = sub.info;
        let mut rest = &data[end..];
        // Further whole messages (pipelined requests), each dissected.
        while starts_message(rest) {
            let super::Pdu::Len(n) = http::pdu_len(rest, &st.http, seg.from_client) else {
                break;
            };
            let mut sub = d.part();
            http::dissect(
                &rest[..n],
                &mut st.http,
                seg.from_client,
                seg.at(),
                &mut sub,
            );
            d.fields.append(&mut sub.fields);
            d.info.push_str(&sub.info);
            rest = &rest[n..];
        }
        if starts_message(rest) && rest.contains(&b'\n') {
            // Its head cut short after the first line: its text and what
            // was captured of its head, as for a first message.
            d.info.push_str(&http::held_info(rest));
            http::dissect_cut_head(rest, &mut st.http, seg.from_client, seg.at(), d);
        } else if rest.len() >= 2 && (starts_message(rest) || !whole) {
            // Its first line cut short (even before its method is whole;
            // of a single byte tshark writes nothing before its read
            // fails): tshark shows it as a continuation, and reads the
            // request line's parts once the URI's start is there.
            d.info.push_str("Continuation");
            if rest.split(|&c| c == b' ').count() >= 2 {
                http::dissect_cut_head(rest, &mut st.http, seg.from_client, seg.at(), d);
            }
        }
        match http::cut_png(data, reported) {
            // tshark's FragmentBoundsError: noted where it is caught, not
            // a malformed packet.
            Some(png::CutRead::Fragment) => {
                d.info.push_str("[BoundErrorUnreassembled Packet]");
                d.malformed = false;
            }
            Some(png::CutRead::Fine) => d.malformed = false,
            Some(png::CutRead::Malformed) => {
                // Past the end of the body itself: malformed, cut or not.
                d.info.push_str("[Malformed Packet]");
                d.malformed = true;
                d.malformed_noted = true;
            }
            Some(png::CutRead::Captured) | None => d.malformed = !whole,
        }
        return Handoff::Claimed;
    }
    let mark = d.fields.len();
    let mut malformed = true;
    let mut columns = true;
    // A request counts as seen once its start was, after its own columns.
    let request = starts_message(data) && !data.starts_with(b"HTTP/");
    let mut file_data = false;
    if data.starts_with(b"HTTP/") && !data.contains(&b'\n') && data.contains(&b' ') {
        // A status line cut short: its parts are read up to the cut (a
        // request line cut short is not taken for one).
        http::dissect_cut_head(data, &mut st.http, seg.from_client, seg.at(), d);
    }
    let body = if starts_message(data) && data.contains(&b'\n') {
        d.protocol = "HTTP".into();
        d.info = http::held_info(data);
        if http::head_complete(data) {
            // Its head whole, its encoded body cut short.
            http::dissect_head_only(data, &mut st.http, seg.from_client, seg.at(), d);
        } else {
            http::dissect_cut_head(data, &mut st.http, seg.from_client, seg.at(), d);
        }
        None
    } else {
        let mut sub = d.part();
        match http::continuation(data, &mut st.http, seg.at(), false, &mut sub) {
            http::Continuation::NeedMore(at) => {
                columns = st.http.seen_request();
                if columns {
                    d.protocol = "HTTP".into();
                    d.info = "Continuation".into();
                }
                // Without its end, the line is all the captured bytes:
                // with a colon tshark takes it for a header, else, unless
                // it starts a message, it is body.
                let body = (!request && !data.starts_with(b"HTTP/") && !data[at..].contains(&b':'))
                    .then_some(at);
                file_data = body.is_some() && columns;
                body
            }
            http::Continuation::Shown(at) => {
                d.fields.append(&mut sub.fields);
                // (Before a request, HTTP leaves the columns to TCP.)
                if !sub.protocol.is_empty() {
                    d.protocol = sub.protocol;
                    d.info = sub.info;
                }
                if whole {
                    // Nothing was cut: only a header line left without
                    // its end throws, past the segment's end (tshark's
                    // FragmentBoundsError, noted, not malformed).
                    if sub.malformed {
                        d.info.push_str("[BoundErrorUnreassembled Packet]");
                    }
                    malformed = false;
                } else {
                    malformed = sub.malformed || !http::continuation_is_binary(data);
                }
                Some(at)
            }
            http::Continuation::Nothing => return Handoff::Ignored,
        }
    };
    let value = d.bytes(&P_HTTP, data);
    d.fields.insert(
        mark,
        Field {
            def: &P_HTTP,
            value,
        },
    );
    if let Some(at) = body {
        let rest = &data[at.min(data.len())..];
        if file_data && !rest.is_empty() {
            let text = if d.wants(&http::F_HTTP_FILE_DATA) {
                super::util::ascii_z(rest)
            } else {
                String::new()
            };
            d.push(&http::F_HTTP_FILE_DATA, crate::dissect::Value::Str(text));
        }
        crate::dissect::data::push(d, rest);
    }
    d.malformed |= malformed;
    if request {
        st.http.saw_request();
    }
    if columns {
        Handoff::Claimed
    } else {
        Handoff::Held
    }
}

/// HTTP/2 (`tcp_dissect_pdus` without reassembly) on the captured part of
/// a segment. Frames are taken from the segment's first byte on, whatever
/// it holds (the middle of a frame too: its bytes are read as a header).
/// Each frame all captured is dissected; a frame cut short is dissected
/// as far as it was captured (see [`http2::dissect_cut`]): a read past the
/// captured bytes ends the whole dissection, one past the segment's end
/// only that frame's, noted in the Info column. A frame header not
/// captured whole also ends the dissection.
pub(super) fn http2_cut(
    st: &mut super::Stream,
    seg: TcpPayload<'_>,
    reported: usize,
    d: &mut Dissection,
) -> Handoff {
    let data = seg.data;
    if data.len() < http2::PREFACE.len() && http2::PREFACE.starts_with(data) {
        // The client's preface is HTTP/2 only once HTTP has read all of
        // it: cut short, it is an HTTP continuation.
        return http_cut(st, seg, reported, d);
    }
    let mark = d.fields.len();
    if st.h2_via_http {
        d.fields.push(Field {
            def: &super::L_HTTP,
            value: crate::dissect::Value::None,
        });
    }
    let mut fr = super::Frame::default();
    if seg.flags != 0 {
        // After TCP's fenced analysis note, with a separator.
        fr.infos.push(String::new());
    }
    let mut called = false;
    let mut off = 0;
    // tcp_dissect_pdus loops while tvb_reported_length_remaining() is
    // positive, which it is not past the captured bytes (the offset is
    // out of bounds): a frame that ends past them ends the loop quietly;
    // one that ends exactly there leaves a next frame with no byte.
    while off < reported && off <= data.len() {
        let rest = &data[off..];
        // get_http2_message_len: the preface, or the header's length.
        let plen = if rest.starts_with(http2::PREFACE) {
            http2::PREFACE.len()
        } else if let Some(n) = super::util::be24(rest, 0) {
            9 + n as usize
        } else {
            // Fewer than 3 bytes captured here: the packet's bounds error.
            d.malformed = true;
            break;
        };
        called = true;
        if plen > reported - off {
            // tcp_dissect_pdus tells TCP where the next PDU starts; TCP
            // keeps that as a PDU from this segment's start, which later
            // whole segments inside it are added to (and never complete).
            let di = usize::from(!seg.from_client);
            let end = (off + plen).min(u32::MAX as usize) as u32;
            st.dirs[di].track(seg.seq, seg.seq.wrapping_add(end), seg.frame);
        }
        let mut sub = d.part();
        // The frame's bytes are marked as a fragment here, also when all
        // of them were captured: a read past its end (a frame too short
        // for its type) ends it as one past the segment's end would.
        let contained = plen.min(reported - off);
        let mut info = None;
        let end = http2::dissect_cut(
            &rest[..plen.min(rest.len())],
            plen,
            contained,
            &mut sub,
            &mut info,
        );
        if end == http2::CutEnd::Read && rest.len() >= plen {
            let mut sub = d.part();
            http2::dissect(
                &rest[..plen],
                &mut st.h2,
                seg.from_client,
                seg.at(),
                &mut sub,
            );
            super::take(d, sub, &mut fr);
        } else {
            if let Some(text) = info {
                sub.info = text;
            }
            super::take(d, sub, &mut fr);
            let note = match end {
                http2::CutEnd::Captured => {
                    d.malformed = true;
                    break;
                }
                http2::CutEnd::Segment => "[BoundErrorUnreassembled Packet]",
                http2::CutEnd::Malformed => "[Malformed Packet]",
                http2::CutEnd::Read => "",
            };
            // Appended to the column as it is, without a separator.
            match fr.infos.last_mut() {
                Some(last) => last.push_str(note),
                None => fr.infos.push(note.into()),
            }
        }
        off += plen;
    }
    d.info = fr.infos.join(", ");
    super::mark_protocols(d, mark, data);
    if called {
        d.protocol = "HTTP2".into();
        Handoff::Claimed
    } else {
        d.fields.insert(
            mark + usize::from(st.h2_via_http),
            Field {
                def: &L_HTTP2,
                value: crate::dissect::Value::None,
            },
        );
        Handoff::Held
    }
}

/// HTTP/2's layer, listed once its dissector is called (before it shows
/// anything).
static L_HTTP2: crate::dissect::FieldDef = crate::dissect::FieldDef::layer_only("http2");

/// DNS over TCP (`tcp_dissect_pdus` without reassembly) on the captured
/// part of a segment: each message is dissected as far as it was
/// captured, and one cut short ends the dissection with a bounds error
/// (which comes before the end of the segment, when a message runs past
/// it, since the capture ends first).
pub(super) fn dns_cut(
    st: &mut super::Stream,
    seg: TcpPayload<'_>,
    reported: usize,
    d: &mut Dissection,
) -> Handoff {
    let tx = &mut st.dns;
    let data = seg.data;
    let mark = d.fields.len();
    let mut fr = super::Frame::default();
    let mut off = 0;
    while off < reported {
        let rest = data.get(off..).unwrap_or_default();
        let Some(len) = super::util::be16(rest, 0) else {
            break;
        };
        let n = 2 + usize::from(len);
        if n > reported - off && rest.len() >= reported - off {
            // Everything the segment carries was captured: only the lack
            // of reassembly stops the message.
            break;
        }
        let pdu = &rest[..n.min(rest.len())];
        let mut sub = d.part();
        let track = dns::Track {
            tx: &mut *tx,
            conv: 0,
            at: seg.at(),
        };
        dns::dissect(pdu, dns::Transport::Tcp, "DNS", Some(track), &mut sub);
        super::take(d, sub, &mut fr);
        if pdu.len() < n {
            d.malformed = true;
            break;
        }
        off += n;
    }
    if !fr.shown {
        return Handoff::Unclaimed;
    }
    d.info = fr.infos.join(", ");
    super::mark_protocols(d, mark, data);
    Handoff::Claimed
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
