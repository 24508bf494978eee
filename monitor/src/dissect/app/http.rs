//! HTTP/1.x: request and response lines, headers (with tshark's per-header
//! fields), message framing (Content-Length, chunked, bodiless responses)
//! for TCP reassembly, request/response pairing within a connection, and
//! the switch to HTTP/2 after an `Upgrade: h2c`.

use super::protocol::{Mark, Protocol, Tcp};
use super::{Pdu, TcpProto};
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;
pub(super) use defs::{F_HTTP_FILE_DATA, P_HTTP};

/// HTTP/1.x on tshark's default HTTP ports, and (tshark's heuristic) on a
/// conversation that starts with a request or status line. A message may
/// switch the stream to HTTP/2.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "http",
    fields: FIELDS,
    marks: &[Mark::new("http", &P_HTTP)],
    tcp: Some(Tcp {
        ports: &[80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710],
        heuristic: Some(starts_message),
        pdu_len: |b, st, from_client| pdu_len(b, &st.http, from_client),
        pdu_total: |b, st| total_len(b, &st.http),
        dissect: |st, m, seg, d| dissect(m, &mut st.http, seg.from_client, seg.at(), d),
        cut: Some(super::truncated::http_cut),
    }),
    ..Protocol::NONE
};

/// Largest header block looked for before the bytes are taken as not HTTP.
const MAX_HEADER: usize = 64 * 1024;

/// One request/response exchange, numbered in connection order.
#[derive(Debug, Default, Clone)]
struct Exchange {
    number: u32,
    method: String,
    request: Option<u64>,
    /// Capture time of the request's frame (ns since the epoch).
    request_ts: i64,
    response: Option<u64>,
}

/// Request/response bookkeeping of one TCP connection. As tshark does, a
/// response belongs to the latest exchange if that has none yet.
#[derive(Debug, Default)]
pub struct StreamState {
    /// A request was dissected on the connection (tshark then takes any
    /// bytes on it for HTTP).
    seen_request: bool,
    last: Option<Exchange>,
    prev: Option<Exchange>,
    /// URI of the latest request as in its first line (kept as soon as
    /// that line is read), and the full URI of the latest request whose
    /// head was read: a response names the latter, else the former.
    request_uri: String,
    full_uri: Option<String>,
    /// DNS-over-HTTPS queries awaiting responses.
    doh: super::dns::Transactions,
}

impl StreamState {
    /// A request was seen on the connection, though not dissected (its
    /// segment was cut by the snapshot length).
    pub fn saw_request(&mut self) {
        self.seen_request = true;
    }

    /// True once a request was seen on the connection.
    pub fn seen_request(&self) -> bool {
        self.seen_request
    }

    fn open(&mut self, x: Exchange) {
        self.prev = self.last.take();
        self.last = Some(x);
    }
    fn next_number(&self) -> u32 {
        self.last.as_ref().map_or(1, |x| x.number + 1)
    }
}

pub(super) const METHODS: &[&str] = &[
    "GET",
    "POST",
    "HEAD",
    "PUT",
    "DELETE",
    "OPTIONS",
    "CONNECT",
    "TRACE",
    "PATCH",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "SEARCH",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "NOTIFY",
    "M-SEARCH",
    "REPORT",
    "MKACTIVITY",
    "CHECKOUT",
    "MERGE",
    "POLL",
    "BPROPFIND",
];

/// True when the bytes begin like an HTTP request or response.
pub fn starts_message(b: &[u8]) -> bool {
    if b.starts_with(b"HTTP/1.") {
        return true;
    }
    METHODS
        .iter()
        .any(|m| b.len() > m.len() && b.starts_with(m.as_bytes()) && b[m.len()] == b' ')
}

/// The Info text tshark's HTTP leaves on the first segment of a message it
/// holds for reassembly: the first line once it is complete (it is written
/// before the rest of the head or the body is waited for), nothing before.
pub fn held_info(b: &[u8]) -> String {
    let Some(end) = b.iter().position(|&c| c == b'\n') else {
        return String::new();
    };
    let line = &b[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    format!("{} ", String::from_utf8_lossy(line))
}

/// True when the bytes hold a whole message head (the blank line that
/// ends the headers).
pub fn head_complete(b: &[u8]) -> bool {
    header_end(b).is_some()
}

/// True when the head of the message at the start of `b` announces a
/// content or transfer encoding (the body needs decoding to be shown).
pub fn body_encoded(b: &[u8]) -> bool {
    let h = header_end(b).unwrap_or(b.len());
    let head = split_head(&b[..h]);
    header(&head, "content-encoding").is_some() || header(&head, "transfer-encoding").is_some()
}

/// For a message at the start of `b` (its captured bytes) of which
/// `reported` bytes are in the segment: when its body is a PNG image cut
/// short, what tshark's PNG dissector comes to on it (None: not a PNG
/// body, or not cut).
pub fn cut_png(b: &[u8], reported: usize) -> Option<super::png::CutRead> {
    let h = header_end(b)?;
    let head = split_head(&b[..h]);
    let t = media_type(header(&head, "content-type")?);
    let body = &b[h..];
    if t != "image/png" || !super::png::is_png(body) || b.len() >= reported {
        return None;
    }
    let in_segment = reported - h;
    let declared = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok());
    let (len, more) = match declared {
        Some(n) if n <= in_segment => (n, false),
        Some(_) => (in_segment, true),
        None => (in_segment, false),
    };
    Some(super::png::cut_read(body, len, more))
}

fn header_end(b: &[u8]) -> Option<usize> {
    let lim = b.len().min(MAX_HEADER);
    (0..lim).find_map(|i| {
        if b[i..].starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if b[i..].starts_with(b"\n\n") {
            Some(i + 2)
        } else {
            None
        }
    })
}

struct Head<'a> {
    first: &'a str,
    /// Raw header lines (without their line ending).
    lines: Vec<&'a str>,
    /// Line endings, so that `*.line` fields keep them.
    ends: Vec<&'a str>,
}

