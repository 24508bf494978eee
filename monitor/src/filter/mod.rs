//! Wireshark's display-filter language: parser, type checker, exact
//! user-space evaluator, and the analysis of the kernel-decidable subset.
//!
//! * [`parse`]: text to a syntax tree with spans ([`ast`]), size/depth limits.
//! * [`check`]: names resolved against a field [`Registry`], literals
//!   converted to the field types, the typed tree.
//! * [`eval`]: tshark 4.0 semantics over a [`Dissection`].
//! * [`print`](mod@print): canonical text (what `monitor filter check` prints).
//! * [`kernel`]: the superset verdict a kernel program can compute from
//!   fixed header fields, as a forward-only decision graph.
//! * [`error`]: the one error type, rendered with a caret under the problem.
//!
//! Anything that accepts a filter (CLI, configuration, API) calls
//! [`compile`] and shows [`FilterError::render`] on failure.

pub mod ast;
pub mod check;
pub mod error;
pub mod eval;
pub mod kernel;
pub mod parse;
pub mod print;
#[cfg(test)]
mod testfields;
#[cfg(test)]
mod tests;

use crate::dissect::Dissection;
use clap::Subcommand;
use std::fmt;

pub use check::{Dissectors, Registry};
pub use error::FilterError;
pub use kernel::KernelPlan;

/// A compiled display filter.
#[derive(Clone, Debug)]
pub struct Filter {
    ast: ast::Expr,
    node: check::Node,
}

impl Filter {
    /// Whether a dissected packet passes the filter (tshark's `-Y`).
    pub fn matches(&self, d: &Dissection) -> bool {
        eval::eval(&self.node, d)
    }

    /// The syntax tree.
    pub fn ast(&self) -> &ast::Expr {
        &self.ast
    }

    /// The typed tree.
    pub fn node(&self) -> &check::Node {
        &self.node
    }

    /// The kernel-decidable superset of this filter.
    pub fn kernel_plan(&self) -> KernelPlan {
        kernel::plan(&self.node)
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print::print(&self.ast))
    }
}

/// Compile a filter against the dissectors' field registry.
pub fn compile(expr: &str) -> Result<Filter, FilterError> {
    compile_with(expr, &Dissectors)
}

/// Compile a filter against any field registry.
pub fn compile_with(expr: &str, reg: &dyn Registry) -> Result<Filter, FilterError> {
    let ast = parse::parse(expr)?;
    let node = check::check(&ast, reg)?;
    Ok(Filter { ast, node })
}

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
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> std::io::Result<i32> {
    let (expr, explain) = match cmd {
        FilterCmd::Check { expr } => (expr, false),
        FilterCmd::Explain { expr } => (expr, true),
    };
    match compile_with(expr, reg) {
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
