//! `cargo xtask package`: build `target/release/monitor` and a Debian
//! package from it with `dpkg-deb` (no packaging tool beyond dpkg-dev).
//!
//! The package is staged under `target/debian/stage` and written to
//! `target/debian/monitor_VERSION_ARCH.deb` (`--out-dir` moves both). File
//! times are clamped to `SOURCE_DATE_EPOCH` (default: the last commit's
//! time), so packaging the same tree twice gives the same bytes. It holds:
//!
//! | path | mode | from |
//! |---|---|---|
//! | `/usr/bin/monitor` | 0755 | `target/release/monitor`, stripped |
//! | `/lib/systemd/system/monitor.service` | 0644 | `monitor/dist/monitor.service` |
//! | `/etc/monitor/monitor.toml` | 0644, conffile | `monitor/dist/monitor.toml` |
//! | `/usr/share/monitor/grafana/…` | 0644 | `grafana/` |
//! | `/usr/share/doc/monitor/{README.md,README.Debian,copyright,changelog.gz}` | 0644 | `README.md`, `monitor/dist/`, generated |
//! | `/usr/share/man/man1/monitor*.1.gz` | 0644 | `monitor/dist/man/` (`cargo xtask man`) |
//! | `/usr/share/bash-completion/completions/monitor` | 0644 | `monitor/dist/completions/monitor.bash` |
//! | `/usr/share/zsh/vendor-completions/_monitor` | 0644 | `monitor/dist/completions/_monitor` |
//! | `/usr/share/fish/vendor_completions.d/monitor.fish` | 0644 | `monitor/dist/completions/monitor.fish` |
//!
//! and the maintainer scripts in `monitor/dist/debian/`, `conffiles` and
//! `md5sums`.

use std::{
    fs,
    os::unix::fs::PermissionsExt as _,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context as _};

use crate::{cargo, workspace};

/// Package name.
const NAME: &str = "monitor";
const MAINTAINER: &str = "monitor maintainers <monitor@example.invalid>";
const CONFFILE: &str = "/etc/monitor/monitor.toml";
const MAINTAINER_SCRIPTS: &[&str] = &["postinst", "prerm", "postrm"];
/// Shell completions: file in `monitor/dist/completions` → installed path.
const COMPLETIONS: &[(&str, &str)] = &[
    (
        "monitor.bash",
        "usr/share/bash-completion/completions/monitor",
    ),
    ("_monitor", "usr/share/zsh/vendor-completions/_monitor"),
    (
        "monitor.fish",
        "usr/share/fish/vendor_completions.d/monitor.fish",
    ),
];

/// The manual pages in `dist/man`, sorted.
fn man_pages(dist: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let dir = dist.join("man");
    let mut pages = Vec::new();
    for e in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = e?.path();
        if path.extension().is_some_and(|x| x == "1") {
            pages.push(path);
        }
    }
    if pages.is_empty() {
        bail!(
            "no manual pages in {}: run `cargo xtask man`",
            dir.display()
        );
    }
    pages.sort();
    Ok(pages)
}

