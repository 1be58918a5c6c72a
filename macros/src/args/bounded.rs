//! Options of `#[bounded(n, ..)]`.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Lit, LitStr, Token};

use super::duration::DurationLit;
use super::{parse_crate_path, set_once, unknown};

const VALID: &str = "`reject`, `wait = \"50ms\"`, `per = <argument>`, `crate = \"..\"`";

/// The limit: a literal checked here, or a const the compiler checks.
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
    /// Parses the options; on error returns the defaults with it.
    pub(crate) fn parse(tokens: TokenStream) -> (Self, Option<syn::Error>) {
        match parse_args.parse2(tokens) {
            Ok(args) => (args, None),
            Err(error) => (BoundedArgs::default(), Some(error)),
        }
    }

    /// True when a full limit makes the call fail, which needs a `Result` return type.
    pub(crate) fn can_fail(&self) -> Option<Span> {
        match &self.mode {
            Mode::Wait => None,
            Mode::Reject(span) => Some(*span),
            Mode::WaitFor(d) => Some(d.lit.span()),
        }
    }

    fn option(
        &mut self,
        meta: &ParseNestedMeta,
        mode: &mut Option<()>,
        mut per: Option<Ident>,
    ) -> syn::Result<Option<Ident>> {
        let key = super::key(meta);
        match key.as_str() {
            "reject" => {
                set_once(mode, (), meta)
                    .map_err(|_| meta.error("give one of `reject` or `wait = \"..\"`"))?;
                self.mode = Mode::Reject(syn::spanned::Spanned::span(&meta.path));
            }
            "wait" => {
                set_once(mode, (), meta)
                    .map_err(|_| meta.error("give one of `reject` or `wait = \"..\"`"))?;
                let lit: LitStr = meta.value()?.parse()?;
                self.mode = Mode::WaitFor(DurationLit::parse(&lit)?);
            }
            "per" => {
                let key: Ident = meta.value()?.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`per` names one argument of the fn, like `per = client_id`",
                    )
                })?;
                set_once(&mut per, key, meta)?;
            }
            "crate" => set_once(&mut self.krate, parse_crate_path(meta)?, meta)?,
            _ => return Err(unknown(meta, "bounded", VALID)),
        }
        Ok(per)
    }
}

fn parse_args(input: ParseStream) -> syn::Result<BoundedArgs> {
    if input.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "`#[bounded]` needs a limit: how many calls may run at once, like `#[bounded(8)]`",
        ));
    }
    let limit = parse_limit(&input.parse::<Expr>()?)?;
    let mut args = BoundedArgs {
        limit,
        ..BoundedArgs::default()
    };
    if input.is_empty() {
        return Ok(args);
    }
    input.parse::<Token![,]>()?;
    let rest: TokenStream = input.parse()?;
    let mut mode = None;
    let mut per = None;
    syn::meta::parser(|meta| {
        per = args.option(&meta, &mut mode, per.take())?;
        Ok(())
    })
    .parse2(rest)?;
    args.per = per;
    Ok(args)
}

fn parse_limit(expr: &Expr) -> syn::Result<Limit> {
    const EXPECTED: &str = "the limit is how many calls may run at once: a whole number of at least 1 (like `8`) or the path of a `usize` const";
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Int(int) => {
                let n: usize = int
                    .base10_parse()
                    .map_err(|_| syn::Error::new(int.span(), EXPECTED))?;
                if n == 0 {
                    return Err(syn::Error::new(
                        int.span(),
                        "`bounded(0)` would never let a call run: the limit must be at least 1",
                    ));
                }
                Ok(Limit::Literal(n, int.span()))
            }
            other => Err(syn::Error::new(other.span(), EXPECTED)),
        },
        Expr::Path(p) if p.qself.is_none() => Ok(Limit::Const(p.path.clone())),
        other => Err(syn::Error::new_spanned(other, EXPECTED)),
    }
}
