//! The few facts of `Cargo.toml` the context needs: where the target being compiled has its root,
//! and the names of the dependencies (a path may start with them). A line scan, not a TOML
//! parser: a manifest it misreads only costs the crate context (the item alone is used then).

use std::path::{Path, PathBuf};

/// One `[lib]`, `[[bin]]`, `[[test]]`, `[[example]]` or `[[bench]]` section.
#[derive(Default, Debug)]
struct Target {
    name: Option<String>,
    path: Option<String>,
}

/// What the manifest of the package being compiled says.
#[derive(Default, Debug)]
pub(crate) struct Manifest {
    /// The package directory (`CARGO_MANIFEST_DIR`).
    pub(crate) dir: PathBuf,
    /// Dependency names as code writes them (`serde_json`).
    pub(crate) dependencies: Vec<String>,
    package: Option<String>,
    targets: Vec<Target>,
}

impl Manifest {
    /// The manifest of the package Cargo is compiling, if Cargo says which.
    pub(crate) fn from_env() -> Option<Manifest> {
        let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
        let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        Some(Manifest::parse(dir, &text))
    }

    fn parse(dir: PathBuf, text: &str) -> Manifest {
        let mut manifest = Manifest {
            dir,
            ..Manifest::default()
        };
        let mut section = String::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if let Some(header) = line.strip_prefix('[') {
                section.clear();
                section.push_str(header.trim_matches(|c| c == '[' || c == ']').trim());
                if matches!(
                    section.as_str(),
                    "lib" | "bin" | "test" | "example" | "bench"
                ) {
                    manifest.targets.push(Target::default());
                }
                if let Some(dep) = section
                    .rsplit_once('.')
                    .filter(|(head, _)| head.ends_with("dependencies"))
                {
                    manifest.dependencies.push(crate_name(dep.1));
                }
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let value = value.trim().trim_matches('"').to_owned();
            match section.as_str() {
                "package" if key == "name" => manifest.package = Some(value),
                "lib" | "bin" | "test" | "example" | "bench" => {
                    if let Some(target) = manifest.targets.last_mut() {
                        match key {
                            "name" => target.name = Some(value),
                            "path" => target.path = Some(value),
                            _ => {}
                        }
                    }
                }
                s if s.ends_with("dependencies") => {
                    let name = key.split('.').next().unwrap_or(key).trim_matches('"');
                    manifest.dependencies.push(crate_name(name));
                }
                _ => {}
            }
        }
        if let Some(package) = &manifest.package {
            manifest.dependencies.push(crate_name(package));
        }
        manifest
    }

    /// The root files the crate being compiled may have, most likely first; only existing ones.
    pub(crate) fn roots(&self) -> Vec<PathBuf> {
        let bin = std::env::var("CARGO_BIN_NAME").ok();
        let krate = std::env::var("CARGO_CRATE_NAME").ok();
        let name = bin.clone().or_else(|| krate.clone()).unwrap_or_default();
        let mut roots: Vec<PathBuf> = self
            .targets
            .iter()
            .filter(|t| {
                t.name
                    .as_deref()
                    .is_some_and(|n| crate_name(n) == crate_name(&name))
            })
            .filter_map(|t| t.path.as_deref().map(|p| self.dir.join(p)))
            .collect();
        let relative: Vec<String> = if bin.is_some() {
            vec![
                format!("src/bin/{name}.rs"),
                format!("src/bin/{name}/main.rs"),
                "src/main.rs".to_owned(),
            ]
        } else {
            vec![
                "src/lib.rs".to_owned(),
                format!("tests/{name}.rs"),
                format!("tests/{name}/main.rs"),
                format!("examples/{name}.rs"),
                format!("examples/{name}/main.rs"),
                format!("benches/{name}.rs"),
                format!("benches/{name}/main.rs"),
                "src/main.rs".to_owned(),
            ]
        };
        roots.extend(relative.iter().map(|r| self.dir.join(r)));
        roots.retain(|r| Path::new(r).is_file());
        roots.dedup();
        roots
    }
}

/// A package or target name as code writes it.
fn crate_name(name: &str) -> String {
    name.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_dependencies_are_read() {
        let manifest = Manifest::parse(
            PathBuf::from("/p"),
            r#"
[package]
name = "my-service"

[dependencies]
serde_json = "1"
tokio = { version = "1", features = ["full"] }
warden.workspace = true

[dependencies.tower-http]
version = "0.5"

[[bin]]
name = "server"
path = "app/server.rs"
"#,
        );
        assert_eq!(
            manifest.dependencies,
            ["serde_json", "tokio", "warden", "tower_http", "my_service"]
        );
        assert_eq!(manifest.targets[0].path.as_deref(), Some("app/server.rs"));
    }
}