/// Build the release binary and the .deb; returns the .deb's path.
pub fn run(build: bool, out_dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let ws = workspace().canonicalize().context("workspace path")?;
    if build {
        cargo(&[
            "build",
            "--release",
            "--package",
            "monitor",
            "--bin",
            "monitor",
        ])?;
    }
    let bin = ws.join("target/release/monitor");
    if !bin.exists() {
        bail!("{} does not exist: build it first", bin.display());
    }
    let version = binary_version(&bin)?;
    let arch = output(Command::new("dpkg").arg("--print-architecture"))?;
    let out_dir = out_dir.unwrap_or_else(|| ws.join("target/debian"));
    let stage = out_dir.join("stage");
    if stage.exists() {
        fs::remove_dir_all(&stage).with_context(|| format!("removing {}", stage.display()))?;
    }
    fs::create_dir_all(&stage)?;
    let dist = ws.join("monitor/dist");

    // Payload.
    let usr_bin = stage.join("usr/bin/monitor");
    install(&bin, &usr_bin, 0o755)?;
    strip(&usr_bin)?;
    install(
        &dist.join("monitor.service"),
        &stage.join("lib/systemd/system/monitor.service"),
        0o644,
    )?;
    install(
        &dist.join("monitor.toml"),
        &stage.join("etc/monitor/monitor.toml"),
        0o644,
    )?;
    copy_tree(
        &ws.join("grafana"),
        &stage.join("usr/share/monitor/grafana"),
    )?;
    let doc = stage.join("usr/share/doc/monitor");
    install(&ws.join("README.md"), &doc.join("README.md"), 0o644)?;
    install(
        &dist.join("README.Debian"),
        &doc.join("README.Debian"),
        0o644,
    )?;
    install(&dist.join("copyright"), &doc.join("copyright"), 0o644)?;
    let epoch = source_date_epoch()?;
    fs::write(doc.join("changelog"), changelog(&version, &epoch)?)?;
    gzip(&doc.join("changelog"))?;
    for page in man_pages(&dist)? {
        let man = stage
            .join("usr/share/man/man1")
            .join(page.file_name().unwrap());
        install(&page, &man, 0o644)?;
        gzip(&man)?;
    }
    for (from, to) in COMPLETIONS {
        install(&dist.join("completions").join(from), &stage.join(to), 0o644)?;
    }

    // Control area.
    let control_dir = stage.join("DEBIAN");
    fs::create_dir_all(&control_dir)?;
    set_mode(&control_dir, 0o755)?;
    for script in MAINTAINER_SCRIPTS {
        install(
            &dist.join("debian").join(script),
            &control_dir.join(script),
            0o755,
        )?;
    }
    fs::write(control_dir.join("conffiles"), format!("{CONFFILE}\n"))?;
    set_mode(&control_dir.join("conffiles"), 0o644)?;
    md5sums(&stage, &control_dir)?;
    let depends = shlib_depends(&stage, &usr_bin);
    let installed_kib = tree_size(&stage, &control_dir)?.div_ceil(1024);
    let control = format!(
        "Package: {NAME}\n\
         Version: {version}\n\
         Architecture: {arch}\n\
         Maintainer: {MAINTAINER}\n\
         Installed-Size: {installed_kib}\n\
         Depends: {depends}\n\
         Section: net\n\
         Priority: optional\n\
         Homepage: https://example.invalid/monitor\n\
         Description: eBPF/XDP live network monitor with Prometheus metrics\n \
         monitor attaches an XDP program (ingress) and a TC program (egress) to\n \
         network interfaces, counts every frame per interface, direction and\n \
         protocol in the kernel, samples frames to a daemon that dissects them\n \
         the way Wireshark does, and serves Prometheus metrics on\n \
         127.0.0.1:9477. The programs never drop or modify traffic.\n \
         .\n \
         The package ships a hardened systemd unit (not started on install),\n \
         an example configuration and Grafana dashboards.\n"
    );
    fs::write(control_dir.join("control"), control)?;
    set_mode(&control_dir.join("control"), 0o644)?;

    let deb = out_dir.join(format!("{NAME}_{version}_{arch}.deb"));
    run_cmd(
        Command::new("dpkg-deb")
            .args(["--root-owner-group", "-Zxz", "--build"])
            .arg(&stage)
            .arg(&deb)
            .env("SOURCE_DATE_EPOCH", &epoch),
    )?;
    let size = fs::metadata(&deb)?.len();
    eprintln!("{} ({} KiB)", deb.display(), size.div_ceil(1024));
    Ok(deb)
}

/// Time stamp for every file and archive member, so that the same tree
/// gives the same package: `SOURCE_DATE_EPOCH` if set, else the last
/// commit's time.
fn source_date_epoch() -> anyhow::Result<String> {
    if let Ok(t) = std::env::var("SOURCE_DATE_EPOCH") {
        return Ok(t);
    }
    let t = Command::new("git")
        .args(["log", "-1", "--format=%ct"])
        .current_dir(workspace())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|t| !t.is_empty());
    match t {
        Some(t) => Ok(t),
        None => output(Command::new("date").arg("+%s")),
    }
}

/// A Debian changelog for this native package, dated `epoch`.
fn changelog(version: &str, epoch: &str) -> anyhow::Result<String> {
    let date = output(Command::new("date").args(["-u", "-R", "-d", &format!("@{epoch}")]))?;
    Ok(format!(
        "{NAME} ({version}) unstable; urgency=medium\n\n  \
         * Release {version}; see /usr/share/doc/{NAME}/README.md.\n\n \
         -- {MAINTAINER}  {date}\n"
    ))
}

