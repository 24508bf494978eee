//! Error messages: exact text and caret position, and clean refusal of
//! hostile input.

use super::*;

fn err(expr: &str) -> String {
    match compile_with(expr, &TestRegistry) {
        Ok(f) => panic!("{expr:?} compiled to {f}"),
        Err(e) => e.render(expr),
    }
}

/// `(filter, message, caret start, caret width)`.
const CASES: &[(&str, &str, usize, usize)] = &[
    (
        "ip.srcc == 1.2.3.4",
        "\"ip.srcc\" is neither a field nor a protocol name (did you mean ip.src?)",
        0,
        7,
    ),
    (
        "tcp.prot",
        "\"tcp.prot\" is neither a field nor a protocol name (did you mean tcp.port?)",
        0,
        8,
    ),
    (
        "htttp",
        "\"htttp\" is neither a field nor a protocol name (did you mean http?)",
        0,
        5,
    ),
    (
        "zzzzzzzzzz.qqq",
        "\"zzzzzzzzzz.qqq\" is neither a field nor a protocol name",
        0,
        14,
    ),
    (
        "tcp.port == \"x\"",
        "Unsigned integer cannot be converted from a string (\"x\")",
        12,
        3,
    ),
    (
        "ip.src == \"1.2.3.4\"",
        "IPv4 address cannot be converted from a string (\"1.2.3.4\")",
        10,
        9,
    ),
    (
        "ip.src == 300.1.1.1",
        "\"300.1.1.1\" is not a valid IPv4 address",
        10,
        9,
    ),
    (
        "ip.dst == 1.2.3",
        "\"1.2.3\" is not a valid IPv4 address",
        10,
        5,
    ),
    (
        "ip.addr == 10.0.0.0/33",
        "netmask bits in a CIDR IPv4 address should be <= 32, not 33 (in \"10.0.0.0/33\")",
        11,
        11,
    ),
    (
        "ipv6.addr == fe80:::1",
        "\"fe80:::1\" is not a valid IPv6 address",
        13,
        8,
    ),
    (
        "eth.dst == 00:05:5d",
        "\"00:05:5d\" contains too few bytes to be a valid Ethernet address",
        11,
        8,
    ),
    (
        "eth.dst == 00:05:5d:21:99:4c:01",
        "\"00:05:5d:21:99:4c:01\" contains too many bytes to be a valid Ethernet address",
        11,
        20,
    ),
    ("(tcp", "unbalanced parentheses: \"(\" is not closed", 0, 1),
    (
        "((tcp) and (udp)",
        "unbalanced parentheses: \"(\" is not closed",
        0,
        1,
    ),
    (
        "tcp)",
        "unbalanced parentheses: \")\" has no matching \"(\"",
        3,
        1,
    ),
    ("tcp and", "\"and\" is missing its right-hand operand", 4, 3),
    ("tcp ||", "\"||\" is missing its right-hand operand", 4, 2),
    ("not", "\"not\" is missing its right-hand operand", 0, 3),
    (
        "tcp.port ==",
        "\"==\" is missing its right-hand operand",
        9,
        2,
    ),
    (
        "tcp.port == 80 80",
        "\"80\" was unexpected in this context",
        15,
        2,
    ),
    (
        "tcp.port in {80..}",
        "\"}\" was unexpected in this context",
        17,
        1,
    ),
    (
        "tcp.port in {80 443}",
        "\"443\" was unexpected in this context",
        16,
        3,
    ),
    ("tcp.port in {}", "a set needs at least one member", 13, 1),
    ("tcp.seq == 1.5", "\"1.5\" is not a valid number", 11, 3),
    (
        "tcp.port contains 80",
        "tcp.port (type=Unsigned integer) cannot participate in \"contains\" comparison",
        0,
        8,
    ),
    (
        "ip.src matches \"1\"",
        "ip.src (type=IPv4 address) cannot participate in \"matches\" comparison",
        0,
        6,
    ),
    (
        "http.host matches foo",
        "the right side of \"matches\" must be a double-quoted string",
        18,
        3,
    ),
    (
        "http.host matches \"(\"",
        "invalid regular expression: error: unclosed group",
        18,
        3,
    ),
    (
        "tcp.analysis.retransmission == 1",
        "tcp.analysis.retransmission (type=Label) cannot participate in \"==\" comparison",
        0,
        27,
    ),
    (
        "ip.src == eth.src",
        "IPv4 address and Ethernet or other MAC address are not of compatible types",
        0,
        17,
    ),
    (
        "\"abc\" == tcp.port",
        "left side of \"==\" must be a field or function, not a literal",
        0,
        5,
    ),
    (
        "len(tcp.port) == 2",
        "len() is not defined for Unsigned integer values",
        4,
        8,
    ),
    (
        "lower(tcp.port) == 2",
        "lower() takes a string, not Unsigned integer",
        6,
        8,
    ),
    (
        "count(80) == 2",
        "\"80\" is neither a field nor a protocol name",
        6,
        2,
    ),
    ("foo(tcp) == 2", "unknown function foo()", 0, 3),
    ("string(tcp.port) == 2", "unknown function string()", 0, 6),
    (
        "max(tcp.srcport, ip.src) > 0",
        "arguments to max() must be numbers, not IPv4 address",
        17,
        6,
    ),
    (
        "min(tcp.srcport, frame.time_relative) > 0",
        "arguments to min() must have the same type (Unsigned integer and Time offset)",
        17,
        19,
    ),
    (
        "max(1, 2) > 0",
        "max() needs at least one field argument",
        0,
        9,
    ),
    (
        "abs(http.host) == 1",
        "abs() takes a number, not Character string",
        4,
        9,
    ),
    (
        "tcp.port[0] == 1",
        "a Unsigned integer value cannot be sliced",
        0,
        11,
    ),
    ("frame[1:0] == 00", "a slice length must be positive", 6, 3),
    (
        "frame[x] == 00",
        "\"x\" is not a valid slice offset or length",
        6,
        1,
    ),
    ("http.host == \"abc", "the string is not terminated", 13, 4),
    (
        "http.host == \"\\u002e\"",
        "\\u002e is not a valid universal character name",
        14,
        6,
    ),
    ("http.host == \"\\q\"", "unknown escape sequence \\q", 14, 2),
    (
        "tcp.port == 99999999999999999999999",
        "\"99999999999999999999999\" is too big for this field",
        12,
        23,
    ),
    (
        "\"x\"",
        "a literal is not a test; compare it with a field",
        0,
        3,
    ),
    (
        "any tcp.port",
        "\"any\"/\"all\" must be followed by a comparison",
        12,
        1,
    ),
    (
        "tcp.port = 80",
        "\"=\" was unexpected in this context",
        9,
        1,
    ),
    (
        "ip.src == 1.2.3.4 and ip.dst == 1.2.3",
        "\"1.2.3\" is not a valid IPv4 address",
        32,
        5,
    ),
    ("", "the filter is empty", 0, 1),
    (
        "ip.ttl#-1 == 1",
        "expected a layer number or \"[\" after \"#\"",
        6,
        1,
    ),
    (
        "ip.ttl# == 1",
        "expected a layer number or \"[\" after \"#\"",
        6,
        1,
    ),
    (
        "len(ip.src)#2 == 1",
        "\"#\" was unexpected in this context",
        11,
        1,
    ),
    (
        "ip.ttl#x == 1",
        "expected a layer number or \"[\" after \"#\"",
        6,
        1,
    ),
    (
        "ip.src == ip.dts",
        "\"ip.dts\" is not a valid IPv4 address (did you mean ip.dst?)",
        10,
        6,
    ),
    (
        "tcp.port == tcp.dstprot",
        "\"tcp.dstprot\" is not a valid number (did you mean tcp.dstport?)",
        12,
        11,
    ),
    (
        "len(http.host)",
        "you cannot test whether a function is present",
        0,
        14,
    ),
    (
        "tcp.flags.syn == -1",
        "\"-1\" is not a valid boolean",
        17,
        2,
    ),
    (
        "frame.time_relative == 0x1",
        "\"0x1\" is not a valid number",
        23,
        3,
    ),
    (
        "frame[12:2] == 0x0800",
        "\"0x0800\" is not a valid byte string",
        15,
        6,
    ),
    (
        "frame[12:2] == 123",
        "\"123\" is not a valid byte string",
        15,
        3,
    ),
];

