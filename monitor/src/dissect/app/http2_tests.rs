//! HTTP/2 on real traffic: `nghttpd --no-tls` serving `nghttp` on port
//! 8080 through a lossy path (the fresh-traffic test's h2c captures), and
//! the same captures cut by `editcap -s`.

use super::tests::hex;
use super::*;
use crate::dissect::FieldType;

/// Values of a field, as tshark's `-T fields` prints them.
fn texts(d: &Dissection, name: &str) -> Vec<String> {
    d.fields
        .iter()
        .filter(|f| f.def.name == name && f.def.ty != FieldType::Layer)
        .map(|f| {
            let mut s = String::new();
            crate::dissect::format::write_value(&mut s, f.def, &f.value);
            s
        })
        .collect()
}

/// The protocol layers of a dissection, as `frame.protocols` lists them.
fn layers(d: &Dissection) -> Vec<&'static str> {
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

/// Ports of the client and the server.
fn endpoints(from_client: bool, client_port: u16) -> Endpoints {
    if from_client {
        Endpoints {
            src_port: client_port,
            dst_port: 8080,
        }
    } else {
        Endpoints {
            src_port: 8080,
            dst_port: client_port,
        }
    }
}

/// Dissect segments (frame, from client, relative sequence number,
/// payload) of one connection; the dissections by frame.
fn run(frames: &[(u64, bool, u32, &str)], client_port: u16) -> Vec<(u64, Dissection)> {
    let mut st = AppState::default();
    frames
        .iter()
        .map(|&(frame, from_client, seq, payload)| {
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
            tcp(&mut st, endpoints(from_client, client_port), seg, &mut d);
            (frame, d)
        })
        .collect()
}

/// Fresh h2c capture, seed 2, TCP stream 0 (client port 38380), the
/// segments with payload up to frame 12: the client's preface, SETTINGS
/// and requests, the server's SETTINGS, then responses. Frame 11 ends with
/// the start of DATA[15] (a JSON body); frame 12 completes it and holds
/// two more whole DATA frames.
const SEED2_START: &[(u64, bool, u32, &str)] = &[
    (6, true, 1, "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a00000c04000000000000030000006400040000ffff00000502000000000300000000c800000502000000000500000000640000050200000000070000000000000005020000000009000000070000000502000000000b000000030000002c01250000000d0000000b0f82048562502f19aa86418a081775d5c4b8ae3c078153032a2f2a907a8aaa69d29ac4c0576c4b8300001301250000000f0000000b0f8204866250afd107ab86c0bf90be0000120125000000110000000b0f82048562512e442386c0bf90be0000130125000000130000000b0f820486625657aea9bf86c0bf90be0000120125000000150000000b0f820485625697221186c0bf90be0000130125000000170000000b0f8204866256d7aea9bf86c0bf90be0000130125000000190000000b0f820486625717aea9bf86c0bf90be00001301250000001b0000000b0f820486625757aea9bf86c0bf90be"),
    (8, false, 1, "000006040000000000000300000064"),
    (10, true, 363, "000000040100000000"),
    (11, false, 16, "00000004010000000000006401040000000d887690aa69d29ae452a9a74a6b13015db12e0f5889a47e561cc58197000f6196d07abe9403aa5f29141004e2806ee34cdc640a62d1bf0f0d01306c96d07abe9403aa5f29141004e2806ee34cdc13ea62d1bf5f901d75d0620d263d4c1c892a56426c28e900001801040000000f88c2c1c00f0d830b8d37bf5f8b1d75d0620d263d4c7441ea00001101040000001188c3c2c10f0d0131c05f86497ca582211f00001401040000001388c4c3c20f0d03333235c15f87352398ac5754df00000c01040000001588c5c4c30f0d8365a007c2bf00000c01040000001788c5c4c30f0d83132f07c2be00000c01040000001988c5c4c30f0d03333235c2be00000c01040000001b88c5c4c30f0d03333235c2be00000000010000000d00066d00010000000f7b226e223a20312c202273223a2022787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878"),
    (12, false, 1464, "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878227d0000010001000000117000014500010000001389504e470d0a1a0a0000000d494844520000010000000001080000000014322fab0000010c494441547801010101fefe008080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808044c180010a4d2fc30000000049454e44ae426082000d490001000000157a7063696f2f6b7561203d783e65756971786c63643c3d6e733c78626f707a6d787077206a3e6c6e7471782f697a6770676c796e663d3c0a6a6d71787a633c6e6168772f3c6f3e663c6e74616f78773e3c3d6b6e2f756a0a6e7a793e656679717a7661782f20747a2f640a656d61737576767178767574623e67712f776d6c61796f666967746d677977676665793c677371746a77616a67707377797a756a3d793d3d206b743d63737964733d66766b676a6d7662796a6b616b74736c7120716574776c6772736e68763c767674617276637664666520733d756e683e726a636b3e736a0a6168617864716e646779666d70726f7a61656e0a75637a3d63716d6a67686c633d68737a656866757a6a3c6f750a6d3e64723e700a74717a646d767767696c6a713d6f646d69697463746b6d66723c76766271752f6372677571663e7079786b7975620a3c6f6c78676c73636a6e6b6c633c61780a3c750a3d74680a686e6172653d6e3c776765617973643d63626c696c3d0a6670646a76657620706164696f0a2f3c20622077686c6c6179206d776f6e6d7567766c2f653d2f746a6e703d6b616476727264616b73716a2f76686568746b3e686667722f3d6174616d6767692f76747a206b677874666575676a66746b20653c77686f71656f6c3e686d776a7361706678746d3e656c727a61656262610a677a6b712f653d663e646878626e3d61793e65636c706867203c6e6c7678786c692f6978716965676a6d79686d707661203e6a79703d6b6c7072667a7a7770753e3e756c713d6f71716d683e7274632f696b730a3e7768"),
];

