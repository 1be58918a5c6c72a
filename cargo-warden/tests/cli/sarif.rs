//! `--sarif FILE`: a SARIF 2.1.0 log, valid against the schema (checked in as
//! `tests/sarif/sarif-2.1.0-rtm.5.json`, the final 2.1.0 schema as shipped in Microsoft's
//! MIT-licensed `@microsoft/jest-sarif` package) and saying what the text output says.

use serde_json::Value;

use crate::common::{copy_of, run_in};

fn schema() -> Value {
    let text = include_str!("../sarif/sarif-2.1.0-rtm.5.json");
    serde_json::from_str(text).expect("the schema is JSON")
}

/// The log written by `check` with `args` in `dir`, validated against the schema.
fn valid_log(dir: &std::path::Path, args: &[&str]) -> (crate::common::Run, Value) {
    let log_path = dir.join("warden.sarif");
    let mut args = args.to_vec();
    args.extend(["--sarif", log_path.to_str().unwrap()]);
    let run = run_in(dir, &args);
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&log_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema()).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
    (run, log)
}

#[test]
fn sarif_log_is_valid_and_matches_the_findings() {
    let dir = copy_of("service");
    let (run, log) = valid_log(&dir, &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);

    let results = log["runs"][0]["results"].as_array().unwrap();
    let text = crate::common::findings(&run.stderr);
    assert_eq!(results.len(), text.len());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for (result, (level, number, place)) in results.iter().zip(&text) {
        let expected = if level == "error" { "error" } else { "warning" };
        assert_eq!(result["level"], expected);
        let id = result["ruleId"].as_str().unwrap();
        assert!(id.starts_with(number.as_str()), "{id} vs {number}");
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], id);
        let location = &result["locations"][0]["physicalLocation"];
        let shown = format!(
            "{}:{}:{}",
            location["artifactLocation"]["uri"].as_str().unwrap(),
            location["region"]["startLine"],
            location["region"]["startColumn"]
        );
        assert_eq!(&shown, place);
    }
    let root = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
}

#[test]
fn baselined_findings_are_suppressed_and_skipped_files_are_notifications() {
    let dir = copy_of("service");
    let baseline = dir.join("baseline.json");
    let written = run_in(
        &dir,
        &["check", "--write-baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(written.code, 0);
    let (run, log) = valid_log(&dir, &["check", "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 10, "accepted findings stay in the log");
    for result in results {
        assert_eq!(result["suppressions"][0]["kind"], "external", "{result}");
        assert!(result["partialFingerprints"]["wardenFinding/v1"].is_string());
    }

    let broken = copy_of("broken");
    let (_, log) = valid_log(&broken, &["check"]);
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 2);
    let region = &notes[0]["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], "src/bad.rs");
    assert_eq!(region["region"]["startLine"], 3);
}
