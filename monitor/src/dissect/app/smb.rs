//! SMB (version 1) as NetBIOS datagrams carry it: the header and the
//! Transaction request that writes a mailslot message, then the SMB
//! mailslot layer (`mailslot`), which hands `\MAILSLOT\BROWSE` and
//! `\MAILSLOT\LANMAN` messages to [`super::browser`].
//!
//! Other SMB commands are not dissected (the datagram's payload stays
//! data), nor are Unicode transaction names; messages to other mailslots
//! (tshark's NETLOGON family) show as data after the mailslot layer.

use super::protocol::Protocol;
use super::util::{ascii, le16, le32, stringz};
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;

/// SMB and its mailslots, reached through the NetBIOS datagram service.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "smb",
    fields: FIELDS,
    ..Protocol::NONE
};

/// The header's length, up to the word count.
const HEADER: usize = 32;
const MAGIC: &[u8] = b"\xffSMB";
const CMD_TRANS: u8 = 0x25;
const MAILSLOT_PREFIX: &str = "\\MAILSLOT\\";

/// The 7 defined bits of the header flags, most significant first.
const FLAG_BITS: [(&FieldDef, u8); 7] = [
    (&F_SMB_FLAGS_RESPONSE, 0x80),
    (&F_SMB_FLAGS_NOTIFY, 0x40),
    (&F_SMB_FLAGS_OPLOCK, 0x20),
    (&F_SMB_FLAGS_CANON, 0x10),
    (&F_SMB_FLAGS_CASELESS, 0x08),
    (&F_SMB_FLAGS_RECEIVE_BUFFER, 0x02),
    (&F_SMB_FLAGS_LOCK, 0x01),
];

/// The defined bits of the second flags word, most significant first.
const FLAG2_BITS: [(&FieldDef, u16); 12] = [
    (&F_SMB_FLAGS2_STRING, 0x8000),
    (&F_SMB_FLAGS2_NT_ERROR, 0x4000),
    (&F_SMB_FLAGS2_ROE, 0x2000),
    (&F_SMB_FLAGS2_DFS, 0x1000),
    (&F_SMB_FLAGS2_ESN, 0x0800),
    (&F_SMB_FLAGS2_REPARSE_PATH, 0x0400),
    (&F_SMB_FLAGS2_LONG_NAMES_USED, 0x0040),
    (&F_SMB_FLAGS2_SEC_SIG_REQUIRED, 0x0010),
    (&F_SMB_FLAGS2_COMPRESSED, 0x0008),
    (&F_SMB_FLAGS2_SEC_SIG, 0x0004),
    (&F_SMB_FLAGS2_EA, 0x0002),
    (&F_SMB_FLAGS2_LONG_NAMES_ALLOWED, 0x0001),
];

/// Dissect the payload of a NetBIOS datagram when it is SMB (tshark's
/// heuristic: the magic number), unless it is a command other than
/// Transaction.
pub fn dissect(p: &[u8], d: &mut Dissection) -> bool {
    if !p.starts_with(MAGIC) || p.get(4).is_some_and(|&c| c != CMD_TRANS) {
        return false;
    }
    d.protocol = "SMB".into();
    d.info.clear();
    d.push(&P_SMB, d.bytes(&P_SMB, p));
    if message(p, d).is_none() {
        d.malformed = true;
    }
    true
}

fn message(p: &[u8], d: &mut Dissection) -> Option<()> {
    let flags = *p.get(9)?;
    let flags2 = le16(p, 10)?;
    header(p, flags, flags2, d)?;
    let response = flags & 0x80 != 0;
    d.info = format!("Trans {}", if response { "Response" } else { "Request" });
    if response || flags2 & 0x8000 != 0 {
        return Some(());
    }
    trans_request(p, d)
}

