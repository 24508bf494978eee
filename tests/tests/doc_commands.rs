//! Every command the documentation shows is run: each fenced `sh` block of
//! `README.md`, `docs/*.md` and `grafana/README.md`, as root, in a network namespace whose
//! `eth0` and `eth1` are veths carrying pings from a peer namespace.
//!
//! The blocks see:
//! - the built `monitor` first on `PATH` (and as `target/release/monitor`
//!   in the working directory), and `sudo` running its arguments;
//! - a working directory of their own holding `capture.pcapng` (a sample
//!   capture with HTTP, DNS and TCP retransmissions);
//! - `/etc/monitor/monitor.toml`, the example configuration, on an overlay
//!   of `/etc` (and `/var/lib` the same way) that exists only in the
//!   block's mount namespace;
//! - a daemon this test started on `eth0` and `eth1`, listening on
//!   `127.0.0.1:9477` in the namespace and sampling every frame, which
//!   `systemctl kill -s SIGNAL monitor` signals (the only `systemctl`
//!   command there is).
//!
//! A block runs as a `bash -euo pipefail` script and must exit 0 within
//! two minutes. A mark on the line after a block's closing fence changes
//! that:
//! - `<!-- doc-test: daemon first -->`: the first line starts a daemon; it
//!   runs in the background (without the test's daemon) until `/metrics`
//!   answers, then the other lines run, then it is stopped with SIGTERM
//!   and must exit 0;
//! - `<!-- doc-test: each line until stopped -->`: each line (a live
//!   capture) runs, without the test's daemon so that it can attach,
//!   until it says `Capturing on …` on stderr and three seconds more, is
//!   stopped with SIGTERM, and must exit 0;
//! - `<!-- doc-test: not run (REASON) -->`: the block is not run; at most
//!   [`MAX_NOT_RUN`] blocks may say so, each with its reason.
//!
//! Any other mark fails the test, and so does a wrong example: the test
//! also runs one and checks that it fails.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use monitor_tests::{captures_dir, monitor_bin, require_root, sh, sh_ok, workspace};

/// Blocks that may be marked as not run.
const MAX_NOT_RUN: usize = 6;
/// The sample capture the examples call `capture.pcapng`.
const CAPTURE: &str = "http_espn_retrans.pcapng";

#[derive(Debug, PartialEq)]
enum Mark {
    Script,
    DaemonFirst,
    EachLineUntilStopped,
    NotRun(String),
}

#[derive(Debug)]
struct Block {
    /// `file:line` of the opening fence.
    place: String,
    /// The directory of the file, whose copy the block runs in when it is
    /// not the workspace's root.
    dir: PathBuf,
    text: String,
    mark: Mark,
}

/// The fenced `sh` blocks of one Markdown file, with their marks.
fn blocks(path: &Path) -> Vec<Block> {
    let name = path
        .strip_prefix(workspace())
        .unwrap_or(path)
        .display()
        .to_string();
    let text = fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(rest) = line.trim().strip_prefix("<!-- doc-test") {
            panic!(
                "{name}:{}: a doc-test mark not right after a `sh` block: {rest}",
                i + 1
            );
        }
        if line.trim() != "```sh" {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut body = String::new();
        i += 1;
        while i < lines.len() && lines[i].trim() != "```" {
            body.push_str(lines[i]);
            body.push('\n');
            i += 1;
        }
        assert!(i < lines.len(), "{name}:{start}: unclosed block");
        i += 1;
        let mut mark = Mark::Script;
        if let Some(m) = lines
            .get(i)
            .and_then(|l| l.trim().strip_prefix("<!-- doc-test:"))
        {
            let m = m
                .trim()
                .strip_suffix("-->")
                .unwrap_or_else(|| panic!("{name}:{}: unterminated mark", i + 1))
                .trim();
            mark = match m {
                "daemon first" => Mark::DaemonFirst,
                "each line until stopped" => Mark::EachLineUntilStopped,
                _ => match m
                    .strip_prefix("not run (")
                    .and_then(|r| r.strip_suffix(')'))
                {
                    Some(reason) if reason.len() >= 10 => Mark::NotRun(reason.to_string()),
                    _ => panic!("{name}:{}: unknown doc-test mark {m:?}", i + 1),
                },
            };
            i += 1;
        }
        out.push(Block {
            place: format!("{name}:{start}"),
            dir: path.parent().unwrap().to_path_buf(),
            text: body,
            mark,
        });
    }
    out
}

