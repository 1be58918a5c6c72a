//! A child's failure goes to exactly one side, its awaited handle or its scope, even when the
//! handle is dropped on one thread just as the child ends on another: the scope returns the
//! failure (never only logs it), and an awaited handle's failure never reaches the scope.
//!
//! A child may even hold its own handle: dropping it as the child's task completes must not
//! wait for that completion.
//!
//! A child that succeeds while no handle of its scope was dropped leaves its registry entry to
//! its handle: in one long scope, handles dropped as their children succeed, awaited values and
//! owned and unowned failures interleave, and each still goes where it belongs.
//!
//! Each iteration races the two on a multi-thread runtime, the body spinning a different
//! number of turns before it drops (or awaits) the handle, so that some drops land before the
//! child ends, some after, and some while its task completes.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use support::{Capture, bounded};
use tracing::Level;
use warden_runtime::{ChildHandle, Failure, ScopeConfig, spawn_named, supervise};

const ROUNDS: u32 = 10_000;

/// Spins `turns` times: a few hundred nanoseconds at most, to move the drop across the end.
fn spin(turns: u32) {
    for _ in 0..turns {
        std::hint::spin_loop();
    }
}

/// Errors logged about scope `scope` (both tests share the process's capture).
fn errors_of(capture: &Capture, scope: &str) -> usize {
    capture
        .at(Level::ERROR)
        .iter()
        .filter(|e| e.field("scope") == Some(scope))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handle_dropped_as_its_child_ends_leaves_the_failure_to_the_scope() {
    static CFG: ScopeConfig = ScopeConfig::new("race");
    let capture = Capture::global();
    for round in 0..ROUNDS {
        let r: Result<(), Failure> = bounded(supervise(&CFG, || async move {
            let h = spawn_named("racer", async { Err::<(), _>("mine") }).await;
            spin(round % 400);
            drop(h);
            Ok(())
        }))
        .await;
        assert!(
            matches!(&r, Err(Failure::Child { child, .. }) if child == "racer"),
            "round {round}: {r:?}"
        );
    }
    assert_eq!(
        errors_of(&capture, "race"),
        0,
        "a failure was logged, not returned"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handle_awaited_as_its_child_ends_takes_the_failure_alone() {
    static CFG: ScopeConfig = ScopeConfig::new("owned");
    let capture = Capture::global();
    for round in 0..ROUNDS {
        let r: Result<(), Failure> = bounded(supervise(&CFG, || async move {
            let h = spawn_named("racer", async { Err::<(), _>("mine") }).await;
            spin(round % 400);
            let owned = h.await;
            assert!(matches!(owned, Err(Failure::Child { .. })), "{owned:?}");
            Ok(())
        }))
        .await;
        assert!(
            r.is_ok(),
            "round {round}: the scope got an owned failure: {r:?}"
        );
    }
    assert_eq!(
        errors_of(&capture, "owned"),
        0,
        "an owned failure was logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_one_scope_dropped_and_awaited_handles_of_succeeding_children_interleave() {
    static CFG: ScopeConfig = ScopeConfig::new("long");
    let capture = Capture::global();
    let r: Result<(), Failure> = bounded(supervise(&CFG, || async move {
        for round in 0..ROUNDS {
            let dropped = spawn_named("dropped", async move { Ok::<_, Failure>(round) }).await;
            spin(round % 400);
            drop(dropped);
            let kept = spawn_named("kept", async move { Ok::<_, Failure>(round) }).await;
            spin(round % 300);
            assert_eq!(kept.await.expect("a value"), round);
            if round % 100 == 0 {
                let owned = spawn_named("owned", async { Err::<(), _>("mine") }).await;
                spin(round % 200);
                assert!(matches!(owned.await, Err(Failure::Child { .. })));
            }
        }
        // The last one's failure is the scope's: nobody owns it.
        drop(spawn_named("unowned", async { Err::<(), _>("the scope's") }).await);
        Ok(())
    }))
    .await;
    assert!(
        matches!(&r, Err(Failure::Child { child, .. }) if child == "unowned"),
        "{r:?}"
    );
    assert_eq!(errors_of(&capture, "long"), 0, "a failure was logged");
}

/// A child future that keeps its own handle in a field, so that the handle is dropped as the
/// child's task completes (an `async` block would drop it before it returns).
struct KeepsOwnHandle {
    own: tokio::sync::oneshot::Receiver<ChildHandle<()>>,
    kept: Option<ChildHandle<()>>,
}

impl Future for KeepsOwnHandle {
    type Output = Result<(), &'static str>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.own).poll(cx) {
            Poll::Ready(Ok(handle)) => {
                self.kept = Some(handle);
                Poll::Ready(Err("failed holding its own handle"))
            }
            Poll::Ready(Err(_)) => Poll::Ready(Ok(())),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[test]
fn a_child_that_holds_its_own_handle_ends_and_its_failure_reaches_the_scope() {
    static CFG: ScopeConfig = ScopeConfig::new("self_held");
    // On a thread of its own: a handle that waited for its own task would block the runtime's
    // only thread, which no timer inside it could end.
    let (done, outcome) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let r: Result<(), Failure> = rt.block_on(supervise(&CFG, || async {
            let (give, own) = tokio::sync::oneshot::channel();
            let handle = spawn_named("keeper", KeepsOwnHandle { own, kept: None }).await;
            give.send(handle).expect("the child waits for its handle");
            Ok(())
        }));
        let _ = done.send(r);
    });
    let r = outcome
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the scope ends: the child's own handle does not wait for the child");
    assert!(
        matches!(&r, Err(Failure::Child { child, .. }) if child == "keeper"),
        "{r:?}"
    );
}
