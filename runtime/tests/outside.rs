//! Calling warden outside a Tokio runtime fails with a message that names the fix.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::task::{Context, Waker};

use warden_runtime::{Failure, Root, ScopeConfig, spawn, supervise};

/// Makes and polls a future once without any runtime, returning the panic message.
fn poll_once_outside_runtime<F: Future>(make: impl FnOnce() -> F) -> String {
    let panic = catch_unwind(AssertUnwindSafe(|| {
        let mut cx = Context::from_waker(Waker::noop());
        let _ = pin!(make()).poll(&mut cx);
    }))
    .expect_err("polling outside a runtime must fail");
    if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        panic
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}

#[test]
fn supervise_outside_a_runtime_names_the_fix() {
    static CFG: ScopeConfig = ScopeConfig::new("fetch_user");
    let msg = poll_once_outside_runtime(|| supervise(&CFG, || async { Ok::<(), Failure>(()) }));
    assert_eq!(
        msg,
        "warden: `#[supervised]` fn `fetch_user` was called outside a Tokio runtime; run it \
         inside #[tokio::main] or Runtime::block_on"
    );
}

#[test]
fn spawn_and_root_outside_a_runtime_name_the_fix() {
    let msg = poll_once_outside_runtime(|| spawn(async { Ok::<(), Failure>(()) }));
    assert!(
        msg.contains("outside a Tokio runtime") && msg.contains("#[tokio::main]"),
        "{msg}"
    );
    let msg = poll_once_outside_runtime(|| Root::new().signals(false).run(async {}));
    assert!(
        msg.contains("Root::run") && msg.contains("Runtime::block_on"),
        "{msg}"
    );
}