/// Every block of the README, the docs and the Grafana guide.
fn all_blocks() -> Vec<Block> {
    let ws = workspace();
    let mut files = vec![ws.join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(ws.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files.push(ws.join("grafana/README.md"));
    files.iter().flat_map(|f| blocks(f)).collect()
}

/// The namespaces, the files the blocks see, and the pings; all removed
/// on drop.
struct DocEnv {
    ns: String,
    peer: String,
    dir: PathBuf,
    pings: Vec<Child>,
}

impl DocEnv {
    fn new() -> Self {
        let pid = std::process::id();
        let ns = format!("mon-doc-{pid}");
        let peer = format!("mon-docp-{pid}");
        let dir = std::env::temp_dir().join(format!("monitor-doc-{pid}"));
        let _ = fs::remove_dir_all(&dir);
        for d in ["bin", "ovl", "dumps", "capture"] {
            fs::create_dir_all(dir.join(d)).unwrap();
        }
        let mut env = Self {
            ns: ns.clone(),
            peer: peer.clone(),
            dir: dir.clone(),
            pings: Vec::new(),
        };
        let bin = monitor_bin().canonicalize().unwrap();
        std::os::unix::fs::symlink(&bin, dir.join("bin/monitor")).unwrap();
        write_script(&dir.join("bin/sudo"), "#!/bin/sh\nexec \"$@\"\n");
        write_script(
            &dir.join("bin/systemctl"),
            "#!/bin/sh\n\
             # The daemon the documentation test started stands for the service.\n\
             if [ \"$#\" = 4 ] && [ \"$1\" = kill ] && [ \"$2\" = -s ] && [ \"$4\" = monitor ]; then\n\
             \x20   exec kill -s \"$3\" \"$MONITOR_DOC_PID\"\n\
             fi\n\
             echo \"systemctl $*: not available in the documentation test\" >&2\n\
             exit 1\n",
        );
        fs::copy(
            captures_dir().join(CAPTURE),
            dir.join("capture/capture.pcapng"),
        )
        .unwrap_or_else(|e| panic!("{CAPTURE} from {}: {e}", captures_dir().display()));

        sh(&["ip", "netns", "add", &ns]);
        sh(&["ip", "netns", "add", &peer]);
        for (i, (ours, theirs)) in [("eth0", "p0"), ("eth1", "p1")].into_iter().enumerate() {
            sh(&[
                "ip", "-n", &ns, "link", "add", ours, "type", "veth", "peer", "name", theirs,
                "netns", &peer,
            ]);
            let (a, b) = (format!("10.98.{i}.1/24"), format!("10.98.{i}.2/24"));
            sh(&["ip", "-n", &ns, "addr", "add", &a, "dev", ours]);
            sh(&["ip", "-n", &peer, "addr", "add", &b, "dev", theirs]);
            sh(&["ip", "-n", &ns, "link", "set", ours, "up"]);
            sh(&["ip", "-n", &peer, "link", "set", theirs, "up"]);
        }
        sh(&["ip", "-n", &ns, "link", "set", "lo", "up"]);
        sh(&["ip", "-n", &peer, "link", "set", "lo", "up"]);
        for i in 0..2 {
            let child = Command::new("ip")
                .args(["netns", "exec", &peer, "ping", "-q", "-i", "0.2"])
                .arg(format!("10.98.{i}.1"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("ping");
            env.pings.push(child);
        }
        env
    }

    /// The start of every block's script: the overlays on /etc and
    /// /var/lib, and the example configuration in /etc/monitor.
    fn prelude(&self) -> String {
        let ovl = self.dir.join("ovl");
        let ovl = ovl.display();
        let example = workspace().join("monitor/dist/monitor.toml");
        format!(
            "set -euo pipefail\n\
             mount -t tmpfs doc {ovl}\n\
             for d in etc var/lib; do\n\
             \x20   mkdir -p {ovl}/$d/up {ovl}/$d/work\n\
             \x20   mount -t overlay doc -o lowerdir=/$d,upperdir={ovl}/$d/up,workdir={ovl}/$d/work /$d\n\
             done\n\
             mkdir -p /etc/monitor\n\
             cp {} /etc/monitor/monitor.toml\n",
            example.display()
        )
    }

    /// A fresh working directory for one block: `capture.pcapng`, and the
    /// binary as `target/release/monitor`; for a guide in a directory of
    /// its own (`grafana/`), a copy of that directory, where the user's
    /// `prometheus.yml` is the scrape example with its alert rules beside
    /// it.
    fn workdir(&self, doc_dir: &Path) -> PathBuf {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let work = self.dir.join(format!("work{n}"));
        fs::create_dir_all(work.join("target/release")).unwrap();
        fs::copy(
            self.dir.join("capture/capture.pcapng"),
            work.join("capture.pcapng"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            monitor_bin().canonicalize().unwrap(),
            work.join("target/release/monitor"),
        )
        .unwrap();
        if doc_dir != workspace() {
            sh(&[
                "cp",
                "-a",
                &format!("{}/.", doc_dir.display()),
                work.to_str().unwrap(),
            ]);
            let prom = work.join("prometheus");
            if prom.join("scrape.yml").exists() {
                fs::copy(prom.join("scrape.yml"), work.join("prometheus.yml")).unwrap();
                fs::copy(prom.join("alerts.yml"), work.join("alerts.yml")).unwrap();
            }
        }
        work
    }

    /// Run `script` in the namespace, after the prelude, in a fresh
    /// working directory, with at most `limit` to finish.
    fn run(&self, script: &str, doc_dir: &Path, daemon_pid: u32, limit: Duration) -> Output {
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.ns, "bash", "-c"])
            .arg(format!("{}{script}", self.prelude()))
            .current_dir(self.workdir(doc_dir))
            .env("PATH", path)
            .env("MONITOR_DOC_PID", daemon_pid.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run a block");
        let deadline = Instant::now() + limit;
        // Drain the pipes in threads so that a chatty block cannot stall.
        let mut so = child.stdout.take().unwrap();
        let mut se = child.stderr.take().unwrap();
        let t1 = std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = std::io::Read::read_to_end(&mut so, &mut v);
            v
        });
        let t2 = std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = std::io::Read::read_to_end(&mut se, &mut v);
            v
        });
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                break child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Output {
            status,
            stdout: t1.join().unwrap(),
            stderr: t2.join().unwrap(),
        }
    }

    /// The test's daemon on both interfaces, sampling every frame.
    fn start_daemon(&self) -> Child {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.ns])
            .arg(monitor_bin())
            .args(["run", "--iface", "eth0", "--iface", "eth1", "--sample", "1"])
            .args(["--listen", "127.0.0.1:9477", "--dump-dir"])
            .arg(self.dir.join("dumps"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the daemon");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if sh_ok(&[
                "ip",
                "netns",
                "exec",
                &self.ns,
                "curl",
                "-sf",
                "-o",
                "/dev/null",
                "http://127.0.0.1:9477/metrics",
            ]) {
                return child;
            }
            if let Ok(Some(st)) = child.try_wait() {
                panic!("the test's daemon exited: {st}");
            }
            assert!(
                Instant::now() < deadline,
                "the daemon did not serve /metrics"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for DocEnv {
    fn drop(&mut self) {
        for c in &mut self.pings {
            let _ = c.kill();
            let _ = c.wait();
        }
        sh_ok(&["ip", "netns", "del", &self.ns]);
        sh_ok(&["ip", "netns", "del", &self.peer]);
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn write_script(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// The lines of a block that are commands.
fn command_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect()
}

/// The script that runs a block as its mark says.
fn script(block: &Block) -> String {
    match block.mark {
        Mark::Script | Mark::NotRun(_) => block.text.clone(),
        Mark::DaemonFirst => {
            let lines = command_lines(&block.text);
            let (first, rest) = lines.split_first().expect("an empty block");
            format!(
                "{first} &\n\
                 daemon=$!\n\
                 up=0\n\
                 for _ in $(seq 600); do\n\
                 \x20   if curl -sf -o /dev/null http://127.0.0.1:9477/metrics; then up=1; break; fi\n\
                 \x20   kill -0 $daemon 2>/dev/null || break\n\
                 \x20   sleep 0.1\n\
                 done\n\
                 if [ $up != 1 ]; then echo 'doc-test: the first line did not serve /metrics' >&2; kill $daemon 2>/dev/null; exit 97; fi\n\
                 if ! (\n{}\n); then kill -TERM $daemon; wait $daemon || true; exit 98; fi\n\
                 kill -TERM $daemon\n\
                 wait $daemon\n",
                rest.join("\n")
            )
        }
        Mark::EachLineUntilStopped => command_lines(&block.text)
            .iter()
            .map(|l| {
                // Started when it says so on stderr, as tshark does
                // ("Capturing on 'eth0'"), however long attaching takes.
                format!(
                    "{l} 2>line.err &\n\
                     p=$!\n\
                     for _ in $(seq 1200); do\n\
                     \x20   grep -q '^Capturing on' line.err && break\n\
                     \x20   kill -0 $p 2>/dev/null || break\n\
                     \x20   sleep 0.1\n\
                     done\n\
                     sleep 3\n\
                     if kill -0 $p 2>/dev/null; then kill -TERM $p; fi\n\
                     st=0\n\
                     wait $p || st=$?\n\
                     cat line.err >&2\n\
                     grep -q '^Capturing on' line.err\n\
                     [ $st = 0 ]\n"
                )
            })
            .collect(),
    }
}

fn run_block(env: &DocEnv, block: &Block, daemon_pid: u32) -> Output {
    env.run(
        &script(block),
        &block.dir,
        daemon_pid,
        Duration::from_secs(120),
    )
}

fn assert_ran(block: &Block, out: &Output) {
    let tail = |b: &[u8]| {
        let s = String::from_utf8_lossy(b);
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    };
    assert!(
        out.status.success(),
        "{}: the documented commands failed ({}):\n{}\n--- stdout (end) ---\n{}\n--- stderr (end) ---\n{}",
        block.place,
        out.status,
        block.text,
        tail(&out.stdout),
        tail(&out.stderr)
    );
}

#[test]
fn marks_are_known_and_few() {
    let blocks = all_blocks();
    assert!(blocks.len() >= 12, "{} blocks", blocks.len());
    assert!(blocks.iter().all(|b| !b.text.trim().is_empty()));
    let not_run: Vec<&str> = blocks
        .iter()
        .filter(|b| matches!(b.mark, Mark::NotRun(_)))
        .map(|b| b.place.as_str())
        .collect();
    assert!(
        not_run.len() <= MAX_NOT_RUN,
        "{} blocks are not run (at most {MAX_NOT_RUN}): {not_run:?}",
        not_run.len()
    );
    // The README starts with the two set-up commands.
    let readme = fs::read_to_string(workspace().join("README.md")).unwrap();
    assert!(
        readme.starts_with("# monitor\n\n```sh\nsudo cargo xtask demo ")
            && readme.contains("\nsudo cargo xtask test "),
        "the README no longer starts with its two set-up commands"
    );
}

#[test]
fn every_documented_command_runs() {
    require_root();
    let blocks = all_blocks();
    let env = DocEnv::new();

    // With the test's daemon: the plain blocks, and one wrong example,
    // which must fail.
    let mut daemon = env.start_daemon();
    let pid = daemon.id();
    let wrong = Block {
        place: "a wrong example".into(),
        dir: workspace(),
        text: "monitor read -r capture.pcapng -Y 'tcp.port =='\n".into(),
        mark: Mark::Script,
    };
    let out = run_block(&env, &wrong, pid);
    assert!(!out.status.success(), "a wrong example passed");
    let mut ran = 0;
    let mut usr1 = false;
    for b in blocks.iter().filter(|b| b.mark == Mark::Script) {
        eprintln!("{}", b.place);
        let out = run_block(&env, b, pid);
        assert_ran(b, &out);
        usr1 |= b.text.contains("systemctl kill -s USR1 monitor");
        ran += 1;
    }
    if usr1 {
        // The signal is handled asynchronously: give it a moment.
        let deadline = Instant::now() + Duration::from_secs(20);
        while fs::read_dir(env.dir.join("dumps"))
            .unwrap()
            .next()
            .is_none()
        {
            assert!(
                Instant::now() < deadline,
                "`systemctl kill -s USR1 monitor` wrote no dump"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(daemon.id() as i32, libc::SIGTERM) };
    let st = daemon.wait().unwrap();
    assert!(st.success(), "the test's daemon: {st}");

    // Without it: the blocks that attach programs themselves.
    for b in blocks
        .iter()
        .filter(|b| matches!(b.mark, Mark::DaemonFirst | Mark::EachLineUntilStopped))
    {
        eprintln!("{}", b.place);
        let out = run_block(&env, b, 0);
        assert_ran(b, &out);
        ran += 1;
    }
    let not_run = blocks
        .iter()
        .filter(|b| matches!(b.mark, Mark::NotRun(_)))
        .count();
    eprintln!("{ran} blocks ran, {not_run} marked as not run");
    assert_eq!(ran + not_run, blocks.len());
    assert!(ran >= 8, "only {ran} blocks ran");
}
