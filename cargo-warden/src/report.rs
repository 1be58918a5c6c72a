//! `cargo warden report`: where a crate stands, per module: async fns, how many each attribute
//! covers, findings per rule, and what can be switched to `deny` today, as `Cargo.toml` lines to
//! paste. A table for the terminal, or Markdown for a pull request.

use std::fmt::Write as _;

use crate::check::ModuleStats;
use crate::config::Level;
use crate::rules::Family;

const HEADERS: [&str; 11] = [
    "module",
    "file",
    "async fns",
    "#[no_blocking]",
    "#[supervised]",
    "#[bounded]",
    "R1",
    "R2",
    "R3",
    "R4",
    "next step",
];

/// The report as a terminal table (`markdown`: as Markdown).
pub fn render(modules: &[ModuleStats], markdown: bool) -> String {
    let mut out = String::new();
    let mut crates: Vec<&str> = modules.iter().map(|m| m.krate.as_str()).collect();
    crates.dedup();
    for krate in crates {
        let rows: Vec<Vec<String>> = modules
            .iter()
            .filter(|m| m.krate == krate)
            .map(row)
            .collect();
        if markdown {
            let _ = writeln!(out, "### `{krate}`\n");
            out.push_str(&markdown_table(&rows));
        } else {
            let _ = writeln!(out, "{krate}\n");
            out.push_str(&text_table(&rows));
        }
        out.push('\n');
        let ready = suggestions(modules.iter().filter(|m| m.krate == krate));
        if !ready.is_empty() {
            let intro = "Clean today, so these can be `deny` now (add to `[package.metadata.warden.modules]`):";
            if markdown {
                let _ = writeln!(out, "{intro}\n\n```toml\n{ready}```\n");
            } else {
                let _ = writeln!(out, "{intro}\n{ready}");
            }
        }
    }
    let totals = totals(modules);
    let _ = writeln!(
        out,
        "{} module{}, {} async fns, findings: R1 {}, R2 {}, R3 {}, R4 {}; {} clean",
        modules.len(),
        if modules.len() == 1 { "" } else { "s" },
        totals.0,
        totals.1[0],
        totals.1[1],
        totals.1[2],
        totals.1[3],
        modules.iter().filter(|m| is_clean(m)).count(),
    );
    out
}

fn totals(modules: &[ModuleStats]) -> (usize, [usize; 4]) {
    let mut findings = [0; 4];
    for m in modules {
        for (total, n) in findings.iter_mut().zip(m.findings) {
            *total += n;
        }
    }
    (modules.iter().map(|m| m.async_fns).sum(), findings)
}

fn is_clean(m: &ModuleStats) -> bool {
    m.findings.iter().all(|n| *n == 0)
}

fn row(m: &ModuleStats) -> Vec<String> {
    let found: usize = m.findings.iter().sum();
    let all_deny = Family::ALL.iter().all(|f| m.levels.get(*f) == Level::Deny);
    let next = if found > 0 {
        format!("fix {found} finding{}", if found == 1 { "" } else { "s" })
    } else if m.async_fns == 0 {
        "no async fns".to_owned()
    } else if all_deny {
        "clean, at deny".to_owned()
    } else if m.inline && m.annotated[0] < m.async_fns {
        // The attribute is only news where some async fn is not under it yet.
        "clean: set to deny, or #[no_blocking]".to_owned()
    } else {
        "clean: set to deny".to_owned()
    };
    let mut row = vec![m.module.clone(), m.file.clone(), m.async_fns.to_string()];
    row.extend(m.annotated.iter().map(ToString::to_string));
    row.extend(Family::ALL.iter().map(|f| {
        let n = m.findings[*f as usize];
        match m.levels.get(*f) {
            Level::Warn => n.to_string(),
            level => format!("{n} ({})", level.name()),
        }
    }));
    row.push(next);
    row
}

/// `Cargo.toml` lines for the families each module can deny today: those without findings that
/// are at `warn` (a family set to `allow` was turned off on purpose).
fn suggestions<'a>(modules: impl Iterator<Item = &'a ModuleStats>) -> String {
    let mut out = String::new();
    for m in modules.filter(|m| m.async_fns > 0) {
        let ready: Vec<Family> = Family::ALL
            .into_iter()
            .filter(|f| m.findings[*f as usize] == 0 && m.levels.get(*f) == Level::Warn)
            .collect();
        if ready.is_empty() {
            continue;
        }
        if ready.len() == Family::ALL.len() {
            let _ = writeln!(out, "\"{}\" = \"deny\"", m.module);
        } else {
            let families: Vec<String> = ready
                .iter()
                .map(|f| format!("{} = \"deny\"", f.key()))
                .collect();
            let _ = writeln!(out, "\"{}\" = {{ {} }}", m.module, families.join(", "));
        }
    }
    out
}

fn text_table(rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = HEADERS.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            // Names left, numbers right, the last column unpadded.
            if i == row.len() - 1 {
                line.push_str(cell);
            } else if i < 2 {
                let _ = write!(line, "{cell:<width$}  ");
            } else {
                let _ = write!(line, "{cell:>width$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn markdown_table(rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", HEADERS.join(" | "));
    let aligns: Vec<&str> = (0..HEADERS.len())
        .map(|i| {
            if (2..HEADERS.len() - 1).contains(&i) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    let _ = writeln!(out, "| {} |", aligns.join(" | "));
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < 2 {
                    format!("`{c}`")
                } else {
                    c.replace('|', "\\|")
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Levels;

    fn inline_module(async_fns: usize, no_blocking: usize) -> ModuleStats {
        ModuleStats {
            krate: "service".to_owned(),
            module: "crate::handlers::counters".to_owned(),
            file: "src/handlers.rs".to_owned(),
            inline: true,
            async_fns,
            annotated: [no_blocking, 0, 0],
            findings: [0; 4],
            levels: Levels::all(Level::Warn),
        }
    }

    /// An inline `mod` that already carries `#[no_blocking]` (every async fn covered) was told
    /// to add `#[no_blocking]`; only one with an uncovered async fn is.
    #[test]
    fn no_blocking_is_suggested_only_where_it_is_missing() {
        let covered = row(&inline_module(2, 2));
        assert_eq!(
            covered.last().map(String::as_str),
            Some("clean: set to deny")
        );
        let partly = row(&inline_module(2, 1));
        assert_eq!(
            partly.last().map(String::as_str),
            Some("clean: set to deny, or #[no_blocking]")
        );
    }
}
