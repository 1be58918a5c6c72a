//! `check` in human output: which findings, at which level, where, and how they read.

use crate::common::{findings, fixture, run, run_in};

/// Every finding of the service fixture, in output order: file modules, nested modules, a
/// `#[path]` module and inline modules, each at the level its attribute or `Cargo.toml` gives.
const SERVICE: &[(&str, &str, &str)] = &[
    // `"src/db.rs" = { guards = "deny" }`: R2 denied, R1 at the default `warn`.
    ("error", "R2", "src/db.rs:12:20"),
    ("warning", "R1", "src/db.rs:17:9"),
    // `#[path = "extra/odd_name.rs"] mod renamed;`, default level.
    ("warning", "R1", "src/extra/odd_name.rs:5:22"),
    // `"src/handlers/**" = "deny"`, and the attributes on two fns there.
    ("error", "R1", "src/handlers/mod.rs:9:5"),
    ("error", "R3", "src/handlers/mod.rs:15:5"),
    ("error", "R4", "src/handlers/mod.rs:21:22"),
    // The nested file module `crate::handlers::users`, under `src/handlers/**`.
    ("error", "R1", "src/handlers/users.rs:4:15"),
    // Default level in the root; `#[no_blocking]` on the inline `mod strict`; `(warn)` on a fn.
    ("warning", "R1", "src/lib.rs:14:5"),
    ("error", "R1", "src/lib.rs:21:9"),
    ("warning", "R1", "src/lib.rs:33:9"),
];

