//! The one error type of the filter engine, with a renderer that points at
//! the offending text the way tshark does, so the CLI, the configuration
//! loader and the API report filter problems identically.

use super::ast::Span;
use std::fmt;

/// Why a filter was refused, and where.
#[derive(Clone, Debug)]
pub struct FilterError {
    /// One-line description, no trailing period.
    pub message: String,
    /// The offending byte range of the filter text; `None` when the error
    /// is about the filter as a whole ("filter too long").
    pub span: Option<Span>,
}

impl FilterError {
    /// An error about `span`.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        Self {
            message: message.into(),
            span: Some(span),
        }
    }

    /// An error about the filter as a whole.
    pub fn whole(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            span: None,
        }
    }

    /// The message, the filter text, and a caret line under the span:
    ///
    /// ```text
    /// unknown field "ip.srcc" (did you mean ip.src?)
    ///     ip.srcc == 1.2.3.4
    ///     ^~~~~~~
    /// ```
    pub fn render(&self, expr: &str) -> String {
        let mut out = self.message.clone();
        let Some(span) = self.span else {
            return out;
        };
        if expr.len() > 4096 || expr.contains('\n') {
            return out;
        }
        let start = span.start.min(expr.len());
        let end = span.end.clamp(start, expr.len());
        let pad = expr[..start].chars().count();
        let width = expr[start..end].chars().count().max(1);
        out.push_str("\n    ");
        out.push_str(expr);
        out.push_str("\n    ");
        out.push_str(&" ".repeat(pad));
        out.push('^');
        out.push_str(&"~".repeat(width - 1));
        out
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}
