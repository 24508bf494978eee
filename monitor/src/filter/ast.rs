//! The untyped syntax tree of a display filter, as the parser produces it.
//!
//! Every node carries the byte [`Span`] of the text it came from so errors
//! found later (type checking, literal conversion) can point at it. Spans
//! do not take part in equality: two trees are equal when they have the
//! same shape and the same text, wherever that text sat in the input.

use std::fmt;

/// A byte range `start..end` in the filter text.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

/// Binary logical operators, lowest precedence first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicOp {
    /// `or`, `||`.
    Or,
    /// `xor`, `^^`.
    Xor,
    /// `and`, `&&`.
    And,
}

/// Relational operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`, `eq`, `any_eq`: some value equal.
    Eq,
    /// `!=`, `ne`, `all_ne`: every value different.
    Ne,
    /// `===`, `all_eq`: every value equal.
    AllEq,
    /// `!==`, `any_ne`: some value different.
    AnyNe,
    /// `>`, `gt`.
    Gt,
    /// `<`, `lt`.
    Lt,
    /// `>=`, `ge`.
    Ge,
    /// `<=`, `le`.
    Le,
    /// `contains`.
    Contains,
    /// `matches`, `~`.
    Matches,
}

impl CmpOp {
    /// The canonical spelling the printer uses.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::AllEq => "===",
            CmpOp::AnyNe => "!==",
            CmpOp::Gt => ">",
            CmpOp::Lt => "<",
            CmpOp::Ge => ">=",
            CmpOp::Le => "<=",
            CmpOp::Contains => "contains",
            CmpOp::Matches => "matches",
        }
    }
}

/// The `any` / `all` prefix of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quant {
    /// `any`.
    Any,
    /// `all`.
    All,
}

/// How a literal was written; decides how it may be converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LitKind {
    /// A double-quoted string; the text is already unescaped.
    Str,
    /// A raw string `r"…"`; the text is verbatim.
    RawStr,
    /// A character constant `'x'`; the text is the character's value.
    Char,
}

/// One range of a slice, in the notation it was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SliceRange {
    /// `[i:j]`: start and length.
    StartLen(i64, i64),
    /// `[i-j]`: start and inclusive end.
    StartEnd(i64, i64),
    /// `[i]`: one element.
    Single(i64),
    /// `[i:]`: from start to the end.
    From(i64),
}

impl fmt::Display for SliceRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SliceRange::StartLen(s, l) => write!(f, "{s}:{l}"),
            SliceRange::StartEnd(s, e) => write!(f, "{s}-{e}"),
            SliceRange::Single(s) => write!(f, "{s}"),
            SliceRange::From(s) => write!(f, "{s}:"),
        }
    }
}

/// Something that produces values: a field, a literal, a slice, a call.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A bare word: a field or protocol name, or an unquoted literal
    /// (`80`, `10.0.0.0/8`, `aa:bb`, `GET`) whose meaning the type checker
    /// derives from the other side of the comparison.
    Field {
        /// The name as written.
        name: String,
        /// Where.
        span: Span,
    },
    /// A literal.
    Literal {
        /// The text (unescaped for strings).
        text: String,
        /// How it was written.
        kind: LitKind,
        /// Where.
        span: Span,
    },
    /// `base[ranges]`.
    Slice {
        /// What is sliced.
        base: Box<Operand>,
        /// The ranges, concatenated.
        ranges: Vec<SliceRange>,
        /// Where.
        span: Span,
    },
    /// `field#layer` / `field#[ranges]`: occurrences in the given layers
    /// (1 = the first occurrence of the field's protocol).
    Layer {
        /// The field (an [`Operand::Field`]).
        base: Box<Operand>,
        /// Layer numbers, in slice notation.
        ranges: Vec<SliceRange>,
        /// Where.
        span: Span,
    },
    /// `func(args)`.
    Call {
        /// Function name, lower case.
        func: String,
        /// Arguments.
        args: Vec<Operand>,
        /// Where.
        span: Span,
    },
    /// `lhs & rhs`.
    BitAnd {
        /// Left side.
        lhs: Box<Operand>,
        /// Mask.
        rhs: Box<Operand>,
        /// Where.
        span: Span,
    },
}

impl Operand {
    /// Where this operand was written.
    pub fn span(&self) -> Span {
        match self {
            Operand::Field { span, .. }
            | Operand::Literal { span, .. }
            | Operand::Slice { span, .. }
            | Operand::Layer { span, .. }
            | Operand::Call { span, .. }
            | Operand::BitAnd { span, .. } => *span,
        }
    }
}

/// One member of an `in {…}` set.
#[derive(Clone, Debug, PartialEq)]
pub enum SetElem {
    /// A single value.
    One(Operand),
    /// `lo..hi`, inclusive.
    Range(Operand, Operand),
}

/// A filter expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `lhs op rhs` for `and`, `or`, `xor`.
    Logic {
        /// Operator.
        op: LogicOp,
        /// Left.
        lhs: Box<Expr>,
        /// Right.
        rhs: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `not e`.
    Not {
        /// Negated expression.
        inner: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// A bare operand used as a test: existence of a field, or a non-zero
    /// `a & b`.
    Test {
        /// The operand.
        operand: Operand,
    },
    /// `[any|all] lhs op rhs`.
    Compare {
        /// `any`/`all` prefix.
        quant: Option<Quant>,
        /// Left side.
        lhs: Operand,
        /// Operator.
        op: CmpOp,
        /// Right side.
        rhs: Operand,
        /// Where.
        span: Span,
    },
    /// `lhs in {set}`.
    In {
        /// Tested operand.
        lhs: Operand,
        /// Members.
        set: Vec<SetElem>,
        /// Where.
        span: Span,
    },
}

impl Expr {
    /// Where this expression was written.
    pub fn span(&self) -> Span {
        match self {
            Expr::Logic { span, .. }
            | Expr::Not { span, .. }
            | Expr::Compare { span, .. }
            | Expr::In { span, .. } => *span,
            Expr::Test { operand } => operand.span(),
        }
    }

    /// A chain `a op b op c …` of one logic operator (parsed left-leaning:
    /// `(a op b) op c`) as its leftmost operand and the others, left to
    /// right; found without recursion, so a long chain cannot exhaust the
    /// stack. Anything else is its own leftmost operand.
    pub fn logic_chain(&self) -> (&Expr, Vec<&Expr>) {
        let Expr::Logic { op, .. } = self else {
            return (self, Vec::new());
        };
        let mut rights = Vec::new();
        let mut cur = self;
        while let Expr::Logic {
            op: o, lhs, rhs, ..
        } = cur
        {
            if o != op {
                break;
            }
            rights.push(&**rhs);
            cur = &**lhs;
        }
        rights.reverse();
        (cur, rights)
    }
}
