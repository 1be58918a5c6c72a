//! Levels per module from `[workspace.metadata.warden]` and `[package.metadata.warden]`:
//!
//! ```toml
//! [package.metadata.warden]
//! level = "warn"                     # every rule family, everywhere (the default)
//! [package.metadata.warden.modules]
//! "src/handlers/**" = "deny"         # a path glob, relative to this Cargo.toml
//! "crate::legacy::**" = "allow"      # a module glob
//! "src/db.rs" = { blocking = "deny", guards = "deny" }
//! ```
//!
//! Read in one step (unknown keys, families and levels are errors that list the valid ones), then
//! asked per module. Where several globs match, the most specific (most literal characters) wins,
//! per family; on a tie the package's beats the workspace's.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value;

use crate::rules::Family;

/// What happens to a finding of a family.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Level {
    /// Not checked.
    Allow,
    /// Reported; the command still succeeds.
    Warn,
    /// Reported; the command fails.
    Deny,
}

impl Level {
    /// The word in `Cargo.toml` and in output.
    pub fn name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    fn parse(value: &Value, at: &str) -> Result<Level, String> {
        match value.as_str() {
            Some("allow") => Ok(Level::Allow),
            Some("warn") => Ok(Level::Warn),
            Some("deny") => Ok(Level::Deny),
            _ => Err(format!(
                "{at}: `{value}` is not a level; use \"deny\", \"warn\" or \"allow\""
            )),
        }
    }
}

/// One level per family.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Levels([Level; 4]);

impl Levels {
    /// The same level for every family.
    pub fn all(level: Level) -> Self {
        Levels([level; 4])
    }

    /// The level of `family`.
    pub fn get(self, family: Family) -> Level {
        self.0[family as usize]
    }

    /// Sets the level of `family`.
    pub fn set(&mut self, family: Family, level: Level) {
        self.0[family as usize] = level;
    }
}

/// Levels for some families, from a string (every family) or a table (the families it names).
type Partial = [Option<Level>; 4];

const TOP_KEYS: &str = "`level`, `modules`";
const FAMILY_KEYS: &str =
    "`blocking` (R1), `guards` (R2), `spawns` (R3), `queues` (R4), or the numbers `R1`..`R4`";

/// Where the levels of a module come from.
#[derive(Default, Debug)]
pub struct Config {
    default: Partial,
    /// Where each family's default was set.
    default_from: [Option<String>; 4],
    patterns: Vec<Pattern>,
}

#[derive(Debug)]
struct Pattern {
    /// The glob as written, with its table: `"src/handlers/**" in [package.metadata.warden.modules]`.
    shown: String,
    matcher: Matcher,
    levels: Partial,
    /// Literal characters in the glob: the more, the more specific.
    specificity: usize,
    /// Order of reading: later (the package's) wins ties.
    order: usize,
}

#[derive(Debug)]
enum Matcher {
    /// A path glob, relative to the directory of the Cargo.toml that holds it.
    Path { base: PathBuf, glob: GlobMatcher },
    /// A module glob (`crate::a::*`), `::` read as `/`; `itself` matches `crate::a` for `crate::a::**`.
    Module {
        glob: GlobMatcher,
        itself: Option<String>,
    },
}

