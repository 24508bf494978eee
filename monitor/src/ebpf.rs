//! The embedded eBPF object and its loader.

/// The eBPF object built from `monitor-ebpf` by the build script.
pub static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/monitor"));
