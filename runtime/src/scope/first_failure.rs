//! A scope's first failure: the first unowned child failure (or the scope's own) is what the
//! scope returns; any other is logged, so each failure is reported exactly once.

use std::sync::Mutex;

use crate::failure::Failure;
use crate::registry::lock;

struct Inner {
    /// While true, an offered failure is kept (if none is yet); after, it is given back.
    collecting: bool,
    first: Option<Failure>,
}

/// Where a scope keeps the failure it will return.
pub(crate) struct FirstFailure(Mutex<Inner>);

impl FirstFailure {
    /// `collecting`: false for a scope whose failures nobody returns (they are all logged).
    pub(crate) fn new(collecting: bool) -> Self {
        FirstFailure(Mutex::new(Inner {
            collecting,
            first: None,
        }))
    }

    /// Keeps `failure` if it is the first while collecting (`Ok`: the scope should stop);
    /// otherwise gives it back (`Err`: the caller logs it).
    pub(crate) fn offer(&self, failure: Failure) -> Result<(), Failure> {
        let mut inner = lock(&self.0);
        if inner.collecting && inner.first.is_none() {
            inner.first = Some(failure);
            Ok(())
        } else {
            Err(failure)
        }
    }

    /// Stops collecting and takes the first failure, if any. Idempotent.
    pub(crate) fn close(&self) -> Option<Failure> {
        let mut inner = lock(&self.0);
        inner.collecting = false;
        inner.first.take()
    }
}
