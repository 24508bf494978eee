//! Wire numbers user space and the eBPF parser name instead of writing them
//! bare: IP protocol numbers, EtherTypes, TCP flag bits (IANA and IEEE
//! assignments) and the offsets of the header fields read (RFC 791, 8200,
//! 793, 768). The values are the protocols' own, so any code that parses
//! headers may use them.

/// IP protocol numbers (`ip.proto`, `ipv6.nxt`).
pub mod ip_proto {
    /// IPv6 hop-by-hop options header.
    pub const HOPOPTS: u8 = 0;
    /// ICMP.
    pub const ICMP: u8 = 1;
    /// IGMP.
    pub const IGMP: u8 = 2;
    /// IPv4 encapsulated in IP.
    pub const IPIP: u8 = 4;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
    /// IPv6 encapsulated in IP.
    pub const IPV6: u8 = 41;
    /// IPv6 routing header.
    pub const ROUTING: u8 = 43;
    /// IPv6 fragment header.
    pub const FRAGMENT: u8 = 44;
    /// GRE.
    pub const GRE: u8 = 47;
    /// IPsec Authentication Header.
    pub const AH: u8 = 51;
    /// ICMPv6.
    pub const ICMPV6: u8 = 58;
    /// IPv6 destination options header.
    pub const DSTOPTS: u8 = 60;
    /// OSPF.
    pub const OSPF: u8 = 89;
    /// PIM.
    pub const PIM: u8 = 103;
    /// VRRP.
    pub const VRRP: u8 = 112;
}

/// EtherTypes (`eth.type`).
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// 802.1Q VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
    /// 802.1ad service VLAN tag (QinQ).
    pub const QINQ: u16 = 0x88a8;
    /// The pre-standard QinQ tag some switches still send.
    pub const QINQ_LEGACY: u16 = 0x9100;
}

/// TCP flag bits as in `tcp.flags` (the 12 bits after the data offset).
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u16 = 0x001;
    /// SYN.
    pub const SYN: u16 = 0x002;
    /// RST.
    pub const RST: u16 = 0x004;
    /// PSH.
    pub const PSH: u16 = 0x008;
    /// ACK.
    pub const ACK: u16 = 0x010;
    /// URG.
    pub const URG: u16 = 0x020;
    /// ECE.
    pub const ECE: u16 = 0x040;
    /// CWR.
    pub const CWR: u16 = 0x080;
    /// AE (formerly NS).
    pub const AE: u16 = 0x100;
}

/// Ethernet II header: offsets and length.
pub mod eth_hdr {
    /// Destination MAC address (6 bytes).
    pub const DST: usize = 0;
    /// Source MAC address (6 bytes).
    pub const SRC: usize = 6;
    /// EtherType, or an 802.3 length up to [`MAX_802_3_LEN`].
    pub const TYPE: usize = 12;
    /// Header length.
    pub const LEN: usize = 14;
    /// Largest type/length word that is an 802.3 length.
    pub const MAX_802_3_LEN: u16 = 1500;
}

/// 802.1Q/802.1ad tag (after the addresses): offsets and length.
pub mod vlan_hdr {
    /// Tag control information (priority, DEI, VLAN id).
    pub const TCI: usize = 0;
    /// The EtherType that follows the tag.
    pub const TYPE: usize = 2;
    /// Tag length.
    pub const LEN: usize = 4;
    /// VLAN id bits of the TCI.
    pub const VID_MASK: u16 = 0x0fff;
}

/// IPv4 header: offsets, length without options, flag masks.
pub mod ipv4_hdr {
    /// Version (high nibble) and header length in 32-bit words (low nibble).
    pub const VER_IHL: usize = 0;
    /// Total length.
    pub const TOTAL_LEN: usize = 2;
    /// Flags and fragment offset.
    pub const FLAGS_FRAG: usize = 6;
    /// Time to live.
    pub const TTL: usize = 8;
    /// Protocol.
    pub const PROTO: usize = 9;
    /// Source address.
    pub const SRC: usize = 12;
    /// Destination address.
    pub const DST: usize = 16;
    /// Header length without options.
    pub const LEN: usize = 20;
    /// More-fragments flag and fragment offset: set on every fragment.
    pub const MF_OFFSET_MASK: u16 = 0x3fff;
    /// Fragment offset: set on every fragment but the first.
    pub const OFFSET_MASK: u16 = 0x1fff;
}

/// IPv6 header and extension headers: offsets and lengths.
pub mod ipv6_hdr {
    /// Payload length.
    pub const PAYLOAD_LEN: usize = 4;
    /// Next header.
    pub const NEXT: usize = 6;
    /// Hop limit.
    pub const HOP_LIMIT: usize = 7;
    /// Source address.
    pub const SRC: usize = 8;
    /// Destination address.
    pub const DST: usize = 24;
    /// Header length.
    pub const LEN: usize = 40;
    /// Fragment header length.
    pub const FRAG_LEN: usize = 8;
    /// Fragment offset bits of the fragment header's third and fourth bytes.
    pub const FRAG_OFFSET_MASK: u16 = 0xfff8;
}

/// TCP header: offsets and length without options.
pub mod tcp_hdr {
    /// Source port.
    pub const SRC_PORT: usize = 0;
    /// Destination port.
    pub const DST_PORT: usize = 2;
    /// Data offset (high nibble) and flags ([`super::tcp_flags`], low 12 bits).
    pub const OFF_FLAGS: usize = 12;
    /// Header length without options.
    pub const LEN: usize = 20;
    /// Flag bits of the data-offset word.
    pub const FLAGS_MASK: u16 = 0x0fff;
}

/// UDP header: offsets and length.
pub mod udp_hdr {
    /// Source port.
    pub const SRC_PORT: usize = 0;
    /// Destination port.
    pub const DST_PORT: usize = 2;
    /// Length (header and payload).
    pub const LEN_FIELD: usize = 4;
    /// Header length.
    pub const LEN: usize = 8;
}
