//! `cargo warden check` finds what the attributes find, no more and no less.
//!
//! The attributes' findings are the trybuild snapshots of `ui/`: every `ui/fail/*.stderr` is
//! what rustc printed when the macros judged that file, and every `ui/pass` case compiles (no
//! error; its warnings are not recorded, so only errors are compared there).
//! Each case (and the `kv_server` example, which compiles clean) becomes a binary target of one
//! generated crate whose levels are `allow`, so only code under an attribute is reported, at the
//! attribute's level. The findings must match one for one: place, level and message (a finding's
//! second place, such as where a guard was taken, is a separate error from the macros).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::run_in;

/// `(line, column, level, message)`.
type Found = BTreeSet<(u64, u64, String, String)>;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The ui cases, and what the attributes found in each.
fn cases() -> Vec<(PathBuf, Found)> {
    let mut cases = Vec::new();
    for dir in ["ui/fail", "ui/pass"] {
        for entry in std::fs::read_dir(workspace().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                let stderr =
                    std::fs::read_to_string(path.with_extension("stderr")).unwrap_or_default();
                cases.push((path, from_stderr(&stderr)));
            }
        }
    }
    cases.sort();
    cases
}

/// The rule findings in a snapshot: `error: warden R..` (deny), and the deprecation the warn
/// mode raises (a warning, or an error where `#![deny(warnings)]` turns it into one), with
/// their `-->`.
fn from_stderr(stderr: &str) -> Found {
    let mut found = Found::new();
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        // Warn mode's findings are deprecation warnings, or errors under `#![deny(warnings)]`.
        let Some(rest) = line
            .strip_prefix("error: ")
            .or_else(|| line.strip_prefix("warning: "))
        else {
            continue;
        };
        let (level, message) = if let Some(rule) = rest.strip_prefix("warden R") {
            ("error", format!("warden R{rule}"))
        } else if let Some((_, rule)) = rest
            .strip_prefix("use of deprecated constant ")
            .and_then(|r| r.split_once(": warden R"))
        {
            ("warning", format!("warden R{rule}"))
        } else {
            continue;
        };
        let place = lines
            .by_ref()
            .find_map(|l| l.trim_start().strip_prefix("--> "))
            .unwrap();
        let mut parts = place.rsplit(':');
        let column = parts.next().unwrap().parse().unwrap();
        let line = parts.next().unwrap().parse().unwrap();
        found.insert((line, column, level.to_owned(), message));
    }
    found
}

/// What `cargo warden check --message-format json` found, per file.
fn from_json(stdout: &str) -> BTreeMap<String, Found> {
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    for line in stdout.lines() {
        let object: Value = serde_json::from_str(line).unwrap();
        let message = &object["message"];
        if object["reason"] != "compiler-message" || message["code"].is_null() {
            continue;
        }
        let level = message["level"].as_str().unwrap().to_owned();
        // trybuild shows the workspace directory as `$DIR` in the snapshots.
        let title = &message["message"]
            .as_str()
            .unwrap()
            .replace(&format!("{}/", workspace().display()), "$DIR/");
        let tag = &title[..=title.find("): ").unwrap()];
        for span in message["spans"].as_array().unwrap() {
            let text = if span["is_primary"] == true {
                title.to_owned()
            } else {
                format!("{tag}: {}", span["label"].as_str().unwrap())
            };
            found
                .entry(span["file_name"].as_str().unwrap().to_owned())
                .or_default()
                .insert((
                    span["line_start"].as_u64().unwrap(),
                    span["column_start"].as_u64().unwrap(),
                    level.clone(),
                    text,
                ));
        }
    }
    found
}

/// The names of the `warden` package's dependencies and dev-dependencies.
fn root_dependencies() -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(workspace())
        .output()
        .unwrap();
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let warden = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "warden")
        .unwrap();
    warden["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"].is_null() || d["kind"] == "dev")
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn finds_what_the_attributes_find_on_every_ui_case_and_the_example() {
    let mut expected = cases();
    let example = workspace().join("examples/kv_server/main.rs");
    expected.push((example, Found::new()));

    let dir = std::env::temp_dir().join(format!("cargo-warden-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut manifest = String::from(
        "[package]\nname = \"ui-cases\"\nversion = \"0.0.0\"\nedition = \"2021\"\nautobins = false\n\n\
         [workspace]\n\n[package.metadata.warden]\nlevel = \"allow\"\n",
    );
    // The dependencies trybuild's project has (a path may start with their names).
    manifest.push_str("\n[dependencies]\n");
    for name in root_dependencies() {
        let _ = writeln!(manifest, "{name} = \"*\"");
    }
    for (i, (path, _)) in expected.iter().enumerate() {
        let _ = write!(manifest, "\n[[bin]]\nname = \"case{i}\"\npath = {path:?}\n");
    }
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let run = run_in(&dir, &["check", "--message-format", "json"]);
    let _ = std::fs::remove_dir_all(&dir);
    let mut found = from_json(&run.stdout);

    let mut mismatches = Vec::new();
    for (path, attributes) in &expected {
        let mut cli = found
            .remove(&path.display().to_string())
            .unwrap_or_default();
        if path.starts_with(workspace().join("ui/pass")) {
            // A pass case only promises no error: its warnings are not recorded.
            cli.retain(|(_, _, level, _)| level == "error");
        }
        if &cli != attributes {
            let name = path.strip_prefix(workspace()).unwrap().display();
            mismatches.push(format!(
                "{name}:\n  only the attributes: {:#?}\n  only cargo warden: {:#?}",
                attributes.difference(&cli).collect::<Vec<_>>(),
                cli.difference(attributes).collect::<Vec<_>>()
            ));
        }
    }
    assert!(found.is_empty(), "findings in other files: {found:#?}");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    let total: usize = expected.iter().map(|(_, f)| f.len()).sum();
    assert!(
        total > 50,
        "the snapshots hold the attributes' findings ({total})"
    );
}
