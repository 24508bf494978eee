//! Round trip: parse(print(tree)) == tree for generated trees, and
//! print(parse(text)) is a fixed point.

use super::super::ast::{CmpOp, Expr, LitKind, LogicOp, Operand, Quant, SetElem, SliceRange, Span};
use super::super::{parse, print};
use proptest::prelude::*;

fn sp() -> Span {
    Span::default()
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "tcp",
            "tcp.port",
            "ip.src",
            "eth.dst",
            "http.host",
            "frame",
            "a_b",
            "x1",
            "80",
            "0x1f",
            "-5",
            "10.0.0.0/8",
            "aa:bb:cc",
            "fe80::1",
            "ff-ee",
            "1.5",
            "GET",
            "true",
        ])
        .prop_map(str::to_string),
        "[a-z][a-z0-9_]{0,6}(\\.[a-z][a-z0-9_]{0,5}){0,2}".prop_filter("keyword", |w| {
            !matches!(
                w.as_str(),
                "and"
                    | "or"
                    | "xor"
                    | "not"
                    | "eq"
                    | "ne"
                    | "gt"
                    | "lt"
                    | "ge"
                    | "le"
                    | "in"
                    | "any"
                    | "all"
                    | "contains"
                    | "matches"
                    | "bitand"
                    | "any_eq"
                    | "all_ne"
                    | "all_eq"
                    | "any_ne"
            )
        }),
    ]
}

fn literal() -> impl Strategy<Value = Operand> {
    prop_oneof![
        "[ -~\\t\\n\\r\\x01é€]{0,8}".prop_map(|text| Operand::Literal {
            text,
            kind: LitKind::Str,
            span: sp()
        }),
        "[ !#-\\[\\]-~]{0,8}".prop_map(|text| Operand::Literal {
            text,
            kind: LitKind::RawStr,
            span: sp()
        }),
        "[ -~\\t\\x01]".prop_map(|text| Operand::Literal {
            text,
            kind: LitKind::Char,
            span: sp()
        }),
    ]
}

fn range() -> impl Strategy<Value = SliceRange> {
    prop_oneof![
        (-20i64..20, 1i64..10).prop_map(|(a, b)| SliceRange::StartLen(a, b)),
        (-20i64..20, -20i64..20).prop_map(|(a, b)| SliceRange::StartEnd(a, b)),
        (-20i64..20).prop_map(SliceRange::Single),
        (-20i64..20).prop_map(SliceRange::From),
    ]
}

/// Operands that are not `&` chains (what a slice base or `&` mask can be).
fn term() -> impl Strategy<Value = Operand> {
    let leaf = prop_oneof![
        3 => word().prop_map(|name| Operand::Field { name, span: sp() }),
        1 => literal(),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (
                prop_oneof![
                    word().prop_map(|name| Operand::Field { name, span: sp() }),
                    (prop::sample::select(vec!["len", "lower"]), word()).prop_map(|(f, w)| {
                        Operand::Call {
                            func: f.to_string(),
                            args: vec![Operand::Field {
                                name: w,
                                span: sp(),
                            }],
                            span: sp(),
                        }
                    }),
                ],
                prop::collection::vec(range(), 1..3)
            )
                .prop_map(|(base, ranges)| Operand::Slice {
                    base: Box::new(base),
                    ranges,
                    span: sp()
                }),
            (word(), prop::collection::vec(range(), 1..3)).prop_map(|(name, ranges)| {
                Operand::Layer {
                    base: Box::new(Operand::Field { name, span: sp() }),
                    ranges,
                    span: sp(),
                }
            }),
            (
                prop::sample::select(vec!["len", "count", "lower", "upper"]),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(f, args)| Operand::Call {
                    func: f.to_string(),
                    args,
                    span: sp()
                }),
        ]
    })
}

fn operand() -> impl Strategy<Value = Operand> {
    (term(), prop::collection::vec(term(), 0..3)).prop_map(|(first, masks)| {
        masks.into_iter().fold(first, |acc, m| Operand::BitAnd {
            lhs: Box::new(acc),
            rhs: Box::new(m),
            span: sp(),
        })
    })
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::AllEq,
        CmpOp::AnyNe,
        CmpOp::Gt,
        CmpOp::Lt,
        CmpOp::Ge,
        CmpOp::Le,
        CmpOp::Contains,
        CmpOp::Matches,
    ])
}

fn atom() -> impl Strategy<Value = Expr> {
    prop_oneof![
        operand().prop_map(|operand| Expr::Test { operand }),
        (
            prop::option::of(prop::sample::select(vec![Quant::Any, Quant::All])),
            operand(),
            cmp_op(),
            operand()
        )
            .prop_map(|(quant, lhs, op, rhs)| Expr::Compare {
                quant,
                lhs,
                op,
                rhs,
                span: sp()
            }),
        (
            operand(),
            prop::collection::vec(
                prop_oneof![
                    operand().prop_map(SetElem::One),
                    (operand(), operand()).prop_map(|(a, b)| SetElem::Range(a, b)),
                ],
                1..4
            )
        )
            .prop_map(|(lhs, set)| Expr::In {
                lhs,
                set,
                span: sp()
            }),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    atom().prop_recursive(6, 48, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not {
                inner: Box::new(e),
                span: sp()
            }),
            (
                prop::sample::select(vec![LogicOp::And, LogicOp::Or, LogicOp::Xor]),
                inner.clone(),
                inner
            )
                .prop_map(|(op, l, r)| Expr::Logic {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                    span: sp()
                }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_print_parse_is_identity(tree in expr()) {
        let text = print::print(&tree);
        let back = parse::parse(&text);
        prop_assert!(back.is_ok(), "{text}: {}", back.as_ref().err().map(|e| e.render(&text)).unwrap_or_default());
        let back = back.unwrap();
        prop_assert_eq!(&back, &tree, "{}", text);
        prop_assert_eq!(print::print(&back), text);
    }

    #[test]
    fn parser_never_panics(text in "[ -~]{0,40}") {
        if let Ok(e) = parse::parse(&text) {
            let printed = print::print(&e);
            let again = parse::parse(&printed);
            prop_assert!(again.is_ok(), "{printed}");
            prop_assert_eq!(again.unwrap(), e);
        }
    }

    #[test]
    fn spans_lie_inside_the_input(text in "[ -~]{0,40}") {
        if let Err(e) = parse::parse(&text) {
            if let Some(span) = e.span {
                prop_assert!(span.start <= span.end && span.end <= text.len() + 1, "{:?}", span);
            }
        }
    }
}

#[test]
fn spans_point_at_the_text() {
    let text = "tcp.port == 80 and not ip.src in {1.2.3.4, 5.6.7.8..5.6.7.9}";
    let e = parse::parse(text).unwrap();
    let Expr::Logic { lhs, rhs, span, .. } = &e else {
        panic!()
    };
    assert_eq!((span.start, span.end), (0, text.len()));
    assert_eq!(&text[lhs.span().start..lhs.span().end], "tcp.port == 80");
    assert_eq!(
        &text[rhs.span().start..rhs.span().end],
        "not ip.src in {1.2.3.4, 5.6.7.8..5.6.7.9}"
    );
}
