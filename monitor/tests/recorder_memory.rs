//! The recorder's memory bound, measured with a counting allocator: the
//! heap really used by the ring stays under the configured bound however the
//! packet sizes vary.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use monitor::record::{Direction, PacketRecord};
use monitor::recorder::{Config, Entry, Recorder};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates to the system allocator and only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same layout, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same pointer and layout, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same arguments, forwarded.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The heap count is process-wide: measure one test at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn heap_used_by_ring_stays_within_bound() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rule: Arc<str> = Arc::from("syn-flood");
    for max in [64 * 1024, 1 << 20, 8 << 20] {
        let before = LIVE.load(Ordering::SeqCst);
        let r = Recorder::new(Config {
            max_bytes: max,
            max_age: None,
        });
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut peak = 0;
        for i in 0..30_000i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = match x % 8 {
                0 | 1 => 0,
                2 => (x >> 8) as usize % 9000,
                _ => (x >> 8) as usize % 1514,
            };
            let mut e = Entry::new(PacketRecord {
                ts_ns: i,
                iface: 2,
                direction: Some(Direction::Egress),
                orig_len: len as u32,
                data: vec![1; len],
            });
            if x.is_multiple_of(3) {
                e.rules.push(Arc::clone(&rule));
                e.analysis.push(Arc::from("tcp.analysis.retransmission"));
            }
            r.push(e);
            let used = LIVE.load(Ordering::SeqCst).saturating_sub(before);
            peak = peak.max(used);
            assert!(r.stats().bytes <= max);
        }
        // The live heap includes the entry being pushed before the oldest
        // one is evicted, so allow one maximum-sized entry of slack.
        assert!(
            peak <= max + 9000 + 512,
            "bound {max}: peak heap {peak} bytes"
        );
        drop(r);
    }
}

fn packet(ts_ns: i64, len: usize) -> Entry {
    Entry::new(PacketRecord {
        ts_ns,
        iface: 1,
        direction: Some(Direction::Ingress),
        orig_len: len as u32,
        data: vec![0; len],
    })
}

#[test]
fn heap_stays_within_bound_when_small_packets_give_way_to_large() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Many tiny entries grow the slot array; when large packets follow, the
    // array's spare room must still count against the bound.
    for max in [64 * 1024, 4 << 20] {
        let before = LIVE.load(Ordering::SeqCst);
        let r = Recorder::new(Config {
            max_bytes: max,
            max_age: None,
        });
        let mut peak = 0;
        let mut ts = 0;
        for (len, count) in [
            (0, max / 40),
            (1514, max / 500),
            (0, max / 40),
            (9000, max / 3000),
        ] {
            for _ in 0..count {
                r.push(packet(ts, len));
                ts += 1;
                peak = peak.max(LIVE.load(Ordering::SeqCst).saturating_sub(before));
                assert!(r.stats().bytes <= max);
            }
            assert!(
                r.stats().evicted > 0,
                "phase with {len}-byte packets did not fill the ring"
            );
        }
        assert!(
            peak <= max + 9000 + 512,
            "bound {max}: peak heap {peak} bytes"
        );
        drop(r);
        let after = LIVE.load(Ordering::SeqCst);
        // Slack for the test harness allocating on its own threads.
        assert!(after <= before + 16 * 1024, "leak: {before} -> {after}");
    }
}
