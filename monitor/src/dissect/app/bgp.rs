//! BGP stub.
use super::Pdu;
use crate::dissect::{Dissection, FieldDef};
pub static FIELDS: &[&FieldDef] = &[];
pub fn dissect(_p: &[u8], _d: &mut Dissection) {}
pub fn pdu_len(_b: &[u8]) -> Pdu {
    Pdu::Invalid
}
