//! Type checker: resolves names against a field registry, converts literals
//! to the type of the other side of each comparison (as tshark does: the
//! same word `10` is an integer, a byte or a string depending on the field),
//! and produces the typed tree the evaluator and the kernel planner run on.

use super::ast::{CmpOp, Expr, LitKind, LogicOp, Operand, Quant, SetElem, SliceRange, Span};
use super::error::FilterError;
use crate::dissect::{FieldDef, FieldType};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Where field names are resolved.
pub trait Registry {
    /// The definition of a field or protocol name.
    fn lookup(&self, name: &str) -> Option<&'static FieldDef>;
    /// Every known name, for "did you mean" suggestions.
    fn names(&self) -> Vec<&'static str>;
}

/// The registry of the dissectors compiled into this program.
pub struct Dissectors;

impl Registry for Dissectors {
    fn lookup(&self, name: &str) -> Option<&'static FieldDef> {
        crate::dissect::lookup(name)
    }
    fn names(&self) -> Vec<&'static str> {
        crate::dissect::registry().map(|f| f.name).collect()
    }
}

/// A constant or run-time value, in the form comparisons work on.
#[derive(Clone, Debug, PartialEq)]
pub enum Dyn {
    /// Any integer type, booleans as 0/1.
    Int(i128),
    /// Floats and times, in seconds.
    Float(f64),
    /// Bytes (also protocol layers and slices).
    Bytes(Vec<u8>),
    /// Text.
    Str(String),
    /// IPv4 address and prefix length.
    Ipv4(u32, u8),
    /// IPv6 address and prefix length.
    Ipv6(u128, u8),
    /// MAC address.
    Ether([u8; 6]),
}

/// A per-value relation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rel {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Greater.
    Gt,
    /// Less.
    Lt,
    /// Greater or equal.
    Ge,
    /// Less or equal.
    Le,
    /// Substring / sub-sequence.
    Contains,
}

/// Functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// Length in bytes of each value.
    Len,
    /// Number of occurrences (one value, possibly 0).
    Count,
    /// Lower-case each string.
    Lower,
    /// Upper-case each string.
    Upper,
    /// Absolute value of each number.
    Abs,
}

/// A typed value producer.
#[derive(Clone, Debug)]
pub enum Val {
    /// Every occurrence of a field.
    Field(&'static FieldDef),
    /// A constant.
    Const(Dyn),
    /// Bytes ranges of each value, concatenated.
    Slice(Box<Val>, Vec<SliceRange>),
    /// Occurrences of a field inside the given layers of its protocol.
    Layer(&'static FieldDef, Vec<SliceRange>),
    /// A function of each value (for `count`, of the field).
    Call(Func, Box<Val>),
    /// Each value ANDed with a constant mask.
    BitAnd(Box<Val>, Dyn),
    /// The largest (or smallest) of every value of every argument.
    Extreme {
        /// `max` rather than `min`.
        max: bool,
        /// Arguments.
        args: Vec<Val>,
    },
}

/// The typed filter tree.
#[derive(Clone, Debug)]
pub enum Node {
    /// All of them (chains are flattened).
    And(Vec<Node>),
    /// Any of them.
    Or(Vec<Node>),
    /// Exactly one.
    Xor(Box<Node>, Box<Node>),
    /// Negation.
    Not(Box<Node>),
    /// The operand produces at least one value (non-zero for `&`).
    Exists(Val),
    /// Comparison: `all` = every pair must satisfy `rel`, else some pair.
    /// At least one value on each side is needed either way.
    Cmp {
        /// Quantifier.
        all: bool,
        /// Relation.
        rel: Rel,
        /// Left.
        lhs: Val,
        /// Right.
        rhs: Val,
    },
    /// Some value lies in one of the inclusive ranges.
    In {
        /// Tested operand.
        lhs: Val,
        /// Ranges (single values have lo == hi).
        set: Vec<(Dyn, Dyn)>,
    },
    /// Some value matches the (case-insensitive) regular expression.
    Matches {
        /// Every value must match (`all` prefix), else some value.
        all: bool,
        /// Tested operand.
        lhs: Val,
        /// Compiled pattern.
        re: regex::bytes::Regex,
    },
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest registry name, if close enough to be a plausible typo.
pub fn suggest(reg: &dyn Registry, name: &str) -> Option<&'static str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    reg.names()
        .into_iter()
        .map(|n| (levenshtein(name, n), n))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, n)| n)
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Protocol | FieldType::Layer => "Protocol",
        FieldType::None => "Label",
        FieldType::Bool => "Boolean",
        FieldType::UInt => "Unsigned integer",
        FieldType::Int => "Signed integer",
        FieldType::Float => "Floating point",
        FieldType::Bytes => "Byte sequence",
        FieldType::String => "Character string",
        FieldType::Ipv4 => "IPv4 address",
        FieldType::Ipv6 => "IPv6 address",
        FieldType::Ether => "Ethernet or other MAC address",
        FieldType::AbsTime => "Date and time",
        FieldType::RelTime => "Time offset",
        FieldType::FrameNum => "Frame number",
    }
}

