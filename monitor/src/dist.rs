//! The manual pages and shell completions in `monitor/dist/`, rendered
//! from the clap definitions: `monitor.1` (every command, with the
//! daemon's signals, files and environment) and one page per subcommand
//! (`monitor-read.1`, `monitor-filter-check.1`, …) in `dist/man/`, and
//! bash, zsh and fish completions in `dist/completions/`.
//!
//! The test below compares the committed files with a fresh rendering;
//! `cargo xtask man` runs it with `MONITOR_WRITE_DIST=1`, which writes
//! them instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::CommandFactory as _;
use clap_complete::Shell;

/// Sections of `monitor.1` that the clap definitions do not hold.
const TOP_EXTRA: &str = r#".SH SIGNALS
For
.BR "monitor run" :
SIGINT and SIGTERM detach the programs and exit 0. SIGHUP re\-reads the
configuration file and swaps the rules in the kernel without detaching; an
invalid file is rejected with a log line and the running rules stay.
SIGUSR1 writes a pcapng of the flight recorder into the dump directory
.RB ( "systemctl kill \-s USR1 monitor"
under systemd).
.SH EXIT STATUS
0 after a clean stop or a successful command; 2 when the invocation is
wrong (an unknown interface, missing privileges, an invalid filter or
configuration) or the command fails, with one line on stderr naming the
problem.
.SH ENVIRONMENT
.TP
.B RUST_LOG
Log filter of the daemon, such as
.B debug
or
.BR monitor=trace .
Logs go to stderr.
.SH FILES
.TP
.I /etc/monitor/monitor.toml
Configuration read by the systemd unit; its comments document every
setting.
.BR "monitor dump" ,
.B monitor status
and
.B monitor tail
take the daemon's address and token file from it.
.TP
.I /lib/systemd/system/monitor.service
The hardened systemd unit (not enabled on install).
.TP
.I /var/lib/monitor/dumps
Dumps written on SIGUSR1 and by triggers.
.TP
.I /usr/share/monitor/grafana/
Grafana dashboards and Prometheus alert rules.
"#;

/// The `monitor` command as clap sees it, built (subcommands carry their
/// full names, `monitor-filter-check`), without the `help` subcommand.
fn command() -> clap::Command {
    let mut cmd = crate::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Every non-hidden subcommand at every depth, parents first.
fn subcommands(cmd: &clap::Command) -> Vec<clap::Command> {
    let mut out = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.push(sub.clone());
        out.extend(subcommands(sub));
    }
    out
}

fn page_name(cmd: &clap::Command) -> String {
    cmd.get_display_name().unwrap_or(cmd.get_name()).to_string()
}

/// The top page: clap's sections, the hand-written ones, and every other
/// page under SEE ALSO so that `man monitor` leads to each command.
fn top_page(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    man.render_subcommands_section(&mut out)?;
    out.extend_from_slice(TOP_EXTRA.as_bytes());
    out.extend_from_slice(b".SH SEE ALSO\n");
    for sub in &subcommands(cmd) {
        out.extend_from_slice(format!(".BR {} (1),\n", page_name(sub)).as_bytes());
    }
    out.extend_from_slice(b".BR tshark (1)\n");
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Every file of `monitor/dist/{man,completions}`, by path relative to
/// `monitor/dist`.
fn render() -> std::io::Result<BTreeMap<PathBuf, Vec<u8>>> {
    let cmd = command();
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from("man/monitor.1"), top_page(&cmd)?);
    for sub in subcommands(&cmd) {
        let name = page_name(&sub);
        let mut page = Vec::new();
        clap_mangen::Man::new(sub).render(&mut page)?;
        page.extend_from_slice(b".SH SEE ALSO\n.BR monitor (1)\n");
        files.insert(PathBuf::from(format!("man/{name}.1")), page);
    }
    for (shell, file) in [
        (Shell::Bash, "monitor.bash"),
        (Shell::Zsh, "_monitor"),
        (Shell::Fish, "monitor.fish"),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut crate::Cli::command(), "monitor", &mut out);
        files.insert(PathBuf::from("completions").join(file), out);
    }
    Ok(files)
}

/// The files now in `dist/{man,completions}`.
fn committed(dist: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for dir in ["man", "completions"] {
        let Ok(entries) = std::fs::read_dir(dist.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let rel = Path::new(dir).join(e.file_name());
            files.insert(rel, std::fs::read(e.path()).unwrap_or_default());
        }
    }
    files
}

#[test]
fn dist_pages_and_completions_are_current() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let fresh = render().unwrap();
    let now = committed(&dist);
    if std::env::var_os("MONITOR_WRITE_DIST").is_some() {
        for rel in now.keys().filter(|k| !fresh.contains_key(*k)) {
            std::fs::remove_file(dist.join(rel)).unwrap();
        }
        for (rel, bytes) in &fresh {
            let path = dist.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
        return;
    }
    let stale: Vec<String> = fresh
        .keys()
        .chain(now.keys())
        .filter(|k| fresh.get(*k) != now.get(*k))
        .map(|k| k.display().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        stale.is_empty(),
        "monitor/dist is out of step with the command line ({}): run `cargo xtask man`",
        stale.join(", ")
    );
}

#[test]
fn the_top_page_names_every_command() {
    let cmd = command();
    let top = String::from_utf8(top_page(&cmd).unwrap()).unwrap();
    let subs = subcommands(&cmd);
    assert!(subs.len() >= 12, "{} subcommands", subs.len());
    for sub in subs {
        let name = page_name(&sub);
        let roff = name.replace('-', "\\-");
        assert!(
            top.contains(&format!(".BR {name} (1)")) || top.contains(&format!("{roff}(1)")),
            "monitor.1 does not name {name}"
        );
    }
}
