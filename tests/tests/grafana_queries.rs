//! The Grafana dashboards, the Prometheus alert rules and the metrics
//! catalogue (`docs/metrics.md`) checked against the tools and the daemon:
//!
//! - `promtool` accepts `grafana/prometheus/alerts.yml` and a configuration
//!   built from `grafana/prometheus/scrape.yml`;
//! - every dashboard parses, has the `datasource` and `interface` variables,
//!   unique panel ids, and every panel a datasource, a unit, a description
//!   and targets with an expression;
//! - live: a real Prometheus scrapes the daemon watching a veth carrying
//!   pings (some fragmented), HTTP fetches and refused connections, and every dashboard
//!   expression and every alert expression returns data from it. Alert
//!   expressions are queried with their comparisons against number literals
//!   removed (`up{job="monitor"} == 0` is queried as `up{job="monitor"}`,
//!   `a > 0.05 and b > 10` as `a and b`), so "returns data" means the metrics
//!   behind the alert exist, whatever their values;
//! - the families the daemon exports are exactly those the catalogue lists,
//!   with the same types.
//!
//! The live test needs root and the `prometheus` Debian package (installed
//! by `cargo xtask setup`).

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use monitor_tests::{free_port, http_get, sh, workspace, Daemon, Netns};

// ---------------------------------------------------------------- JSON

/// Just enough JSON for dashboards and Prometheus API answers.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn parse(s: &str) -> Result<Json, String> {
        let b = s.as_bytes();
        let mut i = 0;
        let v = parse_value(b, &mut i)?;
        skip_ws(b, &mut i);
        if i != b.len() {
            return Err(format!("trailing data at byte {i}"));
        }
        Ok(v)
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            _ => &[],
        }
    }

    fn path(&self, keys: &[&str]) -> Option<&Json> {
        keys.iter().try_fold(self, |v, k| v.get(k))
    }
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i].is_ascii_whitespace() {
        *i += 1;
    }
}

fn parse_value(b: &[u8], i: &mut usize) -> Result<Json, String> {
    skip_ws(b, i);
    let Some(&c) = b.get(*i) else {
        return Err("unexpected end".into());
    };
    match c {
        b'{' => {
            *i += 1;
            let mut m = Vec::new();
            skip_ws(b, i);
            if b.get(*i) == Some(&b'}') {
                *i += 1;
                return Ok(Json::Obj(m));
            }
            loop {
                skip_ws(b, i);
                let Json::Str(k) = parse_value(b, i)? else {
                    return Err(format!("object key expected at byte {i}"));
                };
                skip_ws(b, i);
                if b.get(*i) != Some(&b':') {
                    return Err(format!("':' expected at byte {i}"));
                }
                *i += 1;
                m.push((k, parse_value(b, i)?));
                skip_ws(b, i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    Some(b'}') => {
                        *i += 1;
                        return Ok(Json::Obj(m));
                    }
                    _ => return Err(format!("',' or '}}' expected at byte {i}")),
                }
            }
        }
        b'[' => {
            *i += 1;
            let mut a = Vec::new();
            skip_ws(b, i);
            if b.get(*i) == Some(&b']') {
                *i += 1;
                return Ok(Json::Arr(a));
            }
            loop {
                a.push(parse_value(b, i)?);
                skip_ws(b, i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    Some(b']') => {
                        *i += 1;
                        return Ok(Json::Arr(a));
                    }
                    _ => return Err(format!("',' or ']' expected at byte {i}")),
                }
            }
        }
        b'"' => {
            *i += 1;
            let mut out = Vec::new();
            loop {
                let Some(&c) = b.get(*i) else {
                    return Err("unterminated string".into());
                };
                *i += 1;
                match c {
                    b'"' => break,
                    b'\\' => {
                        let e = *b.get(*i).ok_or("bad escape")?;
                        *i += 1;
                        let ch = match e {
                            b'n' => '\n',
                            b't' => '\t',
                            b'r' => '\r',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'u' => {
                                let hex = std::str::from_utf8(b.get(*i..*i + 4).ok_or("bad \\u")?)
                                    .map_err(|e| e.to_string())?;
                                *i += 4;
                                let cp = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                                char::from_u32(cp).unwrap_or('\u{fffd}')
                            }
                            other => other as char,
                        };
                        let mut buf = [0; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    c => out.push(c),
                }
            }
            String::from_utf8(out)
                .map(Json::Str)
                .map_err(|e| e.to_string())
        }
        b't' if b[*i..].starts_with(b"true") => {
            *i += 4;
            Ok(Json::Bool(true))
        }
        b'f' if b[*i..].starts_with(b"false") => {
            *i += 5;
            Ok(Json::Bool(false))
        }
        b'n' if b[*i..].starts_with(b"null") => {
            *i += 4;
            Ok(Json::Null)
        }
        _ => {
            let start = *i;
            while *i < b.len() && matches!(b[*i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                *i += 1;
            }
            std::str::from_utf8(&b[start..*i])
                .ok()
                .and_then(|s| s.parse().ok())
                .map(Json::Num)
                .ok_or_else(|| format!("bad value at byte {start}"))
        }
    }
}

// ---------------------------------------------------------------- files

fn grafana_dir() -> PathBuf {
    workspace().join("grafana")
}

fn dashboards() -> Vec<(String, Json)> {
    let dir = grafana_dir().join("dashboards");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 4,
        "expected the four dashboards in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read dashboard");
            let json = Json::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), json)
        })
        .collect()
}

