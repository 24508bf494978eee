//! HTTP/2 in cleartext (h2c, by prior knowledge or after an Upgrade):
//! connection preface, frame headers and flags, HEADERS/CONTINUATION with
//! HPACK decoding (one dynamic table per direction), SETTINGS, PING,
//! WINDOW_UPDATE, RST_STREAM, GOAWAY and DATA; DNS-over-HTTPS bodies are
//! handed to the DNS dissector as tshark does.

use std::collections::HashMap;

use super::protocol::{Mark, Protocol, Tcp};
use super::util::{be24, be32};
use super::Pdu;
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;

/// HTTP/2: reached through HTTP (an h2c upgrade, or the client's preface),
/// so it has no port of its own.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "http2",
    fields: FIELDS,
    marks: &[Mark::new("http2", &P_HTTP2)],
    tcp: Some(Tcp {
        ports: &[],
        heuristic: None,
        pdu_len: |b, _, _| pdu_len(b),
        pdu_total: |b, _| match b {
            [b'P', ..] => None,
            // tcp_dissect_pdus asks for one more segment until the 9-byte
            // header is there, whatever its length field says.
            _ if b.len() < 9 => None,
            _ => Some(9 + be24(b, 0)? as usize),
        },
        dissect: |st, f, seg, d| {
            dissect(f, &mut st.h2, seg.from_client, seg.at(), d);
            None
        },
        cut: Some(super::truncated::http2_cut),
    }),
    ..Protocol::NONE
};

/// The client connection preface.
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Marks an Info text that replaces the column instead of adding to it.
pub const INFO_RESET: char = '\u{1}';

/// Most streams whose content type and body are remembered.
const MAX_STREAMS: usize = 256;
/// Most body bytes kept for one direction of a stream (as for one PDU of
/// TCP reassembly; all streams' bodies count towards its overall bound).
const MAX_BODY: usize = 64 << 20;
/// Most bytes of a header block awaiting its CONTINUATION frames.
const MAX_BLOCK: usize = 1 << 20;

/// What tshark keeps about one direction of one HTTP/2 stream to
/// reassemble its body (`http2_oneway_stream_info_t`).
#[derive(Default)]
struct Body {
    /// The first Content-Type header's value.
    ctype: String,
    /// A header block with `:status` or `:method` was seen: only then are
    /// DATA frames reassembled into a body (`data_initiated_in`).
    initiated: bool,
    /// DATA fragments added so far, and their bytes.
    frags: usize,
    data: Vec<u8>,
}

/// HTTP/2 state of one TCP connection.
#[derive(Default)]
pub struct StreamState {
    /// HPACK decoders, client direction first.
    hpack: [loona_hpack::Decoder<'static>; 2],
    /// Header block fragments awaiting CONTINUATION, per direction.
    block: [Vec<u8>; 2],
    /// Per direction (client first) and HTTP/2 stream: the body so far.
    bodies: HashMap<(usize, u32), Body>,
    /// The frame being dissected.
    at: super::At,
    /// DNS-over-HTTPS queries awaiting responses.
    doh: super::dns::Transactions,
}

impl StreamState {
    /// Bytes held for header blocks and bodies.
    pub fn buffered(&self) -> usize {
        self.block.iter().map(Vec::len).sum::<usize>()
            + self.bodies.values().map(|b| b.data.len()).sum::<usize>()
    }

    /// Drop the buffered header blocks and bodies.
    pub fn shed(&mut self) {
        self.block = Default::default();
        self.bodies.clear();
    }
}

impl std::fmt::Debug for StreamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamState")
            .field("streams", &self.bodies.len())
            .finish()
    }
}

/// Length of the HTTP/2 frame (or preface) at the start of `b`.
pub fn pdu_len(b: &[u8]) -> Pdu {
    if b.starts_with(PREFACE) {
        return Pdu::Len(PREFACE.len());
    }
    if b.len() < PREFACE.len() && PREFACE.starts_with(b) {
        return Pdu::Incomplete;
    }
    // tcp_dissect_pdus takes any 9 bytes for a frame header, also in the
    // middle of a frame after lost segments.
    let Some(len) = be24(b, 0) else {
        return Pdu::Incomplete;
    };
    let n = 9 + len as usize;
    if b.len() >= n {
        Pdu::Len(n)
    } else {
        Pdu::Incomplete
    }
}

