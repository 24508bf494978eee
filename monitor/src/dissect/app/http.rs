//! HTTP stub.
use super::{Pdu, TcpProto};
use crate::dissect::{Dissection, FieldDef};
pub static FIELDS: &[&FieldDef] = &[];
#[derive(Debug, Default)]
pub struct StreamState {}
pub fn dissect(_p: &[u8], _s: &mut StreamState, _c: bool, _d: &mut Dissection) -> Option<TcpProto> {
    None
}
pub fn pdu_len(_b: &[u8], _s: &StreamState, _c: bool) -> Pdu {
    Pdu::Invalid
}