/// tshark's desegment_tcp keeps the Protocol column as it is once a PDU
/// completed in a segment is followed by more bytes: the JSON body of the
/// completed DATA frame names itself, the frames after it cannot set the
/// column back to HTTP2.
#[test]
fn a_pdu_completed_in_a_segment_fixes_the_protocol_column() {
    let seen = run(SEED2_START, 38380);
    let (frame, d) = seen.last().expect("frames");
    assert_eq!(*frame, 12);
    assert_eq!(d.protocol, "HTTP2/JSON");
    assert_eq!(
        d.info,
        "DATA[15], JavaScript Object Notation (application/json), DATA[17] (text/css), DATA[19] (PNG)"
    );
    assert_eq!(
        layers(d),
        [
            "http",
            "http2",
            "json",
            "http",
            "http2",
            "data-text-lines",
            "png"
        ]
    );
}

/// A DATA frame that ends its stream shows the body it ends; an empty one
/// that ends no earlier fragment shows an empty item, which tshark prints
/// as `<MISSING>` (frame 11: DATA[13], an empty body).
#[test]
fn an_empty_last_data_frame_shows_an_empty_item() {
    let seen = run(SEED2_START, 38380);
    let (frame, d) = &seen[seen.len() - 2];
    assert_eq!(*frame, 11);
    assert_eq!(texts(d, "http2.data.data"), ["<MISSING>"]);
    let (_, d) = seen.last().expect("frames");
    let bodies = texts(d, "http2.data.data");
    assert_eq!(bodies.len(), 3);
    assert!(bodies[0].starts_with("7b226e223a20312c"), "{}", bodies[0]);
    assert_eq!(bodies[1], "70");
    assert!(bodies[2].starts_with("89504e470d0a1a0a"), "{}", bodies[2]);
}

