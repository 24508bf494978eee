//! Test-only field table: real Wireshark 4.0 names and types (from
//! `tshark -G fields`) for the fields the tests use, until the dissectors'
//! own tables fill the registry.

use super::check::Registry;
use crate::dissect::{Base, FieldDef, FieldType};

macro_rules! f {
    ($n:literal, $t:ident, $d:literal) => {
        FieldDef::new($n, FieldType::$t, Base::Dec, $d)
    };
}

/// The table.
pub static FIELDS: &[FieldDef] = &[
    f!("eth", Protocol, "Ethernet"),
    f!("eth.addr", Ether, "Address"),
    f!("eth.dst", Ether, "Destination"),
    f!("eth.src", Ether, "Source"),
    f!("eth.len", UInt, "Length"),
    f!("eth.type", UInt, "Type"),
    f!("ip", Protocol, "Internet Protocol Version 4"),
    f!("ip.addr", Ipv4, "Source or Destination Address"),
    f!("ip.dst", Ipv4, "Destination Address"),
    f!("ip.src", Ipv4, "Source Address"),
    f!("ip.flags", UInt, "Flags"),
    f!("ip.flags.df", Bool, "Don't fragment"),
    f!("ip.flags.mf", Bool, "More fragments"),
    f!("ip.frag_offset", UInt, "Fragment Offset"),
    f!("ip.hdr_len", UInt, "Header Length"),
    f!("ip.id", UInt, "Identification"),
    f!("ip.len", UInt, "Total Length"),
    f!("ip.opt.mtu", UInt, "MTU"),
    f!("ip.ttl", UInt, "Time to Live"),
    f!("ip.proto", UInt, "Protocol"),
    f!("ip.version", UInt, "Version"),
    f!("ip.dsfield", UInt, "Differentiated Services Field"),
    f!("ip.checksum", UInt, "Header Checksum"),
    f!("udp", Protocol, "User Datagram Protocol"),
    f!("udp.port", UInt, "Source or Destination Port"),
    f!("udp.dstport", UInt, "Destination Port"),
    f!("udp.srcport", UInt, "Source Port"),
    f!("udp.length", UInt, "Length"),
    f!("udp.stream", UInt, "Stream index"),
    f!("udp.payload", Bytes, "Payload"),
    f!("tcp", Protocol, "Transmission Control Protocol"),
    f!("tcp.port", UInt, "Source or Destination Port"),
    f!("tcp.dstport", UInt, "Destination Port"),
    f!("tcp.srcport", UInt, "Source Port"),
    f!("tcp.seq", UInt, "Sequence Number"),
    f!("tcp.seq_raw", UInt, "Sequence Number (raw)"),
    f!("tcp.nxtseq", UInt, "Next Sequence Number"),
    f!("tcp.ack", UInt, "Acknowledgment Number"),
    f!("tcp.ack_raw", UInt, "Acknowledgment number (raw)"),
    f!("tcp.flags", UInt, "Flags"),
    f!("tcp.flags.ack", Bool, "Acknowledgment"),
    f!("tcp.flags.fin", Bool, "Fin"),
    f!("tcp.flags.syn", Bool, "Syn"),
    f!("tcp.flags.reset", Bool, "Reset"),
    f!("tcp.flags.push", Bool, "Push"),
    f!("tcp.flags.urg", Bool, "Urgent"),
    f!("tcp.flags.ece", Bool, "ECN-Echo"),
    f!("tcp.flags.cwr", Bool, "Congestion Window Reduced"),
    f!("tcp.hdr_len", UInt, "Header Length"),
    f!("tcp.len", UInt, "TCP Segment Len"),
    f!("tcp.window_size_value", UInt, "Window"),
    f!("tcp.window_size", UInt, "Calculated window size"),
    f!("tcp.options.mss_val", UInt, "MSS Value"),
    f!("tcp.payload", Bytes, "TCP payload"),
    f!("tcp.stream", UInt, "Stream index"),
    f!(
        "tcp.time_delta",
        RelTime,
        "Time since previous frame in this TCP stream"
    ),
    f!("tcp.checksum", UInt, "Checksum"),
    f!(
        "tcp.analysis.ack_rtt",
        RelTime,
        "The RTT to ACK the segment was"
    ),
    f!(
        "tcp.analysis.out_of_order",
        None,
        "This frame is a (suspected) out-of-order segment"
    ),
    f!(
        "tcp.analysis.retransmission",
        None,
        "This frame is a (suspected) retransmission"
    ),
    f!(
        "tcp.analysis.fast_retransmission",
        None,
        "This frame is a (suspected) fast retransmission"
    ),
    f!("tcp.analysis.duplicate_ack", None, "Duplicate ACK"),
    f!("tcp.analysis.duplicate_ack_num", UInt, "Duplicate ACK #"),
    f!("tcp.analysis.flags", None, "TCP Analysis Flags"),
    f!("tcp.analysis.initial_rtt", RelTime, "iRTT"),
    f!("tcp.analysis.bytes_in_flight", UInt, "Bytes in flight"),
    f!(
        "tcp.analysis.lost_segment",
        None,
        "Previous segment(s) not captured (common at capture start)"
    ),
    f!("tcp.analysis.zero_window", None, "TCP Zero Window segment"),
    f!("tcp.analysis.window_update", None, "TCP window update"),
    f!("tcp.analysis.keep_alive", None, "TCP keep-alive segment"),
    f!("http", Protocol, "Hypertext Transfer Protocol"),
    f!("http.request", Bool, "Request"),
    f!("http.response", Bool, "Response"),
    f!("http.request.method", String, "Request Method"),
    f!("http.request.uri", String, "Request URI"),
    f!("http.request.version", String, "Request Version"),
    f!("http.host", String, "Host"),
    f!("http.user_agent", String, "User-Agent"),
    f!("http.response.code", UInt, "Status Code"),
    f!("http.response.phrase", String, "Response Phrase"),
    f!("http.content_type", String, "Content-Type"),
    f!("http.content_length", UInt, "Content length"),
    f!("http.server", String, "Server"),
    f!("frame", Protocol, "Frame"),
    f!("frame.len", UInt, "Frame length on the wire"),
    f!(
        "frame.cap_len",
        UInt,
        "Frame length stored into the capture file"
    ),
    f!("frame.number", UInt, "Frame Number"),
    f!(
        "frame.time_relative",
        RelTime,
        "Time since reference or first frame"
    ),
    f!(
        "frame.time_delta",
        RelTime,
        "Time delta from previous captured frame"
    ),
    f!("frame.time", AbsTime, "Arrival Time"),
    f!("frame.protocols", String, "Protocols in frame"),
    f!("vlan", Protocol, "802.1Q Virtual LAN"),
    f!("vlan.id", UInt, "ID"),
    f!("vlan.etype", UInt, "Type"),
    f!("vlan.priority", UInt, "Priority"),
    f!("icmp", Protocol, "Internet Control Message Protocol"),
    f!("icmp.type", UInt, "Type"),
    f!("icmp.code", UInt, "Code"),
    f!("icmp.seq", UInt, "Sequence Number (BE)"),
    f!("icmp.ident", UInt, "Identifier (BE)"),
    f!("ipv6", Protocol, "Internet Protocol Version 6"),
    f!("ipv6.src", Ipv6, "Source Address"),
    f!("ipv6.dst", Ipv6, "Destination Address"),
    f!("ipv6.addr", Ipv6, "Source or Destination Address"),
    f!("ipv6.nxt", UInt, "Next Header"),
    f!("ipv6.hlim", UInt, "Hop Limit"),
    f!("ipv6.plen", UInt, "Payload Length"),
    f!("ipv6.flow", UInt, "Flow Label"),
    f!("dns", Protocol, "Domain Name System"),
    f!("dns.qry.name", String, "Name"),
    f!("dns.qry.type", UInt, "Type"),
    f!("dns.flags.response", Bool, "Response"),
    f!("dns.a", Ipv4, "Address"),
    f!("dns.aaaa", Ipv6, "AAAA Address"),
    f!("dns.id", UInt, "Transaction ID"),
    f!("dns.count.answers", UInt, "Answer RRs"),
    f!("dns.resp.name", String, "Name"),
    f!("arp", Protocol, "Address Resolution Protocol"),
    f!("arp.opcode", UInt, "Opcode"),
    f!("arp.src.proto_ipv4", Ipv4, "Sender IP address"),
    f!("arp.dst.proto_ipv4", Ipv4, "Target IP address"),
    f!("arp.src.hw_mac", Ether, "Sender MAC address"),
    f!("llc", Protocol, "Logical-Link Control"),
    f!("stp", Protocol, "Spanning Tree Protocol"),
    f!("stp.flags.tc", Bool, "Topology Change"),
    f!("stp.root.cost", UInt, "Root Path Cost"),
    f!("stp.root.hw", Ether, "Root Bridge System ID"),
    f!("stp.port", UInt, "Port identifier"),
    f!("stp.max_age", Float, "Max Age"),
    f!("cdp", Protocol, "Cisco Discovery Protocol"),
    f!("cdp.tlv.type", UInt, "Type"),
    f!("cdp.deviceid", String, "Device ID"),
    f!("cdp.portid", String, "Sent through Interface"),
    f!("cdp.software_version", String, "Software version"),
    f!("cdp.capabilities.router", Bool, "Router"),
    f!("cdp.native_vlan", UInt, "Native VLAN"),
    f!("cdp.nrgyz.ip_address", Ipv4, "IP Address"),
    f!("dhcp", Protocol, "Dynamic Host Configuration Protocol"),
    f!("rip", Protocol, "Routing Information Protocol"),
    f!("ospf", Protocol, "Open Shortest Path First"),
    f!("bgp", Protocol, "Border Gateway Protocol"),
    f!("nbns", Protocol, "NetBIOS Name Service"),
    f!("nbns.name", String, "Name"),
    f!("nbns.flags.opcode", UInt, "Opcode"),
    f!("nbns.nb_flags.group", Bool, "Name type"),
    f!("nbns.addr", Ipv4, "Addr"),
    f!("nbdgm", Protocol, "NetBIOS Datagram Service"),
    f!("nbdgm.source_name", String, "Source name"),
    f!("smb", Protocol, "SMB (Server Message Block Protocol)"),
    f!("smb.trans_name", String, "Transaction Name"),
    f!("mailslot", Protocol, "SMB MailSlot Protocol"),
    f!("browser", Protocol, "Microsoft Windows Browser Protocol"),
    f!("browser.command", UInt, "Command"),
    f!("browser.election.desire.wins", Bool, "WINS"),
    f!("browser.server", String, "Server Name"),
    f!("browser.windows_version", String, "Windows version"),
    f!("browser.server_type.browser.master", Bool, "Master Browser"),
    f!("echo", Protocol, "Echo"),
    f!("echo.response", Bool, "Echo response"),
    f!("echo.data", Bytes, "Echo data"),
    f!("icmpv6", Protocol, "Internet Control Message Protocol v6"),
    f!("icmpv6.type", UInt, "Type"),
    f!("icmpv6.code", UInt, "Code"),
    f!("http2", Protocol, "HyperText Transfer Protocol 2"),
    f!("http3", Protocol, "Hypertext Transfer Protocol Version 3"),
    f!("tls", Protocol, "Transport Layer Security"),
    f!("tls.handshake.type", UInt, "Handshake Message Type"),
    f!(
        "tls.handshake.extensions_server_name",
        String,
        "Server Name"
    ),
    f!("tls.record.version", UInt, "Version"),
    f!("quic", Protocol, "QUIC IETF"),
    f!("data", Protocol, "Data"),
    f!("data.data", Bytes, "Data"),
];

/// Registry over [`FIELDS`].
pub struct TestRegistry;

impl Registry for TestRegistry {
    fn lookup(&self, name: &str) -> Option<&'static FieldDef> {
        FIELDS.iter().find(|f| f.name == name)
    }
    fn names(&self) -> Vec<&'static str> {
        FIELDS.iter().map(|f| f.name).collect()
    }
}

/// The definition of a test field; panics on a name not in the table.
pub fn def(name: &str) -> &'static FieldDef {
    FIELDS
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no test field {name}"))
}
