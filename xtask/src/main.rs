//! `cargo xtask …`: set up a machine, run every test, run the demo, run
//! the benchmarks, build the Debian package. Each task installs what it
//! needs first, so the same two commands work on a fresh Debian machine and
//! are quick on a warm one.

mod dashboards;
mod demo;
mod package;
mod setup;

use std::process::Command;

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install prerequisites: Debian packages, toolchain components, bpf-linker.
    Setup,
    /// Write grafana/dashboards/*.json with grafana/generate_dashboards.py,
    /// in a virtual environment under target/ holding the pinned Grafana
    /// Foundation SDK (grafana/requirements.txt).
    Dashboards {
        /// Write nothing; fail when a committed file is not what the
        /// generator writes.
        #[arg(long)]
        check: bool,
    },
    /// Install what is missing, then run formatting, lints, the API docs
    /// and every test (needs root). Oracle tests fail here when tshark or
    /// the sample captures are missing.
    Test {
        /// Only what needs no root and installs nothing outside target/
        /// (the dashboards' generator gets its SDK there): formatting, lints,
        /// `cargo doc` with warnings denied, and the tests of every crate
        /// but the end-to-end one (unit tests, tshark comparisons, the
        /// architecture check).
        #[arg(long)]
        no_root: bool,
    },
    /// Install what is missing, build, and monitor real traffic in a demo namespace.
    Demo {
        /// Stop after this many seconds (default: until Ctrl-C).
        #[arg(long)]
        duration: Option<u64>,
        /// Address for /metrics.
        #[arg(long, default_value = "127.0.0.1:9477")]
        listen: String,
    },
    /// Install what is missing and run the benchmarks (needs root): the
    /// kernel programs, the daemon under floods, the filter and TCP
    /// analyzer, then `monitor read` against tshark.
    Bench,
    /// Only the `monitor read` vs tshark benchmark: records a big capture
    /// from real traffic in network namespaces (needs root), then compares
    /// packet rate, peak memory and output on it and the larger shared captures.
    BenchRead {
        /// Measure this capture instead of recording one.
        #[arg(long)]
        capture: Option<std::path::PathBuf>,
        /// Seconds of traffic to record (bounded also by 1M packets, 400 MB).
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Keep the recorded capture (its path is printed).
        #[arg(long)]
        keep: bool,
    },
    /// Record fresh traffic in network namespaces (real servers and
    /// clients, loss, duplicates, reordering) and compare `monitor read`
    /// with tshark on it: every summary line, every common field, a list
    /// of display filters (needs root). Seeds are printed; failing runs
    /// keep their captures under target/fresh/.
    Fresh {
        /// Number of runs, each with its own seed (first, first + 1, …).
        #[arg(long, default_value_t = 1)]
        runs: u64,
        /// Seed of the first run (default: from the clock).
        #[arg(long)]
        seed: Option<u64>,
        /// `full` (≥ 300,000 packets a run, bodies up to 32 MB) or `short`.
        #[arg(long, default_value = "full")]
        scale: String,
        /// Keep every run's captures.
        #[arg(long)]
        keep: bool,
    },
    /// Render the manual pages and shell completions under monitor/dist/
    /// from the command line's definitions (a test fails while the
    /// committed ones are stale).
    Man,
    /// Install what is missing, build the release binary and a Debian package
    /// (target/debian/monitor_VERSION_ARCH.deb).
    Package {
        /// Package the existing target/release/monitor instead of building it.
        #[arg(long)]
        no_build: bool,
        /// Directory for the .deb and its staging tree (default: target/debian).
        #[arg(long)]
        out_dir: Option<std::path::PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Setup => setup::run(),
        Cmd::Dashboards { check } => dashboards::run(check),
        Cmd::Test { no_root: true } => test_without_root(),
        Cmd::Test { no_root: false } => {
            setup::run()?;
            test()
        }
        Cmd::Demo { duration, listen } => {
            setup::run()?;
            demo::run(duration, &listen)
        }
        Cmd::Bench => {
            setup::run()?;
            require_root("benchmarks load eBPF programs")?;
            cargo(&["bench", "-p", "monitor-tests", "--bench", "kernel"])?;
            // The daemon under floods: the release binary, as installed.
            cargo(&["build", "--release", "-p", "monitor"])?;
            std::env::set_var("MONITOR_BIN", workspace().join("target/release/monitor"));
            cargo(&["bench", "-p", "monitor-tests", "--bench", "daemon"])?;
            cargo(&["bench", "-p", "monitor", "--bench", "samples"])?;
            cargo(&["bench", "-p", "monitor", "--bench", "filter"])?;
            cargo(&["bench", "-p", "monitor", "--bench", "tcp_analysis"])?;
            bench_read(None, 60, false)
        }
        Cmd::BenchRead {
            capture,
            seconds,
            keep,
        } => {
            setup::run()?;
            if capture.is_none() {
                require_root("the benchmark records its capture in network namespaces")?;
            }
            bench_read(capture, seconds, keep)
        }
        Cmd::Fresh {
            runs,
            seed,
            scale,
            keep,
        } => {
            setup::run()?;
            require_root("the recordings are made in network namespaces")?;
            cargo(&["build", "--release", "-p", "monitor"])?;
            std::env::set_var("MONITOR_BIN", workspace().join("target/release/monitor"));
            std::env::set_var("FRESH_RUNS", runs.to_string());
            std::env::set_var("FRESH_SCALE", scale);
            if let Some(s) = seed {
                std::env::set_var("FRESH_SEED", s.to_string());
            }
            if keep {
                std::env::set_var("FRESH_KEEP", "1");
            }
            cargo(&[
                "test",
                "-p",
                "monitor-tests",
                "--test",
                "fresh",
                "--",
                "--nocapture",
            ])
        }
        Cmd::Man => {
            // The pages are rendered by the test that checks them, which
            // writes them instead when asked.
            std::env::set_var("MONITOR_WRITE_DIST", "1");
            cargo(&[
                "test",
                "-q",
                "-p",
                "monitor",
                "--bin",
                "monitor",
                "dist::dist_pages_and_completions_are_current",
            ])?;
            let dist = workspace().join("monitor/dist").canonicalize()?;
            println!("{}", dist.display());
            Ok(())
        }
        Cmd::Package { no_build, out_dir } => {
            setup::run()?;
            package::run(!no_build, out_dir).map(|deb| println!("{}", deb.display()))
        }
    }
}

