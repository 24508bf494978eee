//! SMB (version 1) as NetBIOS datagrams carry it: the header and the
//! Transaction request that writes a mailslot message, then the SMB
//! mailslot layer (`mailslot`), which hands `\MAILSLOT\BROWSE` and
//! `\MAILSLOT\LANMAN` messages to [`super::browser`].
//!
//! Other SMB commands are not dissected (the datagram's payload stays
//! data), nor are Unicode transaction names; messages to other mailslots
//! (tshark's NETLOGON family) show as data after the mailslot layer.

use super::util::{ascii, le16, le32, stringz};
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;

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

    use crate::dissect::field::{Base, FieldDef, FieldType};

    pub static P_SMB: FieldDef = FieldDef::new("smb", FieldType::Protocol, Base::Dec, "SMB (Server Message Block Protocol)");
    pub static F_SMB_SERVER_COMPONENT: FieldDef = FieldDef::new("smb.server_component", FieldType::UInt, Base::Hex(8), "Server Component");
    pub static F_SMB_CMD: FieldDef = FieldDef::new("smb.cmd", FieldType::UInt, Base::Hex(2), "SMB Command");
    pub static F_SMB_NT_STATUS: FieldDef = FieldDef::new("smb.nt_status", FieldType::UInt, Base::Hex(8), "NT Status");
    pub static F_SMB_ERROR_CLASS: FieldDef = FieldDef::new("smb.error_class", FieldType::UInt, Base::Hex(2), "Error Class");
    pub static F_SMB_RESERVED: FieldDef = FieldDef::new("smb.reserved", FieldType::Bytes, Base::Dec, "Reserved");
    pub static F_SMB_ERROR_CODE: FieldDef = FieldDef::new("smb.error_code", FieldType::UInt, Base::Hex(4), "Error Code");
    pub static F_SMB_FLAGS: FieldDef = FieldDef::new("smb.flags", FieldType::UInt, Base::Hex(2), "Flags");
    pub static F_SMB_FLAGS_RESPONSE: FieldDef = FieldDef::new("smb.flags.response", FieldType::Bool, Base::Dec, "Request/Response");
    pub static F_SMB_FLAGS_NOTIFY: FieldDef = FieldDef::new("smb.flags.notify", FieldType::Bool, Base::Dec, "Notify");
    pub static F_SMB_FLAGS_OPLOCK: FieldDef = FieldDef::new("smb.flags.oplock", FieldType::Bool, Base::Dec, "Oplocks");
    pub static F_SMB_FLAGS_CANON: FieldDef = FieldDef::new("smb.flags.canon", FieldType::Bool, Base::Dec, "Canonicalized Pathnames");
    pub static F_SMB_FLAGS_CASELESS: FieldDef = FieldDef::new("smb.flags.caseless", FieldType::Bool, Base::Dec, "Case Sensitivity");
    pub static F_SMB_FLAGS_RECEIVE_BUFFER: FieldDef = FieldDef::new("smb.flags.receive_buffer", FieldType::Bool, Base::Dec, "Receive Buffer Posted");
    pub static F_SMB_FLAGS_LOCK: FieldDef = FieldDef::new("smb.flags.lock", FieldType::Bool, Base::Dec, "Lock and Read");
    pub static F_SMB_FLAGS2: FieldDef = FieldDef::new("smb.flags2", FieldType::UInt, Base::Hex(4), "Flags2");
    pub static F_SMB_FLAGS2_STRING: FieldDef = FieldDef::new("smb.flags2.string", FieldType::Bool, Base::Dec, "Unicode Strings");
    pub static F_SMB_FLAGS2_NT_ERROR: FieldDef = FieldDef::new("smb.flags2.nt_error", FieldType::Bool, Base::Dec, "Error Code Type");
    pub static F_SMB_FLAGS2_ROE: FieldDef = FieldDef::new("smb.flags2.roe", FieldType::Bool, Base::Dec, "Execute-only Reads");
    pub static F_SMB_FLAGS2_DFS: FieldDef = FieldDef::new("smb.flags2.dfs", FieldType::Bool, Base::Dec, "Dfs");
    pub static F_SMB_FLAGS2_ESN: FieldDef = FieldDef::new("smb.flags2.esn", FieldType::Bool, Base::Dec, "Extended Security Negotiation");
    pub static F_SMB_FLAGS2_REPARSE_PATH: FieldDef = FieldDef::new("smb.flags2.reparse_path", FieldType::Bool, Base::Dec, "Reparse Path");
    pub static F_SMB_FLAGS2_LONG_NAMES_USED: FieldDef = FieldDef::new("smb.flags2.long_names_used", FieldType::Bool, Base::Dec, "Long Names Used");
    pub static F_SMB_FLAGS2_SEC_SIG_REQUIRED: FieldDef = FieldDef::new("smb.flags2.sec_sig_required", FieldType::Bool, Base::Dec, "Security Signatures Required");
    pub static F_SMB_FLAGS2_COMPRESSED: FieldDef = FieldDef::new("smb.flags2.compressed", FieldType::Bool, Base::Dec, "Compressed");
    pub static F_SMB_FLAGS2_SEC_SIG: FieldDef = FieldDef::new("smb.flags2.sec_sig", FieldType::Bool, Base::Dec, "Security Signatures");
    pub static F_SMB_FLAGS2_EA: FieldDef = FieldDef::new("smb.flags2.ea", FieldType::Bool, Base::Dec, "Extended Attributes");
    pub static F_SMB_FLAGS2_LONG_NAMES_ALLOWED: FieldDef = FieldDef::new("smb.flags2.long_names_allowed", FieldType::Bool, Base::Dec, "Long Names Allowed");
    pub static F_SMB_PID_HIGH: FieldDef = FieldDef::new("smb.pid.high", FieldType::UInt, Base::Dec, "Process ID High");
    pub static F_SMB_SIGNATURE: FieldDef = FieldDef::new("smb.signature", FieldType::Bytes, Base::Dec, "Signature");
    pub static F_SMB_TID: FieldDef = FieldDef::new("smb.tid", FieldType::UInt, Base::Dec, "Tree ID");
    pub static F_SMB_PID: FieldDef = FieldDef::new("smb.pid", FieldType::UInt, Base::Dec, "Process ID");
    pub static F_SMB_UID: FieldDef = FieldDef::new("smb.uid", FieldType::UInt, Base::Dec, "User ID");
    pub static F_SMB_MID: FieldDef = FieldDef::new("smb.mid", FieldType::UInt, Base::Dec, "Multiplex ID");
    pub static F_SMB_WCT: FieldDef = FieldDef::new("smb.wct", FieldType::UInt, Base::Dec, "Word Count (WCT)");
    pub static F_SMB_TPC: FieldDef = FieldDef::new("smb.tpc", FieldType::UInt, Base::Dec, "Total Parameter Count");
    pub static F_SMB_TDC: FieldDef = FieldDef::new("smb.tdc", FieldType::UInt, Base::Dec, "Total Data Count");
    pub static F_SMB_MPC: FieldDef = FieldDef::new("smb.mpc", FieldType::UInt, Base::Dec, "Max Parameter Count");
    pub static F_SMB_MDC: FieldDef = FieldDef::new("smb.mdc", FieldType::UInt, Base::Dec, "Max Data Count");
    pub static F_SMB_MSC: FieldDef = FieldDef::new("smb.msc", FieldType::UInt, Base::Dec, "Max Setup Count");
    pub static F_SMB_TRANSACTION_FLAGS: FieldDef = FieldDef::new("smb.transaction.flags", FieldType::UInt, Base::Hex(4), "Flags");
    pub static F_SMB_TRANSACTION_FLAGS_OWT: FieldDef = FieldDef::new("smb.transaction.flags.owt", FieldType::Bool, Base::Dec, "One Way Transaction");
    pub static F_SMB_TRANSACTION_FLAGS_DTID: FieldDef = FieldDef::new("smb.transaction.flags.dtid", FieldType::Bool, Base::Dec, "Disconnect TID");
    pub static F_SMB_TIMEOUT: FieldDef = FieldDef::new("smb.timeout", FieldType::UInt, Base::Dec, "Timeout");
    pub static F_SMB_PC: FieldDef = FieldDef::new("smb.pc", FieldType::UInt, Base::Dec, "Parameter Count");
    pub static F_SMB_PO: FieldDef = FieldDef::new("smb.po", FieldType::UInt, Base::Dec, "Parameter Offset");
    pub static F_SMB_DC: FieldDef = FieldDef::new("smb.dc", FieldType::UInt, Base::Dec, "Data Count");
    pub static F_SMB_DATA_OFFSET: FieldDef = FieldDef::new("smb.data_offset", FieldType::UInt, Base::Dec, "Data Offset");
    pub static F_SMB_SC: FieldDef = FieldDef::new("smb.sc", FieldType::UInt, Base::Dec, "Setup Count");
    pub static F_SMB_BCC: FieldDef = FieldDef::new("smb.bcc", FieldType::UInt, Base::Dec, "Byte Count (BCC)");
    pub static F_SMB_TRANS_NAME: FieldDef = FieldDef::new("smb.trans_name", FieldType::String, Base::Dec, "Transaction Name");

    pub static P_MAILSLOT: FieldDef = FieldDef::tree_only("mailslot", "SMB MailSlot Protocol");
    pub static F_MAILSLOT_OPCODE: FieldDef = FieldDef::new("mailslot.opcode", FieldType::UInt, Base::Dec, "Opcode");
    pub static F_MAILSLOT_PRIORITY: FieldDef = FieldDef::new("mailslot.priority", FieldType::UInt, Base::Dec, "Priority");
    pub static F_MAILSLOT_CLASS: FieldDef = FieldDef::new("mailslot.class", FieldType::UInt, Base::Dec, "Class");
    pub static F_MAILSLOT_SIZE: FieldDef = FieldDef::new("mailslot.size", FieldType::UInt, Base::Dec, "Size");
    pub static F_MAILSLOT_NAME: FieldDef = FieldDef::new("mailslot.name", FieldType::String, Base::Dec, "Mailslot Name");

    /// Every field of this dissector.
    pub static FIELDS: &[&FieldDef] = &[
        &P_SMB, &F_SMB_SERVER_COMPONENT, &F_SMB_CMD, &F_SMB_NT_STATUS, &F_SMB_ERROR_CLASS,
        &F_SMB_RESERVED, &F_SMB_ERROR_CODE, &F_SMB_FLAGS, &F_SMB_FLAGS_RESPONSE,
        &F_SMB_FLAGS_NOTIFY, &F_SMB_FLAGS_OPLOCK, &F_SMB_FLAGS_CANON, &F_SMB_FLAGS_CASELESS,
        &F_SMB_FLAGS_RECEIVE_BUFFER, &F_SMB_FLAGS_LOCK, &F_SMB_FLAGS2, &F_SMB_FLAGS2_STRING,
        &F_SMB_FLAGS2_NT_ERROR, &F_SMB_FLAGS2_ROE, &F_SMB_FLAGS2_DFS, &F_SMB_FLAGS2_ESN,
        &F_SMB_FLAGS2_REPARSE_PATH, &F_SMB_FLAGS2_LONG_NAMES_USED,
        &F_SMB_FLAGS2_SEC_SIG_REQUIRED, &F_SMB_FLAGS2_COMPRESSED, &F_SMB_FLAGS2_SEC_SIG,
        &F_SMB_FLAGS2_EA, &F_SMB_FLAGS2_LONG_NAMES_ALLOWED, &F_SMB_PID_HIGH, &F_SMB_SIGNATURE,
        &F_SMB_TID, &F_SMB_PID, &F_SMB_UID, &F_SMB_MID, &F_SMB_WCT, &F_SMB_TPC, &F_SMB_TDC,
        &F_SMB_MPC, &F_SMB_MDC, &F_SMB_MSC, &F_SMB_TRANSACTION_FLAGS,
        &F_SMB_TRANSACTION_FLAGS_OWT, &F_SMB_TRANSACTION_FLAGS_DTID, &F_SMB_TIMEOUT,
        &F_SMB_PC, &F_SMB_PO, &F_SMB_DC, &F_SMB_DATA_OFFSET, &F_SMB_SC, &F_SMB_BCC,
        &F_SMB_TRANS_NAME,
        &P_MAILSLOT, &F_MAILSLOT_OPCODE, &F_MAILSLOT_PRIORITY, &F_MAILSLOT_CLASS,
        &F_MAILSLOT_SIZE, &F_MAILSLOT_NAME,
    ];
}
