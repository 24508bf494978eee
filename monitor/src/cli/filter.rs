//! `monitor filter check|explain EXPR`: a display filter compiled against
//! the dissectors' fields and printed normalised, with the kernel plan for
//! `explain`; a refused filter is shown with a caret and exit status 2.

use std::io::Write;

use clap::Subcommand;
use monitor::filter::{self, Dissectors, Registry};

/// `monitor filter …`
#[derive(Debug, Subcommand)]
pub enum FilterCmd {
    /// Parse and type-check an expression; print it normalised.
    Check {
        /// The display filter.
        expr: String,
    },
    /// Show the part of a filter the kernel can decide, as a decision graph.
    Explain {
        /// The display filter.
        expr: String,
    },
}

/// Run a `monitor filter` subcommand; returns the exit status.
pub fn main(cmd: FilterCmd) -> anyhow::Result<i32> {
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    Ok(run(
        &cmd,
        &Dissectors,
        &mut stdout.lock(),
        &mut stderr.lock(),
    )?)
}

/// `monitor filter …` against any registry and streams: 0 when the filter
/// compiles (normalised text, and for `explain` the kernel plan, on `out`),
/// 2 with the rendered error on `err` otherwise.
pub fn run(
    cmd: &FilterCmd,
    reg: &dyn Registry,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let (expr, explain) = match cmd {
        FilterCmd::Check { expr } => (expr, false),
        FilterCmd::Explain { expr } => (expr, true),
    };
    match filter::compile_with(expr, reg) {
        Ok(f) => {
            writeln!(out, "{f}")?;
            if explain {
                write!(out, "{}", f.kernel_plan())?;
            }
            Ok(0)
        }
        Err(e) => {
            writeln!(err, "monitor: {}", e.render(expr))?;
            Ok(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_cli(cmd: FilterCmd) -> (i32, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(&cmd, &Dissectors, &mut out, &mut err).unwrap();
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn check_prints_the_normalised_filter() {
        let (code, out, err) = run_cli(FilterCmd::Check {
            expr: "tcp.port eq 80 &&!(ip.src==10.0.0.0/8)".into(),
        });
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (0, "tcp.port == 80 and not ip.src == 10.0.0.0/8\n", "")
        );
    }

    #[test]
    fn check_reports_errors_with_a_caret_and_status_2() {
        let (code, out, err) = run_cli(FilterCmd::Check {
            expr: "tcp.port == \"x\"".into(),
        });
        assert_eq!(code, 2);
        assert_eq!(out, "");
        assert_eq!(
            err,
            "monitor: Unsigned integer cannot be converted from a string (\"x\")\n    tcp.port == \"x\"\n                ^~~\n"
        );
    }

    #[test]
    fn explain_prints_the_plan() {
        let (code, out, _) = run_cli(FilterCmd::Explain {
            expr: "tcp.dstport == 443 and http.host contains \"x\"".into(),
        });
        assert_eq!(code, 0);
        assert_eq!(
            out,
            "tcp.dstport == 443 and http.host contains \"x\"\n\
             kernel verdict: superset (user space decides the rest)\n\
             \x20 not in kernel: http.host Contains …\n\
             entry: 0\n\
             \x20 0: Nested Exists ? ACCEPT : 1\n\
             \x20 1: TcpDstPort Eq 0x1bb ? 2 : REJECT\n\
             \x20 2: TcpLen Gt 0x0 ? ACCEPT : 3\n\
             \x20 3: UdpSrcPort Exists ? ACCEPT : REJECT\n"
        );
        let (code, out, _) = run_cli(FilterCmd::Explain { expr: "udp".into() });
        assert_eq!(code, 0);
        assert!(out.contains("kernel verdict: exact\n"), "{out}");
        // Frames with nested headers are left to user space by an exact plan.
        assert!(out.contains("0: Nested Exists ? CANDIDATE : 1\n"), "{out}");
    }
}
