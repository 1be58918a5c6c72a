//! SIGTERM starts the same graceful shutdown as the handle.
#![cfg(unix)]

mod support;

use std::time::Duration;

use support::bounded;
use warden_runtime::metrics::live_children;
use warden_runtime::{Failure, Root, cancelled, spawn_named};

#[tokio::test]
async fn sigterm_shuts_the_root_down() {
    let root = Root::new().grace(Duration::from_secs(2));
    let stop = root.shutdown_handle();
    let r = bounded(root.run(async {
        drop(
            spawn_named("worker", async {
                cancelled().await;
                Ok::<_, Failure>(())
            })
            .await,
        );
        // The root listens from its first poll; give it a moment, then signal ourselves.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let status = tokio::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .await
            .expect("kill runs");
        assert!(status.success());
        cancelled().await;
        "stopped"
    }))
    .await;
    assert_eq!(r.expect("main finished within grace"), "stopped");
    assert!(stop.is_shutdown());
    assert_eq!(live_children(), 0);
}
