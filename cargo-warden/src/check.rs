//! The rules over every fn of the selected crates: which level each rule family has for a fn
//! (its attributes first, then `Cargo.toml`), the engine run with the families not at `allow`,
//! and the findings placed, with counts per module for the report.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use warden_analysis::{Checks, CustomBlocking};

use crate::attrs::Coverage;
use crate::config::{Config, Level, Levels};
use crate::diagnostic::{Context, Diagnostic};
use crate::model::{Crate, FnSite};
use crate::rules::{self, Family};
use crate::workspace::{Package, Workspace};

/// A file the outputs show code of.
pub struct Source {
    /// Relative to the workspace root.
    pub file: String,
    /// Its text.
    pub text: String,
}

/// A file that could not be checked, with where and why.
pub struct Skipped {
    /// Relative to the workspace root.
    pub file: String,
    /// 1-based line and column, when known.
    pub line_col: Option<(usize, usize)>,
    /// Why.
    pub message: String,
}

/// One module's standing, for the report.
#[derive(Clone, Debug)]
pub struct ModuleStats {
    /// `package` or `package (bin name)` when the package has several crates.
    pub krate: String,
    /// `crate::a::b`.
    pub module: String,
    /// The file its items are in.
    pub file: String,
    /// Whether it is declared inline (`mod a { .. }`), so an attribute can go on it.
    pub inline: bool,
    /// Async fns in it.
    pub async_fns: usize,
    /// Async fns covered by `#[no_blocking]`, `#[supervised]`, `#[bounded]`.
    pub annotated: [usize; 3],
    /// Findings per family, whatever their level.
    pub findings: [usize; 4],
    /// The levels `Cargo.toml` gives it.
    pub levels: Levels,
}

/// What a run found.
#[derive(Default)]
pub struct Outcome {
    /// Every file checked.
    pub sources: Vec<Source>,
    /// Findings at `warn` or `deny`, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Files not checked.
    pub skipped: Vec<Skipped>,
    /// Every module, in crate order.
    pub modules: Vec<ModuleStats>,
}

/// How to run.
#[derive(Clone, Copy)]
pub struct Options {
    /// Examples, tests and benches too.
    pub all_targets: bool,
    /// For the report: families at `allow` are still checked (at `warn`), to count what they
    /// would find.
    pub count_allowed: bool,
}

/// Checks the selected packages of `workspace`.
pub fn run(workspace: &Workspace, options: Options) -> Result<Outcome, String> {
    let mut outcome = Outcome::default();
    let warden = |metadata: &serde_json::Value| metadata.get("warden").cloned();
    for package in &workspace.packages {
        let mut config = Config::default();
        if let Some(table) = warden(&workspace.metadata) {
            let manifest = workspace.root.join("Cargo.toml");
            config.add(&table, &manifest, "[workspace.metadata.warden]")?;
        }
        if let Some(table) = warden(&package.metadata) {
            config.add(&table, &package.manifest_path, "[package.metadata.warden]")?;
        }
        check_package(package, &config, workspace, options, &mut outcome);
    }
    outcome
        .diagnostics
        .sort_by(|a, b| (&a.file, a.place.bytes.start).cmp(&(&b.file, b.place.bytes.start)));
    Ok(outcome)
}

fn check_package(
    package: &Package,
    config: &Config,
    workspace: &Workspace,
    options: Options,
    outcome: &mut Outcome,
) {
    let targets: Vec<_> = package
        .targets
        .iter()
        .filter(|t| options.all_targets || t.is_main())
        .collect();
    let mut seen = HashSet::new();
    for target in &targets {
        let krate = if targets.len() == 1 {
            package.name.clone()
        } else {
            format!(
                "{} ({} {})",
                package.name,
                target.kind.join(","),
                target.name
            )
        };
        let model = Crate::load(
            &target.src_path,
            &mut seen,
            &workspace.root,
            package.dependency_names(),
        );
        let shown = |path: &Path| {
            path.strip_prefix(&workspace.root)
                .unwrap_or(path)
                .display()
                .to_string()
        };
        for problem in &model.problems {
            outcome.skipped.push(Skipped {
                file: shown(&problem.path),
                line_col: problem.line_col,
                message: problem.message.clone(),
            });
        }
        let files: Vec<String> = model.files.iter().map(|f| shown(&f.path)).collect();
        let mut modules = ModuleTable::default();
        for (source, file) in model.files.iter().zip(&files) {
            let (levels, _) = config.levels(&source.path, &source.module);
            modules.entry(&krate, &source.module, file, false, levels);
        }
        model.for_each_fn(|site| {
            let source = &model.files[site.file];
            let (levels, from) = config.levels(&source.path, site.module);
            let inline = site.module != source.module;
            let stats = modules.entry(&krate, site.module, &files[site.file], inline, levels);
            let cx = Context {
                package: &package.name,
                text: &source.text,
                file: &files[site.file],
                function: &site.name,
                module: site.module,
            };
            check_fn(&model, site, (levels, from), options, &cx, stats, outcome);
        });
        outcome.modules.extend(modules.rows);
        outcome.sources.extend(
            model
                .files
                .into_iter()
                .zip(files)
                .map(|(source, file)| Source {
                    file,
                    text: source.text,
                }),
        );
    }
}

