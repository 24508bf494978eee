//! Unit tests on real packet payloads (taken from the shared captures) and
//! on reassembly edge cases.

use super::*;
use crate::dissect::Value;

pub(super) use test_support::hex;

fn strs<'a>(d: &'a Dissection, name: &'a str) -> Vec<String> {
    d.values(name)
        .map(|v| match v {
            Value::Str(s) => s.clone(),
            Value::UInt(u) => u.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Ipv4(a) => a.to_string(),
            Value::Bytes(b) => util::hex(b),
            Value::Float(f) => format!("{f:.9}"),
            other => format!("{other:?}"),
        })
        .collect()
}

/// dns_lab.pcapng frame 2: a response with five A records.
const DNS_RESPONSE: &str = "1a1681800001000500000000096d6963726f736f667403636f6d0000010001c00c000100010000012e0004682bc3fbc00c000100010000012e000417647aafc00c000100010000012e000417603435c00c000100010000012e0004bfefd5c5c00c000100010000012e00046828d323";

#[test]
fn dns_response_over_udp() {
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 53,
        dst_port: 49905,
    };
    assert!(udp(
        &mut st,
        ep,
        Datagram::default(),
        &hex(DNS_RESPONSE),
        &mut d
    ));
    assert_eq!(d.protocol, "DNS");
    assert_eq!(strs(&d, "dns.id"), ["6678"]);
    assert_eq!(strs(&d, "dns.flags.rcode"), ["0"]);
    assert_eq!(strs(&d, "dns.qry.name"), ["microsoft.com"]);
    assert_eq!(strs(&d, "dns.resp.ttl"), ["302"; 5]);
    assert_eq!(
        strs(&d, "dns.a"),
        [
            "104.43.195.251",
            "23.100.122.175",
            "23.96.52.53",
            "191.239.213.197",
            "104.40.211.35"
        ]
    );
    assert_eq!(
        d.info,
        "Standard query response 0x1a16 A microsoft.com A 104.43.195.251 A 23.100.122.175 \
         A 23.96.52.53 A 191.239.213.197 A 104.40.211.35"
    );
}

#[test]
fn dns_over_tcp_split_is_dissected_on_the_completing_segment() {
    let msg = hex(DNS_RESPONSE);
    let mut framed = (msg.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&msg);
    let mut st = AppState::default();
    let ep = Endpoints {
        src_port: 53,
        dst_port: 40000,
    };
    let (a, b) = framed.split_at(30);
    let mut d1 = Dissection::default();
    let seg1 = TcpPayload {
        stream: 3,
        from_client: false,
        seq: 1,
        data: a,
        frame: 10,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep, seg1, &mut d1), Handoff::Held);
    assert!(d1.fields.is_empty());
    let mut d2 = Dissection::default();
    let seg2 = TcpPayload {
        stream: 3,
        from_client: false,
        seq: 31,
        data: b,
        frame: 11,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep, seg2, &mut d2), Handoff::Claimed);
    assert_eq!(strs(&d2, "dns.length"), [msg.len().to_string()]);
    assert_eq!(strs(&d2, "dns.count.answers"), ["5"]);
    // A retransmission of the first part starts the reassembled PDU: as in
    // tshark, it is neither dissected again nor shown as data.
    let mut d3 = Dissection::default();
    let seg3 = TcpPayload {
        stream: 3,
        from_client: false,
        seq: 1,
        data: a,
        frame: 12,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep, seg3, &mut d3), Handoff::Ignored);
    assert!(strs(&d3, "dns.length").is_empty());
}

/// dhcp_dora.pcapng frame 2: an Offer.
const DHCP_OFFER: &str = "02010600696ddc660000000000000000c0a8010ac0a8010500000000000c2959fd2100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000638253633501023604c0a801053304000002580104ffffff001c04c0a801ff0304c0a801fe0f106d79646f6d61696e2e6578616d706c650608c0a80101c0a80102ff";

#[test]
fn dhcp_offer() {
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 67,
        dst_port: 68,
    };
    assert!(udp(
        &mut st,
        ep,
        Datagram::default(),
        &hex(DHCP_OFFER),
        &mut d
    ));
    assert_eq!(d.protocol, "DHCP");
    assert_eq!(d.info, "DHCP Offer    - Transaction ID 0x696ddc66");
    assert_eq!(strs(&d, "dhcp.option.dhcp"), ["2"]);
    assert_eq!(strs(&d, "dhcp.ip.your"), ["192.168.1.10"]);
    assert_eq!(strs(&d, "dhcp.option.dhcp_server_id"), ["192.168.1.5"]);
    assert_eq!(strs(&d, "dhcp.option.ip_address_lease_time"), ["600"]);
    assert_eq!(
        strs(&d, "dhcp.option.domain_name_server"),
        ["192.168.1.1", "192.168.1.2"]
    );
    assert!(matches!(
        d.values("dhcp.hw.mac_addr").next(),
        Some(Value::Ether([0, 0x0c, 0x29, 0x59, 0xfd, 0x21]))
    ));
}

/// bgp_messages.pcap frame 1: an OPEN with capabilities.
const BGP_OPEN: &str = "ffffffffffffffffffffffffffffffff00410104fc0000b40a0000062402060104000100010202800002020200020246000206450400010103020641040000fc00";

#[test]
fn bgp_open() {
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 179,
        dst_port: 50000,
    };
    let data = hex(BGP_OPEN);
    let seg = TcpPayload {
        stream: 1,
        from_client: true,
        seq: 1,
        data: &data,
        frame: 1,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep, seg, &mut d), Handoff::Claimed);
    assert_eq!(d.protocol, "BGP");
    assert_eq!(d.info, "OPEN Message");
    assert_eq!(strs(&d, "bgp.open.myas"), ["64512"]);
    assert_eq!(strs(&d, "bgp.open.holdtime"), ["180"]);
    assert_eq!(strs(&d, "bgp.open.identifier"), ["10.0.0.6"]);
    assert_eq!(strs(&d, "bgp.cap.4as"), ["64512"]);
}

/// http_ipv4_and_ipv6.pcapng frame 6: a response with a 298-byte body.
const HTTP_RESPONSE: &str = "485454502f312e3120323030204f4b0d0a446174653a2053756e2c203232204e6f7620323031352031373a35383a313120474d540d0a5365727665723a204170616368652f322e342e3720285562756e7475290d0a582d506f77657265642d42793a205048502f352e352e392d317562756e7475342e31340d0a566172793a204163636570742d456e636f64696e670d0a436f6e74656e742d4c656e6774683a203239380d0a436f6e74656e742d547970653a20746578742f68746d6c0d0a0d0a0a3c21444f43545950452068746d6c205055424c494320222d2f2f5733432f2f445444205848544d4c20312e30205472616e736974696f6e616c2f2f454e222022687474703a2f2f7777772e77332e6f72672f54522f7868746d6c312f4454442f7868746d6c312d7472616e736974696f6e616c2e647464223e0a3c68746d6c20786d6c6e733d22687474703a2f2f7777772e77332e6f72672f313939392f7868746d6c223e0a20203c686561643e0a202020203c7469746c653e50726163746963616c205061636b657420416e616c797369733c2f7469746c653e0a20203c2f686561643e0a20203c626f64793e0a0a57656c636f6d652120596f75206861766520636f6e6e6563746564207573696e67204950563421203c2f626f64793e0a3c2f68746d6c3e0a0a";
/// The request that frame 4 carried.
const HTTP_REQUEST: &str = "474554202f20485454502f312e310d0a557365722d4167656e743a206375726c2f372e33352e300d0a486f73743a203137322e31362e31362e3133390d0a4163636570743a202a2f2a0d0a0d0a";

#[test]
fn http_exchange_reassembled_across_segments() {
    let mut st = AppState::default();
    let ep_c = Endpoints {
        src_port: 50000,
        dst_port: 80,
    };
    let ep_s = Endpoints {
        src_port: 80,
        dst_port: 50000,
    };
    let req = hex(HTTP_REQUEST);
    let mut d = Dissection::default();
    let seg = TcpPayload {
        stream: 7,
        from_client: true,
        seq: 1,
        data: &req,
        frame: 4,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep_c, seg, &mut d), Handoff::Claimed);
    assert_eq!(d.info, "GET / HTTP/1.1 ");
    assert_eq!(strs(&d, "http.request.full_uri"), ["http://172.16.16.139/"]);
    assert_eq!(strs(&d, "http.user_agent"), ["curl/7.35.0"]);
    let resp = hex(HTTP_RESPONSE);
    let mut seq = 1u32;
    let mut claimed_at = Vec::new();
    let mut last = Dissection::default();
    for (i, chunk) in resp.chunks(100).enumerate() {
        let mut d = Dissection::default();
        let seg = TcpPayload {
            stream: 7,
            from_client: false,
            seq,
            data: chunk,
            frame: 6 + i as u64,
            flags: 0,
            ts_ns: 0,
        };
        if tcp(&mut st, ep_s, seg, &mut d) == Handoff::Claimed {
            claimed_at.push(6 + i as u64);
            last = d;
        }
        seq += chunk.len() as u32;
    }
    // Only the segment that completes the body carries the HTTP fields.
    assert_eq!(claimed_at, [6 + (resp.len() as u64 - 1) / 100]);
    assert_eq!(strs(&last, "http.response.code"), ["200"]);
    assert_eq!(strs(&last, "http.content_length"), ["298"]);
    assert_eq!(strs(&last, "http.request_in"), ["4"]);
    assert_eq!(
        strs(&last, "http.response_for.uri"),
        ["http://172.16.16.139/"]
    );
    assert_eq!(last.info, "HTTP/1.1 200 OK  (text/html)");
    let body = strs(&last, "http.file_data");
    assert_eq!(body.len(), 1);
    assert!(body[0].starts_with("\n<!DOCTYPE html"));
    assert_eq!(body[0].len(), 298);
}

