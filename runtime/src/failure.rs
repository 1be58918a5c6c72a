//! `Failure`: why a supervised scope, a bounded call or an offloaded closure did not produce a value.

use std::borrow::Cow;
use std::error::Error;
use std::fmt::{self, Write as _};
use std::time::Duration;

/// A boxed error as children and user code return it.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// Why warden could not produce the value of a supervised scope, a bounded call or an offload.
///
/// It is `Error + Send + Sync + 'static`, so `anyhow::Error` and `Box<dyn Error + Send + Sync>`
/// convert from it with `?`; a user error type needs `impl From<warden::Failure> for MyError`.
///
/// [`Failure::Child`] keeps the child's error as its `source()` and its `Display` does not
/// repeat it, so a reporter that walks the chain (anyhow's `{:#}`, eyre, `tracing`'s error
/// fields) prints each cause once. The alternate form `{:#}` prints the whole chain itself.
///
/// ```
/// use std::time::Duration;
/// use warden_runtime::Failure;
///
/// /// What an HTTP layer might answer for each way a warden call can fail.
/// fn status(failure: &Failure) -> u16 {
///     match failure {
///         Failure::Overloaded { .. } | Failure::Cancelled { .. } => 503,
///         Failure::TimedOut { .. } => 504,
///         Failure::Child { .. } | Failure::Panicked { .. } => 500,
///         _ => 500, // the enum is non-exhaustive
///     }
/// }
///
/// let timed_out = Failure::TimedOut { scope: "fetch".into(), after: Duration::from_millis(250) };
/// assert_eq!(status(&timed_out), 504);
/// assert_eq!(timed_out.to_string(), "scope `fetch` timed out after 250ms");
///
/// let child = Failure::Child { scope: "fetch".into(), child: "page 3".into(), error: "reset".into() };
/// assert_eq!(child.to_string(), "child `page 3` of scope `fetch` failed");
/// assert_eq!(std::error::Error::source(&child).unwrap().to_string(), "reset");
/// assert_eq!(format!("{child:#}"), "child `page 3` of scope `fetch` failed: reset");
///
/// // A child started with `warden::spawn` (no name):
/// let unnamed = Failure::Child { scope: "fetch".into(), child: "child".into(), error: "reset".into() };
/// assert_eq!(unnamed.to_string(), "a child of scope `fetch` failed");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Failure {
    /// A child task that nobody awaited returned an error; its siblings and the scope were
    /// cancelled.
    Child {
        /// The scope that owned the child.
        scope: Cow<'static, str>,
        /// The child's name (`warden::spawn_named`) or `"child"`.
        child: Cow<'static, str>,
        /// The child's error, or a [`Failure::Panicked`] if it panicked.
        error: BoxError,
    },
    /// Code panicked: the scope's body, a child or an offloaded closure.
    Panicked {
        /// Where the panic happened (scope or fn name).
        at: Cow<'static, str>,
        /// The panic message, when it was a string.
        message: String,
    },
    /// The scope was cancelled (shutdown, a failed sibling, or an explicit cancel) before it
    /// finished.
    Cancelled {
        /// The scope that was cancelled.
        scope: Cow<'static, str>,
    },
    /// The scope did not finish within its `timeout`.
    TimedOut {
        /// The scope that timed out.
        scope: Cow<'static, str>,
        /// The timeout that expired.
        after: Duration,
    },
    /// A limit was full and the caller chose not to wait (or its deadline passed).
    Overloaded {
        /// The limited fn or scope.
        name: Cow<'static, str>,
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Child { scope, child, .. } => {
                // An unnamed child is "child": "child `child` of .." would read as a typo.
                if child == "child" {
                    write!(f, "a child of scope `{scope}` failed")?;
                } else {
                    write!(f, "child `{child}` of scope `{scope}` failed")?;
                }
                if f.alternate() {
                    let mut source = self.source();
                    while let Some(cause) = source {
                        write!(f, ": {cause}")?;
                        source = cause.source();
                    }
                }
                Ok(())
            }
            Failure::Panicked { at, message } => write!(f, "`{at}` panicked: {message}"),
            Failure::Cancelled { scope } => write!(f, "scope `{scope}` was cancelled"),
            Failure::TimedOut { scope, after } => {
                write!(f, "scope `{scope}` timed out after {after:?}")
            }
            Failure::Overloaded { name, limit } => {
                write!(f, "`{name}` is overloaded: its limit of {limit} is reached")
            }
        }
    }
}

impl Error for Failure {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Failure::Child { error, .. } => Some(&**error),
            _ => None,
        }
    }
}

impl Failure {
    /// Builds a [`Failure::Panicked`] from a caught panic payload.
    #[must_use]
    pub fn from_panic(
        at: impl Into<Cow<'static, str>>,
        payload: &(dyn std::any::Any + Send),
    ) -> Self {
        let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "a panic with a non-string payload".to_owned()
        };
        Failure::Panicked {
            at: at.into(),
            message,
        }
    }

    /// True for [`Failure::Cancelled`].
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Failure::Cancelled { .. })
    }

    /// Logs a failure that nobody will receive, once, at error level, with its cause chain.
    pub(crate) fn log_unreturned(&self, scope: &str) {
        tracing::error!(scope, error = %chain(self), "warden: unreturned failure");
    }
}

/// `error: cause: cause`, for a log line; skips a cause whose text its parent already shows (a
/// user error that repeats its source).
pub(crate) fn chain(error: &(dyn Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.ends_with(&text) {
            let _ = write!(out, ": {text}");
        }
        source = s.source();
    }
    out
}