/// The frame type as the Info column and the stream item name it.
fn type_name(t: u8) -> std::borrow::Cow<'static, str> {
    std::borrow::Cow::Borrowed(match t {
        0 => "DATA",
        1 => "HEADERS",
        2 => "PRIORITY",
        3 => "RST_STREAM",
        4 => "SETTINGS",
        5 => "PUSH_PROMISE",
        6 => "PING",
        7 => "GOAWAY",
        8 => "WINDOW_UPDATE",
        9 => "CONTINUATION",
        10 => "ALTSVC",
        11 => "BLOCKED",
        12 => "ORIGIN",
        16 => "PRIORITY_UPDATE",
        _ => return std::borrow::Cow::Owned(format!("Unknown type ({t})")),
    })
}

fn header_field(name: &str) -> Option<&'static FieldDef> {
    Some(match name {
        ":method" => &F_HTTP2_HEADERS_METHOD,
        ":scheme" => &F_HTTP2_HEADERS_SCHEME,
        ":authority" => &F_HTTP2_HEADERS_AUTHORITY,
        ":path" => &F_HTTP2_HEADERS_PATH,
        ":status" => &F_HTTP2_HEADERS_STATUS,
        "accept" => &F_HTTP2_HEADERS_ACCEPT,
        "accept-encoding" => &F_HTTP2_HEADERS_ACCEPT_ENCODING,
        "accept-language" => &F_HTTP2_HEADERS_ACCEPT_LANGUAGE,
        "access-control-allow-origin" => &F_HTTP2_HEADERS_ACCESS_CONTROL_ALLOW_ORIGIN,
        "cache-control" => &F_HTTP2_HEADERS_CACHE_CONTROL,
        "content-length" => &F_HTTP2_HEADERS_CONTENT_LENGTH,
        "content-type" => &F_HTTP2_HEADERS_CONTENT_TYPE,
        "date" => &F_HTTP2_HEADERS_DATE,
        "server" => &F_HTTP2_HEADERS_SERVER,
        "user-agent" => &F_HTTP2_HEADERS_USER_AGENT,
        "vary" => &F_HTTP2_HEADERS_VARY,
        "location" => &F_HTTP2_HEADERS_LOCATION,
        "last-modified" => &F_HTTP2_HEADERS_LAST_MODIFIED,
        "etag" => &F_HTTP2_HEADERS_ETAG,
        "content-range" => &F_HTTP2_HEADERS_CONTENT_RANGE,
        "range" => &F_HTTP2_HEADERS_RANGE,
        "accept-ranges" => &F_HTTP2_HEADERS_ACCEPT_RANGES,
        _ => return None,
    })
}

/// Push the fields of the 9-byte frame header at the start of `f` (which
/// holds at least that much): the frame's type, flags and stream.
fn frame_header(f: &[u8], d: &mut Dissection) -> (u8, u8, u32) {
    header_fields(f, d).unwrap_or_default()
}

/// The frame header's fields, each once its bytes are in `f` (length,
/// type, flags, then reserved bit and stream); the type, flags and stream
/// once all 9 bytes are.
fn header_fields(f: &[u8], d: &mut Dissection) -> Option<(u8, u8, u32)> {
    d.push(&F_HTTP2_LENGTH, Value::UInt(be24(f, 0)?.into()));
    let t = *f.get(3)?;
    d.push(&F_HTTP2_TYPE, Value::UInt(t.into()));
    let flags = *f.get(4)?;
    d.push(&F_HTTP2_FLAGS, Value::UInt(flags.into()));
    let bit = |m: u8| Value::Bool(flags & m != 0);
    match t {
        0 => {
            d.push(&F_HTTP2_FLAGS_PADDED, bit(0x08));
            d.push(&F_HTTP2_FLAGS_END_STREAM, bit(0x01));
        }
        1 => {
            d.push(&F_HTTP2_FLAGS_PRIORITY, bit(0x20));
            d.push(&F_HTTP2_FLAGS_PADDED, bit(0x08));
            d.push(&F_HTTP2_FLAGS_EH, bit(0x04));
            d.push(&F_HTTP2_FLAGS_END_STREAM, bit(0x01));
        }
        4 => d.push(&F_HTTP2_FLAGS_ACK_SETTINGS, bit(0x01)),
        6 => d.push(&F_HTTP2_FLAGS_ACK_PING, bit(0x01)),
        5 | 9 => {
            d.push(&F_HTTP2_FLAGS_PADDED, bit(0x08));
            d.push(&F_HTTP2_FLAGS_EH, bit(0x04));
        }
        _ => {}
    }
    let sid_raw = be32(f, 5)?;
    let sid = sid_raw & 0x7fff_ffff;
    // The reserved bit, shifted down by the field's mask as tshark shows it.
    d.push(&F_HTTP2_R, Value::UInt((sid_raw >> 31).into()));
    d.push(&F_HTTP2_STREAMID, Value::UInt(sid.into()));
    Some((t, flags, sid))
}