#[test]
fn http_chunked_body_is_dechunked() {
    let mut st = AppState::default();
    let ep = Endpoints {
        src_port: 80,
        dst_port: 50000,
    };
    let msg = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    let (a, b) = msg.split_at(80);
    let mut d = Dissection::default();
    assert_eq!(
        Handoff::Held,
        tcp(
            &mut st,
            ep,
            TcpPayload {
                stream: 1,
                from_client: false,
                seq: 1,
                data: a,
                frame: 1,
                flags: 0,
                ts_ns: 0,
            },
            &mut d
        )
    );
    let mut d = Dissection::default();
    let seg = TcpPayload {
        stream: 1,
        from_client: false,
        seq: 1 + a.len() as u32,
        data: b,
        frame: 2,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep, seg, &mut d), Handoff::Claimed);
    assert_eq!(strs(&d, "http.chunk_size"), ["5", "6", "0"]);
    assert_eq!(strs(&d, "http.file_data"), ["hello world"]);
}

/// quic_retry.pcap frame 3: a Retry packet.
const QUIC_RETRY: &str = "ff00000001035ae3cd14434016c5110840091980a574c77f57b34fa0867244105b09bc7ea9978c4a48052d2e7837922505bf705596cd6e9add59221bed6c91852549e67e585da01e86b814f1747ad909cf644b7bc71c36ff927838b4261cbd8443519575d054885ea3c2c8c2359fe506";

#[test]
fn quic_retry_header() {
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 443,
        dst_port: 60027,
    };
    assert!(udp(
        &mut st,
        ep,
        Datagram::default(),
        &hex(QUIC_RETRY),
        &mut d
    ));
    assert_eq!(d.protocol, "QUIC");
    assert_eq!(strs(&d, "quic.long.packet_type"), ["3"]);
    assert_eq!(strs(&d, "quic.dcid"), ["5ae3cd"]);
    assert_eq!(
        strs(&d, "quic.scid"),
        ["434016c5110840091980a574c77f57b34fa08672"]
    );
    assert_eq!(
        strs(&d, "quic.retry_integrity_tag"),
        ["43519575d054885ea3c2c8c2359fe506"]
    );
    assert_eq!(
        d.info,
        "Retry, DCID=5ae3cd, SCID=434016c5110840091980a574c77f57b34fa08672"
    );
    // A short-header packet to the new connection ID is recognised.
    let mut short = vec![0x40];
    short.extend_from_slice(&hex("434016c5110840091980a574c77f57b34fa08672"));
    short.extend_from_slice(&[0xaa; 20]);
    let mut d = Dissection::default();
    assert!(udp(
        &mut st,
        Endpoints {
            src_port: 60027,
            dst_port: 443
        },
        Datagram::default(),
        &short,
        &mut d
    ));
    assert_eq!(
        strs(&d, "quic.dcid"),
        ["434016c5110840091980a574c77f57b34fa08672"]
    );
}

/// A response with a body larger than any bound: with no field reading
/// the body, its segments are held as tshark holds them ("[TCP segment of
/// a reassembled PDU]") and the last one completes the message, while
/// only the head and a few body bytes stay in memory.
#[test]
fn large_body_is_followed_not_held() {
    let mut st = AppState::default();
    st.set_bodies(Bodies::Elide);
    let ep = Endpoints {
        src_port: 8000,
        dst_port: 40000,
    };
    let body_len = 80 * 64 * 1024;
    let head = format!(
        "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n\
         Content-type: application/octet-stream\r\nContent-Length: {body_len}\r\n\r\n"
    );
    let mut d = Dissection::default();
    let seg = TcpPayload {
        stream: 1,
        from_client: false,
        seq: 1,
        data: head.as_bytes(),
        frame: 1,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep, seg, &mut d), Handoff::Held);
    let chunk = vec![0x5a; 64 * 1024];
    let mut seq = 1 + head.len() as u32;
    // The segment with the message's first body bytes comes last (it was
    // lost and sent again): the message completes only then.
    let first = seq;
    seq += chunk.len() as u32;
    for i in 1..80u64 {
        let mut d = Dissection::default();
        let seg = TcpPayload {
            stream: 1,
            from_client: false,
            seq,
            data: &chunk,
            frame: 1 + i,
            flags: 0,
            ts_ns: 0,
        };
        assert_eq!(tcp(&mut st, ep, seg, &mut d), Handoff::Held, "segment {i}");
        seq = seq.wrapping_add(chunk.len() as u32);
        assert!(st.buffered < 4096, "buffered {}", st.buffered);
    }
    let mut d = Dissection::default();
    let seg = TcpPayload {
        stream: 1,
        from_client: false,
        seq: first,
        data: &chunk,
        frame: 81,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep, seg, &mut d), Handoff::Claimed);
    // An octet stream goes to the data dissector: no note in Info, and
    // its length is the whole body's.
    assert_eq!(d.info, "HTTP/1.0 200 OK ");
    assert_eq!(strs(&d, "data.len"), [format!("Int({body_len})")]);
    assert_eq!(
        d.values("http.content_length").collect::<Vec<_>>(),
        [&Value::UInt(body_len as u64)]
    );
    let s = st.reassembly_stats();
    assert_eq!((s.completed, s.too_large, s.memory), (1, 0, 0), "{s:?}");
}

#[test]
fn reassembly_memory_is_bounded() {
    let mut st = AppState::default();
    let ep = Endpoints {
        src_port: 40000,
        dst_port: 80,
    };
    let head = b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n";
    let mut d = Dissection::default();
    let seg = TcpPayload {
        stream: 1,
        from_client: true,
        seq: 1,
        data: head,
        frame: 1,
        flags: 0,
        ts_ns: 0,
    };
    assert_eq!(tcp(&mut st, ep, seg, &mut d), Handoff::Held);
    let chunk = vec![b'a'; 64 * 1024];
    let mut seq = 1 + head.len() as u32;
    for i in 0..(MAX_BUFFER / chunk.len() + 8) as u64 {
        let mut d = Dissection::default();
        let seg = TcpPayload {
            stream: 1,
            from_client: true,
            seq,
            data: &chunk,
            frame: 2 + i,
            flags: 0,
            ts_ns: 0,
        };
        tcp(&mut st, ep, seg, &mut d);
        seq = seq.wrapping_add(chunk.len() as u32);
        assert!(
            st.buffered <= MAX_BUFFER + chunk.len(),
            "buffered {}",
            st.buffered
        );
        if i == 0 {
            assert_eq!(st.reassembly_stats().in_progress, 1, "the POST is waiting");
        }
    }
    // The body crossed the bound and was given up (its bytes are held:
    // `http.file_data` may be read); the chunks after
    // it start no message and hold no line end, so HTTP waits for one (as
    // tshark does), within the same bound.
    let s = st.reassembly_stats();
    assert!(s.too_large >= 1, "{s:?}");
    assert_eq!((s.completed, s.memory, s.evicted), (0, 0, 0));
}

#[test]
fn http_gzip_body_is_inflated() {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"<html>compressed</html>").expect("gzip");
    let gz = enc.finish().expect("gzip");
    let mut msg = format!(
        "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
        gz.len()
    )
    .into_bytes();
    msg.extend_from_slice(&gz);
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 80,
        dst_port: 50000,
    };
    assert_eq!(
        Handoff::Claimed,
        tcp(
            &mut st,
            ep,
            TcpPayload {
                stream: 1,
                from_client: false,
                seq: 1,
                data: &msg,
                frame: 1,
                flags: 0,
                ts_ns: 0,
            },
            &mut d
        )
    );
    assert_eq!(strs(&d, "http.file_data"), ["<html>compressed</html>"]);
    assert_eq!(d.info, "HTTP/1.1 200 OK  (text/html)");
}

/// The two directions of a connection from `client_port` to `server_port`.
fn endpoints(client_port: u16, server_port: u16) -> (Endpoints, Endpoints) {
    (
        Endpoints {
            src_port: client_port,
            dst_port: server_port,
        },
        Endpoints {
            src_port: server_port,
            dst_port: client_port,
        },
    )
}

fn seg_at(stream: u64, from_client: bool, seq: u32, data: &[u8], frame: u64) -> TcpPayload<'_> {
    TcpPayload {
        stream,
        from_client,
        seq,
        data,
        frame,
        flags: 0,
        ts_ns: 0,
    }
}

/// tls13_large_tor.pcap: a 4065-byte Application Data record starts, the
/// segments that end it are lost, and frame 165's bytes (past the record's
/// end) start no record: as in tshark, they go to TLS afresh and show as
/// Continuation Data, while a segment inside the record stays plain TCP.
/// Frame 177 starts with four printable bytes: TLS declines it (data).
/// (The capture's port is Tor's; 443 stands in for it here.)
#[test]
fn tls_picks_up_after_lost_segments_as_tshark() {
    let mut st = AppState::default();
    let ep = Endpoints {
        src_port: 443,
        dst_port: 37608,
    };
    let mut rec = hex("1703030fe1");
    rec.extend_from_slice(&[0x5a; 95]);
    let mut d = Dissection::default();
    assert_eq!(
        tcp(&mut st, ep, seg_at(1, false, 1, &rec, 1), &mut d),
        Handoff::Held
    );
    assert_eq!(strs(&d, "tls").len(), 1, "TLS was called, asked for more");
    // Inside the record, after a gap: added to it, nothing shown.
    let inside = vec![0x11; 100];
    let mut d = Dissection::default();
    assert_eq!(
        tcp(&mut st, ep, seg_at(1, false, 1001, &inside, 2), &mut d),
        Handoff::Held
    );
    assert!(strs(&d, "tls").is_empty());
    // Past the record's end (1 + 4070).
    let garbage = hex("e9342e7c4118239a1c731c6cd82c5cc20c59");
    let mut d = Dissection::default();
    let h = tcp(&mut st, ep, seg_at(1, false, 5000, &garbage, 3), &mut d);
    assert_eq!(h, Handoff::Claimed);
    assert_eq!(d.info, "Continuation Data");
    assert_eq!(strs(&d, "tls").len(), 1);
    let text = hex("79636843a473bb6bd7a95c22fe6035f5aed5");
    let mut d = Dissection::default();
    let h = tcp(&mut st, ep, seg_at(1, false, 6000, &text, 4), &mut d);
    assert_eq!(h, Handoff::Unclaimed, "declined: shown as data");
    // What the sequence analysis calls a retransmission reaches nothing.
    let mut d = Dissection::default();
    let mut again = seg_at(1, false, 5000, &garbage, 5);
    again.flags = crate::tcp_analysis::verdict::aflags::RETRANSMISSION;
    assert_eq!(tcp(&mut st, ep, again, &mut d), Handoff::Ignored);
}

