//! Where the file of `mod name;` is: Rust's module-file rules, `#[path]` included.
//!
//! A "mod-rs" file (a crate root, a `mod.rs`, or a file loaded through `#[path]`) keeps its child
//! modules in its own directory; any other file `foo.rs` keeps them in `foo/`. Inline modules add
//! their name (or their `#[path]`) as a directory level.

use std::path::{Path, PathBuf};

use syn::{Attribute, Expr, Lit, Meta};

/// The directory where the `mod x;` declarations of a file's top level find their files.
pub(crate) fn child_dir(file: &Path, mod_rs: bool) -> PathBuf {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    if mod_rs {
        dir
    } else {
        let stem = file.file_stem().unwrap_or_default();
        dir.join(stem)
    }
}

/// Whether a file found by the default rules is "mod-rs".
pub(crate) fn is_mod_rs(file: &Path) -> bool {
    file.file_name().is_some_and(|n| n == "mod.rs")
}

/// The value of `#[path = ".."]` among `attrs`.
pub(crate) fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    })
}

/// The candidate files of `mod name;` declared with `attrs`, in a module whose children live in
/// `dir`; `file_dir` is the directory of the declaring file (where a top-level `#[path]` is
/// relative to). Returns each candidate with whether it is mod-rs.
pub(crate) fn module_files(
    dir: &Path,
    file_dir: &Path,
    inline_depth: usize,
    name: &str,
    attrs: &[Attribute],
) -> Vec<(PathBuf, bool)> {
    if let Some(path) = path_attr(attrs) {
        let base = if inline_depth == 0 { file_dir } else { dir };
        return vec![(base.join(path), true)];
    }
    vec![
        (dir.join(format!("{name}.rs")), false),
        (dir.join(name).join("mod.rs"), true),
    ]
}

/// The directory of an inline `mod name { .. }`'s children, inside a module whose children live
/// in `dir`.
pub(crate) fn inline_dir(dir: &Path, name: &str, attrs: &[Attribute]) -> PathBuf {
    match path_attr(attrs) {
        Some(path) => dir.join(path),
        None => dir.join(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_of_a_non_mod_rs_file_live_in_its_stem_directory() {
        assert_eq!(
            child_dir(Path::new("src/config.rs"), false),
            PathBuf::from("src/config")
        );
        assert_eq!(
            child_dir(Path::new("src/lib.rs"), true),
            PathBuf::from("src")
        );
    }

    #[test]
    fn path_attributes_win() {
        let item: syn::ItemMod = syn::parse_quote!(
            #[path = "other/x.rs"]
            mod y;
        );
        let files = module_files(Path::new("src/a"), Path::new("src"), 0, "y", &item.attrs);
        assert_eq!(files, vec![(PathBuf::from("src/other/x.rs"), true)]);
        let files = module_files(Path::new("src/a"), Path::new("src"), 0, "y", &[]);
        assert_eq!(files[0].0, PathBuf::from("src/a/y.rs"));
        assert_eq!(files[1].0, PathBuf::from("src/a/y/mod.rs"));
    }
}
