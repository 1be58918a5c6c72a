//! Children per child, on a loaded machine: `warden::spawn` in a `#[supervised]` fn against
//! `JoinSet` and `TaskTracker` + child tokens (the sides of `supervised_children`), the three
//! interleaved batch after batch, reported as the fastest batch and the median batch of each.
//!
//! Why beside criterion: on a shared 2-core VM the other tenants move a criterion median by
//! ±50 %; the fastest of hundreds of interleaved batches is what each side costs when nothing
//! else runs, and interleaving gives every side the same machine. Use it for A/B pairs of a
//! change (run the old and the new binary one after the other); BENCHMARKS.md's tables are
//! criterion's.
//!
//! `cargo bench --bench children_ab -- 1000 300` (width, batches); without `--bench` (as
//! `cargo test --all-targets` runs it) one small batch of each side, untimed.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

mod children;

/// Nanoseconds a child of the `rank`-th fastest batch.
fn per_child(sorted: &[Duration], rank: usize, n: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // nanoseconds of a batch fit in f64's mantissa
    let ns = sorted[rank].as_nanos() as f64 / n as f64;
    ns
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let timed = args.iter().any(|a| a == "--bench");
    let mut numbers = args.iter().filter_map(|a| a.parse::<u64>().ok());
    let (n, batches) = if timed {
        (
            numbers.next().unwrap_or(1_000),
            numbers.next().unwrap_or(300),
        )
    } else {
        (10, 1)
    };
    let batches = usize::try_from(batches).expect("a batch count");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let shutdown = CancellationToken::new();
    for (workload, yields) in [("ready", false), ("yield", true)] {
        let mut sides: [(&str, Vec<Duration>); 3] =
            [("warden", vec![]), ("joinset", vec![]), ("tracker", vec![])];
        for _ in 0..batches {
            for (side, times) in &mut sides {
                let start = Instant::now();
                let total = match *side {
                    "warden" => rt.block_on(children::warden_wide(n, yields)),
                    "joinset" => rt.block_on(children::joinset(n, yields)),
                    _ => rt.block_on(children::tracker(n, yields, &shutdown)),
                };
                times.push(start.elapsed());
                assert_eq!(total.expect("every child succeeds"), n * (n - 1) / 2);
            }
        }
        if !timed {
            continue;
        }
        for (_, times) in &mut sides {
            times.sort();
        }
        let [(_, w), (_, j), (_, t)] = &sides;
        let (fast, mid) = (0, batches / 2);
        println!(
            "{workload} ×{n}: fastest batch, ns a child: warden {:.0}, joinset {:.0}, tracker {:.0} \
             (÷ joinset {:.2}, ÷ tracker {:.2}); median batch: {:.0}, {:.0}, {:.0} ({:.2}, {:.2})",
            per_child(w, fast, n),
            per_child(j, fast, n),
            per_child(t, fast, n),
            per_child(w, fast, n) / per_child(j, fast, n),
            per_child(w, fast, n) / per_child(t, fast, n),
            per_child(w, mid, n),
            per_child(j, mid, n),
            per_child(t, mid, n),
            per_child(w, mid, n) / per_child(j, mid, n),
            per_child(w, mid, n) / per_child(t, mid, n),
        );
    }
}
