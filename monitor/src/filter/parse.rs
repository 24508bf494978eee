//! Lexer and recursive-descent parser: filter text to an [`Expr`] with spans.
//!
//! Precedence, lowest first: `or`/`||`, `xor`/`^^`, `and`/`&&`,
//! `not`/`!`; then comparisons, `&`/`bitand`, slices. Input size and
//! nesting depth are bounded so hostile input yields an error, never a
//! stack overflow.

use super::ast::{CmpOp, Expr, LitKind, LogicOp, Operand, Quant, SetElem, SliceRange, Span};
use super::error::FilterError;

/// Longest filter text accepted, in bytes.
pub const MAX_LEN: usize = 64 * 1024;
/// Deepest syntax tree accepted (a chain of `n` `or`s is `n` deep).
pub const MAX_DEPTH: usize = 1000;
/// Most parentheses, `not`s and calls open at one point.
pub const MAX_NEST: usize = 256;

/// Names that parse as function calls when followed by `(`.
pub const FUNCTIONS: &[&str] = &["len", "count", "lower", "upper", "max", "min", "abs"];

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    DotDot,
    Logic(LogicOp),
    Not,
    Cmp(CmpOp),
    In,
    Quant(Quant),
    BitAnd,
    Hash,
    Word(String),
    Str(String, LitKind),
    /// Text between `[` and `]`, and where that text starts.
    Slice(String, usize),
    Eof,
}

#[derive(Clone)]
struct Token {
    tok: Tok,
    span: Span,
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-' | '/' | '%')
}

fn keyword(w: &str) -> Option<Tok> {
    Some(match w {
        "and" => Tok::Logic(LogicOp::And),
        "or" => Tok::Logic(LogicOp::Or),
        "xor" => Tok::Logic(LogicOp::Xor),
        "not" => Tok::Not,
        "eq" | "any_eq" => Tok::Cmp(CmpOp::Eq),
        "ne" | "all_ne" => Tok::Cmp(CmpOp::Ne),
        "all_eq" => Tok::Cmp(CmpOp::AllEq),
        "any_ne" => Tok::Cmp(CmpOp::AnyNe),
        "gt" => Tok::Cmp(CmpOp::Gt),
        "lt" => Tok::Cmp(CmpOp::Lt),
        "ge" => Tok::Cmp(CmpOp::Ge),
        "le" => Tok::Cmp(CmpOp::Le),
        "contains" => Tok::Cmp(CmpOp::Contains),
        "matches" => Tok::Cmp(CmpOp::Matches),
        "in" => Tok::In,
        "any" => Tok::Quant(Quant::Any),
        "all" => Tok::Quant(Quant::All),
        "bitand" => Tok::BitAnd,
        _ => return None,
    })
}

