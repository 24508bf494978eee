//! The Microsoft Windows Browser protocol (`browser`), in the mailslot
//! messages of `\MAILSLOT\BROWSE` (announcements, election requests,
//! backup lists) and the LAN Manager announcements of `\MAILSLOT\LANMAN`.

use super::protocol::Protocol;
use super::util::{ascii, le16, le32, stringz};
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;

/// The Windows Browser protocol, reached through SMB mailslots.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "browser",
    fields: FIELDS,
    ..Protocol::NONE
};

const HOST_ANNOUNCE: u8 = 1;
const REQUEST_ANNOUNCE: u8 = 2;
const ELECTION_REQUEST: u8 = 8;
const BACKUP_LIST_REQUEST: u8 = 9;
const BACKUP_LIST_RESPONSE: u8 = 10;
const BECOME_BACKUP: u8 = 11;
const DOMAIN_ANNOUNCEMENT: u8 = 12;
const MASTER_ANNOUNCEMENT: u8 = 13;
const RESET_BROWSER_STATE: u8 = 14;
const LOCAL_MASTER_ANNOUNCEMENT: u8 = 15;
/// Length of the padded host name of an announcement.
const HOST_NAME_LEN: usize = 16;
/// The constant that ends the version fields of an announcement.
const SIGNATURE: u16 = 0xaa55;

fn command_name(c: u8) -> Option<&'static str> {
    Some(match c {
        HOST_ANNOUNCE => "Host Announcement",
        REQUEST_ANNOUNCE => "Request Announcement",
        ELECTION_REQUEST => "Browser Election Request",
        BACKUP_LIST_REQUEST => "Get Backup List Request",
        BACKUP_LIST_RESPONSE => "Get Backup List Response",
        BECOME_BACKUP => "Become Backup Browser",
        DOMAIN_ANNOUNCEMENT => "Domain/Workgroup Announcement",
        MASTER_ANNOUNCEMENT => "Master Announcement",
        RESET_BROWSER_STATE => "Reset Browser State Announcement",
        LOCAL_MASTER_ANNOUNCEMENT => "Local Master Announcement",
        _ => return None,
    })
}

/// What a server type bit means, in the Info column.
fn server_type_name(bit: u32) -> Option<&'static str> {
    Some(match bit {
        0 => "Workstation",
        1 => "Server",
        2 => "SQL Server",
        3 => "Domain Controller",
        4 => "Backup Controller",
        5 => "Time Source",
        6 => "Apple Server",
        7 => "Novell Server",
        8 => "Domain Member Server",
        9 => "Print Queue Server",
        10 => "Dialin Server",
        11 => "Xenix Server",
        12 => "NT Workstation",
        13 => "Windows for Workgroups",
        15 => "NT Server",
        16 => "Potential Browser",
        17 => "Backup Browser",
        18 => "Master Browser",
        19 => "Domain Master Browser",
        20 => "OSF",
        21 => "VMS",
        22 => "Windows 95 or above",
        23 => "DFS server",
        30 => "Local List Only",
        31 => "Domain Enum",
        _ => return None,
    })
}

