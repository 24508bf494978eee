//! Checks that run before anything touches the kernel: the interfaces exist
//! and the process holds the capabilities it needs. A failure here is one
//! clear line and exit status 2, with nothing attached.

use std::fs;

use super::Iface;

/// Why the daemon refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    /// A named interface does not exist.
    #[error("interface '{0}' does not exist")]
    NoSuchInterface(String),
    /// No `--iface` and no default route to pick one from.
    #[error("no --iface given and no default route to pick an interface from")]
    NoDefaultRoute,
    /// Missing capabilities.
    #[error(
        "insufficient privileges: run as root or with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (missing {0})"
    )]
    Privileges(String),
}

const CAP_NET_ADMIN: u32 = 12;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_PERFMON: u32 = 38;
const CAP_BPF: u32 = 39;

/// Resolve the interfaces and check privileges.
pub fn check(names: &[String]) -> Result<Vec<Iface>, PreflightError> {
    let names = if names.is_empty() {
        vec![default_route_interface().ok_or(PreflightError::NoDefaultRoute)?]
    } else {
        names.to_vec()
    };
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let index = crate::ebpf::sys::ifindex(&name)
            .ok_or_else(|| PreflightError::NoSuchInterface(name.clone()))?;
        if out.iter().any(|i: &Iface| i.index == index) {
            continue;
        }
        let slot = out.len() as u32;
        out.push(Iface { name, index, slot });
    }
    check_capabilities()?;
    Ok(out)
}

/// The interface of the IPv4 default route (from `/proc/net/route`).
pub fn default_route_interface() -> Option<String> {
    let table = fs::read_to_string("/proc/net/route").ok()?;
    table.lines().skip(1).find_map(|line| {
        let mut cols = line.split_whitespace();
        let iface = cols.next()?;
        let dest = cols.next()?;
        (dest == "00000000").then(|| iface.to_string())
    })
}

fn check_capabilities() -> Result<(), PreflightError> {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let eff = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0);
    let has = |cap: u32| eff & (1u64 << cap) != 0;
    let mut missing = Vec::new();
    if !has(CAP_BPF) && !has(CAP_SYS_ADMIN) {
        missing.push("CAP_BPF");
    }
    if !has(CAP_NET_ADMIN) {
        missing.push("CAP_NET_ADMIN");
    }
    if !has(CAP_PERFMON) && !has(CAP_SYS_ADMIN) {
        missing.push("CAP_PERFMON");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(PreflightError::Privileges(missing.join(", ")))
    }
}
