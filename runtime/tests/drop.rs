//! Dropping a scope's future (it lost a `select!`) cancels and aborts its children: no orphan.

mod support;

use std::time::Duration;

use support::{Capture, DropFlag, bounded, eventually, flag, is_set, stubborn};
use tracing::Level;
use warden_runtime::metrics::live_children;
use warden_runtime::{Failure, ScopeConfig, spawn_named, supervise};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_scope_aborts_every_child_and_leaves_no_task_alive() {
    static LOSER: ScopeConfig = ScopeConfig::new("loser");
    static INNER: ScopeConfig = ScopeConfig::new("inner");
    let (a, b, c) = (flag(), flag(), flag());
    let (fa, fb, fc) = (a.clone(), b.clone(), c.clone());
    let scope = supervise(&LOSER, move || {
        let (fa, fb, fc) = (fa.clone(), fb.clone(), fc.clone());
        async move {
            drop(spawn_named("sleeper", stubborn(fa)).await);
            // A child that runs its own scope with its own child: the whole subtree must go.
            drop(
                spawn_named("middle", async move {
                    let _f = DropFlag(fb);
                    supervise(&INNER, move || {
                        let fc = fc.clone();
                        async move {
                            drop(spawn_named("grandchild", stubborn(fc)).await);
                            std::future::pending::<()>().await;
                            Ok::<(), Failure>(())
                        }
                    })
                    .await
                })
                .await,
            );
            std::future::pending::<()>().await;
            Ok::<(), Failure>(())
        }
    });
    bounded(async {
        tokio::select! {
            _ = scope => panic!("the scope cannot win"),
            () = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    })
    .await;
    // The process-wide count: the other test here ends its children too, so zero is reached.
    eventually("every child ended", || live_children() == 0).await;
    assert!(
        is_set(&a) && is_set(&b) && is_set(&c),
        "a child outlived its scope"
    );
}

#[test]
fn dropped_scope_logs_what_it_aborted() {
    static DROPPED: ScopeConfig = ScopeConfig::new("dropped");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (capture, _g) = Capture::install();
    rt.block_on(async {
        let scope = supervise(&DROPPED, || async {
            drop(
                spawn_named("orphan-candidate", async {
                    std::future::pending::<()>().await;
                    Ok::<_, Failure>(())
                })
                .await,
            );
            std::future::pending::<()>().await;
            Ok::<(), Failure>(())
        });
        let _ = tokio::time::timeout(Duration::from_millis(10), scope).await;
        tokio::task::yield_now().await;
    });
    assert_eq!(
        capture.count(Level::WARN, "orphan-candidate"),
        1,
        "{:#?}",
        capture.events()
    );
    assert_eq!(capture.count(Level::WARN, "scope=dropped"), 1);
}