fn is_int(t: FieldType) -> bool {
    matches!(
        t,
        FieldType::UInt | FieldType::Int | FieldType::FrameNum | FieldType::Bool
    )
}

fn is_float(t: FieldType) -> bool {
    matches!(
        t,
        FieldType::Float | FieldType::RelTime | FieldType::AbsTime
    )
}

fn is_sliceable(t: FieldType) -> bool {
    matches!(
        t,
        FieldType::Bytes
            | FieldType::Protocol
            | FieldType::String
            | FieldType::Ether
            | FieldType::Ipv4
            | FieldType::Ipv6
    )
}

fn bytes_like(t: FieldType) -> bool {
    matches!(t, FieldType::Bytes | FieldType::Protocol | FieldType::Ether)
}

/// Whether values of the two types can be compared with each other.
fn compatible(a: FieldType, b: FieldType) -> bool {
    a == b
        || ((is_int(a) || is_float(a)) && (is_int(b) || is_float(b)))
        || ((bytes_like(a) || a == FieldType::String) && (bytes_like(b) || b == FieldType::String))
}

/// Parse an integer literal: decimal, `0x` hex, `0` octal, `0b` binary,
/// with an optional leading `-`.
pub fn parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) =
        if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, h)
        } else if let Some(b) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, b)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || digits.len() > 40 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i128::from_str_radix(digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// Parse `aa:bb:cc`, `aa-bb-cc`, `aabb.ccdd`, `aa.bb.cc` byte strings.
pub fn parse_bytes(s: &str) -> Option<Vec<u8>> {
    let parts: Vec<&str> = s.split([':', '-', '.']).collect();
    if parts.len() < 2 {
        return None;
    }
    let width = parts[0].len();
    if !(width == 1 || width == 2 || (width == 4 && s.contains('.'))) {
        return None;
    }
    let mut out = Vec::new();
    for p in parts {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        match p.len() {
            1 | 2 if width <= 2 => out.push(u8::from_str_radix(p, 16).ok()?),
            4 if width == 4 => {
                out.push(u8::from_str_radix(&p[..2], 16).ok()?);
                out.push(u8::from_str_radix(&p[2..], 16).ok()?);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn split_prefix<'a>(
    s: &'a str,
    max: u8,
    at: Span,
    full: &str,
) -> Result<(&'a str, u8), FilterError> {
    match s.split_once('/') {
        None => Ok((s, max)),
        Some((a, p)) => {
            let bits: u8 = p.parse().map_err(|_| {
                FilterError::new(format!("\"{p}\" is not a valid netmask length"), at)
            })?;
            if bits > max {
                let kind = if max == 32 { "IPv4" } else { "IPv6" };
                return Err(FilterError::new(
                    format!("netmask bits in a CIDR {kind} address should be <= {max}, not {bits} (in \"{full}\")"),
                    at,
                ));
            }
            Ok((a, bits))
        }
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parse tshark's absolute-time literals, `Nov 12, 1999 08:55:44.123` or
/// `2011-07-04 12:34:56` (also with `T`, a trailing `Z` or ` UTC`, or a
/// bare date), as seconds since the epoch. Times are taken as UTC.
pub fn parse_abs_time(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = t
        .strip_suffix("UTC")
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(t)
        .trim_end();
    let (y, mo, d, rest) = if t.as_bytes().first()?.is_ascii_digit() {
        let (date, rest) = match t.find([' ', 'T']) {
            Some(i) => (&t[..i], t[i + 1..].trim()),
            None => (t, ""),
        };
        let mut p = date.split('-');
        let y: i64 = p.next()?.parse().ok()?;
        let mo: i64 = p.next()?.parse().ok()?;
        let d: i64 = p.next()?.parse().ok()?;
        if p.next().is_some() {
            return None;
        }
        (y, mo, d, rest)
    } else {
        const MONTHS: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let mut words = t.split_whitespace();
        let mon = words.next()?.to_ascii_lowercase();
        let mo = MONTHS.iter().position(|m| *m == mon)? as i64 + 1;
        let d: i64 = words.next()?.trim_end_matches(',').parse().ok()?;
        let y: i64 = words.next()?.parse().ok()?;
        let rest = words.next().unwrap_or("");
        if words.next().is_some() {
            return None;
        }
        (y, mo, d, rest)
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = 0.0;
    if !rest.is_empty() {
        let mut p = rest.split(':');
        let h: u32 = p.next()?.parse().ok()?;
        let mi: u32 = p.next()?.parse().ok()?;
        let sec: f64 = match p.next() {
            Some(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.') => {
                s.parse().ok()?
            }
            Some(_) => return None,
            None => 0.0,
        };
        if p.next().is_some() || h > 23 || mi > 59 || sec >= 61.0 {
            return None;
        }
        secs = f64::from(h * 3600 + mi * 60) + sec;
    }
    Some(days_from_civil(y, mo, d) as f64 * 86_400.0 + secs)
}

/// Convert literal text to a value of type `ty`.
fn convert(
    ty: FieldType,
    text: &str,
    kind: Option<LitKind>,
    span: Span,
) -> Result<Dyn, FilterError> {
    let quoted = matches!(kind, Some(LitKind::Str | LitKind::RawStr));
    let shown = if quoted {
        format!("\"{text}\"")
    } else {
        text.to_string()
    };
    let not_from_string = || {
        FilterError::new(
            format!(
                "{} cannot be converted from a string ({shown})",
                type_name(ty)
            ),
            span,
        )
    };
    let char_val = || text.chars().next().map(|c| c as i128).unwrap_or(0);
    match ty {
        FieldType::UInt | FieldType::Int | FieldType::FrameNum | FieldType::Bool => {
            if quoted {
                return Err(not_from_string());
            }
            let v = if kind == Some(LitKind::Char) {
                char_val()
            } else if ty == FieldType::Bool && (text == "true" || text == "false") {
                i128::from(text == "true")
            } else {
                parse_int(text).ok_or_else(|| {
                    FilterError::new(format!("\"{text}\" is not a valid number"), span)
                })?
            };
            if ty == FieldType::Bool {
                if v < 0 {
                    return Err(FilterError::new(
                        format!("\"{text}\" is not a valid boolean"),
                        span,
                    ));
                }
                return Ok(Dyn::Int(i128::from(v != 0)));
            }
            if v.unsigned_abs() > u128::from(u64::MAX) {
                return Err(FilterError::new(
                    format!("\"{text}\" is too big for this field"),
                    span,
                ));
            }
            Ok(Dyn::Int(v))
        }
        FieldType::Float | FieldType::RelTime => {
            if quoted {
                return Err(not_from_string());
            }
            if kind == Some(LitKind::Char) {
                return Ok(Dyn::Float(char_val() as f64));
            }
            // Decimal only: tshark refuses `0x1` and `1e-3` as times.
            if ty == FieldType::RelTime && text.contains(['e', 'E']) {
                return Err(FilterError::new(
                    format!("\"{text}\" is not a valid time"),
                    span,
                ));
            }
            text.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && !text.contains(['i', 'I', 'n', 'N']))
                .map(Dyn::Float)
                .ok_or_else(|| FilterError::new(format!("\"{text}\" is not a valid number"), span))
        }
        FieldType::AbsTime => parse_abs_time(text).map(Dyn::Float).ok_or_else(|| {
            FilterError::new(
                format!(
                    "\"{text}\" is not a valid absolute time. Example: \"Nov 12, 1999 08:55:44.123\" or \"2011-07-04 12:34:56\""
                ),
                span,
            )
        }),
        FieldType::String => Ok(Dyn::Str(text.to_string())),
        FieldType::Bytes | FieldType::Protocol | FieldType::Layer => {
            if kind.is_some() {
                return Ok(Dyn::Bytes(text.as_bytes().to_vec()));
            }
            if let Some(b) = parse_bytes(text) {
                return Ok(Dyn::Bytes(b));
            }
            // Bare hex digits: one byte for one or two digits, else pairs.
            if !text.is_empty() && text.chars().all(|c| c.is_ascii_hexdigit()) {
                if text.len() <= 2 {
                    return Ok(Dyn::Bytes(vec![u8::from_str_radix(text, 16).unwrap_or(0)]));
                }
                if text.len().is_multiple_of(2) {
                    let b = (0..text.len() / 2)
                        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap_or(0))
                        .collect();
                    return Ok(Dyn::Bytes(b));
                }
            }
            let hex = text.starts_with("0x") || text.starts_with("0X");
            match parse_int(text) {
                Some(v) if hex && (0..=255).contains(&v) => Ok(Dyn::Bytes(vec![v as u8])),
                _ => Err(FilterError::new(
                    format!("\"{text}\" is not a valid byte string"),
                    span,
                )),
            }
        }
        FieldType::Ether => {
            if kind.is_some() {
                return Err(not_from_string());
            }
            let b = parse_bytes(text)
                .or_else(|| {
                    (text.len() == 12 && text.chars().all(|c| c.is_ascii_hexdigit())).then(|| {
                        (0..6)
                            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap_or(0))
                            .collect()
                    })
                })
                .ok_or_else(|| {
                    FilterError::new(format!("\"{text}\" is not a valid Ethernet address"), span)
                })?;
            if b.len() != 6 {
                let few = if b.len() < 6 { "few" } else { "many" };
                return Err(FilterError::new(
                    format!("\"{text}\" contains too {few} bytes to be a valid Ethernet address"),
                    span,
                ));
            }
            let mut a = [0u8; 6];
            a.copy_from_slice(&b);
            Ok(Dyn::Ether(a))
        }
        FieldType::Ipv4 => {
            if kind.is_some() {
                return Err(not_from_string());
            }
            let (addr, bits) = split_prefix(text, 32, span, text)?;
            let a: Ipv4Addr = addr.parse().map_err(|_| {
                FilterError::new(format!("\"{text}\" is not a valid IPv4 address"), span)
            })?;
            Ok(Dyn::Ipv4(u32::from(a), bits))
        }
        FieldType::Ipv6 => {
            if kind.is_some() {
                return Err(not_from_string());
            }
            let (addr, bits) = split_prefix(text, 128, span, text)?;
            let a: Ipv6Addr = addr.parse().map_err(|_| {
                FilterError::new(format!("\"{text}\" is not a valid IPv6 address"), span)
            })?;
            Ok(Dyn::Ipv6(u128::from(a), bits))
        }
        FieldType::None => Err(FilterError::new("a label has no value to compare", span)),
    }
}

/// Type-check `expr` against `reg`.
pub fn check(expr: &Expr, reg: &dyn Registry) -> Result<Node, FilterError> {
    Checker { reg }.expr(expr)
}

struct Checker<'a> {
    reg: &'a dyn Registry,
}

fn op_text(op: CmpOp) -> &'static str {
    op.symbol()
}

impl Checker<'_> {
    fn expr(&self, e: &Expr) -> Result<Node, FilterError> {
        Ok(match e {
            Expr::Logic { op, .. } => {
                // One node for a whole `a or b or c …` chain.
                let (first, rest) = e.logic_chain();
                let mut first = self.expr(first)?;
                if *op == LogicOp::Xor {
                    for r in rest {
                        first = Node::Xor(Box::new(first), Box::new(self.expr(r)?));
                    }
                    return Ok(first);
                }
                let mut all = Vec::with_capacity(rest.len() + 1);
                all.push(first);
                for r in rest {
                    all.push(self.expr(r)?);
                }
                if *op == LogicOp::And {
                    Node::And(all)
                } else {
                    Node::Or(all)
                }
            }
            Expr::Not { inner, .. } => Node::Not(Box::new(self.expr(inner)?)),
            Expr::Test { operand } => {
                if let Operand::Literal { span, .. } = operand {
                    return Err(FilterError::new(
                        "a literal is not a test; compare it with a field",
                        *span,
                    ));
                }
                if let Operand::Call { span, .. } = operand {
                    return Err(FilterError::new(
                        "you cannot test whether a function is present",
                        *span,
                    ));
                }
                let (v, _) = self.value(operand, None)?;
                Node::Exists(v)
            }
            Expr::Compare {
                quant,
                lhs,
                op,
                rhs,
                ..
            } => self.compare(*quant, lhs, *op, rhs)?,
            Expr::In { lhs, set, .. } => {
                let (v, ty) = self.value(lhs, Some("in"))?;
                if ty == FieldType::None {
                    return Err(self.cannot(lhs, ty, "in"));
                }
                let mut out = Vec::new();
                for m in set {
                    let (a, b) = match m {
                        SetElem::One(x) => (x, x),
                        SetElem::Range(a, b) => (a, b),
                    };
                    let lo = self.literal(a, ty)?;
                    let hi = if std::ptr::eq(a, b) {
                        lo.clone()
                    } else {
                        self.literal(b, ty)?
                    };
                    out.push((lo, hi));
                }
                Node::In { lhs: v, set: out }
            }
        })
    }

    fn cannot(&self, o: &Operand, ty: FieldType, op: &str) -> FilterError {
        let what = match o {
            Operand::Field { name, .. } => name.clone(),
            _ => "this operand".to_string(),
        };
        FilterError::new(
            format!(
                "{what} (type={}) cannot participate in \"{op}\" comparison",
                type_name(ty)
            ),
            o.span(),
        )
    }

    fn literal(&self, o: &Operand, ty: FieldType) -> Result<Dyn, FilterError> {
        match o {
            Operand::Field { name, span } => convert(ty, name, None, *span),
            Operand::Literal { text, kind, span } => convert(ty, text, Some(*kind), *span),
            other => Err(FilterError::new(
                "expected a literal value here",
                other.span(),
            )),
        }
    }

    fn compare(
        &self,
        quant: Option<Quant>,
        lhs: &Operand,
        op: CmpOp,
        rhs: &Operand,
    ) -> Result<Node, FilterError> {
        let (l, lty) = self.value(lhs, Some(op_text(op)))?;
        if lty == FieldType::None {
            return Err(self.cannot(lhs, lty, op_text(op)));
        }
        let (all, rel) = match op {
            CmpOp::Eq => (quant == Some(Quant::All), Rel::Eq),
            CmpOp::AllEq => (true, Rel::Eq),
            CmpOp::Ne => (quant != Some(Quant::Any), Rel::Ne),
            CmpOp::AnyNe => (false, Rel::Ne),
            CmpOp::Gt => (quant == Some(Quant::All), Rel::Gt),
            CmpOp::Lt => (quant == Some(Quant::All), Rel::Lt),
            CmpOp::Ge => (quant == Some(Quant::All), Rel::Ge),
            CmpOp::Le => (quant == Some(Quant::All), Rel::Le),
            CmpOp::Contains => (quant == Some(Quant::All), Rel::Contains),
            CmpOp::Matches => {
                if !matches!(
                    lty,
                    FieldType::String | FieldType::Bytes | FieldType::Protocol
                ) {
                    return Err(self.cannot(lhs, lty, "matches"));
                }
                let Operand::Literal {
                    text,
                    kind: LitKind::Str | LitKind::RawStr,
                    span,
                } = rhs
                else {
                    return Err(FilterError::new(
                        "the right side of \"matches\" must be a double-quoted string",
                        rhs.span(),
                    ));
                };
                let re = regex::bytes::RegexBuilder::new(text)
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| {
                        let msg = e.to_string();
                        let last = msg
                            .lines()
                            .last()
                            .unwrap_or("invalid pattern")
                            .trim()
                            .to_string();
                        FilterError::new(format!("invalid regular expression: {last}"), *span)
                    })?;
                return Ok(Node::Matches {
                    all: quant == Some(Quant::All),
                    lhs: l,
                    re,
                });
            }
        };
        if rel == Rel::Contains
            && !matches!(
                lty,
                FieldType::String | FieldType::Bytes | FieldType::Protocol | FieldType::Ether
            )
        {
            return Err(self.cannot(lhs, lty, "contains"));
        }
        // The right side: a field if the word names one, else a literal.
        let lit_ty = if rel == Rel::Contains && bytes_like(lty) {
            FieldType::Bytes
        } else {
            lty
        };
        let r = match rhs {
            Operand::Field { name, .. } if self.reg.lookup(name).is_none() => {
                match self.literal(rhs, lit_ty) {
                    Ok(c) => Val::Const(c),
                    Err(mut e) => {
                        // A word that looks like a field name was probably meant as one.
                        let looks_like_field = name.contains('.')
                            && name.starts_with(|c: char| c.is_ascii_alphabetic())
                            && !name.contains(':');
                        if let Some(s) = suggest(self.reg, name).filter(|_| looks_like_field) {
                            e.message.push_str(&format!(" (did you mean {s}?)"));
                        }
                        return Err(e);
                    }
                }
            }
            Operand::Literal { .. } => Val::Const(self.literal(rhs, lit_ty)?),
            _ => {
                let (r, rty) = self.value(rhs, Some(op_text(op)))?;
                if !compatible(lty, rty) || rty == FieldType::None {
                    return Err(FilterError::new(
                        format!(
                            "{} and {} are not of compatible types",
                            type_name(lty),
                            type_name(rty)
                        ),
                        lhs.span().to(rhs.span()),
                    ));
                }
                r
            }
        };
        Ok(Node::Cmp {
            all,
            rel,
            lhs: l,
            rhs: r,
        })
    }

    /// `max(a, b, …)` / `min(…)`: one value, the extreme of every value of
    /// every argument; arguments are numeric fields of one type, or
    /// literals of that type.
    fn extreme(
        &self,
        max: bool,
        args: &[Operand],
        span: Span,
        op: Option<&str>,
    ) -> Result<(Val, FieldType), FilterError> {
        let name = if max { "max" } else { "min" };
        let mut ty = None;
        let mut vals = Vec::new();
        for a in args {
            if matches!(a, Operand::Literal { .. }) {
                continue;
            }
            if let Operand::Field { name: n, .. } = a {
                if self.reg.lookup(n).is_none() {
                    continue;
                }
            }
            let (v, t) = self.value(a, op)?;
            if !matches!(t, FieldType::UInt | FieldType::Int) && !is_float(t) {
                return Err(FilterError::new(
                    format!(
                        "arguments to {name}() must be numbers, not {}",
                        type_name(t)
                    ),
                    a.span(),
                ));
            }
            match ty {
                Some(prev) if prev != t => {
                    return Err(FilterError::new(
                        format!(
                            "arguments to {name}() must have the same type ({} and {})",
                            type_name(prev),
                            type_name(t)
                        ),
                        a.span(),
                    ))
                }
                _ => ty = Some(t),
            }
            vals.push(v);
        }
        let Some(ty) = ty else {
            return Err(FilterError::new(
                format!("{name}() needs at least one field argument"),
                span,
            ));
        };
        for a in args {
            let literal = match a {
                Operand::Literal { .. } => true,
                Operand::Field { name: n, .. } => self.reg.lookup(n).is_none(),
                _ => false,
            };
            if literal {
                vals.push(Val::Const(self.literal(a, ty)?));
            }
        }
        Ok((Val::Extreme { max, args: vals }, ty))
    }

    /// Type-check a value-producing operand; `op` names the comparison it
    /// sits in, for messages.
    fn value(&self, o: &Operand, op: Option<&str>) -> Result<(Val, FieldType), FilterError> {
        match o {
            Operand::Field { name, span } => match self.reg.lookup(name) {
                Some(def) => Ok((Val::Field(def), def.ty)),
                None => {
                    let _ = op;
                    let mut msg = format!("\"{name}\" is neither a field nor a protocol name");
                    if name.contains('.')
                        || name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        if let Some(s) = suggest(self.reg, name) {
                            msg.push_str(&format!(" (did you mean {s}?)"));
                        }
                    }
                    Err(FilterError::new(msg, *span))
                }
            },
            Operand::Literal { span, .. } => Err(FilterError::new(
                format!(
                    "left side of \"{}\" must be a field or function, not a literal",
                    op.unwrap_or("==")
                ),
                *span,
            )),
            Operand::Layer { base, ranges, .. } => {
                let (v, ty) = self.value(base, op)?;
                match v {
                    Val::Field(def) => Ok((Val::Layer(def, ranges.clone()), ty)),
                    _ => Err(FilterError::new(
                        "only a field can have a layer",
                        base.span(),
                    )),
                }
            }
            Operand::Slice { base, ranges, span } => {
                let (v, ty) = self.value(base, op)?;
                if !is_sliceable(ty) {
                    return Err(FilterError::new(
                        format!("a {} value cannot be sliced", type_name(ty)),
                        *span,
                    ));
                }
                Ok((Val::Slice(Box::new(v), ranges.clone()), FieldType::Bytes))
            }
            Operand::Call { func, args, span } => {
                let f = match func.as_str() {
                    "len" => Func::Len,
                    "count" => Func::Count,
                    "lower" => Func::Lower,
                    "upper" => Func::Upper,
                    "abs" => Func::Abs,
                    "max" | "min" => return self.extreme(func == "max", args, *span, op),
                    other => {
                        return Err(FilterError::new(
                            format!("function {other}() is not supported"),
                            *span,
                        ))
                    }
                };
                if args.len() != 1 {
                    return Err(FilterError::new(
                        format!("{func}() takes exactly one argument"),
                        *span,
                    ));
                }
                let (v, ty) = self.value(&args[0], op)?;
                let out_ty = match f {
                    Func::Count => {
                        if !matches!(args[0], Operand::Field { .. } | Operand::Layer { .. }) {
                            return Err(FilterError::new("count() takes a field", args[0].span()));
                        }
                        FieldType::UInt
                    }
                    Func::Len => {
                        if !is_sliceable(ty) {
                            return Err(FilterError::new(
                                format!("len() is not defined for {} values", type_name(ty)),
                                args[0].span(),
                            ));
                        }
                        FieldType::UInt
                    }
                    Func::Abs => {
                        if !matches!(ty, FieldType::UInt | FieldType::Int) && !is_float(ty) {
                            return Err(FilterError::new(
                                format!("abs() takes a number, not {}", type_name(ty)),
                                args[0].span(),
                            ));
                        }
                        ty
                    }
                    Func::Lower | Func::Upper => {
                        if ty != FieldType::String {
                            return Err(FilterError::new(
                                format!("{func}() takes a string, not {}", type_name(ty)),
                                args[0].span(),
                            ));
                        }
                        FieldType::String
                    }
                };
                Ok((Val::Call(f, Box::new(v)), out_ty))
            }
            Operand::BitAnd { lhs, rhs, .. } => {
                let (v, ty) = self.value(lhs, op)?;
                if !is_int(ty) && ty != FieldType::Bytes {
                    return Err(FilterError::new(
                        format!(
                            "\"&\" needs an integer or bytes operand, not {}",
                            type_name(ty)
                        ),
                        lhs.span(),
                    ));
                }
                let mask = self.literal(rhs, ty)?;
                Ok((Val::BitAnd(Box::new(v), mask), ty))
            }
        }
    }
}
