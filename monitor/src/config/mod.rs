//! The daemon's configuration file (TOML), validated completely before
//! anything touches the kernel. Errors point at `file:line:column` with a
//! caret under the problem.
//!
//! Command-line flags of `monitor run` override the file; see
//! [`crate::daemon::RunOptions`].

use std::{
    collections::HashSet,
    fmt,
    net::SocketAddr,
    ops::Range,
    path::{Path, PathBuf},
    time::Duration,
};

use serde::Deserialize;
use toml::Spanned;

use crate::ebpf::XdpAttachMode;

pub mod catalogue;
pub mod trigger;

/// Default location of the configuration file.
pub const DEFAULT_PATH: &str = "/etc/monitor/monitor.toml";

/// Maximum number of rules.
pub const MAX_RULES: usize = monitor_common::rules::MAX_RULES as usize;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Daemon settings.
    #[serde(default)]
    pub daemon: Daemon,
    /// Interfaces to monitor (default: the default route's interface).
    #[serde(default, rename = "interface")]
    pub interfaces: Vec<Interface>,
    /// Sampling of packets to user space.
    #[serde(default)]
    pub sampling: Sampling,
    /// Rules: display filters counted per rule.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
    /// TCP analysis.
    #[serde(default)]
    pub tcp: Tcp,
    /// Flight recorder.
    #[serde(default)]
    pub recorder: Recorder,
    /// Dump files.
    #[serde(default)]
    pub dumps: Dumps,
    /// Automatic dumps.
    #[serde(default, rename = "trigger")]
    pub triggers: Vec<Trigger>,
}

/// `[daemon]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Daemon {
    /// HTTP API and `/metrics` address.
    pub listen: Spanned<String>,
    /// Log level (`error`, `warn`, `info`, `debug`, `trace`) or an
    /// `EnvFilter` directive.
    pub log_level: String,
    /// How log lines are written: plain text, or one JSON object per line.
    pub log_format: LogFormat,
    /// Directory for dumps.
    pub dump_dir: PathBuf,
    /// File holding the bearer token required when `listen` is not loopback.
    pub token_file: Option<PathBuf>,
    /// Threads analysing TCP header records, each with its share of the
    /// flows (default: the number of cores, at most 4).
    pub workers: Option<Spanned<u32>>,
}

impl Default for Daemon {
    fn default() -> Self {
        Self {
            listen: Spanned::new(0..0, "127.0.0.1:9477".into()),
            log_level: "info".into(),
            log_format: LogFormat::Text,
            dump_dir: "/var/lib/monitor/dumps".into(),
            token_file: None,
            workers: None,
        }
    }
}

/// `[daemon] log_format`: how the daemon writes its log on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// A size: a number of bytes, or a string with a unit (`"64MiB"`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Size {
    /// Bytes.
    Bytes(u64),
    /// With a unit.
    Text(String),
}

impl Size {
    fn bytes(&self) -> Result<u64, String> {
        match self {
            Size::Bytes(b) => Ok(*b),
            Size::Text(t) => parse_size(t),
        }
    }
}

/// `[[interface]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    /// Interface name.
    pub name: Spanned<String>,
    /// XDP attach mode.
    #[serde(default)]
    pub xdp_mode: XdpAttachMode,
}

/// `[sampling]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sampling {
    /// Fraction of all packets copied to user space.
    pub sample: Spanned<f64>,
    /// Bytes copied per sampled packet.
    pub snaplen: Spanned<u32>,
    /// Size of each ring buffer (power of two).
    pub ring_bytes: Spanned<Size>,
}

impl Default for Sampling {
    fn default() -> Self {
        Self {
            sample: Spanned::new(0..0, 0.01),
            snaplen: Spanned::new(0..0, monitor_common::DEFAULT_SNAPLEN),
            ring_bytes: Spanned::new(0..0, Size::Bytes(crate::ebpf::DEFAULT_RING_BYTES.into())),
        }
    }
}

/// `[[rule]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Name (the `rule` label of the per-rule metrics).
    pub name: Spanned<String>,
    /// Display filter.
    pub filter: Spanned<String>,
    /// Fraction of matching packets to sample.
    #[serde(default = "zero_fraction")]
    pub sample: Spanned<f64>,
}