/// How tshark's dissection of an HTTP/2 frame cut short by the snapshot
/// length ends: at its first read past the captured bytes, whose
/// exception depends on where the bytes read end (tshark's
/// `check_offset_length_no_exception` on the frame's tvbuff, which
/// `tcp_dissect_pdus` marks as a fragment when it cannot reassemble).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutEnd {
    /// The bytes were in the segment on the wire but not captured
    /// (`BoundsError`): the dissection of the whole packet stops, and the
    /// Info column says "[Packet size limited during capture]".
    Captured,
    /// The bytes lie past the segment's end (`FragmentBoundsError`): this
    /// frame's dissection stops with "[BoundErrorUnreassembled Packet]"
    /// and the next frame of the segment, if any, is dissected.
    Segment,
    /// A length read from the frame is negative or smaller than its
    /// padding (`ReportedBoundsError` thrown as such): "[Malformed
    /// Packet]", and the next frame is dissected.
    Malformed,
    /// Every read was of captured bytes (an item "to the end" of them):
    /// the next frame of the segment, if any, is dissected.
    Read,
}

/// The captured part of a frame being dissected: reads past `f` end the
/// dissection; `contained` is how many of the frame's bytes the segment
/// held on the wire.
struct Cut<'a> {
    f: &'a [u8],
    contained: usize,
}

impl Cut<'_> {
    /// Check that the bytes up to `end` were captured.
    fn need(&self, end: usize) -> Result<(), CutEnd> {
        if end <= self.f.len() {
            Ok(())
        } else if end <= self.contained {
            Err(CutEnd::Captured)
        } else {
            Err(CutEnd::Segment)
        }
    }

    /// An item "to the end" of the captured bytes from `off`: at least
    /// one byte must be there (`tvb_ensure_captured_length_remaining`).
    fn rest(&self, off: usize) -> Result<&[u8], CutEnd> {
        self.need(off + 1)?;
        Ok(&self.f[off..])
    }
}

/// Dissect the captured part `f` of a frame `plen` bytes long that a cut
/// segment holds `contained` bytes of (fewer than `plen` were captured),
/// as tshark's `dissect_http2_pdu` does: the fields it shows before its
/// first read past the captured bytes, and its Info text (type and
/// stream, written once the 9-byte header was read; None before). Header
/// blocks and bodies are never read whole here, so no stream state
/// changes.
pub fn dissect_cut(
    f: &[u8],
    plen: usize,
    contained: usize,
    d: &mut Dissection,
    info: &mut Option<String>,
) -> CutEnd {
    d.protocol = "HTTP2".into();
    let c = Cut { f, contained };
    match cut_frame(&c, plen, d, info) {
        Err(end) => end,
        Ok(()) => CutEnd::Read,
    }
}