/// Read the body of a quoted string starting after the opening quote at
/// byte `open`; returns the value and the index after the closing quote.
fn lex_string(
    src: &str,
    open: usize,
    quote: char,
    raw: bool,
) -> Result<(String, usize), FilterError> {
    let bytes = src.as_bytes();
    let mut out = String::new();
    let mut i = open + 1;
    loop {
        let Some(c) = src[i..].chars().next() else {
            return Err(FilterError::new(
                "the string is not terminated",
                Span::new(open, src.len()),
            ));
        };
        if c == quote {
            return Ok((out, i + 1));
        }
        if c != '\\' {
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let esc_start = i;
        i += 1;
        let Some(e) = src[i..].chars().next() else {
            continue;
        };
        if raw {
            // Raw strings keep backslashes; `\"` does not end the string.
            out.push('\\');
            out.push(e);
            i += e.len_utf8();
            continue;
        }
        i += e.len_utf8();
        let simple = match e {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            '\\' | '"' | '\'' | '?' => Some(e),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            continue;
        }
        let bad =
            |what: &str, end: usize| FilterError::new(what.to_string(), Span::new(esc_start, end));
        let code: u32 = match e {
            'x' => {
                let n = bytes[i..]
                    .iter()
                    .take(2)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                if n == 0 {
                    return Err(bad("\\x must be followed by hex digits", i));
                }
                let v = u32::from_str_radix(&src[i..i + n], 16).unwrap_or(0);
                i += n;
                v
            }
            '0'..='7' => {
                let n = 1 + bytes[i..]
                    .iter()
                    .take(2)
                    .take_while(|b| (b'0'..=b'7').contains(b))
                    .count();
                let v = u32::from_str_radix(&src[i - 1..i - 1 + n], 8).unwrap_or(0);
                i += n - 1;
                v
            }
            'u' | 'U' => {
                let want = if e == 'u' { 4 } else { 8 };
                let n = bytes[i..]
                    .iter()
                    .take(want)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                if n != want {
                    return Err(bad(&format!("\\{e} needs {want} hex digits"), i + n));
                }
                let v = u32::from_str_radix(&src[i..i + n], 16).unwrap_or(0);
                i += n;
                // C's rule for universal character names, which tshark applies.
                let ok =
                    (v >= 0xa0 || matches!(v, 0x24 | 0x40 | 0x60)) && char::from_u32(v).is_some();
                if !ok {
                    return Err(bad(
                        &format!(
                            "{} is not a valid universal character name",
                            &src[esc_start..i]
                        ),
                        i,
                    ));
                }
                out.push(char::from_u32(v).unwrap_or('?'));
                continue;
            }
            _ => return Err(bad(&format!("unknown escape sequence \\{e}"), i)),
        };
        if code >= 0x80 {
            return Err(bad(
                "bytes above 0x7f are not allowed in strings; write a byte string such as ff:fe",
                i,
            ));
        }
        out.push(char::from_u32(code).unwrap_or('?'));
    }
}

fn lex(src: &str) -> Result<Vec<Token>, FilterError> {
    let mut toks = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        let start = i;
        let rest = &src[i..];
        let mut push = |tok, len: usize| {
            toks.push(Token {
                tok,
                span: Span::new(start, start + len),
            });
            len
        };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        i += match c {
            '(' => push(Tok::LParen, 1),
            ')' => push(Tok::RParen, 1),
            '{' => push(Tok::LBrace, 1),
            '}' => push(Tok::RBrace, 1),
            ',' => push(Tok::Comma, 1),
            '~' => push(Tok::Cmp(CmpOp::Matches), 1),
            '#' => push(Tok::Hash, 1),
            '&' if rest.starts_with("&&") => push(Tok::Logic(LogicOp::And), 2),
            '&' => push(Tok::BitAnd, 1),
            '|' if rest.starts_with("||") => push(Tok::Logic(LogicOp::Or), 2),
            '^' if rest.starts_with("^^") => push(Tok::Logic(LogicOp::Xor), 2),
            '!' if rest.starts_with("!==") => push(Tok::Cmp(CmpOp::AnyNe), 3),
            '!' if rest.starts_with("!=") => push(Tok::Cmp(CmpOp::Ne), 2),
            '!' => push(Tok::Not, 1),
            '=' if rest.starts_with("===") => push(Tok::Cmp(CmpOp::AllEq), 3),
            '=' if rest.starts_with("==") => push(Tok::Cmp(CmpOp::Eq), 2),
            '>' if rest.starts_with(">=") => push(Tok::Cmp(CmpOp::Ge), 2),
            '>' => push(Tok::Cmp(CmpOp::Gt), 1),
            '<' if rest.starts_with("<=") => push(Tok::Cmp(CmpOp::Le), 2),
            '<' => push(Tok::Cmp(CmpOp::Lt), 1),
            '"' => {
                let (s, end) = lex_string(src, i, '"', false)?;
                push(Tok::Str(s, LitKind::Str), end - start)
            }
            'r' | 'R' if bytes.get(i + 1) == Some(&b'"') => {
                let (s, end) = lex_string(src, i + 1, '"', true)?;
                push(Tok::Str(s, LitKind::RawStr), end - start)
            }
            '\'' => {
                let (s, end) = lex_string(src, i, '\'', false)?;
                if s.chars().count() != 1 {
                    return Err(FilterError::new(
                        "a character constant must hold exactly one character",
                        Span::new(start, end),
                    ));
                }
                push(Tok::Str(s, LitKind::Char), end - start)
            }
            '[' => {
                let Some(close) = src[i..].find(']') else {
                    return Err(FilterError::new("\"[\" is not closed", Span::new(i, i + 1)));
                };
                push(
                    Tok::Slice(src[i + 1..i + close].to_string(), i + 1),
                    close + 1,
                )
            }
            c if word_char(c) => {
                let mut len = src[i..]
                    .find(|c: char| !word_char(c))
                    .unwrap_or(src.len() - i);
                // `lo..r"hi"`: the raw string starts at the `r`.
                if (src[i..i + len].ends_with("..r") || src[i..i + len].ends_with("..R"))
                    && src[i + len..].starts_with('"')
                {
                    len -= 1;
                }
                let word = &src[i..i + len];
                // `a..b` inside a set: split at every `..`.
                let mut off = 0;
                for (n, piece) in word.split("..").enumerate() {
                    if n > 0 {
                        toks.push(Token {
                            tok: Tok::DotDot,
                            span: Span::new(start + off - 2, start + off),
                        });
                    }
                    if !piece.is_empty() {
                        let tok = keyword(piece).unwrap_or_else(|| Tok::Word(piece.to_string()));
                        toks.push(Token {
                            tok,
                            span: Span::new(start + off, start + off + piece.len()),
                        });
                    }
                    off += piece.len() + 2;
                }
                len
            }
            _ => {
                return Err(FilterError::new(
                    format!("\"{c}\" was unexpected in this context"),
                    Span::new(i, i + c.len_utf8()),
                ))
            }
        };
    }
    toks.push(Token {
        tok: Tok::Eof,
        span: Span::new(src.len(), src.len()),
    });
    Ok(toks)
}

