//! The Echo protocol (RFC 862, `echo`) on UDP port 7: the payload, and
//! whether it is the request (to port 7) or the echoed response.

use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// The Echo protocol's port.
pub const PORT: u16 = 7;

/// Dissect an Echo datagram sent to `dst_port`.
pub fn dissect(p: &[u8], dst_port: u16, d: &mut Dissection) -> bool {
    let request = dst_port == PORT;
    d.protocol = "ECHO".into();
    d.info = if request { "Request" } else { "Response" }.into();
    d.push(&P_ECHO, d.bytes(&P_ECHO, p));
    let flag = if request {
        &F_ECHO_REQUEST
    } else {
        &F_ECHO_RESPONSE
    };
    d.push(flag, Value::Bool(true));
    d.push(&F_ECHO_DATA, d.bytes(&F_ECHO_DATA, p));
    true
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::{Base, FieldDef, FieldType};

    pub static P_ECHO: FieldDef = FieldDef::new("echo", FieldType::Protocol, Base::Dec, "Echo");
    pub static F_ECHO_DATA: FieldDef = FieldDef::new("echo.data", FieldType::Bytes, Base::Dec, "Echo data");
    pub static F_ECHO_REQUEST: FieldDef = FieldDef::new("echo.request", FieldType::Bool, Base::Dec, "Echo request");
    pub static F_ECHO_RESPONSE: FieldDef = FieldDef::new("echo.response", FieldType::Bool, Base::Dec, "Echo response");

    /// Every field of this dissector.
    pub static FIELDS: &[&FieldDef] = &[&P_ECHO, &F_ECHO_DATA, &F_ECHO_REQUEST, &F_ECHO_RESPONSE];
}
