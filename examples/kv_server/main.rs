//! A TCP key-value server built with warden, with a built-in demo load.
//!
//! `cargo run --example kv_server` starts the server on 127.0.0.1, runs concurrent clients
//! against it, shuts it down gracefully and prints a report.
//! `cargo run --example kv_server -- --serve --port 7000` keeps it serving until Ctrl-C or
//! SIGTERM: try `nc 127.0.0.1 7000`, then `SET a 1`, `GET a`, `HASH a`, `DEL a`, `TREE`.
//! `kill -USR1 PID` logs the live tree.
//! `--idle S` and `--request S` set the deadlines in seconds; `RUST_LOG` filters the logs
//! (default `info`), which go to stderr.
//!
//! The server is in `server.rs`; this file is the program around it.

mod demo;
mod protocol;
mod server;
mod stats;
mod store;

use std::fmt::{Display, Write as _};
use std::io::{self, IsTerminal as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tracing_subscriber::EnvFilter;
use warden::Root;

use server::{Deadlines, Server, Shared};

/// How long the server may take to close its connections after shutdown starts.
const GRACE: Duration = Duration::from_secs(2);

#[tokio::main]
async fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        eprintln!("usage: kv_server [--port N] [--serve] [--idle SECONDS] [--request SECONDS]");
        return ExitCode::FAILURE;
    };
    // Logs to stderr, so warden's warnings (slow polls, failed or aborted children) and its
    // shutdown messages are seen; `RUST_LOG=warn` or `RUST_LOG=debug` to change.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .init();

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let server = match Server::bind(addr, args.deadlines) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("kv_server: cannot listen on port {}: {error}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let addr = server.local_addr().expect("a bound socket has an address");
    let shared = server.shared();

    // The root owns every task of the server; Ctrl-C, SIGTERM or `stop.shutdown()` cancels
    // them all, waits up to GRACE for them to finish, and aborts what is left.
    let root = Root::new().name("kv_server").grace(GRACE);
    let stop = root.shutdown_handle();
    let serve = async {
        // Announced from inside `root.run`: the root installs its signal handlers before it
        // first polls this future, so a signal sent as soon as the port is seen is caught.
        say(format_args!("kv_server: listening on {addr}"));
        if args.serve {
            let (ip, port) = (addr.ip(), addr.port());
            say(format_args!(
                "serving until Ctrl-C: try `nc {ip} {port}`, then `SET a 1`, `GET a`, `HASH a`, `TREE`"
            ));
        }
        server.run().await
    };
    let clients = async {
        let load = if args.serve {
            stop.wait().await;
            None
        } else {
            let load = tokio::select! {
                load = demo::run(addr) => Some(load),
                () = stop.wait() => None,
            };
            // What warden supervises, as the demo ends (also the `TREE` command).
            say(format_args!(
                "\nlive tree at the end of the demo load\n{}",
                warden::metrics::tree()
            ));
            load
        };
        stop.shutdown();
        (load, Instant::now())
    };
    let (outcome, (load, shutdown_started)) = tokio::join!(root.run(serve), clients);
    let shutdown_time = shutdown_started.elapsed();

    let tasks_left = warden::metrics::live_children();
    print_report(&report(
        load.as_ref(),
        &shared,
        args.deadlines,
        shutdown_time,
    ));

    let clean = outcome.is_ok_and(|r| r.is_ok())
        && tasks_left == 0
        && load.is_none_or(|l| l.wrong_answers == 0);
    if clean {
        ExitCode::SUCCESS
    } else {
        eprintln!("kv_server: the run was not clean");
        ExitCode::FAILURE
    }
}

/// What the run did, as warden and the server counted it.
fn report(
    load: Option<&demo::Load>,
    shared: &Shared,
    deadlines: Deadlines,
    shutdown_time: Duration,
) -> String {
    let stats = shared.stats.snapshot();
    let polls = warden::metrics::polls();
    let slow_polls: u64 = polls.iter().map(|p| p.slow_polls).sum();
    let polled: u64 = polls.iter().map(|p| p.polls).sum();
    // Polls are timed on the wall clock: on a busy machine, preemption adds a few.
    let longest = match polls.iter().map(|p| p.longest_poll).max() {
        Some(longest) if slow_polls > 0 => format!(" (longest {longest:.1?})"),
        _ => String::new(),
    };
    let refused: u64 = warden::metrics::bounds().iter().map(|b| b.rejected).sum();
    let Deadlines { idle, request } = deadlines;

    let mut r = String::from("\nreport\n");
    if let Some(load) = load {
        let _ = writeln!(r, "  demo load               {}", load.summary);
        let _ = writeln!(r, "  wrong answers           {}", load.wrong_answers);
    }
    let _ = writeln!(r, "  requests served         {}", stats.requests);
    let _ = writeln!(
        r,
        "  connections             {} served, {} refused with `ERR busy`",
        stats.connections, stats.refused
    );
    let _ = writeln!(
        r,
        "  closed by a deadline    {} idle for {idle:?}, {} not reading replies for {request:?}",
        stats.idle_closed, stats.stalled_closed
    );
    let _ = writeln!(
        r,
        "  errors                  {} malformed requests answered with ERR, {} broken connections",
        stats.protocol_errors, stats.connection_errors
    );
    let _ = writeln!(
        r,
        "  store                   {} KiB held, cap {} MiB",
        shared.store.bytes() / 1024,
        store::STORE_BYTES >> 20
    );
    let _ = writeln!(
        r,
        "  offloaded HASH work     {} done, {} stopped by their token, {} still running",
        stats.hashes_finished,
        stats.hashes_cancelled,
        stats.hashes_running()
    );
    let _ = writeln!(
        r,
        "  slow polls detected     {slow_polls} of {polled} polls over 10ms{longest}"
    );
    let _ = writeln!(
        r,
        "  refused by warden       {refused} calls over a `#[bounded]` limit, answered `ERR busy`"
    );
    let _ = writeln!(
        r,
        "  shutdown time           {shutdown_time:.1?} (grace {GRACE:?})"
    );
    let _ = writeln!(
        r,
        "  tasks left              {}",
        warden::metrics::live_children()
    );
    r
}

/// Prints a line on stdout. A reader that went away (`kv_server --serve | head -1`) is no
/// reason to stop serving, so a failed write is ignored (`println!` would panic).
fn say(line: impl Display) {
    let _ = writeln!(io::stdout(), "{line}");
}

/// The report goes to stdout, or to stderr if stdout is closed: it is the last word of a run.
fn print_report(report: &str) {
    let mut stdout = io::stdout();
    if stdout
        .write_all(report.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        let _ = io::stderr().write_all(report.as_bytes());
    }
}

/// The command line.
struct Args {
    port: u16,
    serve: bool,
    deadlines: Deadlines,
}

/// `--port N`, `--serve`, `--idle S`, `--request S`; `None` for anything else.
fn parse_args() -> Option<Args> {
    let mut args = Args {
        port: 0,
        serve: false,
        deadlines: Deadlines::default(),
    };
    let seconds = |text: Option<String>| {
        let seconds: f64 = text?.parse().ok()?;
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        match word.as_str() {
            "--port" => args.port = words.next()?.parse().ok()?,
            "--serve" => args.serve = true,
            "--idle" => args.deadlines.idle = seconds(words.next())?,
            "--request" => args.deadlines.request = seconds(words.next())?,
            _ => return None,
        }
    }
    Some(args)
}
