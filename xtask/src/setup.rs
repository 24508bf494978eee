//! Installs what building and testing need, and nothing when it is all there.

use std::process::{Command, Stdio};

use anyhow::{bail, Context as _};

/// Toolchain the eBPF crate is built with (its LLVM must match bpf-linker's).
pub const TOOLCHAIN: &str = "1.95.0";
const BPF_LINKER: &str = "0.13.0";
const LLVM_PREFIX: &str = "/usr/lib/llvm-22";

/// Debian packages: LLVM for bpf-linker, tools the tests and demo drive,
/// what `package` and its tests use (dpkg-dev, binutils, systemd-analyze, strace, lintian),
/// and Prometheus (`prometheus`, `promtool`) for the Grafana/alert query tests.
const PACKAGES: &[&str] = &[
    "llvm-22-dev",
    "libpolly-22-dev",
    "zlib1g-dev",
    "libzstd-dev",
    "tshark",
    "tcpdump",
    "iproute2",
    "iputils-ping",
    "ethtool",
    "iptables",
    "bpftool",
    "curl",
    "python3",
    // `python3 -m venv` for the dashboards' generator (its SDK comes from PyPI).
    "python3-venv",
    "procps",
    "util-linux",
    "dpkg-dev",
    "binutils",
    "systemd",
    "strace",
    "lintian",
    "prometheus",
    // Real servers and clients of the fresh-traffic comparison.
    "tcpdump",
    "openssl",
    "nginx-light",
    "dnsmasq-base",
    "nghttp2-client",
    "nghttp2-server",
    "bind9-dnsutils",
];

/// Install everything that is missing.
pub fn run() -> anyhow::Result<()> {
    apt()?;
    toolchain()?;
    bpf_linker()?;
    Ok(())
}

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

pub(crate) fn run_cmd(cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("+ {cmd:?}");
    let st = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !st.success() {
        bail!("{cmd:?} failed ({st})");
    }
    Ok(())
}

fn apt() -> anyhow::Result<()> {
    let missing: Vec<&str> = PACKAGES.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    // SAFETY: no arguments.
    if unsafe { libc::geteuid() } != 0 {
        bail!("missing Debian packages {missing:?}: run as root to install them");
    }
    run_cmd(Command::new("apt-get").args(["update", "-qq"]))?;
    run_cmd(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn toolchain() -> anyhow::Result<()> {
    let out = Command::new("rustup")
        .args(["component", "list", "--installed", "--toolchain", TOOLCHAIN])
        .stderr(Stdio::null())
        .output();
    let have = out
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    if ["rust-src", "clippy", "rustfmt"]
        .iter()
        .all(|c| have.lines().any(|l| l.starts_with(c)))
    {
        return Ok(());
    }
    run_cmd(Command::new("rustup").args([
        "toolchain",
        "install",
        TOOLCHAIN,
        "--profile",
        "minimal",
        "--component",
        "rust-src,clippy,rustfmt",
    ]))
}

fn bpf_linker() -> anyhow::Result<()> {
    let version = Command::new("bpf-linker")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    if version.contains(BPF_LINKER) {
        return Ok(());
    }
    run_cmd(
        Command::new("cargo")
            .arg(format!("+{TOOLCHAIN}"))
            .args(["install", "bpf-linker", "--version", BPF_LINKER])
            .args([
                "--no-default-features",
                "--features",
                "llvm-22",
                "--locked",
                "--force",
            ])
            .env("LLVM_PREFIX", LLVM_PREFIX),
    )
}
