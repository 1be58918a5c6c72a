// The return type is judged by the type system, not by its name: aliases of `Result` whose
// error converts from `warden::Failure` work with every attribute that can fail a call.
use warden::{BoxError, Failure, bounded, supervised};

type AppResult<T> = Result<T, AppError>;

#[derive(Debug)]
struct AppError;

impl From<Failure> for AppError {
    fn from(_: Failure) -> Self {
        AppError
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("app error")
    }
}

/// Like `anyhow::Result`: one parameter, the error defaulted.
mod anyhowish {
    pub type Result<T, E = warden::BoxError> = core::result::Result<T, E>;
}

#[supervised]
async fn alias() -> AppResult<u32> {
    Ok(1)
}

#[supervised(restart = "on_failure", max_restarts = 1)]
async fn alias_restarted() -> AppResult<u32> {
    Ok(1)
}

#[supervised]
async fn one_parameter_alias() -> anyhowish::Result<u32> {
    Ok(1)
}

#[bounded(2, reject)]
async fn rejecting_alias() -> AppResult<()> {
    Ok(())
}

#[bounded(2, wait = "5ms", per = id)]
async fn keyed_alias(id: u64) -> anyhowish::Result<u64> {
    Ok(id)
}

#[supervised]
async fn generic<E: From<Failure>>() -> Result<(), E> {
    Ok(())
}

#[supervised]
async fn boxed() -> Result<(), BoxError> {
    Ok(())
}

fn main() {
    let _ = (
        alias(),
        alias_restarted(),
        one_parameter_alias(),
        rejecting_alias(),
        keyed_alias(1),
        generic::<Failure>(),
        boxed(),
    );
}