/// The server type flags, each with its bit.
const SERVER_TYPE_BITS: [(&FieldDef, u32); 25] = [
    (&F_BROWSER_SERVER_TYPE_WORKSTATION, 1 << 0),
    (&F_BROWSER_SERVER_TYPE_SERVER, 1 << 1),
    (&F_BROWSER_SERVER_TYPE_SQL, 1 << 2),
    (&F_BROWSER_SERVER_TYPE_DOMAIN_CONTROLLER, 1 << 3),
    (&F_BROWSER_SERVER_TYPE_BACKUP_CONTROLLER, 1 << 4),
    (&F_BROWSER_SERVER_TYPE_TIME, 1 << 5),
    (&F_BROWSER_SERVER_TYPE_APPLE, 1 << 6),
    (&F_BROWSER_SERVER_TYPE_NOVELL, 1 << 7),
    (&F_BROWSER_SERVER_TYPE_MEMBER, 1 << 8),
    (&F_BROWSER_SERVER_TYPE_PRINT, 1 << 9),
    (&F_BROWSER_SERVER_TYPE_DIALIN, 1 << 10),
    (&F_BROWSER_SERVER_TYPE_XENIX, 1 << 11),
    (&F_BROWSER_SERVER_TYPE_NTW, 1 << 12),
    (&F_BROWSER_SERVER_TYPE_WFW, 1 << 13),
    (&F_BROWSER_SERVER_TYPE_NTS, 1 << 15),
    (&F_BROWSER_SERVER_TYPE_BROWSER_POTENTIAL, 1 << 16),
    (&F_BROWSER_SERVER_TYPE_BROWSER_BACKUP, 1 << 17),
    (&F_BROWSER_SERVER_TYPE_BROWSER_MASTER, 1 << 18),
    (&F_BROWSER_SERVER_TYPE_BROWSER_DOMAIN_MASTER, 1 << 19),
    (&F_BROWSER_SERVER_TYPE_OSF, 1 << 20),
    (&F_BROWSER_SERVER_TYPE_VMS, 1 << 21),
    (&F_BROWSER_SERVER_TYPE_W95, 1 << 22),
    (&F_BROWSER_SERVER_TYPE_DFS, 1 << 23),
    (&F_BROWSER_SERVER_TYPE_LOCAL, 1 << 30),
    (&F_BROWSER_SERVER_TYPE_DOMAINENUM, 1 << 31),
];

const ELECTION_DESIRE_BITS: [(&FieldDef, u8); 6] = [
    (&F_BROWSER_ELECTION_DESIRE_BACKUP, 0x01),
    (&F_BROWSER_ELECTION_DESIRE_STANDBY, 0x02),
    (&F_BROWSER_ELECTION_DESIRE_MASTER, 0x04),
    (&F_BROWSER_ELECTION_DESIRE_DOMAIN_MASTER, 0x08),
    (&F_BROWSER_ELECTION_DESIRE_WINS, 0x20),
    (&F_BROWSER_ELECTION_DESIRE_NT, 0x80),
];

const ELECTION_OS_BITS: [(&FieldDef, u8); 3] = [
    (&F_BROWSER_ELECTION_OS_WFW, 0x01),
    (&F_BROWSER_ELECTION_OS_NTW, 0x10),
    (&F_BROWSER_ELECTION_OS_NTS, 0x20),
];

const RESET_CMD_BITS: [(&FieldDef, u8); 3] = [
    (&F_BROWSER_RESET_CMD_DEMOTE, 0x01),
    (&F_BROWSER_RESET_CMD_FLUSH, 0x02),
    (&F_BROWSER_RESET_CMD_STOP_LMB, 0x04),
];

/// The Windows release an OS version announces (empty when not known).
fn windows_version(major: u8, minor: u8) -> &'static str {
    match (major, minor) {
        (6, 1) => "Windows 7 or Windows Server 2008 R2",
        (6, 0) => "Windows Vista or Windows Server 2008",
        (5, 2) => "Windows Server 2003 R2 or Windows Server 2003",
        (5, 1) => "Windows XP",
        (5, 0) => "Windows 2000",
        _ => "",
    }
}

/// A byte and the flags it holds.
fn push_bits(d: &mut Dissection, def: &'static FieldDef, v: u8, bits: &[(&'static FieldDef, u8)]) {
    d.push(def, Value::UInt(v.into()));
    for &(bit, m) in bits {
        d.push(bit, Value::Bool(v & m != 0));
    }
}

/// The server type flags at `off` (little-endian), named in the Info
/// column; returns the offset after them.
fn server_type(p: &[u8], off: usize, d: &mut Dissection) -> Option<usize> {
    let flags = le32(p, off)?;
    for bit in (0..32).filter(|b| flags & (1 << b) != 0) {
        match server_type_name(bit) {
            Some(name) => d.info.push_str(&format!(", {name}")),
            None => d.info.push_str(&format!(", Unknown server type:{bit}")),
        }
    }
    d.push(&F_BROWSER_SERVER_TYPE, Value::UInt(flags.into()));
    for (def, m) in SERVER_TYPE_BITS {
        d.push(def, Value::Bool(flags & m != 0));
    }
    Some(off + 4)
}

