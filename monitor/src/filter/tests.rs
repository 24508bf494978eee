//! Unit tests of the filter engine over hand-built dissections, using the
//! test field table (real Wireshark names and types).

use super::testfields::{def, TestRegistry};
use super::*;
use crate::dissect::{Dissection, Value};
use std::net::{Ipv4Addr, Ipv6Addr};

mod cli;
mod errors;
mod json_oracle;
mod kernel_tests;
mod roundtrip;
mod semantics;
mod tshark_diff;

/// A dissection from `(field, value)` pairs, in order.
pub(super) fn dis(fields: &[(&str, Value)]) -> Dissection {
    let mut d = Dissection::default();
    for (n, v) in fields {
        d.push(def(n), v.clone());
    }
    d
}

pub(super) fn compile_t(expr: &str) -> Filter {
    compile_with(expr, &TestRegistry).unwrap_or_else(|e| panic!("{}", e.render(expr)))
}

pub(super) fn m(expr: &str, d: &Dissection) -> bool {
    compile_t(expr).matches(d)
}

pub(super) fn ip4(s: &str) -> Value {
    Value::Ipv4(s.parse::<Ipv4Addr>().unwrap())
}

pub(super) fn ip6(s: &str) -> Value {
    Value::Ipv6(s.parse::<Ipv6Addr>().unwrap())
}

pub(super) fn u(v: u64) -> Value {
    Value::UInt(v)
}

pub(super) fn s(v: &str) -> Value {
    Value::Str(v.to_string())
}

/// An HTTP GET from 10.0.0.1:51000 to 93.184.216.34:80, laid out the way
/// tshark's tree has it (both-ends fields appear once per end).
pub(super) fn http_get() -> Dissection {
    let frame: Vec<u8> = [
        &[
            0x00, 0x05, 0x5d, 0x21, 0x99, 0x4c, 0x00, 0x21, 0x6a, 0x5b, 0x7d, 0x4a, 0x08, 0x00,
        ][..],
        &[0x45, 0x00, 0x00, 0x3c][..],
        b"GET /index.html HTTP/1.1\r\n",
    ]
    .concat();
    let payload = b"GET /index.html HTTP/1.1\r\n".to_vec();
    dis(&[
        ("frame", Value::Bytes(frame)),
        ("frame.number", u(4)),
        ("frame.len", u(70)),
        ("frame.time_relative", Value::Float(0.25)),
        ("frame.protocols", s("eth:ethertype:ip:tcp:http")),
        ("eth", Value::Bytes(vec![0; 14])),
        (
            "eth.dst",
            Value::Ether([0x00, 0x05, 0x5d, 0x21, 0x99, 0x4c]),
        ),
        (
            "eth.addr",
            Value::Ether([0x00, 0x05, 0x5d, 0x21, 0x99, 0x4c]),
        ),
        (
            "eth.src",
            Value::Ether([0x00, 0x21, 0x6a, 0x5b, 0x7d, 0x4a]),
        ),
        (
            "eth.addr",
            Value::Ether([0x00, 0x21, 0x6a, 0x5b, 0x7d, 0x4a]),
        ),
        ("eth.type", u(0x0800)),
        ("ip", Value::Bytes(vec![0x45; 20])),
        ("ip.hdr_len", u(20)),
        ("ip.len", u(60)),
        ("ip.id", u(0x1234)),
        ("ip.flags", u(2)),
        ("ip.flags.df", Value::Bool(true)),
        ("ip.flags.mf", Value::Bool(false)),
        ("ip.frag_offset", u(0)),
        ("ip.ttl", u(64)),
        ("ip.proto", u(6)),
        ("ip.src", ip4("10.0.0.1")),
        ("ip.addr", ip4("10.0.0.1")),
        ("ip.dst", ip4("93.184.216.34")),
        ("ip.addr", ip4("93.184.216.34")),
        ("tcp", Value::Bytes(vec![0; 20])),
        ("tcp.srcport", u(51000)),
        ("tcp.dstport", u(80)),
        ("tcp.port", u(51000)),
        ("tcp.port", u(80)),
        ("tcp.stream", u(0)),
        ("tcp.len", u(26)),
        ("tcp.seq", u(1)),
        ("tcp.ack", u(1)),
        ("tcp.hdr_len", u(20)),
        ("tcp.flags", u(0x018)),
        ("tcp.flags.cwr", Value::Bool(false)),
        ("tcp.flags.urg", Value::Bool(false)),
        ("tcp.flags.ack", Value::Bool(true)),
        ("tcp.flags.push", Value::Bool(true)),
        ("tcp.flags.reset", Value::Bool(false)),
        ("tcp.flags.syn", Value::Bool(false)),
        ("tcp.flags.fin", Value::Bool(false)),
        ("tcp.window_size_value", u(502)),
        ("tcp.analysis.ack_rtt", Value::Float(0.0123)),
        ("tcp.payload", Value::Bytes(payload)),
        ("http", Value::Bytes(vec![0; 4])),
        ("http.request.method", s("GET")),
        ("http.request.uri", s("/index.html")),
        ("http.request.version", s("HTTP/1.1")),
        ("http.host", s("WWW.Example.com")),
        ("http.user_agent", s("curl/8.0 \"quoted\"")),
        ("http.request", Value::Bool(true)),
    ])
}

/// A DNS query over IPv6/UDP with two VLAN tags, for multi-valued cases.
pub(super) fn dns_v6() -> Dissection {
    dis(&[
        (
            "frame",
            Value::Bytes(vec![
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x81, 0x00,
            ]),
        ),
        ("frame.number", u(7)),
        ("frame.len", u(120)),
        ("frame.time_relative", Value::Float(1.5)),
        ("eth", Value::Bytes(vec![0; 14])),
        ("eth.dst", Value::Ether([0xff; 6])),
        ("eth.addr", Value::Ether([0xff; 6])),
        ("eth.src", Value::Ether([1, 2, 3, 4, 5, 6])),
        ("eth.addr", Value::Ether([1, 2, 3, 4, 5, 6])),
        ("eth.type", u(0x8100)),
        ("vlan", Value::Bytes(vec![0; 4])),
        ("vlan.id", u(100)),
        ("vlan", Value::Bytes(vec![0; 4])),
        ("vlan.id", u(200)),
        ("ipv6", Value::Bytes(vec![0x60; 40])),
        ("ipv6.hlim", u(255)),
        ("ipv6.nxt", u(17)),
        ("ipv6.src", ip6("fe80::1")),
        ("ipv6.addr", ip6("fe80::1")),
        ("ipv6.dst", ip6("2001:db8::53")),
        ("ipv6.addr", ip6("2001:db8::53")),
        ("udp", Value::Bytes(vec![0; 8])),
        ("udp.srcport", u(5353)),
        ("udp.dstport", u(53)),
        ("udp.port", u(5353)),
        ("udp.port", u(53)),
        ("udp.length", u(40)),
        ("dns", Value::Bytes(vec![0; 12])),
        ("dns.id", u(0xbeef)),
        ("dns.flags.response", Value::Bool(false)),
        ("dns.qry.name", s("example.com")),
        ("dns.qry.type", u(1)),
        ("dns.qry.name", s("example.org")),
        ("dns.qry.type", u(28)),
    ])
}
