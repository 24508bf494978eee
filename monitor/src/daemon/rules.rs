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
