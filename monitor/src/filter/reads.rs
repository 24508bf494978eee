//! Which fields a filter reads: a consumer that evaluates only some filters
//! can have the dissectors compute only those fields
//! ([`crate::dissect::Pipeline::only_fields`]).

use super::check::{Node, Val};
use crate::dissect::{FieldDef, FieldType};

/// The fields whose occurrences or values `node` reads, or `None` when it
/// reads the bytes of a protocol layer (`tcp contains "GET"`, `eth[0:3]`,
/// `len(udp)`), which only a full dissection carries. Protocol layers are
/// always dissected, so testing for one (`tcp`, `ip#2`) or counting them
/// (`count(ip)`) adds nothing to the list.
pub fn fields(node: &Node) -> Option<Vec<&'static FieldDef>> {
    let mut out = Vec::new();
    node_fields(node, &mut out)?;
    out.sort_by_key(|d| *d as *const FieldDef);
    out.dedup_by_key(|d| *d as *const FieldDef);
    Some(out)
}

fn node_fields(node: &Node, out: &mut Vec<&'static FieldDef>) -> Option<()> {
    match node {
        Node::And(xs) | Node::Or(xs) => xs.iter().try_for_each(|x| node_fields(x, out)),
        Node::Xor(a, b) => {
            node_fields(a, out)?;
            node_fields(b, out)
        }
        Node::Not(a) => node_fields(a, out),
        Node::Exists(v) => present(v, out).map_or_else(|| val_fields(v, out), Some),
        Node::Cmp { lhs, rhs, .. } => {
            val_fields(lhs, out)?;
            val_fields(rhs, out)
        }
        Node::In { lhs, .. } | Node::Matches { lhs, .. } => val_fields(lhs, out),
    }
}

/// A field or layer whose presence alone is read (`Some`), else `None`.
fn present(v: &Val, out: &mut Vec<&'static FieldDef>) -> Option<()> {
    match v {
        Val::Field(def) | Val::Layer(def, _) => {
            if def.ty != FieldType::Protocol {
                out.push(def);
            }
            Some(())
        }
        _ => None,
    }
}

/// The fields whose values `v` reads; `None` for a protocol's bytes.
fn val_fields(v: &Val, out: &mut Vec<&'static FieldDef>) -> Option<()> {
    match v {
        Val::Field(def) | Val::Layer(def, _) => {
            if def.ty == FieldType::Protocol {
                return None;
            }
            out.push(def);
            Some(())
        }
        Val::Const(_) => Some(()),
        Val::Call(super::check::Func::Count, base) => {
            // Occurrences only (of anything else: no value at all).
            let _ = present(base, out);
            Some(())
        }
        Val::Slice(base, _) | Val::Call(_, base) | Val::BitAnd(base, _) => val_fields(base, out),
        Val::Extreme { args, .. } => args.iter().try_for_each(|a| val_fields(a, out)),
    }
}

#[cfg(test)]
mod tests {
    fn reads(expr: &str) -> Option<Vec<&'static str>> {
        let f = crate::filter::compile(expr).unwrap();
        let mut names: Vec<_> = f.reads()?.into_iter().map(|d| d.name).collect();
        names.sort_unstable();
        names.dedup();
        Some(names)
    }

    #[test]
    fn fields_read_by_value_and_by_presence() {
        assert_eq!(reads("tcp.port == 80"), Some(vec!["tcp.port"]));
        assert_eq!(
            reads("tcp.srcport == 1 || !(udp.length > 8 && http.request)"),
            Some(vec!["http.request", "tcp.srcport", "udp.length"])
        );
        assert_eq!(
            reads("tcp.payload[0:3] == 47:45:54"),
            Some(vec!["tcp.payload"])
        );
        assert_eq!(reads("ip.ttl#2 < 10"), Some(vec!["ip.ttl"]));
        assert_eq!(reads("len(dns.qry.name) > 40"), Some(vec!["dns.qry.name"]));
        assert_eq!(
            reads("max(tcp.srcport, udp.srcport) > 1024"),
            Some(vec!["tcp.srcport", "udp.srcport"])
        );
        // Protocol layers are always there: their presence reads nothing.
        assert_eq!(reads("tcp"), Some(vec![]));
        assert_eq!(reads("ip#2 && count(ip) == 2"), Some(vec![]));
        assert_eq!(
            reads("count(tcp.options.sack_le) > 1"),
            Some(vec!["tcp.options.sack_le"])
        );
    }

    #[test]
    fn a_protocols_bytes_need_the_full_dissection() {
        for expr in [
            "tcp contains \"GET\"",
            "eth[0:3] == 00:05:5d",
            "len(udp) > 100",
            "tcp.port == 80 && frame matches \"x\"",
            "ip[0] & 0x0f",
        ] {
            assert_eq!(reads(expr), None, "{expr}");
        }
    }
}
