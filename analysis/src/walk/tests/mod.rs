//! Engine tests on source strings: in-memory crates of one or more files, each fn checked the
//! way the macros check an annotated fn (in its module, with the crate around it), or with the
//! item alone (an editor without the file).

mod crate_fns;
mod resolution;
mod table;
mod types;

use std::rc::Rc;

use crate::model::CrateModel;
use crate::{Checks, CustomBlocking, Scope, analyze, analyze_crate_fn};

fn checks(custom: &CustomBlocking) -> Checks<'_> {
    Checks {
        blocking: true,
        guards: true,
        spawns: false,
        queues: false,
        custom,
    }
}

/// The messages of the findings in the fn `name` of the crate `files` (first file the root).
pub(super) fn findings_in(files: &[(&str, &str)], name: &str) -> Vec<String> {
    findings_with(files, name, &[])
}

/// The same, with a `blocking(..)` list.
pub(super) fn findings_with(files: &[(&str, &str)], name: &str, blocking: &[&str]) -> Vec<String> {
    let model = Rc::new(CrateModel::in_memory(files).expect("sources parse"));
    let paths: Vec<syn::Path> = blocking
        .iter()
        .map(|p| syn::parse_str(p).unwrap())
        .collect();
    let custom = CustomBlocking::new(&paths);
    let id = model
        .all_modules()
        .into_iter()
        .flat_map(|m| model.fns(m))
        .find(|id| {
            model
                .fn_item(*id)
                .is_some_and(|f| f.parts().1.ident == name)
        })
        .unwrap_or_else(|| panic!("no fn `{name}`"));
    analyze_crate_fn(&model, id, checks(&custom))
        .unwrap()
        .findings
        .into_iter()
        .map(|f| f.message)
        .collect()
}

/// The messages of the findings in the async fn `src`, with nothing around it.
pub(super) fn item_only(src: &str) -> Vec<String> {
    let f: syn::ItemFn = syn::parse_str(src).expect("a fn");
    let custom = CustomBlocking::default();
    let scope = Scope::item_only().with_params(&f.sig);
    analyze(&f.block, f.sig.asyncness.is_some(), &scope, checks(&custom))
        .findings
        .into_iter()
        .map(|f| f.message)
        .collect()
}

/// The headline (first line) of each message.
pub(super) fn headlines(messages: &[String]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| m.lines().next().unwrap_or_default())
        .collect()
}

/// A one-file crate.
pub(super) fn lib(src: &str) -> [(&str, &str); 1] {
    [("src/lib.rs", src)]
}