fn cut_frame(
    c: &Cut<'_>,
    plen: usize,
    d: &mut Dissection,
    info: &mut Option<String>,
) -> Result<(), CutEnd> {
    let f = c.f;
    let Some((t, flags, sid)) = header_fields(f, d) else {
        // The first header field whose bytes are missing.
        let end = [3, 4, 5, 9].into_iter().find(|&n| n > f.len()).unwrap_or(9);
        return c.need(end);
    };
    *info = Some(format!("{}[{sid}]", type_name(t)));
    let mut o = 9;
    // The frame's length as the ALTSVC and PRIORITY_UPDATE dissectors get
    // it: cut to 16 bits.
    let len16 = ((plen - 9) & 0xffff) as i64;
    let rest_of = |o: usize, remain: i64| -> Result<(), CutEnd> {
        match remain {
            0 => Ok(()),
            -1 => c.rest(o).map(|_| ()),
            r if r < 0 => Err(CutEnd::Malformed),
            r => c.need(o + r as usize),
        }
    };
    match t {
        0 | 1 | 5 | 9 => {
            let mut pad = 0;
            if flags & 0x08 != 0 {
                c.need(o + 1)?;
                pad = usize::from(f[o]);
                o += 1;
            }
            d.push(&F_HTTP2_PAD_LENGTH, Value::UInt(pad as u64));
            if t == 1 && flags & 0x20 != 0 {
                cut_priority(c, o, d)?;
                o += 5;
            }
            if t == 5 {
                c.need(o + 4)?;
                o += 4;
            }
            // The header block or data, up to the padding.
            let n = (plen - o.min(plen))
                .checked_sub(pad)
                .ok_or(CutEnd::Malformed)?;
            c.need(o + n)
        }
        2 => cut_priority(c, o, d),
        3 => {
            c.need(o + 4)?;
            let e = be32(f, o).unwrap_or(0);
            d.push(&F_HTTP2_RST_STREAM_ERROR, Value::UInt(e.into()));
            Ok(())
        }
        4 => {
            // Each setting's item spans 6 bytes but reads none itself: the
            // identifier shows once its 2 bytes are there.
            while o < plen {
                c.need(o + 2)?;
                let id = u16::from_be_bytes([f[o], f[o + 1]]);
                d.push(&F_HTTP2_SETTINGS_ID, Value::UInt(id.into()));
                c.need(o + 6)?;
                let v = be32(f, o + 2).unwrap_or(0);
                d.push(setting_field(id), Value::UInt(v.into()));
                o += 6;
            }
            Ok(())
        }
        6 => {
            c.need(o + 8)?;
            let def = if flags & 1 != 0 {
                &F_HTTP2_PONG
            } else {
                &F_HTTP2_PING
            };
            d.push(def, Value::Bytes(f[o..o + 8].to_vec()));
            Ok(())
        }
        7 => {
            c.need(o + 4)?;
            let last = be32(f, o).unwrap_or(0) & 0x7fff_ffff;
            d.push(&F_HTTP2_GOAWAY_LAST_STREAM_ID, Value::UInt(last.into()));
            c.need(o + 8)?;
            let e = be32(f, o + 4).unwrap_or(0);
            d.push(&F_HTTP2_GOAWAY_ERROR, Value::UInt(e.into()));
            o += 8;
            if o < plen {
                c.rest(o)?;
            }
            Ok(())
        }
        8 => {
            c.need(o + 4)?;
            let w = be32(f, o).unwrap_or(0) & 0x7fff_ffff;
            d.push(
                &F_HTTP2_WINDOW_UPDATE_WINDOW_SIZE_INCREMENT,
                Value::UInt(w.into()),
            );
            Ok(())
        }
        10 => {
            c.need(o + 2)?;
            let olen = usize::from(u16::from_be_bytes([f[o], f[o + 1]]));
            c.need(o + 2 + olen)?;
            rest_of(o + 2 + olen, len16 - 2 - olen as i64)
        }
        11 => Ok(()),
        12 => {
            while o < plen {
                let olen = usize::from(u16::from_be_bytes([f[o], f[o + 1]]));
                c.need(o + 2 + olen)?;
                o += 2 + olen;
            }
            Ok(())
        }
        16 => {
            c.need(o + 4)?;
            rest_of(o + 4, len16 - 4)
        }
        _ => c.rest(o).map(|_| ()),
    }
}

/// Stream dependency and weight, as far as they were captured.
fn cut_priority(c: &Cut<'_>, o: usize, d: &mut Dissection) -> Result<(), CutEnd> {
    c.need(o + 4)?;
    let dep = be32(c.f, o).unwrap_or(0);
    d.push(&F_HTTP2_EXCLUSIVE, Value::Bool(dep & 0x8000_0000 != 0));
    d.push(
        &F_HTTP2_STREAM_DEPENDENCY,
        Value::UInt((dep & 0x7fff_ffff).into()),
    );
    c.need(o + 5)?;
    d.push(&F_HTTP2_HEADERS_WEIGHT, Value::UInt(c.f[o + 4].into()));
    Ok(())
}

