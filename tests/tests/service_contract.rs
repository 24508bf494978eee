//! What `monitor.service` expects of the daemon, as the daemon sees it
//! under systemd:
//!
//! - `monitor run --config FILE` reads the shipped configuration (here with
//!   one `[[interface]]` added and a free port);
//! - with `NOTIFY_SOCKET` set it sends `READY=1` only once every program is
//!   attached and `/metrics` answers (`Type=notify`);
//! - SIGHUP (`ExecReload=`) re-reads the file and keeps serving;
//! - SIGTERM exits 0;
//! - a configuration that does not parse is one line naming the file and
//!   exit status 2, before anything is attached.
//!
//! These are ignored until the daemon has `--config`, sd_notify and SIGHUP
//! handling; run them with `cargo test -p monitor-tests --test
//! service_contract -- --ignored`.

mod service_support;

use std::{
    os::unix::net::UnixDatagram,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use monitor_tests::{free_port, http_get, monitor_bin, require_root, Metrics, Netns};
use service_support::*;

/// The shipped configuration, listening on `addr`, dumping into `dumps`,
/// monitoring `iface`.
fn config_for(iface: &str, addr: &str, dumps: &str) -> String {
    let text = std::fs::read_to_string(dist().join("monitor.toml")).unwrap();
    let text = text
        .replace(
            "listen = \"127.0.0.1:9477\"",
            &format!("listen = \"{addr}\""),
        )
        .replace(
            "dump_dir = \"/var/lib/monitor/dumps\"",
            &format!("dump_dir = \"{dumps}\""),
        );
    assert!(text.contains(addr) && text.contains(dumps));
    format!("{text}\n[[interface]]\nname = \"{iface}\"\nxdp_mode = \"auto\"\n")
}

/// Datagrams received on the notify socket until one contains `want`.
fn wait_notify(sock: &UnixDatagram, want: &str, child: &mut Child) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    while Instant::now() < deadline {
        if let Ok(n) = sock.recv(&mut buf) {
            let msg = String::from_utf8_lossy(&buf[..n]).to_string();
            let done = msg.lines().any(|l| l == want);
            got.push(msg);
            if done {
                return got;
            }
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("monitor exited ({st}) before {want}; got {got:?}");
        }
    }
    panic!("no {want} within 60 s; got {got:?}");
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, sig) };
}

#[test]

fn config_notify_reload_stop() {
    require_root();
    let ns = Netns::new("svcnfy");
    let dir = TempDir::new("contract");
    let addr = format!("127.0.0.1:{}", free_port());
    let dumps = dir.path().join("dumps");
    std::fs::create_dir_all(&dumps).unwrap();
    let conf = dir.path().join("monitor.toml");
    std::fs::write(
        &conf,
        config_for(&ns.host_if, &addr, dumps.to_str().unwrap()),
    )
    .unwrap();
    let notify = dir.path().join("notify");
    let sock = UnixDatagram::bind(&notify).expect("bind notify socket");

    let mut child = Command::new(monitor_bin())
        .args(["run", "--config"])
        .arg(&conf)
        .env("NOTIFY_SOCKET", &notify)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn monitor");
    wait_notify(&sock, "READY=1", &mut child);
    // READY=1 means attached and serving: /metrics answers at once.
    let m = Metrics::parse(&http_get(&addr, "/metrics").expect("/metrics after READY=1"));
    assert_eq!(m.get("monitor_interfaces", &[]), 1.0);

    // Reload: the daemon stays up and serves.
    signal(&child, libc::SIGHUP);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGHUP ended the daemon"
    );
    assert!(
        http_get(&addr, "/metrics").is_some(),
        "not serving after SIGHUP"
    );

    signal(&child, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "no exit within 20 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]

fn bad_config_is_one_line_and_exit_2() {
    let dir = TempDir::new("contract-bad");
    let conf = dir.path().join("monitor.toml");
    std::fs::write(&conf, "[daemon]\nlisten = \n").unwrap();
    let out = run(Command::new(monitor_bin())
        .args(["run", "--config"])
        .arg(&conf));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(conf.to_str().unwrap()), "{err}");
}
