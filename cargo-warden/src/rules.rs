//! What the command says about each rule: its family (the unit levels are set by), a stable id
//! for JSON, SARIF and baselines, and a one-line description.

use warden_analysis::Rule;

/// A rule family: the unit a level in `Cargo.toml` applies to, one per rule of the rules page.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Family {
    /// R1: blocking calls in async code.
    Blocking,
    /// R2: lock guards alive across `.await`, nested locks.
    Guards,
    /// R3: spawned tasks nobody owns.
    Spawns,
    /// R4: unbounded queues, raw spawns in loops.
    Queues,
}

impl Family {
    /// Every family, in rule order.
    pub const ALL: [Family; 4] = [
        Family::Blocking,
        Family::Guards,
        Family::Spawns,
        Family::Queues,
    ];

    /// The key in `Cargo.toml`.
    pub fn key(self) -> &'static str {
        match self {
            Family::Blocking => "blocking",
            Family::Guards => "guards",
            Family::Spawns => "spawns",
            Family::Queues => "queues",
        }
    }

    /// The rule number of the rules page: `R1`..`R4`.
    pub fn number(self) -> &'static str {
        match self {
            Family::Blocking => "R1",
            Family::Guards => "R2",
            Family::Spawns => "R3",
            Family::Queues => "R4",
        }
    }

    /// The family a key of `Cargo.toml` names.
    pub fn from_key(key: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// What the command shows of a rule.
pub struct RuleInfo {
    /// Stable id: the rule number and a slug (`R1/blocking-call`).
    pub id: &'static str,
    /// The family whose level applies.
    pub family: Family,
    /// One line for SARIF's rule list and the report.
    pub description: &'static str,
    /// Whether it is a warning whatever the level (two locks at once are sometimes right).
    pub warning_only: bool,
}

/// Every rule the engine reports, in the order of `info`'s match.
pub const ALL: [Rule; 6] = [
    Rule::BlockingCall,
    Rule::GuardAcrossAwait,
    Rule::NestedLocks,
    Rule::FireAndForget,
    Rule::UnboundedQueue,
    Rule::SpawnInLoop,
];

/// What the command shows of `rule`.
pub fn info(rule: Rule) -> RuleInfo {
    let (id, family, description, warning_only) = match rule {
        Rule::BlockingCall => (
            "R1/blocking-call",
            Family::Blocking,
            "No blocking call (file, network or process I/O, sleeping, waiting on a thread) in async code.",
            false,
        ),
        Rule::GuardAcrossAwait => (
            "R2/guard-across-await",
            Family::Guards,
            "No lock guard alive across an `.await`.",
            false,
        ),
        Rule::NestedLocks => (
            "R2/nested-locks",
            Family::Guards,
            "Two lock guards alive at once (a warning: sometimes right, often a deadlock).",
            true,
        ),
        Rule::FireAndForget => (
            "R3/fire-and-forget",
            Family::Spawns,
            "No spawned task whose handle is dropped or whose result is thrown away.",
            false,
        ),
        Rule::UnboundedQueue => (
            "R4/unbounded-queue",
            Family::Queues,
            "No queue without a capacity.",
            false,
        ),
        Rule::SpawnInLoop => (
            "R4/spawn-in-loop",
            Family::Queues,
            "No raw spawn in a loop (one task per iteration, with no limit).",
            false,
        ),
    };
    RuleInfo {
        id,
        family,
        description,
        warning_only,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_name_their_family() {
        let ids: Vec<&str> = ALL.iter().map(|r| info(*r).id).collect();
        for (i, id) in ids.iter().enumerate() {
            assert!(!ids[i + 1..].contains(id), "{id} twice");
        }
        for rule in ALL {
            let info = info(rule);
            assert!(info.id.starts_with(info.family.number()), "{}", info.id);
        }
    }
}