pub fn dissect(
    f: &[u8],
    st: &mut StreamState,
    from_client: bool,
    at: super::At,
    d: &mut Dissection,
) {
    st.at = at;
    d.protocol = "HTTP2".into();
    if f.starts_with(PREFACE) {
        d.push(
            &F_HTTP2_MAGIC,
            Value::Str(String::from_utf8_lossy(PREFACE).into_owned()),
        );
        d.info = "Magic".into();
        return;
    }
    let di = usize::from(!from_client);
    let (t, flags, sid) = frame_header(f, d);
    let p = &f[9..];
    let mut info = format!("{}[{sid}]", type_name(t));
    // Padding and priority fields of DATA and HEADERS.
    let mut body = p;
    if matches!(t, 0 | 1 | 5 | 9) {
        let pad = if flags & 0x08 != 0 {
            body.first().copied().unwrap_or(0)
        } else {
            0
        };
        d.push(&F_HTTP2_PAD_LENGTH, Value::UInt(pad.into()));
        if flags & 0x08 != 0 && !body.is_empty() {
            body = &body[1..];
        }
    }
    // The payload after the pad length, padding included.
    let padded = body;
    if matches!(t, 0 | 1 | 5 | 9) && flags & 0x08 != 0 {
        let pad = usize::from(p.first().copied().unwrap_or(0));
        body = &body[..body.len().saturating_sub(pad)];
    }
    match t {
        0 => data(sid, flags, body, padded, st, di, d, &mut info),
        1 | 9 => {
            if t == 1 && flags & 0x20 != 0 && body.len() >= 5 {
                priority(body, d);
                body = &body[5..];
            }
            st.block[di].extend_from_slice(body);
            if st.block[di].len() > MAX_BLOCK {
                st.block[di].clear();
            }
            if t == 1 && flags & 0x01 != 0 {
                // Trailing headers end the stream: the body DATA frames
                // brought so far is complete.
                if let Some(b) = st.bodies.remove(&(di, sid)) {
                    if b.initiated && b.frags > 0 {
                        let track = super::dns::Track {
                            tx: &mut st.doh,
                            conv: sid.into(),
                            at: st.at,
                        };
                        full_body(&b.data, &b.ctype, track, d, &mut info);
                    }
                }
            }
            if flags & 0x04 != 0 {
                let block = std::mem::take(&mut st.block[di]);
                headers(sid, &block, st, di, d, &mut info);
                if flags & 0x01 != 0 {
                    // No DATA follows in this direction.
                    st.bodies.remove(&(di, sid));
                }
            }
        }
        2 => priority(body, d),
        3 => {
            if let Some(e) = be32(body, 0) {
                d.push(&F_HTTP2_RST_STREAM_ERROR, Value::UInt(e.into()));
            }
        }
        4 => settings(body, d),
        6 => {
            let def = if flags & 1 != 0 {
                &F_HTTP2_PONG
            } else {
                &F_HTTP2_PING
            };
            d.push(def, Value::Bytes(body.to_vec()));
        }
        7 => {
            if let (Some(last), Some(e)) = (be32(body, 0), be32(body, 4)) {
                d.push(
                    &F_HTTP2_GOAWAY_LAST_STREAM_ID,
                    Value::UInt((last & 0x7fff_ffff).into()),
                );
                d.push(&F_HTTP2_GOAWAY_ERROR, Value::UInt(e.into()));
            }
        }
        8 => {
            if let Some(w) = be32(body, 0) {
                d.push(
                    &F_HTTP2_WINDOW_UPDATE_WINDOW_SIZE_INCREMENT,
                    Value::UInt((w & 0x7fff_ffff).into()),
                );
            }
        }
        _ => {}
    }
    d.info = info;
}

/// The parameters of a SETTINGS payload (also carried base64url-encoded
/// in an `HTTP2-Settings` upgrade header).
pub fn settings(body: &[u8], d: &mut Dissection) {
    for s in body.chunks_exact(6) {
        let id = u16::from_be_bytes([s[0], s[1]]);
        let v = u32::from_be_bytes([s[2], s[3], s[4], s[5]]);
        d.push(&F_HTTP2_SETTINGS_ID, Value::UInt(id.into()));
        d.push(setting_field(id), Value::UInt(v.into()));
    }
}

/// The field of a setting's value.
fn setting_field(id: u16) -> &'static FieldDef {
    match id {
        1 => &F_HTTP2_SETTINGS_HEADER_TABLE_SIZE,
        2 => &F_HTTP2_SETTINGS_ENABLE_PUSH,
        3 => &F_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
        4 => &F_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE,
        5 => &F_HTTP2_SETTINGS_MAX_FRAME_SIZE,
        6 => &F_HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
        _ => &F_HTTP2_SETTINGS_UNKNOWN,
    }
}

/// Decode base64url (padding optional); None on a bad character.
pub fn base64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = acc << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn priority(b: &[u8], d: &mut Dissection) {
    let (Some(dep), Some(&w)) = (be32(b, 0), b.get(4)) else {
        return;
    };
    d.push(&F_HTTP2_EXCLUSIVE, Value::Bool(dep & 0x8000_0000 != 0));
    d.push(
        &F_HTTP2_STREAM_DEPENDENCY,
        Value::UInt((dep & 0x7fff_ffff).into()),
    );
    d.push(&F_HTTP2_HEADERS_WEIGHT, Value::UInt(w.into()));
}

