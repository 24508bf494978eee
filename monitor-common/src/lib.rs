//! Types shared by the monitor eBPF programs (`monitor-ebpf`) and user space
//! (`monitor`).
//!
//! Everything here is `#[repr(C)]` plain old data: map keys and values, the
//! ring-buffer record header and the counter indexes. With the `user` feature
//! the types implement [`aya::Pod`] so user space can read them from maps.
#![no_std]
#![warn(missing_docs)]

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

/// Key of the per-CPU counter map: one entry per interface and direction.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CounterKey {
    /// Interface index.
    pub ifindex: u32,
    /// [`direction::INGRESS`] or [`direction::EGRESS`].
    pub direction: u32,
}

/// Per-CPU traffic counters for one interface and direction.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
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
    /// Reserved, zero.
    pub _reserved: u32,
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
}

/// Size of [`RecordHeader`] in bytes.
pub const RECORD_HEADER_LEN: usize = core::mem::size_of::<RecordHeader>();

#[cfg(feature = "user")]
mod pod {
    // SAFETY: all types are repr(C), Copy, and every bit pattern is valid.
    unsafe impl aya::Pod for super::CounterKey {}
    unsafe impl aya::Pod for super::Counters {}
    unsafe impl aya::Pod for super::Config {}
    unsafe impl aya::Pod for super::RecordHeader {}
}
