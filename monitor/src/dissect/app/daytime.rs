//! The Daytime protocol (RFC 867, `daytime`) on UDP port 13, as tshark's
//! packet-daytime.c shows it: whether the datagram is the request (not
//! from port 13) or the response, and the response's date and time text.

use super::protocol::{Mark, Protocol, Udp};
use super::util::ascii;
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// Daytime on UDP port 13.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "daytime",
    fields: FIELDS,
    marks: &[Mark::new("daytime", &P_DAYTIME)],
    udp: Some(Udp {
        ports: &[PORT],
        dissect: |call, p, d| dissect(p, call.ep.src_port, d),
        heuristic: None,
    }),
    ..Protocol::NONE
};

/// The Daytime protocol's port.
const PORT: u16 = 13;

/// Dissect a Daytime datagram sent from `src_port`: the server answers
/// from port 13 with the text, anything else is a request.
pub fn dissect(p: &[u8], src_port: u16, d: &mut Dissection) -> bool {
    let response = src_port == PORT;
    d.protocol = "DAYTIME".into();
    d.info = format!("DAYTIME {}", if response { "Response" } else { "Request" });
    d.push(&F_DAYTIME_RESPONSE_REQUEST, Value::Bool(response));
    if response {
        d.push(&F_DAYTIME_STRING, Value::Str(ascii(p)));
    }
    true
}

mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_DAYTIME = "daytime", Protocol, Base::Dec, "Daytime Protocol";
        F_DAYTIME_STRING = "daytime.string", String, Base::Dec, "Daytime";
        F_DAYTIME_RESPONSE_REQUEST = "daytime.response_request", Bool, Base::Dec, "Type";
    }
}
