//! `data`: payload bytes no dissector claimed (`data.data`, `data.len`).

use super::pipeline::{Cx, Pipeline};
use super::{Base, Dissection, Value};

/// Show `b` as data inside an application protocol (tshark's application
/// dissectors hand bytes they cannot place to the data dissector).
pub(crate) fn push(d: &mut Dissection, b: &[u8]) {
    if b.is_empty() {
        return;
    }
    d.push(&DATA, d.bytes(&DATA, b));
    d.push(&DATA_DATA, d.bytes(&DATA_DATA, b));
    d.push(&DATA_LEN, Value::Int(b.len() as i64));
}

/// [`push`] for a payload of `len` bytes of which `b` holds the first
/// (a body followed, not held: see `app::Bodies`).
pub(crate) fn push_sized(d: &mut Dissection, b: &[u8], len: usize) {
    if len == 0 {
        return;
    }
    d.push(&DATA, d.bytes(&DATA, b));
    d.push(&DATA_DATA, d.bytes(&DATA_DATA, b));
    d.push(&DATA_LEN, Value::Int(len as i64));
}

fields! {
    DATA = "data", Protocol, Base::Dec, "Data";
    DATA_DATA = "data.data", Bytes, Base::Dec, "Data";
    DATA_LEN = "data.len", Int, Base::Dec, "Length";
}

impl Pipeline {
    /// Show `b` as undissected data (nothing when empty).
    pub(crate) fn data(&mut self, cx: &mut Cx<'_>, b: &[u8]) {
        self.data_named(cx, b, None);
    }

    /// Like [`Pipeline::data`], but under the name of a protocol this
    /// program does not dissect (kept in `frame.protocols` and the
    /// Protocol column as tshark shows it).
    pub(crate) fn data_named(&mut self, cx: &mut Cx<'_>, b: &[u8], proto: Option<&'static str>) {
        if let Some(p) = proto {
            cx.protos.push(p);
            cx.d.protocol = p.to_ascii_uppercase();
            return;
        }
        if b.is_empty() {
            return;
        }
        cx.proto(&DATA, "data");
        cx.d.push(&DATA_DATA, cx.d.bytes(&DATA_DATA, b));
        cx.d.push(&DATA_LEN, Value::Int(b.len() as i64));
    }
}