/// tcp_dupack_fastretrans.pcapng frame 2: binary bytes on port 80 of a
/// connection whose request was not captured: tshark's HTTP shows nothing
/// (not even data). Once a request was seen, the same bytes are an HTTP
/// continuation whose body is data (tcp_http_out_of_order.pcap frame 7).
#[test]
fn http_continuation_follows_tshark() {
    let ep = Endpoints {
        src_port: 80,
        dst_port: 38760,
    };
    let body = hex("9fca81c9e9cd2507db34b93eb9f5a324a91499f6");
    let mut st = AppState::default();
    let mut d = Dissection::default();
    assert_eq!(
        tcp(&mut st, ep, seg_at(1, false, 10945, &body, 2), &mut d),
        Handoff::Held
    );
    assert!(strs(&d, "http").is_empty() && strs(&d, "data").is_empty());

    let mut st = AppState::default();
    let get = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut d = Dissection::default();
    let client = Endpoints {
        src_port: 38760,
        dst_port: 80,
    };
    assert_eq!(
        tcp(&mut st, client, seg_at(1, true, 1, get, 1), &mut d),
        Handoff::Claimed
    );
    let mut d = Dissection::default();
    assert_eq!(
        tcp(&mut st, ep, seg_at(1, false, 2577, &body, 7), &mut d),
        Handoff::Claimed
    );
    assert_eq!(d.info, "Continuation");
    assert_eq!(strs(&d, "data.len"), [format!("Int({})", body.len())]);
    // Text without a line end (tcp_http_out_of_order.pcap frame 38): HTTP
    // waits for one more segment, then takes the lines with a colon as
    // headers and the rest as the body.
    let mut d = Dissection::default();
    let h = tcp(&mut st, ep, seg_at(1, false, 5000, b"n:x\x1d", 8), &mut d);
    assert_eq!(h, Handoff::Held);
    let mut d = Dissection::default();
    let h = tcp(
        &mut st,
        ep,
        seg_at(1, false, 5004, b"o\r\nbin\x00ry\n", 9),
        &mut d,
    );
    assert_eq!(h, Handoff::Claimed);
    assert_eq!(strs(&d, "data.len"), ["Int(7)"]);
}

/// The protocol layers of a dissection, as `frame.protocols` lists them.
fn layers(d: &Dissection) -> Vec<&'static str> {
    use crate::dissect::FieldType;
    d.fields
        .iter()
        .filter(|f| match f.def.ty {
            FieldType::Protocol => f.def.layer,
            FieldType::Layer => true,
            _ => false,
        })
        .map(|f| f.def.name)
        .collect()
}

/// http2_h2c_range.pcap, TCP stream 0: an `Upgrade: h2c` exchange on port
/// 8080, then HTTP/2 (frame number, from client, sequence number, payload).
const H2C_UPGRADE: &[(u64, bool, u32, &str)] = &[
    (5, true, 1, "474554202f656963617220485454502f312e310d0a486f73743a203132372e302e302e313a383038300d0a557365722d4167656e743a206375726c2f372e36342e310d0a4163636570743a202a2f2a0d0a436f6e6e656374696f6e3a20557067726164652c2048545450322d53657474696e67730d0a557067726164653a206832630d0a48545450322d53657474696e67733a2041414d414141426b414152414141414141414941414141410d0a52616e67653a2062797465733d302d31300d0a0d0a"),
    (7, false, 1, "485454502f312e312031303120537769746368696e672050726f746f636f6c730d0a436f6e6e656374696f6e3a20557067726164650d0a557067726164653a206832630d0a0d0a"),
    (9, true, 196, "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a"),
    (10, true, 220, "000012040000000000000300000064000440000000000200000000"),
    (15, false, 72, "0000180400000000000005001000000003000000fa000600100140000400100000"),
    (23, false, 127, "00005b0104000000018a52848fd24a8f5e8a8fd24a8500b040c38fff5f92497ca58ae819aafb50938ec415305a99567b6c96c361be94032a6e2d6a08020a807ee01bb800298b46ff5c0231316196c361be94032a6e2d6a08020a807ee01cb8d014c5a37f"),
    (25, false, 227, "00000b00010000000158354f2150254041505b3400000403000000000100000000"),
];

#[test]
fn h2c_upgrade_goes_through_http() {
    let mut st = AppState::default();
    let mut seen = Vec::new();
    for &(frame, from_client, seq, payload) in H2C_UPGRADE {
        let (src_port, dst_port) = if from_client {
            (57226, 8080)
        } else {
            (8080, 57226)
        };
        let data = hex(payload);
        let mut d = Dissection::default();
        let seg = TcpPayload {
            stream: 0,
            from_client,
            seq,
            data: &data,
            frame,
            flags: 0,
            ts_ns: 0,
        };
        let ep = Endpoints { src_port, dst_port };
        assert_eq!(tcp(&mut st, ep, seg, &mut d), Handoff::Claimed);
        seen.push((frame, layers(&d).join(":"), d));
    }
    let layers: Vec<(u64, &str)> = seen.iter().map(|(f, l, _)| (*f, l.as_str())).collect();
    assert_eq!(
        layers,
        [
            // The HTTP2-Settings header shows HTTP/2 fields inside HTTP.
            (5, "http"),
            (7, "http"),
            (9, "http:http2"),
            (10, "http:http2"),
            (15, "http:http2"),
            (23, "http:http2"),
            // The body goes to the media-type dissector.
            (25, "http:http2:data-text-lines"),
        ]
    );
    assert_eq!(strs(&seen[0].2, "http2.settings.id"), ["3", "4", "2"]);
    // The carrier HTTP layer is no `http` for filters.
    assert!(!seen[2].2.has("http"));
    assert_eq!(seen[6].2.info, "DATA[1] (text/plain), RST_STREAM[1]");
}

/// ipv4_frag_udp_nfs.pcap frame 6: the start of an NFSv3 WRITE call (the
/// reassembled datagram carries 8192 bytes of data after this).
const NFS_WRITE_CALL: &str = "a13928f70000000000000002000186a3000000030000000700000001000000200032f2bc00000008726e63746573743200000234000001f400000001000001f400000000000000000000001801000002000800080200000028c00800958486d926c0080000000000000120000000200000000000000020002e2e2e2e";
/// Frame 29: a WRITE reply whose call is not in the capture.
const NFS_WRITE_REPLY: &str = "983928f7000000010000000000000000000000000000000000000000000000000000000100000001000081b40000000100000234000001f40000000000002000000000000000200000000000000000000000000000000808000000000008c0284864e5bc000000004864e5e2000000004864e5e20000000000002000000000004843cebc000d0a7e";

#[test]
fn rpc_calls_and_replies_over_udp() {
    let mut st = AppState::default();
    let (client, server) = (
        Endpoints {
            src_port: 789,
            dst_port: 2049,
        },
        Endpoints {
            src_port: 2049,
            dst_port: 789,
        },
    );
    let at = |frame: u64| Datagram {
        stream: 0,
        frame,
        ts_ns: frame as i64 * 1_000_000,
        quoted: false,
    };
    let mut d = Dissection::default();
    assert!(udp(&mut st, client, at(6), &hex(NFS_WRITE_CALL), &mut d));
    assert_eq!(layers(&d).join(":"), "rpc:nfs");
    assert_eq!(strs(&d, "rpc.xid"), ["2704877815"]);
    assert_eq!(strs(&d, "rpc.auth.machinename"), ["rnctest2"]);
    assert_eq!(strs(&d, "rpc.auth.gid"), ["500", "500"]);
    assert_eq!(strs(&d, "rpc.programversion"), ["3", "3"]);
    assert_eq!(strs(&d, "nfs.procedure_v3"), ["7"]);
    assert_eq!(strs(&d, "rpc.opaque_length"), ["8", "8192"]);
    assert_eq!(
        d.info,
        "V3 WRITE Call, FH: 0x89686ab3 Offset: 73728 Len: 8192 UNSTABLE"
    );
    // A reply to a call not seen is no RPC for tshark's heuristic.
    let reply = hex(NFS_WRITE_REPLY);
    let mut d = Dissection::default();
    assert!(!udp(&mut st, server, at(29), &reply, &mut d));
    // The same reply to the call above is matched by its XID.
    let mut answered = reply.clone();
    answered[..4].copy_from_slice(&hex("a13928f7"));
    let mut d = Dissection::default();
    assert!(udp(&mut st, server, at(30), &answered, &mut d));
    assert_eq!(layers(&d).join(":"), "rpc:nfs");
    assert_eq!(strs(&d, "rpc.repframe"), ["6"]);
    assert_eq!(strs(&d, "rpc.procedure"), ["7"]);
    assert_eq!(d.info, "V3 WRITE Reply (Call In 6)");
    // Another program's call stays unclaimed.
    let mut other = hex(NFS_WRITE_CALL);
    other[12..16].copy_from_slice(&99_999u32.to_be_bytes());
    let mut d = Dissection::default();
    assert!(!udp(&mut st, client, at(31), &other, &mut d));
}

