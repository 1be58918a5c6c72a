//! Which warden attributes cover a fn, read the way the macros apply them: an attribute on the
//! fn, or on an `impl` block, trait or inline `mod` around it, the innermost one winning; an
//! `#[allow_blocking]` marker on the fn opts it out of `#[no_blocking]`.

use syn::Attribute;

/// The `#[no_blocking]` options the checks depend on.
#[derive(Clone, Default, Debug)]
pub struct NoBlocking {
    /// `warn`: findings are warnings.
    pub warn: bool,
    /// `blocking(path, ..)`: the user's own blocking APIs.
    pub blocking: Vec<syn::Path>,
}

/// The attributes that apply to one fn.
#[derive(Clone, Default, Debug)]
pub struct Coverage {
    /// `#[no_blocking]`, with its options.
    pub no_blocking: Option<NoBlocking>,
    /// `#[supervised]`.
    pub supervised: bool,
    /// `#[bounded]`.
    pub bounded: bool,
    /// `#[allow_blocking]` on the fn itself.
    pub allow_blocking: bool,
}

impl Coverage {
    /// Reads the attributes of the containers (outermost first) and of the fn.
    pub fn of(containers: &[&[Attribute]], own: &[Attribute]) -> Coverage {
        let layers = || containers.iter().copied().chain(std::iter::once(own));
        let innermost = |name: &str| layers().rev().find_map(|attrs| find(attrs, name));
        Coverage {
            no_blocking: innermost("no_blocking").map(no_blocking_options),
            supervised: innermost("supervised").is_some(),
            bounded: innermost("bounded").is_some(),
            allow_blocking: warden_analysis::markers::is_allowed(own),
        }
    }
}

/// `attribute` itself among `attrs`: `#[name]`, `#[name(..)]` or `#[warden::name(..)]`, as the
/// macros recognise it.
fn find<'a>(attrs: &'a [Attribute], attribute: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|attr| {
        let path = attr.path();
        path.segments.last().is_some_and(|s| s.ident == attribute)
            && (path.segments.len() == 1
                || path.segments.first().is_some_and(|s| s.ident == "warden"))
    })
}

/// `warn` and `blocking(..)`; options the macro would reject leave the defaults, as the macro
/// expands with defaults when its options are wrong.
fn no_blocking_options(attr: &Attribute) -> NoBlocking {
    let mut options = NoBlocking::default();
    if !matches!(attr.meta, syn::Meta::List(_)) {
        return options;
    }
    let parsed = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("warn") {
            options.warn = true;
        } else if meta.path.is_ident("blocking") {
            meta.parse_nested_meta(|inner| {
                options.blocking.push(inner.path);
                Ok(())
            })?;
        } else if meta.input.peek(syn::Token![=]) {
            let _: syn::Expr = meta.value()?.parse()?;
        }
        Ok(())
    });
    if parsed.is_err() {
        return NoBlocking::default();
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(src: &str) -> Vec<Attribute> {
        let item: syn::ItemFn = syn::parse_str(&format!("{src} fn f() {{}}")).unwrap();
        item.attrs
    }

    #[test]
    fn innermost_attribute_and_its_options_win() {
        let module = attrs("#[warden::no_blocking(warn)] #[supervised]");
        let own = attrs("#[no_blocking(blocking(db::query, Client::get), max_poll = \"5ms\")]");
        let c = Coverage::of(&[&module], &own);
        let nb = c.no_blocking.unwrap();
        assert!(!nb.warn);
        assert_eq!(nb.blocking.len(), 2);
        assert!(c.supervised && !c.bounded && !c.allow_blocking);

        let c = Coverage::of(
            &[&module],
            &attrs("#[warden::allow_blocking] #[bounded(4)]"),
        );
        assert!(c.no_blocking.unwrap().warn);
        assert!(c.allow_blocking && c.bounded);
    }

    #[test]
    fn other_crates_attributes_do_not_count() {
        let c = Coverage::of(&[], &attrs("#[tracing::instrument] #[other::no_blocking]"));
        assert!(c.no_blocking.is_none());
    }
}
