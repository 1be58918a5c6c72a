//! Restarting a supervised scope, after Erlang/OTP: transient or permanent, with a restart
//! intensity (`max_restarts` within a period) and an exponential backoff with jitter.

use std::collections::VecDeque;
use std::fmt::Display;
use std::future::Future;
use std::hash::BuildHasher as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::failure::Failure;
use crate::scope::{Scope, chain};
use crate::supervise::{Outcome, ScopeConfig, run};

/// When to restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Transient: restart after an error, a panic or a timeout.
    OnFailure,
    /// Permanent: also restart after `Ok`.
    Always,
}

/// When and how often a supervised scope is run again.
///
/// Why: a worker that crashes on a bad message comes back, but a worker that crashes in a loop
/// gives up and reports instead of burning the CPU. A cancelled scope is never restarted.
///
/// ```
/// use std::time::Duration;
/// use warden_runtime::{RestartPolicy, ScopeConfig};
///
/// static WORKER: ScopeConfig = ScopeConfig::new("worker").restart(
///     RestartPolicy::on_failure()
///         .max_restarts(5)
///         .within(Duration::from_secs(10))
///         .backoff(Duration::from_millis(50), Duration::from_secs(2)),
/// );
/// assert!(WORKER.restart_policy().is_some());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestartPolicy {
    mode: Mode,
    max_restarts: u32,
    within: Duration,
    backoff_min: Duration,
    backoff_max: Duration,
}

impl RestartPolicy {
    /// Transient: restart when the body returns `Err`, panics or times out; return its `Ok`.
    /// At most 3 restarts within 5 s, backoff from 10 ms to 1 s.
    #[must_use]
    pub const fn on_failure() -> Self {
        RestartPolicy {
            mode: Mode::OnFailure,
            max_restarts: 3,
            within: Duration::from_secs(5),
            backoff_min: Duration::from_millis(10),
            backoff_max: Duration::from_secs(1),
        }
    }

    /// Permanent: like [`on_failure`](Self::on_failure), and also restart when it returns `Ok`.
    #[must_use]
    pub const fn always() -> Self {
        let mut p = Self::on_failure();
        p.mode = Mode::Always;
        p
    }

    /// At most `max` restarts within any period of [`within`](Self::within); one more returns
    /// the last result.
    #[must_use]
    pub const fn max_restarts(mut self, max: u32) -> Self {
        self.max_restarts = max;
        self
    }

    /// The period over which [`max_restarts`](Self::max_restarts) counts.
    #[must_use]
    pub const fn within(mut self, within: Duration) -> Self {
        self.within = within;
        self
    }

    /// Waits `min`, then twice as long after each restart in the period, up to `max`; each wait
    /// is jittered down by up to half so restarted peers do not wake in step.
    #[must_use]
    pub const fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff_min = min;
        self.backoff_max = max;
        self
    }

    /// The wait before the `n`th restart of the current period (`n` from 1).
    fn delay(&self, n: usize) -> Duration {
        let exp = u32::try_from(n.saturating_sub(1))
            .unwrap_or(u32::MAX)
            .min(31);
        let full = self
            .backoff_min
            .saturating_mul(1 << exp)
            .min(self.backoff_max);
        jitter(full)
    }
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

/// Runs a supervised scope and restarts it by `cfg`'s [`RestartPolicy`] (transient by default).
///
/// Why: the factory builds a fresh body for each attempt (generated code clones the fn's
/// arguments in it). Each restart is logged with its attempt number, the failure at error level
/// (so it is reported exactly once); past the restart intensity, the last result is returned.
/// A cancelled attempt (parent cancelled, shutdown) is never restarted.
///
/// # Errors
///
/// The last attempt's error (or `E::from` its [`Failure`]) once the policy stops restarting;
/// [`Failure::Cancelled`] if the parent is cancelled during a backoff.
///
/// # Panics
///
/// Outside a Tokio runtime, with a message that names the fix.
///
/// ```
/// use warden_runtime::{BoxError, RestartPolicy, ScopeConfig, supervise_restarting};
///
/// static FLAKY: ScopeConfig = ScopeConfig::new("flaky").restart(RestartPolicy::on_failure());
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// let mut attempts = 0;
/// let r: Result<u32, BoxError> = supervise_restarting(&FLAKY, || {
///     attempts += 1;
///     let n = attempts;
///     async move { if n < 3 { Err("not yet".into()) } else { Ok(n) } }
/// })
/// .await;
/// assert_eq!(r.unwrap(), 3);
/// # }
/// ```
pub async fn supervise_restarting<T, E, Fut, F>(
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
            let outcome = run(cfg, factory(), None).await;
            match history.decide(cfg, outcome) {
                Next::Return(result) => return result,
                Next::Restart(delay) => delay,
            }
        };
        back_off(cfg, delay).await.map_err(E::from)?;
    }
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
        let policy = cfg.restart_policy().unwrap_or(RestartPolicy::on_failure());
        let failure = match &outcome {
            Outcome::Ok(_) if policy.mode == Mode::OnFailure => {
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
        let delay = policy.delay(self.recent.len());
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
async fn back_off(cfg: &ScopeConfig, delay: Duration) -> Result<(), Failure> {
    let parent = Scope::current();
    let Some(token) = parent.as_deref().and_then(Scope::nearest_token) else {
        tokio::time::sleep(delay).await;
        return Ok(());
    };
    tokio::select! {
        () = tokio::time::sleep(delay) => Ok(()),
        () = token.cancelled() => Err(Failure::Cancelled { scope: cfg.name().into() }),
    }
}