fn header(p: &[u8], flags: u8, flags2: u16, d: &mut Dissection) -> Option<()> {
    d.push(&F_SMB_SERVER_COMPONENT, Value::UInt(le32(p, 0)?.into()));
    d.push(&F_SMB_CMD, Value::UInt(CMD_TRANS.into()));
    if flags2 & 0x4000 != 0 {
        d.push(&F_SMB_NT_STATUS, Value::UInt(le32(p, 5)?.into()));
    } else {
        d.push(&F_SMB_ERROR_CLASS, Value::UInt((*p.get(5)?).into()));
        reserved(p, 6, 1, d)?;
        d.push(&F_SMB_ERROR_CODE, Value::UInt(le16(p, 7)?.into()));
    }
    d.push(&F_SMB_FLAGS, Value::UInt(flags.into()));
    for (def, m) in FLAG_BITS {
        d.push(def, Value::Bool(flags & m != 0));
    }
    d.push(&F_SMB_FLAGS2, Value::UInt(flags2.into()));
    for (def, m) in FLAG2_BITS {
        d.push(def, Value::Bool(flags2 & m != 0));
    }
    d.push(&F_SMB_PID_HIGH, Value::UInt(le16(p, 12)?.into()));
    d.push(&F_SMB_SIGNATURE, d.bytes(&F_SMB_SIGNATURE, p.get(14..22)?));
    reserved(p, 22, 2, d)?;
    for (i, def) in [&F_SMB_TID, &F_SMB_PID, &F_SMB_UID, &F_SMB_MID]
        .into_iter()
        .enumerate()
    {
        d.push(def, Value::UInt(le16(p, 24 + 2 * i)?.into()));
    }
    Some(())
}

/// A reserved field of `len` bytes at `off`.
fn reserved(p: &[u8], off: usize, len: usize, d: &mut Dissection) -> Option<()> {
    d.push(
        &F_SMB_RESERVED,
        d.bytes(&F_SMB_RESERVED, p.get(off..off + len)?),
    );
    Some(())
}

/// The parameter words and bytes of a Transaction request, then the
/// mailslot message it writes.
fn trans_request(p: &[u8], d: &mut Dissection) -> Option<()> {
    let wct = *p.get(HEADER)?;
    d.push(&F_SMB_WCT, Value::UInt(wct.into()));
    // No words, or the layout of a secondary request: not a mailslot write.
    if wct == 0 || wct == 8 {
        return Some(());
    }
    let w = HEADER + 1;
    let word = |i: usize| le16(p, w + 2 * i);
    for (i, def) in [&F_SMB_TPC, &F_SMB_TDC, &F_SMB_MPC, &F_SMB_MDC]
        .into_iter()
        .enumerate()
    {
        d.push(def, Value::UInt(word(i)?.into()));
    }
    d.push(&F_SMB_MSC, Value::UInt((*p.get(w + 8)?).into()));
    reserved(p, w + 9, 1, d)?;
    let tflags = word(5)?;
    d.push(&F_SMB_TRANSACTION_FLAGS, Value::UInt(tflags.into()));
    d.push(&F_SMB_TRANSACTION_FLAGS_OWT, Value::Bool(tflags & 2 != 0));
    d.push(&F_SMB_TRANSACTION_FLAGS_DTID, Value::Bool(tflags & 1 != 0));
    d.push(&F_SMB_TIMEOUT, Value::UInt(le32(p, w + 12)?.into()));
    reserved(p, w + 16, 2, d)?;
    let mut counts = [0u16; 4];
    for (i, (v, def)) in counts
        .iter_mut()
        .zip([&F_SMB_PC, &F_SMB_PO, &F_SMB_DC, &F_SMB_DATA_OFFSET])
        .enumerate()
    {
        *v = word(9 + i)?;
        d.push(def, Value::UInt((*v).into()));
    }
    let [_, _, dc, data_offset] = counts.map(usize::from);
    let sc = usize::from(*p.get(w + 26)?);
    d.push(&F_SMB_SC, Value::UInt(sc as u64));
    reserved(p, w + 27, 1, d)?;
    let setup_at = w + 28;
    let setup = p.get(setup_at..setup_at + 2 * sc)?;
    let bcc_at = setup_at + 2 * sc;
    let bcc = le16(p, bcc_at)?;
    d.push(&F_SMB_BCC, Value::UInt(bcc.into()));
    let (name, name_end) = stringz(p, bcc_at + 2)?;
    let name = ascii(name);
    d.info.push_str(", ");
    d.info.push_str(&name);
    d.push(&F_SMB_TRANS_NAME, Value::Str(name.clone()));
    let Some(slot) = name.strip_prefix(MAILSLOT_PREFIX) else {
        return Some(());
    };
    let data = match dc {
        0 => None,
        _ => {
            let rest = p.get(data_offset..)?;
            Some(&rest[..dc.min(rest.len())])
        }
    };
    let header = p.get(setup_at..name_end)?;
    mailslot(header, setup, bcc, &name, slot, data, d)
}

