//! Rules in the running daemon: the configuration's display filters
//! compiled for the kernel ([`crate::filter::kernel::kernel_rule`]),
//! assigned stable slots, and rule sets swapped on reload without a window
//! where packets go uncounted.

use monitor_common::rules::MAX_RULES;

use crate::{
    config::Config,
    ebpf::{KernelRule, RuleTables},
    filter::{self, kernel::kernel_rule, FilterError},
};

/// A rule of the configuration that does not compile.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// A `[[rule]]` filter.
    #[error("rule '{rule}': {}", .error.message)]
    Rule {
        /// The rule's name.
        rule: String,
        /// Why its filter was refused.
        error: FilterError,
    },
    /// The `[tcp] scope` filter.
    #[error("tcp scope: {}", .0.message)]
    TcpScope(FilterError),
}

/// One configured rule, compiled.
#[derive(Clone, Debug)]
pub struct CompiledRule {
    /// Name.
    pub name: String,
    /// Kernel graph.
    pub kernel: KernelRule,
    /// True when the kernel decides the filter exactly.
    pub exact: bool,
    /// The exact filter for user space.
    pub exact_filter: filter::Filter,
}

/// The rules of one configuration.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    /// Rules in file order.
    pub rules: Vec<CompiledRule>,
    /// The TCP analysis scope.
    pub tcp_scope: Option<KernelRule>,
}

impl RuleSet {
    /// Compile every rule of a configuration.
    pub fn compile(config: &Config) -> Result<Self, RuleError> {
        let mut rules = Vec::new();
        for r in &config.rules {
            let refused = |error| RuleError::Rule {
                rule: r.name.get_ref().clone(),
                error,
            };
            let (mut kernel, exact) = kernel_rule(r.filter.get_ref()).map_err(refused)?;
            kernel.sample = *r.sample.get_ref();
            let exact_filter = filter::compile(r.filter.get_ref()).map_err(refused)?;
            rules.push(CompiledRule {
                name: r.name.get_ref().clone(),
                kernel,
                exact,
                exact_filter,
            });
        }
        let scope = config.tcp.scope.get_ref();
        let tcp_scope = if scope.trim().is_empty() {
            None
        } else {
            Some(kernel_rule(scope).map_err(RuleError::TcpScope)?.0)
        };
        Ok(Self { rules, tcp_scope })
    }
}

/// The installed rules and their slots.
#[derive(Debug)]
pub struct Control {
    /// Slot → rule currently installed there.
    slots: Vec<Option<CompiledRule>>,
    /// Slots that were in use by the previous generation (not reused by the
    /// next reload, so their counters can be zeroed safely later).
    recently_freed: Vec<bool>,
    /// Temporary rules (`monitor tail --all`) in slots no configured rule
    /// uses: every frame they accept is sampled; they have no metrics.
    temporary: Vec<Option<KernelRule>>,
    /// The TCP analysis scope installed with the rules.
    tcp_scope: Option<KernelRule>,
}

impl Control {
    /// Install the first rule set.
    pub fn new(set: RuleSet, tables: &mut RuleTables) -> anyhow::Result<Self> {
        let mut c = Self {
            slots: vec![None; MAX_RULES as usize],
            recently_freed: vec![false; MAX_RULES as usize],
            temporary: vec![None; MAX_RULES as usize],
            tcp_scope: None,
        };
        c.replace(set, tables, &mut |_| {})?;
        Ok(c)
    }

    /// Rule name of every slot, and whether the kernel decides it exactly.
    pub fn names(&self) -> Vec<Option<(String, bool)>> {
        self.slots
            .iter()
            .map(|s| s.as_ref().map(|r| (r.name.clone(), r.exact)))
            .collect()
    }

    /// The rules as the live pipeline needs them.
    pub fn live_rules(&self) -> Vec<Option<super::live::LiveRule>> {
        self.slots
            .iter()
            .map(|s| {
                s.as_ref().map(|r| super::live::LiveRule {
                    name: r.name.as_str().into(),
                    exact: r.exact,
                    filter: r.exact_filter.clone(),
                    sample: r.kernel.sample,
                })
            })
            .collect()
    }

