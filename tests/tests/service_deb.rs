//! The Debian package built by `cargo xtask package` (or the one named by
//! `MONITOR_DEB`):
//!
//! - its control fields, and its file list with modes and owners, are
//!   exactly what the package promises: the binary, the unit, the conffile,
//!   the Grafana directory, the docs, and nothing else;
//! - it installs into a throwaway root with dpkg, where the files equal
//!   their sources, the binary runs, a local change to the conffile
//!   survives reinstalling, removal keeps the conffile and purge removes it
//!   and the service's state;
//! - its maintainer scripts call systemctl only when systemd runs, never
//!   start the service on a fresh install, restart it on upgrade and stop
//!   it on removal (checked with a stand-in systemctl in a private mount
//!   namespace);
//! - lintian finds no error or warning in it, and packaging the same tree
//!   again gives the same bytes;
//! - it installs on this machine with `dpkg -i`, where the installed unit
//!   passes systemd-analyze unchanged, and `dpkg -P` removes it again.

mod service_support;

use std::{
    collections::BTreeMap,
    fs,
    os::unix::fs::PermissionsExt as _,
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
    time::{Duration, Instant},
};

use monitor_tests::{require_root, workspace};
use service_support::*;

/// The package under test, built once per test process.
fn deb() -> &'static Path {
    static DEB: OnceLock<PathBuf> = OnceLock::new();
    DEB.get_or_init(|| {
        if let Some(p) = std::env::var_os("MONITOR_DEB") {
            return PathBuf::from(p);
        }
        // Quick when the release build is up to date; 1–2 min from cold.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = run(Command::new(cargo)
            .args(["xtask", "package"])
            .current_dir(workspace()));
        assert!(
            out.status.success(),
            "cargo xtask package failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let path = PathBuf::from(stdout.lines().last().expect("package path").trim());
        eprintln!(
            "{}: {} bytes",
            path.display(),
            fs::metadata(&path).expect("the .deb").len()
        );
        path
    })
}

/// The workspace's version, from `[workspace.package]`.
fn version() -> String {
    let text = fs::read_to_string(workspace().join("Cargo.toml")).unwrap();
    let t: toml::Table = toml::from_str(&text).unwrap();
    t["workspace"]["package"]["version"]
        .as_str()
        .unwrap()
        .to_string()
}

