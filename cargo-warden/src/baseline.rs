//! `--write-baseline FILE` records today's findings; `--baseline FILE` accepts them, so only new
//! findings count. A finding is recognised by its rule, file, fn and offending code (whitespace
//! collapsed), not by its line, so code moving around does not make old findings new; the same
//! code twice in one fn is two entries.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::rules;

const VERSION: u32 = 1;

/// The file's contents.
#[derive(Serialize, Deserialize)]
struct File {
    /// Format version.
    version: u32,
    /// What wrote it, for people who find it.
    about: String,
    findings: Vec<Entry>,
}

/// One accepted finding (with `count` copies).
#[derive(Serialize, Deserialize, PartialEq, Eq, Hash, Clone, PartialOrd, Ord)]
struct Entry {
    rule: String,
    file: String,
    function: String,
    code: String,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    count: usize,
}

fn one() -> usize {
    1
}

#[allow(clippy::trivially_copy_pass_by_ref, reason = "serde's signature")]
fn is_one(n: &usize) -> bool {
    *n == 1
}

fn key(d: &Diagnostic) -> Entry {
    Entry {
        rule: rules::info(d.rule).id.to_owned(),
        file: d.file.clone(),
        function: d.function.clone(),
        code: d.code.clone(),
        count: 1,
    }
}

/// Writes every finding of `diagnostics` to `path`.
pub fn write(path: &Path, diagnostics: &[Diagnostic]) -> Result<(), String> {
    let mut counts: HashMap<Entry, usize> = HashMap::new();
    for d in diagnostics {
        *counts.entry(key(d)).or_default() += 1;
    }
    let mut findings: Vec<Entry> = counts
        .into_iter()
        .map(|(entry, count)| Entry { count, ..entry })
        .collect();
    findings.sort();
    let file = File {
        version: VERSION,
        about:
            "findings accepted by `cargo warden check --baseline`; rewrite with `--write-baseline`"
                .to_owned(),
        findings,
    };
    let json = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    std::fs::write(path, json + "\n")
        .map_err(|e| format!("cannot write the baseline `{}`: {e}", path.display()))
}

/// Accepted findings, each usable as many times as it was recorded.
pub struct Baseline {
    remaining: HashMap<Entry, usize>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline `{}`: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text).map_err(|e| {
            format!(
                "`{}` is not a baseline written by `cargo warden check --write-baseline`: {e}",
                path.display()
            )
        })?;
        if file.version != VERSION {
            return Err(format!(
                "the baseline `{}` has version {}, this cargo-warden reads version {VERSION}; \
                 rewrite it with `--write-baseline`",
                path.display(),
                file.version
            ));
        }
        let mut remaining = HashMap::new();
        for entry in file.findings {
            let count = entry.count;
            *remaining.entry(Entry { count: 1, ..entry }).or_default() += count;
        }
        Ok(Baseline { remaining })
    }

    /// Whether `d` is accepted (and uses up one recorded copy).
    pub fn accepts(&mut self, d: &Diagnostic) -> bool {
        match self.remaining.get_mut(&key(d)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// Recorded findings no longer found: fixed, so the baseline can shrink.
    pub fn unused(&self) -> usize {
        self.remaining.values().sum()
    }
}

/// A stable fingerprint of a finding (FNV-1a over its baseline key and its rank among equal
/// keys), for SARIF's `partialFingerprints`.
pub fn fingerprint(d: &Diagnostic, rank: usize) -> String {
    let k = key(d);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [&k.rule, &k.file, &k.function, &k.code, &rank.to_string()] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