/// Fresh h2c capture, seed 3, cut by `editcap -s 400` (at most 334
/// payload bytes captured): segments of TCP stream 0 (client port
/// 32896) and stream 2 (client port 32912) as (frame, from client,
/// relative sequence number, payload length on the wire, captured
/// payload).
const SEED3_CUT: &[(u64, bool, u32, usize, &str)] = &[
    (6, false, 1, 15, "000006040000000000000300000064"),
    (8, true, 1, 374, "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a00000c04000000000000030000006400040000ffff00000004010000000000000502000000000300000000c800000502000000000500000000640000050200000000070000000000000005020000000009000000070000000502000000000b000000030000002d01250000000d0000000b0f82048662502f3a69a386418a081775d5c4b8ae3c078153032a2f2a907a8aaa69d29ac4c0576c4b8300001301250000000f0000000b0f8204866250af5d537f86c0bf90be0000130125000000110000000b0f82048662512f3a69a386c0bf90be0000130125000000130000000b0f8204866256578cd57f86c0bf90be0000130125000000150000000b0f820486625697e883d586c0bf90be0000130125000000170000000b0f8204866256d7aea9bf86c0bf90be0000130125000000190000000b0f8204"),
    (10, false, 16, 1448, "00000004010000000000005b01040000000d887690aa69d29ae452a9a74a6b13015db12e0f5889a47e561cc58197000f6196d07abe9403aa5f29141004e28072e32e5c69a53168df0f0d01306c96d07abe9403aa5f29141004e28072e32e5c69953168df5f87497ca589d34d1f00001401040000000f88c2c1c00f0d03383339bf5f87352398ac5754df00000c01040000001188c3c2c10f0d03383839c0bf00001b01040000001388c3c2c10f0d0135c05f901d75d0620d263d4c1c892a56426c28e900001801040000001588c4c3c20f0d83642cbfc15f8b1d75d0620d263d4c7441ea00000c01040000001788c5c4c30f0d830bce3bc2c000000a01040000001988c5c4c30f0d0131c2c100000b01040000001b88c5c4c30f0d023139c2be00000000010000000d00034700010000000f89504e470d0a1a0a0000000d49484452000001000000000308000000"),
    (11, false, 1464, 1448, "75746e0a6d656e616c676b717368733e672f71626278746e2f6e6a6c6d727a76786f78776e762f6e3e73712f61740a666b7a3e2f707a61717220703c6170782f6868657974707a3e0a7671682f3d746d653c653c717920666f736175623c726e6d2062736b6c62726f206f6d676c3d6b6820706d6f643e717769616e0a6c6174776567643c666c20690a6a66207a2f6820207875766e64656a7178710a6f786d3e62653d67647472673d6d67656679636d686b7a0a76776d7a736c0a7a726977646b79782f65612f6772720a787265206f6e747a3d7a6c613d6f756d656a706565643d696e63706e733d6d6e6b6b617871687973200a75746f6667716b6a6b6f3e74647563732072617065203e796b716a687a73676d6f3c3c2072777464756b61200a646464627777746a756f62203e616e6c727673796a7a3c70732f710a0a766b727572673e76686e666a7a67"),
    (13, false, 2912, 1448, "78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878"),
    (17, true, 375, 17, "0000080700000000000000000000000000"),
    (36, true, 1, 377, "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a00000c04000000000000030000006400040000ffff00000004010000000000000502000000000300000000c800000502000000000500000000640000050200000000070000000000000005020000000009000000070000000502000000000b000000030000002e01250000000d0000000b0f8204876250b8bce9a68f86418a081775d5c4b8ae3c078153032a2f2a907a8aaa69d29ac4c0576c4b8300001301250000000f0000000b0f8204866250bab9108f86c0bf90be0000130125000000110000000b0f8204866250bcba7ca786c0bf90be0000130125000000130000000b0f8204866250bebc66ab86c0bf90be0000140125000000150000000b0f82048762510179d34d1f86c0bf90be0000130125000000170000000b0f82048662510572211f86c0bf90be0000130125000000190000000b0f"),
    (50, false, 13048, 1448, "7a6865727168662f63206a3d62766b2f616d673d796a7176676b767a0a77726570656d6d736361736d3d70757766666b70757a753d632f676f732f767420703e6c72746263742f6e666f2068716162793d3c733d676c6b3e746d6a677275706963207772767a693d6f6a783d3d716d717572673e72613c6a2f65746965680a6365716c2f3d706971706d7863706b78636d62786a67653d73737a3c7077753e6a742f7377677171767569633d6f7472793c3e3c2f71786f672075656f666f66207a7961667375653c7a776f65716268693e707a6b796a6c773d6777656f2f776e6a676b6b6c7265656e6e6820747176787a736261746766200a6d693d683e6d6c666b3c63626f6d78727064696b766f69626d0a77706b766263646b666d6262657a2f6b626b0a61716a6177797565736b3d6c6b636d6c6320723c6367713d7070770a737867706b7168747161662f"),
    (51, false, 14496, 290, "6479202f697673646a000018000100000019910d4386b3ed5556cacfaa8f3c7ab65ed5285514e083ee800000ef00010000001b0a797568616e3e746c61687420790a65667873753c6c616c6b7467626d6f756e796d753c65613c666c6277712f70686c6962640a706b660a7972613e6c78696768796870706368766e6871773c7973726f666b6b71682079657a796c6d3c3d61206c79733c7a6a2f620a75673c0a736c3c3d616766696b766a666d786b7270616466796f656a726e626e3c6a766e3d6f2f3c77740a7a6c6473742f6a6c6265706f786f6876616e3c686a676b752f6d7a6173746769746a77737a0a7a7763786d203c6961207765676b78786c7862617367646d767620706d74726e3e732f69756e61632f6263673d6f6c6d723c2f6f"),
    (53, true, 378, 17, "0000080700000000000000000000000000"),
];