fn stdout(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Files of the repository's `grafana/` directory, relative to it.
/// The manual pages in `monitor/dist/man` (rendered by `cargo xtask man`).
fn man_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(dist().join("man"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    assert!(pages.len() > 1, "{pages:?}");
    pages
}

fn grafana_files() -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let root = workspace().join("grafana");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

/// Every payload file: installed path → its source in the repository
/// (`None` for the binary, which is built, and the compressed files).
fn expected_files() -> BTreeMap<String, Option<PathBuf>> {
    let ws = workspace();
    let dist = dist();
    let mut m = BTreeMap::from([
        ("/usr/bin/monitor".to_string(), None),
        (
            "/lib/systemd/system/monitor.service".into(),
            Some(dist.join("monitor.service")),
        ),
        (
            "/etc/monitor/monitor.toml".into(),
            Some(dist.join("monitor.toml")),
        ),
        (
            "/usr/share/doc/monitor/README.md".into(),
            Some(ws.join("README.md")),
        ),
        (
            "/usr/share/doc/monitor/README.Debian".into(),
            Some(dist.join("README.Debian")),
        ),
        (
            "/usr/share/doc/monitor/copyright".into(),
            Some(dist.join("copyright")),
        ),
        ("/usr/share/doc/monitor/changelog.gz".into(), None),
        (
            "/usr/share/bash-completion/completions/monitor".into(),
            Some(dist.join("completions/monitor.bash")),
        ),
        (
            "/usr/share/zsh/vendor-completions/_monitor".into(),
            Some(dist.join("completions/_monitor")),
        ),
        (
            "/usr/share/fish/vendor_completions.d/monitor.fish".into(),
            Some(dist.join("completions/monitor.fish")),
        ),
    ]);
    for page in man_pages() {
        m.insert(
            format!(
                "/usr/share/man/man1/{}.gz",
                page.file_name().unwrap().to_str().unwrap()
            ),
            None,
        );
    }
    for f in grafana_files() {
        m.insert(
            format!("/usr/share/monitor/grafana/{}", f.display()),
            Some(ws.join("grafana").join(&f)),
        );
    }
    m
}

#[test]
fn control_fields() {
    let deb = deb();
    let field = |f: &str| {
        stdout(Command::new("dpkg-deb").arg("--field").arg(deb).arg(f))
            .trim()
            .to_string()
    };
    assert_eq!(field("Package"), "monitor");
    assert_eq!(field("Version"), version());
    assert_eq!(
        field("Architecture"),
        stdout(Command::new("dpkg").arg("--print-architecture")).trim()
    );
    assert_eq!(field("Section"), "net");
    let depends = field("Depends");
    assert!(
        depends.split(',').any(|d| d.trim().starts_with("libc6")),
        "Depends: {depends}"
    );
    assert!(field("Description").lines().count() > 2);
    let kib: u64 = field("Installed-Size").parse().expect("Installed-Size");
    let bytes = fs::metadata(deb).unwrap().len();
    eprintln!("package: {bytes} bytes, installed size {kib} KiB");
    assert!(kib * 1024 > bytes, "installed size below the package size");
    // The binary it holds is the version the package says.
    let ver = stdout(Command::new("dpkg-deb").arg("--info").arg(deb));
    assert!(ver.contains(&format!("Version: {}", version())));
}

#[test]
fn contents_and_modes() {
    let list = stdout(Command::new("dpkg-deb").arg("--contents").arg(deb()));
    let mut files = BTreeMap::new();
    for line in list.lines() {
        // -rw-r--r-- root/root      6185 2026-11-25 02:31 ./etc/monitor/monitor.toml
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert!(cols.len() >= 6, "odd line {line:?}");
        let (mode, owner, path) = (cols[0], cols[1], cols[5]);
        assert_eq!(owner, "root/root", "{line}");
        let path = path.trim_start_matches('.').trim_end_matches('/');
        if mode.starts_with('d') {
            assert_eq!(mode, "drwxr-xr-x", "{line}");
        } else {
            files.insert(path.to_string(), mode.to_string());
        }
    }
    let want: BTreeMap<String, String> = expected_files()
        .into_keys()
        .map(|p| {
            let mode = if p == "/usr/bin/monitor" {
                "-rwxr-xr-x"
            } else {
                "-rw-r--r--"
            };
            (p, mode.to_string())
        })
        .collect();
    assert_eq!(files, want);
}

#[test]
fn control_area() {
    let dir = TempDir::new("deb-control");
    let ctl = dir.path().join("DEBIAN");
    stdout(
        Command::new("dpkg-deb")
            .arg("--control")
            .arg(deb())
            .arg(&ctl),
    );
    assert_eq!(
        fs::read_to_string(ctl.join("conffiles")).unwrap(),
        "/etc/monitor/monitor.toml\n"
    );
    for script in ["postinst", "prerm", "postrm"] {
        let p = ctl.join(script);
        assert_eq!(
            fs::read(&p).unwrap(),
            fs::read(dist().join("debian").join(script)).unwrap(),
            "{script} differs from monitor/dist/debian/{script}"
        );
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o755
        );
        let out = run(Command::new("sh").arg("-n").arg(&p));
        assert!(out.status.success(), "{script}: {out:?}");
    }
    // md5sums covers every payload file but the conffile.
    let sums = fs::read_to_string(ctl.join("md5sums")).unwrap();
    let listed: Vec<String> = sums
        .lines()
        .map(|l| format!("/{}", l.split_whitespace().nth(1).unwrap()))
        .collect();
    let want: Vec<String> = expected_files()
        .into_keys()
        .filter(|p| p != "/etc/monitor/monitor.toml")
        .collect();
    assert_eq!(listed, want);
}

/// dpkg operating on a private root (`--root`), running the maintainer
/// scripts outside a chroot with `DPKG_ROOT` set.
struct Root(TempDir);

impl Root {
    fn new() -> Self {
        let t = TempDir::new("deb-root");
        let admin = t.path().join("var/lib/dpkg");
        for d in ["info", "updates", "triggers"] {
            fs::create_dir_all(admin.join(d)).unwrap();
        }
        fs::write(admin.join("status"), "").unwrap();
        fs::write(admin.join("available"), "").unwrap();
        Self(t)
    }

    fn path(&self, p: &str) -> PathBuf {
        self.0.path().join(p.trim_start_matches('/'))
    }

    fn dpkg(&self, args: &[&str]) -> String {
        stdout(
            Command::new("dpkg")
                .arg(format!("--root={}", self.0.path().display()))
                .args([
                    "--force-script-chrootless",
                    "--force-not-root",
                    "--force-depends",
                    "--log=/dev/null",
                ])
                .args(args),
        )
    }

    fn status(&self) -> String {
        let out = run(Command::new("dpkg-query")
            .arg(format!(
                "--admindir={}",
                self.path("var/lib/dpkg").display()
            ))
            .args(["-W", "-f=${Status}", "monitor"]));
        String::from_utf8_lossy(&out.stdout).to_string()
    }
}

#[test]
fn installs_into_a_throwaway_root() {
    let deb = deb().to_str().unwrap().to_string();
    let root = Root::new();
    root.dpkg(&["--install", &deb]);
    assert_eq!(root.status(), "install ok installed");

    for (path, source) in expected_files() {
        let installed = root.path(&path);
        assert!(installed.is_file(), "{path} not installed");
        if let Some(src) = source {
            assert_eq!(
                fs::read(&installed).unwrap(),
                fs::read(&src).unwrap(),
                "{path} differs from {}",
                src.display()
            );
        }
    }
    let bin = root.path("/usr/bin/monitor");
    assert_eq!(
        fs::metadata(&bin).unwrap().permissions().mode() & 0o777,
        0o755
    );
    let v = stdout(Command::new(&bin).arg("--version"));
    assert_eq!(v.trim(), format!("monitor {}", version()));
    for page in man_pages() {
        let name = page.file_name().unwrap().to_str().unwrap();
        let man =
            stdout(Command::new("zcat").arg(root.path(&format!("/usr/share/man/man1/{name}.gz"))));
        assert_eq!(man, fs::read_to_string(&page).unwrap(), "{name}");
    }
    let changelog =
        stdout(Command::new("zcat").arg(root.path("/usr/share/doc/monitor/changelog.gz")));
    assert!(
        changelog.starts_with(&format!("monitor ({}) ", version())),
        "{changelog}"
    );
    // Not enabled: nothing in the wants directories.
    assert!(!root
        .path("/etc/systemd/system/multi-user.target.wants")
        .exists());

    // A local change to the conffile survives reinstalling.
    let conf = root.path("/etc/monitor/monitor.toml");
    let mut text = fs::read_to_string(&conf).unwrap();
    text = text.replace("log_level = \"info\"", "log_level = \"debug\"");
    fs::write(&conf, &text).unwrap();
    root.dpkg(&["--force-confold", "--install", &deb]);
    assert_eq!(fs::read_to_string(&conf).unwrap(), text);

    // Remove keeps the conffile; purge removes it and the service's state
    // (DynamicUser= keeps it in /var/lib/private/monitor behind a symlink).
    let dumps = root.path("/var/lib/private/monitor/dumps");
    fs::create_dir_all(&dumps).unwrap();
    fs::write(dumps.join("reset-storm-20260101T000000Z.pcapng"), b"x").unwrap();
    std::os::unix::fs::symlink("private/monitor", root.path("/var/lib/monitor")).unwrap();
    root.dpkg(&["--remove", "monitor"]);
    assert_eq!(root.status(), "deinstall ok config-files");
    assert!(!bin.exists());
    assert!(conf.exists(), "remove deleted the conffile");
    root.dpkg(&["--purge", "monitor"]);
    assert_eq!(root.status(), "");
    assert!(!conf.exists(), "purge kept the conffile");
    assert!(!root.path("/etc/monitor").exists());
    assert!(root.path("/var/lib/monitor").symlink_metadata().is_err());
    assert!(!root.path("/var/lib/private/monitor").exists());
    for path in expected_files().into_keys() {
        assert!(!root.path(&path).exists(), "{path} left after purge");
    }
}

/// Run a maintainer script in a private mount namespace where
/// /run/systemd/system exists or not, with stand-ins for systemctl and
/// deb-systemd-invoke that log their arguments first on PATH; returns the
/// calls.
fn script_calls(script: &str, args: &[&str], systemd: bool, dpkg_root: bool) -> Vec<String> {
    let dir = TempDir::new("deb-script");
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("calls");
    for tool in ["systemctl", "deb-systemd-invoke"] {
        let fake = bin.join(tool);
        fs::write(
            &fake,
            format!("#!/bin/sh\necho \"{tool} $*\" >> '{}'\n", log.display()),
        )
        .unwrap();
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let setup = if systemd {
        "mount -t tmpfs none /run && mkdir -p /run/systemd/system"
    } else {
        "mount -t tmpfs none /run"
    };
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-ec"])
        .arg(format!("{setup}; exec sh \"$0\" \"$@\""))
        .arg(dist().join("debian").join(script))
        .args(args)
        .env("PATH", path)
        .env_remove("DPKG_ROOT");
    if dpkg_root {
        cmd.env("DPKG_ROOT", dir.path());
    }
    let out = run(&mut cmd);
    assert!(
        out.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn maintainer_scripts_and_systemd() {
    require_root();
    let reload = "systemctl --system daemon-reload";
    let cases: &[(&str, &[&str], &[&str])] = &[
        // A fresh install only tells systemd about the new unit.
        ("postinst", &["configure"], &[reload]),
        (
            "postinst",
            &["configure", "0.0.9"],
            &[reload, "deb-systemd-invoke try-restart monitor.service"],
        ),
        (
            "prerm",
            &["remove"],
            &["deb-systemd-invoke stop monitor.service"],
        ),
        ("prerm", &["upgrade", "0.2.0"], &[]),
        ("postrm", &["remove"], &[reload]),
        ("postinst", &["abort-upgrade", "0.0.9"], &[]),
    ];
    for (script, args, want) in cases {
        let got = script_calls(script, args, true, false);
        assert_eq!(got, *want, "{script} {args:?} under systemd");
        let got = script_calls(script, args, false, false);
        assert!(got.is_empty(), "{script} {args:?} without systemd: {got:?}");
        let got = script_calls(script, args, true, true);
        assert!(got.is_empty(), "{script} {args:?} with DPKG_ROOT: {got:?}");
    }
    // Unknown actions are errors, as policy asks.
    for script in ["postinst", "prerm", "postrm"] {
        let out = run(Command::new("sh")
            .arg(dist().join("debian").join(script))
            .arg("bogus"));
        assert!(!out.status.success(), "{script} bogus succeeded");
    }
}

/// dpkg on the real system, waiting out other package managers' locks.
fn dpkg_real(args: &[&str]) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let out = run(Command::new("dpkg").args(args));
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() || !err.contains("lock") || Instant::now() > deadline {
            return out;
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}

fn installed_status() -> String {
    let out = run(Command::new("dpkg-query").args(["-W", "-f=${Status}", "monitor"]));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Whether this machine's dpkg configuration keeps `path` from being
/// installed (`path-exclude=`, as minimal container images do for
/// /usr/share/man and /usr/share/doc). A glob is matched by its literal
/// prefix, which is how those images write them.
fn dpkg_excludes(path: &str) -> bool {
    let mut cfg = fs::read_to_string("/etc/dpkg/dpkg.cfg").unwrap_or_default();
    if let Ok(dir) = fs::read_dir("/etc/dpkg/dpkg.cfg.d") {
        for e in dir.flatten() {
            cfg += &fs::read_to_string(e.path()).unwrap_or_default();
            cfg.push('\n');
        }
    }
    let matches = |key: &str| {
        cfg.lines().any(|l| {
            l.trim()
                .strip_prefix(key)
                .map(|glob| path.starts_with(glob.split('*').next().unwrap_or(glob)))
                .unwrap_or(false)
        })
    };
    matches("path-exclude=") && !matches("path-include=")
}

/// Purges the package from the machine when dropped, even after a failure.
struct PurgeOnDrop;

impl Drop for PurgeOnDrop {
    fn drop(&mut self) {
        let _ = dpkg_real(&["--purge", "monitor"]);
    }
}

#[test]
fn installs_on_this_machine() {
    require_root();
    let deb = deb().to_str().unwrap().to_string();
    // Never overwrite a monitor binary this package does not own.
    let owner = run(Command::new("dpkg-query").args(["-S", "/usr/bin/monitor"]));
    let owned = String::from_utf8_lossy(&owner.stdout).starts_with("monitor:");
    if Path::new("/usr/bin/monitor").exists() && !owned {
        panic!("/usr/bin/monitor exists and belongs to no monitor package: not touching it");
    }
    let _guard = PurgeOnDrop;
    let out = dpkg_real(&["--install", &deb]);
    assert!(
        out.status.success(),
        "dpkg -i: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(installed_status(), "install ok installed");

    for path in expected_files().into_keys() {
        if dpkg_excludes(&path) {
            eprintln!("{path}: excluded by this machine's dpkg configuration");
            continue;
        }
        assert!(Path::new(&path).is_file(), "{path} missing");
    }
    let v = stdout(Command::new("/usr/bin/monitor").arg("--version"));
    assert_eq!(v.trim(), format!("monitor {}", version()));
    let conffiles = stdout(Command::new("dpkg-query").args(["-W", "-f=${Conffiles}", "monitor"]));
    assert!(
        conffiles.contains("/etc/monitor/monitor.toml"),
        "conffiles: {conffiles:?}"
    );
    assert!(!Path::new("/etc/systemd/system/multi-user.target.wants/monitor.service").exists());

    // The installed unit, unchanged, with the installed binary.
    let unit = Path::new("/lib/systemd/system/monitor.service");
    // Documentation=man:monitor(1) resolves when the page is installed.
    let man = !dpkg_excludes("/usr/share/man/man1/monitor.1.gz")
        && run(Command::new("sh").args(["-c", "command -v man"]))
            .status
            .success();
    let (ok, text) = verify(unit, man);
    assert!(ok && text.is_empty(), "verify installed unit:\n{text}");
    let (level, _, _) = security(unit);
    assert!(level <= 2.5, "installed unit exposure {level}");

    let out = dpkg_real(&["--purge", "monitor"]);
    assert!(
        out.status.success(),
        "dpkg -P: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(installed_status(), "");
    for path in expected_files().into_keys() {
        assert!(!Path::new(&path).exists(), "{path} left after purge");
    }
    assert!(!Path::new("/etc/monitor").exists());
}

/// The manual pages are rendered from the command line's definitions
/// (`cargo xtask man`; the `monitor` crate's tests keep them current):
/// `man` shows the top page with every command of `monitor --help`, and
/// each command's page with its options.
#[test]
fn manual_pages_cover_every_command() {
    let help = |args: &[&str]| {
        let out = run(Command::new(monitor_tests::monitor_bin()).args(args));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let render = |page: &Path| {
        let out = run(Command::new("man")
            .arg("-l")
            .arg(page)
            .env("MANWIDTH", "200"));
        assert!(out.status.success(), "man -l {}", page.display());
        // Bold and underline are overstruck (`c\bc`, `_\bc`) off a terminal.
        let mut text = String::new();
        for c in String::from_utf8_lossy(&out.stdout).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        text
    };
    let top_help = help(&["--help"]);
    let commands: Vec<&str> = top_help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 9, "{commands:?}");
    let top = dist().join("man/monitor.1");
    let have_man = run(Command::new("sh").args(["-c", "command -v man"]))
        .status
        .success();
    if !have_man {
        eprintln!("no `man` here: checking the pages' text only");
    }
    let text = if have_man {
        render(&top)
    } else {
        fs::read_to_string(&top).unwrap().replace("\\-", "-")
    };
    for c in &commands {
        assert!(
            text.contains(&format!("monitor-{c}(1)")),
            "`man monitor` does not show `monitor {c}`"
        );
        let page = dist().join(format!("man/monitor-{c}.1"));
        assert!(page.is_file(), "no page for `monitor {c}`");
        if *c == "run" && have_man {
            let page = render(&page);
            for flag in ["--iface", "--listen", "--xdp-mode", "--sample", "--summary"] {
                assert!(page.contains(flag), "monitor-run(1) lacks {flag}");
            }
        }
    }
}

#[test]
fn lintian_is_clean() {
    let out = run(Command::new("lintian")
        .args(["--fail-on", "error,warning", "--tag-display-limit", "0"])
        .arg(deb()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let tags: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("E: ") || l.starts_with("W: "))
        .collect();
    assert!(out.status.success() && tags.is_empty(), "lintian:\n{text}");
}

#[test]
fn packaging_is_reproducible() {
    if std::env::var_os("MONITOR_DEB").is_some() {
        eprintln!("MONITOR_DEB given: not rebuilding it");
        return;
    }
    let first = fs::read(deb()).unwrap();
    let dir = TempDir::new("deb-again");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = stdout(
        Command::new(cargo)
            .args(["xtask", "package", "--no-build", "--out-dir"])
            .arg(dir.path())
            .current_dir(workspace()),
    );
    let again = PathBuf::from(out.lines().last().unwrap().trim());
    assert!(again.starts_with(dir.path()), "{}", again.display());
    assert!(
        fs::read(&again).unwrap() == first,
        "packaging the same tree twice gave different bytes"
    );
}
