//! Totals estimated from samples.
//!
//! The kernel samples a frame when any of its coin flips succeeds: one per
//! rule the frame is a candidate of (with that rule's `sample` fraction)
//! and one global flip (`[sampling] sample`). The probability that a frame
//! reaches user space is therefore known for every sample from the rules it
//! matched in the kernel, and weighting each sample by the inverse of that
//! probability (the Horvitz–Thompson estimator) gives an unbiased estimate
//! of the total, whatever mix of rule and global sampling produced it.

use monitor_common::Config;

/// Probability that one coin flip with `fraction` succeeds, as the kernel
/// draws it (a 32-bit random number below a threshold).
pub fn coin(fraction: f64) -> f64 {
    Config::threshold_for(fraction) as f64 / (1u64 << 32) as f64
}

/// Probability that a frame is sampled when the global fraction is
/// `global` and it is a candidate of rules with the fractions `rules`.
pub fn inclusion_probability(global: f64, rules: impl IntoIterator<Item = f64>) -> f64 {
    let missed = rules
        .into_iter()
        .fold(1.0 - coin(global), |m, r| m * (1.0 - coin(r)));
    1.0 - missed
}

/// The smallest sampling probability of a rule's candidates (when no other
/// rule matches them too). Zero means the rule's total cannot be estimated:
/// its candidates may never be sampled.
pub fn rule_fraction(global: f64, rule: f64) -> f64 {
    inclusion_probability(global, [rule])
}

/// Weight of one sample in an estimated total; `None` when the sample
/// could not have been drawn under the given fractions (a reload changed
/// them while it was on its way).
pub fn weight(probability: f64) -> Option<f64> {
    (probability > 0.0).then(|| 1.0 / probability)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn coins_are_quantised_like_the_kernel() {
        assert_eq!(coin(0.0), 0.0);
        assert_eq!(coin(1.0), 1.0);
        assert_eq!(coin(0.5), 0.5);
        // 0.01 · 2³² = 42949672.96, truncated to 42949672.
        assert_eq!(coin(0.01), 42_949_672.0 / 4_294_967_296.0);
        assert_eq!(coin(f64::NAN), 0.0);
        assert_eq!(coin(2.0), 1.0);
    }

    #[test]
    fn inclusion_combines_the_global_and_rule_flips() {
        // Global only.
        assert!(close(inclusion_probability(0.25, []), 0.25));
        // One rule at 0.5 with the global 0.25: 1 - 0.75 · 0.5.
        assert!(close(inclusion_probability(0.25, [0.5]), 0.625));
        // Two rules matched: 1 - 0.75 · 0.5 · 0.75.
        assert!(close(inclusion_probability(0.25, [0.5, 0.25]), 0.718_75));
        // Any certain flip makes it certain.
        assert_eq!(inclusion_probability(0.0, [0.1, 1.0]), 1.0);
        assert_eq!(inclusion_probability(0.0, [0.0, 0.0]), 0.0);
        assert!(close(rule_fraction(0.25, 0.0), 0.25));
        assert_eq!(rule_fraction(0.0, 0.0), 0.0);
    }

    #[test]
    fn weights_invert_the_probability() {
        assert_eq!(weight(0.25), Some(4.0));
        assert_eq!(weight(1.0), Some(1.0));
        assert_eq!(weight(0.0), None);
    }

    /// The estimator on a simulated stream: 100 000 frames of which 30 000
    /// match rule A (fraction 0.1) and 10 000 of those also rule B (0.5),
    /// global fraction 0.01, sampled with the kernel's flips (a seeded
    /// generator). The weighted sum lands within 3 % of the truth, where
    /// the unweighted count scaled by A's own fraction alone is far off.
    #[test]
    fn estimate_of_a_simulated_stream_is_close() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32 as u64
        };
        let (global, a, b) = (0.01, 0.1, 0.5);
        let th = Config::threshold_for;
        let (mut estimate, mut naive) = (0.0, 0.0);
        for i in 0..100_000u32 {
            let in_a = i % 10 < 3;
            let in_b = in_a && i % 30 < 3;
            let mut want = false;
            if in_a && rnd() < th(a) {
                want = true;
            }
            if in_b && rnd() < th(b) {
                want = true;
            }
            if !want && rnd() < th(global) {
                want = true;
            }
            if want && in_a {
                let mut rules = vec![a];
                if in_b {
                    rules.push(b);
                }
                estimate += weight(inclusion_probability(global, rules)).unwrap();
                naive += 1.0 / rule_fraction(global, a);
            }
        }
        assert!((estimate - 30_000.0).abs() < 900.0, "estimate {estimate}");
        assert!(naive > 40_000.0, "the naive scaling overcounts: {naive}");
    }
}
