//! Exact user-space evaluation of a typed filter over a [`Dissection`],
//! with tshark 4.0's rules for fields that occur several times or not at
//! all: a comparison needs at least one value on each side; `==` holds if
//! some value is equal, `!=` if every value differs (so an absent field
//! satisfies neither), `===` / `all` need every value, `!==` / `any` some.

use super::ast::SliceRange;
use super::check::{Dyn, Func, Node, Rel, Val};
use crate::dissect::{Dissection, Value};
use std::cmp::Ordering;

/// Evaluate a typed filter.
pub fn eval(node: &Node, d: &Dissection) -> bool {
    match node {
        Node::And(xs) => xs.iter().all(|x| eval(x, d)),
        Node::Or(xs) => xs.iter().any(|x| eval(x, d)),
        Node::Xor(a, b) => eval(a, d) != eval(b, d),
        Node::Not(a) => !eval(a, d),
        Node::Exists(v) => match v {
            Val::Field(def) => d.has(def.name),
            Val::Layer(def, ranges) => !in_layers(d, def.name, ranges).is_empty(),
            Val::BitAnd(..) => values(v, d).iter().any(|x| match x {
                Dyn::Int(i) => *i != 0,
                Dyn::Bytes(b) => b.iter().any(|&x| x != 0),
                _ => false,
            }),
            // A slice "exists" when it selected at least one byte.
            Val::Slice(..) => values(v, d)
                .iter()
                .any(|x| !matches!(x, Dyn::Bytes(b) if b.is_empty())),
            _ => !values(v, d).is_empty(),
        },
        Node::Cmp { all, rel, lhs, rhs } => {
            let l = values(lhs, d);
            if l.is_empty() {
                return false;
            }
            let r = values(rhs, d);
            if r.is_empty() {
                return false;
            }
            let pair = |a: &Dyn| r.iter().any(|b| relate(a, *rel, b));
            if *all {
                l.iter().all(|a| r.iter().all(|b| relate(a, *rel, b)))
            } else {
                l.iter().any(pair)
            }
        }
        Node::In { lhs, set } => values(lhs, d).iter().any(|a| {
            set.iter().any(|(lo, hi)| {
                if lo == hi {
                    relate(a, Rel::Eq, lo)
                } else {
                    relate(a, Rel::Ge, lo) && relate(a, Rel::Le, hi)
                }
            })
        }),
        Node::Matches { all, lhs, re } => {
            let l = values(lhs, d);
            let hit = |v: &Dyn| match v {
                Dyn::Str(s) => re.is_match(s.as_bytes()),
                Dyn::Bytes(b) => re.is_match(b),
                _ => false,
            };
            if *all {
                !l.is_empty() && l.iter().all(hit)
            } else {
                l.iter().any(hit)
            }
        }
    }
}

/// Whether layer `n` (1-based) is selected by the ranges.
fn layer_selected(n: i64, ranges: &[SliceRange]) -> bool {
    ranges.iter().any(|r| match *r {
        SliceRange::Single(a) => n == a,
        SliceRange::StartEnd(a, b) => a <= n && n <= b,
        SliceRange::StartLen(a, l) => a <= n && n < a + l,
        SliceRange::From(a) => a <= n,
    })
}

/// The occurrences of field `name` that lie in the selected layers of its
/// protocol (the part of the name before the first dot). A field's layer is
/// the number of occurrences of its protocol up to and including it, in
/// tree order.
fn in_layers<'a>(d: &'a Dissection, name: &str, ranges: &[SliceRange]) -> Vec<&'a Value> {
    let proto = name.split('.').next().unwrap_or(name);
    let mut layer = 0i64;
    let mut out = Vec::new();
    for f in &d.fields {
        if f.def.ty == crate::dissect::FieldType::Layer {
            continue;
        }
        if f.def.name == proto {
            layer += 1;
        }
        if f.def.name == name && layer_selected(layer, ranges) {
            out.push(&f.value);
        }
    }
    out
}

/// Convert a dissected value to the comparison form.
pub fn to_dyn(v: &Value) -> Option<Dyn> {
    Some(match v {
        Value::None => return None,
        Value::Bool(b) => Dyn::Int(i128::from(*b)),
        Value::UInt(u) => Dyn::Int(i128::from(*u)),
        Value::Int(i) => Dyn::Int(i128::from(*i)),
        Value::Float(f) => Dyn::Float(*f),
        Value::Bytes(b) => Dyn::Bytes(b.clone()),
        Value::Str(s) => Dyn::Str(s.clone()),
        Value::Ipv4(a) => Dyn::Ipv4(u32::from(*a), 32),
        Value::Ipv6(a) => Dyn::Ipv6(u128::from(*a), 128),
        Value::Ether(e) => Dyn::Ether(*e),
    })
}

fn as_bytes(v: &Dyn) -> Option<Vec<u8>> {
    Some(match v {
        Dyn::Bytes(b) => b.clone(),
        Dyn::Str(s) => s.as_bytes().to_vec(),
        Dyn::Ether(e) => e.to_vec(),
        Dyn::Ipv4(a, _) => a.to_be_bytes().to_vec(),
        Dyn::Ipv6(a, _) => a.to_be_bytes().to_vec(),
        _ => return None,
    })
}