fn expected(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

#[test]
fn every_module_is_checked_at_its_level() {
    let run = run("service", &["check"]);
    assert_eq!(findings(&run.stderr), expected(SERVICE), "{}", run.stderr);
    assert_eq!(run.code, 1, "deny-level findings fail the check");
    assert!(run.stdout.is_empty());
    // Not reported: `crate::legacy` (allow), the `#[allow_blocking]` fn, a sync fn's I/O.
    for absent in ["src/legacy.rs", "lib.rs:27", "users.rs:11"] {
        assert!(!run.stderr.contains(absent), "{absent}: {}", run.stderr);
    }
    assert!(
        run.stderr
            .ends_with("warden: 7 files checked: 6 errors, 4 warnings\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_diagnostic_reads_like_rustc() {
    let run = run("service", &["check"]);
    let expected = "\
error: warden R2 (no lock held across `.await`): `conns` is still alive at this `.await`
  --> src/db.rs:12:20
   |
11 |         let conns = self.conns.lock().unwrap();
   |         --------------------------------------- `conns` is taken here and lives to the end of its block
12 |         reconnect().await;
   |                    ^^^^^^
   |
   = help: every other task that needs the lock waits until this one resumes; end the guard first with `drop(conns);` or by taking it in a block that ends before the `.await`
   = note: to hold it on purpose (a tokio `Mutex` that serialises one connection's writes, say), put `#[warden::allow_blocking]` on the statement with the `.await` and say why in a comment
   = note: `deny`: set by \"src/db.rs\" in [package.metadata.warden.modules]
";
    assert!(run.stderr.starts_with(expected), "{}", run.stderr);
    let attribute = "   = note: `deny`: `#[no_blocking]` covers this fn\n";
    assert!(run.stderr.contains(attribute), "{}", run.stderr);
}

#[test]
fn runs_as_a_cargo_subcommand_and_from_anywhere_with_a_manifest_path() {
    let direct = run("service", &["check"]);
    let as_cargo_runs_it = run("service", &["warden", "check"]);
    assert_eq!(direct.stderr, as_cargo_runs_it.stderr);
    let manifest = fixture("service").join("Cargo.toml");
    let elsewhere = run_in(
        &std::env::temp_dir(),
        &["check", "--manifest-path", manifest.to_str().unwrap()],
    );
    assert_eq!(findings(&elsewhere.stderr), expected(SERVICE));
}

#[test]
fn unparsable_and_missing_files_are_reported_and_the_rest_is_checked() {
    let run = run("broken", &["check"]);
    assert_eq!(run.code, 0, "only a warning-level finding: {}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: this file does not parse, so it is not checked: a delimiter is not closed"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(" --> src/bad.rs:3:1\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "warning: module `missing` is not checked: its file is missing or unreadable"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(" --> src/lib.rs:3:5\n"),
        "{}",
        run.stderr
    );
    assert_eq!(
        findings(&run.stderr),
        expected(&[("warning", "R1", "src/good.rs:2:5")])
    );
    assert!(
        run.stderr.contains("; 2 not checked (see above)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_path_that_is_not_a_crate_is_an_error() {
    let not_a_crate = fixture("service").join("src");
    let run = run_in(
        &std::env::temp_dir(),
        &["check", "--manifest-path", not_a_crate.to_str().unwrap()],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is not a crate: there is no Cargo.toml at"),
        "{}",
        run.stderr
    );
    let run = crate::common::run("service", &["check", "--package", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no package `nope` in this workspace; its packages are `service`"),
        "{}",
        run.stderr
    );
}

#[test]
fn workspace_levels_apply_to_members_and_packages_refine_them() {
    // From a virtual workspace's root: every member. `b` has the workspace's `deny`, `a` relaxes
    // blocking calls to `warn` in its own Cargo.toml.
    let all = run("ws", &["check"]);
    assert_eq!(
        findings(&all.stderr),
        expected(&[
            ("warning", "R1", "a/src/lib.rs:2:5"),
            ("error", "R1", "b/src/lib.rs:2:5"),
        ])
    );
    assert_eq!(all.code, 1);
    let a = run("ws", &["check", "-p", "a"]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(findings(&a.stderr).len(), 1);
    // Inside a member: that member only.
    let b = run_in(&fixture("ws").join("b"), &["check"]);
    assert_eq!(
        findings(&b.stderr),
        expected(&[("error", "R1", "b/src/lib.rs:2:5")])
    );
    let workspace = run_in(&fixture("ws").join("b"), &["check", "--workspace"]);
    assert_eq!(findings(&workspace.stderr).len(), 2);
}

#[test]
fn the_crate_is_the_context() {
    let run = run("crate_context", &["check"]);
    assert_eq!(
        findings(&run.stderr),
        expected(&[
            ("error", "R1", "src/lib.rs:9:16"),
            ("error", "R1", "src/lib.rs:15:5"),
        ]),
        "{}",
        run.stderr
    );
    // Through `use config::load as load_config` into the crate's sync fns, to the blocking call.
    assert!(
        run.stderr.contains(
            "`load_config()` blocks: it calls `read_file()` (src/config.rs:2), which calls \
             `std::fs::read_to_string` (src/config.rs:6)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`filesystem::metadata` (`std::fs::metadata`) does file-system I/O"),
        "{}",
        run.stderr
    );
}

#[test]
fn colours_only_when_asked_or_on_a_terminal() {
    let plain = run("service", &["check"]);
    assert!(!plain.stderr.contains('\x1b'), "not a terminal: no colours");
    let coloured = run("service", &["check", "--color", "always"]);
    assert!(coloured.stderr.contains("\x1b["), "{}", coloured.stderr);
    assert_eq!(findings(&plain.stderr).len(), SERVICE.len());
}

#[test]
fn nested_locks_stay_a_warning_at_deny() {
    let dir = crate::common::copy_of("crate_context");
    let lib = dir.join("src/lib.rs");
    let root = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("mod locks;\n{root}")).unwrap();
    std::fs::write(
        dir.join("src/locks.rs"),
        "pub async fn transfer(a: &std::sync::Mutex<u8>, b: &std::sync::Mutex<u8>) {\n    \
         let x = a.lock().unwrap();\n    let y = b.lock().unwrap();\n    drop((x, y));\n}\n",
    )
    .unwrap();
    let run = run_in(&dir, &["check"]);
    assert!(
        findings(&run.stderr).contains(&(
            "warning".to_owned(),
            "R2".to_owned(),
            "src/locks.rs:3:5".to_owned()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "= note: `warn`: this rule only ever warns (two locks at once are sometimes right)"
        ),
        "{}",
        run.stderr
    );
}
