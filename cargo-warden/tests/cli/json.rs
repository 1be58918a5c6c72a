//! `--message-format json`: one cargo-shaped object per finding on stdout, then
//! `build-finished`; the same findings as the text output.

use serde_json::Value;

use crate::common::{findings, run};

#[test]
fn one_object_per_finding_like_cargo() {
    let text = run("service", &["check"]);
    let json = run("service", &["check", "--message-format", "json"]);
    assert_eq!(json.code, 1);
    let lines: Vec<Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let (last, messages) = lines.split_last().unwrap();
    assert_eq!(last["reason"], "build-finished");
    assert_eq!(last["success"], false);
    assert_eq!(last["warden"]["errors"], 6);
    assert_eq!(last["warden"]["warnings"], 4);

    let expected = findings(&text.stderr);
    assert_eq!(messages.len(), expected.len());
    for (object, (level, number, place)) in messages.iter().zip(&expected) {
        assert_eq!(object["reason"], "compiler-message");
        assert_eq!(object["package_name"], "service");
        let message = &object["message"];
        assert_eq!(message["$message_type"], "diagnostic");
        assert_eq!(&message["level"], level.as_str());
        assert!(
            message["code"]["code"]
                .as_str()
                .unwrap()
                .starts_with(number.as_str())
        );
        assert!(message["message"].as_str().unwrap().starts_with("warden R"));
        let span = &message["spans"][0];
        assert_eq!(span["is_primary"], true);
        let shown = format!(
            "{}:{}:{}",
            span["file_name"].as_str().unwrap(),
            span["line_start"],
            span["column_start"]
        );
        assert_eq!(&shown, place);
        assert!(span["byte_end"].as_u64() > span["byte_start"].as_u64());
        let children = message["children"].as_array().unwrap();
        assert!(children.iter().any(|c| c["level"] == "help"), "{message}");
        let rendered = message["rendered"].as_str().unwrap();
        assert!(rendered.contains(&format!("--> {place}")), "{rendered}");
        assert!(
            object["warden"]["function"]
                .as_str()
                .unwrap()
                .starts_with("crate::")
        );
    }
    // The guard's `let` is the second span of the R2 finding, with its label.
    let r2 = messages
        .iter()
        .find(|m| m["warden"]["rule"] == "R2/guard-across-await")
        .unwrap();
    let taken = &r2["message"]["spans"][1];
    assert_eq!(taken["is_primary"], false);
    assert_eq!(taken["line_start"], 11);
    assert_eq!(
        taken["text"][0]["text"],
        "        let conns = self.conns.lock().unwrap();"
    );
    assert!(taken["label"].as_str().unwrap().contains("is taken here"));
    assert_eq!(r2["warden"]["function"], "crate::db::Pool::checkout");
    assert_eq!(
        r2["warden"]["code"],
        "let conns = self.conns.lock().unwrap(); / .await"
    );
}

#[test]
fn skipped_files_are_warnings_in_json_too() {
    let json = run("broken", &["check", "--message-format", "json"]);
    let warnings: Vec<Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["reason"] == "compiler-message" && v["message"]["code"].is_null())
        .collect();
    assert_eq!(warnings.len(), 2, "{}", json.stdout);
    assert_eq!(
        warnings[0]["message"]["spans"][0]["file_name"],
        "src/bad.rs"
    );
    assert_eq!(warnings[0]["message"]["spans"][0]["line_start"], 3);
}