/// (where, expression) of every target of every panel.
fn dashboard_exprs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (file, d) in dashboards() {
        for p in d.get("panels").map(Json::arr).unwrap_or_default() {
            let title = p.get("title").and_then(Json::str).unwrap_or("?");
            for t in p.get("targets").map(Json::arr).unwrap_or_default() {
                let expr = t.get("expr").and_then(Json::str).unwrap_or_default();
                out.push((format!("{file} / {title}"), expr.to_string()));
            }
        }
    }
    out
}

/// (alert name, expression) from alerts.yml. The file keeps every `expr` on
/// one line (checked against promtool's rule count).
fn alert_exprs() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(grafana_dir().join("prometheus/alerts.yml"))
        .expect("read alerts.yml");
    let mut out = Vec::new();
    let mut name = String::new();
    for line in text.lines() {
        let l = line.trim();
        if let Some(n) = l.strip_prefix("- alert:") {
            name = n.trim().to_string();
        } else if let Some(e) = l.strip_prefix("expr:") {
            let e = e.trim();
            assert!(
                !e.is_empty() && !e.starts_with('|') && !e.starts_with('>'),
                "{name}: keep alert expressions on one line"
            );
            out.push((name.clone(), e.to_string()));
        }
    }
    out
}

/// Remove every comparison against a number literal (`> 0`, `== 0`,
/// `> bool 1e3`) outside label matchers and strings.
fn strip_comparisons(expr: &str) -> (String, usize) {
    let c: Vec<char> = expr.chars().collect();
    let mut out = String::new();
    let (mut i, mut braces, mut quote, mut removed) = (0, 0usize, None::<char>, 0);
    while i < c.len() {
        let ch = c[i];
        if let Some(q) = quote {
            out.push(ch);
            if ch == '\\' && i + 1 < c.len() {
                out.push(c[i + 1]);
                i += 1;
            } else if ch == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match ch {
            '"' | '\'' | '`' => quote = Some(ch),
            '{' => braces += 1,
            '}' => braces = braces.saturating_sub(1),
            _ => {}
        }
        if braces == 0 && matches!(ch, '>' | '<' | '=' | '!') {
            let op_len = if c.get(i + 1) == Some(&'=') { 2 } else { 1 };
            let op: String = c[i..i + op_len].iter().collect();
            if matches!(op.as_str(), ">" | "<" | ">=" | "<=" | "==" | "!=") {
                let mut j = i + op_len;
                let skip = |j: &mut usize| {
                    while *j < c.len() && c[*j].is_whitespace() {
                        *j += 1;
                    }
                };
                skip(&mut j);
                if c[j..].starts_with(&['b', 'o', 'o', 'l']) {
                    j += 4;
                    skip(&mut j);
                }
                let start = j;
                while j < c.len()
                    && (c[j].is_ascii_alphanumeric() || matches!(c[j], '.' | '+' | '-'))
                {
                    j += 1;
                }
                let lit: String = c[start..j].iter().collect();
                if !lit.is_empty() && lit.parse::<f64>().is_ok() {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    removed += 1;
                    i = j;
                    continue;
                }
            }
        }
        out.push(ch);
        i += 1;
    }
    (out, removed)
}

/// Dashboard template variables replaced as Grafana would for one interface.
fn substitute(expr: &str, iface: &str) -> String {
    expr.replace("${interface}", iface)
        .replace("$interface", iface)
        .replace("${instance}", ".*")
        .replace("$instance", ".*")
        .replace("$__rate_interval", "30s")
        .replace("$__interval", "30s")
        .replace("$__range", "1m")
}

fn promtool() -> &'static str {
    let ok = Command::new("promtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "promtool not found: install the `prometheus` Debian package (`cargo xtask setup`)"
    );
    "promtool"
}

