//! Every field a dissector declares can be named in a display filter: its
//! definition is reachable from the registry (`monitor::dissect::lookup`).
//! Fields are declared three ways (`FieldDef::new` in hand-kept lists,
//! `fields!`, `protocols!`); a definition left out of its list would be
//! dissected but refused by every filter, silently. This test reads the
//! declarations from the sources and looks each name up.
//!
//! Layer-only definitions (`FieldType::Layer`: names in `frame.protocols`
//! that are not fields), the column fields of `monitor read -e`
//! (`_ws.col.*`) and test code are not declarations of filter fields.

use std::path::{Path, PathBuf};

/// `(name, type)` of every field declared in `src`, with comment lines
/// and a trailing `#[cfg(test)] mod …` left out.
fn declarations(src: &str) -> Vec<(String, String)> {
    let code: String = src
        .find("#[cfg(test)]\nmod ")
        .map_or(src, |k| &src[..k])
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    // FieldDef::new("name", [path::]FieldType::Ty, …)
    let mut rest = code.as_str();
    while let Some(i) = rest.find("FieldDef::new(") {
        rest = &rest[i + "FieldDef::new(".len()..];
        let Some(name) = quoted(rest) else { continue };
        let ty = rest
            .split_once("FieldType::")
            .map(|(_, t)| t.split(|c: char| !c.is_alphanumeric()).next().unwrap_or(""))
            .unwrap_or("");
        out.push((name, ty.to_string()));
    }
    // fields! { NAME = "name", Ty, Base, "desc"; … } and
    // protocols! { TABLE; ID "name" "desc", … }
    for (mac, proto) in [("fields! {", false), ("protocols! {", true)] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(mac) {
            rest = &rest[i + mac.len()..];
            let body = &rest[..rest.find("\n}").unwrap_or(rest.len())];
            for line in body.lines().map(str::trim) {
                if proto {
                    if let Some((id, tail)) = line.split_once(' ') {
                        if id
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                        {
                            if let Some(name) = quoted(tail) {
                                out.push((name, "Protocol".into()));
                            }
                        }
                    }
                } else if let Some((_, tail)) = line.split_once('=') {
                    let Some(name) = quoted(tail) else { continue };
                    let ty = tail.split(',').nth(1).unwrap_or("").trim().to_string();
                    out.push((name, ty));
                }
            }
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

#[test]
fn declarations_are_read_in_all_three_styles() {
    let src = r#"
static A: FieldDef = FieldDef::new("a.x", FieldType::UInt, Base::Dec, "X");
static L: FieldDef = FieldDef::new("lay", FieldType::Layer, Base::Dec, "L");
// static C: FieldDef = FieldDef::new("commented", FieldType::UInt, Base::Dec, "");
fields! {
    B = "b.y", Bytes, Base::Dec, "Y";
}
protocols! {
    /// Doc.
    TABLE;
    P_C "c" "Protocol C",
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
        ("b.y", "Bytes"),
        ("c", "Protocol"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
}