    /// Swap in a new rule set. Rules that keep their name keep their slot
    /// (and their counters); new rules take a slot that no rule of the
    /// running generation uses, preferring ones idle for two generations.
    /// `rebase(slot)` is called for every newly assigned slot before the
    /// switch, while nothing counts into it, so its metrics can start from
    /// the counter's current value. On error nothing changes.
    pub fn replace(
        &mut self,
        set: RuleSet,
        tables: &mut RuleTables,
        rebase: &mut dyn FnMut(u32),
    ) -> anyhow::Result<()> {
        let mut next: Vec<Option<CompiledRule>> = vec![None; MAX_RULES as usize];
        let mut pending = Vec::new();
        for rule in set.rules {
            match self
                .slots
                .iter()
                .position(|s| s.as_ref().is_some_and(|r| r.name == rule.name))
            {
                Some(i) => next[i] = Some(rule),
                None => pending.push(rule),
            }
        }
        for rule in pending {
            let open = |i: usize| {
                next[i].is_none() && self.slots[i].is_none() && self.temporary[i].is_none()
            };
            let free = (0..MAX_RULES as usize)
                .find(|&i| open(i) && !self.recently_freed[i])
                .or_else(|| (0..MAX_RULES as usize).find(|&i| open(i)))
                .ok_or_else(|| anyhow::anyhow!("no free rule slot for '{}'", rule.name))?;
            next[free] = Some(rule);
            rebase(free as u32);
        }
        let kernel = Self::kernel_rules(&next, &self.temporary);
        tables.install(&kernel, set.tcp_scope.as_ref())?;
        self.tcp_scope = set.tcp_scope;
        self.recently_freed = self
            .slots
            .iter()
            .zip(&next)
            .map(|(old, new)| old.is_some() && new.is_none())
            .collect();
        self.slots = next;
        Ok(())
    }

    /// What the kernel runs: each slot's configured or temporary rule.
    fn kernel_rules(
        slots: &[Option<CompiledRule>],
        temporary: &[Option<KernelRule>],
    ) -> Vec<Option<KernelRule>> {
        slots
            .iter()
            .zip(temporary)
            .map(|(s, t)| s.as_ref().map(|r| r.kernel.clone()).or_else(|| t.clone()))
            .collect()
    }

    /// Install a temporary rule that samples every frame `rule` accepts
    /// (and every candidate it leaves to user space), in a slot no
    /// configured rule uses; returns the slot. Nothing changes on error.
    pub fn add_temporary(
        &mut self,
        mut rule: KernelRule,
        tables: &mut RuleTables,
    ) -> anyhow::Result<u32> {
        let open = |i: usize| self.slots[i].is_none() && self.temporary[i].is_none();
        let free = (0..MAX_RULES as usize)
            .find(|&i| open(i) && !self.recently_freed[i])
            .or_else(|| (0..MAX_RULES as usize).find(|&i| open(i)))
            .ok_or_else(|| anyhow::anyhow!("no free rule slot"))?;
        rule.sample = 1.0;
        self.temporary[free] = Some(rule);
        let kernel = Self::kernel_rules(&self.slots, &self.temporary);
        if let Err(e) = tables.install(&kernel, self.tcp_scope.as_ref()) {
            self.temporary[free] = None;
            return Err(e);
        }
        Ok(free as u32)
    }

    /// Remove the temporary rule of `slot`.
    pub fn remove_temporary(&mut self, slot: u32, tables: &mut RuleTables) -> anyhow::Result<()> {
        let Some(t) = self.temporary.get_mut(slot as usize) else {
            return Ok(());
        };
        let old = t.take();
        let kernel = Self::kernel_rules(&self.slots, &self.temporary);
        if let Err(e) = tables.install(&kernel, self.tcp_scope.as_ref()) {
            self.temporary[slot as usize] = old;
            return Err(e);
        }
        Ok(())
    }

