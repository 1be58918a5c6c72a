//! `--sarif FILE`: the findings as a SARIF 2.1.0 log, which code-scanning UIs read. Findings the
//! baseline accepts are kept, marked as externally suppressed, so the UI shows them as dismissed
//! rather than fixed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::baseline;
use crate::check::Skipped;
use crate::config::Level;
use crate::diagnostic::{Diagnostic, Place};
use crate::rules;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The whole log: `findings` with whether each is accepted by the baseline, `skipped` files as
/// notifications, paths relative to `root`.
pub fn log(root: &Path, findings: &[(&Diagnostic, bool)], skipped: &[Skipped]) -> Value {
    let rule_list: Vec<Value> = rules::ALL
        .iter()
        .map(|rule| {
            let info = rules::info(*rule);
            json!({
                "id": info.id,
                "name": info.id.split('/').nth(1).unwrap_or(info.id),
                "shortDescription": { "text": info.description },
                "fullDescription": { "text": format!("{}: {}", rule.tag(), info.description) },
                "defaultConfiguration": { "level": if info.warning_only { "warning" } else { "error" } },
                "properties": { "family": info.family.key() },
            })
        })
        .collect();
    let mut ranks: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = findings
        .iter()
        .map(|(d, accepted)| {
            let base = baseline::fingerprint(d, 0);
            let rank = ranks.entry(base).or_default();
            let fingerprint = baseline::fingerprint(d, *rank);
            *rank += 1;
            result(d, *accepted, &fingerprint)
        })
        .collect();
    let notifications: Vec<Value> = skipped
        .iter()
        .map(|s| {
            let (line, column) = s.line_col.unwrap_or((1, 1));
            json!({
                "level": "warning",
                "message": { "text": s.message },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": artifact(&s.file),
                    "region": { "startLine": line, "startColumn": column },
                }}],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cargo-warden",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_list,
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "uri": directory_uri(root) } },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn result(d: &Diagnostic, accepted: bool, fingerprint: &str) -> Value {
    let info = rules::info(d.rule);
    let rule_index = rules::ALL.iter().position(|r| *r == d.rule).unwrap_or(0);
    let mut text = d.title();
    for help in &d.helps {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": info.id,
        "ruleIndex": rule_index,
        "level": if d.level == Level::Deny { "error" } else { "warning" },
        "message": { "text": text },
        "locations": [{
            "physicalLocation": physical(&d.file, &d.place),
            "logicalLocations": [{ "fullyQualifiedName": d.function, "kind": "function" }],
        }],
        "partialFingerprints": { "wardenFinding/v1": fingerprint },
    });
    if !d.related.is_empty() {
        let related: Vec<Value> = (1..)
            .zip(&d.related)
            .map(|(id, (place, label))| {
                json!({
                    "id": id,
                    "physicalLocation": physical(&d.file, place),
                    "message": { "text": label },
                })
            })
            .collect();
        result["relatedLocations"] = Value::Array(related);
    }
    if accepted {
        result["suppressions"] = json!([{
            "kind": "external",
            "justification": "accepted by the baseline given with --baseline",
        }]);
    }
    result
}

fn physical(file: &str, place: &Place) -> Value {
    json!({
        "artifactLocation": artifact(file),
        "region": {
            "startLine": place.start.0,
            "startColumn": place.start.1,
            "endLine": place.end.0,
            "endColumn": place.end.1,
        },
    })
}

fn artifact(file: &str) -> Value {
    json!({ "uri": encode(&file.replace('\\', "/")), "uriBaseId": "%SRCROOT%" })
}

/// `file:///abs/dir/`, as `originalUriBaseIds` requires (absolute, ending in `/`).
fn directory_uri(dir: &Path) -> String {
    let mut path = dir.display().to_string().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", encode(&path))
}

/// Percent-encodes what a URI path cannot hold as is.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~:@!$&'()*+,;=".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_encoded() {
        assert_eq!(super::encode("src/a b/ü.rs"), "src/a%20b/%C3%BC.rs");
        assert_eq!(
            super::directory_uri(std::path::Path::new("/w/my crate")),
            "file:///w/my%20crate/"
        );
    }
}