/// Dissect the segments of [`SEED3_CUT`], each cut or whole as captured;
/// the dissection, the hand-off and TCP's note by frame.
fn run_cut() -> Vec<(u64, Dissection, Handoff, HeldNote)> {
    let mut st = AppState::default();
    SEED3_CUT
        .iter()
        .map(|&(frame, from_client, seq, reported, payload)| {
            let data = hex(payload);
            let (stream, port) = if frame < 30 { (0, 32896) } else { (2, 32912) };
            let seg = TcpPayload {
                stream,
                from_client,
                seq,
                data: &data,
                frame,
                flags: 0,
                ts_ns: 0,
            };
            let ep = endpoints(from_client, port);
            let mut d = Dissection::default();
            let h = if data.len() < reported {
                tcp_truncated(&mut st, ep, seg, reported, &mut d)
            } else {
                tcp(&mut st, ep, seg, &mut d)
            };
            (frame, d, h, st.held_note.clone())
        })
        .collect()
}

/// tshark cannot reassemble a segment cut short (packet-tcp.c allows it
/// only when the whole segment was captured), so the HTTP/2 dissector
/// reads frames from each cut segment's first byte: the middle of a body
/// is taken for a frame header. The client's preface (frame 8, cut) makes
/// the connection HTTP/2 through HTTP, and later whole segments are
/// dissected as HTTP/2 too (the GOAWAY of frame 17).
#[test]
fn cut_segments_are_read_as_frames_from_their_first_byte() {
    let seen = run_cut();
    let by = |n: u64| {
        let (_, d, h, note) = seen.iter().find(|s| s.0 == n).expect("frame");
        (d, *h, note)
    };
    // The server's SETTINGS before the preface: no layer above TCP.
    assert_ne!(by(6).1, Handoff::Claimed);
    assert!(layers(by(6).0).is_empty());
    for n in [8, 10, 11, 13, 17] {
        assert_eq!(layers(by(n).0), ["http", "http2"], "frame {n}");
        assert_eq!(by(n).0.protocol, "HTTP2", "frame {n}");
    }
    // Frame 10: whole frames, then a DATA frame whose payload was not
    // captured: its header shows, and the packet's bounds error ends it.
    let (d, _, _) = by(10);
    assert!(
        d.info.ends_with("HEADERS[27]: 200 OK, DATA[13], DATA[15]"),
        "{}",
        d.info
    );
    assert!(d.malformed);
    assert_eq!(texts(d, "http2.data.data"), ["<MISSING>"]);
    // Eight HEADERS and two DATA frames (the last one cut).
    assert_eq!(texts(d, "http2.pad_length").len(), 10);
    // Frame 11: body text read as an ALTSVC frame whose origin runs past
    // the segment's end (a fragment's bounds error, not the packet's).
    let (d, _, _) = by(11);
    assert_eq!(d.info, "ALTSVC[1701732716][BoundErrorUnreassembled Packet]");
    assert!(!d.malformed);
    assert_eq!(texts(d, "http2.length"), ["7697518"]);
    assert_eq!(texts(d, "http2.flags"), ["0x6d"]);
    // Frame 13: an unknown type, whose payload is read to the end of what
    // was captured.
    let (d, _, _) = by(13);
    assert_eq!(d.info, "Unknown type (120)[2021161080]");
    assert!(!d.malformed);
    assert_eq!(texts(d, "http2.r"), ["0x00000000"]);
    let (d, h, _) = by(17);
    assert_eq!((d.info.as_str(), h), ("GOAWAY[0]", Handoff::Claimed));
    assert_eq!(texts(d, "http2.goaway.error"), ["0"]);
}