fn split_head(h: &[u8]) -> Head<'_> {
    let s = std::str::from_utf8(h).unwrap_or("");
    let mut lines = Vec::new();
    let mut ends = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('\n') {
        let (line, end) = if i > 0 && rest.as_bytes()[i - 1] == b'\r' {
            (&rest[..i - 1], &rest[i - 1..=i])
        } else {
            (&rest[..i], &rest[i..=i])
        };
        if line.is_empty() {
            break;
        }
        lines.push(line);
        ends.push(end);
        rest = &rest[i + 1..];
    }
    let first = if lines.is_empty() {
        ""
    } else {
        lines.remove(0)
    };
    if !ends.is_empty() {
        ends.remove(0);
    }
    Head { first, lines, ends }
}

fn header<'a>(head: &Head<'a>, name: &str) -> Option<&'a str> {
    head.lines.iter().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Length of a chunked body at the start of `b`, if complete.
fn chunked_len(b: &[u8]) -> Option<usize> {
    let mut off = 0;
    loop {
        let nl = b[off..].iter().position(|&c| c == b'\n')? + off;
        let line = std::str::from_utf8(&b[off..nl]).ok()?.trim();
        let size_txt = line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_txt, 16).ok()?;
        off = nl + 1;
        if size == 0 {
            // Trailers until an empty line.
            loop {
                let nl = b[off..].iter().position(|&c| c == b'\n')? + off;
                let empty = b[off..nl].iter().all(|&c| c == b'\r');
                off = nl + 1;
                if empty {
                    return Some(off);
                }
            }
        }
        off = off.checked_add(size)?;
        if off > b.len() {
            return None;
        }
        let nl = b[off..].iter().position(|&c| c == b'\n')? + off;
        off = nl + 1;
    }
}

/// Total length of the message at the start of `b`, when its head is
/// complete and gives a Content-Length.
pub fn total_len(b: &[u8], st: &StreamState) -> Option<usize> {
    // Bytes that do not start a message have no length (and searching
    // them for the end of a head costs a scan per segment of a body).
    if !starts_message(b) {
        return None;
    }
    let h = header_end(b)?;
    let head = split_head(&b[..h]);
    let cl = header(&head, "content-length")?
        .trim()
        .parse::<usize>()
        .ok()?;
    // A response with no body whatever its Content-Length (to HEAD, 1xx,
    // 204, 304) ends with its head.
    if b.starts_with(b"HTTP/") && no_body(&head, st) {
        return Some(h);
    }
    Some(h + cl)
}

/// A response that has no body: to a HEAD request, or 1xx, 204, 304.
fn no_body(head: &Head<'_>, st: &StreamState) -> bool {
    let code: u16 = head
        .first
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let head_req = st
        .last
        .as_ref()
        .is_some_and(|x| x.response.is_none() && x.method == "HEAD");
    head_req || (100..200).contains(&code) || code == 204 || code == 304
}

/// Body bytes kept after the head of an elided message: enough for the
/// checks tshark's media dissectors make on the first bytes (`<?xml`,
/// `GIF89a`, the PNG signature, JPEG's SOI).
const BODY_PREFIX: usize = 16;

/// For a message whose body need not be held to be dissected as tshark
/// does (when no field reads body bytes): how many bytes to keep, its
/// head and the start of its body. Such a message has a complete head
/// with a Content-Length, no content or transfer encoding (decoding needs
/// every byte), and a media type whose dissector reads no more than the
/// first bytes (not JSON, XML, forms, OCSP, CRLs, DNS messages, PNG).
pub fn elidable_prefix(b: &[u8]) -> Option<usize> {
    if !starts_message(b) {
        return None;
    }
    let h = header_end(b)?;
    let head = split_head(&b[..h]);
    header(&head, "content-length")?
        .trim()
        .parse::<usize>()
        .ok()?;
    if header(&head, "content-encoding").is_some() || header(&head, "transfer-encoding").is_some() {
        return None;
    }
    if let Some(ct) = header(&head, "content-type") {
        let t = media_type(ct);
        let reads_body = matches!(
            t.as_str(),
            "application/json"
                | "application/xml"
                | "text/xml"
                | "application/x-www-form-urlencoded"
                | "application/ocsp-request"
                | "application/ocsp-response"
                | "application/pkix-crl"
                | "application/dns-message"
                | "application/x-fcs"
                | "image/png"
        ) || t.starts_with("multipart/");
        if reads_body {
            return None;
        }
    }
    Some(h + BODY_PREFIX)
}

/// How long the HTTP message at the start of `b` is.
pub fn pdu_len(b: &[u8], st: &StreamState, _from_client: bool) -> Pdu {
    if !starts_message(b) {
        if b.len() < 8
            && (b"HTTP/1.".starts_with(b) || METHODS.iter().any(|m| m.as_bytes().starts_with(b)))
        {
            return Pdu::Incomplete;
        }
        return Pdu::Invalid;
    }
    let Some(h) = header_end(b) else {
        return if b.len() > MAX_HEADER {
            Pdu::Invalid
        } else {
            Pdu::Incomplete
        };
    };
    let head = split_head(&b[..h]);
    let response = b.starts_with(b"HTTP/");
    let body = body_len(&head, response, st, &b[h..]);
    match body {
        Some(n) if h + n <= b.len() => Pdu::Len(h + n),
        _ => Pdu::Incomplete,
    }
}

/// Length of the body that follows the head; None when not yet known
/// (chunked and incomplete).
fn body_len(head: &Head<'_>, response: bool, st: &StreamState, rest: &[u8]) -> Option<usize> {
    if response && no_body(head, st) {
        return Some(0);
    }
    if header(head, "transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        // Scanning the chunks again on every segment would be quadratic:
        // only try once the last-chunk marker may have arrived.
        let tail = &rest[rest.len().saturating_sub(4096)..];
        if !tail
            .windows(3)
            .any(|w| w == b"0\r\n" || w == b"0\n\n" || w == b"0;")
        {
            return None;
        }
        return chunked_len(rest);
    }
    if let Some(cl) = header(head, "content-length") {
        return Some(cl.trim().parse().unwrap_or(0));
    }
    if response {
        // Delimited by the end of the connection, which tshark waits for.
        return None;
    }
    Some(0)
}

