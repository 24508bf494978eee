//! `monitor filter verify -r CAPTURE EXPR`: every packet of a capture goes
//! through the loaded kernel program (BPF_PROG_TEST_RUN) with the filter
//! compiled as its only rule, and through the exact user-space evaluator.
//! The kernel must accept (or leave as a candidate) every packet user space
//! accepts; for a kernel-exact filter every packet the kernel counts as a
//! match must match in user space too. Candidates (frames with nested
//! headers or fragments) are decided by user space in the daemon, so they
//! are reported apart. Needs root (or CAP_BPF).

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use aya::programs::{TestRun as _, TestRunOptions};
use clap::Args;

use monitor::{
    capture::CaptureReader, dissect::pipeline::Pipeline, ebpf::Programs,
    filter::kernel::kernel_rule,
};

/// Arguments of `monitor filter verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Capture file.
    #[arg(short = 'r')]
    pub file: PathBuf,
    /// The display filter.
    pub expr: String,
}

/// Largest frame handed to a test run (the headers the kernel reads are
/// always inside it).
const TEST_RUN_MAX: usize = 3000;

/// Run the comparison; returns the exit status (0 agree, 1 disagree, 2 error).
pub fn main(args: VerifyArgs) -> anyhow::Result<i32> {
    let filter = match monitor::filter::compile(&args.expr) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("monitor: {}", e.render(&args.expr));
            return Ok(2);
        }
    };
    let (rule, exact) = kernel_rule(&args.expr).map_err(|e| anyhow::anyhow!(e.message))?;
    let mut progs =
        Programs::load(1 << 22).context("loading the kernel programs (needs root or CAP_BPF)")?;
    progs.configure(1.0, 64)?;
    let mut ring = progs.take_ring()?;
    let mut tables = progs.take_rules()?;
    tables.install(&[Some(rule)], None)?;

    let mut reader = match CaptureReader::open(&args.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("monitor: {}: {e}", args.file.display());
            return Ok(2);
        }
    };
    let mut pipe = Pipeline::new();
    let (mut n, mut kernel_n, mut cand_n, mut user_n) = (0u64, 0u64, 0u64, 0u64);
    let mut missed = Vec::new();
    let mut extra = Vec::new();
    while let Some(pkt) = reader.next_packet() {
        let pkt = match pkt {
            Ok(p) => p,
            Err(e) => {
                eprintln!("monitor: {}: {e}", args.file.display());
                return Ok(2);
            }
        };
        n += 1;
        let user = filter.matches(&pipe.dissect_file(&pkt));
        let data = &pkt.record.data[..pkt.record.data.len().min(TEST_RUN_MAX)];
        let (kernel, candidate) = if data.len() < 14 {
            (false, true)
        } else {
            let opts = TestRunOptions {
                data_in: Some(data),
                repeat: 1,
                ..Default::default()
            };
            progs.xdp()?.test_run(opts).context("BPF_PROG_TEST_RUN")?;
            let item = ring.next().context("no sample record from the test run")?;
            let bits = u32::from_ne_bytes(item[24..28].try_into().unwrap_or_default());
            let cands = u32::from_ne_bytes(item[28..32].try_into().unwrap_or_default());
            (bits & 1 != 0, cands & 1 != 0)
        };
        kernel_n += u64::from(kernel);
        cand_n += u64::from(candidate);
        user_n += u64::from(user);
        if user && !kernel && !candidate {
            missed.push(n);
        } else if exact && kernel && !user {
            extra.push(n);
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{n} packets: kernel accepted {kernel_n}, candidates {cand_n} (decided in user space), user space accepted {user_n}"
    )?;
    writeln!(
        out,
        "kernel verdict: {}",
        if exact {
            "exact"
        } else {
            "superset (user space decides the rest)"
        }
    )?;
    let show = |v: &[u64]| {
        v.iter()
            .take(20)
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !missed.is_empty() {
        writeln!(
            out,
            "kernel rejected {} packets user space accepts: {}",
            missed.len(),
            show(&missed)
        )?;
    }
    if !extra.is_empty() {
        writeln!(
            out,
            "kernel-exact filter, but the kernel also accepted {}: {}",
            extra.len(),
            show(&extra)
        )?;
    }
    Ok(if missed.is_empty() && extra.is_empty() {
        0
    } else {
        1
    })
}