/// An HTTP/1.1 body of type application/dns-message is DNS, as tshark's
/// media-type table has it (the DNS message is dns_lab.pcapng frame 2).
#[test]
fn http1_doh_body_is_dns() {
    let msg = hex(DNS_RESPONSE);
    let mut resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/dns-message\r\nContent-Length: {}\r\n\r\n",
        msg.len()
    )
    .into_bytes();
    resp.extend_from_slice(&msg);
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let seg = TcpPayload {
        stream: 1,
        from_client: false,
        seq: 1,
        data: &resp,
        frame: 2,
        flags: 0,
        ts_ns: 0,
    };
    let ep = Endpoints {
        src_port: 80,
        dst_port: 5000,
    };
    assert_eq!(tcp(&mut st, ep, seg, &mut d), Handoff::Claimed);
    assert_eq!(layers(&d).join(":"), "http:dns");
    assert_eq!(d.protocol, "DoH");
    assert_eq!(strs(&d, "dns.qry.name"), ["microsoft.com"]);
    assert!(d
        .info
        .starts_with("Standard query response 0x1a16 A microsoft.com"));
    // The dns layer holds the message, for `dns contains ...`.
    let dns = d.fields.iter().find(|f| f.def.name == "dns").unwrap();
    assert_eq!(dns.value, Value::Bytes(msg));
}

/// mixed_large_web.pcap frame 2: a broadcast name registration, whose
/// additional record points back at the question's name.
const NBNS_REGISTRATION: &str = "895a2910000100000000000120464845504643454c45484643455046464641434143414341434143414341424f0000200001c00c00200001000493e000068000c0a864ce";

#[test]
fn nbns_registration() {
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 137,
        dst_port: 137,
    };
    assert!(udp(
        &mut st,
        ep,
        Datagram::default(),
        &hex(NBNS_REGISTRATION),
        &mut d
    ));
    assert_eq!(d.protocol, "NBNS");
    assert_eq!(d.info, "Registration NB WORKGROUP<1e>");
    assert_eq!(layers(&d), ["nbns"]);
    assert_eq!(strs(&d, "nbns.flags.opcode"), ["5"]);
    assert_eq!(
        strs(&d, "nbns.name"),
        ["WORKGROUP<1e>", "WORKGROUP<1e> (Browser Election Service)"]
    );
    assert_eq!(strs(&d, "nbns.ttl"), ["300000"]);
    assert_eq!(strs(&d, "nbns.nb_flags.group"), ["true"]);
    assert_eq!(strs(&d, "nbns.addr"), ["192.168.100.206"]);
    assert!(!d.malformed);
}

/// A node status response (its names, their flags and the statistics),
/// as tshark 4.0 shows it.
const NBNS_NODE_STATUS: &str = "12378400000000010000000020434b414141414141414141414141414141414141414141414141414141414141000021000100000000006103484f53542020202020202020202020000400574f524b47524f5550202020202020008400484f53542020202020202020202020200400001122334455010201000002000300040005000600000007000000080009000a000b000c000d000e000f";

#[test]
fn nbns_node_status_response() {
    let mut d = Dissection::default();
    assert!(netbios::nbns(&hex(NBNS_NODE_STATUS), &mut d));
    assert_eq!(d.info, "Name query response NBSTAT");
    assert_eq!(
        strs(&d, "nbns.name"),
        ["*<00><00><00><00><00><00><00><00><00><00><00><00><00><00><00>"]
    );
    assert_eq!(strs(&d, "nbns.netbios_name"), ["HOST", "WORKGROUP", "HOST"]);
    assert_eq!(
        strs(&d, "nbns.name_flags.group"),
        ["false", "true", "false"]
    );
    assert_eq!(strs(&d, "nbns.num_good_receives"), ["8"]);
    assert_eq!(strs(&d, "nbns.session_data_packet_size"), ["15"]);
    assert!(!d.malformed);
}

/// mixed_large_web.pcap frame 17: a host announcement in a mailslot
/// write, in a NetBIOS datagram.
const NBDGM_HOST_ANNOUNCEMENT: &str = "1102895dc0a864ce008a00bb0000204646464445464643434e464145444341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000021000000000000000000e803000000000000000021005600030001000000020032005c4d41494c534c4f545c42524f57534500010080fc0a00555345522d50430000000000000000000601031001000f0155aa00";

#[test]
fn nbdgm_browser_host_announcement() {
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 138,
        dst_port: 138,
    };
    let p = hex(NBDGM_HOST_ANNOUNCEMENT);
    assert!(udp(&mut st, ep, Datagram::default(), &p, &mut d));
    assert_eq!(d.protocol, "BROWSER");
    assert_eq!(
        d.info,
        "Host Announcement USER-PC, Workstation, Server, NT Workstation, Potential Browser"
    );
    // The mailslot layer is in the tree but not in frame.protocols.
    assert_eq!(layers(&d), ["nbdgm", "smb", "browser"]);
    assert!(d.has("mailslot"));
    assert_eq!(strs(&d, "nbdgm.source_name"), ["USER-PC<20>"]);
    assert_eq!(strs(&d, "nbdgm.destination_name"), ["WORKGROUP<1d>"]);
    assert_eq!(strs(&d, "smb.trans_name"), ["\\MAILSLOT\\BROWSE"]);
    assert_eq!(strs(&d, "smb.reserved"), ["00", "0000", "00", "0000", "00"]);
    assert_eq!(strs(&d, "mailslot.size"), ["50"]);
    assert_eq!(strs(&d, "browser.period"), ["720000"]);
    assert_eq!(strs(&d, "browser.server"), ["USER-PC"]);
    assert_eq!(
        strs(&d, "browser.windows_version"),
        ["Windows 7 or Windows Server 2008 R2"]
    );
    assert_eq!(strs(&d, "browser.server_type"), ["69635"]);
    assert_eq!(strs(&d, "browser.sig"), ["43605"]);
    assert_eq!(strs(&d, "browser.comment"), [""]);
    // The bytes filters see: the whole datagram for the datagram
    // service, the setup words to the name for the mailslot layer (as
    // `len()` in tshark).
    let len = |name| match d.values(name).next() {
        Some(Value::Bytes(b)) => b.len(),
        _ => 0,
    };
    assert_eq!(
        [len("nbdgm"), len("smb"), len("mailslot"), len("browser")],
        [201, 119, 25, 33]
    );
    assert!(!d.malformed);
}

/// mixed_large_web.pcap frame 252: a browser election request.
const NBDGM_ELECTION: &str = "11028961c0a864ce008a00b00000204646464445464643434e464145444341434143414341434143414341434141410020464845504643454c45484643455046464641434143414341434143414341424f00ff534d422500000000000000000000000000000000000000000000000000000011000016000000000000000000e803000000000000000016005600030001000100020027005c4d41494c534c4f545c42524f575345000801200f0110ffffffff00000000555345522d504300";

#[test]
fn browser_election_request() {
    let mut d = Dissection::default();
    assert!(netbios::nbdgm(&hex(NBDGM_ELECTION), &mut d));
    assert_eq!(d.info, "Browser Election Request");
    assert_eq!(strs(&d, "browser.election.criteria"), ["268504864"]);
    assert_eq!(strs(&d, "browser.election.desire.wins"), ["true"]);
    assert_eq!(strs(&d, "browser.election.os.ntw"), ["true"]);
    assert_eq!(strs(&d, "browser.uptime"), ["4294967295"]);
    assert_eq!(strs(&d, "browser.server"), ["USER-PC"]);
}

#[test]
fn netbios_cut_short_keeps_its_layers() {
    // Every prefix of the datagram: the layers found so far stay, the
    // message is marked malformed (the pipeline tells a capture cut from
    // a bad packet), and nothing panics. Fewer than 4 bytes after the
    // datagram header are not SMB (tshark's heuristic), but data.
    let p = hex(NBDGM_HOST_ANNOUNCEMENT);
    let header = 82;
    for n in 1..p.len() {
        let mut d = Dissection::default();
        assert!(netbios::nbdgm(&p[..n], &mut d));
        let smb = n >= header + 4;
        assert_eq!(d.malformed, n < header || smb, "prefix of {n} bytes");
        assert_eq!(d.has("data"), n > header && !smb, "prefix of {n} bytes");
        assert_eq!(d.has("smb"), smb, "prefix of {n} bytes");
    }
    let p = hex(NBNS_NODE_STATUS);
    for n in 1..p.len() {
        let mut d = Dissection::default();
        assert!(netbios::nbns(&p[..n], &mut d));
    }
}

#[test]
fn echo_request_and_response() {
    let mut st = AppState::default();
    for (src_port, dst_port, info) in [(40000, 7, "Request"), (7, 8, "Response")] {
        let mut d = Dissection::default();
        let ep = Endpoints { src_port, dst_port };
        assert!(udp(&mut st, ep, Datagram::default(), b"routed", &mut d));
        assert_eq!((d.protocol.as_str(), d.info.as_str()), ("ECHO", info));
        assert_eq!(strs(&d, "echo.data"), ["726f75746564"]);
        let flag = if info == "Request" {
            "echo.request"
        } else {
            "echo.response"
        };
        assert_eq!(strs(&d, flag), ["true"]);
    }
}

/// A segment of `reported` payload bytes of which `data` was captured, as
/// the TCP layer hands it on when the snapshot length cut it.
fn cut(
    st: &mut AppState,
    ep: Endpoints,
    seg: TcpPayload<'_>,
    reported: usize,
    d: &mut Dissection,
) -> Handoff {
    tcp_truncated(st, ep, seg, reported, d)
}