/// The mailslot layer: its header (the setup words, the byte count and
/// the name, in `header`) and the message in `data` (none when the
/// request carries no data: an interim reply).
fn mailslot(
    header: &[u8],
    setup: &[u8],
    size: u16,
    name: &str,
    slot: &str,
    data: Option<&[u8]>,
    d: &mut Dissection,
) -> Option<()> {
    d.protocol = "SMB Mailslot".into();
    if data.is_none() {
        d.info = "Interim reply".into();
        return Some(());
    }
    let data = data.unwrap_or_default();
    if !setup.is_empty() {
        d.push(&P_MAILSLOT, d.bytes(&P_MAILSLOT, header));
        let opcode = le16(setup, 0)?;
        d.info = match opcode {
            1 => "Write Mail Slot".into(),
            _ => format!("Unknown opcode: 0x{opcode:04x}"),
        };
        d.push(&F_MAILSLOT_OPCODE, Value::UInt(opcode.into()));
        d.push(&F_MAILSLOT_PRIORITY, Value::UInt(le16(setup, 2)?.into()));
        d.push(&F_MAILSLOT_CLASS, Value::UInt(le16(setup, 4)?.into()));
        d.push(&F_MAILSLOT_SIZE, Value::UInt(size.into()));
        d.push(&F_MAILSLOT_NAME, Value::Str(name.to_string()));
    }
    if slot.starts_with("BROWSE") {
        super::browser::dissect(data, d);
    } else if slot.starts_with("LANMAN") {
        super::browser::lanman(data, d);
    } else {
        crate::dissect::data::push(d, data);
    }
    Some(())
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_SMB = "smb", Protocol, Base::Dec, "SMB (Server Message Block Protocol)";
        F_SMB_SERVER_COMPONENT = "smb.server_component", UInt, Base::Hex(8), "Server Component";
        F_SMB_CMD = "smb.cmd", UInt, Base::Hex(2), "SMB Command";
        F_SMB_NT_STATUS = "smb.nt_status", UInt, Base::Hex(8), "NT Status";
        F_SMB_ERROR_CLASS = "smb.error_class", UInt, Base::Hex(2), "Error Class";
        F_SMB_RESERVED = "smb.reserved", Bytes, Base::Dec, "Reserved";
        F_SMB_ERROR_CODE = "smb.error_code", UInt, Base::Hex(4), "Error Code";
        F_SMB_FLAGS = "smb.flags", UInt, Base::Hex(2), "Flags";
        F_SMB_FLAGS_RESPONSE = "smb.flags.response", Bool, Base::Dec, "Request/Response";
        F_SMB_FLAGS_NOTIFY = "smb.flags.notify", Bool, Base::Dec, "Notify";
        F_SMB_FLAGS_OPLOCK = "smb.flags.oplock", Bool, Base::Dec, "Oplocks";
        F_SMB_FLAGS_CANON = "smb.flags.canon", Bool, Base::Dec, "Canonicalized Pathnames";
        F_SMB_FLAGS_CASELESS = "smb.flags.caseless", Bool, Base::Dec, "Case Sensitivity";
        F_SMB_FLAGS_RECEIVE_BUFFER = "smb.flags.receive_buffer", Bool, Base::Dec, "Receive Buffer Posted";
        F_SMB_FLAGS_LOCK = "smb.flags.lock", Bool, Base::Dec, "Lock and Read";
        F_SMB_FLAGS2 = "smb.flags2", UInt, Base::Hex(4), "Flags2";
        F_SMB_FLAGS2_STRING = "smb.flags2.string", Bool, Base::Dec, "Unicode Strings";
        F_SMB_FLAGS2_NT_ERROR = "smb.flags2.nt_error", Bool, Base::Dec, "Error Code Type";
        F_SMB_FLAGS2_ROE = "smb.flags2.roe", Bool, Base::Dec, "Execute-only Reads";
        F_SMB_FLAGS2_DFS = "smb.flags2.dfs", Bool, Base::Dec, "Dfs";
        F_SMB_FLAGS2_ESN = "smb.flags2.esn", Bool, Base::Dec, "Extended Security Negotiation";
        F_SMB_FLAGS2_REPARSE_PATH = "smb.flags2.reparse_path", Bool, Base::Dec, "Reparse Path";
        F_SMB_FLAGS2_LONG_NAMES_USED = "smb.flags2.long_names_used", Bool, Base::Dec, "Long Names Used";
        F_SMB_FLAGS2_SEC_SIG_REQUIRED = "smb.flags2.sec_sig_required", Bool, Base::Dec, "Security Signatures Required";
        F_SMB_FLAGS2_COMPRESSED = "smb.flags2.compressed", Bool, Base::Dec, "Compressed";
        F_SMB_FLAGS2_SEC_SIG = "smb.flags2.sec_sig", Bool, Base::Dec, "Security Signatures";
        F_SMB_FLAGS2_EA = "smb.flags2.ea", Bool, Base::Dec, "Extended Attributes";
        F_SMB_FLAGS2_LONG_NAMES_ALLOWED = "smb.flags2.long_names_allowed", Bool, Base::Dec, "Long Names Allowed";
        F_SMB_PID_HIGH = "smb.pid.high", UInt, Base::Dec, "Process ID High";
        F_SMB_SIGNATURE = "smb.signature", Bytes, Base::Dec, "Signature";
        F_SMB_TID = "smb.tid", UInt, Base::Dec, "Tree ID";
        F_SMB_PID = "smb.pid", UInt, Base::Dec, "Process ID";
        F_SMB_UID = "smb.uid", UInt, Base::Dec, "User ID";
        F_SMB_MID = "smb.mid", UInt, Base::Dec, "Multiplex ID";
        F_SMB_WCT = "smb.wct", UInt, Base::Dec, "Word Count (WCT)";
        F_SMB_TPC = "smb.tpc", UInt, Base::Dec, "Total Parameter Count";
        F_SMB_TDC = "smb.tdc", UInt, Base::Dec, "Total Data Count";
        F_SMB_MPC = "smb.mpc", UInt, Base::Dec, "Max Parameter Count";
        F_SMB_MDC = "smb.mdc", UInt, Base::Dec, "Max Data Count";
        F_SMB_MSC = "smb.msc", UInt, Base::Dec, "Max Setup Count";
        F_SMB_TRANSACTION_FLAGS = "smb.transaction.flags", UInt, Base::Hex(4), "Flags";
        F_SMB_TRANSACTION_FLAGS_OWT = "smb.transaction.flags.owt", Bool, Base::Dec, "One Way Transaction";
        F_SMB_TRANSACTION_FLAGS_DTID = "smb.transaction.flags.dtid", Bool, Base::Dec, "Disconnect TID";
        F_SMB_TIMEOUT = "smb.timeout", UInt, Base::Dec, "Timeout";
        F_SMB_PC = "smb.pc", UInt, Base::Dec, "Parameter Count";
        F_SMB_PO = "smb.po", UInt, Base::Dec, "Parameter Offset";
        F_SMB_DC = "smb.dc", UInt, Base::Dec, "Data Count";
        F_SMB_DATA_OFFSET = "smb.data_offset", UInt, Base::Dec, "Data Offset";
        F_SMB_SC = "smb.sc", UInt, Base::Dec, "Setup Count";
        F_SMB_BCC = "smb.bcc", UInt, Base::Dec, "Byte Count (BCC)";
        F_SMB_TRANS_NAME = "smb.trans_name", String, Base::Dec, "Transaction Name";
        F_MAILSLOT_OPCODE = "mailslot.opcode", UInt, Base::Dec, "Opcode";
        F_MAILSLOT_PRIORITY = "mailslot.priority", UInt, Base::Dec, "Priority";
        F_MAILSLOT_CLASS = "mailslot.class", UInt, Base::Dec, "Class";
        F_MAILSLOT_SIZE = "mailslot.size", UInt, Base::Dec, "Size";
        F_MAILSLOT_NAME = "mailslot.name", String, Base::Dec, "Mailslot Name";
        @tree_only P_MAILSLOT = "mailslot", "SMB MailSlot Protocol";
    }
}
