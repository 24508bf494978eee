//! `monitor run` on an interface whose XDP hook is held (by another
//! monitor, in every attach mode, or by any other program) stops with one
//! line naming the program and its id, and leaves the holder running. (Its own test binary: the other live tests count
//! BPF links machine-wide.)

use monitor_tests::{sh, Daemon, Netns};

#[test]
fn a_second_monitor_on_the_interface_names_the_program_holding_xdp() {
    let net = Netns::new("two");
    let iface = net.host_if.clone();
    let first = Daemon::start(&["--iface", &iface]);
    // Whatever the mode asked for, the answer names the holder.
    for mode in ["auto", "skb", "driver"] {
        let out = std::process::Command::new(monitor_tests::monitor_bin())
            .args(["run", "--iface", &iface, "--xdp-mode", mode, "--listen"])
            .arg(format!("127.0.0.1:{}", monitor_tests::free_port()))
            .output()
            .expect("second monitor");
        assert_ne!(
            out.status.code(),
            Some(0),
            "{mode}: a second monitor attached"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| !l.contains(" INFO ") && !l.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), 1, "{mode}: one line expected:\n{err}");
        let line = lines[0];
        assert!(
            line.starts_with(&format!(
                "monitor: error: {iface} already has XDP program monitor_xdp (id "
            )) && line.ends_with("attached: another monitor is running there"),
            "{mode}: {line}"
        );
        assert!(!err.contains("falling back"), "{mode}: {err}");
        // The id is the attached program's.
        let id: String = line
            .split("(id ")
            .nth(1)
            .unwrap()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let link =
            String::from_utf8_lossy(&sh(&["ip", "-d", "link", "show", "dev", &iface]).stdout)
                .to_string();
        assert!(link.contains(&format!("prog/xdp id {id}")), "{link}");
    }
    // The first one is untouched.
    assert_eq!(first.scrape().get("monitor_interfaces", &[]), 1.0);
    assert_eq!(first.stop(), 0);
}

#[test]
fn another_program_holding_xdp_is_named_with_its_id() {
    use aya::programs::XdpMode;
    let net = Netns::new("other");
    let iface = net.host_if.clone();
    // Any XDP program will do: the do-nothing baseline, attached here.
    let mut progs = monitor::ebpf::Programs::load(1 << 16).expect("load programs");
    let bare = progs.bare().expect("baseline program");
    bare.attach(&iface, XdpMode::Skb).expect("attach");
    let id = bare.info().expect("program info").id();
    let out = std::process::Command::new(monitor_tests::monitor_bin())
        .args(["run", "--iface", &iface, "--listen"])
        .arg(format!("127.0.0.1:{}", monitor_tests::free_port()))
        .output()
        .expect("monitor run");
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.contains(" INFO ") && !l.trim().is_empty())
        .collect();
    assert_eq!(
        lines,
        [format!(
            "monitor: error: {iface} already has XDP program bare_pass (id {id}) attached: another program holds XDP there"
        )],
        "{err}"
    );
    drop(progs);
}
