//! `WARDEN_MAX_POLL`, read once on first use. Setting an environment variable in-process is
//! `unsafe` (and this crate forbids `unsafe`), so each case re-runs this test binary with the
//! variable set and the case's name, and the child checks what it sees.

use std::process::Command;
use std::time::Duration;

use warden_runtime::settings;

/// Set in the child so the checks below run only there.
const CHILD: &str = "WARDEN_TEST_ENV_CHILD";

/// Runs the test `name` of this binary in a child process with `WARDEN_MAX_POLL=value`.
fn run_child(name: &str, value: &str) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("WARDEN_MAX_POLL", value)
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child {name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "child {name} did not run:\n{stdout}"
    );
}

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

#[test]
fn env_var_sets_the_default_threshold() {
    if !in_child() {
        return run_child("env_var_sets_the_default_threshold", "250us");
    }
    assert!(settings::poll_detection());
    assert_eq!(settings::default_max_poll(), Duration::from_micros(250));
    // A setter still wins over the variable.
    settings::set_default_max_poll(Duration::from_millis(3));
    assert_eq!(settings::default_max_poll(), Duration::from_millis(3));
}

#[test]
fn env_var_off_switches_detection_off() {
    if !in_child() {
        return run_child("env_var_off_switches_detection_off", "off");
    }
    assert!(!settings::poll_detection());
    settings::set_poll_detection(true);
    assert!(settings::poll_detection());
}

#[test]
fn an_unreadable_env_var_keeps_the_default() {
    if !in_child() {
        return run_child("an_unreadable_env_var_keeps_the_default", "fast");
    }
    assert!(settings::poll_detection());
    assert_eq!(settings::default_max_poll(), settings::DEFAULT_MAX_POLL);
}

/// Values read with the options' grammar: a fraction is read, zero keeps the default.
const VALUES: [(&str, Duration); 2] = [
    ("1.5ms", Duration::from_micros(1_500)),
    ("0ms", settings::DEFAULT_MAX_POLL),
];

#[test]
fn env_values_are_read_like_options() {
    if !in_child() {
        for (value, _) in VALUES {
            run_child("env_values_are_read_like_options", value);
        }
        return;
    }
    let value = std::env::var("WARDEN_MAX_POLL").unwrap();
    let expected = VALUES.iter().find(|(v, _)| *v == value).unwrap().1;
    assert!(settings::poll_detection());
    assert_eq!(settings::default_max_poll(), expected, "{value}");
}
