//! `--write-baseline` then `--baseline`: today's findings are accepted; moved code stays
//! accepted; only new findings are reported and fail the check.

use crate::common::{copy_of, findings, run_in};

#[test]
fn only_new_findings_count_against_a_baseline() {
    let dir = copy_of("service");
    let written = run_in(&dir, &["check", "--write-baseline", "warden-baseline.json"]);
    assert_eq!(
        written.code, 0,
        "writing a baseline accepts: {}",
        written.stderr
    );
    assert!(
        written
            .stderr
            .contains("; wrote 10 finding(s) to the baseline `warden-baseline.json`"),
        "{}",
        written.stderr
    );
    let baseline = std::fs::read_to_string(dir.join("warden-baseline.json")).unwrap();
    assert!(
        baseline.contains("\"function\": \"crate::db::Pool::checkout\""),
        "{baseline}"
    );

    let accepted = run_in(&dir, &["check", "--baseline", "warden-baseline.json"]);
    assert_eq!(accepted.code, 0, "{}", accepted.stderr);
    assert!(findings(&accepted.stderr).is_empty(), "{}", accepted.stderr);
    assert!(
        accepted
            .stderr
            .contains("0 errors, 0 warnings; 10 accepted by the baseline"),
        "{}",
        accepted.stderr
    );

    // Lines move, one finding is fixed, one is new.
    let handlers = dir.join("src/handlers/mod.rs");
    let moved = std::fs::read_to_string(&handlers).unwrap().replace(
        "mod users;",
        "mod users;\n\n// Moved down by three lines.\n",
    );
    std::fs::write(&handlers, moved).unwrap();
    let users = dir.join("src/handlers/users.rs");
    let edited = std::fs::read_to_string(&users).unwrap().replace(
        "    let raw = std::fs::read_to_string(\"users.txt\").unwrap();",
        "    let raw = String::new();\n    std::thread::sleep(std::time::Duration::from_millis(1));",
    );
    std::fs::write(&users, edited).unwrap();

    let run = run_in(&dir, &["check", "--baseline", "warden-baseline.json"]);
    assert_eq!(
        findings(&run.stderr),
        vec![(
            "error".to_owned(),
            "R1".to_owned(),
            "src/handlers/users.rs:5:5".to_owned()
        )],
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "9 accepted by the baseline `warden-baseline.json` (1 of its findings are fixed"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_that_is_not_a_baseline_is_an_error() {
    let dir = copy_of("service");
    std::fs::write(dir.join("b.json"), "{\"findings\": 3}").unwrap();
    let run = run_in(&dir, &["check", "--baseline", "b.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "`b.json` is not a baseline written by `cargo warden check --write-baseline`"
        ),
        "{}",
        run.stderr
    );
}
