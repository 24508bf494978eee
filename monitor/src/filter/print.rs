//! Pretty-printer: the canonical text of a syntax tree. Keywords are
//! spelled `and`/`or`/`xor`/`not`, comparison operators symbolically,
//! parentheses appear only where precedence needs them, and parsing the
//! output gives back the same tree.

use super::ast::{Expr, LitKind, LogicOp, Operand, Quant, SetElem, SliceRange};
use std::fmt::Write;

/// The canonical text of `e`.
pub fn print(e: &Expr) -> String {
    let mut s = String::new();
    expr(&mut s, e, 0);
    s
}

fn prec(e: &Expr) -> u8 {
    match e {
        Expr::Logic {
            op: LogicOp::Or, ..
        } => 1,
        Expr::Logic {
            op: LogicOp::Xor, ..
        } => 2,
        Expr::Logic {
            op: LogicOp::And, ..
        } => 3,
        Expr::Not { .. } => 4,
        _ => 5,
    }
}

fn expr(s: &mut String, e: &Expr, min: u8) {
    let p = prec(e);
    let paren = p < min;
    if paren {
        s.push('(');
    }
    match e {
        Expr::Logic { op, .. } => {
            let (first, rest) = e.logic_chain();
            expr(s, first, p);
            let word = match op {
                LogicOp::Or => " or ",
                LogicOp::Xor => " xor ",
                LogicOp::And => " and ",
            };
            for r in rest {
                s.push_str(word);
                // Left-associative: an equal-precedence right child needs parentheses.
                expr(s, r, p + 1);
            }
        }
        Expr::Not { inner, .. } => {
            s.push_str("not ");
            expr(s, inner, 4);
        }
        Expr::Test { operand } => operand_text(s, operand),
        Expr::Compare {
            quant,
            lhs,
            op,
            rhs,
            ..
        } => {
            match quant {
                Some(Quant::Any) => s.push_str("any "),
                Some(Quant::All) => s.push_str("all "),
                None => {}
            }
            operand_text(s, lhs);
            let _ = write!(s, " {} ", op.symbol());
            operand_text(s, rhs);
        }
        Expr::In { lhs, set, .. } => {
            operand_text(s, lhs);
            s.push_str(" in {");
            for (i, m) in set.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                match m {
                    SetElem::One(x) => operand_text(s, x),
                    SetElem::Range(a, b) => {
                        operand_text(s, a);
                        s.push_str("..");
                        operand_text(s, b);
                    }
                }
            }
            s.push('}');
        }
    }
    if paren {
        s.push(')');
    }
}

/// Quote a string so the lexer reads back exactly `text`.
pub fn quote(text: &str) -> String {
    let mut s = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(s, "\\x{:02x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

fn operand_text(s: &mut String, o: &Operand) {
    match o {
        Operand::Field { name, .. } => s.push_str(name),
        Operand::Literal { text, kind, .. } => match kind {
            LitKind::Str => s.push_str(&quote(text)),
            LitKind::RawStr => {
                s.push_str("r\"");
                s.push_str(text);
                s.push('"');
            }
            LitKind::Char => {
                let c = text.chars().next().unwrap_or(' ');
                match c {
                    '\'' => s.push_str("'\\''"),
                    '\\' => s.push_str("'\\\\'"),
                    c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                        let _ = write!(s, "'\\x{:02x}'", c as u32);
                    }
                    c => {
                        let _ = write!(s, "'{c}'");
                    }
                }
            }
        },
        Operand::Slice { base, ranges, .. } => {
            operand_text(s, base);
            s.push('[');
            for (i, r) in ranges.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{r}");
            }
            s.push(']');
        }
        Operand::Layer { base, ranges, .. } => {
            operand_text(s, base);
            match ranges.as_slice() {
                [SliceRange::Single(n)] if *n >= 0 => {
                    let _ = write!(s, "#{n}");
                }
                _ => {
                    s.push_str("#[");
                    for (i, r) in ranges.iter().enumerate() {
                        if i > 0 {
                            s.push(',');
                        }
                        let _ = write!(s, "{r}");
                    }
                    s.push(']');
                }
            }
        }
        Operand::Call { func, args, .. } => {
            s.push_str(func);
            s.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                operand_text(s, a);
            }
            s.push(')');
        }
        Operand::BitAnd { lhs, rhs, .. } => {
            operand_text(s, lhs);
            s.push_str(" & ");
            operand_text(s, rhs);
        }
    }
}