/// `monitor read` against tshark, with the release build of monitor.
fn bench_read(capture: Option<std::path::PathBuf>, seconds: u64, keep: bool) -> anyhow::Result<()> {
    cargo(&["build", "--release", "-p", "monitor"])?;
    // The bench reads its settings from the environment (cargo passes it on).
    let monitor = workspace().join("target/release/monitor");
    std::env::set_var("MONITOR_BIN", &monitor);
    std::env::set_var("READ_BENCH_SECONDS", seconds.to_string());
    if let Some(c) = capture {
        std::env::set_var("READ_BENCH_CAPTURE", std::path::absolute(c)?);
    }
    if keep {
        std::env::set_var("READ_BENCH_KEEP", "1");
    }
    cargo(&["bench", "-p", "monitor-tests", "--bench", "read"])
}

/// Run cargo with the workspace's toolchain; fail on a non-zero exit.
pub fn cargo(args: &[&str]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("+ cargo {}", args.join(" "));
    let st = Command::new(cargo)
        .args(args)
        .current_dir(workspace())
        .status()
        .context("running cargo")?;
    if !st.success() {
        bail!("cargo {} failed ({st})", args.join(" "));
    }
    Ok(())
}

/// The workspace root.
pub fn workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn require_root(why: &str) -> anyhow::Result<()> {
    // SAFETY: no arguments.
    if unsafe { libc::geteuid() } != 0 {
        bail!("run as root: {why}");
    }
    Ok(())
}

/// The crates whose tests need no root (all but `monitor-tests`).
const UNPRIVILEGED_TESTS: &[&str] = &[
    "test",
    "--no-fail-fast",
    "-p",
    "monitor-common",
    "-p",
    "monitor",
    "-p",
    "xtask",
    "-p",
    "monitor-test-support",
];

/// Formatting, lints, the API docs (warnings are errors in all three), and
/// the dashboards against their generator.
fn static_checks() -> anyhow::Result<()> {
    // Under xtask an oracle test never skips: a missing tshark or capture
    // directory fails the run instead of passing it silently.
    std::env::remove_var("MONITOR_ALLOW_SKIP");
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&["clippy", "--all-targets", "--", "-D", "warnings"])?;
    std::env::set_var("RUSTDOCFLAGS", "-D warnings");
    cargo(&["doc", "--no-deps"])?;
    // The committed dashboards are what their generator writes.
    dashboards::run(true)
}

fn test_without_root() -> anyhow::Result<()> {
    static_checks()?;
    let mut total = (0, 0);
    let r = cargo_test(UNPRIVILEGED_TESTS, &mut total);
    println!("tests: {} passed, {} failed", total.0, total.1);
    r
}

fn test() -> anyhow::Result<()> {
    require_root("the end-to-end tests attach XDP/TC programs in network namespaces")?;
    static_checks()?;
    cargo(&["build", "-p", "monitor"])?;
    let mut total = (0, 0);
    let r1 = cargo_test(UNPRIVILEGED_TESTS, &mut total);
    // The end-to-end tests share the kernel; run them one at a time.
    let r2 = cargo_test(
        &[
            "test",
            "--no-fail-fast",
            "-p",
            "monitor-tests",
            "--",
            "--test-threads=1",
        ],
        &mut total,
    );
    println!("all tests: {} passed, {} failed", total.0, total.1);
    r1.and(r2)
}

/// Run `cargo test …`, echo its output, and add its "test result" counts to `total`.
fn cargo_test(args: &[&str], total: &mut (u64, u64)) -> anyhow::Result<()> {
    use std::io::{BufRead as _, BufReader};
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("+ cargo {}", args.join(" "));
    let mut child = Command::new(cargo)
        .args(args)
        .current_dir(workspace())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("running cargo")?;
    let out = child.stdout.take().context("cargo stdout")?;
    for line in BufReader::new(out).lines() {
        let line = line?;
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            let num = |word: &str| {
                rest.split(';')
                    .find_map(|p| {
                        p.trim().strip_suffix(word).map(|n| {
                            n.split_whitespace()
                                .last()
                                .and_then(|x| x.parse::<u64>().ok())
                                .unwrap_or(0)
                        })
                    })
                    .unwrap_or(0)
            };
            total.0 += num(" passed");
            total.1 += num(" failed");
        }
    }
    let st = child.wait()?;
    if !st.success() {
        bail!("cargo {} failed ({st})", args.join(" "));
    }
    Ok(())
}
