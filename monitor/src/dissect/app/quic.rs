//! QUIC stub.
use crate::dissect::{Dissection, FieldDef};
pub static FIELDS: &[&FieldDef] = &[];
pub fn dissect(_p: &[u8], _d: &mut Dissection) -> bool {
    false
}
pub fn heuristic(_p: &[u8]) -> bool {
    false
}