/// Parse filter text into a syntax tree.
pub fn parse(src: &str) -> Result<Expr, FilterError> {
    if src.len() > MAX_LEN {
        return Err(FilterError::whole(format!(
            "the filter is too long ({} bytes, at most {MAX_LEN})",
            src.len()
        )));
    }
    let toks = lex(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        nest: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(FilterError::new(
            "the filter is empty",
            Span::new(0, src.len()),
        ));
    }
    let (e, _) = p.expr(0)?;
    match p.peek() {
        Tok::Eof => Ok(e),
        Tok::RParen => Err(FilterError::new(
            "unbalanced parentheses: \")\" has no matching \"(\"",
            p.span(),
        )),
        _ => Err(p.unexpected()),
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    nest: usize,
}

fn too_deep(span: Span) -> FilterError {
    FilterError::new("the filter is nested too deeply", span)
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    fn span(&self) -> Span {
        self.toks[self.pos].span
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    /// Count one level of syntactic nesting before recursing into it.
    fn enter(&mut self, at: Span) -> Result<(), FilterError> {
        self.nest += 1;
        if self.nest > MAX_NEST {
            return Err(too_deep(at));
        }
        Ok(())
    }

    fn unexpected(&self) -> FilterError {
        let span = self.span();
        if self.peek() == &Tok::Eof {
            return FilterError::new("unexpected end of filter expression", span);
        }
        let text = &self.src[span.start..span.end.min(self.src.len())];
        FilterError::new(format!("\"{text}\" was unexpected in this context"), span)
    }

    /// Error for a missing operand after the operator token at `op`.
    fn missing_after(&self, op: Span) -> FilterError {
        if self.peek() == &Tok::Eof {
            let text = &self.src[op.start..op.end];
            FilterError::new(format!("\"{text}\" is missing its right-hand operand"), op)
        } else {
            self.unexpected()
        }
    }

    /// Precedence climbing over the logical operators: `min` is the
    /// lowest precedence (1 = or, 2 = xor, 3 = and) this call may consume.
    /// Returns the tree and its depth.
    fn expr(&mut self, min: u8) -> Result<(Expr, usize), FilterError> {
        let (mut lhs, mut depth) = self.unary()?;
        while let Tok::Logic(op) = *self.peek() {
            let p = match op {
                LogicOp::Or => 1,
                LogicOp::Xor => 2,
                LogicOp::And => 3,
            };
            if p < min {
                break;
            }
            let op_span = self.bump().span;
            if matches!(self.peek(), Tok::Eof | Tok::RParen) {
                return Err(self.missing_after(op_span));
            }
            let (rhs, d) = self.expr(p + 1)?;
            depth = depth.max(d) + 1;
            if depth > MAX_DEPTH {
                return Err(too_deep(op_span));
            }
            let span = lhs.span().to(rhs.span());
            lhs = Expr::Logic {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                span,
            };
        }
        Ok((lhs, depth))
    }

    fn unary(&mut self) -> Result<(Expr, usize), FilterError> {
        // Iterate over `not`s so a long run of them cannot recurse deeply.
        let mut nots = Vec::new();
        while self.peek() == &Tok::Not {
            nots.push(self.bump().span);
            if nots.len() > MAX_NEST {
                return Err(too_deep(self.span()));
            }
        }
        if let Some(&last) = nots.last() {
            if self.peek() == &Tok::Eof {
                return Err(self.missing_after(last));
            }
        }
        let (mut e, mut depth) = self.primary()?;
        for span in nots.into_iter().rev() {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(too_deep(span));
            }
            let span = span.to(e.span());
            e = Expr::Not {
                inner: Box::new(e),
                span,
            };
        }
        Ok((e, depth))
    }

    fn primary(&mut self) -> Result<(Expr, usize), FilterError> {
        if self.peek() == &Tok::LParen {
            return self.group();
        }
        self.test().map(|e| (e, 1))
    }

    /// `( expr )`
    #[inline(never)]
    fn group(&mut self) -> Result<(Expr, usize), FilterError> {
        {
            let open = self.bump().span;
            self.enter(open)?;
            let (e, depth) = self.expr(1)?;
            if self.peek() != &Tok::RParen {
                if self.peek() == &Tok::Eof {
                    return Err(FilterError::new(
                        "unbalanced parentheses: \"(\" is not closed",
                        open,
                    ));
                }
                return Err(self.unexpected());
            }
            self.bump();
            self.nest -= 1;
            Ok((e, depth + 1))
        }
    }

    /// `[any|all] operand [op operand | in {set}]`
    #[inline(never)]
    fn test(&mut self) -> Result<Expr, FilterError> {
        let quant = match self.peek() {
            Tok::Quant(q) => {
                let q = *q;
                self.bump();
                Some(q)
            }
            _ => None,
        };
        let start = self.span();
        let lhs = self.operand()?;
        // `x not in {…}` is `not (x in {…})`.
        let not_in = self.peek() == &Tok::Not
            && self.toks.get(self.pos + 1).map(|t| &t.tok) == Some(&Tok::In)
            && quant.is_none();
        if not_in {
            self.bump();
            let e = self.membership(lhs, start)?;
            let span = start.to(e.span());
            return Ok(Expr::Not {
                inner: Box::new(e),
                span,
            });
        }
        match self.peek().clone() {
            Tok::Cmp(op) => {
                let op_span = self.bump().span;
                if matches!(self.peek(), Tok::Eof | Tok::RParen) {
                    return Err(self.missing_after(op_span));
                }
                let rhs = self.operand()?;
                let span = start.to(rhs.span());
                Ok(Expr::Compare {
                    quant,
                    lhs,
                    op,
                    rhs,
                    span,
                })
            }
            Tok::In if quant.is_none() => self.membership(lhs, start),
            _ if quant.is_some() => Err(FilterError::new(
                "\"any\"/\"all\" must be followed by a comparison",
                self.span(),
            )),
            _ => Ok(Expr::Test { operand: lhs }),
        }
    }

    /// `in {set}` after `lhs` (which started at `start`).
    #[inline(never)]
    fn membership(&mut self, lhs: Operand, start: Span) -> Result<Expr, FilterError> {
        self.bump();
        let open = self.span();
        if self.peek() != &Tok::LBrace {
            return Err(self.unexpected());
        }
        self.bump();
        let mut set = Vec::new();
        loop {
            if self.peek() == &Tok::RBrace && set.is_empty() {
                return Err(FilterError::new(
                    "a set needs at least one member",
                    self.span(),
                ));
            }
            let lo = self.operand()?;
            if self.peek() == &Tok::DotDot {
                self.bump();
                let hi = self.operand()?;
                set.push(SetElem::Range(lo, hi));
            } else {
                set.push(SetElem::One(lo));
            }
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RBrace => break,
                Tok::Eof => {
                    return Err(FilterError::new(
                        "unbalanced braces: \"{\" is not closed",
                        open,
                    ))
                }
                _ => return Err(self.unexpected()),
            }
        }
        let close = self.bump().span;
        Ok(Expr::In {
            lhs,
            set,
            span: start.to(close),
        })
    }

    fn operand(&mut self) -> Result<Operand, FilterError> {
        let mut lhs = self.term()?;
        let mut chain = 0;
        while self.peek() == &Tok::BitAnd {
            let op = self.bump().span;
            if matches!(self.peek(), Tok::Eof | Tok::RParen) {
                return Err(self.missing_after(op));
            }
            chain += 1;
            if chain > 16 {
                return Err(too_deep(op));
            }
            let rhs = self.term()?;
            let span = lhs.span().to(rhs.span());
            lhs = Operand::BitAnd {
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                span,
            };
        }
        Ok(lhs)
    }

    fn term(&mut self) -> Result<Operand, FilterError> {
        if !matches!(self.peek(), Tok::Word(_) | Tok::Str(..)) {
            return Err(self.unexpected());
        }
        let t = self.bump();
        let mut op = match t.tok {
            Tok::Word(w) if self.peek() == &Tok::LParen && FUNCTIONS.contains(&w.as_str()) => {
                let open = self.bump().span;
                self.enter(open)?;
                let mut args = Vec::new();
                if self.peek() != &Tok::RParen {
                    loop {
                        args.push(self.operand()?);
                        if self.peek() == &Tok::Comma {
                            self.bump();
                            continue;
                        }
                        break;
                    }
                }
                if self.peek() != &Tok::RParen {
                    if self.peek() == &Tok::Eof {
                        return Err(FilterError::new(
                            "unbalanced parentheses: \"(\" is not closed",
                            t.span,
                        ));
                    }
                    return Err(self.unexpected());
                }
                let close = self.bump().span;
                self.nest -= 1;
                Operand::Call {
                    func: w,
                    args,
                    span: t.span.to(close),
                }
            }
            Tok::Word(w) if self.peek() == &Tok::LParen => {
                return Err(FilterError::new(format!("unknown function {w}()"), t.span));
            }
            Tok::Word(w) if self.peek() == &Tok::Hash => {
                let hash = self.bump().span;
                let field = Operand::Field {
                    name: w,
                    span: t.span,
                };
                let next = self.bump();
                let ranges = match next.tok {
                    Tok::Slice(text, at) => parse_ranges(&text, at)?,
                    Tok::Word(n) if n.chars().all(|c| c.is_ascii_digit()) => {
                        vec![SliceRange::Single(parse_int(&n, next.span.start)?)]
                    }
                    _ => {
                        return Err(FilterError::new(
                            "expected a layer number or \"[\" after \"#\"",
                            hash,
                        ))
                    }
                };
                Operand::Layer {
                    base: Box::new(field),
                    ranges,
                    span: t.span.to(next.span),
                }
            }
            Tok::Word(w) => Operand::Field {
                name: w,
                span: t.span,
            },
            Tok::Str(text, kind) => Operand::Literal {
                text,
                kind,
                span: t.span,
            },
            _ => return Err(self.unexpected()),
        };
        let mut slices = 0;
        while let Tok::Slice(text, at) = self.peek().clone() {
            let span = self.bump().span;
            slices += 1;
            if slices > 8 {
                return Err(too_deep(span));
            }
            let ranges = parse_ranges(&text, at)?;
            let span = op.span().to(span);
            op = Operand::Slice {
                base: Box::new(op),
                ranges,
                span,
            };
        }
        Ok(op)
    }
}

