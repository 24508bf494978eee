//! `monitor fields` lists protocols and fields in the columns of `tshark
//! -G fields`: `P`, description, filter name; `F`, description, filter
//! name, type (`FT_*`, integers without their width), parent protocol.

use std::collections::HashMap;
use std::process::Command;

use test_support::{have_tshark, tshark_stdout};

fn ours() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_monitor"))
        .arg("fields")
        .output()
        .expect("run monitor fields");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_line_has_tsharks_columns() {
    let text = ours();
    let mut protocols = 0;
    for line in text.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        match c[0] {
            "P" => {
                assert_eq!(c.len(), 3, "{line:?}");
                protocols += 1;
            }
            "F" => {
                assert_eq!(c.len(), 5, "{line:?}");
                assert!(c[3].starts_with("FT_"), "{line:?}");
                assert!(
                    c[2].starts_with(&format!("{}.", c[4])),
                    "{line:?}: parent is not a prefix"
                );
            }
            _ => panic!("{line:?}"),
        }
        assert!(
            monitor::dissect::lookup(c[2]).is_some(),
            "{line:?}: the name column is not a field"
        );
    }
    assert!(protocols >= 40, "{protocols} protocols");
}

#[test]
fn columns_agree_with_tshark() {
    if !have_tshark() {
        return;
    }
    let theirs = tshark_stdout(["-G", "fields"]);
    let theirs: HashMap<&str, Vec<&str>> = theirs
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.len() >= 3)
        .map(|c| (c[2], c))
        .collect();
    let text = ours();
    // The first lines, column for column.
    let frame_number = text
        .lines()
        .find(|l| l.split('\t').nth(2) == Some("frame.number"))
        .unwrap();
    assert_eq!(
        frame_number,
        "F\tFrame Number\tframe.number\tFT_UINT\tframe"
    );
    let t = &theirs["frame.number"];
    assert_eq!(
        (t[0], t[1], t[2], t[4]),
        ("F", "Frame Number", "frame.number", "frame")
    );
    // Everywhere, the same meaning in each column: a few fields are
    // declared differently (tshark's TCP options are protocols, its
    // IPv6 extension headers parents of their fields), never most.
    let (mut common, mut kind, mut desc, mut ty, mut parent) = (0, 0, 0, 0, 0);
    for line in text.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        let Some(t) = theirs.get(c[2]) else {
            continue;
        };
        common += 1;
        kind += usize::from(t[0] == c[0]);
        desc += usize::from(t[1] == c[1]);
        if c[0] == "F" && t[0] == "F" {
            ty += usize::from(t[3].starts_with(c[3]));
            parent += usize::from(t[4] == c[4]);
        } else {
            ty += 1;
            parent += 1;
        }
    }
    assert!(common >= 1000, "{common} fields in common");
    for (what, n) in [
        ("kind", kind),
        ("description", desc),
        ("type", ty),
        ("parent", parent),
    ] {
        assert!(
            n * 100 >= common * 97,
            "the {what} column agrees with tshark for {n} of {common} fields"
        );
    }
}
