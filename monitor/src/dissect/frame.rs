//! `frame`: the pseudo-protocol with the capture metadata of each frame.

use super::{Base, Dissection, Value};
use crate::record::{FileInfo, PacketRecord};

fields! {
    FRAME = "frame", Protocol, Base::Dec, "Frame";
    FRAME_NUMBER = "frame.number", UInt, Base::Dec, "Frame Number";
    FRAME_LEN = "frame.len", UInt, Base::Dec, "Frame length on the wire" in LEN_BLOCK;
    FRAME_CAP_LEN = "frame.cap_len", UInt, Base::Dec, "Frame length stored into the capture file" in LEN_BLOCK;
    FRAME_TIME = "frame.time", AbsTime, Base::Dec, "Arrival Time" in TIME_BLOCK;
    FRAME_TIME_EPOCH = "frame.time_epoch", RelTime, Base::Dec, "Epoch Time" in TIME_BLOCK;
    FRAME_TIME_DELTA = "frame.time_delta", RelTime, Base::Dec, "Time delta from previous captured frame" in TIME_BLOCK;
    FRAME_TIME_DELTA_DISPLAYED = "frame.time_delta_displayed", RelTime, Base::Dec, "Time delta from previous displayed frame" in TIME_BLOCK;
    FRAME_TIME_RELATIVE = "frame.time_relative", RelTime, Base::Dec, "Time since reference or first frame";
    FRAME_MARKED = "frame.marked", Bool, Base::Dec, "Frame is marked" in LEN_BLOCK;
    FRAME_IGNORED = "frame.ignored", Bool, Base::Dec, "Frame is ignored" in LEN_BLOCK;
    FRAME_PROTOCOLS = "frame.protocols", String, Base::Dec, "Protocols in frame";
    FRAME_ENCAP_TYPE = "frame.encap_type", Int, Base::Dec, "Encapsulation type" in LEN_BLOCK;
    FRAME_OFFSET_SHIFT = "frame.offset_shift", RelTime, Base::Dec, "Time shift for this packet" in LEN_BLOCK;
    FRAME_INTERFACE_ID = "frame.interface_id", UInt, Base::Dec, "Interface id" in FILE_BLOCK;
    FRAME_INTERFACE_NAME = "frame.interface_name", String, Base::Dec, "Interface name" in FILE_BLOCK;
    FRAME_SECTION_NUMBER = "frame.section_number", UInt, Base::Dec, "Section number" in FILE_BLOCK;
    FRAME_PACKET_FLAGS = "frame.packet_flags", UInt, Base::Hex(8), "Packet flags" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_DIRECTION = "frame.packet_flags_direction", UInt, Base::Hex(8), "Direction" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_RECEPTION_TYPE = "frame.packet_flags_reception_type", UInt, Base::Dec, "Reception type" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_FCS_LENGTH = "frame.packet_flags_fcs_length", UInt, Base::Dec, "FCS length" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_RESERVED = "frame.packet_flags_reserved", UInt, Base::Dec, "Reserved" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_CRC_ERROR = "frame.packet_flags_crc_error", Bool, Base::Dec, "CRC error" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_PACKET_TOO_ERROR = "frame.packet_flags_packet_too_error", Bool, Base::Dec, "Packet too long error" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_PACKET_TOO_SHORT_ERROR = "frame.packet_flags_packet_too_short_error", Bool, Base::Dec, "Packet too short error" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_WRONG_INTER_FRAME_GAP_ERROR = "frame.packet_flags_wrong_inter_frame_gap_error", Bool, Base::Dec, "Wrong interframe gap error" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_UNALIGNED_FRAME_ERROR = "frame.packet_flags_unaligned_frame_error", Bool, Base::Dec, "Unaligned frame error" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_START_FRAME_DELIMITER_ERROR = "frame.packet_flags_start_frame_delimiter_error", Bool, Base::Dec, "Start frame delimiter error" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_PREAMBLE_ERROR = "frame.packet_flags_preamble_error", Bool, Base::Dec, "Preamble error" in FILE_BLOCK;
    FRAME_PACKET_FLAGS_SYMBOL_ERROR = "frame.packet_flags_symbol_error", Bool, Base::Dec, "Symbol error" in FILE_BLOCK;
    PKT_COMMENT = "pkt_comment", Protocol, Base::Dec, "Packet comments";
    FRAME_COMMENT = "frame.comment", String, Base::Dec, "Comment";
    FRAME_COMMENT_EXPERT = "frame.comment.expert", None, Base::Dec, "Formatted comment";
    @block pub(crate) TIME_BLOCK, "The times before `frame.time_relative` (see [`super::pipeline::Quiet`]).";
    @block pub(crate) LEN_BLOCK, "The lengths and flags after `frame.number`.";
    @block pub FILE_BLOCK, "The pcapng interface and section fields, and the packet's flags.";
}

