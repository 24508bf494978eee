//! Operator, literal, multi-value, slice, set, function and precedence
//! semantics, each case checked on two packets (HTTP over IPv4 and DNS over
//! IPv6 with two VLAN tags).

use super::*;

/// `(filter, matches http_get, matches dns_v6)`.
const CASES: &[(&str, bool, bool)] = &[
    // Existence.
    ("tcp", true, false),
    ("udp", false, true),
    ("http.request", true, false),
    ("http.response", false, false),
    ("tcp.analysis.retransmission", false, false),
    ("ip", true, false),
    ("ipv6", false, true),
    ("frame", true, true),
    ("dns.qry.name", false, true),
    // Both spellings of every comparison.
    ("tcp.dstport == 80", true, false),
    ("tcp.dstport eq 80", true, false),
    ("tcp.dstport != 80", false, false),
    ("tcp.dstport ne 81", true, false),
    ("tcp.dstport > 79", true, false),
    ("tcp.dstport gt 80", false, false),
    ("tcp.dstport < 81", true, false),
    ("tcp.dstport lt 80", false, false),
    ("tcp.dstport >= 80", true, false),
    ("tcp.dstport ge 81", false, false),
    ("tcp.dstport <= 80", true, false),
    ("tcp.dstport le 79", false, false),
    ("tcp.dstport any_eq 80", true, false),
    ("tcp.dstport all_ne 80", false, false),
    // Multi-valued fields: tcp.port holds 51000 and 80.
    ("tcp.port == 80", true, false),
    ("tcp.port == 51000", true, false),
    ("tcp.port != 80", false, false),
    ("!(tcp.port == 80)", false, true),
    ("not tcp.port == 80", false, true),
    ("tcp.port != 443", true, false),
    ("tcp.port === 80", false, false),
    ("tcp.port all_eq 80", false, false),
    ("tcp.port !== 80", true, false),
    ("tcp.port any_ne 80", true, false),
    ("tcp.port !== 443", true, false),
    ("all tcp.port == 80", false, false),
    ("any tcp.port == 80", true, false),
    ("any tcp.port != 80", true, false),
    ("all tcp.port != 80", false, false),
    ("all tcp.port > 79", true, false),
    ("all tcp.port > 80", false, false),
    ("any tcp.port > 50000", true, false),
    ("tcp.port > 50000", true, false),
    ("udp.port == 53", false, true),
    ("udp.port != 53", false, false),
    ("vlan.id == 200", false, true),
    ("vlan.id != 100", false, false),
    ("vlan.id != 300", false, true),
    ("vlan.id === 100", false, false),
    ("dns.qry.type == 28", false, true),
    // Absent fields: both == and != are false, negations true.
    ("ip.dst == 1.2.3.4", false, false),
    ("ip.dst != 1.2.3.4", true, false),
    ("not ip.dst == 1.2.3.4", true, true),
    ("not ip.dst eq 93.184.216.34", false, true),
    ("ip.dst ne 93.184.216.34", false, false),
    // IPv4 and CIDR.
    ("ip.src == 10.0.0.1", true, false),
    ("ip.addr == 10.0.0.0/8", true, false),
    ("ip.addr == 93.184.0.0/16", true, false),
    ("ip.addr != 10.0.0.0/8", false, false),
    ("ip.src == 10.0.0.0/8", true, false),
    ("ip.dst == 10.0.0.0/8", false, false),
    ("ip.addr == 0.0.0.0/0", true, false),
    ("ip.src > 9.255.255.255", true, false),
    ("ip.src < 10.0.0.1", false, false),
    ("ip.src == ip.dst", false, false),
    ("ip.src != ip.dst", true, false),
    ("ip.addr in {10.0.0.0/8, 192.168.0.0/16}", true, false),
    ("ip.dst in {93.184.216.30..93.184.216.40}", true, false),
    // IPv6 and prefixes.
    ("ipv6.addr == fe80::/10", false, true),
    ("ipv6.src == fe80::1", false, true),
    ("ipv6.dst == 2001:db8::/32", false, true),
    ("ipv6.dst == 2001:db9::/32", false, false),
    ("ipv6.src == ::/0", false, true),
    ("ipv6.addr == 2001:db8::53", false, true),
    // MAC addresses, three notations.
    ("eth.dst == 00:05:5d:21:99:4c", true, false),
    ("eth.dst == 00-05-5d-21-99-4c", true, false),
    ("eth.dst == 0005.5d21.994c", true, false),
    ("eth.dst == ff:ff:ff:ff:ff:ff", false, true),
    ("eth.addr == 01:02:03:04:05:06", false, true),
    ("eth.addr != ff:ff:ff:ff:ff:ff", true, false),
    ("eth.src contains 6a:5b", true, false),
    ("eth.src > 00:21:6a:5b:7d:49", true, true),
    ("eth.src < 00:21:6a:5b:7d:4a", false, false),
    // Integer literal forms.
    ("eth.type == 0x800", true, false),
    ("eth.type == 0x0800", true, false),
    ("eth.type == 2048", true, false),
    ("eth.type == 04000", true, false),
    ("eth.type == 0b100000000000", true, false),
    ("ip.ttl == 'A'", false, false),
    ("ip.ttl == '@'", true, false),
    ("ip.ttl == '\\x40'", true, false),
    ("ip.ttl == '\\100'", true, false),
    ("tcp.flags == 0x018", true, false),
    ("tcp.flags == 24", true, false),
    ("tcp.port == -1", false, false),
    // Booleans.
    ("tcp.flags.push == 1", true, false),
    ("tcp.flags.push == true", true, false),
    ("tcp.flags.syn == 0", true, false),
    ("tcp.flags.syn == false", true, false),
    ("tcp.flags.push == 2", true, false),
    ("tcp.flags.syn", true, false),
    ("tcp.flags.syn == 1", false, false),
    ("http.request == 1", true, false),
    ("ip.flags.df == 1 and ip.flags.mf == 0", true, false),
    // Bitwise and.
    ("tcp.flags & 0x02", false, false),
    ("tcp.flags & 0x10", true, false),
    ("tcp.flags bitand 0x08", true, false),
    ("tcp.flags & 0x18 == 0x18", true, false),
    ("tcp.flags & 0x12 == 0x12", false, false),
    ("tcp.flags & 0x02 == 0", true, false),
    ("frame[12:2] & ff:00 == 08:00", true, false),
    // Strings, escapes, raw strings.
    ("http.host == \"WWW.Example.com\"", true, false),
    ("http.host == \"www.example.com\"", false, false),
    ("http.host == WWW.Example.com", true, false),
    ("http.host contains \"Example\"", true, false),
    ("http.host contains \"example\"", false, false),
    ("http.request.method == \"\\x47ET\"", true, false),
    ("http.request.method == \"\\107ET\"", true, false),
    ("http.request.method == \"G\\u00e9T\"", false, false),
    ("http.user_agent contains \"\\\"quoted\\\"\"", true, false),
    ("http.user_agent matches r\"\\\"quoted\\\"$\"", true, false),
    ("http.host contains r\"\\x57\"", false, false),
    ("http.request.uri == r\"/index.html\"", true, false),
    ("http.request.method in {\"GET\", \"HEAD\"}", true, false),
    ("http.request.method in {\"POST\", \"HEAD\"}", false, false),
    ("http.request.method > \"FOO\"", true, false),
    ("dns.qry.name == \"example.org\"", false, true),
    ("dns.qry.name != \"example.org\"", false, false),
    ("dns.qry.name !== \"example.org\"", false, true),
    // matches / ~ (case-insensitive).
    ("http.host matches \"example\\\\.COM$\"", true, false),
    ("http.host ~ \"^www\"", true, false),
    ("http.host ~ r\"^w{3}\\.\"", true, false),
    ("http.host ~ \"^example\"", false, false),
    ("dns.qry.name matches \"org$\"", false, true),
    ("all dns.qry.name matches \"^example\"", false, true),
    ("all dns.qry.name matches \"org$\"", false, false),
    ("tcp.payload matches \"^get /\"", true, false),
    // Bytes and protocol values; contains.
    ("tcp.payload contains \"index\"", true, false),
    ("tcp.payload contains 47:45:54", true, false),
    ("tcp.payload[0:4] == \"GET \"", true, false),
    ("tcp.payload[0:3] == 47:45:54", true, false),
    ("tcp.payload[0:3] == 47-45-54", true, false),
    ("tcp.payload[0:3] == 47.45.54", true, false),
    ("frame contains \"HTTP/1.1\"", true, false),
    ("frame contains \"HTTP/2\"", false, false),
    ("tcp contains 00:00", true, false),
    // Slices.
    ("frame[0:3] == 00:05:5d", true, false),
    ("frame[0:6] == ff:ff:ff:ff:ff:ff", false, true),
    ("frame[12:2] == 08:00", true, false),
    ("frame[12-13] == 08:00", true, false),
    ("frame[12] == 08", true, false),
    ("frame[12] == 8", true, false),
    ("frame[12] == 0x08", true, false),
    ("frame[12:2] == 0800", true, false),
    ("frame[12:2] == 2048", false, false),
    ("frame[0:6] == 00055d21994c", true, false),
    ("eth.dst == 00055d21994c", true, false),
    ("tcp > 00", true, false),
    ("eth > 00:05:5d:21:99:4c:00", false, false),
    ("frame[:2] == 00:05", true, false),
    ("frame[14:] == 45:00:00:3c:47:45:54:20:2f:69:6e:64:65:78:2e:68:74:6d:6c:20:48:54:54:50:2f:31:2e:31:0d:0a", true, false),
    ("frame[-2:] == 0d:0a", true, false),
    ("frame[-2:2] == 0d:0a", true, false),
    ("frame[-1] == 0a", true, false),
    ("frame[0,12-13] == 00:08:00", true, false),
    ("frame[0:1,12:2] == 00:08:00", true, false),
    ("frame[1000:2] == 00:00", false, false),
    ("frame[1000:2] != 00:00", true, true),
    ("frame[1000:2] == \"\"", true, true),
    ("len(frame[1000:2]) == 0", true, true),
    ("eth.src[0:3] == 00:21:6a", true, false),
    ("eth.src[:2] == 01:02", false, true),
    ("ip.src[0] == 0a", true, false),
    ("ip.src[2:2] == 00:01", true, false),
    ("ipv6.src[0:2] == fe:80", false, true),
    ("http.host[0:3] == \"WWW\"", true, false),
    ("http.host[0:3] == 57:57:57", true, false),
    // Sets.
    ("tcp.port in {80, 443}", true, false),
    ("tcp.port in {443, 8080}", false, false),
    ("tcp.port in {1..1024}", true, false),
    ("tcp.port in {81..1024, 50000..52000}", true, false),
    ("tcp.dstport in {81..1024}", false, false),
    ("udp.port in {53}", false, true),
    ("tcp.port not in {80}", false, true),
    ("tcp.port not in {443, 8080}", true, true),
    ("udp.port not in {53..53}", true, false),
    ("frame.time_relative in {0.2..0.3}", true, false),
    ("ip.ttl in {0x40}", true, false),
    ("eth.dst in {ff:ff:ff:ff:ff:ff, 00:05:5d:21:99:4c}", true, true),
    // Floats and times.
    ("frame.time_relative > 0.2", true, true),
    ("frame.time_relative < 1", true, false),
    ("frame.time_relative == 1.5", false, true),
    ("frame.time_relative >= 1.50", false, true),
    ("tcp.analysis.ack_rtt > 0.01", true, false),
    ("tcp.analysis.ack_rtt < 0.01", false, false),
    // Functions.
    ("len(http.host) == 15", true, false),
    ("len(tcp.payload) > 20", true, false),
    ("len(frame) == 44", true, false),
    ("len(eth.src) == 6", true, true),
    ("len(ip.src) == 4", true, false),
    ("len(dns.qry.name) == 11", false, true),
    ("count(tcp.port) == 2", true, false),
    ("count(dns.qry.name) == 2", false, true),
    ("count(vlan.id) == 2", false, true),
    ("count(vlan.id) == 0", false, false),
    ("count(vlan.id) < 1", false, false),
    ("frame[40:]", true, false),
    ("frame[1000:]", false, false),
    ("frame[1000:] != 00", true, true),
    ("count(ip.addr) > 1", true, false),
    ("lower(http.host) == \"www.example.com\"", true, false),
    ("upper(http.host) == \"WWW.EXAMPLE.COM\"", true, false),
    ("lower(http.host) contains \"example\"", true, false),
    ("upper(dns.qry.name) == \"EXAMPLE.ORG\"", false, true),
    ("len(lower(http.host)) == 15", true, false),
    ("max(tcp.srcport, tcp.dstport) == 51000", true, false),
    ("min(tcp.srcport, tcp.dstport) == 80", true, false),
    ("max(tcp.port) == 51000", true, false),
    ("min(udp.port) == 53", false, true),
    ("max(tcp.len, 1000) == 1000", true, true),
    ("max(tcp.len, 10) == 26", true, false),
    ("min(frame.time_relative, tcp.analysis.ack_rtt) < 0.1", true, false),
    ("max(vlan.id) == 200", false, true),
    ("abs(tcp.dstport) == 80", true, false),
    ("abs(frame.time_relative) > 1", false, true),
    // Field-to-field.
    ("tcp.srcport > tcp.dstport", true, false),
    ("tcp.srcport == tcp.dstport", false, false),
    ("udp.srcport != udp.dstport", false, true),
    ("ip.len > ip.hdr_len", true, false),
    ("eth.src == eth.dst", false, false),
    ("frame.len > udp.length", false, true),
    // Precedence: not > and > xor > or, left associative.
    ("tcp or udp and ip", true, false),
    ("(tcp or udp) and ip", true, false),
    ("udp or tcp and ipv6", false, true),
    ("(udp or tcp) and ipv6", false, true),
    ("not tcp and udp", false, true),
    ("not (tcp and udp)", true, true),
    ("! tcp || ip", true, true),
    ("!(tcp || ip)", false, true),
    ("tcp && !ip", false, false),
    ("tcp xor udp", true, true),
    ("tcp ^^ tcp", false, false),
    ("tcp xor tcp or udp", false, true),
    ("udp or tcp xor tcp", false, true),
    ("tcp xor ip and udp", true, false),
    ("tcp and ip xor ip", false, false),
    ("(tcp xor tcp) and frame", false, false),
    ("frame and not not tcp", true, false),
    ("not not not tcp", false, true),
    ("((((tcp))))", true, false),
    ("tcp.port == 80 and not tcp.len == 0", true, false),
    ("tcp.flags.syn == 1 and tcp.flags.ack == 0 or tcp.len > 10", true, false),
    ("tcp.len > 10 or tcp.flags.syn == 1 and tcp.flags.ack == 0", true, false),
    ("tcp.len > 100 or udp and vlan.id == 100", false, true),
];