fn headers(
    sid: u32,
    block: &[u8],
    st: &mut StreamState,
    di: usize,
    d: &mut Dissection,
    info: &mut String,
) {
    let mut list: Vec<(String, String)> = Vec::new();
    let ok = st.hpack[di]
        .decode_with_cb(block, |n, v| {
            if list.len() < 1024 {
                list.push((
                    String::from_utf8_lossy(&n).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ));
            }
        })
        .is_ok();
    if !ok {
        d.malformed = true;
        return;
    }
    // tshark counts each header as name and value with a 4-byte length each.
    // Dynamic table size updates at the start of the block count as headers.
    let mut updates = 0u64;
    let mut i = 0;
    while i < block.len() && block[i] & 0xe0 == 0x20 {
        updates += 1;
        if block[i] & 0x1f == 0x1f {
            i += 1;
            while i < block.len() && block[i] & 0x80 != 0 {
                i += 1;
            }
        }
        i += 1;
    }
    let total: usize = list.iter().map(|(n, v)| n.len() + v.len() + 8).sum();
    d.push(&F_HTTP2_HEADER_LENGTH, Value::UInt(total as u64));
    d.push(
        &F_HTTP2_HEADER_COUNT,
        Value::UInt(list.len() as u64 + updates),
    );
    let mut method = None;
    let mut path = None;
    let mut status = None;
    for (n, v) in &list {
        d.push(&F_HTTP2_HEADER_NAME, Value::Str(n.clone()));
        d.push(&F_HTTP2_HEADER_VALUE, Value::Str(v.clone()));
        if let Some(def) = header_field(n) {
            d.push(def, Value::Str(v.clone()));
        }
        match n.as_str() {
            ":method" => method = Some(v.clone()),
            ":path" => path = Some(v.clone()),
            ":status" => status = Some(v.clone()),
            _ => {}
        }
        // What the body's reassembly needs (tshark's
        // populate_http_header_tracking).
        match n.as_str() {
            ":status" | ":method" => {
                if let Some(b) = body_entry(st, di, sid) {
                    b.initiated = true;
                }
            }
            "content-type" => {
                if let Some(b) = body_entry(st, di, sid) {
                    if b.ctype.is_empty() {
                        b.ctype = v.clone();
                    }
                }
            }
            _ => {}
        }
    }
    if let (Some(m), Some(p)) = (method, path) {
        info.push_str(&format!(": {m} {p}"));
    } else if let Some(s) = status {
        let phrase = super::http::reason(s.parse().unwrap_or(0));
        info.push_str(&format!(": {s} {phrase}"));
    }
}

/// The body record of one direction of a stream, created if there is room.
fn body_entry(st: &mut StreamState, di: usize, sid: u32) -> Option<&mut Body> {
    let key = (di, sid);
    if st.bodies.len() >= MAX_STREAMS && !st.bodies.contains_key(&key) {
        return None;
    }
    Some(st.bodies.entry(key).or_default())
}

/// DATA, as tshark's `dissect_http2_data_body` in its default (END_STREAM)
/// reassembly mode. Once a header block started the stream's message in
/// this direction, its DATA frames are fragments of one body: each frame
/// before the last shows its own bytes; the frame that ends the stream
/// shows the whole body (a body in one frame: that frame's payload after
/// the pad length, padding included), which goes to the dissector of its
/// media type. Without that header block, or for an empty last frame
/// that ends no earlier fragments, a frame shows its own bytes (none:
/// an empty field).
#[allow(clippy::too_many_arguments)]
fn data(
    sid: u32,
    flags: u8,
    body: &[u8],
    padded: &[u8],
    st: &mut StreamState,
    di: usize,
    d: &mut Dissection,
    info: &mut String,
) {
    let end = flags & 0x01 != 0;
    let key = (di, sid);
    let whole = match st.bodies.get_mut(&key) {
        Some(b) if b.initiated => {
            if !end {
                b.frags += 1;
                if b.data.len() + body.len() <= MAX_BODY {
                    b.data.extend_from_slice(body);
                }
                None
            } else if body.is_empty() {
                // fragment_end_seq_next: the body so far, if any.
                (b.frags > 0).then(|| std::mem::take(&mut b.data))
            } else if b.frags == 0 {
                Some(padded.to_vec())
            } else {
                b.data.extend_from_slice(body);
                Some(std::mem::take(&mut b.data))
            }
        }
        _ => None,
    };
    let ctype = if end {
        st.bodies.remove(&key).map(|b| b.ctype).unwrap_or_default()
    } else {
        String::new()
    };
    match whole {
        Some(whole) => {
            // tshark's DNS conversation here is the HTTP/2 stream.
            let track = super::dns::Track {
                tx: &mut st.doh,
                conv: sid.into(),
                at: st.at,
            };
            full_body(&whole, &ctype, track, d, info)
        }
        None => d.push(&F_HTTP2_DATA_DATA, d.bytes(&F_HTTP2_DATA_DATA, body)),
    }
}

