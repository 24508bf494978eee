//! Installs what building and testing need, and nothing when it is all there.
//!
//! Each step prints one line (`setup: Debian packages: all 28 present`);
//! what apt, rustup and cargo install say goes to `target/setup.log`, whose
//! end is shown when a step fails.

use std::{
    fs::OpenOptions,
    io::Write as _,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

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

/// A step: installs what is missing, logging to the file given, and says
/// what it found or did.
type Step = fn(&Path) -> anyhow::Result<String>;

/// Install everything that is missing.
pub fn run() -> anyhow::Result<()> {
    let log = crate::workspace().join("target/setup.log");
    let steps: [(&str, Step); 3] = [
        ("Debian packages", apt),
        ("Rust toolchain", toolchain),
        ("bpf-linker", bpf_linker),
    ];
    for (name, step) in steps {
        let done = step(&log).with_context(|| format!("setup: {name}"))?;
        eprintln!("{}", summary(name, &done));
    }
    Ok(())
}

/// The one line a step prints (on stderr, like the commands xtask runs).
fn summary(step: &str, done: &str) -> String {
    let done = done.lines().collect::<Vec<_>>().join(" ");
    format!("setup: {step}: {done}")
}

/// Run `cmd` with its output appended to `log`; on failure the error
/// names the log and quotes its last lines.
fn run_logged(cmd: &mut Command, log: &Path) -> anyhow::Result<()> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("opening {}", log.display()))?;
    writeln!(file, "+ {cmd:?}")?;
    let st = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .status()
        .with_context(|| format!("running {cmd:?}"))?;
    if !st.success() {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        bail!(
            "{cmd:?} failed ({st}); the end of {}:\n{tail}",
            log.display()
        );
    }
    Ok(())
}

/// Where a step's full output went, for its summary line.
fn logged_to(log: &Path) -> PathBuf {
    log.strip_prefix(crate::workspace())
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| log.to_path_buf())
}

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Run `cmd` with its output on the terminal (for tasks other than setup).
pub(crate) fn run_cmd(cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("+ {cmd:?}");
    let st = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !st.success() {
        bail!("{cmd:?} failed ({st})");
    }
    Ok(())
}

fn apt(log: &Path) -> anyhow::Result<String> {
    let mut wanted: Vec<&str> = PACKAGES.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let missing: Vec<&str> = wanted.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(format!("all {} present", wanted.len()));
    }
    // SAFETY: no arguments.
    if unsafe { libc::geteuid() } != 0 {
        bail!(
            "missing {}: run as root to install them",
            missing.join(", ")
        );
    }
    run_logged(Command::new("apt-get").args(["update", "-qq"]), log)?;
    run_logged(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
        log,
    )?;
    Ok(format!(
        "installed {} (log: {})",
        missing.join(", "),
        logged_to(log).display()
    ))
}

fn toolchain(log: &Path) -> anyhow::Result<String> {
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
        return Ok(format!(
            "{TOOLCHAIN} with rust-src, clippy, rustfmt present"
        ));
    }
    run_logged(
        Command::new("rustup").args([
            "toolchain",
            "install",
            TOOLCHAIN,
            "--profile",
            "minimal",
            "--component",
            "rust-src,clippy,rustfmt",
        ]),
        log,
    )?;
    Ok(format!(
        "installed {TOOLCHAIN} with rust-src, clippy, rustfmt (log: {})",
        logged_to(log).display()
    ))
}

fn bpf_linker(log: &Path) -> anyhow::Result<String> {
    let version = Command::new("bpf-linker")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    if version.contains(BPF_LINKER) {
        return Ok(format!("{BPF_LINKER} present"));
    }
    run_logged(
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
        log,
    )?;
    Ok(format!(
        "built {BPF_LINKER} for LLVM 22 (log: {})",
        logged_to(log).display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_path(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("xtask-setup-{}-{tag}.log", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p
    }

    #[test]
    fn a_step_logs_both_streams_and_says_one_line() {
        let log = log_path("ok");
        run_logged(
            Command::new("sh").args(["-c", "echo lots of output; echo warnings >&2"]),
            &log,
        )
        .unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(
            text.contains("lots of output\n") && text.contains("warnings\n"),
            "{text}"
        );
        assert_eq!(
            summary("Debian packages", "installed tshark, tcpdump\n"),
            "setup: Debian packages: installed tshark, tcpdump"
        );
        std::fs::remove_file(&log).unwrap();
    }

    #[test]
    fn a_failing_step_quotes_the_end_of_its_log() {
        let log = log_path("fail");
        let e = run_logged(
            Command::new("sh").args(["-c", "seq 1 100; echo 'E: no such package' >&2; exit 3"]),
            &log,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(&log.display().to_string()), "{e}");
        assert!(
            e.contains("E: no such package") && e.contains("\n100\n"),
            "{e}"
        );
        assert!(!e.contains("\n50\n"), "the whole log quoted: {e}");
        std::fs::remove_file(&log).unwrap();
    }
}
