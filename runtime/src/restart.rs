//! Running a supervised scope by its config: one attempt, or, with a [`RestartPolicy`], again
//! after each end the policy restarts, within its restart intensity (`max_restarts` within a
//! period) and after an exponential backoff with jitter.

use std::collections::VecDeque;
use std::fmt::Display;
use std::future::Future;
use std::hash::BuildHasher as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::attempt::{Outcome, attempt};
use crate::config::{RestartPolicy, ScopeConfig};
use crate::failure::{Failure, chain};
use crate::scope::{Kind, Limits, Scope};

/// Runs attempts of the scope `cfg` until its restart policy (none: after the first) says the
/// last result is the answer; the factory builds a fresh body for each attempt (generated code
/// clones the fn's arguments in it).
///
/// # Errors
/// The last attempt's error (or `E::from` its [`Failure`]); [`Failure::Cancelled`] if the
/// parent is cancelled during a backoff.
pub(crate) async fn attempts<T, E, Fut, F>(
    cfg: &'static ScopeConfig,
    mut factory: F,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: From<Failure> + Display,
{
    // Only these and the attempt's future live across the attempt's await: the rest of a
    // restart's state lives in `decide` and `back_off`, so the attempt is the bulk of this
    // future (the body once, plus the scope's own state).
    let mut history = History::new();
    loop {
        let delay = {
            let outcome = attempt(cfg, factory(), history.attempt - 1).await;
            match history.decide(cfg, outcome) {
                Next::Return(result) => return result,
                Next::Restart(delay) => delay,
            }
        };
        back_off(cfg, delay, history.attempt - 1)
            .await
            .map_err(E::from)?;
    }
}

/// The wait before the `n`th restart of the current period (`n` from 1).
fn delay(policy: &RestartPolicy, n: usize) -> Duration {
    let exp = u32::try_from(n.saturating_sub(1))
        .unwrap_or(u32::MAX)
        .min(31);
    let full = policy
        .backoff_min
        .saturating_mul(1 << exp)
        .min(policy.backoff_max);
    jitter(full)
}

/// `full / 2 + random(0..=full / 2)`: enough spread, and delays still grow with `n`.
fn jitter(full: Duration) -> Duration {
    static SALT: AtomicU64 = AtomicU64::new(0);
    let salt = SALT.fetch_add(1, Ordering::Relaxed);
    let random = std::hash::RandomState::new().hash_one(salt) % 1025;
    let half = full / 2;
    let extra = half.as_nanos() * u128::from(random) / 1024;
    half + Duration::from_nanos(u64::try_from(extra).unwrap_or(u64::MAX))
}

/// The restarts of one supervised call so far.
struct History {
    /// When each restart within the current period happened.
    recent: VecDeque<Instant>,
    /// The number of the attempt running or just ended, from 1.
    attempt: u32,
}

/// What follows an attempt.
enum Next<R> {
    /// The call is over: this is its result.
    Return(R),
    /// Run it again after this delay.
    Restart(Duration),
}

impl History {
    fn new() -> Self {
        History {
            recent: VecDeque::new(),
            attempt: 1,
        }
    }

    /// Whether `outcome`, the end of an attempt, is the call's result or is restarted (logged
    /// with its attempt number, the failure at error level, so it is reported exactly once).
    fn decide<T, E>(&mut self, cfg: &ScopeConfig, outcome: Outcome<T, E>) -> Next<Result<T, E>>
    where
        E: From<Failure> + Display,
    {
        let Some(policy) = cfg.restart_policy() else {
            return Next::Return(outcome.into_result());
        };
        let failure = match &outcome {
            Outcome::Ok(_) if !policy.after_ok => {
                return Next::Return(outcome.into_result());
            }
            Outcome::Ok(_) => None,
            Outcome::Err(e) => Some(e.to_string()),
            Outcome::Failed(f) if f.is_cancelled() => return Next::Return(outcome.into_result()),
            Outcome::Failed(f) => Some(chain(f)),
        };
        if Scope::current().as_deref().is_some_and(Scope::is_cancelled) {
            // Shutting down: no restart, and this attempt's result is the answer.
            return Next::Return(outcome.into_result());
        }

        let now = Instant::now();
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= policy.within)
        {
            self.recent.pop_front();
        }
        let attempt = self.attempt;
        if self.recent.len() >= policy.max_restarts as usize {
            tracing::warn!(
                scope = cfg.name(),
                attempt,
                max_restarts = policy.max_restarts,
                within = ?policy.within,
                "warden: restart intensity reached; giving up"
            );
            return Next::Return(outcome.into_result());
        }
        self.recent.push_back(now);
        let delay = delay(&policy, self.recent.len());
        self.attempt += 1;
        let attempt = self.attempt;
        if let Some(error) = failure {
            tracing::error!(
                scope = cfg.name(),
                attempt,
                delay = ?delay,
                error = %error,
                "warden: scope failed; restarting"
            );
        } else {
            tracing::info!(
                scope = cfg.name(),
                attempt,
                delay = ?delay,
                "warden: permanent scope returned; restarting"
            );
        }
        Next::Restart(delay)
    }
}

/// Waits `delay` before the next attempt.
///
/// # Errors
/// [`Failure::Cancelled`] if the parent scope is cancelled meanwhile.
async fn back_off(cfg: &ScopeConfig, delay: Duration, restarts: u32) -> Result<(), Failure> {
    let parent = Scope::current();
    // The live tree shows the call as restarting while it waits.
    let none = Limits {
        max_children: 1,
        grace: None,
    };
    let waiting = Scope::new(cfg.name, Kind::Supervised, parent.clone(), none, None);
    crate::tree::backoff(&waiting, restarts);
    let Some(token) = parent.as_deref().and_then(Scope::nearest_token) else {
        tokio::time::sleep(delay).await;
        return Ok(());
    };
    tokio::select! {
        () = tokio::time::sleep(delay) => Ok(()),
        () = token.cancelled() => Err(Failure::Cancelled { scope: cfg.name().into() }),
    }
}