/// A Prometheus configuration: the scrape example with the target, the
/// intervals and the rule file path replaced.
fn prometheus_config(dir: &Path, target: &str, interval: &str) -> PathBuf {
    let example = std::fs::read_to_string(grafana_dir().join("prometheus/scrape.yml"))
        .expect("read scrape.yml");
    for needle in ["127.0.0.1:9477", "scrape_interval: 15s", "- alerts.yml"] {
        assert!(
            example.contains(needle),
            "scrape.yml no longer contains `{needle}`"
        );
    }
    let alerts = grafana_dir().join("prometheus/alerts.yml");
    let alerts = alerts.canonicalize().expect("alerts.yml path");
    let cfg = example
        .replace("127.0.0.1:9477", target)
        .replace("interval: 15s", &format!("interval: {interval}"))
        .replace(
            "scrape_timeout: 10s",
            &format!("scrape_timeout: {interval}"),
        )
        .replace("- alerts.yml", &format!("- {}", alerts.display()));
    let path = dir.join("prometheus.yml");
    std::fs::write(&path, cfg).expect("write prometheus.yml");
    path
}

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("monitor-grafana-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------- static

#[test]
fn promtool_accepts_alerts_and_scrape_example() {
    let tool = promtool();
    let alerts = grafana_dir().join("prometheus/alerts.yml");
    let out = sh(&[tool, "check", "rules", &alerts.to_string_lossy()]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let n = alert_exprs().len();
    assert!(
        text.contains(&format!("SUCCESS: {n} rules found")),
        "promtool found a different number of rules than the {n} one-line `expr:`s: {text}"
    );
    let tmp = TempDir::new("check");
    let cfg = prometheus_config(&tmp.0, "127.0.0.1:9477", "15s");
    sh(&[tool, "check", "config", &cfg.to_string_lossy()]);
    // The example itself, as shipped (rule file beside it).
    let dir = grafana_dir().join("prometheus");
    let out = Command::new(tool)
        .args(["check", "config", "scrape.yml"])
        .current_dir(&dir)
        .output()
        .expect("run promtool");
    assert!(
        out.status.success(),
        "promtool check config scrape.yml: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dashboards_are_well_formed() {
    let mut uids = BTreeSet::new();
    let mut all_ids = 0;
    for (file, d) in dashboards() {
        assert!(d.get("__inputs").is_none(), "{file}: __inputs present");
        let schema = d.get("schemaVersion").cloned();
        assert!(
            matches!(schema, Some(Json::Num(v)) if v >= 36.0),
            "{file}: schemaVersion {schema:?}"
        );
        let uid = d.get("uid").and_then(Json::str).unwrap_or_default();
        assert!(
            !uid.is_empty() && uids.insert(uid.to_string()),
            "{file}: uid {uid:?} missing or reused"
        );
        let vars = d
            .path(&["templating", "list"])
            .map(Json::arr)
            .unwrap_or_default();
        let var = |name: &str| {
            vars.iter()
                .find(|v| v.get("name").and_then(Json::str) == Some(name))
                .unwrap_or_else(|| panic!("{file}: no `{name}` variable"))
        };
        let ds = var("datasource");
        assert_eq!(
            ds.get("type").and_then(Json::str),
            Some("datasource"),
            "{file}"
        );
        assert_eq!(
            ds.get("query").and_then(Json::str),
            Some("prometheus"),
            "{file}"
        );
        let iface = var("interface");
        let q = iface
            .path(&["query", "query"])
            .and_then(Json::str)
            .unwrap_or_default();
        assert!(
            q.starts_with("label_values(monitor_packets_total") && q.ends_with(", iface)"),
            "{file}: interface variable query {q:?}"
        );
        let mut ids = BTreeSet::new();
        let panels = d.get("panels").map(Json::arr).unwrap_or_default();
        assert!(!panels.is_empty(), "{file}: no panels");
        for p in panels {
            let title = p.get("title").and_then(Json::str).unwrap_or_default();
            let at = format!("{file} / {title:?}");
            assert!(!title.is_empty(), "{at}: no title");
            match p.get("id") {
                Some(Json::Num(id)) => assert!(ids.insert(*id as i64), "{at}: duplicate id {id}"),
                other => panic!("{at}: id {other:?}"),
            }
            let ds_uid = |v: &Json| {
                v.path(&["datasource", "uid"])
                    .and_then(Json::str)
                    .map(str::to_string)
            };
            assert_eq!(
                ds_uid(p).as_deref(),
                Some("${datasource}"),
                "{at}: datasource"
            );
            assert_eq!(
                p.path(&["datasource", "type"]).and_then(Json::str),
                Some("prometheus"),
                "{at}: datasource type"
            );
            let unit = p
                .path(&["fieldConfig", "defaults", "unit"])
                .and_then(Json::str)
                .unwrap_or_default();
            assert!(!unit.is_empty(), "{at}: no unit");
            let desc = p.get("description").and_then(Json::str).unwrap_or_default();
            assert!(desc.len() > 20, "{at}: no description");
            let targets = p.get("targets").map(Json::arr).unwrap_or_default();
            assert!(!targets.is_empty(), "{at}: no targets");
            for t in targets {
                let expr = t.get("expr").and_then(Json::str).unwrap_or_default();
                assert!(!expr.trim().is_empty(), "{at}: target without expr");
                assert_eq!(
                    ds_uid(t).as_deref(),
                    Some("${datasource}"),
                    "{at}: target datasource"
                );
                if expr.contains("iface") {
                    assert!(
                        expr.contains("iface=~\"$interface\""),
                        "{at}: per-interface query ignores $interface: {expr}"
                    );
                }
            }
            all_ids += 1;
        }
    }
    assert!(all_ids >= 20, "only {all_ids} panels");
}

/// Metric names (`monitor_*`, `process_*`) used in an expression.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        if word(b[i]) && (i == 0 || !word(b[i - 1])) {
            let start = i;
            while i < b.len() && word(b[i]) {
                i += 1;
            }
            let w = &expr[start..i];
            if w.starts_with("monitor_") || w.starts_with("process_") {
                out.insert(w.to_string());
            }
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn queries_use_catalogued_metrics() {
    let listed = catalogue();
    let mut exprs = dashboard_exprs();
    exprs.extend(alert_exprs());
    let mut unknown = Vec::new();
    for (at, e) in exprs {
        for name in metric_names(&e) {
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| {
                    name.strip_suffix(s)
                        .filter(|f| listed.get(*f).is_some_and(|t| t == "histogram"))
                })
                .unwrap_or(&name);
            if !listed.contains_key(family) {
                unknown.push(format!("{at}: {name}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "metrics not in docs/metrics.md:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn comparisons_are_stripped_from_alert_expressions() {
    assert_eq!(
        strip_comparisons("up{job=\"monitor\"} == 0"),
        ("up{job=\"monitor\"}".into(), 1)
    );
    assert_eq!(
        strip_comparisons("(a{x!=\"1\"} / b) > 0.05 and c > bool 1e3"),
        ("(a{x!=\"1\"} / b) and c".into(), 2)
    );
    assert_eq!(strip_comparisons("a > b"), ("a > b".into(), 0));
    for (name, e) in alert_exprs() {
        let (s, n) = strip_comparisons(&e);
        assert!(n >= 1, "{name}: no threshold comparison to strip in {e}");
        assert!(!s.contains(" > ") && !s.contains(" == "), "{name}: {s}");
    }
}

// ---------------------------------------------------------------- live

/// `# TYPE` of every family in a /metrics text.
fn exported_families(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_once(' '))
        .map(|(n, t)| (n.to_string(), t.trim().to_string()))
        .collect()
}

/// Name → type of every row of the catalogue's tables (first two columns).
fn catalogue() -> BTreeMap<String, String> {
    let path = workspace().join("docs/metrics.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        let name = cols[1].trim_matches('`').to_string();
        let ty = cols[2].to_string();
        assert!(
            out.insert(name.clone(), ty).is_none(),
            "catalogue lists {name} twice"
        );
    }
    out
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct Prometheus {
    child: Child,
    addr: String,
}

impl Prometheus {
    fn start(config: &Path, data: &Path) -> Self {
        let addr = format!("127.0.0.1:{}", free_port());
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run prometheus ({e}): install the `prometheus` Debian package (`cargo xtask setup`)")
            });
        let mut p = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_get(&p.addr, "/-/ready").is_none_or(|b| !b.contains("Ready")) {
            if let Ok(Some(st)) = p.child.try_wait() {
                panic!("prometheus exited early: {st}");
            }
            assert!(
                Instant::now() < deadline,
                "prometheus not ready within 30 s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        p
    }

    /// Instant query; the `data.result` vector.
    fn query(&self, expr: &str) -> Result<Vec<Json>, String> {
        let body = http_get(
            &self.addr,
            &format!("/api/v1/query?query={}", urlencode(expr)),
        )
        .ok_or("no answer from prometheus")?;
        let j = Json::parse(&body).map_err(|e| format!("{e}: {body}"))?;
        if j.get("status").and_then(Json::str) != Some("success") {
            return Err(format!("error: {body}"));
        }
        let rt = j.path(&["data", "resultType"]).and_then(Json::str);
        if rt != Some("vector") {
            return Err(format!("result type {rt:?}, not a vector"));
        }
        Ok(j.path(&["data", "result"])
            .map(Json::arr)
            .unwrap_or_default()
            .to_vec())
    }

    /// First value of an instant query (NaN when empty).
    fn value(&self, expr: &str) -> f64 {
        self.query(expr)
            .ok()
            .and_then(|r| r.first().cloned())
            .and_then(|s| s.get("value").map(|v| v.arr().to_vec()))
            .and_then(|v| v.get(1).and_then(Json::str).and_then(|s| s.parse().ok()))
            .unwrap_or(f64::NAN)
    }

    fn wait_for(&self, what: &str, expr: &str, ok: impl Fn(f64) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.value(expr);
            if ok(v) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: `{expr}` = {v} after 60 s"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        // SAFETY: plain kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Pings (two of them 3000 bytes: IPv4 fragments to reassemble), HTTP
/// fetches (established handshakes, data and ACKs) and SYNs to a closed port
/// (rejected handshakes).
fn traffic(net: &Netns) {
    let ns_ip = &net.ns_ip;
    sh(&["ping", "-q", "-c", "5", "-i", "0.2", ns_ip]);
    sh(&["ping", "-q", "-c", "2", "-i", "0.2", "-s", "3000", ns_ip]);
    for _ in 0..3 {
        sh(&[
            "curl",
            "-sf",
            "-o",
            "/dev/null",
            "--max-time",
            "5",
            &format!("http://{ns_ip}:8000/"),
        ]);
    }
    for _ in 0..3 {
        let to: std::net::SocketAddr = format!("{ns_ip}:9").parse().unwrap();
        let r = std::net::TcpStream::connect_timeout(&to, Duration::from_secs(2));
        assert!(r.is_err(), "port 9 unexpectedly open");
    }
}

#[test]
fn every_query_returns_data_from_a_live_daemon() {
    let t0 = Instant::now();
    let mut net = Netns::new("graf");
    let ns_ip = net.ns_ip.clone();
    net.serve_http(&ns_ip, 8000, None);

    let tmp = TempDir::new("live");
    // `web` is not decided exactly in the kernel (it cannot read
    // payloads): port candidates there, the payload check on samples in
    // user space, and an estimated total. `pings` is kernel-exact. Whole
    // frames are sampled, so fragments can be reassembled.
    let cfg = tmp.0.join("monitor.toml");
    std::fs::write(
        &cfg,
        "[sampling]\nsnaplen = 2048\n\n[tcp]\nhandshake_timeout = \"2s\"\n\n[[rule]]\nname = \"web\"\nfilter = \"tcp.port == 8000 && tcp.payload contains \\\"GET\\\"\"\nsample = 1.0\n\n[[rule]]\nname = \"pings\"\nfilter = \"icmp\"\n",
    )
    .unwrap();
    let iface = net.host_if.clone();
    let daemon = Daemon::start(&[
        "--config",
        &cfg.to_string_lossy(),
        "--iface",
        &iface,
        "--sample",
        "1",
        "--xdp-mode",
        "skb",
    ]);

    let data = tmp.0.join("data");
    let prom_cfg = prometheus_config(&tmp.0, &daemon.addr, "1s");
    let prom = Prometheus::start(&prom_cfg, &data);
    prom.wait_for(
        "first scrapes",
        "count_over_time(up{job=\"monitor\"}[1m])",
        |v| v >= 3.0,
    );
    assert_eq!(prom.value("up{job=\"monitor\"}"), 1.0, "daemon target down");

    traffic(&net);
    // Let the handshake timeout pass and the analyzer publish, then scrape.
    std::thread::sleep(Duration::from_secs(3));
    prom.wait_for(
        "a scrape after the traffic",
        &format!("sum(monitor_tcp_handshakes_total{{iface=\"{iface}\",outcome=\"rejected\"}})"),
        |v| v > 0.0,
    );
    std::thread::sleep(Duration::from_secs(3));

    // Catalogue == exported families.
    let text = http_get(&daemon.addr, "/metrics").expect("scrape");
    let exported = exported_families(&text);
    let listed = catalogue();
    let mut problems = Vec::new();
    for (name, ty) in &exported {
        match listed.get(name) {
            None => problems.push(format!(
                "exported but not in docs/metrics.md: {name} ({ty})"
            )),
            Some(t) if t != ty => {
                problems.push(format!("{name}: exported as {ty}, catalogued as {t}"))
            }
            _ => {}
        }
    }
    for name in listed.keys() {
        if !exported.contains_key(name) {
            problems.push(format!("in docs/metrics.md but not exported: {name}"));
        }
    }

    // Alert rules loaded and evaluating without errors.
    let rules = http_get(&prom.addr, "/api/v1/rules").expect("rules API");
    let rules = Json::parse(&rules).expect("rules JSON");
    let mut loaded = 0;
    for g in rules
        .path(&["data", "groups"])
        .map(Json::arr)
        .unwrap_or_default()
    {
        for r in g.get("rules").map(Json::arr).unwrap_or_default() {
            loaded += 1;
            let health = r.get("health").and_then(Json::str).unwrap_or_default();
            if health == "err" {
                problems.push(format!(
                    "alert rule {:?} evaluates with an error: {:?}",
                    r.get("name"),
                    r.get("lastError")
                ));
            }
        }
    }
    let alerts = alert_exprs();
    assert_eq!(loaded, alerts.len(), "prometheus loaded {loaded} rules");

    // Every expression returns data.
    let mut queries: Vec<(String, String)> = dashboard_exprs()
        .into_iter()
        .map(|(at, e)| (at, substitute(&e, &iface)))
        .collect();
    for (name, e) in &alerts {
        queries.push((format!("alert {name}"), strip_comparisons(e).0));
    }
    for (at, q) in &queries {
        if q.contains('$') {
            problems.push(format!("{at}: unsubstituted variable in {q}"));
            continue;
        }
        match prom.query(q) {
            Ok(r) if r.is_empty() => problems.push(format!("{at}: no data for {q}")),
            Ok(r) => {
                let v = r[0]
                    .get("value")
                    .map(|v| v.arr().to_vec())
                    .unwrap_or_default();
                let v = v.get(1).and_then(Json::str).unwrap_or("?").to_string();
                eprintln!("ok ({} series, first {v}): {at}", r.len());
            }
            Err(e) => problems.push(format!("{at}: {e} for {q}")),
        }
    }

    // The traffic shows where it should (the queries are not just zeros).
    let checks = [
        (
            "ICMP counted",
            format!("sum(monitor_protocol_packets_total{{iface=\"{iface}\",protocol=\"icmp\"}})"),
        ),
        (
            "handshakes established",
            format!(
                "sum(monitor_tcp_handshakes_total{{iface=\"{iface}\",outcome=\"established\"}})"
            ),
        ),
        (
            "handshakes rejected",
            format!("sum(monitor_tcp_handshakes_total{{iface=\"{iface}\",outcome=\"rejected\"}})"),
        ),
        (
            "handshake RTT observed",
            format!("sum(monitor_tcp_handshake_rtt_seconds_count{{iface=\"{iface}\"}})"),
        ),
        (
            "ACK RTT observed",
            format!("sum(monitor_tcp_ack_rtt_seconds_count{{iface=\"{iface}\"}})"),
        ),
        (
            "rule candidates in the kernel",
            format!("sum(monitor_rule_candidates_total{{iface=\"{iface}\",rule=\"web\"}})"),
        ),
        (
            "kernel-exact rule counted",
            format!("sum(monitor_rule_packets_total{{iface=\"{iface}\",rule=\"pings\"}})"),
        ),
        (
            "rule matched in user space",
            format!("sum(monitor_rule_user_matches_total{{iface=\"{iface}\",rule=\"web\"}})"),
        ),
        (
            "rule total estimated",
            format!("sum(monitor_rule_packets_estimated_total{{iface=\"{iface}\",rule=\"web\"}})"),
        ),
        (
            "kernel-exact rule described",
            "monitor_rule_info{rule=\"pings\",kernel_exact=\"true\",exact_series=\"monitor_rule_packets_total\"}".to_string(),
        ),
        (
            "IPv4 datagrams reassembled",
            "monitor_reassembly_completed_total{protocol=\"ipv4\"}".to_string(),
        ),
        (
            "scrapes timed",
            "monitor_scrape_duration_seconds_count".to_string(),
        ),
    ];
    for (what, q) in checks {
        let v = prom.value(&q);
        if v.is_nan() || v <= 0.0 {
            problems.push(format!("{what}: `{q}` = {v}"));
        }
    }

    // Every frame is sampled (sample = 1): the estimate is the count.
    let user = prom.value(&format!(
        "sum(monitor_rule_user_matches_total{{iface=\"{iface}\",rule=\"web\"}})"
    ));
    let estimated = prom.value(&format!(
        "sum(monitor_rule_packets_estimated_total{{iface=\"{iface}\",rule=\"web\"}})"
    ));
    if user != estimated {
        problems.push(format!(
            "with every frame sampled the estimate {estimated} should equal the {user} matches"
        ));
    }
    // A rule the kernel cannot decide has no kernel "packets" series.
    let web_packets = prom
        .query(&format!(
            "monitor_rule_packets_total{{iface=\"{iface}\",rule=\"web\"}}"
        ))
        .unwrap_or_default();
    if !web_packets.is_empty() {
        problems.push("monitor_rule_packets_total exported for a non-exact rule".into());
    }

    drop(prom);
    drop(daemon);
    drop(net);
    drop(tmp);
    eprintln!(
        "{} queries checked, {} families compared, {:.1} s",
        queries.len(),
        exported.len(),
        t0.elapsed().as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
