//! Compile-time guarantees: `ui/fail` cases must fail with exactly the `.stderr` a user reads,
//! `ui/pass` cases must compile. Refresh snapshots with `TRYBUILD=overwrite` and review them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