/// The modules of one crate, in the order they are met.
#[derive(Default)]
struct ModuleTable {
    rows: Vec<ModuleStats>,
    index: HashMap<String, usize>,
}

impl ModuleTable {
    fn entry(
        &mut self,
        krate: &str,
        module: &str,
        file: &str,
        inline: bool,
        levels: Levels,
    ) -> &mut ModuleStats {
        let i = *self.index.entry(module.to_owned()).or_insert_with(|| {
            self.rows.push(ModuleStats {
                krate: krate.to_owned(),
                module: module.to_owned(),
                file: file.to_owned(),
                inline,
                async_fns: 0,
                annotated: [0; 3],
                findings: [0; 4],
                levels,
            });
            self.rows.len() - 1
        });
        &mut self.rows[i]
    }
}

fn check_fn(
    model: &Crate,
    site: &FnSite<'_>,
    configured: (Levels, [Option<&str>; 4]),
    options: Options,
    cx: &Context<'_>,
    stats: &mut ModuleStats,
    outcome: &mut Outcome,
) {
    let coverage = Coverage::of(&site.containers, site.attrs);
    if site.sig.asyncness.is_some() {
        stats.async_fns += 1;
        let covered = [
            coverage.no_blocking.is_some(),
            coverage.supervised,
            coverage.bounded,
        ];
        for (count, covered) in stats.annotated.iter_mut().zip(covered) {
            *count += usize::from(covered);
        }
    }
    let (mut configured, origin) = configured;
    if options.count_allowed {
        // Markers and attributes still count: they are decisions in the code.
        for family in Family::ALL {
            if configured.get(family) == Level::Allow {
                configured.set(family, Level::Warn);
            }
        }
    }
    let (levels, from) = effective(&coverage, (configured, origin));
    let on = |family| levels.get(family) != Level::Allow;
    if !Family::ALL.into_iter().any(on) {
        return;
    }
    let custom = CustomBlocking::new(
        coverage
            .no_blocking
            .as_ref()
            .map_or(&[][..], |nb| &nb.blocking),
    );
    let checks = Checks {
        blocking: on(Family::Blocking),
        guards: on(Family::Guards),
        spawns: on(Family::Spawns),
        queues: on(Family::Queues),
        custom: &custom,
    };
    let findings = model.analyze(site, checks).map(|a| a.findings);
    for finding in findings.unwrap_or_default() {
        let family = rules::info(finding.rule).family;
        stats.findings[family as usize] += 1;
        let level = levels.get(family);
        let diagnostic = Diagnostic::new(finding, level, from[family as usize].clone(), cx);
        outcome.diagnostics.push(diagnostic);
    }
}

/// Each family's level for a fn and where it comes from: the attributes that cover it, else
/// `Cargo.toml`.
fn effective(
    coverage: &Coverage,
    configured: (Levels, [Option<&str>; 4]),
) -> (Levels, [String; 4]) {
    let (mut levels, origin) = configured;
    let mut from: [String; 4] = origin.map(|o| match o {
        Some(setting) => format!("set by {setting}"),
        None => "warden's default level for code without attributes".to_owned(),
    });
    let mut set = |family: Family, level: Level, why: String| {
        levels.set(family, level);
        from[family as usize] = why;
    };
    if coverage.allow_blocking {
        set(Family::Blocking, Level::Allow, String::new());
        set(Family::Guards, Level::Allow, String::new());
    } else if let Some(nb) = &coverage.no_blocking {
        let (level, shown) = if nb.warn {
            (Level::Warn, "`#[no_blocking(warn)]`")
        } else {
            (Level::Deny, "`#[no_blocking]`")
        };
        let why = format!("{shown} covers this fn");
        set(Family::Blocking, level, why.clone());
        set(Family::Guards, level, why);
    }
    if coverage.supervised {
        let why = "`#[supervised]` covers this fn".to_owned();
        set(Family::Spawns, Level::Deny, why.clone());
        set(Family::Queues, Level::Deny, why);
    } else if coverage.bounded {
        set(
            Family::Queues,
            Level::Deny,
            "`#[bounded]` covers this fn".to_owned(),
        );
    }
    (levels, from)
}
