//! ONC RPC (RFC 5531) over UDP, recognised as tshark's heuristic does: a
//! call names RPC version 2 and a program known here (NFS); a reply must
//! answer a call seen earlier in the same conversation (by XID). Shows the
//! message header, AUTH_UNIX credentials, reply status and the call a reply
//! answers. NFS calls and replies with arguments or results get the `nfs`
//! layer; of NFS itself only the procedure, what tshark puts in RPC's own
//! fields (the program version, the opaque length of a WRITE's data or a
//! COMPOUND's tag) and the Info column of GETATTR and WRITE calls are shown.

use std::collections::{HashMap, VecDeque};

use super::protocol::{Mark, Protocol, Udp};
use super::util::be32;
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// ONC RPC (with NFS), found by tshark's heuristic on UDP: a call to a
/// known program, or the reply to one.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "rpc",
    fields: FIELDS,
    marks: &[Mark::new("rpc", &P_RPC), Mark::new("nfs", &P_NFS)],
    udp: Some(Udp {
        ports: &[],
        dissect: HEURISTIC,
        heuristic: Some(HEURISTIC),
    }),
    ..Protocol::NONE
};

const HEURISTIC: super::protocol::UdpDissect =
    |call, p, d| dissect(p, &mut call.state.rpc, call.dg, d);

/// Most calls remembered for matching replies.
const MAX_CALLS: usize = 4096;

const NFS_PROGRAM: u32 = 100_003;

/// Where a datagram sits: its UDP conversation, frame number and time.
#[derive(Clone, Copy, Debug, Default)]
pub struct Datagram {
    /// `udp.stream` index.
    pub stream: u64,
    /// Frame number.
    pub frame: u64,
    /// Capture time, ns since the epoch.
    pub ts_ns: i64,
    /// Inside a packet quoted by an ICMP error (no state is kept).
    pub quoted: bool,
}

/// A call awaiting its reply.
#[derive(Clone, Copy, Debug)]
struct Call {
    frame: u64,
    ts_ns: i64,
    program: u32,
    version: u32,
    procedure: u32,
}

/// Calls seen, by conversation and XID (the first of retransmitted calls).
#[derive(Debug, Default)]
pub struct State {
    calls: HashMap<(u64, u32), Call>,
    order: VecDeque<(u64, u32)>,
}

impl State {
    fn remember(&mut self, key: (u64, u32), call: Call) {
        if self.calls.contains_key(&key) {
            return;
        }
        if self.order.len() >= MAX_CALLS {
            if let Some(old) = self.order.pop_front() {
                self.calls.remove(&old);
            }
        }
        self.order.push_back(key);
        self.calls.insert(key, call);
    }
}

/// The procedure names of the NFS versions tshark knows.
fn nfs_procedure(version: u32, procedure: u32) -> Option<&'static str> {
    const V2: [&str; 18] = [
        "NULL",
        "GETATTR",
        "SETATTR",
        "ROOT",
        "LOOKUP",
        "READLINK",
        "READ",
        "WRITECACHE",
        "WRITE",
        "CREATE",
        "REMOVE",
        "RENAME",
        "LINK",
        "SYMLINK",
        "MKDIR",
        "RMDIR",
        "READDIR",
        "STATFS",
    ];
    const V3: [&str; 22] = [
        "NULL",
        "GETATTR",
        "SETATTR",
        "LOOKUP",
        "ACCESS",
        "READLINK",
        "READ",
        "WRITE",
        "CREATE",
        "MKDIR",
        "SYMLINK",
        "MKNOD",
        "REMOVE",
        "RMDIR",
        "RENAME",
        "LINK",
        "READDIR",
        "READDIRPLUS",
        "FSSTAT",
        "FSINFO",
        "PATHCONF",
        "COMMIT",
    ];
    const V4: [&str; 2] = ["NULL", "COMPOUND"];
    let names: &[&str] = match version {
        2 => &V2,
        3 => &V3,
        4 => &V4,
        _ => return None,
    };
    names.get(usize::try_from(procedure).ok()?).copied()
}

