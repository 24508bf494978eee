//! Triggers as the configuration file writes them: the metric selector
//! (`name{label="value",…}`) and the condition name, parsed for checking
//! the file and for the daemon that runs the triggers.

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
