//! Calls whose path the user's types decide, checked by the type system on the user's tokens:
//! the return type must carry a `warden::Failure`, a `per` key must be hashable. The runtime
//! side (`__private::Returns`, `Key` and their trait pairs) explains the mechanism; here each
//! call is spanned on the user's token, so the one error rustc prints points there.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::Ident;

/// What to do with the fn's future, given what its output is.
pub(crate) enum OnOutput {
    /// Run it once as the scope `config` (a `static`).
    SuperviseWith { config: Ident },
    /// Run the futures it makes (the subject is the attempt maker) by `config`'s restart policy.
    Supervise { config: Ident },
    /// Run it under `limiter` (a `BoundAt` or, with a key, a `KeyedBound`), failing as `mode`
    /// says; made once the permit is held when `deferrable` (as `wrap::Inner` says).
    RunOrFail {
        limiter: TokenStream,
        mode: TokenStream,
        key: Option<Ident>,
        deferrable: bool,
    },
}

/// `subject` handed to the call `on` picks for its output type, spanned on `span` (the return
/// type): `{ use ..; let body = subject; Returns::of(&body).method(.., body) }`. A bound takes a
/// maker of the body: `move || subject` when it may be deferred, else `move || body`.
pub(crate) fn on_output(
    krate: &TokenStream,
    span: Span,
    on: OnOutput,
    subject: &impl ToTokens,
) -> TokenStream {
    // On the return type too: rustc may point at the argument the failed bound is about.
    let body = Ident::new("__warden_body", span.resolved_at(Span::mixed_site()));
    let mut traits = quote!(Carries as _, CannotCarry as _);
    let mut subject = subject.to_token_stream();
    let mut argument = quote!(#body);
    let (of, method, args) = match on {
        OnOutput::SuperviseWith { config } => ("of", "supervise_with", quote!(&#config,)),
        OnOutput::Supervise { config } => {
            traits = quote!(Restarts as _, CannotCarry as _);
            ("of_attempts", "supervise", quote!(&#config,))
        }
        OnOutput::RunOrFail {
            limiter,
            mode,
            key,
            deferrable,
        } => {
            let of = if deferrable {
                subject = quote!(move || #subject);
                "of_made"
            } else {
                argument = quote!(move || #body);
                "of"
            };
            match key {
                None => (of, "run_or_fail", quote!(#limiter, #mode,)),
                Some(key) => (of, "run_keyed_or_fail", quote!(#limiter, #mode, #key,)),
            }
        }
    };
    let (of, method) = (Ident::new(of, span), Ident::new(method, span));
    // The whole call on the return type: rustc may report the call's span, not the method's.
    let returns = respan(quote!(#krate::__private::Returns), span);
    let call = quote_spanned!(span=> #returns::#of(&#body).#method(#args #argument));
    quote! {
        {
            #[allow(unused_imports)]
            use #krate::__private::{#traits};
            let #body = #subject;
            #call
        }
    }
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// The value of the `per` argument `per` as the limiter keeps it, if its type can be a key: a
/// clone, or the owned form of a `borrowed` argument (`&str` → `String`, `&[u8]` → `Vec<u8>`),
/// so no borrow of the caller escapes. Spanned on the option's `per` name.
pub(crate) fn checked_key(krate: &TokenStream, per: &Ident, borrowed: bool) -> TokenStream {
    let method = Ident::new("key_of", per.span());
    let (kind, arg) = if borrowed {
        (quote!(BorrowedKey), quote!(#per))
    } else {
        (quote!(Key), quote_spanned!(per.span()=> &#per))
    };
    quote! {
        {
            #[allow(unused_imports)]
            use #krate::__private::{Keeps as _, CannotKeep as _};
            #krate::__private::#kind::of(#arg).#method(#arg)
        }
    }
}