#[test]
fn every_case_on_both_packets() {
    let (a, b) = (http_get(), dns_v6());
    let mut failures = Vec::new();
    for &(expr, want_a, want_b) in CASES {
        let f = match compile_with(expr, &TestRegistry) {
            Ok(f) => f,
            Err(e) => {
                failures.push(e.render(expr));
                continue;
            }
        };
        let (got_a, got_b) = (f.matches(&a), f.matches(&b));
        if (got_a, got_b) != (want_a, want_b) {
            failures.push(format!(
                "{expr}: got ({got_a}, {got_b}), want ({want_a}, {want_b})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn layers() {
    // An ICMP time-exceeded message quoting the original IP header.
    let d = dis(&[
        ("frame", Value::Bytes(vec![0; 70])),
        ("frame.len", u(70)),
        ("eth", Value::Bytes(vec![0; 14])),
        ("ip", Value::Bytes(vec![0x45; 20])),
        ("ip.ttl", u(255)),
        ("ip.src", ip4("192.168.100.1")),
        ("ip.addr", ip4("192.168.100.1")),
        ("ip.dst", ip4("192.168.100.138")),
        ("ip.addr", ip4("192.168.100.138")),
        ("icmp", Value::Bytes(vec![0; 8])),
        ("icmp.type", u(11)),
        ("ip", Value::Bytes(vec![0x45; 20])),
        ("ip.ttl", u(1)),
        ("ip.src", ip4("192.168.100.138")),
        ("ip.addr", ip4("192.168.100.138")),
        ("ip.dst", ip4("8.8.8.8")),
        ("ip.addr", ip4("8.8.8.8")),
        ("tcp.analysis.flags", Value::None),
    ]);
    for (expr, want) in [
        ("ip#2", true),
        ("ip#3", false),
        ("ip.src#2", true),
        ("ip.ttl#2 == 1", true),
        ("ip.ttl#1 == 1", false),
        ("ip.ttl#[2] == 1", true),
        ("ip.ttl#[1-2] == 1", true),
        ("ip.ttl#[1:1] == 1", false),
        ("ip.ttl#[2:] == 1", true),
        ("ip.ttl#[1,2] == 255", true),
        ("ip.ttl#0 == 1", false),
        ("ip.src#1 == ip.dst#2", false),
        ("ip.dst#1 == ip.src#2", true),
        ("ip.addr#2 == 8.8.8.8", true),
        ("ip.addr#1 == 8.8.8.8", false),
        ("ip.addr#1 != 8.8.8.8", true),
        ("count(ip.addr#2) == 2", true),
        ("count(ip.addr#3) == 0", false),
        ("icmp.type#1 == 11", true),
        ("icmp.type#2", false),
        ("tcp.analysis.flags#1", false),
        ("ip#2[0] == 45", true),
        ("ip.ttl#2 in {1..2}", true),
    ] {
        assert_eq!(m(expr, &d), want, "{expr}");
    }
    assert_eq!(compile_t("ip.ttl#[2]==1").to_string(), "ip.ttl#2 == 1");
    assert_eq!(
        compile_t("ip.ttl#[1-2,4:]==1").to_string(),
        "ip.ttl#[1-2,4:] == 1"
    );
    assert!(!compile_t("ip.ttl#2 == 1").kernel_plan().exact);
}

#[test]
fn absolute_times() {
    use super::super::check::parse_abs_time;
    // 2010-01-07 19:38:34.341715 UTC
    let t = 1_262_893_114.341_715;
    assert_eq!(
        parse_abs_time("Jan  7, 2010 19:38:34"),
        Some(1_262_893_114.0)
    );
    assert_eq!(
        parse_abs_time("jan 7, 2010 19:38:34.5 UTC"),
        Some(1_262_893_114.5)
    );
    assert_eq!(parse_abs_time("2010-01-07 19:38:34"), Some(1_262_893_114.0));
    assert_eq!(
        parse_abs_time("2010-01-07T19:38:34Z"),
        Some(1_262_893_114.0)
    );
    assert_eq!(parse_abs_time("2010-01-07"), Some(1_262_822_400.0));
    assert_eq!(parse_abs_time("1970-01-01 00:00:00"), Some(0.0));
    assert_eq!(parse_abs_time("2000-02-29 12:00"), Some(951_825_600.0));
    for bad in [
        "1262893114",
        "2010-13-01",
        "Foo 7, 2010",
        "2010-01-07 25:00:00",
        "2010-01-07 1:2:3:4",
    ] {
        assert_eq!(parse_abs_time(bad), None, "{bad}");
    }
    let d = dis(&[("frame.time", Value::Float(t))]);
    assert!(m("frame.time >= \"Jan  7, 2010 19:38:34.3\"", &d));
    assert!(!m("frame.time >= \"2010-01-07 19:38:34.4\"", &d));
    assert!(m("frame.time < \"2010-01-08\"", &d));
    assert!(m("frame.time in {\"2010-01-07\"..\"2010-01-08\"}", &d));
    let e = compile_with("frame.time > 1262893114", &TestRegistry).unwrap_err();
    assert!(
        e.message
            .starts_with("\"1262893114\" is not a valid absolute time"),
        "{}",
        e.message
    );
}

#[test]
fn ne_is_not_the_negation_of_eq_on_multi_valued_fields() {
    let d = http_get();
    // tcp.port = {51000, 80}
    assert!(m("tcp.port == 80", &d));
    assert!(!m("tcp.port != 80", &d));
    assert!(!m("!(tcp.port == 80)", &d));
    assert!(m("tcp.port !== 80", &d));
    // Absent: neither holds; the negation of == does.
    let empty = dis(&[("frame.number", u(1))]);
    assert!(!m("tcp.port == 80", &empty));
    assert!(!m("tcp.port != 80", &empty));
    assert!(m("!(tcp.port == 80)", &empty));
    assert!(!m("tcp.port === 80", &empty));
    assert!(!m("tcp.port !== 80", &empty));
    assert!(!m("all tcp.port > 0", &empty));
}

#[test]
fn ranges_outside_the_value_are_left_out() {
    let d = dis(&[("tcp.payload", Value::Bytes(vec![1, 2, 3]))]);
    assert!(m("tcp.payload[2:1] == 03", &d));
    assert!(!m("tcp.payload[2:2] == 03:00", &d));
    assert!(!m("tcp.payload[3] == 00", &d));
    assert!(m("tcp.payload[-3] == 01", &d));
    assert!(!m("tcp.payload[-4] == 01", &d));
    assert!(m("tcp.payload[0-2] == 01:02:03", &d));
    assert!(m("tcp.payload[1:] == 02:03", &d));
    assert!(m("tcp.payload[0,2] == 01:03", &d));
    assert!(m("tcp.payload[0,5] == 01", &d));
    assert!(m("tcp.payload[5:1] != 01", &d));
    assert!(m("tcp.payload[3:] == \"\"", &d));
    assert!(m("tcp.payload[0:1] & 01 == 01", &d));
}

#[test]
fn canonical_text() {
    let cases = [
        ("tcp.port eq 80 && ip", "tcp.port == 80 and ip"),
        ("a_b", "a_b"),
        ("!tcp||udp^^ip", "not tcp or udp xor ip"),
        ("tcp and (udp or ip)", "tcp and (udp or ip)"),
        ("(tcp and udp) or ip", "tcp and udp or ip"),
        ("tcp or (udp or ip)", "tcp or (udp or ip)"),
        ("not (tcp or udp)", "not (tcp or udp)"),
        ("tcp.port in {80 , 443,1..2}", "tcp.port in {80, 443, 1..2}"),
        ("tcp.port not in {80}", "not tcp.port in {80}"),
        ("!tcp.port not in {80}", "not not tcp.port in {80}"),
        ("frame[:2] == 00:05", "frame[0:2] == 00:05"),
        ("frame[1-2,3] ~ \"a\\tb\"", "frame[1-2,3] matches \"a\\tb\""),
        ("http.host == r\"x\\d\"", "http.host == r\"x\\d\""),
        ("ip.ttl == '\\x41'", "ip.ttl == 'A'"),
        ("all tcp.port gt 1", "all tcp.port > 1"),
        ("tcp.flags bitand 2", "tcp.flags & 2"),
        ("len( http.host )>1", "len(http.host) > 1"),
        (
            "tcp.port all_eq 1 or tcp.port any_ne 2",
            "tcp.port === 1 or tcp.port !== 2",
        ),
    ];
    for (input, want) in cases {
        let got = parse::parse(input).map(|e| print::print(&e));
        assert_eq!(got.as_ref().ok().map(String::as_str), Some(want), "{input}");
    }
    assert_eq!(
        compile_t("tcp.port eq 80 && ip").to_string(),
        "tcp.port == 80 and ip"
    );
}
