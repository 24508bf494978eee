//! The Grafana dashboards: `grafana/generate_dashboards.py`, run with the
//! Grafana Foundation SDK version `grafana/requirements.txt` pins, installed
//! in a virtual environment under `target/` (no root needed, nothing
//! installed outside the workspace).

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context as _};

use crate::setup::run_cmd;
use crate::workspace;

const REQUIREMENTS: &str = "grafana/requirements.txt";
const VENV: &str = "target/grafana-venv";

/// Write `grafana/dashboards/*.json`, or with `check` only fail when a
/// committed file is not what the generator writes.
pub fn run(check: bool) -> anyhow::Result<()> {
    let python = venv()?;
    let script = workspace().join("grafana/generate_dashboards.py");
    let mut cmd = Command::new(&python);
    cmd.arg(&script);
    if check {
        cmd.arg("--check");
    }
    eprintln!("+ {cmd:?}");
    let st = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !st.success() {
        if check {
            bail!("grafana/dashboards/*.json differ from what generate_dashboards.py writes: run `cargo xtask dashboards`");
        }
        bail!("generate_dashboards.py failed ({st})");
    }
    Ok(())
}

/// The virtual environment's interpreter, with the pinned requirements
/// installed (again only when `requirements.txt` changed since).
fn venv() -> anyhow::Result<PathBuf> {
    let ws = workspace();
    let dir = ws.join(VENV);
    let python = dir.join("bin/python3");
    let wanted = std::fs::read_to_string(ws.join(REQUIREMENTS))
        .with_context(|| format!("reading {REQUIREMENTS}"))?;
    // A copy of the requirements the environment was made from.
    let stamp = dir.join("monitor-requirements.txt");
    if python.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    if !python.exists() {
        // Debian's python3 needs the python3-venv package for this (setup installs it).
        run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    }
    run_cmd(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(ws.join(REQUIREMENTS)),
    )?;
    std::fs::write(&stamp, wanted).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(python)
}
