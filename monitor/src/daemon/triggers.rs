//! Triggers: dump the flight recorder automatically when one of the
//! daemon's own metrics grows too fast or crosses a value, with a
//! cool-down between dumps.

use std::time::{Duration, Instant};

use prometheus::proto::{MetricFamily, MetricType};

use crate::{
    config::{
        self,
        trigger::{parse_condition, parse_selector, Condition},
    },
    recorder,
};

/// One configured trigger.
#[derive(Debug)]
pub struct Trigger {
    /// Name (log lines and the `trigger` label).
    pub name: String,
    family: String,
    matchers: Vec<(String, String)>,
    condition: Condition,
    threshold: f64,
    cooldown: Duration,
    growth: recorder::Trigger,
    last_fired: Option<Instant>,
}

impl Trigger {
    /// Build from a validated configuration entry.
    pub fn from_config(t: &config::Trigger) -> Result<Self, String> {
        let (family, matchers) = parse_selector(t.metric.get_ref())?;
        let condition = parse_condition(t.condition.get_ref())?;
        let window = config::parse_duration(t.window.get_ref())?;
        let cooldown = config::parse_duration(t.cooldown.get_ref())?;
        let threshold = *t.threshold.get_ref();
        let growth_threshold = match condition {
            Condition::Rate => threshold * window.as_secs_f64(),
            _ => threshold,
        };
        Ok(Self {
            name: t.name.get_ref().clone(),
            growth: recorder::Trigger::new(
                t.name.get_ref().clone(),
                family.clone(),
                growth_threshold.ceil() as u64,
                window,
                cooldown,
            ),
            family,
            matchers,
            condition,
            threshold,
            cooldown,
            last_fired: None,
        })
    }

    /// Sum of the matching series, or `None` when the family is absent.
    fn value(&self, families: &[MetricFamily]) -> Option<f64> {
        let fam = families.iter().find(|f| f.name() == self.family)?;
        let mut sum = 0.0;
        for m in fam.get_metric() {
            let labels = m.get_label();
            let ok = self
                .matchers
                .iter()
                .all(|(k, v)| labels.iter().any(|l| l.name() == k && l.value() == v));
            if !ok {
                continue;
            }
            sum += match fam.get_field_type() {
                MetricType::COUNTER => m.get_counter().get_value(),
                MetricType::GAUGE => m.get_gauge().get_value(),
                _ => 0.0,
            };
        }
        Some(sum)
    }

    /// Observe the metrics now; true when the trigger fires.
    pub fn observe(&mut self, now: Instant, families: &[MetricFamily]) -> bool {
        let Some(v) = self.value(families) else {
            return false;
        };
        match self.condition {
            Condition::Increase | Condition::Rate => self.growth.observe(now, v.max(0.0) as u64),
            Condition::Value => {
                let cooled = self
                    .last_fired
                    .is_none_or(|t| now.duration_since(t) >= self.cooldown);
                if v > self.threshold && cooled {
                    self.last_fired = Some(now);
                    true
                } else {
                    false
                }
            }
        }
    }
}
