//! Wireshark's display-filter language: parser, type checker, exact
//! user-space evaluator, and the analysis of the kernel-decidable subset.
//!
//! * [`parse`]: text to a syntax tree with spans ([`ast`]), size/depth limits.
//! * [`check`]: names resolved against a field [`Registry`], literals
//!   converted to the field types, the typed tree.
//! * [`eval`]: tshark 4.0 semantics over a [`Dissection`].
//! * [`print`](mod@print): canonical text (what `monitor filter check` prints).
//! * [`reads`]: the fields a filter reads, for a dissection of those only.
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
pub mod reads;
#[cfg(test)]
mod testfields;
#[cfg(test)]
mod tests;

use crate::dissect::Dissection;
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

    /// The fields this filter reads, or `None` when it needs a full
    /// dissection (see [`reads::fields`]).
    pub fn reads(&self) -> Option<Vec<&'static crate::dissect::FieldDef>> {
        reads::fields(&self.node)
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
