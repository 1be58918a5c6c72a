//! Bad levels in `Cargo.toml` stop the command with an error that lists what is valid.

use crate::common::{copy_of, run, run_in};

#[test]
fn an_unknown_key_lists_the_valid_ones() {
    let run = run("bad_config", &["check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "bad_config/Cargo.toml: [package.metadata.warden]: unknown key `levels`; \
             the valid keys are `level`, `modules`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_rule_family_or_level_lists_the_valid_ones() {
    let dir = copy_of("bad_config");
    let manifest = dir.join("Cargo.toml");
    let original = std::fs::read_to_string(&manifest).unwrap();
    for (setting, expected) in [
        (
            "modules = { \"src/**\" = { blocks = \"deny\" } }",
            "unknown rule family `blocks`; the valid ones are `blocking` (R1), `guards` (R2), \
             `spawns` (R3), `queues` (R4), or the numbers `R1`..`R4`",
        ),
        (
            "level = \"forbid\"",
            "`\"forbid\"` is not a level; use \"deny\", \"warn\" or \"allow\"",
        ),
    ] {
        std::fs::write(&manifest, original.replace("levels = \"deny\"", setting)).unwrap();
        let run = run_in(&dir, &["check"]);
        assert_eq!(run.code, 2, "{setting}");
        assert!(run.stderr.contains(expected), "{setting}: {}", run.stderr);
    }
}
