//! Builds the eBPF programs (crate `monitor-ebpf`) for the BPF target and
//! leaves the object in `OUT_DIR`, where `src/ebpf.rs` embeds it.
use aya_build::{Package, Toolchain};

fn main() -> anyhow::Result<()> {
    // The nested build uses `-Z build-std=core` on the pinned stable toolchain.
    // SAFETY: build scripts are single-threaded at this point.
    unsafe { std::env::set_var("RUSTC_BOOTSTRAP", "1") };
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../monitor-ebpf");
    let common = concat!(env!("CARGO_MANIFEST_DIR"), "/../monitor-common");
    println!("cargo:rerun-if-changed={common}");
    aya_build::build_ebpf(
        [Package {
            name: "monitor-ebpf",
            root_dir: root,
            ..Default::default()
        }],
        Toolchain::Custom("1.95.0"),
    )
}
