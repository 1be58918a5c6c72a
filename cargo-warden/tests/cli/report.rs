//! `report`: per module, async fns, attributes, findings per rule and the next step, as a table
//! and as Markdown with the `Cargo.toml` lines that switch clean modules to `deny`.

use crate::common::run;

/// The row of `module` in a terminal table, cells split on runs of two spaces.
fn row<'a>(table: &'a str, module: &str) -> Vec<&'a str> {
    let line = table
        .lines()
        .find(|l| l.split("  ").next() == Some(module))
        .unwrap_or_else(|| panic!("no row for {module} in\n{table}"));
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn table_shows_where_each_module_stands() {
    let run = run("service", &["report"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let table = &run.stdout;
    // module, file, async fns, #[no_blocking], #[supervised], #[bounded], R1..R4, next step.
    assert_eq!(
        row(table, "crate::clean"),
        [
            "crate::clean",
            "src/clean.rs",
            "1",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "clean: set to deny"
        ]
    );
    assert_eq!(
        row(table, "crate::strict"),
        [
            "crate::strict",
            "src/lib.rs",
            "3",
            "3",
            "0",
            "0",
            "2",
            "0",
            "0",
            "0",
            "fix 2 findings"
        ]
    );
    assert_eq!(
        row(table, "crate::handlers"),
        [
            "crate::handlers",
            "src/handlers/mod.rs",
            "3",
            "0",
            "1",
            "1",
            "1 (deny)",
            "0 (deny)",
            "1 (deny)",
            "1 (deny)",
            "fix 3 findings"
        ]
    );
    // `allow` modules are counted all the same: the report says what the rules would find.
    assert_eq!(row(table, "crate::legacy")[6], "1 (allow)");
    assert_eq!(row(table, "crate::db")[7], "1 (deny)");
    assert!(table.contains("\"crate::clean\" = \"deny\"\n"), "{table}");
    // Only families without findings, at `warn`: not `db`'s R1 (a finding) nor its R2 (`deny`
    // already), nor anything of `legacy` (`allow` on purpose).
    assert!(
        table.contains("\"crate::db\" = { spawns = \"deny\", queues = \"deny\" }\n"),
        "{table}"
    );
    assert!(!table.contains("\"crate::legacy\" ="), "{table}");
    assert!(
        table.ends_with("8 modules, 14 async fns, findings: R1 8, R2 1, R3 1, R4 1; 1 clean\n"),
        "{table}"
    );
}

#[test]
fn markdown_for_a_pull_request() {
    let run = run("service", &["report", "--markdown"]);
    let md = &run.stdout;
    assert!(
        md.starts_with("### `service`\n\n| module | file | async fns |"),
        "{md}"
    );
    assert!(md.contains("| --- | --- | ---: |"), "{md}");
    assert!(
        md.contains("| `crate::clean` | `src/clean.rs` | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | clean: set to deny |"),
        "{md}"
    );
    let toml = md.split("```toml\n").nth(1).expect("a toml block");
    assert!(toml.contains("\n\"crate::clean\" = \"deny\"\n"), "{md}");
}
