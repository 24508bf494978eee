//! `monitor fields`: every known field, in the columns of `tshark -G
//! fields`: `P`, description, filter name for a protocol; `F`,
//! description, filter name, type, parent protocol for a field.

use std::io::Write;

use monitor::dissect::{FieldDef, FieldType};

/// The type column: tshark's `FT_*` name. Integers are listed without a
/// width (`FT_UINT`, where tshark says `FT_UINT8` … `FT_UINT64`), since
/// the registry does not keep it.
fn type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Protocol | FieldType::Layer => "FT_PROTOCOL",
        FieldType::None => "FT_NONE",
        FieldType::Bool => "FT_BOOLEAN",
        FieldType::UInt => "FT_UINT",
        FieldType::Int => "FT_INT",
        FieldType::Float => "FT_DOUBLE",
        FieldType::Bytes => "FT_BYTES",
        FieldType::String => "FT_STRING",
        FieldType::Ipv4 => "FT_IPv4",
        FieldType::Ipv6 => "FT_IPv6",
        FieldType::Ether => "FT_ETHER",
        FieldType::AbsTime => "FT_ABSOLUTE_TIME",
        FieldType::RelTime => "FT_RELATIVE_TIME",
        FieldType::FrameNum => "FT_FRAMENUM",
    }
}

/// Write the list, one line per protocol or field, in registry order.
pub fn write(defs: &[&FieldDef], out: &mut dyn Write) -> std::io::Result<()> {
    let protocols: Vec<&str> = defs
        .iter()
        .filter(|d| d.ty == FieldType::Protocol)
        .map(|d| d.name)
        .collect();
    // The longest protocol whose name and a dot start the field's.
    let parent = |name: &str| -> String {
        protocols
            .iter()
            .filter(|p| {
                name.len() > p.len() && name.starts_with(**p) && name.as_bytes()[p.len()] == b'.'
            })
            .max_by_key(|p| p.len())
            .map(|p| p.to_string())
            .unwrap_or_else(|| name.split('.').next().unwrap_or(name).to_string())
    };
    for d in defs {
        match d.ty {
            FieldType::Layer => {}
            FieldType::Protocol => writeln!(out, "P\t{}\t{}", d.desc, d.name)?,
            ty => writeln!(
                out,
                "F\t{}\t{}\t{}\t{}",
                d.desc,
                d.name,
                type_name(ty),
                parent(d.name)
            )?,
        }
    }
    Ok(())
}

/// Run `monitor fields`.
pub fn main() -> anyhow::Result<i32> {
    let defs: Vec<&FieldDef> = monitor::dissect::registry().collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write(&defs, &mut out)?;
    out.flush()?;
    Ok(0)
}
