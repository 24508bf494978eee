//! The Echo protocol (RFC 862, `echo`) on UDP port 7: the payload, and
//! whether it is the request (to port 7) or the echoed response.

use super::protocol::{Protocol, Udp};
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// Echo on UDP port 7.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "echo",
    fields: FIELDS,
    udp: Some(Udp {
        ports: &[PORT],
        dissect: |call, p, d| dissect(p, call.ep.dst_port, d),
        heuristic: None,
    }),
    ..Protocol::NONE
};

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

    use crate::dissect::field::Base;

    fields! {
        P_ECHO = "echo", Protocol, Base::Dec, "Echo";
        F_ECHO_DATA = "echo.data", Bytes, Base::Dec, "Echo data";
        F_ECHO_REQUEST = "echo.request", Bool, Base::Dec, "Echo request";
        F_ECHO_RESPONSE = "echo.response", Bool, Base::Dec, "Echo response";
    }
}
