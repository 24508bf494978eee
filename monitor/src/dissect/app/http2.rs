//! HTTP/2 stub.
use super::Pdu;
use crate::dissect::{Dissection, FieldDef};
pub static FIELDS: &[&FieldDef] = &[];
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#[derive(Debug, Default)]
pub struct StreamState {}
pub fn dissect(_p: &[u8], _s: &mut StreamState, _c: bool, _d: &mut Dissection) {}
pub fn pdu_len(_b: &[u8]) -> Pdu {
    Pdu::Invalid
}
