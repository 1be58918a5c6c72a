//! Which crates to check: `cargo metadata` names the packages, their targets' root files and
//! their `metadata` tables, so workspaces, renamed targets and inheritance work as cargo sees them.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// The packages selected on the command line.
pub struct Workspace {
    /// The workspace root, which paths in output are relative to.
    pub root: PathBuf,
    /// The selected packages.
    pub packages: Vec<Package>,
    /// `[workspace.metadata]`.
    pub metadata: serde_json::Value,
}

/// One package.
#[derive(Deserialize)]
pub struct Package {
    /// Its name.
    pub name: String,
    /// Its Cargo.toml.
    pub manifest_path: PathBuf,
    /// Its targets.
    pub targets: Vec<Target>,
    /// `[package.metadata]`.
    #[serde(default)]
    pub metadata: serde_json::Value,
    #[serde(default)]
    id: String,
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

/// A declared dependency: what a path in the code may start with.
#[derive(Deserialize)]
struct Dependency {
    name: String,
    #[serde(default)]
    rename: Option<String>,
}

impl Package {
    /// The dependencies' names as code writes them (`serde_json`, or the rename).
    pub fn dependency_names(&self) -> Vec<String> {
        self.dependencies
            .iter()
            .map(|d| d.rename.as_ref().unwrap_or(&d.name).replace('-', "_"))
            .collect()
    }
}

/// One target: a crate with a root file.
#[derive(Deserialize)]
pub struct Target {
    /// Its name.
    pub name: String,
    /// `lib`, `bin`, `example`, `test`, `bench`, `proc-macro`, ...
    pub kind: Vec<String>,
    /// The root file (`src/lib.rs`).
    pub src_path: PathBuf,
}

impl Target {
    /// Whether it is checked without `--all-targets`: libraries and binaries.
    pub fn is_main(&self) -> bool {
        self.kind
            .iter()
            .any(|k| k == "bin" || k == "proc-macro" || k.ends_with("lib"))
    }
}

#[derive(Deserialize)]
#[allow(
    clippy::struct_field_names,
    reason = "the names of `cargo metadata`'s output"
)]
struct Metadata {
    packages: Vec<Package>,
    workspace_members: Vec<String>,
    #[serde(default)]
    workspace_default_members: Option<Vec<String>>,
    workspace_root: PathBuf,
    #[serde(default)]
    metadata: serde_json::Value,
}

/// What to check.
pub struct Selection<'a> {
    /// `--manifest-path`, or the current directory's crate.
    pub manifest_path: Option<&'a Path>,
    /// `--package`.
    pub packages: &'a [String],
    /// `--workspace`.
    pub workspace: bool,
}

impl Workspace {
    /// Asks cargo about the workspace around the selection and keeps the selected packages.
    pub fn load(selection: &Selection<'_>) -> Result<Workspace, String> {
        let manifest = find_manifest(selection.manifest_path)?;
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--offline",
            ])
            .arg("--manifest-path")
            .arg(&manifest)
            .output()
            .map_err(|e| format!("cannot run `cargo metadata`: {e}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "`{}` is not a crate cargo can read:\n{}",
                manifest.display(),
                stderr.trim_end()
            ));
        }
        let metadata: Metadata = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("cannot read the output of `cargo metadata`: {e}"))?;
        let chosen = choose(&metadata, &manifest, selection)?;
        let Metadata {
            packages,
            workspace_root,
            metadata,
            ..
        } = metadata;
        Ok(Workspace {
            root: workspace_root,
            packages: packages
                .into_iter()
                .filter(|p| chosen.contains(&p.id))
                .collect(),
            metadata,
        })
    }
}

/// The ids of the packages to check, as cargo would choose them.
fn choose(
    metadata: &Metadata,
    manifest: &Path,
    selection: &Selection<'_>,
) -> Result<Vec<String>, String> {
    let members = || {
        metadata
            .packages
            .iter()
            .filter(|p| metadata.workspace_members.contains(&p.id))
    };
    if selection.workspace {
        return Ok(members().map(|p| p.id.clone()).collect());
    }
    if !selection.packages.is_empty() {
        return selection
            .packages
            .iter()
            .map(|name| {
                members()
                    .find(|p| &p.name == name)
                    .map(|p| p.id.clone())
                    .ok_or_else(|| {
                        let names: Vec<&str> = members().map(|p| p.name.as_str()).collect();
                        format!(
                            "no package `{name}` in this workspace; its packages are `{}`",
                            names.join("`, `")
                        )
                    })
            })
            .collect();
    }
    let manifest = manifest.canonicalize().unwrap_or_else(|_| manifest.into());
    if let Some(current) = members()
        .find(|p| p.manifest_path.canonicalize().ok().as_deref() == Some(manifest.as_path()))
    {
        return Ok(vec![current.id.clone()]);
    }
    Ok(metadata
        .workspace_default_members
        .clone()
        .unwrap_or_else(|| metadata.workspace_members.clone()))
}

/// `--manifest-path` (a Cargo.toml or a directory holding one), or the nearest Cargo.toml above
/// the current directory.
fn find_manifest(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = given {
        let manifest = if path.is_dir() {
            path.join("Cargo.toml")
        } else {
            path.to_path_buf()
        };
        if !manifest.is_file() {
            return Err(format!(
                "`{}` is not a crate: there is no Cargo.toml at `{}`",
                path.display(),
                manifest.display()
            ));
        }
        return Ok(manifest);
    }
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    cwd.ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|m| m.is_file())
        .ok_or_else(|| {
            format!(
                "`{}` is not in a crate: no Cargo.toml in it or any parent directory; \
                 run `cargo warden` inside a crate or pass `--manifest-path`",
                cwd.display()
            )
        })
}