/// The OS version at `off`, with the Windows release it stands for.
fn os_version(p: &[u8], off: usize, d: &mut Dissection) -> Option<usize> {
    let (major, minor) = (*p.get(off)?, *p.get(off + 1)?);
    d.push(
        &F_BROWSER_WINDOWS_VERSION,
        Value::Str(windows_version(major, minor).into()),
    );
    d.push(&F_BROWSER_OS_MAJOR, Value::UInt(major.into()));
    d.push(&F_BROWSER_OS_MINOR, Value::UInt(minor.into()));
    Some(off + 2)
}

/// A NUL-terminated string field at `off`; returns the offset after it.
fn string_field(p: &[u8], off: usize, def: &'static FieldDef, d: &mut Dissection) -> Option<usize> {
    let (s, end) = stringz(p, off)?;
    d.push(def, Value::Str(ascii(s)));
    Some(end)
}

/// Start a browser message: the columns, the protocol and the command.
fn start(p: &[u8], d: &mut Dissection) -> Option<u8> {
    d.protocol = "BROWSER".into();
    d.info.clear();
    d.push(&P_BROWSER, d.bytes(&P_BROWSER, p));
    let cmd = *p.first()?;
    d.info = match command_name(cmd) {
        Some(name) => name.to_string(),
        None => format!("Unknown command:0x{cmd:02x}"),
    };
    d.push(&F_BROWSER_COMMAND, Value::UInt(cmd.into()));
    Some(cmd)
}

/// Dissect a message of the `\MAILSLOT\BROWSE` mailslot.
pub fn dissect(p: &[u8], d: &mut Dissection) {
    if browse(p, d).is_none() {
        d.malformed = true;
    }
}

