//! R3: a spawned task's outcome (its value, error or panic) thrown away after `.await`. Only a
//! handle the body shows to be one (a spawn's result bound to the variable, or the spawn written
//! in place) is judged; any other awaited value is left alone.

mod support;

use support::{Rules::Supervised, clean, findings, only_message};

#[test]
fn tokio_handle_results_thrown_away() {
    let found = findings(
        Supervised,
        "async fn f() {
            let a = tokio::spawn(work());
            let _ = a.await;
            let b = tokio::task::spawn(work());
            b.await;
            let c = tokio::task::spawn_blocking(|| 1);
            drop(c.await);
            let d = tokio::spawn(work());
            _ = d.await;
            let e = tokio::spawn(work());
            let _ = (e).await;
        }",
    );
    assert_eq!(
        found,
        [
            "error R3 3:21 `let _ = a.await` throws away the task's outcome, and with it its error or panic",
            "error R3 5:13 `b.await;` throws away the task's outcome, and with it its error or panic",
            "error R3 7:18 `drop(c.await)` throws away the task's outcome, and with it its error or panic",
            "error R3 9:17 `_ = d.await` throws away the task's outcome, and with it its error or panic",
            "error R3 11:21 `let _ = e.await` throws away the task's outcome, and with it its error or panic",
        ]
    );
}

#[test]
fn spawns_awaited_in_place() {
    let found = findings(
        Supervised,
        "use tokio::task;
        async fn f() {
            let _ = tokio::spawn(work()).await;
            task::spawn_local(work()).await;
            drop(warden::spawn(work()).await.await);
        }",
    );
    assert_eq!(
        found,
        [
            "error R3 3:21 `let _ = tokio::spawn(..).await` throws away the task's outcome, and with it its error or panic",
            "error R3 4:13 `task::spawn_local(..).await;` throws away the task's outcome, and with it its error or panic",
            "error R3 5:18 `drop(warden::spawn(..).await.await)` throws away the task's outcome, and with it its error or panic",
        ]
    );
}

#[test]
fn warden_child_handles() {
    let found = findings(
        Supervised,
        "use warden::spawn;
        async fn f() -> Result<(), warden::Failure> {
            let a = spawn(work()).await;
            let _ = a.await;
            let b = warden::spawn_named(\"b\", work()).await;
            b.await;
            let c = warden::try_spawn(work())?;
            drop(c.await);
            let d = warden::try_spawn_named(\"d\", work()).expect(\"room\");
            let _ = d.await;
            Ok(())
        }",
    );
    let lines: Vec<&str> = found
        .iter()
        .map(|f| &f[..f.find(" throws").unwrap()])
        .collect();
    assert_eq!(
        lines,
        [
            "error R3 4:21 `let _ = a.await`",
            "error R3 6:13 `b.await;`",
            "error R3 8:18 `drop(c.await)`",
            "error R3 10:21 `let _ = d.await`",
        ]
    );
}

#[test]
fn each_message_names_its_handle_fix() {
    let tokio = only_message(
        Supervised,
        "async fn f() { let h = tokio::spawn(work()); h.await; }",
    );
    assert!(
        tokio.contains("help: propagate it with `h.await?` (a `JoinError` when the task panicked"),
        "{tokio}"
    );
    let child = only_message(
        Supervised,
        "async fn f() { let h = warden::spawn(work()).await; h.await; }",
    );
    assert!(
        child.contains("help: propagate it with `h.await?` (a `warden::Failure`")
            && child.contains("drop the handle without awaiting it"),
        "{child}"
    );
}

#[test]
fn outcomes_that_are_used_are_fine() {
    clean(
        Supervised,
        "async fn f() -> Result<(), Box<dyn std::error::Error>> {
            let a = tokio::spawn(work());
            a.await??;
            let b = tokio::spawn(work());
            let _ = b.await?;
            let c = tokio::spawn(work());
            match c.await {
                Ok(v) => use_it(v),
                Err(e) => tracing::warn!(%e, \"task failed\"),
            }
            let d = tokio::spawn(work());
            let value = d.await;
            report(value);
            let e = warden::spawn(work()).await;
            e.await?;
            tokio::spawn(work()).await??;
            Ok(())
        }",
    );
}

#[test]
fn dropping_a_child_handle_leaves_it_to_the_scope() {
    // `warden::spawn(..).await` yields the handle itself: dropping it hands the child's failure
    // to the scope, which is the documented way to let it run on its own.
    clean(
        Supervised,
        "async fn f() {
            drop(warden::spawn(work()).await);
            warden::spawn(work()).await;
            let h = warden::spawn(work()).await;
            drop(h);
        }",
    );
}

#[test]
fn unknown_values_are_left_alone() {
    clean(
        Supervised,
        "async fn f(handle: tokio::task::JoinHandle<()>) {
            let _ = handle.await;
            let made = make_handle();
            made.await;
            let _ = spawn(work()).await;
            let fut = async {};
            fut.await;
            let t = std::thread::spawn(|| ());
            let _ = t.join();
        }",
    );
}

#[test]
fn a_shadowed_handle_is_forgotten() {
    clean(
        Supervised,
        "async fn f() {
            let h = tokio::spawn(work());
            h.await.unwrap();
            let h = async {};
            h.await;
        }",
    );
}

/// R4 counts a loop as unbounded only when the source does not fix how many times it runs: a
/// `for` over `0..3`, a const range, an array or a `.take(8)` starts at most that many tasks.
#[test]
fn spawn_in_a_loop_of_fixed_length_is_bounded() {
    clean(
        Supervised,
        "const WORKERS: usize = 4;
        async fn f(items: Vec<u32>) {
            let mut handles = Vec::new();
            for i in 0..3u32 {
                handles.push(tokio::spawn(async move { i }));
            }
            for i in 1..=WORKERS {
                handles.push(tokio::spawn(async move { i as u32 }));
            }
            for name in [\"a\", \"b\"] {
                handles.push(tokio::spawn(async move { name.len() as u32 }));
            }
            for item in items.iter().take(8) {
                let item = *item;
                handles.push(tokio::spawn(async move { item }));
            }
            for h in handles {
                h.await.unwrap();
            }
        }",
    );
    let found = findings(
        Supervised,
        "async fn f(items: Vec<u32>, n: usize) {
            let mut handles = Vec::new();
            for i in 0..n {
                handles.push(tokio::spawn(async move { i }));
            }
            for _ in 0..3 {
                for item in &items {
                    let item = *item;
                    handles.push(tokio::spawn(async move { item as usize }));
                }
            }
            for h in handles {
                h.await.unwrap();
            }
        }",
    );
    assert_eq!(
        found,
        [
            "error R4 4:30 `tokio::spawn` in a loop starts one task per iteration, with no limit",
            "error R4 9:34 `tokio::spawn` in a loop starts one task per iteration, with no limit",
        ]
    );
}
