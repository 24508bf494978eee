//! The Microsoft Windows Browser protocol (`browser`), in the mailslot
//! messages of `\MAILSLOT\BROWSE` (announcements, election requests,
//! backup lists) and the LAN Manager announcements of `\MAILSLOT\LANMAN`.

use super::util::{ascii, le16, le32, stringz};
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;

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

    use crate::dissect::field::{Base, FieldDef, FieldType};

    pub static P_BROWSER: FieldDef = FieldDef::new("browser", FieldType::Protocol, Base::Dec, "Microsoft Windows Browser Protocol");
    pub static F_BROWSER_COMMAND: FieldDef = FieldDef::new("browser.command", FieldType::UInt, Base::Hex(2), "Command");
    pub static F_BROWSER_UPDATE_COUNT: FieldDef = FieldDef::new("browser.update_count", FieldType::UInt, Base::Dec, "Update Count");
    pub static F_BROWSER_PERIOD: FieldDef = FieldDef::new("browser.period", FieldType::UInt, Base::Dec, "Update Periodicity");
    pub static F_BROWSER_SERVER: FieldDef = FieldDef::new("browser.server", FieldType::String, Base::Dec, "Server Name");
    pub static F_BROWSER_MB_SERVER: FieldDef = FieldDef::new("browser.mb_server", FieldType::String, Base::Dec, "Master Browser Server Name");
    pub static F_BROWSER_RESET_CMD: FieldDef = FieldDef::new("browser.reset_cmd", FieldType::UInt, Base::Hex(2), "ResetBrowserState Command");
    pub static F_BROWSER_RESET_CMD_DEMOTE: FieldDef = FieldDef::new("browser.reset_cmd.demote", FieldType::Bool, Base::Dec, "Demote LMB");
    pub static F_BROWSER_RESET_CMD_FLUSH: FieldDef = FieldDef::new("browser.reset_cmd.flush", FieldType::Bool, Base::Dec, "Flush Browse List");
    pub static F_BROWSER_RESET_CMD_STOP_LMB: FieldDef = FieldDef::new("browser.reset_cmd.stop_lmb", FieldType::Bool, Base::Dec, "Stop Being LMB");
    pub static F_BROWSER_OS_MAJOR: FieldDef = FieldDef::new("browser.os_major", FieldType::UInt, Base::Dec, "OS Major Version");
    pub static F_BROWSER_OS_MINOR: FieldDef = FieldDef::new("browser.os_minor", FieldType::UInt, Base::Dec, "OS Minor Version");
    pub static F_BROWSER_SERVER_TYPE: FieldDef = FieldDef::new("browser.server_type", FieldType::UInt, Base::Hex(8), "Server Type");
    pub static F_BROWSER_SERVER_TYPE_WORKSTATION: FieldDef = FieldDef::new("browser.server_type.workstation", FieldType::Bool, Base::Dec, "Workstation");
    pub static F_BROWSER_SERVER_TYPE_SERVER: FieldDef = FieldDef::new("browser.server_type.server", FieldType::Bool, Base::Dec, "Server");
    pub static F_BROWSER_SERVER_TYPE_SQL: FieldDef = FieldDef::new("browser.server_type.sql", FieldType::Bool, Base::Dec, "SQL");
    pub static F_BROWSER_SERVER_TYPE_DOMAIN_CONTROLLER: FieldDef = FieldDef::new("browser.server_type.domain_controller", FieldType::Bool, Base::Dec, "Domain Controller");
    pub static F_BROWSER_SERVER_TYPE_BACKUP_CONTROLLER: FieldDef = FieldDef::new("browser.server_type.backup_controller", FieldType::Bool, Base::Dec, "Backup Controller");
    pub static F_BROWSER_SERVER_TYPE_TIME: FieldDef = FieldDef::new("browser.server_type.time", FieldType::Bool, Base::Dec, "Time Source");
    pub static F_BROWSER_SERVER_TYPE_APPLE: FieldDef = FieldDef::new("browser.server_type.apple", FieldType::Bool, Base::Dec, "Apple");
    pub static F_BROWSER_SERVER_TYPE_NOVELL: FieldDef = FieldDef::new("browser.server_type.novell", FieldType::Bool, Base::Dec, "Novell");
    pub static F_BROWSER_SERVER_TYPE_MEMBER: FieldDef = FieldDef::new("browser.server_type.member", FieldType::Bool, Base::Dec, "Member");
    pub static F_BROWSER_SERVER_TYPE_PRINT: FieldDef = FieldDef::new("browser.server_type.print", FieldType::Bool, Base::Dec, "Print");
    pub static F_BROWSER_SERVER_TYPE_DIALIN: FieldDef = FieldDef::new("browser.server_type.dialin", FieldType::Bool, Base::Dec, "Dialin");
    pub static F_BROWSER_SERVER_TYPE_XENIX: FieldDef = FieldDef::new("browser.server_type.xenix", FieldType::Bool, Base::Dec, "Xenix");
    pub static F_BROWSER_SERVER_TYPE_NTW: FieldDef = FieldDef::new("browser.server_type.ntw", FieldType::Bool, Base::Dec, "NT Workstation");
    pub static F_BROWSER_SERVER_TYPE_WFW: FieldDef = FieldDef::new("browser.server_type.wfw", FieldType::Bool, Base::Dec, "WfW");
    pub static F_BROWSER_SERVER_TYPE_NTS: FieldDef = FieldDef::new("browser.server_type.nts", FieldType::Bool, Base::Dec, "NT Server");
    pub static F_BROWSER_SERVER_TYPE_BROWSER_POTENTIAL: FieldDef = FieldDef::new("browser.server_type.browser.potential", FieldType::Bool, Base::Dec, "Potential Browser");
    pub static F_BROWSER_SERVER_TYPE_BROWSER_BACKUP: FieldDef = FieldDef::new("browser.server_type.browser.backup", FieldType::Bool, Base::Dec, "Backup Browser");
    pub static F_BROWSER_SERVER_TYPE_BROWSER_MASTER: FieldDef = FieldDef::new("browser.server_type.browser.master", FieldType::Bool, Base::Dec, "Master Browser");
    pub static F_BROWSER_SERVER_TYPE_BROWSER_DOMAIN_MASTER: FieldDef = FieldDef::new("browser.server_type.browser.domain_master", FieldType::Bool, Base::Dec, "Domain Master Browser");
    pub static F_BROWSER_SERVER_TYPE_OSF: FieldDef = FieldDef::new("browser.server_type.osf", FieldType::Bool, Base::Dec, "OSF");
    pub static F_BROWSER_SERVER_TYPE_VMS: FieldDef = FieldDef::new("browser.server_type.vms", FieldType::Bool, Base::Dec, "VMS");
    pub static F_BROWSER_SERVER_TYPE_W95: FieldDef = FieldDef::new("browser.server_type.w95", FieldType::Bool, Base::Dec, "Windows 95+");
    pub static F_BROWSER_SERVER_TYPE_DFS: FieldDef = FieldDef::new("browser.server_type.dfs", FieldType::Bool, Base::Dec, "DFS");
    pub static F_BROWSER_SERVER_TYPE_LOCAL: FieldDef = FieldDef::new("browser.server_type.local", FieldType::Bool, Base::Dec, "Local");
    pub static F_BROWSER_SERVER_TYPE_DOMAINENUM: FieldDef = FieldDef::new("browser.server_type.domainenum", FieldType::Bool, Base::Dec, "Domain Enum");
    pub static F_BROWSER_ELECTION_VERSION: FieldDef = FieldDef::new("browser.election.version", FieldType::UInt, Base::Dec, "Election Version");
    pub static F_BROWSER_PROTO_MAJOR: FieldDef = FieldDef::new("browser.proto_major", FieldType::UInt, Base::Dec, "Browser Protocol Major Version");
    pub static F_BROWSER_PROTO_MINOR: FieldDef = FieldDef::new("browser.proto_minor", FieldType::UInt, Base::Dec, "Browser Protocol Minor Version");
    pub static F_BROWSER_SIG: FieldDef = FieldDef::new("browser.sig", FieldType::UInt, Base::Hex(4), "Signature");
    pub static F_BROWSER_COMMENT: FieldDef = FieldDef::new("browser.comment", FieldType::String, Base::Dec, "Host Comment");
    pub static F_BROWSER_UNUSED: FieldDef = FieldDef::new("browser.unused", FieldType::UInt, Base::Hex(2), "Unused flags");
    pub static F_BROWSER_RESPONSE_COMPUTER_NAME: FieldDef = FieldDef::new("browser.response_computer_name", FieldType::String, Base::Dec, "Response Computer Name");
    pub static F_BROWSER_ELECTION_CRITERIA: FieldDef = FieldDef::new("browser.election.criteria", FieldType::UInt, Base::Hex(8), "Election Criteria");
    pub static F_BROWSER_ELECTION_DESIRE: FieldDef = FieldDef::new("browser.election.desire", FieldType::UInt, Base::Hex(2), "Election Desire");
    pub static F_BROWSER_ELECTION_DESIRE_BACKUP: FieldDef = FieldDef::new("browser.election.desire.backup", FieldType::Bool, Base::Dec, "Backup");
    pub static F_BROWSER_ELECTION_DESIRE_STANDBY: FieldDef = FieldDef::new("browser.election.desire.standby", FieldType::Bool, Base::Dec, "Standby");
    pub static F_BROWSER_ELECTION_DESIRE_MASTER: FieldDef = FieldDef::new("browser.election.desire.master", FieldType::Bool, Base::Dec, "Master");
    pub static F_BROWSER_ELECTION_DESIRE_DOMAIN_MASTER: FieldDef = FieldDef::new("browser.election.desire.domain_master", FieldType::Bool, Base::Dec, "Domain Master");
    pub static F_BROWSER_ELECTION_DESIRE_WINS: FieldDef = FieldDef::new("browser.election.desire.wins", FieldType::Bool, Base::Dec, "WINS");
    pub static F_BROWSER_ELECTION_DESIRE_NT: FieldDef = FieldDef::new("browser.election.desire.nt", FieldType::Bool, Base::Dec, "NT");
    pub static F_BROWSER_ELECTION_OS: FieldDef = FieldDef::new("browser.election.os", FieldType::UInt, Base::Hex(2), "Election OS");
    pub static F_BROWSER_ELECTION_OS_WFW: FieldDef = FieldDef::new("browser.election.os.wfw", FieldType::Bool, Base::Dec, "WfW");
    pub static F_BROWSER_ELECTION_OS_NTW: FieldDef = FieldDef::new("browser.election.os.ntw", FieldType::Bool, Base::Dec, "NT Workstation");
    pub static F_BROWSER_ELECTION_OS_NTS: FieldDef = FieldDef::new("browser.election.os.nts", FieldType::Bool, Base::Dec, "NT Server");
    pub static F_BROWSER_UPTIME: FieldDef = FieldDef::new("browser.uptime", FieldType::UInt, Base::Dec, "Uptime");
    pub static F_BROWSER_BACKUP_COUNT: FieldDef = FieldDef::new("browser.backup.count", FieldType::UInt, Base::Dec, "Backup List Requested Count");
    pub static F_BROWSER_BACKUP_TOKEN: FieldDef = FieldDef::new("browser.backup.token", FieldType::UInt, Base::Dec, "Backup Request Token");
    pub static F_BROWSER_BACKUP_SERVER: FieldDef = FieldDef::new("browser.backup.server", FieldType::String, Base::Dec, "Backup Server");
    pub static F_BROWSER_BROWSER_TO_PROMOTE: FieldDef = FieldDef::new("browser.browser_to_promote", FieldType::String, Base::Dec, "Browser to Promote");
    pub static F_BROWSER_WINDOWS_VERSION: FieldDef = FieldDef::new("browser.windows_version", FieldType::String, Base::Dec, "Windows version");
    pub static F_BROWSER_MYSTERIOUS_FIELD: FieldDef = FieldDef::new("browser.mysterious_field", FieldType::UInt, Base::Hex(8), "Mysterious Field");

    /// Every field of this dissector.
    pub static FIELDS: &[&FieldDef] = &[
        &P_BROWSER, &F_BROWSER_COMMAND, &F_BROWSER_UPDATE_COUNT, &F_BROWSER_PERIOD,
        &F_BROWSER_SERVER, &F_BROWSER_MB_SERVER, &F_BROWSER_RESET_CMD,
        &F_BROWSER_RESET_CMD_DEMOTE, &F_BROWSER_RESET_CMD_FLUSH, &F_BROWSER_RESET_CMD_STOP_LMB,
        &F_BROWSER_OS_MAJOR, &F_BROWSER_OS_MINOR, &F_BROWSER_SERVER_TYPE,
        &F_BROWSER_SERVER_TYPE_WORKSTATION, &F_BROWSER_SERVER_TYPE_SERVER,
        &F_BROWSER_SERVER_TYPE_SQL, &F_BROWSER_SERVER_TYPE_DOMAIN_CONTROLLER,
        &F_BROWSER_SERVER_TYPE_BACKUP_CONTROLLER, &F_BROWSER_SERVER_TYPE_TIME,
        &F_BROWSER_SERVER_TYPE_APPLE, &F_BROWSER_SERVER_TYPE_NOVELL,
        &F_BROWSER_SERVER_TYPE_MEMBER, &F_BROWSER_SERVER_TYPE_PRINT,
        &F_BROWSER_SERVER_TYPE_DIALIN, &F_BROWSER_SERVER_TYPE_XENIX,
        &F_BROWSER_SERVER_TYPE_NTW, &F_BROWSER_SERVER_TYPE_WFW, &F_BROWSER_SERVER_TYPE_NTS,
        &F_BROWSER_SERVER_TYPE_BROWSER_POTENTIAL, &F_BROWSER_SERVER_TYPE_BROWSER_BACKUP,
        &F_BROWSER_SERVER_TYPE_BROWSER_MASTER, &F_BROWSER_SERVER_TYPE_BROWSER_DOMAIN_MASTER,
        &F_BROWSER_SERVER_TYPE_OSF, &F_BROWSER_SERVER_TYPE_VMS, &F_BROWSER_SERVER_TYPE_W95,
        &F_BROWSER_SERVER_TYPE_DFS, &F_BROWSER_SERVER_TYPE_LOCAL,
        &F_BROWSER_SERVER_TYPE_DOMAINENUM, &F_BROWSER_ELECTION_VERSION,
        &F_BROWSER_PROTO_MAJOR, &F_BROWSER_PROTO_MINOR, &F_BROWSER_SIG, &F_BROWSER_COMMENT,
        &F_BROWSER_UNUSED, &F_BROWSER_RESPONSE_COMPUTER_NAME, &F_BROWSER_ELECTION_CRITERIA,
        &F_BROWSER_ELECTION_DESIRE, &F_BROWSER_ELECTION_DESIRE_BACKUP,
        &F_BROWSER_ELECTION_DESIRE_STANDBY, &F_BROWSER_ELECTION_DESIRE_MASTER,
        &F_BROWSER_ELECTION_DESIRE_DOMAIN_MASTER, &F_BROWSER_ELECTION_DESIRE_WINS,
        &F_BROWSER_ELECTION_DESIRE_NT, &F_BROWSER_ELECTION_OS, &F_BROWSER_ELECTION_OS_WFW,
        &F_BROWSER_ELECTION_OS_NTW, &F_BROWSER_ELECTION_OS_NTS, &F_BROWSER_UPTIME,
        &F_BROWSER_BACKUP_COUNT, &F_BROWSER_BACKUP_TOKEN, &F_BROWSER_BACKUP_SERVER,
        &F_BROWSER_BROWSER_TO_PROMOTE, &F_BROWSER_WINDOWS_VERSION, &F_BROWSER_MYSTERIOUS_FIELD,
    ];
}
