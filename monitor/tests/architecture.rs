//! The library's layering, checked: every `crate::…` path in a module's
//! non-test code names a module on a lower line of the layer table in
//! `src/lib.rs` (or the module itself). A path that points up the table
//! fails the test with the file, the line and both modules.
//!
//! Test code (`#[cfg(test)]` items and the files of `#[cfg(test)] mod x;`)
//! is exempt: a unit test may drive a lower module through a higher one.
//! The checker itself is tested on small in-memory trees below, so a
//! checker that stopped seeing imports would fail too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One import that points up (or sideways) in the layer table.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}` uses `crate::{}`, which is not below it in lib.rs's layer table",
            self.file, self.line, self.from, self.to
        )
    }
}

/// The layer table: the first ```` ```text ```` block after the
/// `# Layers` heading of `lib.rs`, top layer first. Each line starts with
/// the modules of one layer; the first word that is not a module ends the
/// list (the rest is description). Returns module → layer (0 = bottom).
fn layers(lib: &str, modules: &BTreeSet<String>) -> Result<BTreeMap<String, usize>, String> {
    let doc: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let start = doc
        .iter()
        .position(|l| l.trim() == "# Layers")
        .ok_or("lib.rs has no `# Layers` section")?;
    let open = doc[start..]
        .iter()
        .position(|l| l.trim() == "```text")
        .ok_or("`# Layers` has no ```text block")?
        + start;
    let close = doc[open + 1..]
        .iter()
        .position(|l| l.trim() == "```")
        .ok_or("unterminated layer table")?
        + open
        + 1;
    let rows: Vec<Vec<String>> = doc[open + 1..close]
        .iter()
        .map(|l| {
            l.split_whitespace()
                .take_while(|w| modules.contains(*w))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|r| !r.is_empty())
        .collect();
    let mut out = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        for m in row {
            if out.insert(m.clone(), rows.len() - 1 - i).is_some() {
                return Err(format!("`{m}` is in the layer table twice"));
            }
        }
    }
    let missing: Vec<&String> = modules.iter().filter(|m| !out.contains_key(*m)).collect();
    if !missing.is_empty() {
        return Err(format!("modules missing from the layer table: {missing:?}"));
    }
    Ok(out)
}

/// `pub mod x;` / `mod x;` lines of `lib.rs`: the top-level modules.
fn top_modules(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(str::to_string)
        })
        .collect()
}