/// The reason phrase tshark knows for a status code.
pub fn reason(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Time-out",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Time-out",
        505 => "HTTP Version not supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "Unknown",
    }
}

fn header_field(name: &str) -> Option<&'static FieldDef> {
    Some(match name.to_ascii_lowercase().as_str() {
        "accept" => &F_HTTP_ACCEPT,
        "accept-encoding" => &F_HTTP_ACCEPT_ENCODING,
        "accept-language" => &F_HTTP_ACCEPT_LANGUAGE,
        "authorization" => &F_HTTP_AUTHORIZATION,
        "cache-control" => &F_HTTP_CACHE_CONTROL,
        "connection" => &F_HTTP_CONNECTION,
        "content-encoding" => &F_HTTP_CONTENT_ENCODING,
        "content-type" => &F_HTTP_CONTENT_TYPE,
        "cookie" => &F_HTTP_COOKIE,
        "date" => &F_HTTP_DATE,
        "host" => &F_HTTP_HOST,
        "last-modified" => &F_HTTP_LAST_MODIFIED,
        "location" => &F_HTTP_LOCATION,
        "referer" => &F_HTTP_REFERER,
        "server" => &F_HTTP_SERVER,
        "set-cookie" => &F_HTTP_SET_COOKIE,
        "transfer-encoding" => &F_HTTP_TRANSFER_ENCODING,
        "upgrade" => &F_HTTP_UPGRADE,
        "user-agent" => &F_HTTP_USER_AGENT,
        "www-authenticate" => &F_HTTP_WWW_AUTHENTICATE,
        "x-forwarded-for" => &F_HTTP_X_FORWARDED_FOR,
        "proxy-authenticate" => &F_HTTP_PROXY_AUTHENTICATE,
        "proxy-authorization" => &F_HTTP_PROXY_AUTHORIZATION,
        "sec-websocket-accept" => &F_HTTP_SEC_WEBSOCKET_ACCEPT,
        "sec-websocket-key" => &F_HTTP_SEC_WEBSOCKET_KEY,
        "sec-websocket-version" => &F_HTTP_SEC_WEBSOCKET_VERSION,
        _ => return None,
    })
}

/// The media type of a Content-Type value, without parameters, lower case.
pub(super) fn media_type(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The Protocol column when a body of media type `t` goes to a media-type
/// dissector.
pub(super) fn media_protocol(t: &str) -> Option<&'static str> {
    Some(match t {
        "application/xml" | "text/xml" => "HTTP/XML",
        "application/json" => "HTTP/JSON",
        "application/ocsp-request" | "application/ocsp-response" => "OCSP",
        "application/pkix-crl" => "PKIX-CRL",
        "application/dns-message" => "DoH",
        _ => return None,
    })
}

/// The Info column after a body of media type `t` (Content-Type `ct`), as
/// the dissector tshark hands it to would leave it.
pub(super) fn media_info(t: &str, ct: &str, body: &[u8], info: &mut String) {
    match t {
        "application/xml" | "text/xml" | "application/dns-message" | "application/x-fcs" => {}
        "application/ocsp-response" => *info = "Response".into(),
        "application/ocsp-request" => *info = "Request".into(),
        "application/pkix-crl" => *info = "Certificate Revocation List".into(),
        "application/json" => info.push_str(", JavaScript Object Notation (application/json)"),
        _ if body.starts_with(b"GIF87a") || body.starts_with(b"GIF89a") => {
            info.push_str(&format!(" ({})", String::from_utf8_lossy(&body[..6])));
        }
        _ if super::png::is_png(body) => info.push_str(" (PNG)"),
        _ if body.starts_with(&[0xff, 0xd8]) && t == "image/jpeg" => {
            info.push_str(" (JPEG JFIF image)")
        }
        _ => info.push_str(&format!(" ({})", ct.split(';').next().unwrap_or("").trim())),
    }
}

/// The three parts of the request or status line, as httparse reads them
/// (method, URI, version; or version, code, phrase).
fn start_line(head: &[u8], response: bool) -> Option<(String, String, String)> {
    let mut hdrs = [httparse::EMPTY_HEADER; 256];
    if response {
        let mut r = httparse::Response::new(&mut hdrs);
        r.parse(head).ok()?;
        Some((
            format!("HTTP/1.{}", r.version?),
            r.code?.to_string(),
            r.reason?.to_string(),
        ))
    } else {
        let mut r = httparse::Request::new(&mut hdrs);
        r.parse(head).ok()?;
        Some((
            r.method?.to_string(),
            r.path?.to_string(),
            format!("HTTP/1.{}", r.version?),
        ))
    }
}

/// What tshark's HTTP dissector makes of bytes that do not start a
/// message (`dissect_http_message` in epan/dissectors/packet-http.c).
#[derive(Debug, PartialEq, Eq)]
pub enum Continuation {
    /// It asks TCP for at least one more segment, from this offset on: the
    /// bytes start like text but hold no line end yet
    /// (`req_resp_hdrs_do_reassembly`).
    NeedMore(usize),
    /// Shown as HTTP ("Continuation" once a request was seen on the
    /// connection); the bytes from this offset on, if any, are its body,
    /// shown as data.
    Shown(usize),
    /// Not shown at all: binary bytes on a connection where no request
    /// was seen.
    Nothing,
}

