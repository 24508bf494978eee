//! Protocol dissectors: bytes and a timestamp in, a [`Dissection`] out.
//!
//! No I/O happens here; state that spans packets (reassembly, TCP
//! conversations) lives in a value the caller owns and passes in.

pub mod app;
pub mod field;

pub use field::{Base, Dissection, Field, FieldDef, FieldType, Value};

/// Field tables of the link, network and transport dissectors.
static CORE_TABLES: &[&[&FieldDef]] = &[];

/// Every field any dissector can produce, in one table.
pub fn registry() -> impl Iterator<Item = &'static FieldDef> {
    CORE_TABLES
        .iter()
        .chain(app::TABLES.iter())
        .chain(std::iter::once(&crate::tcp_analysis::FIELDS))
        .flat_map(|t| t.iter().copied())
}

/// Look a field up by its display-filter name.
pub fn lookup(name: &str) -> Option<&'static FieldDef> {
    registry().find(|f| f.name == name)
}