fn zero_fraction() -> Spanned<f64> {
    Spanned::new(0..0, 0.0)
}

/// `[tcp]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tcp {
    /// Display filter selecting the TCP segments analysed.
    pub scope: Spanned<String>,
    /// Maximum conversations tracked.
    pub max_flows: Spanned<u64>,
    /// Time after which an unanswered or unfinished handshake is a failure.
    pub handshake_timeout: Spanned<String>,
    /// A conversation silent this long is forgotten.
    pub idle_timeout: Spanned<String>,
}

impl Default for Tcp {
    fn default() -> Self {
        Self {
            scope: Spanned::new(0..0, "tcp".into()),
            max_flows: Spanned::new(0..0, 100_000),
            handshake_timeout: Spanned::new(0..0, "10s".into()),
            idle_timeout: Spanned::new(0..0, "1h".into()),
        }
    }
}

/// `[recorder]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Recorder {
    /// Memory bound.
    pub max_bytes: Spanned<Size>,
    /// Oldest record kept (optional).
    pub max_age: Option<Spanned<String>>,
    /// Display filter of what enters the recorder (empty: every sample).
    pub filter: Spanned<String>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self {
            max_bytes: Spanned::new(0..0, Size::Text("64MiB".into())),
            max_age: None,
            filter: Spanned::new(0..0, String::new()),
        }
    }
}

/// `[dumps]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Dumps {
    /// Dump files kept in the dump directory.
    pub max_files: Spanned<u64>,
    /// Total size kept in the dump directory.
    pub max_bytes: Spanned<Size>,
}

impl Default for Dumps {
    fn default() -> Self {
        Self {
            max_files: Spanned::new(0..0, 20),
            max_bytes: Spanned::new(0..0, Size::Text("1GiB".into())),
        }
    }
}

/// `[[trigger]]`: dump automatically when a counter grows fast.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Name (in logs and the dump file name).
    pub name: Spanned<String>,
    /// Metric watched, with optional exact label matchers
    /// (`monitor_rule_packets_total{rule="web"}`); matching series are summed.
    pub metric: Spanned<String>,
    /// `increase` (over the window), `rate` (per second over the window) or
    /// `value` (the current value).
    #[serde(default = "default_condition")]
    pub condition: Spanned<String>,
    /// Growth that fires the trigger within `window`.
    pub threshold: Spanned<f64>,
    /// Window.
    pub window: Spanned<String>,
    /// Minimum time between two dumps of this trigger.
    #[serde(default = "default_cooldown")]
    pub cooldown: Spanned<String>,
}

fn default_condition() -> Spanned<String> {
    Spanned::new(0..0, "increase".into())
}

fn default_cooldown() -> Spanned<String> {
    Spanned::new(0..0, "5m".into())
}

/// A configuration error with its position.
#[derive(Debug)]
pub struct ConfigError {
    /// File name as given.
    pub file: String,
    /// Byte span in the file (empty when the problem has no position).
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    source_text: String,
}

impl ConfigError {
    fn new(file: &str, text: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            span,
            message: message.into(),
            source_text: text.into(),
        }
    }

    /// The error on one line (`file:line:column: message`), for logs.
    pub fn summary(&self) -> String {
        let msg = self.message.replace('\n', " ");
        if self.span.is_empty() && self.span.start == 0 {
            return format!("{}: {msg}", self.file);
        }
        let (line, col) = self.line_col();
        format!("{}:{line}:{col}: {msg}", self.file)
    }

    /// 1-based line and column of the start of the span.
    pub fn line_col(&self) -> (usize, usize) {
        let start = self.span.start.min(self.source_text.len());
        let before = &self.source_text[..start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.span.is_empty() && self.span.start == 0 {
            return write!(f, "{}: error: {}", self.file, self.message);
        }
        let (line, col) = self.line_col();
        writeln!(f, "{}:{line}:{col}: error: {}", self.file, self.message)?;
        let text = self.source_text.lines().nth(line - 1).unwrap_or("");
        let width = line.to_string().len();
        let len = self
            .span
            .len()
            .max(1)
            .min(text.chars().count().saturating_sub(col - 1).max(1));
        writeln!(f, "{:width$} |", "")?;
        writeln!(f, "{line} | {text}")?;
        write!(
            f,
            "{:width$} | {}{}",
            "",
            " ".repeat(col - 1),
            "^".repeat(len)
        )
    }
}

