//! How a supervised call ended ([`Outcome`]) and what its future gives for it ([`Finish`]):
//! the outcome itself for a restart loop, the fn's own `Result` for generated code.

use crate::failure::Failure;

/// How a scope ended: the body's value, the body's own error, or a warden failure.
pub(crate) enum Outcome<T, E> {
    Ok(T),
    Err(E),
    Failed(Failure),
}

impl<T, E: From<Failure>> Outcome<T, E> {
    pub(crate) fn into_result(self) -> Result<T, E> {
        match self {
            Outcome::Ok(v) => Ok(v),
            Outcome::Err(e) => Err(e),
            Outcome::Failed(f) => Err(E::from(f)),
        }
    }
}

/// What a supervised call's future gives once its scope ended: the outcome itself, or (for
/// generated code) the fn's `Result` with warden's failure converted.
pub(crate) trait Finish<T, E> {
    type Output;
    fn finish(self, outcome: Outcome<T, E>) -> Self::Output;
}

/// The outcome as it is (a restart loop looks at it).
pub(crate) struct Keep;

impl<T, E> Finish<T, E> for Keep {
    type Output = Outcome<T, E>;

    fn finish(self, outcome: Outcome<T, E>) -> Outcome<T, E> {
        outcome
    }
}

/// The fn's `Result`, warden's failure converted by the closure.
pub(crate) struct Convert<C>(pub(crate) C);

impl<T, E, C: FnOnce(Failure) -> E> Finish<T, E> for Convert<C> {
    type Output = Result<T, E>;

    fn finish(self, outcome: Outcome<T, E>) -> Result<T, E> {
        match outcome {
            Outcome::Ok(value) => Ok(value),
            Outcome::Err(error) => Err(error),
            Outcome::Failed(failure) => Err((self.0)(failure)),
        }
    }
}
