//! `Root::run` listens for signals before it first polls `main`, so `main` can announce that it
//! is ready (a server printing its port) and a signal sent right then is still caught and
//! starts the graceful shutdown. Alone in its binary: the signal goes to the whole process.
#![cfg(unix)]

use std::time::Duration;

use warden_runtime::{Root, cancelled};

#[tokio::test]
async fn a_signal_sent_during_mains_first_poll_starts_the_shutdown() {
    let root = Root::new().grace(Duration::from_secs(1));
    let main = async {
        // Before `main`'s first `.await`: were the handler not there yet, SIGTERM's default
        // action would end this test process.
        let status = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        cancelled().await;
        "drained"
    };
    let r = tokio::time::timeout(Duration::from_secs(5), root.run(main)).await;
    assert_eq!(
        r.expect("the signal shuts the root down").unwrap(),
        "drained"
    );
}