/// The error bits of `epb_flags` (bits 24 to 31), in order.
static FLAG_ERRORS: [&super::FieldDef; 8] = [
    &FRAME_PACKET_FLAGS_CRC_ERROR,
    &FRAME_PACKET_FLAGS_PACKET_TOO_ERROR,
    &FRAME_PACKET_FLAGS_PACKET_TOO_SHORT_ERROR,
    &FRAME_PACKET_FLAGS_WRONG_INTER_FRAME_GAP_ERROR,
    &FRAME_PACKET_FLAGS_UNALIGNED_FRAME_ERROR,
    &FRAME_PACKET_FLAGS_START_FRAME_DELIMITER_ERROR,
    &FRAME_PACKET_FLAGS_PREAMBLE_ERROR,
    &FRAME_PACKET_FLAGS_SYMBOL_ERROR,
];

/// Push the frame fields; returns the index of `frame.protocols` (filled in
/// once the frame is dissected), unless it was left out.
pub(crate) fn push_fields(
    d: &mut Dissection,
    number: u64,
    rec: &PacketRecord,
    rel_ns: i64,
    delta_ns: i64,
    encap: i64,
    quiet: super::pipeline::Quiet,
) -> Option<usize> {
    let secs = |ns: i64| ns as f64 / 1e9;
    // The frame's bytes are for filters only, as every layer's.
    let bytes = if d.wants_all() {
        Value::Bytes(rec.data.clone())
    } else {
        Value::None
    };
    d.push(&FRAME, bytes);
    if !quiet.frame_times {
        d.push(&FRAME_TIME, Value::Float(secs(rec.ts_ns)));
        d.push(&FRAME_TIME_EPOCH, Value::Float(secs(rec.ts_ns)));
        d.push(&FRAME_TIME_DELTA, Value::Float(secs(delta_ns)));
        d.push(&FRAME_TIME_DELTA_DISPLAYED, Value::Float(secs(delta_ns)));
    }
    d.push(&FRAME_TIME_RELATIVE, Value::Float(secs(rel_ns)));
    d.push(&FRAME_NUMBER, Value::UInt(number));
    if !quiet.frame_lens {
        d.push(&FRAME_LEN, Value::UInt(rec.orig_len.into()));
        d.push(&FRAME_CAP_LEN, Value::UInt(rec.data.len() as u64));
        d.push(&FRAME_ENCAP_TYPE, Value::Int(encap));
        d.push(&FRAME_OFFSET_SHIFT, Value::Float(0.0));
        d.push(&FRAME_MARKED, Value::Bool(false));
        d.push(&FRAME_IGNORED, Value::Bool(false));
    }
    d.push(&FRAME_PROTOCOLS, Value::Str(String::new()));
    let last = d.fields.len().checked_sub(1)?;
    std::ptr::eq(d.fields[last].def, &FRAME_PROTOCOLS).then_some(last)
}

/// Push the packet comments of a pcapng frame (tshark's `Packet
/// comments` tree, before the frame's own): each comment and its expert
/// note.
pub(crate) fn push_comments(d: &mut Dissection, comments: &[String]) {
    if comments.is_empty() {
        return;
    }
    d.push(&PKT_COMMENT, Value::None);
    for c in comments {
        let text = d.text(&FRAME_COMMENT, || c.clone());
        d.push(&FRAME_COMMENT, text);
        d.push(&FRAME_COMMENT_EXPERT, Value::None);
    }
}

/// Push the pcapng-only frame fields: interface, section and, when the
/// packet block has them, its `epb_flags` split as tshark shows them.
pub(crate) fn push_file_fields(
    d: &mut Dissection,
    iface: u32,
    info: &FileInfo,
    flags: Option<u32>,
) {
    d.push(&FRAME_INTERFACE_ID, Value::UInt(iface.into()));
    let name = d.text(&FRAME_INTERFACE_NAME, || info.interface_name.to_string());
    d.push(&FRAME_INTERFACE_NAME, name);
    d.push(&FRAME_SECTION_NUMBER, Value::UInt(info.section.into()));
    if let Some(f) = flags {
        d.push(&FRAME_PACKET_FLAGS, Value::UInt(f.into()));
        d.push(&FRAME_PACKET_FLAGS_DIRECTION, Value::UInt((f & 3).into()));
        d.push(
            &FRAME_PACKET_FLAGS_RECEPTION_TYPE,
            Value::UInt((f >> 2 & 7).into()),
        );
        d.push(
            &FRAME_PACKET_FLAGS_FCS_LENGTH,
            Value::UInt((f >> 5 & 0xf).into()),
        );
        d.push(
            &FRAME_PACKET_FLAGS_RESERVED,
            Value::UInt((f >> 9 & 0x7f).into()),
        );
        for (bit, def) in FLAG_ERRORS.iter().enumerate() {
            d.push(def, Value::Bool(f >> (24 + bit) & 1 != 0));
        }
    }
}