impl std::error::Error for ConfigError {}

/// Most TCP analysis worker threads (`[daemon] workers`).
pub const MAX_WORKERS: u32 = 64;

/// A validated configuration, with values resolved to their types.
#[derive(Debug)]
pub struct Validated {
    /// The parsed file.
    pub config: Config,
    /// Ring buffer size in bytes.
    pub ring_bytes: u32,
    /// TCP handshake timeout.
    pub handshake_timeout: Duration,
    /// TCP idle timeout.
    pub idle_timeout: Duration,
    /// Recorder bound in bytes.
    pub recorder_bytes: u64,
    /// Recorder age bound.
    pub recorder_age: Option<Duration>,
    /// Dump directory size bound.
    pub dumps_bytes: u64,
    /// Listen address.
    pub listen: SocketAddr,
    /// TCP analysis worker threads.
    pub workers: usize,
}

/// Parse a size like `64MiB`, `1GiB`, `512k`, `4096`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size (e.g. 64MiB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "'{s}' has an unknown unit (use B, KiB, MiB or GiB)"
            ))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("'{s}' is too large"))
}

/// Parse a duration like `10s`, `5m`, `250ms`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("'{s}' is not a duration (e.g. 10s, 5m): {e}"))
}

/// A check a caller adds to validation, e.g. compiling every filter; it
/// gets the filter text and returns the error's byte span within it.
pub type FilterCheck<'a> = &'a dyn Fn(&str) -> Result<(), crate::filter::FilterError>;

/// Read, parse and validate a file.
pub fn load(path: &Path, check_filter: FilterCheck<'_>) -> Result<Validated, ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(&name, "", 0..0, format!("cannot read: {e}")))?;
    parse(&name, &text, check_filter)
}

/// Where a client reaches the daemon a file configures: the address to
/// connect to (an unspecified `listen` address, `0.0.0.0` or `::`, is
/// reached on loopback) and its token file. Only `[daemon]` is looked at,
/// so a client works with a file whose rules name interfaces of another
/// host.
pub fn daemon_endpoint(path: &Path) -> Result<(SocketAddr, Option<PathBuf>), ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(&name, "", 0..0, format!("cannot read: {e}")))?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        ConfigError::new(
            &name,
            &text,
            e.span().unwrap_or(0..0),
            e.message().to_string(),
        )
    })?;
    let listen = &config.daemon.listen;
    let mut addr: SocketAddr = listen.get_ref().parse().map_err(|_| {
        ConfigError::new(
            &name,
            &text,
            listen.span(),
            format!("'{}' is not an address:port", listen.get_ref()),
        )
    })?;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    Ok((addr, config.daemon.token_file))
}

/// Parse and validate configuration text.
pub fn parse(
    name: &str,
    text: &str,
    check_filter: FilterCheck<'_>,
) -> Result<Validated, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|e| {
        ConfigError::new(
            name,
            text,
            e.span().unwrap_or(0..0),
            e.message().to_string(),
        )
    })?;
    let v = Validator {
        name,
        text,
        check_filter,
    };
    let (listen, workers) = v.daemon(&config)?;
    v.interfaces(&config)?;
    let ring = v.sampling(&config)?;
    v.rules(&config)?;
    let (handshake_timeout, idle_timeout) = v.tcp(&config)?;
    let (recorder_bytes, recorder_age) = v.recorder(&config)?;
    let dumps_bytes = config
        .dumps
        .max_bytes
        .get_ref()
        .bytes()
        .map_err(|m| v.err(config.dumps.max_bytes.span(), m))?;
    v.triggers(&config)?;
    Ok(Validated {
        ring_bytes: ring as u32,
        handshake_timeout,
        idle_timeout,
        recorder_bytes,
        recorder_age,
        dumps_bytes,
        listen,
        workers,
        config,
    })
}