/// mixed_large_web.pcap cut to 66 and 59 bytes: TLS records cut short end
/// the dissection where tshark's record loop reads past the captured
/// bytes. The record version shows once the byte after the header was
/// read; a record that ends past the reported length stops the loop
/// without error.
#[test]
fn tls_records_cut_short_follow_tshark() {
    let (client, server) = endpoints(59621, 443);
    // Frame 23, a Client Hello: header only (unknown version: "SSL").
    let hello = hex("16030300ad010000a9030362");
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let h = cut(
        &mut st,
        client,
        seg_at(0, true, 1, &hello[..5], 23),
        178,
        &mut d,
    );
    assert_eq!(h, Handoff::Claimed);
    assert_eq!((d.protocol.as_str(), d.info.as_str()), ("SSL", ""));
    assert!(d.malformed);
    assert_eq!(strs(&d, "tls").len(), 1);
    // Twelve bytes: the version is read and shown, the body is not there.
    let mut st = AppState::default();
    let mut d = Dissection::default();
    cut(&mut st, client, seg_at(0, true, 1, &hello, 23), 178, &mut d);
    assert_eq!((d.protocol.as_str(), d.info.as_str()), ("TLSv1.2", ""));
    assert!(d.malformed);
    // Frame 25, the Server Hello, fixes the session's version.
    let mut d = Dissection::default();
    let sh = hex("160303005d02000059030364");
    cut(&mut st, server, seg_at(0, false, 1, &sh, 25), 1206, &mut d);
    assert_eq!((d.protocol.as_str(), d.info.as_str()), ("TLSv1.2", ""));
    // Frame 26: an unknown content type whose rest was not all captured.
    let mut d = Dissection::default();
    let odd = hex("a2d1129dd793f0eb2ac6fd48");
    cut(
        &mut st,
        server,
        seg_at(0, false, 1207, &odd, 26),
        210,
        &mut d,
    );
    assert_eq!((d.protocol.as_str(), d.info.as_str()), ("TLSv1.2", ""));
    assert!(d.malformed);
    // Frame 30: a whole Change Cipher Spec, then a record cut in its body.
    let mut d = Dissection::default();
    let ccs = hex("1403030001011603030050d1");
    cut(
        &mut st,
        server,
        seg_at(0, false, 1417, &ccs, 30),
        91,
        &mut d,
    );
    assert_eq!(d.info, "Change Cipher Spec");
    assert!(d.malformed);
    // Frame 51 (another connection): a record longer than the segment.
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let long = hex("1603031b6b02000055030362");
    cut(
        &mut st,
        server,
        seg_at(4, false, 1, &long, 51),
        1206,
        &mut d,
    );
    assert_eq!((d.protocol.as_str(), d.info.as_str()), ("SSL", ""));
    assert!(!d.malformed);
}

/// mixed_large_web.pcap cut to 66 and 100 bytes: HTTP on cut segments.
/// A first request line cut short leaves the columns to TCP (as do two
/// bytes of a line end, http_espn_many_flows.pcapng frame 484 cut to 68); a first line
/// whose end was captured is the Info text; later segments are
/// continuations, cut short when they start with text, not when binary
/// bytes go to the data dissector as captured.
#[test]
fn http_segments_cut_short_follow_tshark() {
    let (client, server) = endpoints(59697, 80);
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let get = b"GET /msdownl";
    let h = cut(&mut st, client, seg_at(5, true, 1, get, 70), 286, &mut d);
    assert_eq!(h, Handoff::Held, "the columns stay TCP's");
    assert_eq!((d.protocol.as_str(), d.info.as_str()), ("", ""));
    assert!(d.malformed);
    assert_eq!(layers(&d), ["http"]);
    let mut d = Dissection::default();
    let crlf = seg_at(5, true, 287, b"\r\n", 484);
    assert_eq!(cut(&mut st, client, crlf, 1368, &mut d), Handoff::Held);
    assert_eq!(layers(&d), ["http"]);
    assert!(d.malformed);
    let mut d = Dissection::default();
    let head = b"HTTP/1.1 200 OK\r\nCache-Control: max-age";
    cut(&mut st, server, seg_at(5, false, 1, head, 72), 1206, &mut d);
    assert_eq!(
        (d.protocol.as_str(), d.info.as_str()),
        ("HTTP", "HTTP/1.1 200 OK ")
    );
    assert!(d.malformed);
    let mut d = Dissection::default();
    let binary = hex("bcdd55c14aa2c451d9736f13");
    cut(
        &mut st,
        server,
        seg_at(5, false, 3619, &binary, 76),
        1206,
        &mut d,
    );
    assert_eq!(
        (d.protocol.as_str(), d.info.as_str()),
        ("HTTP", "Continuation")
    );
    assert!(!d.malformed);
    assert_eq!(layers(&d), ["http", "data"]);
    let mut d = Dissection::default();
    let text = hex("67d4a470c86ef34ccf67fc3b");
    cut(
        &mut st,
        server,
        seg_at(5, false, 2413, &text, 74),
        1206,
        &mut d,
    );
    assert_eq!(
        (d.protocol.as_str(), d.info.as_str()),
        ("HTTP", "Continuation")
    );
    assert!(d.malformed);
    assert_eq!(layers(&d), ["http", "data"]);
}

/// A DNS response cut inside its first answer's data (dns_lab.pcapng
/// frame 2 cut to 45 bytes of DNS): the record's type is in the Info
/// column, as tshark writes it before reading the data.
#[test]
fn dns_answer_cut_in_its_data_shows_its_type() {
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 53,
        dst_port: 49905,
    };
    let msg = hex(DNS_RESPONSE);
    assert!(udp(&mut st, ep, Datagram::default(), &msg[..45], &mut d));
    assert_eq!(d.info, "Standard query response 0x1a16 A microsoft.com A");
    assert!(d.malformed);
}

/// http2_h2c_range.pcap cut to 90 bytes: after the upgrade (frames 5, 7
/// and 9 whole here), frame 10's SETTINGS frame is cut in its payload
/// (24 of 27 bytes): its type and stream show, then the bounds error.
/// Frame 25 holds a whole DATA frame, then a header cut short.
#[test]
fn http2_frame_cut_short_shows_its_type() {
    let mut st = AppState::default();
    let endpoints = |from_client: bool| {
        if from_client {
            Endpoints {
                src_port: 57226,
                dst_port: 8080,
            }
        } else {
            Endpoints {
                src_port: 8080,
                dst_port: 57226,
            }
        }
    };
    for &(frame, from_client, seq, payload) in &H2C_UPGRADE[..3] {
        let data = hex(payload);
        let mut d = Dissection::default();
        let seg = seg_at(0, from_client, seq, &data, frame);
        assert_eq!(
            tcp(&mut st, endpoints(from_client), seg, &mut d),
            Handoff::Claimed
        );
    }
    let (frame, from_client, seq, payload) = H2C_UPGRADE[3];
    let data = hex(payload);
    let mut d = Dissection::default();
    let seg = seg_at(0, from_client, seq, &data[..24], frame);
    let h = cut(&mut st, endpoints(from_client), seg, data.len(), &mut d);
    assert_eq!(h, Handoff::Claimed);
    assert_eq!(
        (d.protocol.as_str(), d.info.as_str()),
        ("HTTP2", "SETTINGS[0]")
    );
    assert!(d.malformed);
    assert_eq!(layers(&d), ["http", "http2"]);
    let (frame, from_client, seq, payload) = H2C_UPGRADE[6];
    let data = hex(payload);
    let mut d = Dissection::default();
    let seg = seg_at(0, from_client, seq, &data[..24], frame);
    cut(&mut st, endpoints(from_client), seg, data.len(), &mut d);
    assert_eq!(d.info, "DATA[1]");
    assert!(d.malformed);
}

/// DNS over TCP cut inside a message (the response of
/// `dns_answer_cut_in_its_data_shows_its_type` with its length prefix):
/// dissected as far as it was captured, then the bounds error.
#[test]
fn dns_over_tcp_cut_short_is_dissected_as_captured() {
    let msg = hex(DNS_RESPONSE);
    let mut data = (msg.len() as u16).to_be_bytes().to_vec();
    data.extend_from_slice(&msg);
    let ep = Endpoints {
        src_port: 53,
        dst_port: 45818,
    };
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let seg = seg_at(0, false, 1, &data[..47], 10);
    let h = cut(&mut st, ep, seg, data.len(), &mut d);
    assert_eq!(h, Handoff::Claimed);
    assert_eq!(d.protocol, "DNS");
    assert_eq!(d.info, "Standard query response 0x1a16 A microsoft.com A");
    assert!(d.malformed);
    assert_eq!(layers(&d), ["dns"]);
}

/// A DNS query over TCP cut right after its name (recorded `dig +tcp`
/// query, 96 bytes captured of 123): tshark reads name, type and class
/// before it adds any of them, so the question shows no fields at all.
#[test]
fn dns_question_cut_after_its_name_shows_no_fields() {
    let data = hex(
        "00371583012000010000000000010374787405667265736804746573740000\
         ff000100002904d000000000000c000a0008a959dbbbaadd0642",
    );
    let ep = Endpoints {
        src_port: 45533,
        dst_port: 53,
    };
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let seg = seg_at(0, true, 1, &data[..30], 229);
    assert_eq!(cut(&mut st, ep, seg, data.len(), &mut d), Handoff::Claimed);
    assert_eq!(d.info, "Standard query 0x1583");
    assert!(strs(&d, "dns.qry.name").is_empty());
    assert!(strs(&d, "dns.count.labels").is_empty());
    assert_eq!(strs(&d, "dns.count.queries"), ["1"]);
    // One more byte and the type is there, still not the class.
    let mut d = Dissection::default();
    let mut st = AppState::default();
    let seg = seg_at(0, true, 1, &data[..32], 229);
    cut(&mut st, ep, seg, data.len(), &mut d);
    assert!(strs(&d, "dns.qry.name").is_empty());
    assert!(d.malformed);
}