/// Dissect a UDP payload as RPC; false (nothing pushed) when it is not.
pub fn dissect(p: &[u8], st: &mut State, dg: Datagram, d: &mut Dissection) -> bool {
    let (Some(xid), Some(msg_type)) = (be32(p, 0), be32(p, 4)) else {
        return false;
    };
    match msg_type {
        0 => {
            if be32(p, 8) != Some(2) || be32(p, 12) != Some(NFS_PROGRAM) {
                return false;
            }
            call(p, xid, st, dg, d);
            true
        }
        1 => match st.calls.get(&(dg.stream, xid)).copied() {
            Some(c) => {
                reply(p, xid, c, dg, d);
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Reads 32-bit words from the front of an RPC message.
struct Reader<'a> {
    b: &'a [u8],
    off: usize,
}

impl Reader<'_> {
    fn u32(&mut self) -> Option<u32> {
        let v = be32(self.b, self.off)?;
        self.off += 4;
        Some(v)
    }

    /// Skip `n` bytes of opaque data and their padding to 4 bytes.
    fn skip(&mut self, n: u32) -> Option<()> {
        let n = usize::try_from(n).ok()?.checked_add(3)? & !3;
        if self.b.len() < self.off.checked_add(n)? {
            return None;
        }
        self.off += n;
        Some(())
    }

    fn rest(&self) -> &[u8] {
        self.b.get(self.off..).unwrap_or_default()
    }
}

/// Credentials or verifier: flavor, length, and for AUTH_UNIX its parts.
fn auth(r: &mut Reader<'_>, d: &mut Dissection) -> Option<()> {
    let flavor = r.u32()?;
    d.push(&F_RPC_AUTH_FLAVOR, Value::UInt(flavor.into()));
    let len = r.u32()?;
    d.push(&F_RPC_AUTH_LENGTH, Value::UInt(len.into()));
    let end = r.off.checked_add(usize::try_from(len).ok()?)?;
    if flavor == 1 {
        let stamp = r.u32()?;
        d.push(&F_RPC_AUTH_STAMP, Value::UInt(stamp.into()));
        let n = r.u32()?;
        d.push(&F_RPC_OPAQUE_LENGTH, Value::UInt(n.into()));
        let name =
            r.b.get(r.off..r.off.checked_add(usize::try_from(n).ok()?)?)?;
        d.push(&F_RPC_AUTH_MACHINENAME, Value::Str(super::util::text(name)));
        r.skip(n)?;
        let uid = r.u32()?;
        d.push(&F_RPC_AUTH_UID, Value::UInt(uid.into()));
        let gid = r.u32()?;
        d.push(&F_RPC_AUTH_GID, Value::UInt(gid.into()));
        let count = r.u32()?;
        for _ in 0..count.min(64) {
            let gid = r.u32()?;
            d.push(&F_RPC_AUTH_GID, Value::UInt(gid.into()));
        }
    }
    // Whatever the flavor, its body ends where its length says.
    if r.off > end {
        return None;
    }
    r.skip(u32::try_from(end - r.off).ok()?)
}

/// The CRC-32 tshark shows for a file handle.
fn fh_hash(fh: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(fh);
    crc.sum()
}

/// An NFSv3 file handle at the front of `r` (length and bytes).
fn nfs3_fh<'a>(r: &mut Reader<'a>) -> Option<&'a [u8]> {
    let n = r.u32()?;
    let start = r.off;
    let fh =
        r.b.get(start..start.checked_add(usize::try_from(n).ok()?)?)?;
    r.skip(n)?;
    Some(fh)
}

/// What the NFS dissector shows of a call's arguments in RPC's own fields
/// and in the Info column.
fn nfs_call(args: &[u8], version: u32, procedure: u32, d: &mut Dissection, info: &mut String) {
    let mut r = Reader { b: args, off: 0 };
    match (version, procedure) {
        (3, 1) => {
            if let Some(fh) = nfs3_fh(&mut r) {
                info.push_str(&format!(", FH: 0x{:08x}", fh_hash(fh)));
            }
        }
        (3, 7) => {
            let write = (|| {
                let fh = nfs3_fh(&mut r)?;
                let offset = u64::from(r.u32()?) << 32 | u64::from(r.u32()?);
                let count = r.u32()?;
                let stable = r.u32()?;
                Some((fh_hash(fh), offset, count, stable))
            })();
            if let Some((hash, offset, count, stable)) = write {
                let stable = match stable {
                    0 => "UNSTABLE",
                    1 => "DATA_SYNC",
                    2 => "FILE_SYNC",
                    _ => "Unknown",
                };
                info.push_str(&format!(
                    ", FH: 0x{hash:08x} Offset: {offset} Len: {count} {stable}"
                ));
                // The data, as RPC opaque bytes; NFS leaves what follows.
                if let Some(n) = r.u32() {
                    d.push(&F_RPC_OPAQUE_LENGTH, Value::UInt(n.into()));
                    if r.skip(n).is_some() {
                        data(r.rest(), d);
                    }
                }
            }
        }
        (4, 1) => {
            // The COMPOUND tag, an RPC string.
            if let Some(n) = r.u32() {
                d.push(&F_RPC_OPAQUE_LENGTH, Value::UInt(n.into()));
            }
        }
        _ => {}
    }
}

