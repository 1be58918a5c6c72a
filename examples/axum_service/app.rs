//! The HTTP service: its routes, its handlers, and how warden's failures become HTTP statuses.
//!
//! `main.rs` serves it under a `warden::Root`; `tests/axum_service.rs` runs the same file
//! in-process. Using the handlers in `router()` is itself the check that the futures warden
//! generates satisfy axum's `Handler` bounds (`Send`, `'static`).

use std::fmt;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use warden::{Failure, ShutdownHandle};

/// The routes: `/`, `/slow/{ms}` (at most 2 at once) and `/checksum/{kib}`.
pub fn router() -> Router {
    Router::new()
        .route("/", get(handlers::hello))
        .route("/slow/{ms}", get(handlers::slow))
        .route("/checksum/{kib}", get(handlers::checksum))
}

/// Serves until `shutdown` starts, then stops accepting and lets in-flight requests finish:
/// axum drains, the `warden::Root` around this call bounds how long by its grace period.
///
/// # Errors
/// When the listener fails.
pub async fn serve(listener: TcpListener, shutdown: ShutdownHandle) -> std::io::Result<()> {
    axum::serve(listener, router())
        .with_graceful_shutdown(async move { shutdown.wait().await })
        .await
}

/// What a handler can fail with. `From<Failure>` is what `#[supervised]` and
/// `#[bounded(.., reject)]` need; `IntoResponse` picks the status.
#[derive(Debug)]
pub enum AppError {
    BadRequest(&'static str),
    Failure(Failure),
}

impl From<Failure> for AppError {
    fn from(failure: Failure) -> Self {
        AppError::Failure(failure)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::BadRequest(why) => f.write_str(why),
            AppError::Failure(failure) => write!(f, "{failure}"),
        }
    }
}

impl IntoResponse for AppError {
    /// A full limit or a shutdown is 503 with `Retry-After` (the client may try again), a
    /// timeout 504, a failed child or a panic 500.
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Failure(Failure::Overloaded { .. } | Failure::Cancelled { .. }) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Failure(Failure::TimedOut { .. }) => StatusCode::GATEWAY_TIMEOUT,
            AppError::Failure(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut response = (status, format!("{self}\n")).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            let retry = HeaderValue::from_static("1");
            response.headers_mut().insert(header::RETRY_AFTER, retry);
        }
        response
    }
}

/// The handlers, checked by `#[no_blocking]` at compile time.
#[warden::no_blocking]
pub mod handlers {
    use std::time::Duration;

    use axum::extract::Path;
    use warden::{bounded, supervised};

    use super::AppError;

    /// `/slow/{ms}` requests served at once; the next one gets 503.
    pub const SLOW_LIMIT: usize = 2;

    /// `GET /`: plain async code; the module's `#[no_blocking]` still checks it.
    pub async fn hello() -> &'static str {
        "hello from warden\n"
    }

    /// `GET /slow/{ms}`: waits `ms` (at most 2 s) as a stand-in for a slow backend. At most
    /// `SLOW_LIMIT` run at once; over it the call fails with `Failure::Overloaded`, a 503.
    #[supervised(timeout = "5s")]
    #[bounded(SLOW_LIMIT, reject)]
    pub async fn slow(Path(ms): Path<u64>) -> Result<String, AppError> {
        tokio::time::sleep(Duration::from_millis(ms.min(2_000))).await;
        Ok(format!("slept {ms} ms\n"))
    }

    /// `GET /checksum/{kib}`: a checksum of `kib` KiB of generated data, in four children
    /// owned by this request's scope, each doing its CPU work on the blocking pool.
    #[supervised(max_children = 4, max_poll = "10ms")]
    pub async fn checksum(Path(kib): Path<usize>) -> Result<String, AppError> {
        if kib > 64 * 1024 {
            return Err(AppError::BadRequest("at most 65536 KiB"));
        }
        let mut parts = Vec::new();
        for part in 0..4_u64 {
            let work = warden::offload(move || checksum_part(part, kib * 256));
            parts.push(warden::spawn(work).await);
        }
        let mut total = 0_u64;
        for part in parts {
            total = total.rotate_left(16) ^ part.await?;
        }
        Ok(format!("{total:016x}\n"))
    }

    /// FNV-1a over `len` bytes derived from `seed`: sync code, run by `warden::offload`.
    fn checksum_part(seed: u64, len: usize) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for i in 0..len as u64 {
            hash ^= i.wrapping_mul(seed + 1) & 0xff;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    }
}