/// A TLS 1.3 second Client Hello (after a HelloRetryRequest) cut short,
/// recorded from `openssl s_client` and cut to 200 and 165 bytes: its
/// fields show as far as they were captured; cipher suites one by one,
/// an extension only when all of it is there.
#[test]
fn tls_second_client_hello_cut_short_shows_its_captured_fields() {
    let (client, server) = endpoints(41304, 8443);
    let hrr = hex(
        "1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c\
         20b53c65480fc3479e01830ae52995a531a9ec4e8bddaff7552a4a9fe6111cd3c1130200000c002b000203\
         04003300020017140303000101",
    );
    let hello = hex(
        "1403030001011603030200010001fc0303f00351e9bb6babc1eca4bdcdafb5d3f650e0898f4dfaae49268e\
         2c499a09c93120b53c65480fc3479e01830ae52995a531a9ec4e8bddaff7552a4a9fe6111cd3c100181302\
         13031301c02bc02fc02cc030cca9cca8009e009f00ff0100019b000b000403000102000a00160014001d00\
         17001e0019",
    );
    for (captured, suites, ext_types) in [(134, 12, vec!["11"]), (99, 7, vec![])] {
        let mut st = AppState::default();
        let mut d = Dissection::default();
        tcp(&mut st, server, seg_at(0, false, 1, &hrr, 5), &mut d);
        assert_eq!(d.info, "Hello Retry Request, Change Cipher Spec");
        let mut d = Dissection::default();
        let seg = seg_at(0, true, 518, &hello[..captured], 7);
        cut(&mut st, client, seg, 523, &mut d);
        assert_eq!(
            (d.protocol.as_str(), d.info.as_str()),
            ("TLSv1.3", "Change Cipher Spec, Client Hello")
        );
        assert!(d.malformed);
        assert_eq!(strs(&d, "tls.handshake.session_id_length"), ["32"]);
        assert_eq!(strs(&d, "tls.handshake.ciphersuite").len(), suites);
        assert_eq!(strs(&d, "tls.handshake.extension.type"), ext_types);
    }
}

/// A segment inside a TLS 1.3 record, cut to 334 of its 1448 bytes,
/// whose first bytes look like an SSLv2 record header (recorded through
/// a lossy path): tshark shows the record as encrypted SSLv2 data and
/// stops there without a bounds error, as the record runs past the cut.
#[test]
fn sslv2_looking_record_cut_short_is_encrypted_data() {
    let server = Endpoints {
        src_port: 8443,
        dst_port: 33772,
    };
    let mut st = AppState::default();
    let mut d = Dissection::default();
    // Frame 499, the HelloRetryRequest: the session is TLS 1.3.
    let hrr = hex(
        "1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c\
         20452c5a995e3da44b4f5efe18e5116bddfecf04ddb47566e9af88e0c680b30844130200000c002b000203\
         04003300020017140303000101",
    );
    tcp(&mut st, server, seg_at(0, false, 1, &hrr, 499), &mut d);
    assert_eq!(d.protocol, "TLSv1.3");
    let seg = hex(
        "83db01fccc362b8e66e6a1146bc83dea6a562bbdc80b114c3b46c09601441e0626c83ddbea1685d22593ae\
         84b82f78c33c314a08728bfa5cd9e09c6f2e80f55e68dc8b7dbdb4c29e140b729e3546e0e854676ce653f2\
         795f2988501ea03c4369bf959e0df02a469908373ed6ff91d501eef499bd070a5c1a386f8c23b65d5681aa\
         ba570f3b36cd8ea9caf2afe505af1dbdea81e8cb227f37306408d9d52e00419a19dc7c7496db5bdd71a8fe\
         4a02cbf0d408d08c4b5a3fa19a2f658ccca0c97756c3fee1ba32ef6c072ffb5a555944a7decd8b63a434a8\
         ac3a050ffdd84c81e06d00ebe3f981d5689cee5be2954f78ff02358152623ad7612d465a54779f28f8a1f9\
         5f6effb0ebbdccd9e1bfa761a8d9a1fb69dbd62de9037ec843e658cacf0e7cf5202e12e535a159c7da04b3\
         cd86ca261e9ad6c56f53b41c21fb8bac52259c12c124ef4b955b0fc753a1538a6d",
    );
    let mut d = Dissection::default();
    cut(
        &mut st,
        server,
        seg_at(0, false, 56078, &seg, 558),
        1448,
        &mut d,
    );
    assert_eq!(
        (d.protocol.as_str(), d.info.as_str()),
        ("SSLv2", "Encrypted Data")
    );
    assert!(!d.malformed);
    assert_eq!(strs(&d, "tls.record.version"), ["2"]);
    // With its record ending inside the captured bytes, the next one is
    // read.
    let mut short = seg.clone();
    short[0] = 0x80;
    short[1] = 0x08;
    let mut d = Dissection::default();
    cut(
        &mut st,
        server,
        seg_at(0, false, 56078, &short, 559),
        1448,
        &mut d,
    );
    assert_eq!(d.info, "Encrypted Data, Continuation Data");
}

/// dns_lab.pcapng frames 1 and 2 (a query and its response) sent again
/// at chosen times in one UDP conversation: as tshark tracks DNS
/// transactions, a query repeated unanswered within 5 s is a
/// retransmission and the response answers the first one; a repeated
/// response is a retransmission; a query after the answer, or 5 s after
/// an unanswered one, starts a new transaction; a response to nothing
/// is unsolicited.
#[test]
fn dns_transactions_follow_tshark() {
    let query = hex("1a1601000001000000000000096d6963726f736f667403636f6d0000010001");
    let response = hex(DNS_RESPONSE);
    let (client, server) = endpoints(49905, 53);
    let mut st = AppState::default();
    let mut frame = 0;
    let mut send = |st: &mut AppState, secs: f64, is_query: bool| {
        frame += 1;
        let dg = Datagram {
            stream: 0,
            frame,
            ts_ns: (secs * 1e9) as i64,
            quoted: false,
        };
        let mut d = Dissection::default();
        let (ep, msg) = if is_query {
            (client, &query)
        } else {
            (server, &response)
        };
        assert!(udp(st, ep, dg, msg, &mut d));
        let f = |n: &str| strs(&d, n).join(",");
        [
            f("dns.response_to"),
            f("dns.time"),
            f("dns.retransmit_request_in"),
            f("dns.retransmit_response_in"),
            f("dns.unsolicited"),
        ]
    };
    let none = || [""; 5].map(String::from);
    let row = |v: [&str; 5]| v.map(String::from);
    assert_eq!(send(&mut st, 0.0, false), row(["", "", "", "", "true"]));
    assert_eq!(send(&mut st, 1.0, true), none());
    assert_eq!(send(&mut st, 2.0, true), row(["", "", "2", "", ""]));
    assert_eq!(
        send(&mut st, 3.5, false),
        row(["2", "2.500000000", "", "", ""])
    );
    assert_eq!(send(&mut st, 4.0, false), row(["", "", "", "4", ""]));
    assert_eq!(send(&mut st, 4.5, true), none());
    assert_eq!(send(&mut st, 9.5, true), none());
    assert_eq!(
        send(&mut st, 10.0, false),
        row(["7", "0.500000000", "", "", ""])
    );
}

// Cases found in traffic recorded through a lossy path (see
// tests/tests/fresh.rs), each as small as it shows.

/// Feed one segment of stream 7 between port 40000 (client) and 80.
fn http_seg(st: &mut AppState, from_client: bool, seq: u32, data: &[u8], frame: u64) -> Dissection {
    let ep = if from_client {
        Endpoints {
            src_port: 40000,
            dst_port: 80,
        }
    } else {
        Endpoints {
            src_port: 80,
            dst_port: 40000,
        }
    };
    let mut d = Dissection::default();
    tcp(st, ep, seg_at(7, from_client, seq, data, frame), &mut d);
    d
}

/// nginx answers HEAD with the Content-Length the body would have: the
/// response ends with its head, it waits for no body.
#[test]
fn response_to_head_ends_with_its_head() {
    let mut st = AppState::default();
    let req = b"HEAD /f25.css HTTP/1.1\r\nHost: 10.77.2.2\r\n\r\n";
    http_seg(&mut st, true, 1, req, 1);
    let resp = b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/css\r\nContent-Length: 1733\r\n\r\n";
    let d = http_seg(&mut st, false, 1, resp, 2);
    assert_eq!(d.info, "HTTP/1.1 200 OK ");
    assert_eq!(strs(&d, "http.request_in"), ["1"]);
    assert_eq!(st.reassembly_stats().in_progress, 0);
}

/// python's http.server sends a .bin file as application/octet-stream:
/// tshark hands it to the data dissector, which adds no note to Info.
#[test]
fn octet_stream_body_is_data() {
    let mut st = AppState::default();
    http_seg(
        &mut st,
        true,
        1,
        b"GET /f1.bin HTTP/1.0\r\nHost: h\r\n\r\n",
        1,
    );
    let resp = b"HTTP/1.0 200 OK\r\nContent-type: application/octet-stream\r\nContent-Length: 4\r\n\r\n\xd8\xff\x22\x2c";
    let d = http_seg(&mut st, false, 1, resp, 2);
    assert_eq!(d.info, "HTTP/1.0 200 OK ");
    assert!(!d.has("media"));
    assert_eq!(strs(&d, "data.len"), ["Int(4)"]);
}

