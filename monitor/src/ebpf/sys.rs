//! The two `bpf(2)` commands aya does not offer for programs built at run
//! time: loading raw instructions, and pointing a program-array slot at the
//! result (or clearing it); and the interface lookup (`if_nametoindex`)
//! that attaching needs.

use std::{
    ffi::CString,
    io,
    os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd},
};

use super::codegen::Insn;

const BPF_MAP_UPDATE_ELEM: libc::c_long = 2;
const BPF_MAP_DELETE_ELEM: libc::c_long = 3;
const BPF_PROG_LOAD: libc::c_long = 5;

/// `BPF_PROG_TYPE_SCHED_CLS`.
pub const PROG_TYPE_SCHED_CLS: u32 = 3;
/// `BPF_PROG_TYPE_XDP`.
pub const PROG_TYPE_XDP: u32 = 6;
/// `BPF_XDP`: the expected attach type aya loads XDP programs with. Tail
/// calls need caller and callee to agree on it (kernel ≥ 6.16 checks).
pub const ATTACH_XDP: u32 = 37;

/// The leading fields of `union bpf_attr` for `BPF_PROG_LOAD`.
#[repr(C)]
#[derive(Default)]
struct ProgLoadAttr {
    prog_type: u32,
    insn_cnt: u32,
    insns: u64,
    license: u64,
    log_level: u32,
    log_size: u32,
    log_buf: u64,
    kern_version: u32,
    prog_flags: u32,
    prog_name: [u8; 16],
    prog_ifindex: u32,
    expected_attach_type: u32,
}

/// `union bpf_attr` for the map element commands.
#[repr(C)]
#[derive(Default)]
struct MapElemAttr {
    map_fd: u32,
    _pad: u32,
    key: u64,
    value: u64,
    flags: u64,
}

fn bpf<T>(cmd: libc::c_long, attr: &mut T) -> io::Result<libc::c_long> {
    // SAFETY: `attr` is a valid, initialised bpf_attr prefix of the size
    // passed; the kernel reads (and for logs writes) only within it and the
    // buffers it points to, which outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd,
            attr as *mut T as *mut libc::c_void,
            std::mem::size_of::<T>(),
        )
    };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// A program the verifier refused, with the end of its log.
#[derive(Debug, thiserror::Error)]
#[error("the kernel refused the compiled rules ({error}); verifier log:\n{log}")]
pub struct LoadError {
    /// The `bpf(2)` error.
    pub error: io::Error,
    /// The last lines of the verifier log.
    pub log: String,
}

/// Load `insns` as a program of `prog_type` with `expected_attach_type`,
/// named `name` (GPL licensed).
pub fn load_program(
    prog_type: u32,
    expected_attach_type: u32,
    name: &str,
    insns: &[Insn],
) -> Result<OwnedFd, LoadError> {
    let license = CString::new("GPL").expect("no NUL");
    let mut prog_name = [0u8; 16];
    for (d, s) in prog_name.iter_mut().zip(name.bytes().take(15)) {
        *d = s;
    }
    let attr = |log: &mut Vec<u8>| ProgLoadAttr {
        prog_type,
        insn_cnt: insns.len() as u32,
        insns: insns.as_ptr() as u64,
        license: license.as_ptr() as u64,
        log_level: if log.is_empty() { 0 } else { 1 },
        log_size: log.len() as u32,
        log_buf: if log.is_empty() {
            0
        } else {
            log.as_mut_ptr() as u64
        },
        prog_name,
        expected_attach_type,
        ..Default::default()
    };
    let mut no_log = Vec::new();
    let error = match bpf(BPF_PROG_LOAD, &mut attr(&mut no_log)) {
        // SAFETY: the kernel returned a new file descriptor that we own.
        Ok(fd) => return Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) }),
        Err(e) => e,
    };
    // Load again with the verifier log on, to say why.
    let mut log = vec![0u8; 16 << 20];
    if let Ok(fd) = bpf(BPF_PROG_LOAD, &mut attr(&mut log)) {
        // SAFETY: as above (the program loaded on the second try).
        return Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) });
    }
    let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
    let text = String::from_utf8_lossy(&log[..end]);
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    Err(LoadError { error, log: tail })
}

