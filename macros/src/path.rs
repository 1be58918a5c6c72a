//! A path as the user wrote it, as text: for messages and for recognising a few known paths.

/// `a::b::C`, without generic arguments and without a leading `::`.
pub(crate) fn text(path: &syn::Path) -> String {
    let mut text = String::new();
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            text.push_str("::");
        }
        text.push_str(&segment.ident.to_string());
    }
    text
}

/// Whether `path` is `tail` or ends with `::tail` (`Box::pin` matches `std::boxed::Box::pin`).
pub(crate) fn ends_with(path: &syn::Path, tail: &str) -> bool {
    let text = text(path);
    text == tail || text.ends_with(&format!("::{tail}"))
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    #[test]
    fn text_and_tails() {
        let path: syn::Path = parse_quote!(::std::boxed::Box::<u8>::pin);
        assert_eq!(super::text(&path), "std::boxed::Box::pin");
        assert!(super::ends_with(&path, "Box::pin"));
        assert!(!super::ends_with(&parse_quote!(MyBox::pin), "Box::pin"));
        assert!(super::ends_with(&parse_quote!(Box::pin), "Box::pin"));
    }
}