/// The checks of [`parse`], one method per section, each pointing its
/// errors into the file.
struct Validator<'a> {
    name: &'a str,
    text: &'a str,
    check_filter: FilterCheck<'a>,
}

impl Validator<'_> {
    fn err(&self, span: Range<usize>, msg: String) -> ConfigError {
        ConfigError::new(self.name, self.text, span, msg)
    }

    /// `[daemon]`: the listen address (a token beyond loopback) and the
    /// number of TCP analysis workers.
    fn daemon(&self, config: &Config) -> Result<(SocketAddr, usize), ConfigError> {
        let listen: SocketAddr = config.daemon.listen.get_ref().parse().map_err(|_| {
            self.err(
                config.daemon.listen.span(),
                format!(
                    "'{}' is not an address:port",
                    config.daemon.listen.get_ref()
                ),
            )
        })?;
        if !listen.ip().is_loopback() && config.daemon.token_file.is_none() {
            return Err(self.err(
                config.daemon.listen.span(),
                "listening beyond loopback needs `token_file` (a bearer token for the HTTP API)"
                    .into(),
            ));
        }
        let workers = match &config.daemon.workers {
            Some(w) if !(1..=MAX_WORKERS).contains(w.get_ref()) => {
                return Err(self.err(
                    w.span(),
                    format!("workers must be between 1 and {MAX_WORKERS}"),
                ));
            }
            Some(w) => *w.get_ref() as usize,
            None => std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        };
        Ok((listen, workers))
    }

    /// `[[interface]]`: valid names, each listed once.
    fn interfaces(&self, config: &Config) -> Result<(), ConfigError> {
        let mut seen = HashSet::new();
        for i in &config.interfaces {
            let n = i.name.get_ref();
            if n.is_empty() || n.len() > 15 || n.contains('/') || n.contains(char::is_whitespace) {
                return Err(self.err(
                    i.name.span(),
                    format!("'{n}' is not a valid interface name"),
                ));
            }
            if !seen.insert(n.clone()) {
                return Err(self.err(i.name.span(), format!("interface '{n}' is listed twice")));
            }
        }
        Ok(())
    }

    /// `[sampling]`: fraction, snaplen, ring size; returns the ring size.
    fn sampling(&self, config: &Config) -> Result<u64, ConfigError> {
        let s = &config.sampling;
        if !(0.0..=1.0).contains(s.sample.get_ref()) {
            return Err(self.err(s.sample.span(), "sample must be between 0 and 1".into()));
        }
        if !(1..=monitor_common::MAX_SNAPLEN).contains(s.snaplen.get_ref()) {
            return Err(self.err(
                s.snaplen.span(),
                format!(
                    "snaplen must be between 1 and {}",
                    monitor_common::MAX_SNAPLEN
                ),
            ));
        }
        let ring = s
            .ring_bytes
            .get_ref()
            .bytes()
            .map_err(|m| self.err(s.ring_bytes.span(), m))?;
        if ring < 4096 || !ring.is_power_of_two() || ring > 1 << 30 {
            return Err(self.err(
                s.ring_bytes.span(),
                "ring_bytes must be a power of two between 4KiB and 1GiB".into(),
            ));
        }
        Ok(ring)
    }

    /// `[[rule]]`: at most [`MAX_RULES`], unique valid names, fractions,
    /// filters that compile.
    fn rules(&self, config: &Config) -> Result<(), ConfigError> {
        if config.rules.len() > MAX_RULES {
            return Err(self.err(
                config.rules[MAX_RULES].name.span(),
                format!("at most {MAX_RULES} rules"),
            ));
        }
        let mut names = HashSet::new();
        for r in &config.rules {
            let n = r.name.get_ref();
            if n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            {
                return Err(self.err(
                    r.name.span(),
                    format!("rule name '{n}' must be letters, digits, '_', '-' or '.'"),
                ));
            }
            if !names.insert(n.clone()) {
                return Err(self.err(r.name.span(), format!("rule '{n}' is defined twice")));
            }
            if !(0.0..=1.0).contains(r.sample.get_ref()) {
                return Err(self.err(r.sample.span(), "sample must be between 0 and 1".into()));
            }
            filter_ok(self.text, &r.filter, self.check_filter)
                .map_err(|(sp, m)| self.err(sp, m))?;
        }
        Ok(())
    }

    /// `[tcp]`: scope filter, table size and timeouts; returns the
    /// handshake and idle timeouts.
    fn tcp(&self, config: &Config) -> Result<(Duration, Duration), ConfigError> {
        filter_ok(self.text, &config.tcp.scope, self.check_filter)
            .map_err(|(sp, m)| self.err(sp, m))?;
        if *config.tcp.max_flows.get_ref() == 0 {
            return Err(self.err(
                config.tcp.max_flows.span(),
                "max_flows must be at least 1".into(),
            ));
        }
        let handshake_timeout = parse_duration(config.tcp.handshake_timeout.get_ref())
            .map_err(|m| self.err(config.tcp.handshake_timeout.span(), m))?;
        let idle_timeout = parse_duration(config.tcp.idle_timeout.get_ref())
            .map_err(|m| self.err(config.tcp.idle_timeout.span(), m))?;
        // Zero would end every attempt as unanswered before its SYN/ACK; past
        // the idle timeout the conversation is forgotten before the verdict.
        if handshake_timeout.is_zero() || handshake_timeout > idle_timeout {
            return Err(self.err(
                config.tcp.handshake_timeout.span(),
                format!(
                    "handshake_timeout must be above zero and at most idle_timeout ({})",
                    config.tcp.idle_timeout.get_ref()
                ),
            ));
        }
        Ok((handshake_timeout, idle_timeout))
    }

    /// `[recorder]`: size, age and filter; returns the size and the age.
    fn recorder(&self, config: &Config) -> Result<(u64, Option<Duration>), ConfigError> {
        let recorder_bytes = config
            .recorder
            .max_bytes
            .get_ref()
            .bytes()
            .map_err(|m| self.err(config.recorder.max_bytes.span(), m))?;
        let recorder_age = match &config.recorder.max_age {
            Some(a) => Some(parse_duration(a.get_ref()).map_err(|m| self.err(a.span(), m))?),
            None => None,
        };
        if !config.recorder.filter.get_ref().is_empty() {
            filter_ok(self.text, &config.recorder.filter, self.check_filter)
                .map_err(|(sp, m)| self.err(sp, m))?;
        }
        Ok((recorder_bytes, recorder_age))
    }

    /// `[[trigger]]`: a catalogued metric with labels it has (and only
    /// configured interfaces), a condition, a positive threshold, durations.
    fn triggers(&self, config: &Config) -> Result<(), ConfigError> {
        for t in &config.triggers {
            if !t.metric.get_ref().starts_with("monitor_") {
                return Err(self.err(
                    t.metric.span(),
                    "a trigger watches one of the daemon's metrics (monitor_…)".into(),
                ));
            }
            let (family, matchers) = trigger::parse_selector(t.metric.get_ref())
                .map_err(|m| self.err(t.metric.span(), m))?;
            let rules: Vec<(&str, Option<bool>)> = config
                .rules
                .iter()
                .map(|r| {
                    let exact = crate::filter::kernel::kernel_rule(r.filter.get_ref())
                        .ok()
                        .map(|(_, exact)| exact);
                    (r.name.get_ref().as_str(), exact)
                })
                .collect();
            catalogue::check_selector(&family, &matchers, &rules)
                .map_err(|m| self.err(t.metric.span(), m))?;
            // Interfaces named in the file are the ones monitored (unless
            // --iface replaces them): a trigger on another one never fires.
            if let Some((_, name)) = matchers.iter().find(|(k, _)| k == "iface") {
                if !config.interfaces.is_empty()
                    && !config.interfaces.iter().any(|i| i.name.get_ref() == name)
                {
                    return Err(self.err(
                        t.metric.span(),
                        format!("interface '{name}' is not one of the [[interface]] entries"),
                    ));
                }
            }
            trigger::parse_condition(t.condition.get_ref())
                .map_err(|m| self.err(t.condition.span(), m))?;
            if *t.threshold.get_ref() <= 0.0 {
                return Err(self.err(t.threshold.span(), "threshold must be positive".into()));
            }
            parse_duration(t.window.get_ref()).map_err(|m| self.err(t.window.span(), m))?;
            parse_duration(t.cooldown.get_ref()).map_err(|m| self.err(t.cooldown.span(), m))?;
        }
        Ok(())
    }
}

