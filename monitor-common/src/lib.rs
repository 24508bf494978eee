//! Types shared by the monitor eBPF programs (`monitor-ebpf`) and user space
//! (`monitor`).
//!
//! Everything here is `#[repr(C)]` plain old data: map keys and values, the
//! ring-buffer record header and the counter indexes. With the `user` feature
//! the types implement [`aya::Pod`] so user space can read them from maps.
#![no_std]
#![warn(missing_docs)]

pub mod consts;

/// Packet direction as seen by the program that counted it.
pub mod direction {
    /// Received on the interface (XDP program).
    pub const INGRESS: u32 = 0;
    /// Sent by the interface (TC egress program).
    pub const EGRESS: u32 = 1;
    /// Label values, indexed by direction.
    pub const NAMES: [&str; 2] = ["ingress", "egress"];
}

/// Indexes of the per-protocol counters in [`Counters::proto`].
///
/// Every frame is counted once in the link-level group (`arp`, `ipv4`,
/// `ipv6`, `other`); IP packets are counted once more in the transport group
/// (`tcp`, `udp`, `icmp`, `icmpv6`, `ip_other`). `vlan` counts frames that
/// carried at least one 802.1Q/802.1ad tag.
pub mod proto {
    /// Address Resolution Protocol.
    pub const ARP: usize = 0;
    /// IPv4.
    pub const IPV4: usize = 1;
    /// IPv6.
    pub const IPV6: usize = 2;
    /// Any other EtherType (LLC, LLDP, ...).
    pub const OTHER: usize = 3;
    /// Frames with one or more VLAN tags.
    pub const VLAN: usize = 4;
    /// TCP (first fragment or unfragmented datagrams).
    pub const TCP: usize = 5;
    /// UDP.
    pub const UDP: usize = 6;
    /// ICMP (IPv4).
    pub const ICMP: usize = 7;
    /// ICMPv6.
    pub const ICMPV6: usize = 8;
    /// IP packets with another transport, or a non-first fragment.
    pub const IP_OTHER: usize = 9;
    /// Number of protocol counters.
    pub const COUNT: usize = 10;
    /// Label values, indexed by protocol index.
    pub const NAMES: [&str; COUNT] = [
        "arp", "ipv4", "ipv6", "other", "vlan", "tcp", "udp", "icmp", "icmpv6", "ip_other",
    ];
}

/// Per-CPU traffic counters for one interface and direction.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames seen.
    pub packets: u64,
    /// Bytes seen (whole frame length, without FCS).
    pub bytes: u64,
    /// Frames per protocol, indexed by [`proto`].
    pub proto: [u64; proto::COUNT],
    /// Sample records written to the ring buffer.
    pub samples: u64,
    /// Sample records lost because the ring buffer was full.
    pub ringbuf_dropped: u64,
    /// TCP header records written to the TCP ring buffer.
    pub tcp_records: u64,
    /// TCP header records lost because the TCP ring buffer was full.
    pub tcp_records_dropped: u64,
}

/// What the parser learnt about a frame.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Parsed {
    /// Link-level protocol index ([`proto::ARP`], [`proto::IPV4`],
    /// [`proto::IPV6`] or [`proto::OTHER`]).
    pub l3: u8,
    /// Transport protocol index, or `0xff` for non-IP frames.
    pub l4: u8,
    /// Number of VLAN tags.
    pub vlan_depth: u8,
    /// [`rules::proto_bit`] flags of the headers present.
    pub protos: u64,
    /// Destination MAC as a 48-bit number.
    pub eth_dst: u64,
    /// Source MAC as a 48-bit number.
    pub eth_src: u64,
    /// The Ethernet header's EtherType (before any VLAN tag).
    pub eth_type: u16,
    /// VLAN id of the outer tag.
    pub vlan_id: u16,
    /// Source address (IPv4 in `lo`, IPv6 as `hi`/`lo`).
    pub src: [u64; 2],
    /// Destination address.
    pub dst: [u64; 2],
    /// IPv4 protocol or IPv6 next header after the extension headers.
    pub ip_proto: u8,
    /// TTL or hop limit.
    pub ttl: u8,
    /// IPv4 total length.
    pub ip_len: u16,
    /// Transport source port.
    pub sport: u16,
    /// Transport destination port.
    pub dport: u16,
    /// TCP flags (12 bits).
    pub tcp_flags: u16,
    /// TCP header length in bytes.
    pub tcp_hdr_len: u16,
    /// TCP payload length from the IP lengths.
    pub tcp_len: u32,
    /// UDP length field.
    pub udp_len: u16,
    /// ICMP/ICMPv6 type.
    pub icmp_type: u8,
    /// ICMP/ICMPv6 code.
    pub icmp_code: u8,
    /// Offset of the end of the TCP header (TCP header records copy up to here).
    pub l4_end: u32,
}