/// A frame header read in a cut segment tells TCP where the next PDU
/// starts (tshark's PDU tracking): frame 50's says 7.5 MB on, so the whole
/// segment of frame 51 lies inside that PDU and is only held, with TCP's
/// own text kept.
#[test]
fn a_frame_read_in_a_cut_segment_holds_later_whole_segments() {
    let seen = run_cut();
    let (_, d, h, note) = seen.iter().find(|s| s.0 == 50).expect("frame 50");
    assert_eq!(d.info, "Unknown type (114)[1751527267]");
    assert_eq!(*h, Handoff::Claimed);
    assert_eq!(*note, HeldNote::None);
    let (_, d, h, note) = seen.iter().find(|s| s.0 == 51).expect("frame 51");
    assert_eq!((*h, note), (Handoff::Held, &HeldNote::Append));
    assert!(layers(d).is_empty());
    let (_, d, _, _) = seen.iter().find(|s| s.0 == 53).expect("frame 53");
    assert_eq!(d.info, "GOAWAY[0]");
}

/// A DATA frame with `len` bytes of payload (`a` repeated) on stream 21.
fn data_frame(len: usize, flags: u8) -> Vec<u8> {
    let mut f = vec![0, 0, len as u8, 0, flags, 0, 0, 0, 21];
    f.resize(9 + len, b'a');
    f
}

/// The shape of fresh h2c seed 2's frame 18473: a segment ends a frame
/// whose middle was lost (the PDU stays incomplete), then holds a whole
/// frame. desegment_tcp writes its note for the first part, fences the
/// column and keeps the Protocol column TCP's; HTTP/2's text follows.
#[test]
fn a_segment_ending_an_incomplete_pdu_notes_it_before_the_next_frame() {
    let mut st = after_preface(40000);
    // A 29-byte frame: 10 bytes, 10 lost, then its last 9 and a whole
    // 17-byte frame.
    let big = data_frame(20, 0);
    let small = data_frame(8, 0);
    let (h, _) = from_server(&mut st, 1, &big[..10], 2);
    assert_eq!(h, Handoff::Held);
    let mut tail = big[20..].to_vec();
    tail.extend_from_slice(&small);
    let (h, d) = from_server(&mut st, 21, &tail, 4);
    assert_eq!(h, Handoff::Claimed);
    assert_eq!(st.held_note, HeldNote::Kept);
    assert_eq!(d.protocol, "TCP");
    assert_eq!(d.info, " [TCP segment of a reassembled PDU], DATA[21]");
}

/// A segment of stream 0 (frame `frame`, relative sequence number `seq`).
fn seg(from_client: bool, seq: u32, data: &[u8], frame: u64) -> TcpPayload<'_> {
    TcpPayload {
        stream: 0,
        from_client,
        seq,
        data,
        frame,
        flags: 0,
        ts_ns: 0,
    }
}

/// The state of a connection on client port `port` once the client's
/// connection preface (frame 1) made it HTTP/2.
fn after_preface(port: u16) -> AppState {
    let mut st = AppState::default();
    let preface = hex("505249202a20485454502f322e300d0a0d0a534d0d0a0d0a");
    let mut d = Dissection::default();
    tcp(
        &mut st,
        endpoints(true, port),
        seg(true, 1, &preface, 1),
        &mut d,
    );
    st
}

/// Hand the server's segment of client port 40000 (frame `frame`,
/// relative sequence number `seq`) to the TCP payload dispatch: what
/// became of it, and its dissection.
fn from_server(st: &mut AppState, seq: u32, data: &[u8], frame: u64) -> (Handoff, Dissection) {
    let mut d = Dissection::default();
    let h = tcp(
        st,
        endpoints(false, 40000),
        seg(false, seq, data, frame),
        &mut d,
    );
    (h, d)
}

/// A frame header: payload length, type, flags, stream.
fn frame(t: u8, flags: u8, sid: u8, payload: &[u8]) -> Vec<u8> {
    let n = payload.len();
    let mut f = vec![0, (n >> 8) as u8, n as u8, t, flags, 0, 0, 0, sid];
    f.extend_from_slice(payload);
    f
}

/// tcp_dissect_pdus catches the PNG dissector's error for one frame and
/// goes on: the note follows that frame's text, before the next frame's
/// (the body is the start of fresh h2c seed 1's frame 40: the signature,
/// then random bytes read as a chunk length past the end).
#[test]
fn a_malformed_png_body_is_noted_where_its_frame_ends() {
    let mut st = after_preface(40000);
    // Literal header fields, not indexed, not Huffman-coded.
    let mut block = vec![0, 7];
    block.extend_from_slice(b":status\x03200\x00\x0ccontent-type\x09image/png");
    let mut server = frame(1, 0x04, 1, &block);
    let png = hex("89504e470d0a1a0acd20f5198b26639fcc590f65108c38b87fb4d485");
    server.extend_from_slice(&frame(0, 0x01, 1, &png));
    server.extend_from_slice(&frame(0, 0x00, 3, b"abcd"));
    let (h, d) = from_server(&mut st, 1, &server, 2);
    assert_eq!(h, Handoff::Claimed);
    assert_eq!(
        d.info,
        "HEADERS[1]: 200 OK, DATA[1] (PNG)[Malformed Packet], DATA[3]"
    );
    assert!(d.malformed && d.malformed_noted);
    assert_eq!(layers(&d), ["http", "http2", "png"]);
}