fn browse(p: &[u8], d: &mut Dissection) -> Option<()> {
    let cmd = start(p, d)?;
    let off = 1;
    match cmd {
        HOST_ANNOUNCE | DOMAIN_ANNOUNCEMENT | LOCAL_MASTER_ANNOUNCEMENT => {
            d.push(&F_BROWSER_UPDATE_COUNT, Value::UInt((*p.get(off)?).into()));
            d.push(&F_BROWSER_PERIOD, Value::UInt(le32(p, off + 1)?.into()));
            let padded = p.get(off + 5..off + 5 + HOST_NAME_LEN)?;
            let host = ascii(stringz(padded, 0).map_or(padded, |(s, _)| s));
            d.info.push_str(&format!(" {host}"));
            d.push(&F_BROWSER_SERVER, Value::Str(host));
            let off = os_version(p, off + 5 + HOST_NAME_LEN, d)?;
            let mut off = server_type(p, off, d)?;
            if cmd == DOMAIN_ANNOUNCEMENT && le16(p, off + 2)? != SIGNATURE {
                d.push(
                    &F_BROWSER_MYSTERIOUS_FIELD,
                    Value::UInt(le32(p, off)?.into()),
                );
                off += 4;
            } else {
                d.push(&F_BROWSER_PROTO_MAJOR, Value::UInt((*p.get(off)?).into()));
                d.push(
                    &F_BROWSER_PROTO_MINOR,
                    Value::UInt((*p.get(off + 1)?).into()),
                );
                d.push(&F_BROWSER_SIG, Value::UInt(le16(p, off + 2)?.into()));
                off += 4;
            }
            let def = if cmd == DOMAIN_ANNOUNCEMENT {
                &F_BROWSER_MB_SERVER
            } else {
                &F_BROWSER_COMMENT
            };
            string_field(p, off, def, d)?;
        }
        REQUEST_ANNOUNCE => {
            d.push(&F_BROWSER_UNUSED, Value::UInt((*p.get(off)?).into()));
            let (name, _) = stringz(p, off + 1)?;
            let name = ascii(name);
            d.push(&F_BROWSER_RESPONSE_COMPUTER_NAME, Value::Str(name.clone()));
            d.info.push_str(&format!(" {name}"));
        }
        ELECTION_REQUEST => {
            d.push(
                &F_BROWSER_ELECTION_VERSION,
                Value::UInt((*p.get(off)?).into()),
            );
            let c = off + 1;
            d.push(
                &F_BROWSER_ELECTION_CRITERIA,
                Value::UInt(le32(p, c)?.into()),
            );
            push_bits(
                d,
                &F_BROWSER_ELECTION_DESIRE,
                *p.get(c)?,
                &ELECTION_DESIRE_BITS,
            );
            d.push(&F_BROWSER_PROTO_MAJOR, Value::UInt((*p.get(c + 1)?).into()));
            d.push(&F_BROWSER_PROTO_MINOR, Value::UInt((*p.get(c + 2)?).into()));
            push_bits(d, &F_BROWSER_ELECTION_OS, *p.get(c + 3)?, &ELECTION_OS_BITS);
            d.push(&F_BROWSER_UPTIME, Value::UInt(le32(p, c + 4)?.into()));
            // (four unused bytes follow the uptime)
            string_field(p, c + 12, &F_BROWSER_SERVER, d)?;
        }
        BACKUP_LIST_REQUEST => {
            d.push(&F_BROWSER_BACKUP_COUNT, Value::UInt((*p.get(off)?).into()));
            d.push(
                &F_BROWSER_BACKUP_TOKEN,
                Value::UInt(le32(p, off + 1)?.into()),
            );
        }
        BACKUP_LIST_RESPONSE => {
            let count = *p.get(off)?;
            d.push(&F_BROWSER_BACKUP_COUNT, Value::UInt(count.into()));
            d.push(
                &F_BROWSER_BACKUP_TOKEN,
                Value::UInt(le32(p, off + 1)?.into()),
            );
            let mut at = off + 5;
            for _ in 0..count {
                at = string_field(p, at, &F_BROWSER_BACKUP_SERVER, d)?;
            }
        }
        MASTER_ANNOUNCEMENT => {
            string_field(p, off, &F_BROWSER_MB_SERVER, d)?;
        }
        RESET_BROWSER_STATE => {
            push_bits(d, &F_BROWSER_RESET_CMD, *p.get(off)?, &RESET_CMD_BITS);
        }
        BECOME_BACKUP => {
            string_field(p, off, &F_BROWSER_BROWSER_TO_PROMOTE, d)?;
        }
        _ => {}
    }
    Some(())
}

/// Dissect a LAN Manager announcement (the `\MAILSLOT\LANMAN` mailslot).
pub fn lanman(p: &[u8], d: &mut Dissection) {
    if lanman_message(p, d).is_none() {
        d.malformed = true;
    }
}