/// Per-CPU state of one frame while the kernel stages run (array map
/// `SCRATCH`): the parser fills it, the compiled rules read the parsed
/// fields and write their verdict, the finishing stage counts and records.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Scratch {
    /// The parsed frame.
    pub parsed: Parsed,
    /// Length of the frame on the wire (`frame.len`).
    pub len: u32,
    /// Interface index.
    pub ifindex: u32,
    /// [`direction`] of the frame.
    pub dir: u32,
    /// Counter slot of the interface.
    pub slot: u32,
    /// Written by the rules: bit `s` set for every slot whose rule matched.
    pub matched: u64,
    /// Written by the rules: non-zero when a matching rule sampled the frame.
    pub sample: u64,
    /// Written by the rules: bit `s` set for every slot whose rule cannot
    /// decide this frame in the kernel ([`rules::CANDIDATE`]). Such frames
    /// are counted apart and always sent to user space.
    pub candidates: u64,
}

/// Run-time settings, in array map `CONFIG` at index 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Config {
    /// A packet is sampled when `bpf_get_prandom_u32() < sample_threshold`:
    /// 0 samples nothing, `1 << 32` samples everything.
    pub sample_threshold: u64,
    /// Bytes of each sampled packet to copy (capped at [`MAX_SNAPLEN`]).
    pub snaplen: u32,
    /// Non-zero: write a TCP header record for every TCP segment the TCP
    /// scope rule accepts (to ring buffer `TCP_EVENTS`).
    pub tcp_records: u32,
    /// A record wakes user space only when it makes the bytes waiting in
    /// its ring buffer cross a multiple of this (`BPF_RB_NO_WAKEUP`
    /// otherwise); user space also drains the rings on a short timer, so
    /// records wait that long at most. 0: the kernel's default (a wake-up
    /// when user space has read everything before the record). A power
    /// of two, so the kernel tests the crossing with a mask, not a division.
    pub wake_bytes: u64,
}

impl Config {
    /// The wake-up threshold for ring buffers of `ring_bytes` bytes: an
    /// eighth of the ring, so a burst wakes user space well before the
    /// ring fills. Ring sizes are powers of two, and so is this (rounded
    /// down if `ring_bytes` is not).
    pub const fn wake_bytes_for(ring_bytes: u32) -> u64 {
        let w = ring_bytes as u64 / 8;
        if w == 0 {
            0
        } else {
            1 << (63 - w.leading_zeros())
        }
    }
}

impl Config {
    /// Threshold for a sampling fraction in `[0, 1]`.
    pub fn threshold_for(fraction: f64) -> u64 {
        let f = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        (f * (1u64 << 32) as f64) as u64
    }
}

/// Largest snaplen the programs copy; longer frames are truncated to it.
pub const MAX_SNAPLEN: u32 = 2048;

/// Default snaplen.
pub const DEFAULT_SNAPLEN: u32 = 256;

/// Kinds of ring-buffer records.
pub mod record_kind {
    /// A sampled packet: [`super::RecordHeader`] then `cap_len` bytes.
    pub const SAMPLE: u8 = 1;
    /// A TCP segment's headers (link, IP and TCP with options, no payload),
    /// for TCP analysis: [`super::RecordHeader`] then `cap_len` bytes.
    pub const TCP_HEADERS: u8 = 2;
}