#[test]
fn messages_and_carets() {
    let mut bad = Vec::new();
    for &(expr, msg, start, width) in CASES {
        let want = format!(
            "{msg}\n    {expr}\n    {}^{}",
            " ".repeat(start),
            "~".repeat(width - 1)
        );
        let got = err(expr);
        if got != want {
            bad.push(format!("--- {expr}\nwant: {want}\ngot:  {got}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn error_fields_are_structured() {
    let e = compile_with("tcp.port == \"x\"", &TestRegistry).unwrap_err();
    let span = e.span.expect("a span");
    assert_eq!(span.start, 12);
    assert_eq!(span.end, 15);
    assert_eq!(
        e.to_string(),
        "Unsigned integer cannot be converted from a string (\"x\")"
    );
}

#[test]
fn hostile_input_is_refused_without_crashing() {
    // Deep parentheses, over and under the size limit.
    for n in [300, 10_000, 100_000] {
        let expr = format!("{}tcp{}", "(".repeat(n), ")".repeat(n));
        let e = compile_with(&expr, &TestRegistry).unwrap_err();
        assert!(
            e.message.contains("nested too deeply") || e.message.contains("too long"),
            "{n}: {}",
            e.message
        );
    }
    let e = compile_with(&"(".repeat(100_000), &TestRegistry).unwrap_err();
    assert!(e.message.contains("too long"), "{}", e.message);
    let e = compile_with(&format!("{}tcp", "!".repeat(20_000)), &TestRegistry).unwrap_err();
    assert!(e.message.contains("nested too deeply"), "{}", e.message);
    let e = compile_with(&format!("{}tcp", "not ".repeat(300)), &TestRegistry).unwrap_err();
    assert!(e.message.contains("nested too deeply"), "{}", e.message);
    let e = compile_with(
        &format!("{}tcp.port{}", "len(".repeat(1000), ")".repeat(1000)),
        &TestRegistry,
    )
    .unwrap_err();
    assert!(e.message.contains("nested too deeply"), "{}", e.message);
    // Long flat chains: too deep beyond the limit, fine below it.
    let long = vec!["tcp.port == 1"; 3000].join(" or ");
    assert!(compile_with(&long, &TestRegistry)
        .unwrap_err()
        .message
        .contains("nested too deeply"));
    let ok = vec!["tcp.port == 1"; 900].join(" or ");
    let f = compile_t(&ok);
    assert!(!f.matches(&http_get()));
    assert!(f.kernel_plan().exact);
    assert_eq!(compile_t(&f.to_string()).to_string(), f.to_string());
    let masks = format!("tcp.flags{}", " & 0xff".repeat(2000));
    assert!(compile_with(&masks, &TestRegistry).is_err());
    // Rendering a huge filter does not echo it.
    let e = compile_with(&"x".repeat(70_000), &TestRegistry).unwrap_err();
    assert!(e.render(&"x".repeat(70_000)).len() < 200);
}

/// The deepest legal inputs compile, evaluate, plan and print on a test
/// thread's 2 MiB stack.
#[test]
fn deepest_legal_inputs_fit_on_a_small_stack() {
    let d = http_get();
    let expr = format!("{}tcp{}", "(".repeat(256), ")".repeat(256));
    let f = compile_t(&expr);
    assert!(f.matches(&d));
    assert!(f.kernel_plan().exact);
    assert_eq!(f.to_string(), "tcp");
    let expr = format!(
        "{}http.host{} == \"x\"",
        "lower(".repeat(255),
        ")".repeat(255)
    );
    assert!(!compile_t(&expr).matches(&d));
    let expr = format!("{}tcp{}", "not (".repeat(128), ")".repeat(128));
    let f = compile_t(&expr);
    assert!(f.matches(&d));
    f.kernel_plan();
    let expr = vec!["tcp.port == 1"; 999].join(" or ");
    let f = compile_t(&expr);
    assert!(!f.matches(&d));
    assert_eq!(f.kernel_plan().nodes.len(), 1 + 2 * 999);
    assert_eq!(f.to_string(), expr);
    let expr = vec!["tcp"; 999].join(" xor ");
    let f = compile_t(&expr);
    assert!(f.matches(&d));
    // xor expands in negation normal form; past a size bound the plan gives up.
    let p = f.kernel_plan();
    assert!(!p.exact && p.entry == super::super::kernel::Target::Accept);
    let p = compile_t(&["tcp"; 5].join(" xor ")).kernel_plan();
    assert!(p.exact);
}