/// http.file_data is ASCII to tshark (each byte above 0x7f is U+FFFD) and
/// ends at the first NUL.
#[test]
fn file_data_is_ascii_up_to_a_nul() {
    let mut st = AppState::default();
    http_seg(&mut st, true, 1, b"GET /a.txt HTTP/1.0\r\n\r\n", 1);
    let resp =
        b"HTTP/1.0 200 OK\r\nContent-type: text/plain\r\nContent-Length: 7\r\n\r\nab\xc3\xa9\0cd";
    let d = http_seg(&mut st, false, 1, resp, 2);
    assert_eq!(strs(&d, "http.file_data"), ["ab\u{fffd}\u{fffd}"]);
}

/// Pipelined requests in one segment: HTTP appends each message's text
/// to the column as it is, with no separator.
#[test]
fn pipelined_messages_share_the_column_without_separator() {
    let mut st = AppState::default();
    let reqs = b"GET /f9.html HTTP/1.1\r\nHost: h\r\n\r\nGET /f16.html HTTP/1.1\r\nHost: h\r\n\r\n";
    let d = http_seg(&mut st, true, 1, reqs, 1);
    assert_eq!(d.info, "GET /f9.html HTTP/1.1 GET /f16.html HTTP/1.1 ");
    // Two responses for the last request: the second has no request of
    // its own and still names the latest request's URI.
    let one = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let mut resp = one.to_vec();
    resp.extend_from_slice(one);
    resp.extend_from_slice(one);
    let d = http_seg(&mut st, false, 1, &resp, 2);
    assert_eq!(strs(&d, "http.response_for.uri"), ["http://h/f16.html"; 3]);
    assert_eq!(strs(&d, "http.request_in"), ["1"]);
    // A message started after one shown in the same frame shows its
    // first line before it is held.
    let mut st = AppState::default();
    http_seg(
        &mut st,
        true,
        1,
        b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
        1,
    );
    let mut resp = one.to_vec();
    resp.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    let d = http_seg(&mut st, false, 1, &resp, 2);
    assert_eq!(d.info, "HTTP/1.1 200 OK HTTP/1.1 200 OK ");
}

/// A chunked body's middle segments: HTTP is handed what was gathered,
/// writes its first line, asks for more; tshark shows that line and the
/// reassembly note instead of TCP's text.
#[test]
fn chunked_body_middle_segments_show_the_first_line() {
    let mut st = AppState::default();
    http_seg(
        &mut st,
        true,
        1,
        b"GET /f1.html HTTP/1.1\r\nHost: h\r\n\r\n",
        1,
    );
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n";
    let mut seq = 1u32;
    http_seg(&mut st, false, seq, head, 2);
    seq += head.len() as u32;
    let body = [b'x'; 300];
    let mut d = Dissection::default();
    for frame in 3..5 {
        d = http_seg(&mut st, false, seq, &body, frame);
        seq += body.len() as u32;
    }
    assert_eq!(
        st.held_note(),
        &HeldNote::Replace(format!("HTTP/1.1 200 OK  {HELD_NOTE}"))
    );
    assert!(d.info.is_empty() || d.info.starts_with("HTTP/1.1"));
}

/// TLS 1.3 (nghttpd, curl): the server asks for another Client Hello
/// (its Server Hello carries the HelloRetryRequest random) and sends a
/// dummy Change Cipher Spec; the client's second Client Hello after its
/// own dummy Change Cipher Spec is in clear text.
#[test]
fn tls13_hello_retry_request() {
    const HRR: &str = concat!(
    "1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c20ce01f1b4",
    "a0981d52509d1c982151b685bca3dd54ebc238d798905dcbd2d9b5c4130200000c002b00020304003300020017140303",
    "000101"
);
    const CH2: &str = concat!(
    "1403030001011603030200010001fc0303b2cbbdc4628ea6f24d733c5ad7baa52b490638b5ae0b3f276326a1d250a32b",
    "7320ce01f1b4a0981d52509d1c982151b685bca3dd54ebc238d798905dcbd2d9b5c40018130213031301c02bc02fc02c",
    "c030cca9cca8009e009f00ff0100019b000b000403000102000a00160014001d0017001e001900180100010101020103",
    "0104002300003374000000100011000f0268320568322d31360568322d31340016000000170000000d002a0028040305",
    "030603080708080809080a080b080408050806040105010601030303010302040205020602002b000908030403030302",
    "0301002d0002010100330047004500170041041bf0cc74c489f16377f9e902a6133f71f7f2499850fa37946be0421845",
    "ec9126e4c940facd833ea634c9b398e2724dd5550c228a1e963d0b93c2e09f02fe2308001500c4000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
);
    let mut st = AppState::default();
    let (cli, srv) = (
        Endpoints {
            src_port: 33264,
            dst_port: 8443,
        },
        Endpoints {
            src_port: 8443,
            dst_port: 33264,
        },
    );
    let mut d = Dissection::default();
    tcp(&mut st, srv, seg_at(3, false, 1, &hex(HRR), 2), &mut d);
    assert_eq!(d.info, "Hello Retry Request, Change Cipher Spec");
    assert_eq!(
        strs(&d, "tls.handshake.extensions_key_share_selected_group"),
        ["23"]
    );
    assert!(strs(&d, "tls.handshake.extensions_key_share_group").is_empty());
    let mut d = Dissection::default();
    tcp(&mut st, cli, seg_at(3, true, 518, &hex(CH2), 3), &mut d);
    assert_eq!(d.info, "Change Cipher Spec, Client Hello");
    assert!(strs(&d, "tls.handshake.random_bytes").is_empty());
}

/// dig sets the AD bit in its queries; tshark shows it (as
/// dns.flags.authenticated) only when set.
#[test]
fn dns_query_with_the_ad_bit() {
    let q = hex("16550120000100000000000105616c696173056672657368047465737400000c000100002904d000000000000c000a000805ba6964d679d9c6");
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let ep = Endpoints {
        src_port: 40000,
        dst_port: 53,
    };
    assert!(udp(&mut st, ep, Datagram::default(), &q, &mut d));
    assert_eq!(strs(&d, "dns.flags.authenticated"), ["true"]);
    assert!(strs(&d, "dns.flags.rcode").is_empty());
}

/// HTTP heads cut by the snapshot length (frames of a capture cut at 96
/// bytes): a last line cut after its colon is a header; one cut before it
/// ends the dissection before the message is counted.
#[test]
fn http_heads_cut_short_show_their_fields() {
    let ep = Endpoints {
        src_port: 40000,
        dst_port: 80,
    };
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let data = b"GET /f85.css HTTP/1.1\r\nHost: 1";
    cut(&mut st, ep, seg_at(1, true, 1, data, 1), 130, &mut d);
    assert_eq!(strs(&d, "http.host"), ["1"]);
    assert_eq!(strs(&d, "http.request.line"), ["Host: 1"]);
    assert_eq!(strs(&d, "http.request.full_uri"), ["http://1/f85.css"]);
    assert_eq!(strs(&d, "http.request_number"), ["1"]);
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let data = b"GET /f134.json HTTP/1.1\r\nHost";
    cut(&mut st, ep, seg_at(1, true, 1, data, 1), 130, &mut d);
    assert_eq!(strs(&d, "http.request.method"), ["GET"]);
    assert!(strs(&d, "http.request.line").is_empty());
    assert!(strs(&d, "http.request_number").is_empty());
}

/// A response reassembled from three segments, then its middle segment
/// again, close enough to be called out of order (not a retransmission):
/// tshark's reassembly refuses bytes for a PDU it has handed on, and the
/// frame ends in a reassembly error (seen on TLS through a reordering
/// router; tcp_vlan_http_retrans.pcap frame 233 is a fast retransmission
/// that meets the same fate).
#[test]
fn bytes_of_a_pdu_handed_on_are_a_reassembly_error() {
    use crate::tcp_analysis::verdict::aflags;
    let mut st = AppState::default();
    http_seg(&mut st, true, 1, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n";
    http_seg(&mut st, false, 1, head, 2);
    let body_at = 1 + head.len() as u32;
    http_seg(&mut st, false, body_at, b"abcd", 3);
    let mut d = Dissection::default();
    let mut again = seg_at(7, false, body_at, b"abcd", 4);
    again.flags = aflags::OUT_OF_ORDER;
    let ep = Endpoints {
        src_port: 80,
        dst_port: 40000,
    };
    // Not yet: the PDU still waits for its last bytes, which these are not.
    assert_eq!(tcp(&mut st, ep, again, &mut d), Handoff::Held);
    let mut d = Dissection::default();
    let last = seg_at(7, false, body_at + 4, b"efgh", 5);
    assert_eq!(tcp(&mut st, ep, last, &mut d), Handoff::Claimed);
    let mut d = Dissection::default();
    let mut again = seg_at(7, false, body_at, b"abcd", 6);
    again.flags = aflags::OUT_OF_ORDER;
    assert_eq!(
        tcp(&mut st, ep, again, &mut d),
        Handoff::Refused {
            why: Refused::Overlaps,
            shown: false
        }
    );
}

/// A fresh HTTP/1.1 capture cut to 400 bytes (nginx sending a 147,853-byte
/// PNG): the segment holds the head and the image's first bytes; its IDAT
/// chunk runs past the segment, and the body goes on in later segments, so
/// tshark's PNG dissector fails with a fragment bounds error (not "Packet
/// size limited", not malformed). A chunk that ends inside the segment
/// but past the captured bytes is a snapshot-length cut.
#[test]
fn png_cut_short_past_its_segment_is_an_unreassembled_fragment() {
    let ep = Endpoints {
        src_port: 80,
        dst_port: 40000,
    };
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 147853\r\n\r\n";
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&[0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0, 1, 2, 3, 4]);
    let seg_body = 1448 - head.len();
    // The response's segment, cut after the first 6 bytes of an IDAT
    // chunk of `idat` bytes.
    let response = |idat: u32| {
        let mut st = AppState::default();
        http_seg(
            &mut st,
            true,
            1,
            b"GET /f15.png HTTP/1.1\r\nHost: a\r\n\r\n",
            1,
        );
        let mut data = head.to_vec();
        data.extend_from_slice(&png);
        data.extend_from_slice(&idat.to_be_bytes());
        data.extend_from_slice(b"IDAT\x78\x9c");
        let mut d = Dissection::default();
        cut(&mut st, ep, seg_at(7, false, 1, &data, 2), 1448, &mut d);
        d
    };
    // Past the segment.
    let d = response(147_796);
    assert_eq!(
        d.info,
        "HTTP/1.1 200 OK  (PNG)[BoundErrorUnreassembled Packet]"
    );
    assert!(!d.malformed);
    // Ends inside the segment: the capture cut it.
    assert!(png.len() + 112 < seg_body);
    let d = response(100);
    assert_eq!(d.info, "HTTP/1.1 200 OK  (PNG)");
    assert!(d.malformed, "left to the pipeline: Packet size limited");
}