/// Fixed header of every ring-buffer record. The packet bytes follow it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordHeader {
    /// `bpf_ktime_get_boot_ns()` when the program ran (CLOCK_BOOTTIME).
    pub ts_ns: u64,
    /// Interface index.
    pub ifindex: u32,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    /// Number of frame bytes that follow the header.
    pub cap_len: u32,
    /// One of [`record_kind`].
    pub kind: u8,
    /// [`direction::INGRESS`] or [`direction::EGRESS`] as a byte.
    pub direction: u8,
    /// Reserved, zero.
    pub _pad: [u8; 2],
    /// Bit `r` set when rule slot `r` matched in the kernel (a superset of
    /// the exact verdict for rules the kernel cannot decide exactly).
    pub rules: u32,
    /// Bit `r` set when rule slot `r` could not decide the frame in the
    /// kernel (nested headers, fragments): user space decides it.
    pub candidates: u32,
}

/// Size of [`RecordHeader`] in bytes.
pub const RECORD_HEADER_LEN: usize = core::mem::size_of::<RecordHeader>();

/// Interface slots: per-interface counters live in arrays indexed by a
/// slot that user space assigns (map `IFACE_SLOTS`: ifindex → slot).
pub mod iface {
    /// Number of slots; the last one collects interfaces without a slot.
    pub const MAX_SLOTS: u32 = 16;
    /// Slot for interfaces user space did not register (e.g. test runs).
    pub const UNKNOWN_SLOT: u32 = MAX_SLOTS - 1;
    /// Interface indexes below this are looked up in the array
    /// `IFACE_DIRECT` (value: slot + 1, 0 for none), a few instructions;
    /// larger ones in the hash map `IFACE_SLOTS`.
    pub const DIRECT_MAX: u32 = 1 << 16;
    /// Bit of an `IFACE_DIRECT`/`IFACE_SLOTS` value: the device has no
    /// link-layer header (tun, `ARPHRD_NONE`), its frames start at the IP
    /// header. Found with the slot, so Ethernet devices pay one bit test.
    pub const RAW_IP: u32 = 1 << 16;
    /// The slot part of an `IFACE_DIRECT`/`IFACE_SLOTS` value.
    pub const SLOT_MASK: u32 = RAW_IP - 1;
}

/// Index of an interface slot and direction in the `COUNTERS` array.
pub const fn counter_index(slot: u32, dir: u32) -> u32 {
    slot * 2 + dir
}

/// Rules compiled from display filters, evaluated in the kernel.
///
/// A rule is a small decision graph of [`RuleNode`](rules::RuleNode)s with forward-only jumps.
/// User space compiles the graphs of all rules into one eBPF program (see
/// `monitor::ebpf::codegen`) and installs it in the programs' stage array;
/// the XDP and TC programs tail-call it after parsing, and it tail-calls the
/// finishing stage. Replacing the rules is one update of that array slot, so
/// every frame sees either the old rule set or the new one.
pub mod rules {
    use super::{Parsed, Scratch};
    use core::mem::offset_of;

    /// Rule slots (bits of [`super::RecordHeader::rules`]).
    pub const MAX_RULES: u32 = 32;
    /// The extra slot after the rules: the TCP analysis scope.
    pub const TCP_SCOPE_SLOT: u32 = MAX_RULES;
    /// Slots (rules + TCP scope).
    pub const SLOTS: u32 = MAX_RULES + 1;
    /// Nodes per rule.
    pub const MAX_NODES: u32 = 64;
    /// Jump target: the rule matches.
    pub const ACCEPT: u16 = 0xffff;
    /// Jump target: the rule does not match.
    pub const REJECT: u16 = 0xfffe;
    /// Jump target: the kernel cannot decide (the frame's dissection holds
    /// headers it does not read); the frame is counted as a candidate and
    /// always sent to user space, where the exact filter decides.
    pub const CANDIDATE: u16 = 0xfffd;