/// Check one filter; map its error span into the file (inside the quotes).
fn filter_ok(
    text: &str,
    f: &Spanned<String>,
    check: FilterCheck<'_>,
) -> Result<(), (Range<usize>, String)> {
    check(f.get_ref()).map_err(|e| {
        let base = f.span().start;
        let quote = text
            .get(base..base + 1)
            .map_or(0, |q| usize::from(q == "\"" || q == "'"));
        let span = e.span.unwrap_or_default();
        let start = base + quote + span.start;
        let len = span.end.saturating_sub(span.start);
        (start..start + len.max(1), e.message)
    })
}

/// The first configured interface this host does not have, as an error.
pub fn check_host(path: &Path, v: &Validated) -> Result<(), ConfigError> {
    let Some(missing) = v
        .config
        .interfaces
        .iter()
        .find(|i| crate::ebpf::sys::ifindex(i.name.get_ref()).is_none())
    else {
        return Ok(());
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    Err(ConfigError::new(
        &name,
        &text,
        missing.name.span(),
        format!(
            "interface '{}' does not exist on this host (--no-host-check for a configuration written for another host)",
            missing.name.get_ref()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_filter_check(_: &str) -> Result<(), crate::filter::FilterError> {
        Ok(())
    }

    #[test]
    fn clients_reach_the_configured_listen_address() {
        let dir = std::env::temp_dir().join(format!("monitor-endpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let endpoint = |text: &str| {
            let p = dir.join("monitor.toml");
            std::fs::write(&p, text).unwrap();
            daemon_endpoint(&p).map_err(|e| e.summary())
        };
        let (addr, token) = endpoint("").unwrap();
        assert_eq!((addr.to_string(), token), ("127.0.0.1:9477".into(), None));
        let (addr, token) = endpoint(
            "[daemon]\nlisten = \"127.0.0.2:9100\"\ntoken_file = \"/etc/t\"\n\
             [[interface]]\nname = \"not-here0\"\n",
        )
        .unwrap();
        assert_eq!(addr.to_string(), "127.0.0.2:9100");
        assert_eq!(token, Some(PathBuf::from("/etc/t")));
        let (addr, _) = endpoint("[daemon]\nlisten = \"0.0.0.0:9200\"\n").unwrap();
        assert_eq!(addr.to_string(), "127.0.0.1:9200");
        let (addr, _) = endpoint("[daemon]\nlisten = \"[::]:9200\"\n").unwrap();
        assert_eq!(addr.to_string(), "[::1]:9200");
        let e = endpoint("[daemon]\nlisten = \"nowhere\"\n").unwrap_err();
        assert!(e.contains("2:") && e.contains("not an address"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn render(text: &str) -> String {
        parse("monitor.toml", text, &no_filter_check)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn trigger_interfaces_are_the_configured_ones() {
        let base = "[[interface]]\nname = \"eth0\"\n\n[[trigger]]\nname = \"t\"\nthreshold = 1.0\nwindow = \"1m\"\n";
        let with = |m: &str| format!("{base}metric = '{m}'\n");
        assert!(parse(
            "m.toml",
            &with(r#"monitor_packets_total{iface="eth0"}"#),
            &no_filter_check
        )
        .is_ok());
        let e = render(&with(r#"monitor_packets_total{iface="eth1"}"#));
        assert!(
            e.contains("interface 'eth1' is not one of the [[interface]] entries"),
            "{e}"
        );
        // Without [[interface]] entries the interfaces come from --iface.
        let free = "[[trigger]]\nname = \"t\"\nthreshold = 1.0\nwindow = \"1m\"\nmetric = 'monitor_packets_total{iface=\"eth1\"}'\n";
        assert!(parse("m.toml", free, &no_filter_check).is_ok());
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let v = parse("m.toml", "", &no_filter_check).unwrap();
        assert_eq!(v.listen, "127.0.0.1:9477".parse().unwrap());
        assert_eq!(v.ring_bytes, 8 << 20);
        assert_eq!(v.handshake_timeout, Duration::from_secs(10));
        assert_eq!(v.recorder_bytes, 64 << 20);
        assert_eq!(*v.config.tcp.scope.get_ref(), "tcp");
        assert!((1..=4).contains(&v.workers), "{}", v.workers);
    }

    #[test]
    fn unknown_key_points_at_it() {
        let e = render("[[rule]]\nname = \"web\"\nfiltr = \"tcp\"\n");
        assert!(
            e.starts_with("monitor.toml:3:1: error: unknown field `filtr`"),
            "{e}"
        );
        assert!(e.contains("3 | filtr = \"tcp\"\n  | ^"), "{e}");
    }

    #[test]
    fn log_format_is_text_or_json() {
        let v = parse("m.toml", "", &no_filter_check).unwrap();
        assert_eq!(v.config.daemon.log_format, LogFormat::Text);
        let v = parse(
            "m.toml",
            "[daemon]\nlog_format = \"json\"\n",
            &no_filter_check,
        )
        .unwrap();
        assert_eq!(v.config.daemon.log_format, LogFormat::Json);
        let e = render("[daemon]\nlog_format = \"xml\"\n");
        assert!(
            e.starts_with(
                "monitor.toml:2:14: error: unknown variant `xml`, expected `text` or `json`"
            ),
            "{e}"
        );
    }

    #[test]
    fn bad_values_point_at_the_value() {
        let e = render("[sampling]\nsample = 1.5\n");
        assert!(
            e.starts_with("monitor.toml:2:10: error: sample must be between 0 and 1"),
            "{e}"
        );
        let e = render("[tcp]\nhandshake_timeout = \"soon\"\n");
        assert!(
            e.starts_with("monitor.toml:2:21: error: 'soon' is not a duration"),
            "{e}"
        );
        let e = render("[tcp]\nhandshake_timeout = \"0s\"\n");
        assert!(
            e.starts_with("monitor.toml:2:21: error: handshake_timeout must be above zero"),
            "{e}"
        );
        let e = render("[tcp]\nhandshake_timeout = \"2m\"\nidle_timeout = \"1m\"\n");
        assert!(e.contains("at most idle_timeout (1m)"), "{e}");
        let v = parse(
            "m.toml",
            "[tcp]\nhandshake_timeout = \"1500ms\"\n",
            &no_filter_check,
        );
        assert_eq!(v.unwrap().handshake_timeout, Duration::from_millis(1500));
        let e = render("[daemon]\nlisten = \"0.0.0.0:9477\"\n");
        assert!(e.contains("needs `token_file`"), "{e}");
        let e = render("[daemon]\nworkers = 0\n");
        assert!(
            e.starts_with("monitor.toml:2:11: error: workers must be between 1 and 64"),
            "{e}"
        );
        let v = parse("m.toml", "[daemon]\nworkers = 3\n", &no_filter_check);
        assert_eq!(v.unwrap().workers, 3);
        let e = render(
            "[[rule]]\nname = \"a\"\nfilter = \"tcp\"\n[[rule]]\nname = \"a\"\nfilter = \"udp\"\n",
        );
        assert!(
            e.starts_with("monitor.toml:5:8: error: rule 'a' is defined twice"),
            "{e}"
        );
    }

    #[test]
    fn filter_errors_land_inside_the_string() {
        let check = |f: &str| -> Result<(), crate::filter::FilterError> {
            match f.find("bogus") {
                Some(i) => Err(crate::filter::FilterError::new(
                    "unknown field",
                    crate::filter::ast::Span {
                        start: i,
                        end: i + 5,
                    },
                )),
                None => Ok(()),
            }
        };
        let e = parse(
            "m.toml",
            "[[rule]]\nname = \"x\"\nfilter = \"tcp && bogus\"\n",
            &check,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("m.toml:3:18: error: unknown field"), "{e}");
        assert!(e.ends_with("|                  ^^^^^"), "{e}");
    }

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
    }
}