    /// Bit `s` set for every slot that holds a temporary rule.
    pub fn temporary_slots(&self) -> u32 {
        self.temporary
            .iter()
            .enumerate()
            .filter(|(_, t)| t.is_some())
            .fold(0, |m, (i, _)| m | 1 << i)
    }
}

/// A rule as the configuration writes it, for telling what a reload
/// changed.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSpec {
    /// Name.
    pub name: String,
    /// Display filter.
    pub filter: String,
    /// Sample fraction.
    pub sample: f64,
}

impl RuleSpec {
    /// The rules of a configuration, in file order.
    pub fn of(config: &Config) -> Vec<RuleSpec> {
        config
            .rules
            .iter()
            .map(|r| RuleSpec {
                name: r.name.get_ref().clone(),
                filter: r.filter.get_ref().clone(),
                sample: *r.sample.get_ref(),
            })
            .collect()
    }
}

/// What a reload did to the rules, by name.
#[derive(Debug, Default, PartialEq)]
pub struct RuleChanges {
    /// New names, in the new file's order.
    pub added: Vec<String>,
    /// Names no longer configured, in the old file's order.
    pub removed: Vec<String>,
    /// Names kept with another filter or sample fraction, in the new
    /// file's order.
    pub changed: Vec<String>,
}

impl RuleChanges {
    /// Compare the rules before and after a reload.
    pub fn between(old: &[RuleSpec], new: &[RuleSpec]) -> Self {
        let find = |list: &[RuleSpec], name: &str| list.iter().position(|r| r.name == name);
        let mut changes = Self::default();
        for r in new {
            match find(old, &r.name) {
                None => changes.added.push(r.name.clone()),
                Some(i) if old[i] != *r => changes.changed.push(r.name.clone()),
                Some(_) => {}
            }
        }
        changes.removed = old
            .iter()
            .filter(|r| find(new, &r.name).is_none())
            .map(|r| r.name.clone())
            .collect();
        changes
    }
}

/// `rules added: a, b; removed: c; changed: d`, leaving out the empty
/// parts; `rules unchanged` when there are none.
impl std::fmt::Display for RuleChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
        ]
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(what, names)| format!("{what}: {}", names.join(", ")))
        .collect();
        if parts.is_empty() {
            write!(f, "rules unchanged")
        } else {
            write!(f, "rules {}", parts.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, filter: &str, sample: f64) -> RuleSpec {
        RuleSpec {
            name: name.into(),
            filter: filter.into(),
            sample,
        }
    }

    #[test]
    fn reload_names_added_removed_and_changed_rules() {
        let old = [
            spec("web", "tcp.port == 80", 0.0),
            spec("dns", "udp.port == 53", 0.0),
            spec("resets", "tcp.flags.reset == 1", 0.0),
            spec("syn", "tcp.flags.syn == 1", 0.0),
        ];
        let new = [
            spec("icmp", "icmp", 0.0),
            spec("syn", "tcp.flags.syn == 1", 0.5),
            spec("web", "tcp.port == 8080", 0.0),
            spec("resets", "tcp.flags.reset == 1", 0.0),
        ];
        let c = RuleChanges::between(&old, &new);
        assert_eq!(
            c,
            RuleChanges {
                added: vec!["icmp".into()],
                removed: vec!["dns".into()],
                changed: vec!["syn".into(), "web".into()],
            }
        );
        assert_eq!(
            c.to_string(),
            "rules added: icmp; removed: dns; changed: syn, web"
        );
        let same = RuleChanges::between(&old, &old);
        assert_eq!(same, RuleChanges::default());
        assert_eq!(same.to_string(), "rules unchanged");
        assert_eq!(
            RuleChanges::between(&[], &old[..1]).to_string(),
            "rules added: web"
        );
    }
}