    /// Indexes in the stage program arrays (`XDP_STAGES`, `TC_STAGES`).
    pub mod stage {
        /// The compiled rules (empty slot: no rules installed).
        pub const RULES: u32 = 0;
        /// Rule counters and records, after the rules ran.
        pub const FINISH: u32 = 1;
        /// Slots in a stage array.
        pub const COUNT: u32 = 2;
    }

    /// Where the kernel keeps a field's value in [`Scratch`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct FieldLoc {
        /// Offset of the (low 64 bits of the) value.
        pub offset: usize,
        /// Its width in bytes (1, 2, 4 or 8).
        pub size: u8,
        /// Offset of the high 64 bits, for 128-bit values.
        pub hi_offset: Option<usize>,
        /// [`proto_bit`] that must be set for the field to be present (0:
        /// always present).
        pub needs: u64,
    }

    /// Location of `f` in [`Scratch`], or `None` for an unknown field.
    pub const fn field_loc(f: u8) -> Option<FieldLoc> {
        const P: usize = offset_of!(Scratch, parsed);
        let (off, size, hi, needs) = match f {
            field::FRAME_LEN => (offset_of!(Scratch, len), 4, None, 0),
            field::ETH_DST => (P + offset_of!(Parsed, eth_dst), 8, None, proto_bit::ETH),
            field::ETH_SRC => (P + offset_of!(Parsed, eth_src), 8, None, proto_bit::ETH),
            field::ETH_TYPE => (
                P + offset_of!(Parsed, eth_type),
                2,
                None,
                proto_bit::ETH_TYPE,
            ),
            field::VLAN_ID => (P + offset_of!(Parsed, vlan_id), 2, None, proto_bit::VLAN),
            field::IP_SRC => (P + offset_of!(Parsed, src) + 8, 8, None, proto_bit::IP),
            field::IP_DST => (P + offset_of!(Parsed, dst) + 8, 8, None, proto_bit::IP),
            field::IP_PROTO => (P + offset_of!(Parsed, ip_proto), 1, None, proto_bit::IP),
            field::IP_TTL => (P + offset_of!(Parsed, ttl), 1, None, proto_bit::IP),
            field::IP_LEN => (P + offset_of!(Parsed, ip_len), 2, None, proto_bit::IP),
            field::IPV6_SRC => (
                P + offset_of!(Parsed, src) + 8,
                8,
                Some(P + offset_of!(Parsed, src)),
                proto_bit::IPV6,
            ),
            field::IPV6_DST => (
                P + offset_of!(Parsed, dst) + 8,
                8,
                Some(P + offset_of!(Parsed, dst)),
                proto_bit::IPV6,
            ),
            field::IPV6_NXT => (P + offset_of!(Parsed, ip_proto), 1, None, proto_bit::IPV6),
            field::IPV6_HLIM => (P + offset_of!(Parsed, ttl), 1, None, proto_bit::IPV6),
            field::TCP_SRCPORT => (P + offset_of!(Parsed, sport), 2, None, proto_bit::TCP),
            field::TCP_DSTPORT => (P + offset_of!(Parsed, dport), 2, None, proto_bit::TCP),
            field::TCP_FLAGS => (P + offset_of!(Parsed, tcp_flags), 2, None, proto_bit::TCP),
            field::TCP_LEN => (P + offset_of!(Parsed, tcp_len), 4, None, proto_bit::TCP),
            field::TCP_HDR_LEN => (P + offset_of!(Parsed, tcp_hdr_len), 2, None, proto_bit::TCP),
            field::UDP_SRCPORT => (P + offset_of!(Parsed, sport), 2, None, proto_bit::UDP),
            field::UDP_DSTPORT => (P + offset_of!(Parsed, dport), 2, None, proto_bit::UDP),
            field::UDP_LENGTH => (P + offset_of!(Parsed, udp_len), 2, None, proto_bit::UDP),
            field::ICMP_TYPE => (P + offset_of!(Parsed, icmp_type), 1, None, proto_bit::ICMP),
            field::ICMP_CODE => (P + offset_of!(Parsed, icmp_code), 1, None, proto_bit::ICMP),
            field::ICMPV6_TYPE => (
                P + offset_of!(Parsed, icmp_type),
                1,
                None,
                proto_bit::ICMPV6,
            ),
            field::ICMPV6_CODE => (
                P + offset_of!(Parsed, icmp_code),
                1,
                None,
                proto_bit::ICMPV6,
            ),
            field::PROTOCOLS => (P + offset_of!(Parsed, protos), 8, None, 0),
            _ => return None,
        };
        Some(FieldLoc {
            offset: off,
            size,
            hi_offset: hi,
            needs,
        })
    }

    /// Fields the kernel parser extracts. Values are unsigned integers of up
    /// to 128 bits, `(hi, lo)`; addresses are big-endian numbers (so CIDR is
    /// a mask and ordering matches Wireshark's).
    pub mod field {
        /// `frame.len`.
        pub const FRAME_LEN: u8 = 0;
        /// `eth.dst`.
        pub const ETH_DST: u8 = 1;
        /// `eth.src`.
        pub const ETH_SRC: u8 = 2;
        /// `eth.type`: the Ethernet header's own type (0x8100 for a tagged frame).
        pub const ETH_TYPE: u8 = 3;
        /// `vlan.id` of the outer tag.
        pub const VLAN_ID: u8 = 4;
        /// `ip.src`.
        pub const IP_SRC: u8 = 5;
        /// `ip.dst`.
        pub const IP_DST: u8 = 6;
        /// `ip.proto`.
        pub const IP_PROTO: u8 = 7;
        /// `ip.ttl`.
        pub const IP_TTL: u8 = 8;
        /// `ipv6.src`.
        pub const IPV6_SRC: u8 = 9;
        /// `ipv6.dst`.
        pub const IPV6_DST: u8 = 10;
        /// `ipv6.nxt`.
        pub const IPV6_NXT: u8 = 11;
        /// `ipv6.hlim`.
        pub const IPV6_HLIM: u8 = 12;
        /// `tcp.srcport`.
        pub const TCP_SRCPORT: u8 = 13;
        /// `tcp.dstport`.
        pub const TCP_DSTPORT: u8 = 14;
        /// `tcp.flags` (12 bits).
        pub const TCP_FLAGS: u8 = 15;
        /// `tcp.len` (payload length from the IP lengths).
        pub const TCP_LEN: u8 = 16;
        /// `udp.srcport`.
        pub const UDP_SRCPORT: u8 = 17;
        /// `udp.dstport`.
        pub const UDP_DSTPORT: u8 = 18;
        /// `icmp.type`.
        pub const ICMP_TYPE: u8 = 19;
        /// `icmp.code`.
        pub const ICMP_CODE: u8 = 20;
        /// `icmpv6.type`.
        pub const ICMPV6_TYPE: u8 = 21;
        /// `icmpv6.code`.
        pub const ICMPV6_CODE: u8 = 22;
        /// `ip.len`.
        pub const IP_LEN: u8 = 23;
        /// `udp.length`.
        pub const UDP_LENGTH: u8 = 24;
        /// `tcp.hdr_len`.
        pub const TCP_HDR_LEN: u8 = 25;
        /// The protocol-presence bits ([`super::proto_bit`]); always present.
        pub const PROTOCOLS: u8 = 26;
        /// Number of fields.
        pub const COUNT: u8 = 27;
    }

    /// Bits of the [`field::PROTOCOLS`] value.
    pub mod proto_bit {
        /// Ethernet (always).
        pub const ETH: u64 = 1 << 0;
        /// At least one VLAN tag.
        pub const VLAN: u64 = 1 << 1;
        /// ARP.
        pub const ARP: u64 = 1 << 2;
        /// IPv4.
        pub const IP: u64 = 1 << 3;
        /// IPv6.
        pub const IPV6: u64 = 1 << 4;
        /// TCP header present.
        pub const TCP: u64 = 1 << 5;
        /// UDP header present.
        pub const UDP: u64 = 1 << 6;
        /// ICMP header present.
        pub const ICMP: u64 = 1 << 7;
        /// ICMPv6 header present.
        pub const ICMPV6: u64 = 1 << 8;
        /// The dissection of this frame may hold values the kernel does not
        /// see: headers repeated inside it (ICMP errors quoting a packet,
        /// IP-in-IP/GRE, stacked VLAN tags), headers the parser does not
        /// walk (AH, IPv6 extension headers past its limit) or an IP
        /// fragment (reassembled in user space). Rules treat such frames as
        /// candidates.
        pub const NESTED: u64 = 1 << 9;
        /// The Ethernet header's type/length word is a type (above 1500);
        /// on 802.3 frames it is a length and there is no `eth.type`.
        pub const ETH_TYPE: u64 = 1 << 10;
    }

    /// Node operations. A node on an absent field takes its false edge.
    pub mod op {
        /// The field is present (its value is ignored).
        pub const PRESENT: u8 = 0;
        /// `(v & mask) == value`.
        pub const EQ: u8 = 1;
        /// `(v & mask) != value`.
        pub const NE: u8 = 2;
        /// `(v & mask) < value`.
        pub const LT: u8 = 3;
        /// `(v & mask) <= value`.
        pub const LE: u8 = 4;
        /// `(v & mask) > value`.
        pub const GT: u8 = 5;
        /// `(v & mask) >= value`.
        pub const GE: u8 = 6;
        /// `(v & mask) != 0`.
        pub const ANY_BITS: u8 = 7;
    }

    /// One node of a rule's decision graph.
    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct RuleNode {
        /// One of [`field`].
        pub field: u8,
        /// One of [`op`].
        pub op: u8,
        /// Reserved, zero.
        pub _pad: u16,
        /// Next node when the test holds ([`ACCEPT`], [`REJECT`] or a later index).
        pub jt: u16,
        /// Next node when it does not (or the field is absent).
        pub jf: u16,
        /// Comparison value, high and low 64 bits.
        pub value: [u64; 2],
        /// Mask applied to the field first, high and low 64 bits.
        pub mask: [u64; 2],
    }

    /// Per-CPU packet and byte counts of one rule.
    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct RuleCounter {
        /// Matching frames.
        pub packets: u64,
        /// Their bytes.
        pub bytes: u64,
        /// Frames the rule left to user space ([`CANDIDATE`]).
        pub candidates: u64,
        /// Their bytes.
        pub candidate_bytes: u64,
        /// Candidates whose sample record was lost (ring buffer full).
        pub candidates_lost: u64,
    }

    /// Index of a rule counter in `RULE_COUNTERS`.
    pub const fn counter_index(iface_slot: u32, rule: u32, dir: u32) -> u32 {
        (iface_slot * MAX_RULES + rule) * 2 + dir
    }
}

#[cfg(feature = "user")]
mod pod {
    unsafe impl aya::Pod for super::rules::RuleNode {}
    unsafe impl aya::Pod for super::rules::RuleCounter {}
    // SAFETY: all types are repr(C), Copy, and every bit pattern is valid.
    unsafe impl aya::Pod for super::Counters {}
    unsafe impl aya::Pod for super::Config {}
    unsafe impl aya::Pod for super::RecordHeader {}
}

#[cfg(test)]
mod tests {
    use super::Config;

    #[test]
    fn wake_threshold_is_a_power_of_two_the_kernel_can_mask_with() {
        assert_eq!(Config::wake_bytes_for(8 << 20), 1 << 20);
        assert_eq!(Config::wake_bytes_for(1 << 16), 1 << 13);
        // Not a power of two: rounded down, never up.
        assert_eq!(Config::wake_bytes_for(3 << 20), 1 << 18);
        assert_eq!(Config::wake_bytes_for(7), 0);
        for ring in [1u32 << 12, 1 << 22, 1 << 26, 5 << 20, 12345] {
            let w = Config::wake_bytes_for(ring);
            assert!(w.is_power_of_two() && w <= ring as u64 / 8, "{ring}: {w}");
        }
    }
}