/// `src` with comments, string and character literals blanked out
/// (newlines kept, so line numbers stay right).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }))
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            let mut j = 0;
            while j < rest.len() {
                if rest[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &rest[..j]);
            i += j;
        } else if let Some(len) = raw_string_len(rest) {
            blank(&mut out, &rest[..len]);
            i += len;
        } else if rest[0] == b'"' || rest.starts_with(b"b\"") {
            let mut j = if rest[0] == b'b' { 2 } else { 1 };
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime.
            let len = if rest.get(1) == Some(&b'\\') {
                rest.iter().skip(2).position(|&c| c == b'\'').map(|p| p + 3)
            } else {
                // Length of the UTF-8 character from its first byte.
                let ch = match rest.get(1) {
                    Some(&c) if c >= 0xf0 => 4,
                    Some(&c) if c >= 0xe0 => 3,
                    Some(&c) if c >= 0xc0 => 2,
                    _ => 1,
                };
                (rest.get(1 + ch) == Some(&b'\'')).then_some(ch + 2)
            };
            match len {
                Some(len) => {
                    blank(&mut out, &rest[..len]);
                    i += len;
                }
                None => {
                    out.push(b'\'');
                    i += 1;
                }
            }
        } else {
            out.push(rest[0]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("only ASCII bytes were replaced")
}

/// Length of a raw string literal (`r"…"`, `r#"…"#`, `br#"…"#`) at the
/// start of `s`.
fn raw_string_len(s: &[u8]) -> Option<usize> {
    let body = s.strip_prefix(b"br").or_else(|| s.strip_prefix(b"r"))?;
    let hashes = body.iter().take_while(|&&c| c == b'#').count();
    if body.get(hashes) != Some(&b'"') {
        return None;
    }
    let prefix = s.len() - body.len() + hashes + 1;
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let end = s[prefix..].windows(close.len()).position(|w| w == close)?;
    Some(prefix + end + close.len())
}

/// Blank out `#[cfg(test)]` items; returns the code left and the names of
/// the `#[cfg(test)] mod x;` declarations (their files are test code).
fn strip_test_items(code: &str) -> (String, Vec<String>) {
    let mut out = code.as_bytes().to_vec();
    let mut test_mods = Vec::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("#[cfg(test)]") {
        let start = from + p;
        let mut i = start + "#[cfg(test)]".len();
        // Further attributes of the same item.
        loop {
            let rest = code[i..].trim_start();
            i = code.len() - rest.len();
            if rest.starts_with("#[") {
                i += rest.find(']').map_or(rest.len(), |e| e + 1);
            } else {
                break;
            }
        }
        let item = &code[i..];
        let words: Vec<&str> = item
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .take(3)
            .collect();
        let name_at = match words.as_slice() {
            ["pub", "mod", name, ..] | ["mod", name, ..] => Some(*name),
            _ => None,
        };
        // The item ends at a `;` outside brackets or at the `}` closing its body.
        let mut depth = 0i32;
        let mut end = code.len();
        let mut braced = false;
        for (j, c) in item.char_indices() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                '{' => {
                    depth += 1;
                    braced = true;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 && braced {
                        end = i + j + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    if let (Some(name), false) = (name_at, braced) {
                        test_mods.push(name.to_string());
                    }
                    end = i + j + 1;
                    break;
                }
                _ => {}
            }
        }
        for b in &mut out[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        from = end;
    }
    (String::from_utf8(out).expect("ASCII blanks"), test_mods)
}

/// The top-level modules a file's code names through `crate::` paths
/// (`crate::a::…`, `crate::{a, b::…}`) or `super::` chains that climb to
/// the crate root, with line numbers. `depth` is how many modules deep the
/// file is (1 for `src/x.rs` and `src/x/mod.rs`).
fn uses(code: &str, depth: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let line_of = |pos: usize| code[..pos].matches('\n').count() + 1;
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let at_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let rest = &code[i..];
        let (after, ok) = if at_word && rest.starts_with("crate::") && !code[..i].ends_with('$') {
            (i + "crate::".len(), true)
        } else if at_word && rest.starts_with("super::") {
            let mut j = i;
            let mut n = 0;
            while code[j..].starts_with("super::") {
                j += "super::".len();
                n += 1;
            }
            if n >= depth {
                (j, true)
            } else {
                i = j;
                continue;
            }
        } else {
            (i + 1, false)
        };
        if !ok {
            i = after;
            continue;
        }
        let tail = code[after..].trim_start();
        let tail_at = code.len() - tail.len();
        if let Some(group) = tail.strip_prefix('{') {
            // Top-level names of the group: after `{` and after each `,`
            // at brace depth 1.
            let mut d = 1;
            let mut expect = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => d += 1,
                    '}' => {
                        d -= 1;
                        if d == 0 {
                            break;
                        }
                    }
                    ',' if d == 1 => expect = true,
                    c if expect && d == 1 && !c.is_whitespace() => {
                        let name = ident(&group[k..]);
                        if !name.is_empty() && name != "self" {
                            out.push((line_of(tail_at + 1 + k), name));
                        }
                        expect = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(tail);
            if !name.is_empty() {
                out.push((line_of(tail_at), name));
            }
        }
        i = after;
    }
    out
}

/// Check a source tree (`path relative to src/` → text) against the
/// layer table of its `lib.rs`.
fn check(files: &BTreeMap<PathBuf, String>) -> Result<Vec<Violation>, String> {
    let lib = files
        .get(Path::new("lib.rs"))
        .ok_or("the tree has no lib.rs")?;
    let modules = top_modules(lib);
    let layer = layers(lib, &modules)?;
    // Files that are test code: declared `#[cfg(test)] mod x;`, and
    // everything under them.
    let mut test_files: BTreeSet<PathBuf> = BTreeSet::new();
    let mut stripped: BTreeMap<&PathBuf, String> = BTreeMap::new();
    for (path, text) in files {
        let (code, test_mods) = strip_test_items(&code_only(text));
        let dir = match path.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs") | Some("lib.rs") | Some("main.rs") => {
                path.parent().unwrap_or(Path::new("")).to_path_buf()
            }
            _ => path.with_extension(""),
        };
        for m in test_mods {
            test_files.insert(dir.join(format!("{m}.rs")));
            test_files.insert(dir.join(&m));
        }
        stripped.insert(path, code);
    }
    let mut out = Vec::new();
    for (path, code) in stripped {
        if test_files.iter().any(|t| path.starts_with(t)) {
            continue;
        }
        let mut parts = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let Some(first) = parts.next() else { continue };
        let from = first.trim_end_matches(".rs").to_string();
        let Some(&from_layer) = layer.get(&from) else {
            continue; // lib.rs, main.rs
        };
        let depth = path.components().count() - usize::from(path.ends_with("mod.rs"));
        for (line, to) in uses(&code, depth) {
            let Some(&to_layer) = layer.get(&to) else {
                continue; // crate-root items, macros
            };
            if to != from && to_layer >= from_layer {
                out.push(Violation {
                    file: path.display().to_string(),
                    line,
                    from: from.clone(),
                    to,
                });
            }
        }
    }
    Ok(out)
}