fn lanman_message(p: &[u8], d: &mut Dissection) -> Option<()> {
    let cmd = start(p, d)?;
    if !matches!(
        cmd,
        HOST_ANNOUNCE | DOMAIN_ANNOUNCEMENT | LOCAL_MASTER_ANNOUNCEMENT
    ) {
        return Some(());
    }
    d.push(&F_BROWSER_UPDATE_COUNT, Value::UInt((*p.get(1)?).into()));
    let off = server_type(p, 2, d)?;
    let off = os_version(p, off, d)?;
    let period = u32::from(le16(p, off)?) * 1000;
    d.push(&F_BROWSER_PERIOD, Value::UInt(period.into()));
    let (host, end) = stringz(p, off + 2)?;
    let host = ascii(host);
    d.info.push_str(&format!(" {host}"));
    d.push(&F_BROWSER_SERVER, Value::Str(host));
    let def = if cmd == DOMAIN_ANNOUNCEMENT {
        &F_BROWSER_MB_SERVER
    } else {
        &F_BROWSER_COMMENT
    };
    string_field(p, end, def, d)?;
    Some(())
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_BROWSER = "browser", Protocol, Base::Dec, "Microsoft Windows Browser Protocol";
        F_BROWSER_COMMAND = "browser.command", UInt, Base::Hex(2), "Command";
        F_BROWSER_UPDATE_COUNT = "browser.update_count", UInt, Base::Dec, "Update Count";
        F_BROWSER_PERIOD = "browser.period", UInt, Base::Dec, "Update Periodicity";
        F_BROWSER_SERVER = "browser.server", String, Base::Dec, "Server Name";
        F_BROWSER_MB_SERVER = "browser.mb_server", String, Base::Dec, "Master Browser Server Name";
        F_BROWSER_RESET_CMD = "browser.reset_cmd", UInt, Base::Hex(2), "ResetBrowserState Command";
        F_BROWSER_RESET_CMD_DEMOTE = "browser.reset_cmd.demote", Bool, Base::Dec, "Demote LMB";
        F_BROWSER_RESET_CMD_FLUSH = "browser.reset_cmd.flush", Bool, Base::Dec, "Flush Browse List";
        F_BROWSER_RESET_CMD_STOP_LMB = "browser.reset_cmd.stop_lmb", Bool, Base::Dec, "Stop Being LMB";
        F_BROWSER_OS_MAJOR = "browser.os_major", UInt, Base::Dec, "OS Major Version";
        F_BROWSER_OS_MINOR = "browser.os_minor", UInt, Base::Dec, "OS Minor Version";
        F_BROWSER_SERVER_TYPE = "browser.server_type", UInt, Base::Hex(8), "Server Type";
        F_BROWSER_SERVER_TYPE_WORKSTATION = "browser.server_type.workstation", Bool, Base::Dec, "Workstation";
        F_BROWSER_SERVER_TYPE_SERVER = "browser.server_type.server", Bool, Base::Dec, "Server";
        F_BROWSER_SERVER_TYPE_SQL = "browser.server_type.sql", Bool, Base::Dec, "SQL";
        F_BROWSER_SERVER_TYPE_DOMAIN_CONTROLLER = "browser.server_type.domain_controller", Bool, Base::Dec, "Domain Controller";
        F_BROWSER_SERVER_TYPE_BACKUP_CONTROLLER = "browser.server_type.backup_controller", Bool, Base::Dec, "Backup Controller";
        F_BROWSER_SERVER_TYPE_TIME = "browser.server_type.time", Bool, Base::Dec, "Time Source";
        F_BROWSER_SERVER_TYPE_APPLE = "browser.server_type.apple", Bool, Base::Dec, "Apple";
        F_BROWSER_SERVER_TYPE_NOVELL = "browser.server_type.novell", Bool, Base::Dec, "Novell";
        F_BROWSER_SERVER_TYPE_MEMBER = "browser.server_type.member", Bool, Base::Dec, "Member";
        F_BROWSER_SERVER_TYPE_PRINT = "browser.server_type.print", Bool, Base::Dec, "Print";
        F_BROWSER_SERVER_TYPE_DIALIN = "browser.server_type.dialin", Bool, Base::Dec, "Dialin";
        F_BROWSER_SERVER_TYPE_XENIX = "browser.server_type.xenix", Bool, Base::Dec, "Xenix";
        F_BROWSER_SERVER_TYPE_NTW = "browser.server_type.ntw", Bool, Base::Dec, "NT Workstation";
        F_BROWSER_SERVER_TYPE_WFW = "browser.server_type.wfw", Bool, Base::Dec, "WfW";
        F_BROWSER_SERVER_TYPE_NTS = "browser.server_type.nts", Bool, Base::Dec, "NT Server";
        F_BROWSER_SERVER_TYPE_BROWSER_POTENTIAL = "browser.server_type.browser.potential", Bool, Base::Dec, "Potential Browser";
        F_BROWSER_SERVER_TYPE_BROWSER_BACKUP = "browser.server_type.browser.backup", Bool, Base::Dec, "Backup Browser";
        F_BROWSER_SERVER_TYPE_BROWSER_MASTER = "browser.server_type.browser.master", Bool, Base::Dec, "Master Browser";
        F_BROWSER_SERVER_TYPE_BROWSER_DOMAIN_MASTER = "browser.server_type.browser.domain_master", Bool, Base::Dec, "Domain Master Browser";
        F_BROWSER_SERVER_TYPE_OSF = "browser.server_type.osf", Bool, Base::Dec, "OSF";
        F_BROWSER_SERVER_TYPE_VMS = "browser.server_type.vms", Bool, Base::Dec, "VMS";
        F_BROWSER_SERVER_TYPE_W95 = "browser.server_type.w95", Bool, Base::Dec, "Windows 95+";
        F_BROWSER_SERVER_TYPE_DFS = "browser.server_type.dfs", Bool, Base::Dec, "DFS";
        F_BROWSER_SERVER_TYPE_LOCAL = "browser.server_type.local", Bool, Base::Dec, "Local";
        F_BROWSER_SERVER_TYPE_DOMAINENUM = "browser.server_type.domainenum", Bool, Base::Dec, "Domain Enum";
        F_BROWSER_ELECTION_VERSION = "browser.election.version", UInt, Base::Dec, "Election Version";
        F_BROWSER_PROTO_MAJOR = "browser.proto_major", UInt, Base::Dec, "Browser Protocol Major Version";
        F_BROWSER_PROTO_MINOR = "browser.proto_minor", UInt, Base::Dec, "Browser Protocol Minor Version";
        F_BROWSER_SIG = "browser.sig", UInt, Base::Hex(4), "Signature";
        F_BROWSER_COMMENT = "browser.comment", String, Base::Dec, "Host Comment";
        F_BROWSER_UNUSED = "browser.unused", UInt, Base::Hex(2), "Unused flags";
        F_BROWSER_RESPONSE_COMPUTER_NAME = "browser.response_computer_name", String, Base::Dec, "Response Computer Name";
        F_BROWSER_ELECTION_CRITERIA = "browser.election.criteria", UInt, Base::Hex(8), "Election Criteria";
        F_BROWSER_ELECTION_DESIRE = "browser.election.desire", UInt, Base::Hex(2), "Election Desire";
        F_BROWSER_ELECTION_DESIRE_BACKUP = "browser.election.desire.backup", Bool, Base::Dec, "Backup";
        F_BROWSER_ELECTION_DESIRE_STANDBY = "browser.election.desire.standby", Bool, Base::Dec, "Standby";
        F_BROWSER_ELECTION_DESIRE_MASTER = "browser.election.desire.master", Bool, Base::Dec, "Master";
        F_BROWSER_ELECTION_DESIRE_DOMAIN_MASTER = "browser.election.desire.domain_master", Bool, Base::Dec, "Domain Master";
        F_BROWSER_ELECTION_DESIRE_WINS = "browser.election.desire.wins", Bool, Base::Dec, "WINS";
        F_BROWSER_ELECTION_DESIRE_NT = "browser.election.desire.nt", Bool, Base::Dec, "NT";
        F_BROWSER_ELECTION_OS = "browser.election.os", UInt, Base::Hex(2), "Election OS";
        F_BROWSER_ELECTION_OS_WFW = "browser.election.os.wfw", Bool, Base::Dec, "WfW";
        F_BROWSER_ELECTION_OS_NTW = "browser.election.os.ntw", Bool, Base::Dec, "NT Workstation";
        F_BROWSER_ELECTION_OS_NTS = "browser.election.os.nts", Bool, Base::Dec, "NT Server";
        F_BROWSER_UPTIME = "browser.uptime", UInt, Base::Dec, "Uptime";
        F_BROWSER_BACKUP_COUNT = "browser.backup.count", UInt, Base::Dec, "Backup List Requested Count";
        F_BROWSER_BACKUP_TOKEN = "browser.backup.token", UInt, Base::Dec, "Backup Request Token";
        F_BROWSER_BACKUP_SERVER = "browser.backup.server", String, Base::Dec, "Backup Server";
        F_BROWSER_BROWSER_TO_PROMOTE = "browser.browser_to_promote", String, Base::Dec, "Browser to Promote";
        F_BROWSER_WINDOWS_VERSION = "browser.windows_version", String, Base::Dec, "Windows version";
        F_BROWSER_MYSTERIOUS_FIELD = "browser.mysterious_field", UInt, Base::Hex(8), "Mysterious Field";
    }
}
