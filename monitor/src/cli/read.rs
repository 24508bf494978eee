//! `monitor read`: the offline pipeline on a capture file, with tshark's
//! flags and output formats (`-T text|fields|json`, `-e`, `-E`, `-c`).

use std::io::{IsTerminal, Write};
use std::time::Instant;

use clap::Args;

use monitor::capture::CaptureReader;
use monitor::dissect::field::{Base, Field};
use monitor::dissect::format::{write_abs_time, write_date, write_secs, write_value};
use monitor::dissect::{self, Dissection, FieldDef, FieldType, Pipeline, Value};

/// Arguments of `monitor read` (tshark's spelling).
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Capture file to read (pcap or pcapng).
    #[arg(short = 'r')]
    pub file: std::path::PathBuf,
    /// Filter, format and count.
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Occurrence {
    First,
    Last,
    All,
}

struct FieldsOpts {
    separator: String,
    aggregator: String,
    occurrence: Occurrence,
    header: bool,
    quote: Option<char>,
    /// Output starts with the UTF-8 byte order mark (`bom=y`).
    bom: bool,
}

fn sep_value(v: &str) -> String {
    match v {
        "/t" => "\t".into(),
        "/s" => " ".into(),
        _ => v.into(),
    }
}

fn parse_opts(opts: &[String]) -> Result<FieldsOpts, String> {
    let mut o = FieldsOpts {
        separator: "\t".into(),
        aggregator: ",".into(),
        occurrence: Occurrence::All,
        header: false,
        quote: None,
        bom: false,
    };
    for e in opts {
        let (k, v) = e
            .split_once('=')
            .ok_or_else(|| format!("invalid -E option \"{e}\""))?;
        match k {
            "separator" => o.separator = sep_value(v),
            "aggregator" => o.aggregator = sep_value(v),
            "occurrence" => {
                o.occurrence = match v {
                    "f" => Occurrence::First,
                    "l" => Occurrence::Last,
                    "a" => Occurrence::All,
                    _ => return Err(format!("invalid occurrence \"{v}\"")),
                }
            }
            "header" => o.header = v == "y",
            "quote" => {
                o.quote = match v {
                    "d" => Some('"'),
                    "s" => Some('\''),
                    "n" => None,
                    _ => return Err(format!("invalid quote \"{v}\"")),
                }
            }
            "bom" => o.bom = v == "y",
            _ => return Err(format!("invalid -E option \"{e}\"")),
        }
    }
    Ok(o)
}

/// tshark's column fields (`-e _ws.col.<title>`): the summary line's
/// columns by their titles, as text. They are not display-filter fields.
static COLUMN_FIELDS: [FieldDef; 7] = [
    FieldDef::new("_ws.col.No.", FieldType::String, Base::Dec, "No."),
    FieldDef::new("_ws.col.Time", FieldType::String, Base::Dec, "Time"),
    FieldDef::new("_ws.col.Source", FieldType::String, Base::Dec, "Source"),
    FieldDef::new(
        "_ws.col.Destination",
        FieldType::String,
        Base::Dec,
        "Destination",
    ),
    FieldDef::new("_ws.col.Protocol", FieldType::String, Base::Dec, "Protocol"),
    FieldDef::new("_ws.col.Length", FieldType::String, Base::Dec, "Length"),
    FieldDef::new("_ws.col.Info", FieldType::String, Base::Dec, "Info"),
];

/// The column field of this name.
fn column_field(name: &str) -> Option<&'static FieldDef> {
    COLUMN_FIELDS.iter().find(|f| f.name == name)
}

