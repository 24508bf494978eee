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
}

#[global_allocator]
static ALLOC: Counting = Counting;

#[test]
fn heap_used_by_ring_stays_within_bound() {
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