/// Every `.rs` file under `dir`, keyed by its path relative to `dir`.
fn read_tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read src") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("read source");
                out.insert(p.strip_prefix(dir).expect("under src").to_path_buf(), text);
            }
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tree = read_tree(&src);
    assert!(
        tree.len() > 50,
        "only {} files under {}",
        tree.len(),
        src.display()
    );
    let violations = check(&tree).expect("layer table");
    assert!(
        violations.is_empty(),
        "imports pointing up the layer table:\n{}",
        violations
            .iter()
            .map(|v| format!("  {v}\n"))
            .collect::<String>()
    );
}

#[test]
fn the_layer_table_names_every_module_once() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("lib.rs");
    let modules = top_modules(&lib);
    assert!(modules.contains("dissect") && modules.contains("record"));
    let layer = layers(&lib, &modules).expect("layer table");
    assert!(layer["record"] < layer["dissect"]);
    assert!(layer["dissect"] < layer["filter"]);
    assert!(layer["tcp_analysis"] < layer["dissect"]);
}

// The checker on small trees: it must see each form of import, and must
// not flag what is allowed.

const LIB: &str = "//! Doc.
//!
//! # Layers
//!
//! ```text
//! top        the commands
//! mid        the middle
//! low  side  the bottom
//! ```
pub mod low;
pub mod mid;
pub mod side;
pub mod top;
";

fn tree(files: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
    let mut t: BTreeMap<PathBuf, String> = files
        .iter()
        .map(|(p, s)| (PathBuf::from(p), s.to_string()))
        .collect();
    t.insert("lib.rs".into(), LIB.into());
    for m in ["low", "mid", "side", "top"] {
        t.entry(format!("{m}.rs").into()).or_default();
    }
    t
}

fn found(files: &[(&str, &str)]) -> Vec<(String, usize, String)> {
    check(&tree(files))
        .expect("layer table")
        .into_iter()
        .map(|v| (v.file, v.line, v.to))
        .collect()
}

#[test]
fn checker_allows_downward_imports() {
    assert_eq!(
        found(&[
            ("top.rs", "use crate::mid::X;\nuse crate::{low, side::Y};\n"),
            (
                "mid/mod.rs",
                "use crate::low::Z;\nfn f() { crate::side::g(); }\n"
            ),
            ("mid/inner.rs", "use super::super::low::Z;\nuse super::Q;\n"),
        ]),
        vec![]
    );
}

#[test]
fn checker_flags_an_upward_use_line() {
    assert_eq!(
        found(&[("low.rs", "\nuse crate::mid::X;\n")]),
        vec![("low.rs".into(), 2, "mid".into())]
    );
}

#[test]
fn checker_flags_an_upward_path_inside_code_and_groups() {
    assert_eq!(
        found(&[(
            "mid/deep/x.rs",
            "fn f() {\n    let _ = crate::top::run();\n}\nuse crate::{\n    low::A,\n    top::{B, C},\n};\n",
        )]),
        vec![
            ("mid/deep/x.rs".into(), 2, "top".into()),
            ("mid/deep/x.rs".into(), 6, "top".into())
        ]
    );
}

#[test]
fn checker_flags_sideways_imports_and_super_chains_to_the_root() {
    assert_eq!(
        found(&[
            ("low.rs", "use crate::side::S;\n"),
            ("mid/x.rs", "use super::super::top::T;\n"),
        ]),
        vec![
            ("low.rs".into(), 1, "side".into()),
            ("mid/x.rs".into(), 1, "top".into())
        ]
    );
}

#[test]
fn checker_ignores_comments_strings_and_test_code() {
    assert_eq!(
        found(&[
            (
                "low/mod.rs",
                "//! See [`crate::top`].\n/* crate::top */\nconst S: &str = \"crate::top\";\n\
                 const R: &str = r#\"crate::top\"#;\nconst C: char = '{';\n\
                 #[cfg(test)]\nmod tests {\n    use crate::top::T;\n    fn f() { let _ = '}'; }\n}\n\
                 #[cfg(test)]\nmod difftest;\n#[cfg(test)]\nfn helper() { crate::mid::m(); }\n",
            ),
            ("low/difftest.rs", "use crate::top::Everything;\n"),
        ]),
        vec![]
    );
    // Code after a test module is checked again.
    assert_eq!(
        found(&[(
            "low.rs",
            "#[cfg(test)]\nmod tests {\n    use crate::top::T;\n}\nuse crate::mid::M;\n"
        )]),
        vec![("low.rs".into(), 5, "mid".into())]
    );
}

#[test]
fn checker_refuses_a_table_that_misses_a_module() {
    let mut t = tree(&[]);
    t.insert("extra.rs".into(), String::new());
    let lib = format!("{LIB}pub mod extra;\n");
    t.insert("lib.rs".into(), lib);
    let err = check(&t).unwrap_err();
    assert!(err.contains("extra"), "{err}");
}
