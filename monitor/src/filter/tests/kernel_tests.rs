//! Kernel plan: the decision graph accepts a superset of the exact filter,
//! and exactly the same packets when the plan says it is exact.

use super::super::kernel::{KField, KOp, KernelPacket, Target};
use super::*;

/// Deterministic xorshift, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

const IPS: &[[u8; 4]] = &[
    [10, 0, 0, 1],
    [10, 1, 2, 3],
    [192, 168, 1, 1],
    [93, 184, 216, 34],
    [8, 8, 8, 8],
];
const PORTS: &[u16] = &[53, 80, 443, 1024, 51000];
const MACS: &[[u8; 6]] = &[
    [0xff; 6],
    [0, 5, 0x5d, 0x21, 0x99, 0x4c],
    [1, 2, 3, 4, 5, 6],
];

fn random_packet(r: &mut Rng) -> (KernelPacket, Dissection) {
    let mut p = KernelPacket {
        frame_len: r.pick(&[60, 64, 100, 1500]),
        ..Default::default()
    };
    let ip4 = |a: [u8; 4]| u32::from_be_bytes(a);
    let v6 = |last: u16| {
        let mut a = [0u16; 8];
        a[0] = r_pick_v6(last);
        a[7] = last;
        std::net::Ipv6Addr::new(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
    };
    fn r_pick_v6(last: u16) -> u16 {
        if last.is_multiple_of(2) {
            0xfe80
        } else {
            0x2001
        }
    }
    let mut d = Dissection::default();
    d.push(def("frame"), Value::Bytes(vec![0; 4]));
    d.push(def("frame.len"), u(u64::from(p.frame_len)));
    let vlan_n = r.pick(&[0, 0, 1, 2]);
    let l3 = r.pick(&[0u8, 4, 4, 4, 6, 6, 1]);
    let ety = if vlan_n > 0 {
        0x8100
    } else {
        match l3 {
            4 => 0x0800,
            6 => 0x86dd,
            1 => 0x0806,
            _ => 0x88cc,
        }
    };
    let (dst, src) = (r.pick(MACS), r.pick(MACS));
    p.eth = Some((dst, src, ety));
    d.push(def("eth"), Value::Bytes(vec![0; 14]));
    d.push(def("eth.dst"), Value::Ether(dst));
    d.push(def("eth.addr"), Value::Ether(dst));
    d.push(def("eth.src"), Value::Ether(src));
    d.push(def("eth.addr"), Value::Ether(src));
    d.push(def("eth.type"), u(u64::from(ety)));
    for _ in 0..vlan_n {
        let id = r.pick(&[1u16, 100, 200]);
        p.vlan_ids.push(id);
        d.push(def("vlan"), Value::Bytes(vec![0; 4]));
        d.push(def("vlan.id"), u(u64::from(id)));
    }
    let mut l4 = r.pick(&[6u8, 17, 1, 58, 47]);
    match l3 {
        1 => {
            p.arp = true;
            d.push(def("arp"), Value::Bytes(vec![0; 28]));
            l4 = 0;
        }
        4 => {
            if l4 == 58 {
                l4 = 1;
            }
            let (s, t) = (r.pick(IPS), r.pick(IPS));
            let ttl = r.pick(&[1u8, 64, 128, 255]);
            p.ipv4 = Some((ip4(s), ip4(t), l4, ttl));
            d.push(def("ip"), Value::Bytes(vec![0x45; 20]));
            d.push(def("ip.ttl"), u(u64::from(ttl)));
            d.push(def("ip.proto"), u(u64::from(l4)));
            d.push(def("ip.src"), Value::Ipv4(s.into()));
            d.push(def("ip.addr"), Value::Ipv4(s.into()));
            d.push(def("ip.dst"), Value::Ipv4(t.into()));
            d.push(def("ip.addr"), Value::Ipv4(t.into()));
        }
        6 => {
            if l4 == 1 {
                l4 = 58;
            }
            let (s, t) = (v6(r.pick(&[1u16, 2, 0x53])), v6(r.pick(&[1u16, 2, 0x53])));
            p.ipv6 = Some((u128::from(s), u128::from(t)));
            d.push(def("ipv6"), Value::Bytes(vec![0x60; 40]));
            d.push(def("ipv6.nxt"), u(u64::from(l4)));
            d.push(def("ipv6.src"), Value::Ipv6(s));
            d.push(def("ipv6.addr"), Value::Ipv6(s));
            d.push(def("ipv6.dst"), Value::Ipv6(t));
            d.push(def("ipv6.addr"), Value::Ipv6(t));
        }
        _ => l4 = 0,
    }
    match l4 {
        6 => {
            let (s, t) = (r.pick(PORTS), r.pick(PORTS));
            let flags = r.pick(&[0x002u16, 0x012, 0x010, 0x018, 0x011, 0x004, 0x014, 0x0c2]);
            let len = r.pick(&[0u32, 1, 100, 1400]);
            p.tcp = Some((s, t, flags, len));
            d.push(def("tcp"), Value::Bytes(vec![0; 20]));
            d.push(def("tcp.srcport"), u(u64::from(s)));
            d.push(def("tcp.dstport"), u(u64::from(t)));
            d.push(def("tcp.port"), u(u64::from(s)));
            d.push(def("tcp.port"), u(u64::from(t)));
            d.push(def("tcp.len"), u(u64::from(len)));
            d.push(def("tcp.flags"), u(u64::from(flags)));
            for (name, bit) in [
                ("tcp.flags.cwr", 0x80),
                ("tcp.flags.ece", 0x40),
                ("tcp.flags.urg", 0x20),
                ("tcp.flags.ack", 0x10),
                ("tcp.flags.push", 0x08),
                ("tcp.flags.reset", 0x04),
                ("tcp.flags.syn", 0x02),
                ("tcp.flags.fin", 0x01),
            ] {
                d.push(def(name), Value::Bool(flags & bit != 0));
            }
            if len > 0 && r.chance(30) {
                d.push(def("tcp.analysis.retransmission"), Value::None);
            }
            if t == 80 && len > 0 {
                d.push(def("http"), Value::Bytes(vec![0; 4]));
                d.push(def("http.host"), s_val(r.pick(&["a.example", "b.example"])));
            }
        }
        17 => {
            let (s, t) = (r.pick(PORTS), r.pick(PORTS));
            p.udp = Some((s, t));
            d.push(def("udp"), Value::Bytes(vec![0; 8]));
            d.push(def("udp.srcport"), u(u64::from(s)));
            d.push(def("udp.dstport"), u(u64::from(t)));
            d.push(def("udp.port"), u(u64::from(s)));
            d.push(def("udp.port"), u(u64::from(t)));
        }
        1 => {
            let (t, c) = (r.pick(&[0u8, 3, 8, 11]), r.pick(&[0u8, 1, 3]));
            p.icmp = Some((t, c));
            d.push(def("icmp"), Value::Bytes(vec![0; 8]));
            d.push(def("icmp.type"), u(u64::from(t)));
            d.push(def("icmp.code"), u(u64::from(c)));
            if t == 3 && r.chance(50) {
                // An ICMP error quotes the offending IP header: more ip.* values.
                p.nested = true;
                let (s, q) = (r.pick(IPS), r.pick(IPS));
                d.push(def("ip"), Value::Bytes(vec![0x45; 20]));
                d.push(def("ip.src"), Value::Ipv4(s.into()));
                d.push(def("ip.addr"), Value::Ipv4(s.into()));
                d.push(def("ip.dst"), Value::Ipv4(q.into()));
                d.push(def("ip.addr"), Value::Ipv4(q.into()));
            }
        }
        58 => {
            p.icmpv6 = true;
            d.push(def("icmpv6"), Value::Bytes(vec![0; 8]));
        }
        _ => {}
    }
    (p, d)
}

fn s_val(x: &str) -> Value {
    Value::Str(x.to_string())
}

/// Leaves the kernel can decide.
const KERNEL_ATOMS: &[&str] = &[
    "eth",
    "vlan",
    "arp",
    "ip",
    "ipv6",
    "tcp",
    "udp",
    "icmp",
    "icmpv6",
    "frame",
    "eth.type == 0x0800",
    "eth.type != 0x86dd",
    "eth.dst == ff:ff:ff:ff:ff:ff",
    "eth.addr == 01:02:03:04:05:06",
    "eth.addr != ff:ff:ff:ff:ff:ff",
    "eth.src > 00:05:5d:21:99:4c",
    "vlan.id == 100",
    "vlan.id != 200",
    "vlan.id in {100..150}",
    "ip.src == 10.0.0.0/8",
    "ip.addr == 10.0.0.1",
    "ip.addr != 192.168.1.1",
    "ip.addr == 192.168.0.0/16",
    "ip.dst in {8.8.8.8, 93.184.216.0/24}",
    "ip.dst > 10.1.2.3",
    "ip.src <= 10.0.0.0/8",
    "ip.proto == 6",
    "ip.ttl < 64",
    "ip.ttl >= 128",
    "ip.addr === 10.0.0.1",
    "ip.addr !== 10.0.0.1",
    "ipv6.addr == fe80::/10",
    "ipv6.src == 2001::53",
    "ipv6.dst != fe80::1",
    "tcp.port == 80",
    "tcp.port != 80",
    "tcp.port in {53, 443, 1000..2000}",
    "tcp.srcport > 1023",
    "tcp.dstport == 443",
    "all tcp.port > 100",
    "any tcp.port != 80",
    "tcp.flags.syn == 1",
    "tcp.flags.ack == 0",
    "tcp.flags.reset",
    "tcp.flags.fin != 1",
    "tcp.flags == 0x012",
    "tcp.flags & 0x02",
    "tcp.flags & 0x12 == 0x12",
    "tcp.flags & 0x04 != 0",
    "tcp.len > 0",
    "tcp.len == 1",
    "udp.port == 53",
    "udp.srcport in {53, 80}",
    "udp.dstport < 1024",
    "icmp.type == 8",
    "icmp.code != 3",
    "icmp.type in {0, 8}",
    "frame.len > 64",
    "frame.len <= 100",
];

/// Leaves only user space can decide.
const USER_ATOMS: &[&str] = &[
    "http.host == \"a.example\"",
    "http",
    "tcp.analysis.retransmission",
    "frame[0:2] == 00:00",
    "count(ip.addr) == 4",
    "http.host matches \"^b\"",
    "tcp.flags.syn > 0",
    "vlan.id === 100",
];

fn random_filter(r: &mut Rng, depth: u32, user_pct: u64) -> String {
    if depth == 0 || r.chance(30) {
        let a = if r.chance(user_pct) {
            r.pick(USER_ATOMS)
        } else {
            r.pick(KERNEL_ATOMS)
        };
        return a.to_string();
    }
    match r.next() % 5 {
        0 => format!("not ({})", random_filter(r, depth - 1, user_pct)),
        1 => format!(
            "({}) and ({})",
            random_filter(r, depth - 1, user_pct),
            random_filter(r, depth - 1, user_pct)
        ),
        2 => format!(
            "({}) xor ({})",
            random_filter(r, depth - 1, user_pct),
            random_filter(r, depth - 1, user_pct)
        ),
        _ => format!(
            "({}) or ({})",
            random_filter(r, depth - 1, user_pct),
            random_filter(r, depth - 1, user_pct)
        ),
    }
}

fn check_plan(expr: &str, packets: &[(KernelPacket, Dissection)]) -> (bool, usize) {
    let f = compile_t(expr);
    let plan = f.kernel_plan();
    // Forward-only jumps.
    for (i, n) in plan.nodes.iter().enumerate() {
        for t in [n.jump_if_true, n.jump_if_false] {
            if let Target::Node(j) = t {
                assert!(j > i, "{expr}: node {i} jumps back to {j}\n{plan}");
            }
        }
    }
    let mut differ = 0;
    for (p, d) in packets {
        let exact = f.matches(d);
        let kernel = plan.run(p);
        assert!(
            kernel || !exact,
            "{expr}: kernel rejects a matching packet {p:?}\n{plan}"
        );
        let verdict = plan.verdict(p);
        if plan.exact && !p.nested {
            assert_eq!(kernel, exact, "{expr}: exact plan differs on {p:?}\n{plan}");
        }
        // Only an exact plan leaves frames to user space, and only those
        // with nested headers; an exact plan never counts one as a match.
        if verdict == Target::Candidate {
            assert!(plan.exact && p.nested, "{expr}: candidate {p:?}\n{plan}");
        }
        if plan.exact && p.nested && plan.entry != Target::Accept {
            assert_eq!(verdict, Target::Candidate, "{expr}: {p:?}\n{plan}");
        }
        differ += usize::from(kernel != exact);
    }
    (plan.exact, differ)
}

fn packets() -> Vec<(KernelPacket, Dissection)> {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    (0..400).map(|_| random_packet(&mut r)).collect()
}

#[test]
fn every_kernel_atom_is_exact_and_agrees() {
    let pk = packets();
    for a in KERNEL_ATOMS {
        for e in [a.to_string(), format!("not {a}"), format!("!({a})")] {
            let (exact, _) = check_plan(&e, &pk);
            assert!(exact, "{e} should be kernel-exact");
        }
        // The atom actually discriminates among the packets (the test can fail).
        let f = compile_t(a);
        let hits = pk.iter().filter(|(_, d)| f.matches(d)).count();
        assert!(hits > 0 || a.contains("ip.ttl < 64"), "{a} matches nothing");
    }
}

#[test]
fn user_space_atoms_make_the_plan_a_superset() {
    let pk = packets();
    for a in USER_ATOMS {
        let (exact, _) = check_plan(a, &pk);
        assert!(!exact, "{a} cannot be exact in the kernel");
        let (exact, differ) = check_plan(&format!("tcp.port == 80 and {a}"), &pk);
        assert!(!exact);
        let _ = differ;
    }
    // A superset that is strictly larger somewhere: the test can tell.
    let (_, differ) = check_plan("tcp and http.host == \"a.example\"", &pk);
    assert!(differ > 0);
}

#[test]
fn random_filters_superset_and_exactness() {
    let pk = packets();
    let mut r = Rng(12345);
    let (mut exact_n, mut inexact_n) = (0, 0);
    for i in 0..600 {
        let user_pct = if i % 2 == 0 { 0 } else { 25 };
        let e = random_filter(&mut r, 4, user_pct);
        let (exact, _) = check_plan(&e, &pk);
        if exact {
            exact_n += 1;
        } else {
            inexact_n += 1;
        }
    }
    assert!(
        exact_n > 200 && inexact_n > 50,
        "{exact_n} exact, {inexact_n} not"
    );
}

#[test]
fn graph_shape() {
    let f = compile_t("tcp.port == 80 and not ip.src == 10.0.0.0/8");
    let p = f.kernel_plan();
    assert!(p.exact);
    // Nested check, then srcport/dstport, then the masked source address.
    assert_eq!(p.nodes.len(), 4, "{p}");
    assert_eq!(p.entry, Target::Node(0));
    assert_eq!(
        (p.nodes[0].field, p.nodes[0].op),
        (KField::Nested, KOp::Exists)
    );
    assert_eq!(p.nodes[0].jump_if_true, Target::Candidate);
    assert_eq!(p.nodes[1].field, KField::TcpSrcPort);
    assert_eq!(p.nodes[1].jump_if_true, Target::Node(3));
    assert_eq!(p.nodes[1].jump_if_false, Target::Node(2));
    assert_eq!(p.nodes[2].field, KField::TcpDstPort);
    assert_eq!(p.nodes[2].jump_if_false, Target::Reject);
    let n = &p.nodes[3];
    assert_eq!(
        (n.field, n.op, n.mask),
        (KField::Ipv4Src, KOp::Eq, 0xff00_0000)
    );
    assert_eq!(n.values, vec![(0x0a00_0000, 0x0a00_0000)]);
    // The negation swaps the exits.
    assert_eq!(
        (n.jump_if_true, n.jump_if_false),
        (Target::Reject, Target::Accept)
    );

    // A leaf only user space decides still needs its protocol: HTTP is
    // in TCP segments with payload, or UDP (SSDP). Nested frames pass.
    let all_user = compile_t("http.host == \"x\"").kernel_plan();
    assert!(!all_user.exact);
    assert_eq!(all_user.dropped.len(), 1);
    let shape: Vec<_> = all_user.nodes.iter().map(|n| (n.field, n.op)).collect();
    assert_eq!(
        shape,
        [
            (KField::Nested, KOp::Exists),
            (KField::TcpLen, KOp::Gt),
            (KField::UdpSrcPort, KOp::Exists)
        ],
        "{all_user}"
    );
    assert_eq!(all_user.nodes[0].jump_if_true, Target::Accept);
    // Its negation can hold anywhere: "not <user-space leaf>" is "true".
    let p = compile_t("not http.host == \"x\"").kernel_plan();
    assert_eq!((p.entry, p.exact), (Target::Accept, false));
    // A field with no protocol the kernel knows narrows nothing.
    let p = compile_t("ip.addr == 10.0.0.0/8 or frame.protocols contains \"x\"").kernel_plan();
    assert_eq!((p.entry, p.exact), (Target::Accept, false));
    let text = compile_t("ip.addr == 10.0.0.0/8 and http")
        .kernel_plan()
        .to_string();
    assert!(text.starts_with("kernel verdict: superset"), "{text}");
    assert!(text.contains("not in kernel: http\n"), "{text}");
    assert!(
        text.contains("1: Ipv4Src Eq mask 0xff000000 0xa000000 ? 3 : 2"),
        "{text}"
    );
    assert!(text.contains("3: TcpLen Gt 0x0 ? ACCEPT : 4"), "{text}");
}
