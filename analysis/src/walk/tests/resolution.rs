//! Section 2: paths are what the file's `use` items make them, nothing is guessed.

use super::{findings_in, headlines, item_only, lib};

#[test]
fn tokio_fs_imported_as_fs_is_async() {
    let found = findings_in(
        &lib("use tokio::fs;
              async fn handler(p: &str, a: &str) -> std::io::Result<()> {
                  fs::metadata(p).await?;
                  let f = fs::read(a);
                  f.await?;
                  tokio::join!(fs::read(a), fs::read(p));
                  Ok(())
              }"),
        "handler",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn std_fs_imported_as_fs_blocks_wherever_its_value_goes() {
    let found = findings_in(
        &lib("use std::fs;
              async fn handler(p: &str) -> std::io::Result<()> {
                  let f = fs::read(p);
                  let _ = f;
                  Ok(())
              }"),
        "handler",
    );
    assert_eq!(
        headlines(&found),
        ["`fs::read` (`std::fs::read`) does file-system I/O synchronously"]
    );
}

#[test]
fn renames_groups_globs_and_reexports_of_the_file() {
    let found = findings_in(
        &[
            (
                "src/lib.rs",
                "mod util;
                 use std::thread::sleep as nap;
                 use std::{net::{self as network}, process::*};
                 async fn handler(d: std::time::Duration) {
                     nap(d);
                     let _ = network::TcpStream::connect(\"x:1\");
                     let _ = Command::new(\"ls\").output();
                     util::pause(d);
                 }",
            ),
            ("src/util.rs", "pub use std::thread::sleep as pause;"),
        ],
        "handler",
    );
    assert_eq!(
        headlines(&found),
        [
            "`nap` (`std::thread::sleep`) puts the executor thread to sleep",
            "`network::TcpStream::connect` (`std::net::TcpStream::connect`) does network I/O synchronously",
            "`.output()` (`std::process::Command::output`) waits for a child process synchronously",
            "`util::pause` (`std::thread::sleep`) puts the executor thread to sleep",
        ]
    );
}

#[test]
fn a_crate_module_named_like_std_is_the_crate_module() {
    let found = findings_in(
        &[
            (
                "src/lib.rs",
                "mod fs;
                 async fn handler() -> Vec<u8> { fs::read(\"k\") }",
            ),
            (
                "src/fs.rs",
                "pub fn read(_key: &str) -> Vec<u8> { Vec::new() }",
            ),
        ],
        "handler",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn self_super_and_crate_paths() {
    let found = findings_in(
        &[
            (
                "src/lib.rs",
                "mod api; pub mod io { pub use std::fs::read_to_string as slurp; }",
            ),
            (
                "src/api.rs",
                "mod inner {
                     pub async fn handler() {
                         let _ = super::super::io::slurp(\"a\");
                         let _ = crate::io::slurp(\"b\");
                         let _ = self::local();
                     }
                     fn local() {}
                 }",
            ),
        ],
        "handler",
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn a_body_use_is_resolved_against_the_module() {
    let found = findings_in(
        &lib(
            "mod blocking { pub fn nap() { std::thread::sleep(std::time::Duration::ZERO) } }
              async fn handler() {
                  use blocking::nap;
                  nap();
              }",
        ),
        "handler",
    );
    assert_eq!(
        headlines(&found),
        ["`nap()` blocks: it calls `std::thread::sleep` (src/lib.rs:1)"]
    );
}

#[test]
fn locals_shadow_fns() {
    let found = findings_in(
        &lib("use std::thread::sleep;
              async fn handler(d: std::time::Duration) {
                  let sleep = |_d| ();
                  sleep(d);
              }"),
        "handler",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn item_only_never_guesses() {
    // Without the file, `fs` and `sleep` could be anything: silent.
    let found = item_only(
        "async fn handler(p: &str) {
             let _ = fs::read(p);
             sleep(d);
             thread::sleep(d);
         }",
    );
    assert!(found.is_empty(), "{found:#?}");
    // Written in full, or imported inside the item, it is certain.
    let found = item_only(
        "async fn handler(p: &str) {
             use std::thread::sleep;
             let _ = std::fs::read(p);
             sleep(d);
         }",
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn ambiguous_globs_of_other_crates_are_silent() {
    let found = findings_in(
        &lib("use std::io::*; use std::fs::*;
              async fn handler() { let _ = read_to_string(\"a\"); }"),
        "handler",
    );
    assert!(found.is_empty(), "{found:#?}");
}