/// The program's subtree after the RPC header: its version and procedure,
/// then the arguments (`is_call`) or results, handed to NFS when tshark
/// knows the version and procedure, else shown as data.
fn body(args: &[u8], version: u32, procedure: u32, is_call: bool, d: &mut Dissection) -> String {
    let mut info = String::new();
    d.push(&P_NFS, d.bytes(&P_NFS, args));
    d.push(&F_RPC_PROGRAMVERSION, Value::UInt(version.into()));
    let proc_field = match version {
        2 => Some(&F_NFS_PROCEDURE_V2),
        3 => Some(&F_NFS_PROCEDURE_V3),
        4 => Some(&F_NFS_PROCEDURE_V4),
        _ => None,
    };
    // (the procedure of a version tshark does not know is RPC's own field)
    d.push(
        proc_field.unwrap_or(&F_RPC_PROCEDURE),
        Value::UInt(procedure.into()),
    );
    if args.is_empty() {
        return info;
    }
    if nfs_procedure(version, procedure).is_some() {
        d.push(&L_NFS, Value::None);
        if is_call {
            nfs_call(args, version, procedure, d, &mut info);
        }
    } else {
        data(args, d);
    }
    info
}

/// Bytes no dissector takes, as tshark's `data` (nothing when empty).
fn data(b: &[u8], d: &mut Dissection) {
    use crate::dissect::data::{DATA, DATA_DATA, DATA_LEN};
    if b.is_empty() {
        return;
    }
    d.push(&DATA, Value::None);
    d.push(&DATA_DATA, d.bytes(&DATA_DATA, b));
    d.push(&DATA_LEN, Value::Int(b.len() as i64));
}

fn summary(version: u32, procedure: u32) -> String {
    match nfs_procedure(version, procedure) {
        Some(name) => format!("V{version} {name}"),
        None => format!("V{version} proc-{procedure}"),
    }
}

fn call(p: &[u8], xid: u32, st: &mut State, dg: Datagram, d: &mut Dissection) {
    d.protocol = "NFS".into();
    d.push(&F_RPC_XID, Value::UInt(xid.into()));
    d.push(&F_RPC_MSGTYP, Value::UInt(0));
    d.push(&F_RPC_VERSION, Value::UInt(2));
    d.push(&F_RPC_PROGRAM, Value::UInt(NFS_PROGRAM.into()));
    let mut r = Reader { b: p, off: 16 };
    let parsed = (|| {
        let version = r.u32()?;
        d.push(&F_RPC_PROGRAMVERSION, Value::UInt(version.into()));
        let procedure = r.u32()?;
        d.push(&F_RPC_PROCEDURE, Value::UInt(procedure.into()));
        auth(&mut r, d)?;
        auth(&mut r, d)?;
        Some((version, procedure))
    })();
    let Some((version, procedure)) = parsed else {
        d.malformed = true;
        return;
    };
    let retransmission = st
        .calls
        .get(&(dg.stream, xid))
        .map(|c| format!("[RPC retransmission of #{}]", c.frame))
        .unwrap_or_default();
    st.remember(
        (dg.stream, xid),
        Call {
            frame: dg.frame,
            ts_ns: dg.ts_ns,
            program: NFS_PROGRAM,
            version,
            procedure,
        },
    );
    let detail = body(r.rest(), version, procedure, true, d);
    d.info = format!(
        "{retransmission}{} Call{detail}",
        summary(version, procedure)
    );
}