/// Resolve a slice range against a length: `Some(start..end)` when it
/// lies inside the value (tshark drops ranges that do not).
pub fn resolve_range(r: SliceRange, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let abs = |i: i64| if i < 0 { len + i } else { i };
    let (s, e) = match r {
        SliceRange::StartLen(s, l) => (abs(s), abs(s) + l),
        SliceRange::StartEnd(s, e) => (abs(s), abs(e) + 1),
        SliceRange::Single(s) => (abs(s), abs(s) + 1),
        SliceRange::From(s) => (abs(s), len),
    };
    (s >= 0 && s <= e && e <= len).then_some((s as usize, e as usize))
}

/// Every value an operand produces for this packet.
pub fn values(v: &Val, d: &Dissection) -> Vec<Dyn> {
    match v {
        Val::Field(def) => d.values(def.name).filter_map(to_dyn).collect(),
        Val::Layer(def, ranges) => in_layers(d, def.name, ranges)
            .into_iter()
            .filter_map(to_dyn)
            .collect(),
        Val::Const(c) => vec![c.clone()],
        Val::Slice(base, ranges) => values(base, d)
            .iter()
            .filter_map(|x| {
                let b = as_bytes(x)?;
                // Like tshark, a range that does not fit is left out; the
                // (possibly empty) result is still a value.
                let mut out = Vec::new();
                for r in ranges {
                    if let Some((s, e)) = resolve_range(*r, b.len()) {
                        out.extend_from_slice(&b[s..e]);
                    }
                }
                Some(Dyn::Bytes(out))
            })
            .collect(),
        Val::Call(Func::Count, base) => match &**base {
            // tshark: no occurrences give no value, not 0.
            Val::Field(def) => match d.values(def.name).count() {
                0 => Vec::new(),
                n => vec![Dyn::Int(n as i128)],
            },
            Val::Layer(def, ranges) => match in_layers(d, def.name, ranges).len() {
                0 => Vec::new(),
                n => vec![Dyn::Int(n as i128)],
            },
            _ => Vec::new(),
        },
        Val::Call(Func::Len, base) => values(base, d)
            .iter()
            .filter_map(|x| as_bytes(x).map(|b| Dyn::Int(b.len() as i128)))
            .collect(),
        Val::Call(Func::Abs, base) => values(base, d)
            .into_iter()
            .map(|x| match x {
                Dyn::Int(i) => Dyn::Int(i.abs()),
                Dyn::Float(f) => Dyn::Float(f.abs()),
                other => other,
            })
            .collect(),
        Val::Extreme { max, args } => {
            let all = args.iter().flat_map(|a| values(a, d));
            let pick = |a: Dyn, b: Dyn| {
                let b_wins = if *max {
                    relate(&b, Rel::Gt, &a)
                } else {
                    relate(&b, Rel::Lt, &a)
                };
                if b_wins {
                    b
                } else {
                    a
                }
            };
            all.reduce(pick).into_iter().collect()
        }
        Val::Call(f @ (Func::Lower | Func::Upper), base) => values(base, d)
            .into_iter()
            .map(|x| match x {
                Dyn::Str(s) if *f == Func::Lower => Dyn::Str(s.to_lowercase()),
                Dyn::Str(s) => Dyn::Str(s.to_uppercase()),
                other => other,
            })
            .collect(),
        Val::BitAnd(base, mask) => values(base, d)
            .into_iter()
            .filter_map(|x| match (x, mask) {
                (Dyn::Int(a), Dyn::Int(m)) => Some(Dyn::Int(a & m)),
                (Dyn::Bytes(a), Dyn::Bytes(m)) => Some(Dyn::Bytes(
                    a.iter()
                        .zip(m.iter().chain(std::iter::repeat(&0)))
                        .map(|(x, y)| x & y)
                        .collect(),
                )),
                _ => None,
            })
            .collect(),
    }
}

fn prefix_mask32(bits: u8) -> u32 {
    if bits == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(bits))
    }
}

fn prefix_mask128(bits: u8) -> u128 {
    if bits == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(bits))
    }
}

fn ord_holds(o: Option<Ordering>, rel: Rel) -> bool {
    let Some(o) = o else { return false };
    match rel {
        Rel::Eq => o == Ordering::Equal,
        Rel::Ne => o != Ordering::Equal,
        Rel::Gt => o == Ordering::Greater,
        Rel::Lt => o == Ordering::Less,
        Rel::Ge => o != Ordering::Less,
        Rel::Le => o != Ordering::Greater,
        Rel::Contains => false,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether `a rel b` holds for one pair of values.
pub fn relate(a: &Dyn, rel: Rel, b: &Dyn) -> bool {
    if rel == Rel::Contains {
        return match (a, b) {
            (Dyn::Str(x), Dyn::Str(y)) => x.contains(y.as_str()),
            _ => match (as_bytes(a), as_bytes(b)) {
                (Some(x), Some(y)) => contains(&x, &y),
                _ => false,
            },
        };
    }
    let o = match (a, b) {
        (Dyn::Int(x), Dyn::Int(y)) => Some(x.cmp(y)),
        (Dyn::Float(x), Dyn::Float(y)) => x.partial_cmp(y),
        (Dyn::Int(x), Dyn::Float(y)) => (*x as f64).partial_cmp(y),
        (Dyn::Float(x), Dyn::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Dyn::Ipv4(x, px), Dyn::Ipv4(y, py)) => {
            let m = prefix_mask32(*px.min(py));
            Some((x & m).cmp(&(y & m)))
        }
        (Dyn::Ipv6(x, px), Dyn::Ipv6(y, py)) => {
            let m = prefix_mask128(*px.min(py));
            Some((x & m).cmp(&(y & m)))
        }
        (Dyn::Str(x), Dyn::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        _ => match (as_bytes(a), as_bytes(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => None,
        },
    };
    ord_holds(o, rel)
}
