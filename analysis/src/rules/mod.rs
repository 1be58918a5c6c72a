//! The rules as data: which APIs block, which spawns and queues are unbounded. The analysis asks
//! these tables; it holds no API names itself.

pub mod blocking;
pub mod tasks;
pub mod types;

/// A rule of ../shared/rules/async-concurrency-patterns.md that warden enforces.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rule {
    /// R1: no blocking call in async code.
    BlockingCall,
    /// R2: no lock guard alive across `.await`.
    GuardAcrossAwait,
    /// R2 (warning): two lock guards alive at once.
    NestedLocks,
    /// R3: a spawned task nobody owns.
    FireAndForget,
    /// R4: a queue without a capacity.
    UnboundedQueue,
    /// R4: a raw spawn in a loop.
    SpawnInLoop,
}

impl Rule {
    /// The short tag every message starts with, so users can grep and look it up in the docs.
    pub fn tag(self) -> &'static str {
        match self {
            Rule::BlockingCall => "warden R1 (no blocking in async code)",
            Rule::GuardAcrossAwait => "warden R2 (no lock held across `.await`)",
            Rule::NestedLocks => "warden R2 (nested locks)",
            Rule::FireAndForget => "warden R3 (no fire-and-forget tasks)",
            Rule::UnboundedQueue => "warden R4 (no unbounded queues)",
            Rule::SpawnInLoop => "warden R4 (no unbounded spawning)",
        }
    }
}
