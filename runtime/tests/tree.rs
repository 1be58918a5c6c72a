//! The live tree (`metrics::tree()`): who owns whom, states, restarts, ages, its text form,
//! its serialisation and a root's log of it. The tree is process-wide and tests run in
//! parallel, so each test looks only under its own root, named after the test.

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use support::{Capture, bounded, eventually};
use warden_runtime::metrics::{NodeKind, NodeState, TreeNode, tree};
use warden_runtime::{
    CancellationToken, Failure, RestartPolicy, Root, ScopeConfig, cancelled, current_token,
    spawn_named, supervise,
};

/// The subtree of the root `name`, once `ready` holds of it.
async fn root_when(name: &str, ready: impl Fn(&TreeNode) -> bool) -> TreeNode {
    let mut found = None;
    eventually(&format!("the tree of {name}"), || {
        found = tree().find(name).filter(|n| ready(n)).cloned();
        found.is_some()
    })
    .await;
    found.expect("found")
}

/// A child that waits for its scope's cancellation.
async fn until_cancelled() -> Result<(), Failure> {
    cancelled().await;
    Ok(())
}

/// A child that takes 300 ms to stop once cancelled, so its scope stays to be seen.
async fn slow_to_stop() -> Result<(), Failure> {
    cancelled().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(())
}

static OUTER: ScopeConfig = ScopeConfig::new("outer");
static INNER: ScopeConfig = ScopeConfig::new("inner");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shows_roots_scopes_and_tasks_with_who_owns_whom() {
    let root = Root::new().name("owns_whom").signals(false);
    let stop = root.shutdown_handle();
    let main = async {
        let r: Result<(), Failure> = supervise(&OUTER, || async {
            let worker = async { supervise(&INNER, until_cancelled).await };
            drop(spawn_named("worker", worker).await);
            drop(spawn_named("idle", until_cancelled()).await);
            until_cancelled().await
        })
        .await;
        r
    };
    let check = async {
        let app = root_when("owns_whom", |n| n.find("inner").is_some()).await;
        assert_eq!((app.kind, app.state), (NodeKind::Root, NodeState::Running));
        // `outer` runs in the root's own task: under the root, not under a task.
        let [outer] = &app.children[..] else {
            panic!("{app}")
        };
        assert_eq!(
            (outer.name.as_str(), outer.kind),
            ("outer", NodeKind::Scope)
        );
        assert_eq!(outer.live_children, 2);
        let mut tasks: Vec<&str> = outer.children.iter().map(|c| c.name.as_str()).collect();
        tasks.sort_unstable();
        assert_eq!(tasks, ["idle", "worker"]);
        // `inner` runs in the `worker` task: under it.
        let worker = outer.find("worker").expect("worker");
        assert_eq!(worker.kind, NodeKind::Task);
        let [inner] = &worker.children[..] else {
            panic!("{app}")
        };
        assert_eq!(
            (inner.name.as_str(), inner.state),
            ("inner", NodeState::Running)
        );
        assert!(outer.find("idle").expect("idle").children.is_empty());
        stop.shutdown();
    };
    let (outcome, ()) = bounded(async { tokio::join!(root.run(main), check) }).await;
    assert!(outcome.is_ok());
    // The last references go with the tasks' futures, dropped just after the tasks ended.
    eventually("gone once it returned", || {
        tree().find("owns_whom").is_none()
    })
    .await;
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn draws_an_indented_tree_with_states_and_ages() {
    let root = Root::new().name("drawn").signals(false);
    let stop = root.shutdown_handle();
    let main = async {
        supervise(&OUTER, || async {
            drop(spawn_named("worker", until_cancelled()).await);
            drop(spawn_named("other", until_cancelled()).await);
            until_cancelled().await
        })
        .await
    };
    let check = async {
        tokio::task::yield_now().await;
        tokio::time::advance(Duration::from_millis(1500)).await;
        let drawn = tree().find("drawn").expect("listed").to_string();
        assert_eq!(
            drawn,
            "drawn (root) running 1.5s, 0 children\n\
             └── outer running 1.5s, 2 children\n    \
                 ├── worker (task) 1.5s\n    \
                 └── other (task) 1.5s\n"
        );
        stop.shutdown();
    };
    let (outcome, ()) = tokio::join!(root.run(main), check);
    assert!(outcome.is_ok());
}

static STUBBORN: ScopeConfig = ScopeConfig::new("stubborn").grace(Duration::from_secs(30));

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_subtree_is_cancelling_and_its_siblings_run_on() {
    let root = Root::new().name("subtree").signals(false);
    let stop = root.shutdown_handle();
    let token = Arc::new(OnceLock::<CancellationToken>::new());
    let cell = Arc::clone(&token);
    let main = async {
        let doomed = async move {
            supervise(&STUBBORN, || async {
                drop(spawn_named("slow", slow_to_stop()).await);
                let _ = cell.set(current_token());
                until_cancelled().await
            })
            .await
        };
        drop(spawn_named("doomed", doomed).await);
        drop(spawn_named("sibling", until_cancelled()).await);
        cancelled().await;
    };
    let check = async {
        root_when("subtree", |n| n.find("slow").is_some()).await;
        eventually("the scope's token", || token.get().is_some()).await;
        token.get().expect("set").cancel();
        let app = root_when("subtree", |n| {
            n.find("stubborn")
                .is_some_and(|s| s.state == NodeState::Cancelling)
        })
        .await;
        assert_eq!(app.state, NodeState::Running, "{app}");
        assert_eq!(
            app.find("sibling").expect("sibling").state,
            NodeState::Running
        );
        let stubborn = app.find("stubborn").expect("stubborn");
        let slow = stubborn.find("slow").expect("slow");
        assert_eq!(slow.state, NodeState::Cancelling, "{app}");
        stop.shutdown();
        // The whole tree now; `sibling` may be gone already, what is left is cancelling.
        let app = root_when("subtree", |n| n.state == NodeState::Cancelling).await;
        assert!(
            app.nodes().all(|n| n.state == NodeState::Cancelling),
            "{app}"
        );
    };
    let (outcome, ()) = bounded(async { tokio::join!(root.run(main), check) }).await;
    assert!(outcome.is_ok());
}

static FLAKY: ScopeConfig = ScopeConfig::new("flaky").restart(
    RestartPolicy::on_failure()
        .max_restarts(5)
        .backoff(Duration::from_secs(1), Duration::from_secs(1)),
);

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_restarting_scope_shows_its_restarts_and_its_backoff() {
    let root = Root::new().name("restarts").signals(false);
    let stop = root.shutdown_handle();
    let attempts = Arc::new(AtomicU32::new(0));
    let main = {
        let attempts = Arc::clone(&attempts);
        async move {
            supervise(&FLAKY, || {
                let n = attempts.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 2 {
                        tokio::task::yield_now().await;
                        return Err::<(), Failure>(Failure::Cancelled { scope: "x".into() });
                    }
                    until_cancelled().await
                }
            })
            .await
        }
    };
    let check = async {
        let flaky = |name: &str| tree().find(name).and_then(|r| r.find("flaky").cloned());
        // The first attempt failed: waiting 0.5 to 1 s before the second.
        while attempts.load(Ordering::SeqCst) < 1 {
            tokio::task::yield_now().await;
        }
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
        let waiting = flaky("restarts").expect("listed while it waits");
        assert_eq!(
            (waiting.state, waiting.restarts),
            (NodeState::Restarting, 1)
        );
        // Two restarts later the third attempt runs (within 10 s of paused time).
        eventually(
            "the third attempt, listed as running after two restarts",
            || flaky("restarts").is_some_and(|n| (n.state, n.restarts) == (NodeState::Running, 2)),
        )
        .await;
        stop.shutdown();
    };
    let (outcome, ()) = tokio::join!(root.run(main), check);
    assert!(outcome.is_ok());
}