/// tshark's `g_ascii_isprint`.
fn printable(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// Where tshark starts reading bytes that do not start a message: after a
/// leading CRLF.
fn continuation_start(b: &[u8]) -> usize {
    if b.len() > 3 && b.starts_with(b"\r\n") {
        2
    } else {
        0
    }
}

/// True when [`continuation`] takes the bytes for binary: all of them are
/// then body, handed to the data dissector as captured, and no line is read.
pub fn continuation_is_binary(b: &[u8]) -> bool {
    b.get(continuation_start(b)).is_some_and(|&c| !printable(c))
}

/// Classify bytes that do not start a message; when shown, push the HTTP
/// fields and set the columns. tshark skips a leading CRLF; binary bytes
/// are all data; otherwise it waits for a line end, then takes the lines
/// that look like headers (a colon, or the blank line that ends them) as
/// headers and what follows as the body. On a connection where no request
/// was seen, bytes whose first line is not a header are not HTTP, and
/// HTTP leaves the columns to TCP (a media dissector may still add to the
/// Info text). With `body`, a body after headers and their blank line is
/// dissected as any message's (its media type, or data) and the whole is
/// consumed; otherwise the bytes from the returned offset are the body.
pub fn continuation(
    b: &[u8],
    st: &mut StreamState,
    at: super::At,
    body: bool,
    d: &mut Dissection,
) -> Continuation {
    let seen = st.seen_request;
    let off = continuation_start(b);
    let Some(&first) = b.get(off) else {
        return Continuation::Nothing;
    };
    if !printable(first) {
        if !seen {
            return Continuation::Nothing;
        }
        d.protocol = "HTTP".into();
        d.info = "Continuation".into();
        return Continuation::Shown(0);
    }
    // `tvb_find_line_end` with desegmentation: a CR at the very end may
    // still be followed by an LF.
    match b[off..].iter().position(|&c| c == b'\r' || c == b'\n') {
        None => return Continuation::NeedMore(off),
        Some(i) if b[off + i] == b'\r' && off + i + 1 == b.len() => {
            return Continuation::NeedMore(off)
        }
        Some(_) => {}
    }
    let mut head = Head {
        first: "",
        lines: Vec::new(),
        ends: Vec::new(),
    };
    let mut at_body = off;
    let mut ended = false;
    let mut cut_header = false;
    let mut saw_header = false;
    while at_body < b.len() {
        let rest = &b[at_body..];
        let (len, next) = match rest.iter().position(|&c| c == b'\r' || c == b'\n') {
            Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => (i, i + 2),
            Some(i) => (i, i + 1),
            None => (rest.len(), rest.len()),
        };
        if len == 0 {
            at_body += next;
            ended = saw_header;
            break;
        }
        if !rest[..len].contains(&b':') {
            // tshark takes a last line cut short after headers for a
            // header split across segments, and throws: the packet is
            // malformed and shows no body.
            cut_header = saw_header && len == rest.len();
            break;
        }
        // (A line with a colon is a header, whatever else it holds.)
        saw_header = true;
        if let (Ok(line), Ok(end)) = (
            std::str::from_utf8(&rest[..len]),
            std::str::from_utf8(&rest[len..next]),
        ) {
            head.lines.push(line);
            head.ends.push(end);
        }
        at_body += next;
    }
    if !seen && !saw_header {
        return Continuation::Nothing;
    }
    if seen {
        d.protocol = "HTTP".into();
        d.info = "Continuation".into();
    }
    let headers = header_lines(&head, None, d);
    if cut_header {
        d.malformed = true;
        return Continuation::Shown(b.len());
    }
    if at_body >= b.len() {
        return Continuation::Shown(at_body);
    }
    if body && ended {
        let mut info = String::new();
        let rest = &b[at_body..];
        let body = Body {
            bytes: rest,
            full: rest.len(),
            elided: false,
        };
        message_body(body, &head, headers.content_type, st, at, &mut info, d);
        d.info.push_str(&info);
        return Continuation::Shown(b.len());
    }
    let text = if d.wants(&F_HTTP_FILE_DATA) {
        super::util::ascii_z(&b[at_body..])
    } else {
        String::new()
    };
    d.push(&F_HTTP_FILE_DATA, Value::Str(text));
    Continuation::Shown(at_body)
}

/// Dissect one complete HTTP message. Returns the protocol the connection
/// switches to after it, if any.
pub fn dissect(
    pdu: &[u8],
    st: &mut StreamState,
    from_client: bool,
    at: super::At,
    d: &mut Dissection,
) -> Option<TcpProto> {
    dissect_sized(pdu, pdu.len(), st, from_client, at, d)
}

/// A whole message head whose chunked or compressed body was cut short by
/// the snapshot length: tshark dissects the head as any message's (its
/// fields, the exchange it belongs to) and decodes nothing of the body.
/// The columns are left to the caller.
pub fn dissect_head_only(
    data: &[u8],
    st: &mut StreamState,
    from_client: bool,
    at: super::At,
    d: &mut Dissection,
) {
    let h = header_end(data).unwrap_or(data.len());
    let (protocol, info) = (std::mem::take(&mut d.protocol), std::mem::take(&mut d.info));
    dissect_message(&data[..h], h, st, from_client, at, d, true);
    d.protocol = protocol;
    d.info = info;
}

/// The fields of a message head cut short by the snapshot length (its
/// first line complete): tshark takes the captured lines as the head, the
/// last one as cut (no line end in its `*.line` field), and adds what
/// follows a head (full URI, request and response numbers and links)
/// before the cut ends the dissection. The columns are left to the caller.
pub fn dissect_cut_head(
    data: &[u8],
    st: &mut StreamState,
    from_client: bool,
    at: super::At,
    d: &mut Dissection,
) {
    let cut_line = !(data.ends_with(b"\n"));
    // The cut line: a header when it holds a colon; else (or when it is
    // the first line) tshark's reading of it ends the dissection.
    let last_start = data[..data.len() - 1]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    let header_cut = cut_line && last_start > 0 && data[last_start..].contains(&b':');
    let post_head = !cut_line || header_cut;
    let mut pdu = if post_head {
        data.to_vec()
    } else {
        data[..last_start].to_vec()
    };
    pdu.extend_from_slice(if header_cut { b"\r\n\r\n" } else { b"\r\n" });
    let mut post_head = post_head;
    if last_start == 0 && !post_head {
        // Only (part of) the first line: it is read up to the cut (a CR
        // captured without its LF ends the line), and what follows a head
        // is added.
        pdu = data.strip_suffix(b"\r").unwrap_or(data).to_vec();
        pdu.extend_from_slice(b"\r\n\r\n");
        post_head = true;
    }
    let (protocol, info) = (std::mem::take(&mut d.protocol), std::mem::take(&mut d.info));
    dissect_message(&pdu, pdu.len(), st, from_client, at, d, post_head);
    d.protocol = protocol;
    d.info = info;
    if header_cut {
        let last = d.fields.iter_mut().rev().find(|f| {
            std::ptr::eq(f.def, &F_HTTP_REQUEST_LINE) || std::ptr::eq(f.def, &F_HTTP_RESPONSE_LINE)
        });
        if let Some(f) = last {
            if let Value::Str(s) = &mut f.value {
                if let Some(t) = s.strip_suffix("\r\n") {
                    *s = t.to_string();
                }
            }
        }
    }
}

/// [`dissect`] a message of `len` bytes of which `pdu` holds the first
/// ones: its head and at least the start of its body (see
/// [`elidable_prefix`]).
pub fn dissect_sized(
    pdu: &[u8],
    len: usize,
    st: &mut StreamState,
    from_client: bool,
    at: super::At,
    d: &mut Dissection,
) -> Option<TcpProto> {
    dissect_message(pdu, len, st, from_client, at, d, true)
}

/// [`dissect_sized`]; without `post_head`, only the first line and the
/// header lines (a head cut inside a line tshark cannot take as a header:
/// the dissection ends there, and the message is not counted).
fn dissect_message(
    pdu: &[u8],
    len: usize,
    st: &mut StreamState,
    _from_client: bool,
    at: super::At,
    d: &mut Dissection,
    post_head: bool,
) -> Option<TcpProto> {
    let h = header_end(pdu).unwrap_or(pdu.len());
    let head = split_head(&pdu[..h]);
    let response = pdu.starts_with(b"HTTP/");
    d.protocol = "HTTP".into();
    let (a, b, c) = start_line(&pdu[..h], response).unwrap_or_else(|| {
        // A head httparse rejects (tshark is more lenient): split by hand.
        let mut parts = head.first.splitn(3, ' ');
        (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        )
    });
    if !response {
        st.request_uri = b.clone();
    }
    start_line_fields(response, [&a, &b, &c], d);
    // (Lines after a message's first line are `http.request.line` or
    // `http.response.line`; a continuation's headers have none.)
    let line_def = if response {
        &F_HTTP_RESPONSE_LINE
    } else {
        &F_HTTP_REQUEST_LINE
    };
    let headers = header_lines(&head, Some(line_def), d);
    if !post_head {
        return None;
    }
    let mut info = head.first.to_string();
    let next = if response {
        let code: u16 = b.parse().unwrap_or(0);
        response_exchange(st, code, at, d);
        (code == 101 && headers.upgrade_h2c).then_some(TcpProto::HTTP2)
    } else {
        request_exchange(st, &head, &b, a, at, d);
        None
    };
    info.push(' ');
    if len.max(pdu.len()) > h {
        let body = Body {
            bytes: &pdu[h..],
            full: len.max(pdu.len()) - h,
            elided: len > pdu.len(),
        };
        message_body(body, &head, headers.content_type, st, at, &mut info, d);
    }
    d.info = info;
    next
}

/// The first line's fields: version, status code and phrase of a
/// response; method, URI (with its path, query and query parameters) and
/// version of a request. `parts` are the line's three words.
fn start_line_fields(response: bool, [a, b, c]: [&str; 3], d: &mut Dissection) {
    if response {
        d.push(&F_HTTP_RESPONSE_VERSION, Value::Str(a.into()));
        let code: u16 = b.parse().unwrap_or(0);
        d.push(&F_HTTP_RESPONSE_CODE, Value::UInt(code.into()));
        d.push(&F_HTTP_RESPONSE_CODE_DESC, Value::Str(reason(code).into()));
        d.push(&F_HTTP_RESPONSE_PHRASE, Value::Str(c.into()));
        return;
    }
    d.push(&F_HTTP_REQUEST_METHOD, Value::Str(a.into()));
    d.push(&F_HTTP_REQUEST_URI, Value::Str(b.into()));
    if let Some((path, query)) = b.split_once('?') {
        d.push(&F_HTTP_REQUEST_URI_PATH, Value::Str(path.into()));
        d.push(&F_HTTP_REQUEST_URI_QUERY, Value::Str(query.into()));
        for p in query.split('&').filter(|p| !p.is_empty()) {
            d.push(&F_HTTP_REQUEST_URI_QUERY_PARAMETER, Value::Str(p.into()));
        }
    }
    d.push(&F_HTTP_REQUEST_VERSION, Value::Str(c.into()));
}

/// What the header lines say that the rest of the message needs.
struct Headers {
    /// The Content-Type header's value.
    content_type: Option<String>,
    /// `Upgrade: h2c` was there.
    upgrade_h2c: bool,
}

/// The header lines' fields, each followed by its `line_def` field
/// (`http.request.line` or `http.response.line`) when given.
fn header_lines(
    head: &Head<'_>,
    line_def: Option<&'static FieldDef>,
    d: &mut Dissection,
) -> Headers {
    let mut out = Headers {
        content_type: None,
        upgrade_h2c: false,
    };
    for (line, end) in head.lines.iter().zip(&head.ends) {
        if let Some((n, v)) = line.split_once(':') {
            let n = n.trim();
            // tshark skips the blanks after the colon only (a line cut
            // between its CR and LF ends at the CR).
            let v = v.trim_start();
            let v = v.strip_suffix('\r').unwrap_or(v);
            if n.eq_ignore_ascii_case("content-length") {
                d.push(&F_HTTP_CONTENT_LENGTH_HEADER, Value::Str(v.into()));
                if let Ok(x) = v.trim().parse::<u64>() {
                    d.push(&F_HTTP_CONTENT_LENGTH, Value::UInt(x));
                }
            } else if let Some(def) = header_field(n) {
                d.push(def, Value::Str(v.into()));
                if def.name == "http.cookie" {
                    for pair in v.split(';') {
                        d.push(&F_HTTP_COOKIE_PAIR, Value::Str(pair.trim().into()));
                    }
                }
            }
            if n.eq_ignore_ascii_case("content-type") {
                out.content_type = Some(v.to_string());
            }
            if n.eq_ignore_ascii_case("upgrade") && v.eq_ignore_ascii_case("h2c") {
                out.upgrade_h2c = true;
            }
            if n.eq_ignore_ascii_case("http2-settings") {
                if let Some(b) = super::http2::base64url(v) {
                    super::http2::settings(&b, d);
                }
            }
        }
        if let Some(def) = line_def {
            d.push(def, Value::Str(format!("{line}{end}")));
        }
    }
    out
}

/// A response's place among the connection's exchanges: its number, the
/// request it answers and the time since, the previous exchange's frames
/// and the URI it is for.
fn response_exchange(st: &mut StreamState, code: u16, at: super::At, d: &mut Dissection) {
    d.push(&F_HTTP_RESPONSE, Value::Bool(true));
    if st.last.as_ref().is_none_or(|x| x.response.is_some()) {
        // A response with no request of its own (more responses than
        // requests seen): tshark still names the connection's latest
        // request URI.
        let number = st.next_number();
        st.open(Exchange {
            number,
            ..Exchange::default()
        });
    }
    let Some(x) = st.last.as_mut() else {
        return;
    };
    d.push(&F_HTTP_RESPONSE_NUMBER, Value::UInt(x.number.into()));
    if !(100..200).contains(&code) || code == 101 {
        x.response = Some(at.frame);
    }
    let x = x.clone();
    if let Some(p) = st.prev.as_ref().and_then(|p| p.request) {
        d.push(&F_HTTP_PREV_REQUEST_IN, Value::UInt(p));
    }
    if let Some(p) = st.prev.as_ref().and_then(|p| p.response) {
        d.push(&F_HTTP_PREV_RESPONSE_IN, Value::UInt(p));
    }
    if let Some(f) = x.request {
        d.push(&F_HTTP_REQUEST_IN, Value::UInt(f));
        d.push(
            &F_HTTP_TIME,
            Value::Float((at.ts_ns - x.request_ts) as f64 / 1e9),
        );
    }
    let uri = st.full_uri.as_deref().unwrap_or(&st.request_uri);
    if !uri.is_empty() {
        d.push(&F_HTTP_RESPONSE_FOR_URI, Value::Str(uri.to_string()));
    }
}

/// A request opens an exchange: its full URI (from a Host header only, as
/// tshark makes it), its number and the previous request's frame.
fn request_exchange(
    st: &mut StreamState,
    head: &Head<'_>,
    uri: &str,
    method: String,
    at: super::At,
    d: &mut Dissection,
) {
    if let Some(host) = header(head, "host") {
        let full_uri = if uri.starts_with('/') || uri == "*" {
            format!("http://{host}{uri}")
        } else {
            uri.to_string()
        };
        d.push(&F_HTTP_REQUEST_FULL_URI, Value::Str(full_uri.clone()));
        st.full_uri = Some(full_uri);
    }
    d.push(&F_HTTP_REQUEST, Value::Bool(true));
    let number = st.next_number();
    st.seen_request = true;
    st.open(Exchange {
        number,
        method,
        request: Some(at.frame),
        request_ts: at.ts_ns,
        response: None,
    });
    d.push(&F_HTTP_REQUEST_NUMBER, Value::UInt(number.into()));
    if let Some(p) = st.prev.as_ref().and_then(|p| p.request) {
        d.push(&F_HTTP_PREV_REQUEST_IN, Value::UInt(p));
    }
}

/// A message body as far as it is held.
struct Body<'a> {
    /// The bytes after the head that are there.
    bytes: &'a [u8],
    /// Its length on the wire.
    full: usize,
    /// Only a prefix was kept (see [`elidable_prefix`]).
    elided: bool,
}