/// A reassembled body (`dissect_http2_data_full_body`): its bytes, then
/// the dissector of its media type.
fn full_body(
    whole: &[u8],
    ctype: &str,
    track: super::dns::Track<'_>,
    d: &mut Dissection,
    info: &mut String,
) {
    d.push(&F_HTTP2_DATA_DATA, d.bytes(&F_HTTP2_DATA_DATA, whole));
    if ctype.is_empty() {
        return;
    }
    // The body goes to the media-type dissectors, as an HTTP/1 one does:
    // their text follows the frame's, and JSON or XML names itself in the
    // Protocol column.
    let t = super::http::media_type(ctype);
    if t == "image/png" && !super::png::is_png(whole) {
        // The PNG dissector declines it: no layer, no text.
        return;
    }
    if t != "application/octet-stream" {
        super::http::media_info(&t, ctype, whole, info);
    }
    if let Some(p) = super::http::media_protocol(&t) {
        if let Some(sub) = p.strip_prefix("HTTP/") {
            d.protocol = format!("HTTP2/{sub}");
        }
    }
    for layer in super::http::media_layers(&t, whole) {
        let v = d.bytes(layer, whole);
        d.push(layer, v);
    }
    if t == "image/png" && super::png::throws(whole) {
        // tcp_dissect_pdus catches the error and notes it right away; the
        // next frame of the segment is dissected after it.
        d.malformed = true;
        d.malformed_noted = true;
        info.push_str("[Malformed Packet]");
    }
    if t == "application/octet-stream" {
        crate::dissect::data::push(d, whole);
    }
    if ctype.eq_ignore_ascii_case("application/dns-message") {
        if let Some(dns_info) = super::doh(whole, track, d) {
            *info = dns_info;
        }
    }
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_HTTP2 = "http2", Protocol, Base::Dec, "HyperText Transfer Protocol 2";
        F_HTTP2_MAGIC = "http2.magic", String, Base::Dec, "Magic";
        F_HTTP2_LENGTH = "http2.length", UInt, Base::Dec, "Length";
        F_HTTP2_TYPE = "http2.type", UInt, Base::Dec, "Type";
        F_HTTP2_FLAGS = "http2.flags", UInt, Base::Hex(2), "Flags";
        F_HTTP2_FLAGS_END_STREAM = "http2.flags.end_stream", Bool, Base::Dec, "End Stream";
        F_HTTP2_FLAGS_EH = "http2.flags.eh", Bool, Base::Dec, "End Headers";
        F_HTTP2_FLAGS_PADDED = "http2.flags.padded", Bool, Base::Dec, "Padded";
        F_HTTP2_FLAGS_PRIORITY = "http2.flags.priority", Bool, Base::Dec, "Priority";
        F_HTTP2_FLAGS_ACK_SETTINGS = "http2.flags.ack.settings", Bool, Base::Dec, "ACK";
        F_HTTP2_FLAGS_ACK_PING = "http2.flags.ack.ping", Bool, Base::Dec, "ACK";
        F_HTTP2_R = "http2.r", UInt, Base::Hex(8), "Reserved";
        F_HTTP2_STREAMID = "http2.streamid", UInt, Base::Dec, "Stream Identifier";
        F_HTTP2_PAD_LENGTH = "http2.pad_length", UInt, Base::Dec, "Pad Length";
        F_HTTP2_EXCLUSIVE = "http2.exclusive", Bool, Base::Dec, "Exclusive";
        F_HTTP2_STREAM_DEPENDENCY = "http2.stream_dependency", UInt, Base::Dec, "Stream Dependency";
        F_HTTP2_HEADERS_WEIGHT = "http2.headers.weight", UInt, Base::Dec, "Weight";
        F_HTTP2_HEADER_LENGTH = "http2.header.length", UInt, Base::Dec, "Header Length";
        F_HTTP2_HEADER_COUNT = "http2.header.count", UInt, Base::Dec, "Header Count";
        F_HTTP2_HEADER_NAME = "http2.header.name", String, Base::Dec, "Name";
        F_HTTP2_HEADER_VALUE = "http2.header.value", String, Base::Dec, "Value";
        F_HTTP2_HEADERS_METHOD = "http2.headers.method", String, Base::Dec, ":method";
        F_HTTP2_HEADERS_SCHEME = "http2.headers.scheme", String, Base::Dec, ":scheme";
        F_HTTP2_HEADERS_AUTHORITY = "http2.headers.authority", String, Base::Dec, ":authority";
        F_HTTP2_HEADERS_PATH = "http2.headers.path", String, Base::Dec, ":path";
        F_HTTP2_HEADERS_STATUS = "http2.headers.status", UInt, Base::Dec, ":status";
        F_HTTP2_HEADERS_ACCEPT = "http2.headers.accept", String, Base::Dec, "accept";
        F_HTTP2_HEADERS_ACCEPT_ENCODING = "http2.headers.accept_encoding", String, Base::Dec, "accept-encoding";
        F_HTTP2_HEADERS_ACCEPT_LANGUAGE = "http2.headers.accept_language", String, Base::Dec, "accept-language";
        F_HTTP2_HEADERS_ACCESS_CONTROL_ALLOW_ORIGIN = "http2.headers.access_control_allow_origin", String, Base::Dec, "access-control-allow-origin";
        F_HTTP2_HEADERS_CACHE_CONTROL = "http2.headers.cache_control", String, Base::Dec, "cache-control";
        F_HTTP2_HEADERS_CONTENT_LENGTH = "http2.headers.content_length", UInt, Base::Dec, "content-length";
        F_HTTP2_HEADERS_CONTENT_TYPE = "http2.headers.content_type", String, Base::Dec, "content-type";
        F_HTTP2_HEADERS_DATE = "http2.headers.date", String, Base::Dec, "date";
        F_HTTP2_HEADERS_SERVER = "http2.headers.server", String, Base::Dec, "server";
        F_HTTP2_HEADERS_USER_AGENT = "http2.headers.user_agent", String, Base::Dec, "user-agent";
        F_HTTP2_HEADERS_VARY = "http2.headers.vary", String, Base::Dec, "vary";
        F_HTTP2_HEADERS_LOCATION = "http2.headers.location", String, Base::Dec, "location";
        F_HTTP2_HEADERS_LAST_MODIFIED = "http2.headers.last_modified", String, Base::Dec, "last-modified";
        F_HTTP2_HEADERS_ETAG = "http2.headers.etag", String, Base::Dec, "etag";
        F_HTTP2_HEADERS_CONTENT_RANGE = "http2.headers.content_range", String, Base::Dec, "content-range";
        F_HTTP2_HEADERS_RANGE = "http2.headers.range", String, Base::Dec, "range";
        F_HTTP2_HEADERS_ACCEPT_RANGES = "http2.headers.accept_ranges", String, Base::Dec, "accept-ranges";
        F_HTTP2_SETTINGS_ID = "http2.settings.id", UInt, Base::Dec, "Settings Identifier";
        F_HTTP2_SETTINGS_HEADER_TABLE_SIZE = "http2.settings.header_table_size", UInt, Base::Dec, "Header table size";
        F_HTTP2_SETTINGS_ENABLE_PUSH = "http2.settings.enable_push", UInt, Base::Dec, "Enable PUSH";
        F_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS = "http2.settings.max_concurrent_streams", UInt, Base::Dec, "Max concurrent streams";
        F_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE = "http2.settings.initial_window_size", UInt, Base::Dec, "Initial Windows Size";
        F_HTTP2_SETTINGS_MAX_FRAME_SIZE = "http2.settings.max_frame_size", UInt, Base::Dec, "Max frame size";
        F_HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE = "http2.settings.max_header_list_size", UInt, Base::Dec, "Max header list size";
        F_HTTP2_SETTINGS_UNKNOWN = "http2.settings.unknown", UInt, Base::Dec, "Unknown Settings";
        F_HTTP2_WINDOW_UPDATE_WINDOW_SIZE_INCREMENT = "http2.window_update.window_size_increment", UInt, Base::Dec, "Window Size Increment";
        F_HTTP2_RST_STREAM_ERROR = "http2.rst_stream.error", UInt, Base::Dec, "Error";
        F_HTTP2_PING = "http2.ping", Bytes, Base::Dec, "Ping";
        F_HTTP2_PONG = "http2.pong", Bytes, Base::Dec, "Pong";
        F_HTTP2_GOAWAY_LAST_STREAM_ID = "http2.goaway.last_stream_id", UInt, Base::Dec, "Last-Stream-ID";
        F_HTTP2_GOAWAY_ERROR = "http2.goaway.error", UInt, Base::Dec, "Error";
        F_HTTP2_DATA_DATA = "http2.data.data", Bytes, Base::Dec, "Data";
    }
}