/// Fresh h2c capture at full scale, seed 3, cut by `editcap -s 200` (134
/// of 1448 payload bytes captured): body bytes read as frames.
const SEED3_CUT200: &[(u64, &str)] = &[
    (452, "00034503be8d5ac439d278bb8b5152e1c357b24252f610729e5b267fcdbff4ca1fabd29a73de61c827a0e5fd2f94b1bffbe44158a1b58e843727406abaf30708078a69be78abd7e77ff69497a275d80d20a769d08d75c33b50cae89e9604740b5a9ec901bef762e24e1e7389254f26a7caf962922805e83ba46d2930c81e9f8932c2bf25b117"),
    (592, "17f4eb042e7bb6793fc6e390ff25368e736e12f3a49b84c26fb67f5f8e82c99ac332670f31ac2b5800662c210a1c737a80beb78ef059fefc4c518597bca3c3008d1bde93921200ec2e671f4c56e05f7bb299be39fb9457336fa44b3bbc841d0e933354837add5230be5b3e93763c3eefe1e7eeb4107a7b3bc5fade86e9fb393c89c72db3ff38"),
    (1307, "0000000049454e44ae42608200015600010000001b7b226e223a2033312c202273223a202278787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878"),
];

/// How the frames read from those cut segments end, after the client's
/// preface made the connection HTTP/2.
#[test]
fn frames_read_from_cut_segments_end_as_in_tshark() {
    let mut st = after_preface(44788);
    let mut seen = Vec::new();
    for &(frame, payload) in SEED3_CUT200 {
        let data = hex(payload);
        let mut d = Dissection::default();
        let s = seg(false, frame as u32 * 1448, &data, frame);
        tcp_truncated(&mut st, endpoints(false, 44788), s, 1448, &mut d);
        seen.push(d);
    }
    // A RST_STREAM 846 bytes long: the next frame would start past the
    // captured bytes, where tcp_dissect_pdus' loop ends without an error.
    assert_eq!(seen[0].info, "RST_STREAM[224052281]");
    assert!(!seen[0].malformed);
    // SETTINGS: each identifier shows once its two bytes were captured,
    // its value once all four were (20 whole settings, then an
    // identifier alone).
    assert_eq!(seen[1].info, "SETTINGS[2075556159]");
    assert!(seen[1].malformed);
    assert_eq!(texts(&seen[1], "http2.settings.id").len(), 21);
    // A padded DATA frame of length 0 captured whole: reading its pad
    // length runs past its end, a fragment's bounds error; no pad length
    // shows for it.
    assert_eq!(
        seen[2].info,
        "DATA[1162757294][BoundErrorUnreassembled Packet], \
         DATA[1442840832][BoundErrorUnreassembled Packet]"
    );
    assert_eq!(texts(&seen[2], "http2.pad_length"), ["0"]);
    assert!(!seen[2].malformed);
}

/// The shape of fresh h2c seed 2's frame 2584 (full scale, FRESH_SCALE
/// of the -T json test): a segment ends a frame and holds 8 bytes of the
/// next one's header; the next segment is taken whole, and the frame it
/// starts still needs more. HTTP/2 cleared the Info column when it was
/// handed those bytes, so only TCP's note shows.
#[test]
fn a_header_completed_by_a_whole_segment_leaves_only_the_note() {
    let mut st = after_preface(40000);
    let mut first = frame(0, 0x00, 3, b"abcd");
    let big = frame(0, 0x00, 5, &[b'x'; 100]);
    first.extend_from_slice(&big[..8]);
    let (h, d) = from_server(&mut st, 1, &first, 2);
    assert_eq!((h, d.info.as_str()), (Handoff::Claimed, "DATA[3]"));
    let (h, _) = from_server(&mut st, 1 + first.len() as u32, &big[8..40], 3);
    assert_eq!(h, Handoff::Held);
    assert_eq!(st.held_note, HeldNote::Replace(HELD_NOTE.into()));
}