impl Config {
    /// Adds the table `value` named `table` (`[package.metadata.warden]`) of the Cargo.toml
    /// `manifest`; later tables win ties.
    pub fn add(&mut self, value: &Value, manifest: &Path, table: &str) -> Result<(), String> {
        let base = manifest.parent().unwrap_or(Path::new("."));
        let at = &format!("{}: {table}", manifest.display());
        let name = table.trim_end_matches(']');
        let Some(table) = value.as_object() else {
            return Err(format!("{at} must be a table with the keys {TOP_KEYS}"));
        };
        for (key, value) in table {
            match key.as_str() {
                "level" => {
                    let partial = parse_partial(value, &format!("{at}.level"))?;
                    for (i, level) in partial.into_iter().enumerate() {
                        if level.is_some() {
                            self.default[i] = level;
                            self.default_from[i] = Some(format!("`level` in {name}]"));
                        }
                    }
                }
                "modules" => {
                    let Some(modules) = value.as_object() else {
                        return Err(format!(
                            "{at}.modules must be a table of globs, e.g. \"src/handlers/**\" = \"deny\""
                        ));
                    };
                    for (glob, value) in modules {
                        let levels = parse_partial(value, &format!("{at}.modules: \"{glob}\""))?;
                        let matcher = Matcher::new(glob, base)
                            .map_err(|e| format!("{at}.modules: `{glob}` is not a glob: {e}"))?;
                        self.patterns.push(Pattern {
                            shown: format!("\"{glob}\" in {name}.modules]"),
                            matcher,
                            levels,
                            specificity: glob.chars().filter(|c| !"*?[]{}".contains(*c)).count(),
                            order: self.patterns.len(),
                        });
                    }
                }
                other => {
                    return Err(format!(
                        "{at}: unknown key `{other}`; the valid keys are {TOP_KEYS}"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The levels for code in the module `module` (`crate::a::b`) of the file `file`, and
    /// for each family the setting it comes from (`None`: warden's default, `warn`).
    pub fn levels(&self, file: &Path, module: &str) -> (Levels, [Option<&str>; 4]) {
        let mut levels = Levels::all(Level::Warn);
        let mut from = [None; 4];
        for family in Family::ALL {
            let i = family as usize;
            let best = self
                .patterns
                .iter()
                .filter(|p| p.levels[i].is_some() && p.matcher.matches(file, module))
                .max_by_key(|p| (p.specificity, p.order));
            if let Some((level, shown)) = best.and_then(|p| Some((p.levels[i]?, p.shown.as_str())))
            {
                levels.set(family, level);
                from[i] = Some(shown);
            } else if let Some(level) = self.default[i] {
                levels.set(family, level);
                from[i] = self.default_from[i].as_deref();
            }
        }
        (levels, from)
    }
}

impl Matcher {
    fn new(glob: &str, base: &Path) -> Result<Matcher, globset::Error> {
        let build = |pattern: &str| {
            GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map(|g| g.compile_matcher())
        };
        if glob == "crate" || glob.starts_with("crate::") {
            let slashed = glob.replace("::", "/");
            let itself = slashed.strip_suffix("/**").map(str::to_owned);
            Ok(Matcher::Module {
                glob: build(&slashed)?,
                itself,
            })
        } else {
            Ok(Matcher::Path {
                base: base.to_path_buf(),
                glob: build(glob.trim_start_matches("./"))?,
            })
        }
    }

    fn matches(&self, file: &Path, module: &str) -> bool {
        match self {
            Matcher::Path { base, glob } => file
                .strip_prefix(base)
                .is_ok_and(|relative| glob.is_match(relative)),
            Matcher::Module { glob, itself } => {
                let slashed = module.replace("::", "/");
                glob.is_match(&slashed) || itself.as_deref() == Some(slashed.as_str())
            }
        }
    }
}

/// `"deny"` (every family) or `{ blocking = "deny", .. }` (the families named).
fn parse_partial(value: &Value, at: &str) -> Result<Partial, String> {
    if let Some(table) = value.as_object() {
        let mut partial = [None; 4];
        for (key, level) in table {
            let family = Family::from_key(key)
                .or_else(|| Family::ALL.into_iter().find(|f| f.number() == key))
                .ok_or_else(|| {
                    format!("{at}: unknown rule family `{key}`; the valid ones are {FAMILY_KEYS}")
                })?;
            partial[family as usize] = Some(Level::parse(level, &format!("{at}.{key}"))?);
        }
        Ok(partial)
    } else {
        Ok([Some(Level::parse(value, at)?); 4])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Result<Config, String> {
        let mut config = Config::default();
        config.add(
            &serde_json::from_str(json).unwrap(),
            Path::new("/p/Cargo.toml"),
            "[package.metadata.warden]",
        )?;
        Ok(config)
    }

    #[test]
    fn most_specific_glob_wins_per_family() {
        let c = config(
            r#"{"level": "warn", "modules": {
                "src/**": {"blocking": "deny"},
                "src/handlers/**": "allow",
                "crate::db::**": {"R2": "deny"}
            }}"#,
        )
        .unwrap();
        let at = |file: &str, module: &str| c.levels(Path::new(file), module).0;
        let plain = at("/p/src/lib.rs", "crate");
        assert_eq!(plain.get(Family::Blocking), Level::Deny);
        assert_eq!(plain.get(Family::Guards), Level::Warn);
        let handlers = at("/p/src/handlers/get.rs", "crate::handlers::get");
        assert_eq!(handlers, Levels::all(Level::Allow));
        for module in ["crate::db", "crate::db::pool"] {
            let db = at("/p/src/db.rs", module);
            assert_eq!(db.get(Family::Guards), Level::Deny, "{module}");
            assert_eq!(db.get(Family::Blocking), Level::Deny, "{module}");
        }
        assert_eq!(
            at("/elsewhere/src/a.rs", "crate::database").get(Family::Blocking),
            Level::Warn
        );
        let tests = config(r#"{"modules": {"crate::**::tests": "allow"}}"#).unwrap();
        for (module, level) in [
            ("crate::tests", Level::Allow),
            ("crate::a::b::tests", Level::Allow),
            ("crate::a::tests_more", Level::Warn),
        ] {
            let levels = tests.levels(Path::new("/p/src/lib.rs"), module).0;
            assert_eq!(levels.get(Family::Guards), level, "{module}");
        }
    }

    #[test]
    fn default_is_warn() {
        let c = config("{}").unwrap();
        assert_eq!(
            c.levels(Path::new("/p/src/lib.rs"), "crate"),
            (Levels::all(Level::Warn), [None; 4])
        );
    }

    #[test]
    fn bad_input_lists_what_is_valid() {
        for (json, expected) in [
            (
                r#"{"levels": "deny"}"#,
                "unknown key `levels`; the valid keys are `level`",
            ),
            (
                r#"{"level": {"blocks": "deny"}}"#,
                "unknown rule family `blocks`; the valid ones are `blocking` (R1)",
            ),
            (
                r#"{"level": "denied"}"#,
                "is not a level; use \"deny\", \"warn\" or \"allow\"",
            ),
            (r#"{"modules": {"src/[": "deny"}}"#, "`src/[` is not a glob"),
            (r#"{"modules": ["src"]}"#, "must be a table of globs"),
            (r#""deny""#, "must be a table"),
        ] {
            let error = config(json).unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
            assert!(
                error.starts_with("/p/Cargo.toml: [package.metadata.warden]"),
                "{error}"
            );
        }
    }
}