static FAILING: ScopeConfig = ScopeConfig::new("failing").grace(Duration::from_secs(30));

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scope_whose_child_failed_shows_failed_while_it_drains() {
    let root = Root::new().name("failure").signals(false);
    let main = async {
        let r: Result<(), Failure> = supervise(&FAILING, || async {
            drop(spawn_named("slow", slow_to_stop()).await);
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(spawn_named("bad", async { Err::<(), _>("broken") }).await);
            until_cancelled().await
        })
        .await;
        r
    };
    let check = async {
        let app = root_when("failure", |n| {
            // `bad` reports its failure a moment before its task ends.
            n.find("failing")
                .is_some_and(|s| s.state == NodeState::Failed && s.live_children == 1)
        })
        .await;
        let failing = app.find("failing").expect("failing");
        assert_eq!(failing.children[0].name, "slow");
    };
    let (outcome, ()) = bounded(async { tokio::join!(root.run(main), check) }).await;
    let failure = outcome
        .expect("main returned")
        .expect_err("the child's failure");
    assert!(failure.to_string().contains("bad"), "{failure}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_root_logs_its_tree_on_request_and_the_stragglers_when_grace_runs_out() {
    let capture = Capture::global();
    let root = Root::new()
        .name("logged")
        .signals(false)
        .grace(Duration::from_millis(100));
    let stop = root.shutdown_handle();
    let main = async {
        // Ignores cancellation: still running when the grace period ends.
        let deaf = async {
            std::future::pending::<()>().await;
            Ok::<_, Failure>(())
        };
        drop(spawn_named("deaf", deaf).await);
        stop.log_tree();
        stop.shutdown();
    };
    let _ = bounded(root.run(main)).await;
    let logs: Vec<String> = capture
        .events()
        .iter()
        .filter(|e| e.field("scope") == Some("logged"))
        .map(|e| e.message().to_owned())
        .collect();
    let on_request = logs.iter().find(|m| m.contains("(on request)"));
    let on_request = on_request.unwrap_or_else(|| panic!("{logs:#?}"));
    assert!(on_request.contains("logged (root) running"), "{on_request}");
    assert!(on_request.contains("└── deaf (task)"), "{on_request}");
    let late = logs.iter().find(|m| m.contains("(grace period ran out)"));
    let late = late.unwrap_or_else(|| panic!("{logs:#?}"));
    assert!(late.contains("logged (root) cancelling"), "{late}");
    assert!(late.contains("deaf (task) cancelling"), "{late}");
}

#[test]
fn serialises_with_serde() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let root = Root::new().name("serialised").signals(false);
        let stop = root.shutdown_handle();
        let main = async {
            drop(spawn_named("worker", until_cancelled()).await);
            tokio::task::yield_now().await;
            let node = tree().find("serialised").cloned().expect("listed");
            stop.shutdown();
            node
        };
        let node = root.run(main).await.expect("main returned");
        let json = serde_json::to_value(&node).expect("serialises");
        assert_eq!(json["name"], "serialised");
        assert_eq!(json["kind"], "root");
        assert_eq!(json["state"], "running");
        assert_eq!(json["children"][0]["name"], "worker");
        assert_eq!(json["children"][0]["kind"], "task");
        assert_eq!(json["age"], serde_json::json!({ "secs": 0, "nanos": 0 }));
    });
}