/// The body: de-chunked and decoded, then handed to the media dissectors
/// its Content-Type names (which may add to the Info column or, for
/// DNS-over-HTTPS, replace it).
fn message_body(
    body: Body<'_>,
    head: &Head<'_>,
    content_type: Option<String>,
    st: &mut StreamState,
    at: super::At,
    info: &mut String,
    d: &mut Dissection,
) {
    let chunked = header(head, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let raw = if chunked {
        dechunk(body.bytes, d)
    } else {
        body.bytes.to_vec()
    };
    let coding = header(head, "content-encoding").map(str::to_ascii_lowercase);
    let data = match coding.as_deref() {
        Some("gzip" | "x-gzip") => inflate(&raw, Coding::Gzip).unwrap_or(raw),
        Some("deflate") => inflate(&raw, Coding::Deflate).unwrap_or(raw),
        _ => raw,
    };
    let media = content_type
        .as_ref()
        .filter(|_| !data.is_empty())
        .map(|ct| (ct, media_type(ct)));
    if let Some((ct, t)) = &media {
        if data.starts_with(b"<?xml") && t == "text/html" {
            // tshark's XML heuristic takes the body whatever its type.
            d.protocol = "HTTP/XML".into();
        } else if t != "application/octet-stream" {
            // Octet streams go to the data dissector, which leaves
            // the Info column alone.
            media_info(t, ct, &data, info);
            if let Some(p) = media_protocol(t) {
                d.protocol = p.into();
            }
            if t == "image/png" && super::png::is_png(&data) {
                d.malformed |= super::png::throws(&data);
            }
        }
    }
    let text = if d.wants(&F_HTTP_FILE_DATA) {
        super::util::ascii_z(&data)
    } else {
        String::new()
    };
    d.push(&F_HTTP_FILE_DATA, Value::Str(text));
    let Some((_, t)) = &media else {
        // No media type: the data dissector takes the body.
        let full = if body.elided { body.full } else { data.len() };
        super::super::data::push_sized(d, &data, full);
        return;
    };
    for layer in media_layers(t, &data) {
        let v = d.bytes(layer, &data);
        d.push(layer, v);
    }
    match t.as_str() {
        "application/octet-stream" => {
            // An elided body (see `elidable_prefix`) is neither
            // chunked nor encoded: its length is the rest.
            let full = if body.elided { body.full } else { data.len() };
            super::super::data::push_sized(d, &data, full);
        }
        "application/ocsp-response" => super::x509::ocsp_response_body(&data, d),
        "application/pkix-crl" => super::x509::crl_body(&data, d),
        "application/dns-message" => {
            let track = super::dns::Track {
                tx: &mut st.doh,
                conv: 0,
                at,
            };
            if let Some(dns_info) = super::doh(&data, track, d) {
                *info = dns_info;
            }
        }
        _ => {}
    }
}

/// The protocols tshark's media-type table puts under a body of media type
/// `t` (they show in `frame.protocols` after `http` or `http2`).
pub(super) fn media_layers(t: &str, body: &[u8]) -> &'static [&'static FieldDef] {
    static TEXT_XML: [&FieldDef; 2] = [&P_TEXT_LINES, &P_XML];
    static TEXT: [&FieldDef; 1] = [&P_TEXT_LINES];
    static GIF: [&FieldDef; 1] = [&P_GIF];
    static JFIF: [&FieldDef; 1] = [&P_JFIF];
    static PNG: [&FieldDef; 1] = [&P_PNG];
    static JSON: [&FieldDef; 1] = [&P_JSON];
    static JSON_TEXT: [&FieldDef; 2] = [&P_JSON, &P_TEXT_LINES];
    static XML: [&FieldDef; 1] = [&P_XML];
    static FORM: [&FieldDef; 1] = [&P_FORM];
    static MEDIA: [&FieldDef; 1] = [&P_MEDIA];
    match t {
        "text/html" if body.starts_with(b"<?xml") => &TEXT_XML,
        "text/html"
        | "text/plain"
        | "text/css"
        | "text/javascript"
        | "application/x-javascript" => &TEXT,
        "image/gif" if body.starts_with(b"GIF8") => &GIF,
        "image/jpeg" => &JFIF,
        "image/png" if super::png::is_png(body) => &PNG,
        "application/json" if json_ends_early(body) => &JSON_TEXT,
        "application/json" => &JSON,
        "application/xml" | "text/xml" => &XML,
        "application/x-www-form-urlencoded" => &FORM,
        // Dissected further (OCSP, X.509: see `x509`) or by tshark only
        // (DNS, FCS).
        "application/ocsp-request"
        | "application/ocsp-response"
        | "application/pkix-crl"
        | "application/dns-message"
        | "application/x-fcs"
        | "application/octet-stream" => &[],
        _ => &MEDIA,
    }
}

