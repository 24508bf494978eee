//! Protocol dissectors: bytes and a timestamp in, a [`Dissection`] out.
//!
//! No I/O happens here; state that spans packets (reassembly, TCP
//! conversations) lives in a value the caller owns and passes in.

#[macro_use]
mod macros;

pub mod app;
pub mod arp;
pub mod cdp;
pub mod data;
pub mod eth;
pub mod ethertype_names;
pub mod field;
pub mod format;
pub mod frame;
pub mod icmp;
pub mod icmpv6;
pub mod ipv4;
pub mod ipv6;
pub mod link;
pub mod names;
pub mod pipeline;
pub mod reassembly;
pub mod stp;
pub mod summary;
pub mod tcp;
pub mod tcp_verdict;
#[cfg(test)]
mod tests;
pub mod udp;

pub use field::{Base, Dissection, Field, FieldDef, FieldType, Layer, Value};
pub use pipeline::Pipeline;

/// A hash map keyed by what packets carry (addresses, ports, stream
/// indexes): foldhash with a random seed per process, several times
/// cheaper than SipHash on these small keys and still not predictable
/// from outside.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Field tables of the link, network and transport dissectors.
static CORE_TABLES: &[&[&FieldDef]] = &[
    frame::FIELDS,
    eth::FIELDS,
    arp::FIELDS,
    stp::FIELDS,
    cdp::FIELDS,
    ipv4::FIELDS,
    ipv6::FIELDS,
    link::FIELDS,
    icmp::FIELDS,
    icmpv6::FIELDS,
    udp::FIELDS,
    tcp::FIELDS,
    data::FIELDS,
    pipeline::FIELDS,
];

/// Fields of the link, network and transport dissectors (this module's own).
pub fn core_fields() -> impl Iterator<Item = &'static FieldDef> {
    CORE_TABLES.iter().flat_map(|t| t.iter().copied())
}

/// Every field any dissector can produce, in one table.
pub fn registry() -> impl Iterator<Item = &'static FieldDef> {
    CORE_TABLES
        .iter()
        .copied()
        .chain(app::tables())
        .chain(std::iter::once(tcp_verdict::FIELDS))
        .flat_map(|t| t.iter().copied())
}

/// Look a field up by its display-filter name.
pub fn lookup(name: &str) -> Option<&'static FieldDef> {
    registry().find(|f| f.name == name)
}
