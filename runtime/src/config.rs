//! How a supervised scope runs: its [`ScopeConfig`] and the [`RestartPolicy`] it may carry, with
//! the defaults. Plain data built by `const` builders, so a config lives in a `static` and costs
//! nothing per call; [`supervise`](crate::supervise) reads it, and nothing here runs a scope.

use std::time::Duration;

use tracing::Span;
use tracing::callsite::DefaultCallsite;

/// Children a scope may have at once unless its config says otherwise.
pub const DEFAULT_MAX_CHILDREN: usize = 1024;
/// How long a [`Root`](crate::Root)'s tree gets to stop after a shutdown before what is left
/// is aborted, unless configured.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// How one supervised fn runs: built once, in a `static`, by generated code or by hand.
///
/// Why `'static` and `const`: the config costs nothing per call.
///
/// ```
/// use std::time::Duration;
/// use warden_runtime::ScopeConfig;
///
/// static FETCH: ScopeConfig = ScopeConfig::new("fetch")
///     .timeout(Duration::from_secs(2))
///     .grace(Duration::from_millis(500))
///     .max_children(64);
/// assert_eq!(FETCH.name(), "fetch");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ScopeConfig {
    pub(crate) name: &'static str,
    pub(crate) timeout: Option<Duration>,
    /// Set only by [`grace`](Self::grace): without it, children are not waited for when the
    /// scope stops on its own (timeout, failure), they are aborted.
    pub(crate) grace: Option<Duration>,
    pub(crate) max_children: usize,
    pub(crate) restart: Option<RestartPolicy>,
    span: Option<MakeSpan>,
}

/// Where a scope's span comes from.
#[derive(Clone, Copy, Debug)]
enum MakeSpan {
    /// A fn the user gave.
    Fn(fn() -> Span),
    /// The callsite generated code declares for its fn.
    At(&'static DefaultCallsite),
}

impl ScopeConfig {
    /// A config with no timeout, no grace, 1024 children at most and no restart.
    #[must_use]
    pub const fn new(name: &'static str) -> Self {
        ScopeConfig {
            name,
            timeout: None,
            grace: None,
            max_children: DEFAULT_MAX_CHILDREN,
            restart: None,
            span: None,
        }
    }

    /// Cancels the scope and returns [`Failure::TimedOut`](crate::Failure::TimedOut) when it
    /// runs longer than `after`.
    #[must_use]
    pub const fn timeout(mut self, after: Duration) -> Self {
        self.timeout = Some(after);
        self
    }

    /// How long the children may take to finish on their own once the scope stops (timeout,
    /// failure, cancellation) before they are aborted. Without it, a scope that stops on its
    /// own aborts its children at once, and one stopped by a shutdown gives them what is left
    /// of the root's grace; with it, at most this long (and never past the root's deadline).
    /// The caller waits for this grace: a timeout plus a grace is the caller's longest wait.
    #[must_use]
    pub const fn grace(mut self, grace: Duration) -> Self {
        self.grace = Some(grace);
        self
    }

    /// How many children may run at once; `spawn` waits for a slot, `try_spawn` fails.
    /// Zero is taken as one.
    #[must_use]
    pub const fn max_children(mut self, max: usize) -> Self {
        self.max_children = if max == 0 { 1 } else { max };
        self
    }

    /// Runs the scope again by `policy` when it ends; without one, [`supervise`](crate::supervise)
    /// runs it once.
    #[must_use]
    pub const fn restart(mut self, policy: RestartPolicy) -> Self {
        self.restart = Some(policy);
        self
    }

    /// Makes the scope's span (e.g. `|| info_span!("fn_name")`); the default span is
    /// `supervised` with a `scope` field.
    #[must_use]
    pub const fn span(mut self, make: fn() -> Span) -> Self {
        self.span = Some(MakeSpan::Fn(make));
        self
    }

    /// Makes the scope's span at `callsite`, as `span!` would there (no fields). Generated code
    /// declares one callsite per fn: data, where a `span` fn would be code compiled per fn.
    #[doc(hidden)]
    #[must_use]
    pub const fn span_at(mut self, callsite: &'static DefaultCallsite) -> Self {
        self.span = Some(MakeSpan::At(callsite));
        self
    }

    /// The scope's name, as failures and logs show it.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The restart policy, if one was set.
    #[must_use]
    pub const fn restart_policy(&self) -> Option<RestartPolicy> {
        self.restart
    }

    /// The scope's span, made now.
    pub(crate) fn make_span(&self) -> Span {
        match self.span {
            Some(MakeSpan::Fn(make)) => make(),
            Some(MakeSpan::At(callsite)) => crate::span::at(callsite),
            None => tracing::info_span!("supervised", scope = self.name),
        }
    }
}

/// When and how often a supervised scope is run again, after Erlang/OTP: transient or
/// permanent, with a restart intensity (`max_restarts` within a period) and an exponential
/// backoff with jitter.
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
    /// Permanent (also restart after `Ok`) rather than transient.
    pub(crate) after_ok: bool,
    pub(crate) max_restarts: u32,
    pub(crate) within: Duration,
    pub(crate) backoff_min: Duration,
    pub(crate) backoff_max: Duration,
}

impl RestartPolicy {
    /// Transient: restart when the body returns `Err`, panics or times out; return its `Ok`.
    /// At most 3 restarts within 5 s, backoff from 10 ms to 1 s.
    #[must_use]
    pub const fn on_failure() -> Self {
        RestartPolicy {
            after_ok: false,
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
        p.after_ok = true;
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
}