/// True when a JSON body stops inside its value (cut short by the
/// snapshot length, or one segment of it without desegmentation): tshark's
/// JSON dissector hands what it could not parse to the line-based text
/// dissector.
fn json_ends_early(body: &[u8]) -> bool {
    let mut values =
        serde_json::Deserializer::from_slice(body).into_iter::<serde::de::IgnoredAny>();
    matches!(values.next(), Some(Err(e)) if e.is_eof())
}

/// Most bytes a compressed body may expand to.
const MAX_INFLATED: u64 = 4 << 20;

enum Coding {
    Gzip,
    Deflate,
}

/// Decompress a body as tshark does for `http.file_data`; None when the
/// data does not decode.
fn inflate(b: &[u8], coding: Coding) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    let ok = match coding {
        Coding::Gzip => flate2::read::MultiGzDecoder::new(b)
            .take(MAX_INFLATED)
            .read_to_end(&mut out)
            .is_ok(),
        Coding::Deflate => {
            flate2::read::ZlibDecoder::new(b)
                .take(MAX_INFLATED)
                .read_to_end(&mut out)
                .is_ok()
                || {
                    out.clear();
                    flate2::read::DeflateDecoder::new(b)
                        .take(MAX_INFLATED)
                        .read_to_end(&mut out)
                        .is_ok()
                }
        }
    };
    ok.then_some(out)
}