/// Add the requested column fields' values to a dissected packet.
fn push_columns(
    d: &mut Dissection,
    cols: &[&'static FieldDef],
    number: u64,
    rel_ns: i64,
    digits: u8,
) {
    for &def in cols {
        let text = match def.desc {
            "No." => number.to_string(),
            "Time" => {
                let mut t = String::new();
                write_time_column(&mut t, rel_ns, digits);
                t
            }
            "Source" => d.src.clone(),
            "Destination" => d.dst.clone(),
            "Protocol" => d.protocol.clone(),
            "Length" => frame_len(d),
            _ => d.info.clone(),
        };
        d.fields.push(Field {
            def,
            value: Value::Str(text),
        });
    }
}

/// The Length column: `frame.len` as text.
fn frame_len(d: &Dissection) -> String {
    d.values("frame.len")
        .next()
        .map(|v| dissect::format::value_string(&dissect::frame::FRAME_LEN, v))
        .unwrap_or_default()
}

/// Frame times printed from the integer nanoseconds (exact where an
/// `f64` of seconds would lose the last digits). As tshark: relative to
/// the first frame read and to the previous one read, displayed or not;
/// `delta_displayed` is from the previous frame printed (0 on the first).
struct Times {
    epoch: i64,
    relative: i64,
    delta: i64,
    delta_displayed: i64,
}

fn exact_time(def: &'static FieldDef, t: &Times) -> Option<i64> {
    use dissect::frame::*;
    if std::ptr::eq(def, &FRAME_TIME_EPOCH) || std::ptr::eq(def, &FRAME_TIME) {
        Some(t.epoch)
    } else if std::ptr::eq(def, &FRAME_TIME_RELATIVE) {
        Some(t.relative)
    } else if std::ptr::eq(def, &FRAME_TIME_DELTA) {
        Some(t.delta)
    } else if std::ptr::eq(def, &FRAME_TIME_DELTA_DISPLAYED) {
        Some(t.delta_displayed)
    } else {
        None
    }
}

/// The `-e` columns and, per packet, where their occurrences are: one pass
/// over the dissection finds every column's fields by the address of their
/// definition. Which column (if any) an address belongs to is decided by
/// name the first time it is seen (a name can have several definitions),
/// then remembered.
struct Columns {
    defs: Vec<&'static FieldDef>,
    /// How each column is printed (decided once, not per packet).
    kinds: Vec<Kind>,
    /// Distinct requested names; a column's slot is its name's index.
    names: Vec<&'static str>,
    /// Slot of each column.
    slot_of: Vec<usize>,
    /// Open-addressed table: definition address → slot, or [`NO_SLOT`].
    table: Vec<(usize, usize)>,
    used: usize,
    /// Per slot, indexes into `Dissection::fields` for the current packet.
    hits: Vec<Vec<usize>>,
}

/// How a column's text is made.
#[derive(Clone, Copy)]
enum Kind {
    /// `frame.time`, from the frame's nanoseconds.
    AbsTime,
    /// A frame time in seconds, from the frame's nanoseconds.
    Secs(fn(&Times) -> i64),
    /// A protocol: the text of its tree item, per occurrence.
    Summary,
    /// The field's occurrences in the dissection.
    Field,
}

impl Kind {
    fn of(def: &'static FieldDef) -> Self {
        use dissect::frame::*;
        if std::ptr::eq(def, &FRAME_TIME) {
            Kind::AbsTime
        } else if std::ptr::eq(def, &FRAME_TIME_EPOCH) {
            Kind::Secs(|t| t.epoch)
        } else if std::ptr::eq(def, &FRAME_TIME_RELATIVE) {
            Kind::Secs(|t| t.relative)
        } else if std::ptr::eq(def, &FRAME_TIME_DELTA) {
            Kind::Secs(|t| t.delta)
        } else if std::ptr::eq(def, &FRAME_TIME_DELTA_DISPLAYED) {
            Kind::Secs(|t| t.delta_displayed)
        } else if def.ty == FieldType::Protocol {
            Kind::Summary
        } else {
            Kind::Field
        }
    }
}

/// Marks a definition that no column asks for.
const NO_SLOT: usize = usize::MAX;

impl Columns {
    fn new(defs: Vec<&'static FieldDef>) -> Self {
        let mut names: Vec<&'static str> = Vec::new();
        let slot_of: Vec<usize> = defs
            .iter()
            .map(|d| {
                names.iter().position(|n| *n == d.name).unwrap_or_else(|| {
                    names.push(d.name);
                    names.len() - 1
                })
            })
            .collect();
        Self {
            kinds: defs.iter().map(|d| Kind::of(d)).collect(),
            defs,
            hits: vec![Vec::new(); names.len()],
            names,
            slot_of,
            table: vec![(0, NO_SLOT); 256],
            used: 0,
        }
    }

    fn hash(addr: usize, size: usize) -> usize {
        ((addr as u64 >> 3).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & (size - 1)
    }

    fn insert(table: &mut [(usize, usize)], addr: usize, slot: usize) {
        let size = table.len();
        let mut i = Self::hash(addr, size);
        while table[i].0 != 0 {
            i = (i + 1) & (size - 1);
        }
        table[i] = (addr, slot);
    }

    fn slot(&mut self, def: &FieldDef) -> usize {
        let addr = def as *const FieldDef as usize;
        let size = self.table.len();
        let mut i = Self::hash(addr, size);
        loop {
            match self.table[i] {
                (a, s) if a == addr => return s,
                (0, _) => break,
                _ => i = (i + 1) & (size - 1),
            }
        }
        // A protocol named in `frame.protocols` only is not in the tree.
        let slot = match def.ty {
            FieldType::Layer => NO_SLOT,
            _ => self
                .names
                .iter()
                .position(|n| *n == def.name)
                .unwrap_or(NO_SLOT),
        };
        self.used += 1;
        if self.used * 2 > size {
            let mut bigger = vec![(0, NO_SLOT); size * 2];
            for &(a, s) in self.table.iter().filter(|e| e.0 != 0) {
                Self::insert(&mut bigger, a, s);
            }
            self.table = bigger;
        }
        Self::insert(&mut self.table, addr, slot);
        slot
    }

    /// True when column `col` has a value in the packet last indexed.
    fn present(&self, col: usize) -> bool {
        !matches!(self.kinds[col], Kind::Field | Kind::Summary)
            || !self.hits[self.slot_of[col]].is_empty()
    }

    /// Find the occurrences of every column's field in `d`.
    fn index(&mut self, d: &Dissection) {
        for h in &mut self.hits {
            h.clear();
        }
        for (i, f) in d.fields.iter().enumerate() {
            let s = self.slot(f.def);
            if s != NO_SLOT {
                self.hits[s].push(i);
            }
        }
    }
}

/// Append a separator: one character without a copy call (the usual
/// tab or comma), else the text.
#[inline]
fn push_sep(out: &mut String, sep: &str) {
    match sep.as_bytes() {
        [b] if b.is_ascii() => out.push(char::from(*b)),
        _ => out.push_str(sep),
    }
}

/// Append the text of column `col` (every occurrence of its field, joined
/// as `-E` says); [`Columns::index`] must have seen `d`.
fn write_field(
    out: &mut String,
    d: &Dissection,
    t: &Times,
    cols: &Columns,
    col: usize,
    o: &FieldsOpts,
) {
    match cols.kinds[col] {
        Kind::AbsTime => return write_abs_time(out, t.epoch),
        Kind::Secs(ns) => return write_secs(out, ns(t)),
        Kind::Summary | Kind::Field => {}
    }
    let summary = matches!(cols.kinds[col], Kind::Summary);
    let hits = &cols.hits[cols.slot_of[col]];
    let emit = |out: &mut String, i: usize, first: bool| {
        if !first {
            push_sep(out, &o.aggregator);
        }
        let f = &d.fields[i];
        if summary {
            return dissect::summary::write(out, d, i);
        }
        match &f.value {
            dissect::Value::Str(s) => write_escaped(out, s),
            v => write_value(out, f.def, v),
        }
    };
    match o.occurrence {
        Occurrence::First => {
            if let Some(&i) = hits.first() {
                emit(out, i, true);
            }
        }
        Occurrence::Last => {
            if let Some(&i) = hits.last() {
                emit(out, i, true);
            }
        }
        Occurrence::All => {
            for (n, &i) in hits.iter().enumerate() {
                emit(out, i, n == 0);
            }
        }
    }
}

/// Seconds with `digits` decimal places (0 to 9), the rest dropped, as
/// tshark's Time column shows them (`-0.986655`, `876`).
fn write_time_column(out: &mut String, ns: i64, digits: u8) {
    use std::fmt::Write as _;
    let digits = u32::from(digits.min(9));
    let a = ns.unsigned_abs();
    let (secs, frac) = (a / 1_000_000_000, a % 1_000_000_000);
    let frac = frac / 10u64.pow(9 - digits);
    // What is cut away leaves no sign: `0.000000`, not `-0.000000`.
    let sign = if ns < 0 && (secs != 0 || frac != 0) {
        "-"
    } else {
        ""
    };
    if digits == 0 {
        let _ = write!(out, "{sign}{secs}");
    } else {
        let _ = write!(out, "{sign}{secs}.{frac:0w$}", w = digits as usize);
    }
}

/// Text with the control characters tshark escapes in `-T fields`
/// (backspace, form feed, line feed, carriage return, tab) written as
/// `\b`, `\f`, `\n`, `\r`, `\t`: a value stays on its line and column.
fn write_escaped(out: &mut String, s: &str) {
    let special = |c: char| matches!(c, '\u{8}' | '\u{c}' | '\n' | '\r' | '\t');
    if !s.contains(special) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

/// Format one packet as `-T fields` does.
fn fields_line(out: &mut String, d: &Dissection, t: &Times, cols: &mut Columns, o: &FieldsOpts) {
    cols.index(d);
    for col in 0..cols.defs.len() {
        if col > 0 {
            push_sep(out, &o.separator);
        }
        match o.quote {
            // A field the packet does not have is left empty, not `""`;
            // one it has with an empty value is `""` (as tshark).
            Some(q) if cols.present(col) => {
                out.push(q);
                write_field(out, d, t, cols, col, o);
                out.push(q);
            }
            _ => write_field(out, d, t, cols, col, o),
        }
    }
    out.push('\n');
}

/// tshark's one-line summary; the Time column has the file's precision
/// (`digits` decimal places, cut, not rounded).
fn text_line(out: &mut String, d: &Dissection, number: u64, rel_ns: i64, digits: u8) {
    use std::fmt::Write as _;
    let mut t = String::new();
    write_time_column(&mut t, rel_ns, digits);
    let len = frame_len(d);
    // tshark pads the address columns to 12 bytes of UTF-8 (a name with
    // non-ASCII letters takes fewer columns than its bytes).
    let (src_pad, dst_pad) = (
        12usize.saturating_sub(d.src.len()),
        12usize.saturating_sub(d.dst.len()),
    );
    let _ = writeln!(
        out,
        "{number:>5} {t:>10} {:src_pad$}{} → {}{:dst_pad$} {} {len} {}",
        "", d.src, d.dst, "", d.protocol, d.info
    );
}

/// Text as a JSON string (quotes included), escaped as tshark's JSON
/// writer does: `"` and `\\`, and control characters as `\\n`, `\\t`, …
/// or `\\u00XX`.
fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The opening of one packet's JSON object, as tshark indents it, up to
/// the `layers` object's opening brace.
fn json_head(out: &mut String, epoch_ns: i64) {
    out.push_str("  {\n    \"_index\": \"packets-");
    write_date(out, epoch_ns);
    out.push_str("\",\n    \"_type\": \"doc\",\n    \"_score\": null,\n    \"_source\": {\n      \"layers\": {");
}

/// The close of what [`json_head`] opened; `empty` when no layer was written.
fn json_tail(out: &mut String, empty: bool) {
    if !empty {
        out.push_str("\n      ");
    }
    out.push_str("}\n    }\n  }");
}

/// One packet of `-T json -e …`: each column that has a value, as an
/// array of strings (`-E occurrence` applies).
fn json_fields(out: &mut String, d: &Dissection, t: &Times, cols: &mut Columns, o: &FieldsOpts) {
    cols.index(d);
    json_head(out, t.epoch);
    let mut empty = true;
    let mut text = String::new();
    for col in 0..cols.defs.len() {
        if !cols.present(col) {
            continue;
        }
        out.push_str(if empty { "\n" } else { ",\n" });
        empty = false;
        out.push_str("        ");
        write_json_str(out, cols.defs[col].name);
        out.push_str(": [");
        let hits = &cols.hits[cols.slot_of[col]];
        let picked: &[usize] = match (cols.kinds[col], o.occurrence) {
            (Kind::AbsTime | Kind::Secs(_), _) => &[0],
            (_, Occurrence::All) => hits,
            (_, Occurrence::First) => &hits[..1],
            (_, Occurrence::Last) => &hits[hits.len() - 1..],
        };
        for (n, &i) in picked.iter().enumerate() {
            text.clear();
            match cols.kinds[col] {
                Kind::AbsTime => write_abs_time(&mut text, t.epoch),
                Kind::Secs(ns) => write_secs(&mut text, ns(t)),
                Kind::Summary => dissect::summary::write(&mut text, d, i),
                Kind::Field => {
                    let f = &d.fields[i];
                    write_value(&mut text, f.def, &f.value);
                }
            }
            out.push_str(if n == 0 { "\n" } else { ",\n" });
            out.push_str("          ");
            write_json_str(out, &text);
        }
        out.push_str("\n        ]");
    }
    json_tail(out, empty);
}

/// One packet of `-T json` without `-e`: each protocol an object of its
/// fields by name (tshark nests the subtrees of a protocol inside it;
/// here its fields are listed one level down, in tree order).
fn json_tree(out: &mut String, d: &Dissection, t: &Times) {
    json_head(out, t.epoch);
    let mut text = String::new();
    // Whether a protocol object is open, and whether it has a member yet.
    let (mut open, mut members, mut empty) = (false, false, true);
    let file_block = |f: &&dissect::Field| {
        dissect::frame::FILE_BLOCK
            .iter()
            .any(|b| std::ptr::eq(*b, f.def))
    };
    let member = |out: &mut String, members: &mut bool, name: &str, text: &str| {
        out.push_str(if *members { ",\n" } else { "\n" });
        *members = true;
        out.push_str("          ");
        write_json_str(out, name);
        out.push_str(": ");
        write_json_str(out, text);
    };
    for f in &d.fields {
        if file_block(&f) {
            // Dissected last, shown first in the frame's tree.
            continue;
        }
        match f.def.ty {
            FieldType::Layer => continue,
            FieldType::Protocol => {
                if open {
                    out.push_str(if members { "\n        }" } else { "}" });
                }
                out.push_str(if empty { "\n" } else { ",\n" });
                empty = false;
                out.push_str("        ");
                write_json_str(out, f.def.name);
                out.push_str(": {");
                (open, members) = (true, false);
                if std::ptr::eq(f.def, &dissect::frame::FRAME) {
                    for g in d.fields.iter().filter(file_block) {
                        text.clear();
                        write_value(&mut text, g.def, &g.value);
                        member(out, &mut members, g.def.name, &text);
                    }
                }
                continue;
            }
            _ => {}
        }
        if !open {
            continue;
        }
        text.clear();
        match exact_time(f.def, t) {
            Some(ns) if std::ptr::eq(f.def, &dissect::frame::FRAME_TIME) => {
                write_abs_time(&mut text, ns)
            }
            Some(ns) => write_secs(&mut text, ns),
            None => write_value(&mut text, f.def, &f.value),
        }
        member(out, &mut members, f.def.name, &text);
    }
    if open {
        out.push_str(if members { "\n        }" } else { "}" });
    }
    json_tail(out, empty);
}

enum Mode {
    Text,
    Fields,
    Json,
}

/// Whether printing the field `name` reads the values of `f` (the field
/// itself, or one of its subfields; a protocol's own fields do not read
/// its bytes).
fn reads_field(name: &str, f: &str) -> bool {
    name == f || (f != "http" && name.strip_prefix(f).is_some_and(|r| r.starts_with('.')))
}

/// Whether the display filter `expr` may read the values of `f`: it names
/// `f` or a subfield of it, other than to test that a protocol is there.
fn filter_reads(expr: &str, f: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let mut rest = expr;
    while let Some(i) = rest.find(|c: char| word(c)) {
        let tail = &rest[i..];
        let len = tail.find(|c: char| !word(c)).unwrap_or(tail.len());
        let (token, after) = tail.split_at(len);
        if reads_field(token, f) {
            let next = after.trim_start();
            let existence_only = token == f
                && ["", "&&", "||", "^^", ")", "and", "or", "xor"]
                    .iter()
                    .any(|op| !op.is_empty() && next.starts_with(op) || next.is_empty());
            if !existence_only {
                return true;
            }
        }
        rest = after;
    }
    false
}

/// Where the packets of a printed run go and how: the `-Y`, `-T`, `-e`,
/// `-E` and `-c` flags shared by `monitor read` and `monitor capture`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Display filter: print only the packets it matches (tshark's `-Y`).
    #[arg(short = 'Y')]
    pub filter: Option<String>,
    /// Output format: text, fields or json.
    #[arg(short = 'T', default_value = "text")]
    pub format: String,
    /// Field to print with `-T fields` / `-T json` (repeatable).
    #[arg(short = 'e')]
    pub fields: Vec<String>,
    /// Output option for `-T fields`: separator=…, occurrence=f|l|a,
    /// aggregator=…, header=y|n, quote=d|s|n, bom=y (repeatable).
    #[arg(short = 'E')]
    pub options: Vec<String>,
    /// Stop after this many packets.
    #[arg(short = 'c')]
    pub count: Option<u64>,
}

/// The output path of `monitor read` and `monitor capture`: each packet
/// in capture order is dissected, checked against `-Y`, and printed as
/// tshark prints it. Frame times count from the first packet given.
pub struct Printer {
    filter: Option<monitor::filter::Filter>,
    mode: Mode,
    defs: Vec<&'static FieldDef>,
    col_defs: Vec<&'static FieldDef>,
    opts: FieldsOpts,
    columns: Columns,
    first_ts: Option<i64>,
    prev_ts: Option<i64>,
    prev_displayed_ts: Option<i64>,
    printed: u64,
    line: String,
}

impl Printer {
    /// Check the flags and set `pipe` up for them. An invalid flag is
    /// reported on stderr and gives the exit status (`Err`).
    pub fn new(args: &OutputArgs, pipe: &mut Pipeline) -> Result<Self, i32> {
        let filter = match &args.filter {
            Some(expr) => match monitor::filter::compile(expr) {
                Ok(f) => Some(f),
                Err(e) => {
                    eprintln!("monitor: {}", e.render(expr));
                    return Err(2);
                }
            },
            None => None,
        };
        let mode = match args.format.as_str() {
            "text" => Mode::Text,
            "fields" => Mode::Fields,
            "json" => Mode::Json,
            other => {
                eprintln!("monitor: invalid -T parameter \"{other}\" (use text, fields or json)");
                return Err(2);
            }
        };
        let mut defs = Vec::with_capacity(args.fields.len());
        let mut bad = Vec::new();
        for name in &args.fields {
            match dissect::lookup(name).or_else(|| column_field(name)) {
                Some(d) => defs.push(d),
                None => bad.push(name.as_str()),
            }
        }
        if !bad.is_empty() {
            eprintln!("monitor: Some fields aren't valid:");
            for b in bad {
                eprintln!("\t{b}");
            }
            return Err(2);
        }
        if matches!(mode, Mode::Fields) && defs.is_empty() {
            eprintln!(
                "monitor: \"-T fields\" was specified, but no fields were specified with \"-e\"."
            );
            return Err(2);
        }
        let opts = match parse_opts(&args.options) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("monitor: {e}");
                return Err(2);
            }
        };
        // Column fields need the columns: every field is then dissected.
        let col_defs: Vec<&'static FieldDef> = defs
            .iter()
            .copied()
            .filter(|d| column_field(d.name).is_some())
            .collect();
        let only_fields = matches!(mode, Mode::Fields) || !defs.is_empty();
        if matches!(mode, Mode::Fields | Mode::Json)
            && only_fields
            && filter.is_none()
            && col_defs.is_empty()
        {
            // Only the -e fields are read: no columns, no layer bytes for a filter.
            // A protocol's text is made from some of its fields.
            let needs = defs.iter().flat_map(|d| dissect::summary::needs(d.name));
            pipe.only_fields(defs.iter().map(|d| d.name).chain(needs.copied()));
        }
        let names: Vec<&str> = defs.iter().map(|d| d.name).collect();
        let full_tree = matches!(mode, Mode::Json) && names.is_empty();
        let expr = args.filter.clone();
        pipe.keep_bodies_for(move |f| {
            full_tree
                || names.iter().any(|n| reads_field(n, f))
                || expr.as_deref().is_some_and(|e| filter_reads(e, f))
        });
        Ok(Self {
            filter,
            mode,
            columns: Columns::new(defs.clone()),
            defs,
            col_defs,
            opts,
            first_ts: None,
            prev_ts: None,
            prev_displayed_ts: None,
            printed: 0,
            line: String::with_capacity(1024),
        })
    }

    /// What comes before the first packet: the byte order mark and the
    /// header line of `-T fields`, the opening bracket of `-T json`.
    pub fn start(&mut self, w: &mut impl Write) -> std::io::Result<()> {
        if matches!(self.mode, Mode::Fields) && self.opts.bom {
            w.write_all("\u{feff}".as_bytes())?;
        }
        if matches!(self.mode, Mode::Fields) && self.opts.header {
            let names: Vec<&str> = self.defs.iter().map(|d| d.name).collect();
            writeln!(w, "{}", names.join(&self.opts.separator))?;
        }
        if matches!(self.mode, Mode::Json) {
            w.write_all(b"[")?;
        }
        Ok(())
    }

    /// Dissect the next packet and print it if `-Y` matches; returns
    /// whether it was printed.
    pub fn packet(
        &mut self,
        pipe: &mut Pipeline,
        pkt: &monitor::record::FilePacket,
        w: &mut impl Write,
    ) -> std::io::Result<bool> {
        let mut d = pipe.dissect_file(pkt);
        let rec = &pkt.record;
        let first = *self.first_ts.get_or_insert(rec.ts_ns);
        let prev = self.prev_ts.replace(rec.ts_ns).unwrap_or(rec.ts_ns);
        if self.filter.as_ref().is_some_and(|f| !f.matches(&d)) {
            pipe.recycle(d);
            return Ok(false);
        }
        let prev_displayed = self
            .prev_displayed_ts
            .replace(rec.ts_ns)
            .unwrap_or(rec.ts_ns);
        let times = Times {
            epoch: rec.ts_ns,
            relative: rec.ts_ns - first,
            delta: rec.ts_ns - prev,
            delta_displayed: rec.ts_ns - prev_displayed,
        };
        if !self.col_defs.is_empty() {
            push_columns(
                &mut d,
                &self.col_defs,
                pipe.frame_number(),
                times.relative,
                pkt.ts_digits,
            );
        }
        let line = &mut self.line;
        line.clear();
        match self.mode {
            Mode::Text => text_line(line, &d, pipe.frame_number(), times.relative, pkt.ts_digits),
            Mode::Fields => fields_line(line, &d, &times, &mut self.columns, &self.opts),
            Mode::Json => {
                line.push_str(if self.printed == 0 { "\n" } else { ",\n" });
                if self.defs.is_empty() {
                    json_tree(line, &d, &times);
                } else {
                    json_fields(line, &d, &times, &mut self.columns, &self.opts);
                }
            }
        }
        self.printed += 1;
        pipe.recycle(d);
        w.write_all(self.line.as_bytes())?;
        Ok(true)
    }

    /// What comes after the last packet (the closing bracket of `-T json`).
    pub fn end(&mut self, w: &mut impl Write) -> std::io::Result<()> {
        if matches!(self.mode, Mode::Json) {
            w.write_all(if self.printed == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        Ok(())
    }
}

/// Run `monitor read`; returns the exit status.
pub fn main(args: ReadArgs) -> anyhow::Result<i32> {
    let mut pipe = Pipeline::new();
    let mut printer = match Printer::new(&args.output, &mut pipe) {
        Ok(p) => p,
        Err(status) => return Ok(status),
    };
    let mut reader = match CaptureReader::open(&args.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("monitor: {}: {e}", args.file.display());
            return Ok(2);
        }
    };
    let file_len = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let progress = std::io::stderr().is_terminal() && file_len > 16 << 20;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    printer.start(&mut w)?;
    let mut last_progress = Instant::now();
    let mut status = 0;
    // Link types already reported as not dissected.
    let mut unknown_links = std::collections::BTreeSet::new();
    while let Some(item) = reader.next_packet() {
        let pkt = match item {
            Ok(p) => p,
            Err(e) => {
                w.flush()?;
                eprintln!("monitor: {}: {e}", args.file.display());
                status = 2;
                break;
            }
        };
        if args.output.count.is_some_and(|c| pipe.frame_number() >= c) {
            break;
        }
        if !dissect::link::is_dissected(pkt.linktype) && unknown_links.insert(pkt.linktype) {
            eprintln!(
                "monitor: link type {} ({}) is not dissected here: its frames are shown as \
                 data, with Protocol UNKNOWN",
                pkt.linktype,
                dissect::link::linktype_name(pkt.linktype)
            );
        }
        let printed = printer.packet(&mut pipe, &pkt, &mut w);
        reader.recycle(pkt.record.data);
        if let Err(e) = printed {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(0);
            }
            return Err(e.into());
        }
        if progress && last_progress.elapsed().as_millis() >= 500 {
            last_progress = Instant::now();
            let pct = reader.offset() as f64 * 100.0 / file_len.max(1) as f64;
            eprint!("\r{} packets, {pct:.0}%", pipe.frame_number());
        }
    }
    if progress {
        eprintln!("\r{} packets, 100%", pipe.frame_number());
    }
    // The process ends here: freeing every table entry and reassembly
    // buffer one by one would only cost time.
    std::mem::forget(pipe);
    let ended = printer.end(&mut w).and_then(|()| w.flush());
    if let Err(e) = ended {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    Ok(status)
}