/// `gzip -9n FILE` (no name or time stamp, as Debian policy asks), 0644.
fn gzip(path: &Path) -> anyhow::Result<()> {
    run_cmd(Command::new("gzip").args(["-9nf"]).arg(path))?;
    set_mode(
        &path.with_extension(format!(
            "{}gz",
            path.extension()
                .map(|e| format!("{}.", e.to_string_lossy()))
                .unwrap_or_default()
        )),
        0o644,
    )
}

/// `monitor --version` prints `monitor X.Y.Z`.
fn binary_version(bin: &Path) -> anyhow::Result<String> {
    let out = output(Command::new(bin).arg("--version"))?;
    match out.split_whitespace().collect::<Vec<_>>()[..] {
        [NAME, v] => Ok(v.to_string()),
        _ => bail!("unexpected `monitor --version` output: {out:?}"),
    }
}

/// The shared-library dependencies dpkg-shlibdeps finds, or the two every
/// Rust binary has when it is not available.
fn shlib_depends(stage: &Path, bin: &Path) -> String {
    const FALLBACK: &str = "libc6, libgcc-s1";
    // dpkg-shlibdeps wants a source package around the binary.
    let debian = stage.join("debian");
    let ok = fs::create_dir_all(&debian)
        .and_then(|_| {
            fs::write(
                debian.join("control"),
                format!("Source: {NAME}\n\nPackage: {NAME}\nArchitecture: any\n"),
            )
        })
        .is_ok();
    let found = ok
        .then(|| {
            Command::new("dpkg-shlibdeps")
                .args(["-O", "-e"])
                .arg(bin)
                .current_dir(stage)
                .output()
                .ok()
        })
        .flatten()
        .filter(|o| o.status.success())
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("shlibs:Depends=").map(str::to_string))
        });
    let _ = fs::remove_dir_all(&debian);
    found.unwrap_or_else(|| FALLBACK.to_string())
}

fn install(from: &Path, to: &Path, mode: u32) -> anyhow::Result<()> {
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    set_mode(to, mode)
}

fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {mode:o} {}", path.display()))
}

/// Copy a directory tree: directories 0755, files 0644.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    set_mode(to, 0o755)?;
    let mut entries: Vec<_> = fs::read_dir(from)
        .with_context(|| format!("reading {}", from.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ty = e.file_type()?;
        let dest = to.join(e.file_name());
        if ty.is_dir() {
            copy_tree(&e.path(), &dest)?;
        } else if ty.is_file() {
            install(&e.path(), &dest, 0o644)?;
        }
    }
    Ok(())
}

/// Bytes of regular files under `root`, leaving out `skip`.
fn tree_size(root: &Path, skip: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for e in fs::read_dir(root)? {
        let e = e?;
        let path = e.path();
        if path == skip {
            continue;
        }
        let meta = e.metadata()?;
        if meta.is_dir() {
            total += tree_size(&path, skip)?;
        } else {
            total += meta.len();
        }
    }
    Ok(total)
}

/// `DEBIAN/md5sums`: one `md5  path` line per payload file except the
/// conffile (dpkg keeps its checksum in the status database instead).
fn md5sums(stage: &Path, control_dir: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    payload_files(stage, stage, control_dir, &mut files)?;
    files.retain(|f| Path::new("/").join(f) != Path::new(CONFFILE));
    files.sort();
    let out = Command::new("md5sum")
        .args(&files)
        .current_dir(stage)
        .output()
        .context("running md5sum")?;
    if !out.status.success() {
        bail!("md5sum failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let path = control_dir.join("md5sums");
    fs::write(&path, out.stdout)?;
    set_mode(&path, 0o644)
}

/// Paths of the regular files under `dir`, relative to `stage`, leaving out `skip`.
fn payload_files(
    stage: &Path,
    dir: &Path,
    skip: &Path,
    out: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    for e in fs::read_dir(dir)? {
        let path = e?.path();
        if path == skip {
            continue;
        }
        if path.is_dir() {
            payload_files(stage, &path, skip, out)?;
        } else {
            out.push(path.strip_prefix(stage)?.to_path_buf());
        }
    }
    Ok(())
}

/// Remove symbols; the binary has no debug information to begin with.
fn strip(bin: &Path) -> anyhow::Result<()> {
    run_cmd(Command::new("strip").arg("--strip-unneeded").arg(bin))
}

fn run_cmd(cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("+ {cmd:?}");
    let st = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !st.success() {
        bail!("{cmd:?} failed ({st})");
    }
    Ok(())
}

fn output(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
