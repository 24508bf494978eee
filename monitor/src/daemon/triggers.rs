//! Triggers: dump the flight recorder automatically when one of the
//! daemon's own metrics grows too fast or crosses a value, with a
//! cool-down between dumps.

use std::time::{Duration, Instant};

use prometheus::proto::{MetricFamily, MetricType};

use crate::{config, recorder};

/// How a trigger compares its metric with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Increase over the window.
    Increase,
    /// Per-second rate over the window.
    Rate,
    /// Current value.
    Value,
}

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

/// Split `name{a="b",c="d"}` into the name and exact label matchers.
pub fn parse_selector(s: &str) -> Result<(String, Vec<(String, String)>), String> {
    let s = s.trim();
    let Some(open) = s.find('{') else {
        return Ok((s.to_string(), Vec::new()));
    };
    let name = s[..open].trim().to_string();
    let body = s[open + 1..]
        .strip_suffix('}')
        .ok_or_else(|| format!("'{s}': missing '}}'"))?;
    let mut out = Vec::new();
    for part in body.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("'{part}' is not label=\"value\""))?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| format!("'{part}': the value must be quoted"))?;
        out.push((k.trim().to_string(), v.to_string()));
    }
    Ok((name, out))
}

/// Parse a condition name.
pub fn parse_condition(s: &str) -> Result<Condition, String> {
    match s {
        "increase" => Ok(Condition::Increase),
        "rate" => Ok(Condition::Rate),
        "value" => Ok(Condition::Value),
        _ => Err(format!("condition '{s}' must be increase, rate or value")),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        assert_eq!(
            parse_selector("monitor_x").unwrap(),
            ("monitor_x".into(), vec![])
        );
        let (n, m) =
            parse_selector(r#"monitor_rule_packets_total{rule="web", direction="egress"}"#)
                .unwrap();
        assert_eq!(n, "monitor_rule_packets_total");
        assert_eq!(
            m,
            vec![
                ("rule".into(), "web".into()),
                ("direction".into(), "egress".into())
            ]
        );
        assert!(parse_selector("m{rule=web}").is_err());
        assert!(parse_condition("sometimes").is_err());
    }
}