/// Pipelined requests in a segment cut short (fresh capture, cut to 110
/// and 250 bytes): a request whose head was cut after its first line
/// shows that line; two or more bytes of the next one show as a
/// continuation; a single byte shows nothing.
#[test]
fn pipelined_requests_cut_short_follow_tshark() {
    let ep = Endpoints {
        src_port: 40000,
        dst_port: 80,
    };
    let one = b"GET /f15.png HTTP/1.1\r\nHost: 10.77.2.2\r\n\r\n";
    for (extra, want) in [
        (&b"G"[..], "GET /f15.png HTTP/1.1 "),
        (b"GE", "GET /f15.png HTTP/1.1 Continuation"),
        (
            b"GET /f3.css HTTP/1.1\r\nHo",
            "GET /f15.png HTTP/1.1 GET /f3.css HTTP/1.1 ",
        ),
    ] {
        let mut st = AppState::default();
        let mut data = one.to_vec();
        data.extend_from_slice(extra);
        let mut d = Dissection::default();
        cut(&mut st, ep, seg_at(7, true, 1, &data, 1), 189, &mut d);
        assert_eq!(d.info, want, "{:?}", String::from_utf8_lossy(extra));
    }
}

/// A fresh HTTP/1.0 capture (python's http.server, 1.7 % loss): the
/// response head is lost, its body's segments go to HTTP, which asks for
/// more without writing the Info column, and still does when the PDU it
/// was given whole is again body bytes: TCP's own text stays, with the
/// note after it (not the note alone).
#[test]
fn body_bytes_held_again_keep_tcps_text() {
    let mut st = AppState::default();
    http_seg(
        &mut st,
        true,
        1,
        b"GET /f68.json HTTP/1.0\r\nHost: 10.77.2.2\r\n\r\n",
        1,
    );
    let body = vec![b'7'; 1448];
    http_seg(&mut st, false, 195, &body, 2);
    assert_eq!(st.held_note(), &HeldNote::Append);
    http_seg(&mut st, false, 1643, &body[..292], 4);
    assert_eq!(st.held_note(), &HeldNote::Append);
}

/// A segment of header lines on a connection where no request was seen
/// (the capture began after it): tshark's HTTP shows the headers' fields
/// and the body under its media type but leaves the columns to TCP (the
/// media dissector appends its note to TCP's text); bytes whose first line
/// is not a header are not HTTP at all.
#[test]
fn headers_before_any_request_leave_the_columns_to_tcp() {
    let (_, server) = endpoints(5000, 80);
    let tcp_text = "80 → 5000 [PSH, ACK] Seq=1 Ack=1 Win=65535 Len=62";
    let mut st = AppState::default();
    let mut d = Dissection {
        protocol: "TCP".into(),
        info: tcp_text.into(),
        ..Default::default()
    };
    let b = b"Content-Type: text/html\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
    tcp(&mut st, server, seg_at(1, false, 1, b, 1), &mut d);
    assert_eq!(d.protocol, "TCP");
    assert_eq!(d.info, format!("{tcp_text} (text/html)"));
    assert_eq!(strs(&d, "http.content_type"), ["text/html"]);
    assert_eq!(strs(&d, "http.server"), ["x"]);
    assert!(strs(&d, "http.response.line").is_empty());
    assert_eq!(layers(&d), ["http", "data-text-lines"]);
    let mut d = Dissection {
        protocol: "TCP".into(),
        info: tcp_text.into(),
        ..Default::default()
    };
    let b = b"hello there\r\nServer: y\r\n\r\n";
    tcp(&mut st, server, seg_at(2, false, 1, b, 2), &mut d);
    assert_eq!((d.protocol.as_str(), d.info.as_str()), ("TCP", tcp_text));
    assert!(layers(&d).is_empty(), "{:?}", layers(&d));
}

/// After a request, header lines that continue a message lost in part
/// are a continuation whose headers count: their fields, and a body under
/// the media type they name.
#[test]
fn a_continuation_of_headers_dissects_its_body() {
    let mut st = AppState::default();
    http_seg(&mut st, true, 1, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    let b = b"Content-Type: text/html\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
    let d = http_seg(&mut st, false, 1000, b, 2);
    assert_eq!(
        (d.protocol.as_str(), d.info.as_str()),
        ("HTTP", "Continuation (text/html)")
    );
    assert_eq!(strs(&d, "http.content_length_header"), ["5"]);
    assert_eq!(layers(&d), ["http", "data-text-lines"]);
}

/// A body with no Content-Type goes to the data dissector, de-chunked and
/// decoded first (tshark's `http:data`).
#[test]
fn a_body_without_a_media_type_is_data() {
    let mut st = AppState::default();
    http_seg(&mut st, true, 1, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    let d = http_seg(
        &mut st,
        false,
        1,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        2,
    );
    assert_eq!(layers(&d), ["http", "data"]);
    assert_eq!(strs(&d, "data.len"), ["Int(5)"]);
    assert_eq!(strs(&d, "http.file_data"), ["hello"]);
}

/// Without desegmentation (the daemon's samples, `monitor tail`) each
/// segment of a body is a continuation captured whole: text is read to
/// its end without an error; only header-like lines followed by a line
/// left without its end throw, past the segment (tshark with
/// `tcp.desegment_tcp_streams:FALSE`: "[BoundErrorUnreassembled Packet]",
/// not a malformed packet).
#[test]
fn body_segments_without_desegmentation_are_not_malformed() {
    let (client, server) = endpoints(5000, 80);
    let mut st = AppState::default();
    let get = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut d = Dissection::default();
    cut(
        &mut st,
        client,
        seg_at(3, true, 1, get, 1),
        get.len(),
        &mut d,
    );
    for (body, info) in [
        (&b"line one\r\nline two"[..], "Continuation"),
        (
            &b"{\"a\": 1,\r\n\"b\": 2,\r\nhello"[..],
            "Continuation[BoundErrorUnreassembled Packet]",
        ),
    ] {
        let mut d = Dissection::default();
        cut(
            &mut st,
            server,
            seg_at(3, false, 1000, body, 2),
            body.len(),
            &mut d,
        );
        assert_eq!((d.protocol.as_str(), d.info.as_str()), ("HTTP", info));
        assert!(!d.malformed, "{info}");
    }
}

/// A fresh nginx capture cut at 400 bytes: a response whose head is whole
/// and whose chunked, gzip-compressed body is cut short. tshark dissects
/// the head as any response's (its header lines, the request it answers)
/// and decodes nothing of the body; a JSON body cut short is JSON up to
/// where it stops, the rest line-based text.
#[test]
fn whole_heads_with_bodies_cut_short_follow_tshark() {
    let (client, server) = endpoints(5000, 80);
    let mut st = AppState::default();
    let mut d = Dissection::default();
    let get = b"GET /f53.html HTTP/1.1\r\nHost: 10.77.2.2\r\n\r\n";
    cut(
        &mut st,
        client,
        seg_at(4, true, 1, get, 1),
        get.len(),
        &mut d,
    );
    let resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\nfd\r\n\x1f\x8b\x08\x00\x00\x00";
    let mut d = Dissection::default();
    cut(&mut st, server, seg_at(4, false, 1, resp, 2), 1448, &mut d);
    assert_eq!(d.info, "HTTP/1.1 200 OK ");
    assert_eq!(strs(&d, "http.request_in"), ["1"]);
    assert_eq!(strs(&d, "http.response.line").len(), 3);
    assert!(strs(&d, "http.chunk_size").is_empty());
    assert_eq!(layers(&d), ["http"]);
    let get = b"GET /f68.json HTTP/1.1\r\nHost: 10.77.2.2\r\n\r\n";
    let mut d = Dissection::default();
    cut(
        &mut st,
        client,
        seg_at(4, true, 45, get, 3),
        get.len(),
        &mut d,
    );
    let resp = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n{\"n\": 68, \"s\": \"xxxx";
    let mut d = Dissection::default();
    cut(
        &mut st,
        server,
        seg_at(4, false, 1449, resp, 4),
        370,
        &mut d,
    );
    assert_eq!(layers(&d), ["http", "json", "data-text-lines"]);
}

/// A fresh capture cut at 128 bytes: a pipelined request line captured up
/// to its CR, without its LF. tshark ends the line at the CR: the version
/// does not keep it.
#[test]
fn a_request_line_cut_after_its_cr_ends_there() {
    let (client, _) = endpoints(40000, 80);
    let mut data = b"GET /f15.png HTTP/1.1\r\nHost: 10.77.2.2\r\n\r\n".to_vec();
    data.extend_from_slice(b"GET /f3.css HTTP/1.1\r");
    let mut st = AppState::default();
    let mut d = Dissection::default();
    cut(&mut st, client, seg_at(7, true, 1, &data, 1), 189, &mut d);
    assert_eq!(d.info, "GET /f15.png HTTP/1.1 Continuation");
    assert_eq!(strs(&d, "http.request.version"), ["HTTP/1.1", "HTTP/1.1"]);
}
