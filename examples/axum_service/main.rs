//! An axum HTTP service whose handlers carry warden's attributes.
//!
//! `cargo run --example axum_service` serves on 127.0.0.1:3000 (`--port N` for another port)
//! until Ctrl-C, then drains in-flight requests. Try:
//!
//! ```text
//! curl localhost:3000/
//! curl localhost:3000/checksum/1024
//! for i in 1 2 3; do curl -si localhost:3000/slow/1000 | head -1 & done; wait   # one 503
//! ```

mod app;

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use tokio::net::TcpListener;
use warden::Root;

#[tokio::main]
async fn main() -> ExitCode {
    let port = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => 3000,
        [flag, port] if flag == "--port" => match port.parse() {
            Ok(port) => port,
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    let listener = match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("axum_service: cannot listen on port {port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("axum_service: serving on http://127.0.0.1:{port}/ until Ctrl-C");

    // Ctrl-C or SIGTERM starts the shutdown: axum stops accepting and drains; whatever is still
    // running after the grace period is dropped.
    let root = Root::new()
        .name("axum_service")
        .grace(Duration::from_secs(5));
    let stop = root.shutdown_handle();
    match root.run(app::serve(listener, stop)).await {
        Ok(Ok(())) => {
            println!("axum_service: drained, bye");
            ExitCode::SUCCESS
        }
        Ok(Err(error)) => {
            eprintln!("axum_service: {error}");
            ExitCode::FAILURE
        }
        Err(failure) => {
            eprintln!("axum_service: {failure}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: axum_service [--port N]");
    ExitCode::FAILURE
}