fn parse_int(s: &str, at: usize) -> Result<i64, FilterError> {
    s.trim().parse::<i64>().map_err(|_| {
        FilterError::new(
            format!("\"{}\" is not a valid slice offset or length", s.trim()),
            Span::new(at, at + s.len()),
        )
    })
}

/// Parse the inside of `[...]`, which starts at byte `at` of the filter.
fn parse_ranges(text: &str, at: usize) -> Result<Vec<SliceRange>, FilterError> {
    let mut out = Vec::new();
    let mut off = 0;
    for part in text.split(',') {
        let p_at = at + off;
        off += part.len() + 1;
        let t = part.trim();
        let r = if let Some((a, b)) = t.split_once(':') {
            let a = if a.trim().is_empty() {
                0
            } else {
                parse_int(a, p_at)?
            };
            if b.trim().is_empty() {
                SliceRange::From(a)
            } else {
                let len = parse_int(b, p_at)?;
                if len <= 0 {
                    return Err(FilterError::new(
                        "a slice length must be positive",
                        Span::new(p_at, p_at + part.len()),
                    ));
                }
                SliceRange::StartLen(a, len)
            }
        } else if let Some(dash) = t.get(1..).and_then(|r| r.find('-')) {
            let (a, b) = t.split_at(dash + 1);
            SliceRange::StartEnd(parse_int(a, p_at)?, parse_int(&b[1..], p_at)?)
        } else {
            if t.is_empty() {
                return Err(FilterError::new(
                    "empty slice range",
                    Span::new(p_at, p_at + part.len().max(1)),
                ));
            }
            SliceRange::Single(parse_int(t, p_at)?)
        };
        out.push(r);
    }
    Ok(out)
}
