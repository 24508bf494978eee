//! Every field a dissector declares can be named in a display filter: its
//! definition is reachable from the registry (`monitor::dissect::lookup`).
//! Fields are declared with `fields!`, which builds each dissector's
//! `FIELDS` list from the same lines; a definition made some other way
//! would be dissected but refused by every filter, silently. These tests
//! read the declarations from the sources, look each name up, and refuse a
//! field definition outside `fields!`.
//!
//! Layer-only definitions (`FieldType::Layer`: names in `frame.protocols`
//! that are not fields), the column fields of `monitor read -e`
//! (`_ws.col.*`) and test code are not declarations of filter fields.

use std::path::{Path, PathBuf};

/// `src` without comment lines and a trailing `#[cfg(test)] mod …`.
fn code(src: &str) -> String {
    src.find("#[cfg(test)]\nmod ")
        .map_or(src, |k| &src[..k])
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The bodies of the `fields! { … }` blocks of `code` (braces inside
/// string literals do not count), and the code outside them.
fn fields_blocks(code: &str) -> (Vec<&str>, String) {
    let (mut blocks, mut outside) = (Vec::new(), String::new());
    let mut rest = code;
    while let Some(i) = rest.find("fields! {") {
        outside.push_str(&rest[..i]);
        let body = &rest[i + "fields! {".len()..];
        let (mut depth, mut quoted, mut end) = (1, false, body.len());
        let mut prev = ' ';
        for (k, c) in body.char_indices() {
            match c {
                '"' if prev != '\\' => quoted = !quoted,
                '{' if !quoted => depth += 1,
                '}' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        end = k;
                        break;
                    }
                }
                _ => {}
            }
            prev = c;
        }
        blocks.push(&body[..end]);
        rest = body.get(end + 1..).unwrap_or("");
    }
    outside.push_str(rest);
    (blocks, outside)
}

/// `(name, type)` of every `FieldDef::new("name", [path::]FieldType::Ty, …)`
/// and `FieldDef::tree_only("name", …)` in `code`.
fn direct_definitions(code: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (ctor, fixed) in [
        ("FieldDef::new(", None),
        ("FieldDef::tree_only(", Some("Protocol")),
    ] {
        let mut rest = code;
        while let Some(i) = rest.find(ctor) {
            rest = &rest[i + ctor.len()..];
            let Some(name) = quoted(rest) else { continue };
            let ty = fixed.unwrap_or_else(|| {
                rest.split_once("FieldType::")
                    .map(|(_, t)| t.split(|c: char| !c.is_alphanumeric()).next().unwrap_or(""))
                    .unwrap_or("")
            });
            out.push((name, ty.to_string()));
        }
    }
    out
}

/// `(name, type)` of every field declared in `src`, with comment lines
/// and a trailing `#[cfg(test)] mod …` left out.
fn declarations(src: &str) -> Vec<(String, String)> {
    let code = code(src);
    let (blocks, _) = fields_blocks(&code);
    let mut out = direct_definitions(&code);
    // fields! { NAME = "name", Ty, Base, "desc"; @tree_only NAME = "name", "desc"; }
    for body in blocks {
        for line in body.lines().map(str::trim) {
            let tree = line.starts_with("@tree_only ");
            let Some((_, tail)) = line.split_once('=') else {
                continue;
            };
            let Some(name) = quoted(tail) else { continue };
            let ty = if tree {
                "Protocol".to_string()
            } else {
                tail.split(',').nth(1).unwrap_or("").trim().to_string()
            };
            out.push((name, ty));
        }
    }
    out
}

/// The first `"…"` literal at the start of `s` (after whitespace).
fn quoted(s: &str) -> Option<String> {
    let s = s.trim_start().strip_prefix('"')?;
    Some(s[..s.find('"')?].to_string())
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if name != "tests" {
                sources(&p, out);
            }
        } else if name.ends_with(".rs")
            && !matches!(name, "tests.rs" | "difftest.rs" | "testfields.rs")
            && !name.ends_with("_tests.rs")
        {
            out.push(p);
        }
    }
}

#[test]
fn every_declared_field_is_in_the_registry() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut declared = 0;
    let mut missing = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read source");
        for (name, ty) in declarations(&text) {
            // tshark's column fields (`-e _ws.col.Info`) are output
            // fields of `monitor read`, not display-filter fields.
            if ty == "Layer" || name.starts_with("_ws.col.") {
                continue;
            }
            declared += 1;
            if monitor::dissect::lookup(&name).is_none() {
                missing.push(format!("{}: {name}", f.display()));
            }
        }
    }
    assert!(declared > 1000, "only {declared} declarations found");
    assert!(
        missing.is_empty(),
        "declared but not reachable from the registry (add them to their FIELDS list or table):\n  {}",
        missing.join("\n  ")
    );
}

/// Field definitions made outside `fields!` on purpose: a second
/// registration of a listed name (found through the listed one).
const OUTSIDE_FIELDS: &[&str] = &[
    // mDNS's registration of the EDNS payload size (hex, cache-flush bit
    // masked off).
    "dns.rr.udp_payload_size",
];

#[test]
fn every_field_definition_is_in_its_fields_list() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/dissect"),
        &mut files,
    );
    let mut stray = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read source");
        let (_, outside) = fields_blocks(&code(&text));
        for (name, ty) in direct_definitions(&outside) {
            if ty != "Layer" && !OUTSIDE_FIELDS.contains(&name.as_str()) {
                stray.push(format!("{}: {name}", f.display()));
            }
        }
    }
    assert!(
        stray.is_empty(),
        "field definitions outside fields! (not in any FIELDS list):\n  {}",
        stray.join("\n  ")
    );
}

#[test]
fn declarations_are_read_in_both_styles() {
    let src = r#"
static A: FieldDef = FieldDef::new("a.x", FieldType::UInt, Base::Dec, "X");
static L: FieldDef = FieldDef::new("lay", FieldType::Layer, Base::Dec, "L");
// static C: FieldDef = FieldDef::new("commented", FieldType::UInt, Base::Dec, "");
mod defs {
    fields! {
        /// Doc {with braces}.
        B = "b.y", Bytes, Base::Hex(4), "Y {z}";
        @tree_only P_C = "c", "Protocol C";
    }
    static M: FieldDef = FieldDef::tree_only("m", "M");
}
#[cfg(test)]
mod tests {
    static T: FieldDef = FieldDef::new("test.only", FieldType::UInt, Base::Dec, "");
}
"#;
    let got: Vec<(String, String)> = declarations(src);
    let want: Vec<(String, String)> = [
        ("a.x", "UInt"),
        ("lay", "Layer"),
        ("m", "Protocol"),
        ("b.y", "Bytes"),
        ("c", "Protocol"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    // Only what is outside fields! is a stray definition.
    let (_, outside) = fields_blocks(&code(src));
    let stray: Vec<String> = direct_definitions(&outside)
        .into_iter()
        .filter(|(_, ty)| ty != "Layer")
        .map(|(name, _)| name)
        .collect();
    assert_eq!(stray, ["a.x", "m"]);
}