fn dechunk(b: &[u8], d: &mut Dissection) -> Vec<u8> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < b.len() {
        let Some(nl) = b[off..].iter().position(|&c| c == b'\n') else {
            break;
        };
        let line = String::from_utf8_lossy(&b[off..off + nl]).into_owned();
        let Ok(size) =
            usize::from_str_radix(line.trim().split(';').next().unwrap_or("").trim(), 16)
        else {
            break;
        };
        d.push(&F_HTTP_CHUNK_SIZE, Value::UInt(size as u64));
        off += nl + 1;
        if size == 0 {
            break;
        }
        let end = (off + size).min(b.len());
        out.extend_from_slice(&b[off..end]);
        off = end;
        if let Some(nl) = b[off..].iter().position(|&c| c == b'\n') {
            off += nl + 1;
        } else {
            break;
        }
    }
    out
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_HTTP = "http", Protocol, Base::Dec, "Hypertext Transfer Protocol";
        // The media dissectors of bodies, named for filters.
        P_MEDIA = "media", Protocol, Base::Dec, "Media Type";
        P_TEXT_LINES = "data-text-lines", Protocol, Base::Dec, "Line-based text data";
        P_GIF = "image-gif", Protocol, Base::Dec, "Compuserve GIF";
        P_JFIF = "image-jfif", Protocol, Base::Dec, "JPEG File Interchange Format";
        P_PNG = "png", Protocol, Base::Dec, "Portable Network Graphics";
        P_JSON = "json", Protocol, Base::Dec, "JavaScript Object Notation";
        P_XML = "xml", Protocol, Base::Dec, "eXtensible Markup Language";
        P_FORM = "urlencoded-form", Protocol, Base::Dec, "HTML Form URL Encoded";
        F_HTTP_REQUEST_METHOD = "http.request.method", String, Base::Dec, "Request Method";
        F_HTTP_REQUEST_URI = "http.request.uri", String, Base::Dec, "Request URI";
        F_HTTP_REQUEST_URI_PATH = "http.request.uri.path", String, Base::Dec, "Request URI Path";
        F_HTTP_REQUEST_URI_QUERY = "http.request.uri.query", String, Base::Dec, "Request URI Query";
        F_HTTP_REQUEST_URI_QUERY_PARAMETER = "http.request.uri.query.parameter", String, Base::Dec, "Request URI Query Parameter";
        F_HTTP_REQUEST_VERSION = "http.request.version", String, Base::Dec, "Request Version";
        F_HTTP_RESPONSE_VERSION = "http.response.version", String, Base::Dec, "Response Version";
        F_HTTP_RESPONSE_CODE = "http.response.code", UInt, Base::Dec, "Status Code";
        F_HTTP_RESPONSE_CODE_DESC = "http.response.code.desc", String, Base::Dec, "Status Code Description";
        F_HTTP_RESPONSE_PHRASE = "http.response.phrase", String, Base::Dec, "Response Phrase";
        F_HTTP_ACCEPT = "http.accept", String, Base::Dec, "Accept";
        F_HTTP_ACCEPT_ENCODING = "http.accept_encoding", String, Base::Dec, "Accept Encoding";
        F_HTTP_ACCEPT_LANGUAGE = "http.accept_language", String, Base::Dec, "Accept-Language";
        F_HTTP_AUTHORIZATION = "http.authorization", String, Base::Dec, "Authorization";
        F_HTTP_CACHE_CONTROL = "http.cache_control", String, Base::Dec, "Cache-Control";
        F_HTTP_CONNECTION = "http.connection", String, Base::Dec, "Connection";
        F_HTTP_CONTENT_ENCODING = "http.content_encoding", String, Base::Dec, "Content-Encoding";
        F_HTTP_CONTENT_LENGTH_HEADER = "http.content_length_header", String, Base::Dec, "Content-Length";
        F_HTTP_CONTENT_LENGTH = "http.content_length", UInt, Base::Dec, "Content length";
        F_HTTP_CONTENT_TYPE = "http.content_type", String, Base::Dec, "Content-Type";
        F_HTTP_COOKIE = "http.cookie", String, Base::Dec, "Cookie";
        F_HTTP_COOKIE_PAIR = "http.cookie_pair", String, Base::Dec, "Cookie pair";
        F_HTTP_DATE = "http.date", String, Base::Dec, "Date";
        F_HTTP_HOST = "http.host", String, Base::Dec, "Host";
        F_HTTP_LAST_MODIFIED = "http.last_modified", String, Base::Dec, "Last-Modified";
        F_HTTP_LOCATION = "http.location", String, Base::Dec, "Location";
        F_HTTP_REFERER = "http.referer", String, Base::Dec, "Referer";
        F_HTTP_SERVER = "http.server", String, Base::Dec, "Server";
        F_HTTP_SET_COOKIE = "http.set_cookie", String, Base::Dec, "Set-Cookie";
        F_HTTP_TRANSFER_ENCODING = "http.transfer_encoding", String, Base::Dec, "Transfer-Encoding";
        F_HTTP_UPGRADE = "http.upgrade", String, Base::Dec, "Upgrade";
        F_HTTP_USER_AGENT = "http.user_agent", String, Base::Dec, "User-Agent";
        F_HTTP_WWW_AUTHENTICATE = "http.www_authenticate", String, Base::Dec, "WWW-Authenticate";
        F_HTTP_X_FORWARDED_FOR = "http.x_forwarded_for", String, Base::Dec, "X-Forwarded-For";
        F_HTTP_PROXY_AUTHENTICATE = "http.proxy_authenticate", String, Base::Dec, "Proxy-Authenticate";
        F_HTTP_PROXY_AUTHORIZATION = "http.proxy_authorization", String, Base::Dec, "Proxy-Authorization";
        F_HTTP_SEC_WEBSOCKET_ACCEPT = "http.sec_websocket_accept", String, Base::Dec, "Sec-WebSocket-Accept";
        F_HTTP_SEC_WEBSOCKET_KEY = "http.sec_websocket_key", String, Base::Dec, "Sec-WebSocket-Key";
        F_HTTP_SEC_WEBSOCKET_VERSION = "http.sec_websocket_version", String, Base::Dec, "Sec-WebSocket-Version";
        F_HTTP_REQUEST_LINE = "http.request.line", String, Base::Dec, "Request line";
        F_HTTP_RESPONSE_LINE = "http.response.line", String, Base::Dec, "Response line";
        F_HTTP_REQUEST_FULL_URI = "http.request.full_uri", String, Base::Dec, "Full request URI";
        F_HTTP_REQUEST = "http.request", Bool, Base::Dec, "Request";
        F_HTTP_RESPONSE = "http.response", Bool, Base::Dec, "Response";
        F_HTTP_REQUEST_NUMBER = "http.request_number", UInt, Base::Dec, "Request number";
        F_HTTP_RESPONSE_NUMBER = "http.response_number", UInt, Base::Dec, "Response number";
        F_HTTP_PREV_REQUEST_IN = "http.prev_request_in", FrameNum, Base::Dec, "Prev request in frame";
        F_HTTP_PREV_RESPONSE_IN = "http.prev_response_in", FrameNum, Base::Dec, "Prev response in frame";
        F_HTTP_REQUEST_IN = "http.request_in", FrameNum, Base::Dec, "Request in frame";
        F_HTTP_TIME = "http.time", RelTime, Base::Dec, "Time since request";
        F_HTTP_RESPONSE_FOR_URI = "http.response_for.uri", String, Base::Dec, "Request URI";
        F_HTTP_CHUNK_SIZE = "http.chunk_size", UInt, Base::Dec, "Chunk size";
        F_HTTP_FILE_DATA = "http.file_data", String, Base::Dec, "File Data";
    }
}
