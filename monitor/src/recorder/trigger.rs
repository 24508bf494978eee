//! Threshold triggers over counters: decide when the daemon should save a
//! dump, e.g. "retransmissions grew by 100 within 10 s", at most once per
//! cool-down.
//!
//! A trigger is fed (time, counter value) samples by its owner, as often as
//! the owner polls the counter (at least a few times per window), and says
//! whether to fire. It does no I/O and reads no clock.

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

/// Most samples kept per trigger; beyond it the second-oldest is dropped,
/// which keeps the baseline and makes the window at worst slightly shorter.
pub const MAX_SAMPLES: usize = 4096;

/// Fires when a counter grew by at least `threshold` within `window`, and
/// not again before `cooldown` has passed since it last fired.
#[derive(Clone, Debug)]
pub struct Trigger {
    /// Name shown when the trigger fires (e.g. in the dump's file or log).
    pub name: String,
    /// Name of the counter watched (for the owner to look up).
    pub counter: String,
    /// Growth that fires (at least 1).
    pub threshold: u64,
    /// How far back the growth is measured.
    pub window: Duration,
    /// Quiet time after firing.
    pub cooldown: Duration,
    samples: VecDeque<(Instant, u64)>,
    last_fired: Option<Instant>,
    fired: u64,
}

impl Trigger {
    /// A trigger with no history. A `threshold` of 0 counts as 1.
    pub fn new(
        name: impl Into<String>,
        counter: impl Into<String>,
        threshold: u64,
        window: Duration,
        cooldown: Duration,
    ) -> Self {
        Self {
            name: name.into(),
            counter: counter.into(),
            threshold: threshold.max(1),
            window,
            cooldown,
            samples: VecDeque::new(),
            last_fired: None,
            fired: 0,
        }
    }

    /// Record the counter's `value` at `now` and say whether to fire: the
    /// value exceeds the oldest one seen within `window` before `now` by
    /// `threshold` or more, and the cool-down since the last firing is over.
    /// After firing, growth is measured afresh from `value`, so one burst
    /// fires once. A value below the previous one means the counter was
    /// reset: history restarts from it. Samples must come in time order; an
    /// older `now` than the last sample restarts history too.
    pub fn observe(&mut self, now: Instant, value: u64) -> bool {
        if let Some(&(t, v)) = self.samples.back() {
            if value < v || now < t {
                self.samples.clear();
            }
        }
        while self
            .samples
            .front()
            .is_some_and(|&(t, _)| now.duration_since(t) > self.window)
        {
            self.samples.pop_front();
        }
        if self.samples.len() >= MAX_SAMPLES {
            self.samples.remove(1);
        }
        self.samples.push_back((now, value));
        let base = self.samples.front().map_or(value, |&(_, v)| v);
        let cooled = self
            .last_fired
            .is_none_or(|t| now.saturating_duration_since(t) >= self.cooldown);
        if value - base >= self.threshold && cooled {
            self.last_fired = Some(now);
            self.fired += 1;
            self.samples.clear();
            self.samples.push_back((now, value));
            true
        } else {
            false
        }
    }

    /// When it last fired.
    pub fn last_fired(&self) -> Option<Instant> {
        self.last_fired
    }

    /// How many times it fired.
    pub fn fired(&self) -> u64 {
        self.fired
    }

    /// Forget the history and the last firing.
    pub fn reset(&mut self) {
        self.samples.clear();
        self.last_fired = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn trig(threshold: u64, window: u64, cooldown: u64) -> Trigger {
        Trigger::new(
            "retrans-burst",
            "tcp_retransmissions_total",
            threshold,
            S * window as u32,
            S * cooldown as u32,
        )
    }

    /// Feed one sample per second from `values`; return the seconds it fired at.
    fn run(t: &mut Trigger, t0: Instant, values: &[u64]) -> Vec<usize> {
        values
            .iter()
            .enumerate()
            .filter(|&(i, &v)| t.observe(t0 + S * i as u32, v))
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn fires_on_growth_within_window() {
        let t0 = Instant::now();
        let mut t = trig(10, 5, 0);
        // +2/s never reaches 10 within 5 s ... (5 s × 2 = 10: reaches exactly at 5 s).
        assert_eq!(run(&mut t, t0, &[0, 2, 4, 6, 8, 10]), vec![5]);
        let mut t = trig(11, 5, 0);
        assert_eq!(
            run(&mut t, t0, &[0, 2, 4, 6, 8, 10, 12, 14, 16]),
            Vec::<usize>::new()
        );
        // A jump fires at once.
        let mut t = trig(10, 5, 0);
        assert_eq!(run(&mut t, t0, &[100, 100, 130]), vec![2]);
        assert_eq!(t.fired(), 1);
        assert_eq!(t.last_fired(), Some(t0 + 2 * S));
    }

    #[test]
    fn growth_outside_window_does_not_count() {
        let t0 = Instant::now();
        let mut t = trig(10, 3, 0);
        // 9 then, 4 s later, 9 more: never 10 within 3 s.
        assert_eq!(
            run(&mut t, t0, &[0, 9, 9, 9, 9, 18, 18, 18, 18]),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn cooldown_and_rebase() {
        let t0 = Instant::now();
        let mut t = trig(10, 10, 5);
        // Steady +10/s: fires at 1 s, then not before 6 s, then 11 s ...
        let v: Vec<u64> = (0..13).map(|i| i * 10).collect();
        assert_eq!(run(&mut t, t0, &v), vec![1, 6, 11]);
        // One burst fires once even when the cool-down is shorter than the window.
        let mut t = trig(10, 10, 1);
        assert_eq!(
            run(&mut t, t0, &[0, 50, 50, 50, 50, 50, 55, 60]),
            vec![1, 7]
        );
    }

    #[test]
    fn counter_reset_restarts_history() {
        let t0 = Instant::now();
        let mut t = trig(10, 10, 0);
        // Drop from 1000 to 0 is a reset, not growth; then 0 -> 9 is not enough.
        assert_eq!(run(&mut t, t0, &[995, 1000, 0, 5, 9]), Vec::<usize>::new());
        assert_eq!(run(&mut t, t0 + 10 * S, &[10]), vec![0]);
        t.reset();
        assert_eq!(t.last_fired(), None);
        assert!(!t.observe(t0 + 20 * S, 1000));
    }

    #[test]
    fn zero_threshold_means_any_growth() {
        let t0 = Instant::now();
        let mut t = trig(0, 10, 0);
        assert_eq!(run(&mut t, t0, &[5, 5, 6, 6]), vec![2]);
    }

    #[test]
    fn history_is_bounded() {
        let t0 = Instant::now();
        let mut t = trig(u64::MAX, 3600, 0);
        for i in 0..(MAX_SAMPLES as u32 * 3) {
            assert!(!t.observe(t0 + Duration::from_millis(i.into()), i.into()));
        }
        assert!(t.samples.len() <= MAX_SAMPLES);
        // The baseline (oldest sample) is kept.
        assert_eq!(t.samples.front().unwrap().1, 0);
    }
}
