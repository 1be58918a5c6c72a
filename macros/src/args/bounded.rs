//! Options of `#[bounded(n, ..)]`.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, LitStr, Token};

use super::duration::DurationLit;
use super::{Options, parse_crate_path, set_once, unknown};

const VALID: &str = "`reject`, `wait = \"50ms\"`, `per = <argument>`, `crate = \"..\"`";

/// The limit: a literal checked by `valid`, or a const the compiler checks.
#[derive(Clone)]
pub(crate) enum Limit {
    Literal(usize, Span),
    Const(syn::Path),
}

/// What a call does when the limit is reached.
#[derive(Clone)]
pub(crate) enum Mode {
    /// Waits for a slot, first come first served.
    Wait,
    /// Fails at once with `Failure::Overloaded`.
    Reject(Span),
    /// Waits up to a deadline, then fails with `Failure::Overloaded`.
    WaitFor(DurationLit),
}

/// Parsed `#[bounded(..)]` options.
#[derive(Clone)]
pub(crate) struct BoundedArgs {
    pub(crate) limit: Limit,
    pub(crate) mode: Mode,
    /// `per = key`: the argument whose value gets its own limit.
    pub(crate) per: Option<Ident>,
    pub(crate) krate: Option<syn::Path>,
}

impl Default for BoundedArgs {
    /// The fallback when the options are wrong: expansion goes on with a limit of one.
    fn default() -> Self {
        BoundedArgs {
            limit: Limit::Literal(1, Span::call_site()),
            mode: Mode::Wait,
            per: None,
            krate: None,
        }
    }
}

impl BoundedArgs {
    /// `#[bounded(<limit>, <options>..)]`: the limit first, then the `Options`.
    pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let (limit, rest) = (|input: ParseStream| {
            if input.is_empty() {
                return Err(syn::Error::new(
                    Span::call_site(),
                    "`#[bounded]` needs a limit: how many calls may run at once, like `#[bounded(8)]`",
                ));
            }
            let limit = parse_limit(&input.parse::<Expr>()?)?;
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
            Ok((limit, input.parse::<TokenStream>()?))
        })
        .parse2(tokens)?;
        let mut args = BoundedArgs {
            limit,
            ..BoundedArgs::default()
        };
        args.parse_into(rest)?;
        Ok(args)
    }

    /// True when a full limit makes the call fail, which needs a `Result` return type.
    pub(crate) fn can_fail(&self) -> Option<Span> {
        match &self.mode {
            Mode::Wait => None,
            Mode::Reject(span) => Some(*span),
            Mode::WaitFor(d) => Some(d.lit.span()),
        }
    }
}

impl Options for BoundedArgs {
    fn option(&mut self, key: &str, meta: &ParseNestedMeta) -> syn::Result<()> {
        match key {
            "reject" | "wait" => {
                if self.can_fail().is_some() {
                    return Err(meta.error("give one of `reject` or `wait = \"..\"`"));
                }
                self.mode = if key == "reject" {
                    Mode::Reject(meta.path.span())
                } else {
                    let lit: LitStr = meta.value()?.parse()?;
                    Mode::WaitFor(DurationLit::parse(&lit)?)
                };
            }
            "per" => {
                let key: Ident = meta.value()?.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`per` names one argument of the fn, like `per = client_id`",
                    )
                })?;
                set_once(&mut self.per, key, meta)?;
            }
            "crate" => set_once(&mut self.krate, parse_crate_path(meta)?, meta)?,
            _ => return Err(unknown(meta, "bounded", VALID)),
        }
        Ok(())
    }
}

fn parse_limit(expr: &Expr) -> syn::Result<Limit> {
    const EXPECTED: &str = "the limit is how many calls may run at once: a whole number of at least 1 (like `8`) or the path of a `usize` const";
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Int(int) => {
                let n: usize = int
                    .base10_parse()
                    .map_err(|_| syn::Error::new(int.span(), EXPECTED))?;
                Ok(Limit::Literal(n, int.span()))
            }
            other => Err(syn::Error::new(other.span(), EXPECTED)),
        },
        Expr::Path(p) if p.qself.is_none() => Ok(Limit::Const(p.path.clone())),
        other => Err(syn::Error::new_spanned(other, EXPECTED)),
    }
}