fn reply(p: &[u8], xid: u32, c: Call, dg: Datagram, d: &mut Dissection) {
    d.protocol = "NFS".into();
    d.push(&F_RPC_XID, Value::UInt(xid.into()));
    d.push(&F_RPC_MSGTYP, Value::UInt(1));
    d.push(&F_RPC_PROGRAM, Value::UInt(c.program.into()));
    d.push(&F_RPC_PROGRAMVERSION, Value::UInt(c.version.into()));
    d.push(&F_RPC_PROCEDURE, Value::UInt(c.procedure.into()));
    d.info = format!(
        "{} Reply (Call In {})",
        summary(c.version, c.procedure),
        c.frame
    );
    let mut r = Reader { b: p, off: 8 };
    let Some(state) = r.u32() else {
        d.malformed = true;
        return;
    };
    d.push(&F_RPC_REPLYSTAT, Value::UInt(state.into()));
    d.push(&F_RPC_REPFRAME, Value::UInt(c.frame));
    d.push(
        &F_RPC_TIME,
        Value::Float(dg.ts_ns.saturating_sub(c.ts_ns) as f64 / 1e9),
    );
    if state != 0 {
        return;
    }
    let accepted = (|| {
        auth(&mut r, d)?;
        let accept = r.u32()?;
        d.push(&F_RPC_STATE_ACCEPT, Value::UInt(accept.into()));
        Some(accept)
    })();
    match accepted {
        Some(0) => {
            body(r.rest(), c.version, c.procedure, false, d);
        }
        Some(_) => {}
        None => d.malformed = true,
    }
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::{Base, FieldDef};

    fields! {
        P_RPC = "rpc", Protocol, Base::Dec, "Remote Procedure Call";
        F_RPC_XID = "rpc.xid", UInt, Base::Hex(8), "XID";
        F_RPC_MSGTYP = "rpc.msgtyp", UInt, Base::Dec, "Message Type";
        F_RPC_VERSION = "rpc.version", UInt, Base::Dec, "RPC Version";
        F_RPC_PROGRAM = "rpc.program", UInt, Base::Dec, "Program";
        F_RPC_PROGRAMVERSION = "rpc.programversion", UInt, Base::Dec, "Program Version";
        F_RPC_PROCEDURE = "rpc.procedure", UInt, Base::Dec, "Procedure";
        F_RPC_AUTH_FLAVOR = "rpc.auth.flavor", UInt, Base::Dec, "Flavor";
        F_RPC_AUTH_LENGTH = "rpc.auth.length", UInt, Base::Dec, "Length";
        F_RPC_AUTH_STAMP = "rpc.auth.stamp", UInt, Base::Hex(8), "Stamp";
        F_RPC_OPAQUE_LENGTH = "rpc.opaque_length", UInt, Base::Dec, "length";
        F_RPC_AUTH_MACHINENAME = "rpc.auth.machinename", String, Base::Dec, "Machine Name";
        F_RPC_AUTH_UID = "rpc.auth.uid", UInt, Base::Dec, "UID";
        F_RPC_AUTH_GID = "rpc.auth.gid", UInt, Base::Dec, "GID";
        F_RPC_REPLYSTAT = "rpc.replystat", UInt, Base::Dec, "Reply State";
        F_RPC_REPFRAME = "rpc.repframe", FrameNum, Base::Dec, "Reply Frame";
        F_RPC_TIME = "rpc.time", RelTime, Base::Dec, "Time from request";
        F_RPC_STATE_ACCEPT = "rpc.state_accept", UInt, Base::Dec, "Accept State";
        F_NFS_PROCEDURE_V2 = "nfs.procedure_v2", UInt, Base::Dec, "V2 Procedure";
        F_NFS_PROCEDURE_V3 = "nfs.procedure_v3", UInt, Base::Dec, "V3 Procedure";
        F_NFS_PROCEDURE_V4 = "nfs.procedure_v4", UInt, Base::Dec, "V4 Procedure";
        // NFS: RPC shows the program's subtree on every NFS message, but
        // calls the NFS dissector (a `frame.protocols` layer, L_NFS) only
        // on arguments or results.
        @tree_only P_NFS = "nfs", "Network File System";
    }

    pub static L_NFS: FieldDef = FieldDef::layer_only("nfs");
}
