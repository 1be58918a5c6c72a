//! Section 3: blocking through the crate's own sync fns, named by its chain.

use std::fmt::Write as _;

use super::{findings_in, findings_with, headlines, lib};

const CONFIG: (&str, &str) = (
    "src/config.rs",
    "pub struct Config;

pub fn load_config() -> Config {
    let text = read_file();
    parse(&text)
}

fn read_file() -> String {
    std::fs::read_to_string(\"app.toml\").unwrap_or_default()
}

fn parse(_text: &str) -> Config {
    Config
}
",
);

#[test]
fn a_blocking_helper_in_another_file_is_named_with_its_chain() {
    let found = findings_in(
        &[
            (
                "src/lib.rs",
                "mod config;
                 use config::load_config;
                 async fn handler() { let _config = load_config(); }",
            ),
            CONFIG,
        ],
        "handler",
    );
    assert_eq!(
        headlines(&found),
        [
            "`load_config()` blocks: it calls `read_file()` (src/config.rs:4), which calls \
          `std::fs::read_to_string` (src/config.rs:9)"
        ]
    );
    assert!(
        found[0].contains("at the end of the chain, use `tokio::fs`"),
        "{}",
        found[0]
    );
}

#[test]
fn helpers_that_do_not_block_are_fine() {
    let found = findings_in(
        &[
            (
                "src/lib.rs",
                "mod config;
                 async fn handler() { let _ = config::parse_only(); }",
            ),
            (
                "src/config.rs",
                "pub fn parse_only() -> u8 { helper() + 1 } fn helper() -> u8 { 1 }",
            ),
        ],
        "handler",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn cycles_end() {
    let src = "fn ping(n: u8) -> u8 { if n == 0 { 0 } else { pong(n - 1) } }
               fn pong(n: u8) -> u8 { if n == 9 { std::thread::sleep(D); } ping(n) }
               fn alone(n: u8) -> u8 { if n == 0 { 0 } else { alone(n - 1) } }
               async fn handler() { ping(3); alone(3); }";
    let found = findings_in(&lib(src), "handler");
    assert_eq!(
        headlines(&found),
        [
            "`ping()` blocks: it calls `pong()` (src/lib.rs:1), which calls `std::thread::sleep` (src/lib.rs:2)"
        ]
    );
}

#[test]
fn allowed_and_offloaded_helpers_are_exempt() {
    let src = "#[warden::allow_blocking]
               fn load_blocking() -> String { std::fs::read_to_string(\"a\").unwrap() }
               fn load() -> String { std::fs::read_to_string(\"a\").unwrap() }
               fn offloads() { std::thread::spawn(|| load()); }
               fn returns_a_future() -> impl std::future::Future<Output = String> {
                   async { load() }
               }
               async fn handler() {
                   let _ = load_blocking();
                   let _ = tokio::task::spawn_blocking(move || load()).await;
                   let _ = warden::offload(load).await;
                   offloads();
                   let _ = returns_a_future().await;
               }";
    let found = findings_in(&lib(src), "handler");
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn methods_through_self_type_paths_and_typed_receivers() {
    let src = "pub struct Store { path: String }
               impl Store {
                   pub fn open() -> Store { Store { path: String::new() } }
                   fn reload(&self) -> Vec<u8> { std::fs::read(&self.path).unwrap() }
                   async fn serve(&self) { let _ = self.reload(); }
                   async fn serve_path(&self) { let _ = Self::reload(self); }
               }
               async fn handler(store: &Store) {
                   let _ = store.reload();
                   let fresh = Store::open();
                   let _ = fresh.reload();
               }";
    for name in ["serve", "serve_path"] {
        let found = findings_in(&lib(src), name);
        assert_eq!(found.len(), 1, "{name}: {found:#?}");
    }
    let found = findings_in(&lib(src), "handler");
    assert_eq!(
        headlines(&found),
        [
            "`.reload()` blocks: it calls `std::fs::read` (src/lib.rs:4)",
            "`.reload()` blocks: it calls `std::fs::read` (src/lib.rs:4)",
        ]
    );
}

#[test]
fn user_blocking_list_applies_to_helpers() {
    let src = "mod db { pub fn query_sync(_q: &str) -> u64 { 0 } }
               fn count() -> u64 { db::query_sync(\"select 1\") }
               async fn handler() -> u64 { count() }";
    let found = findings_with(&lib(src), "handler", &["db::query_sync"]);
    assert_eq!(
        headlines(&found),
        ["`count()` blocks: it calls `db::query_sync` (src/lib.rs:2)"]
    );
    assert!(findings_in(&lib(src), "handler").is_empty());
}

#[test]
fn async_fns_generics_and_trait_objects_are_not_followed() {
    let src = "trait Store { fn get(&self) -> u8; }
               struct Disk;
               impl Store for Disk { fn get(&self) -> u8 { std::thread::sleep(D); 0 } }
               async fn blocks_inside() { std::thread::sleep(D); }
               async fn handler(s: &dyn Store, g: impl Store) {
                   blocks_inside().await;
                   s.get();
                   g.get();
               }";
    let found = findings_in(&lib(src), "handler");
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_known_receiver_of_a_trait_impl_is_followed() {
    let src = "trait Store { fn get(&self) -> u8; }
               struct Disk;
               impl Store for Disk { fn get(&self) -> u8 { std::thread::sleep(D); 0 } }
               async fn handler(d: Disk) { d.get(); }";
    let found = findings_in(&lib(src), "handler");
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn long_chains_are_followed_to_a_depth() {
    let chain = |n: usize| {
        let mut src = String::from("fn f0() { std::thread::sleep(D); }\n");
        for i in 1..n {
            let _ = writeln!(src, "fn f{i}() {{ f{}(); }}", i - 1);
        }
        let _ = writeln!(src, "async fn handler() {{ f{}(); }}", n - 1);
        src
    };
    let found = findings_in(&lib(&chain(10)), "handler");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("which calls `std::thread::sleep` (src/lib.rs:1)"));
    // Past the depth, the call is not followed (silent), and nothing overflows.
    assert!(findings_in(&lib(&chain(200)), "handler").is_empty());
}