/// Point slot `index` of the program array `map` at `prog`. The slot
/// changes atomically: a frame runs either the old program or the new one.
pub fn prog_array_set(map: BorrowedFd<'_>, index: u32, prog: BorrowedFd<'_>) -> io::Result<()> {
    let value: u32 = prog.as_raw_fd() as u32;
    let mut attr = MapElemAttr {
        map_fd: map.as_raw_fd() as u32,
        key: &index as *const u32 as u64,
        value: &value as *const u32 as u64,
        ..Default::default()
    };
    bpf(BPF_MAP_UPDATE_ELEM, &mut attr).map(|_| ())
}

/// Empty slot `index` of the program array `map` (already empty is fine).
pub fn prog_array_clear(map: BorrowedFd<'_>, index: u32) -> io::Result<()> {
    let mut attr = MapElemAttr {
        map_fd: map.as_raw_fd() as u32,
        key: &index as *const u32 as u64,
        ..Default::default()
    };
    match bpf(BPF_MAP_DELETE_ELEM, &mut attr) {
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
        r => r.map(|_| ()),
    }
}

/// Id of the XDP program attached to interface `ifindex` (any mode), from
/// the kernel's link attributes (`RTM_GETLINK`, `IFLA_XDP_PROG_ID`); `None`
/// when there is none or the kernel does not say.
pub fn xdp_prog_id(ifindex: u32) -> Option<u32> {
    const RTM_NEWLINK: u16 = 16;
    const RTM_GETLINK: u16 = 18;
    const NLM_F_REQUEST: u16 = 1;
    const IFLA_XDP: u16 = 43;
    const IFLA_XDP_PROG_ID: u16 = 4;
    const NLA_TYPE_MASK: u16 = 0x3fff;
    // nlmsghdr (16 bytes) + ifinfomsg (16 bytes).
    let mut req = [0u8; 32];
    req[0..4].copy_from_slice(&32u32.to_ne_bytes());
    req[4..6].copy_from_slice(&RTM_GETLINK.to_ne_bytes());
    req[6..8].copy_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    req[8..12].copy_from_slice(&1u32.to_ne_bytes());
    req[16] = libc::AF_UNSPEC as u8;
    req[20..24].copy_from_slice(&ifindex.to_ne_bytes());
    // SAFETY: plain socket(2); the descriptor is owned right away.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_ROUTE,
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: `fd` is a fresh descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: `req` is valid for its length; the kernel only reads it.
    let sent = unsafe { libc::send(fd.as_raw_fd(), req.as_ptr().cast(), req.len(), 0) };
    if sent != req.len() as isize {
        return None;
    }
    let mut buf = vec![0u8; 1 << 16];
    // SAFETY: `buf` is valid for writes of its length.
    let n = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
    let msg = buf.get(..usize::try_from(n).ok()?)?;
    let u16_at = |b: &[u8], i: usize| Some(u16::from_ne_bytes(b.get(i..i + 2)?.try_into().ok()?));
    let len = u32::from_ne_bytes(msg.get(0..4)?.try_into().ok()?) as usize;
    if u16_at(msg, 4)? != RTM_NEWLINK {
        return None;
    }
    let msg = msg.get(..len)?;
    // Walks rtattrs (length, type, value; 4-byte aligned) in `b`.
    fn attrs(b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
        let mut at = 0usize;
        std::iter::from_fn(move || {
            let hdr = b.get(at..at + 4)?;
            let alen = u16::from_ne_bytes([hdr[0], hdr[1]]) as usize;
            let ty = u16::from_ne_bytes([hdr[2], hdr[3]]);
            if alen < 4 {
                return None;
            }
            let value = b.get(at + 4..at + alen)?;
            at += (alen + 3) & !3;
            Some((ty, value))
        })
    }
    let (_, xdp) = attrs(msg.get(32..)?).find(|(ty, _)| ty & NLA_TYPE_MASK == IFLA_XDP)?;
    let (_, id) = attrs(xdp).find(|(ty, _)| ty & NLA_TYPE_MASK == IFLA_XDP_PROG_ID)?;
    let id = u32::from_ne_bytes(id.get(0..4)?.try_into().ok()?);
    (id != 0).then_some(id)
}

/// Kernel index of an interface, if it exists.
pub fn ifindex(name: &str) -> Option<u32> {
    let c = CString::new(name).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string.
    let idx = unsafe { libc::if_nametoindex(c.as_ptr()) };
    (idx != 0).then_some(idx)
}
