//! What warden asks of the user's types, asked of the type system: the calls generated code
//! makes where the fn's return type or its `per` key decides.
//!
//! A `#[supervised]` fn (and a `#[bounded]` one that can reject) must return something a
//! [`Failure`] converts into: `Result<T, E>` with `E: From<Failure>`, under any name
//! (`AppResult<T>`, `anyhow::Result<T>`). The macro cannot see through an alias, so it asks the
//! compiler, and the answer must come as one error on the user's return type in warden's words,
//! not as E0277s about `From` inside the runtime. Each call therefore goes through a pair of
//! traits (autoref specialization): the one for `Returns<Result<T, E>>` (taken by value) applies
//! when `E` converts, and then does the work; otherwise method resolution borrows the receiver
//! and falls back to the one for `&Returns<R>`, whose method requires [`FailureOutput`] (or [`RestartOutput`], [`PerKey`]),
//! traits nothing a user writes implements, whose `#[diagnostic::on_unimplemented]` message
//! names the fix. A fallback can only compile for an uninhabited type, so its never-ending future
//! never runs.
//!
//! Generated code calls `Returns::of(&future).supervise_with(.., future)` with both traits in
//! scope (`use .. as _`), the method name spanned on the return type. The receiver is taken by
//! value, so the returned future borrows nothing.

use std::fmt::Display;
use std::future::{Future, Pending, pending};
use std::hash::Hash;
use std::marker::PhantomData;

use crate::attempt::{Convert, Driver, Supervised};
use crate::bound::{Bound, BoundAt, BoundMode, KeyedBound};
use crate::config::ScopeConfig;
use crate::failure::Failure;

/// The output type `R` of a fn's future, known to the type system before any call is chosen.
pub struct Returns<R>(PhantomData<fn() -> R>);

impl<R> Returns<R> {
    /// The output of `future`.
    pub fn of<F: Future<Output = R>>(_future: &F) -> Self {
        Returns(PhantomData)
    }

    /// The output of the futures `make` builds, one per attempt.
    pub fn of_attempts<M: FnMut() -> F, F: Future<Output = R>>(_make: &M) -> Self {
        Returns(PhantomData)
    }

    /// The output of the future `make` builds once (a bound's body, made with the permit held).
    pub fn of_made<M: FnOnce() -> F, F: Future<Output = R>>(_make: &M) -> Self {
        Returns(PhantomData)
    }
}

/// What a `#[supervised]` fn, or a `#[bounded]` one that can reject, must return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot carry a `warden::Failure`",
    label = "a failed child, a panic, a timeout or a full limit must reach the caller through this type",
    note = "return `Result<T, E>` where `E: From<warden::Failure>`: `warden::Failure`, \
            `warden::BoxError`, `anyhow::Error`, or your error type with \
            `impl From<warden::Failure> for MyError`"
)]
pub trait FailureOutput {}

/// What a restarting `#[supervised]` fn must return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot carry a `warden::Failure` and be logged",
    label = "a restarting scope returns its failures through this type and logs each one",
    note = "return `Result<T, E>` where `E: From<warden::Failure> + Display`: `warden::Failure`, \
            `warden::BoxError`, `anyhow::Error`, or your error type with \
            `impl From<warden::Failure>` and `impl Display`"
)]
pub trait RestartOutput {}

/// What a `per` key must be.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `per` key",
    label = "the limiter keeps and compares the value of this argument",
    note = "a `per` key must be `Hash + Eq + Clone + Send + Sync + 'static`: a `String`, an \
            integer, an id type deriving those, or a tuple of them"
)]
pub trait PerKey {}

/// The only type the fallbacks accept: uninhabited, so a fallback that compiles never runs.
pub enum Unreachable {}

#[diagnostic::do_not_recommend]
impl FailureOutput for Unreachable {}
#[diagnostic::do_not_recommend]
impl RestartOutput for Unreachable {}
#[diagnostic::do_not_recommend]
impl PerKey for Unreachable {}

/// The calls for a fn whose output, `Result<T, E>`, carries a [`Failure`]: implemented only
/// when `E: From<Failure>`, which is what method resolution checks.
pub trait Carries: Sized {
    /// The `T` of the output.
    type Ok;
    /// The `E` of the output.
    type Err: From<Failure>;

    /// [`supervise_with`](crate::supervise_with), converting the scope's failure with `E::from`.
    fn supervise_with<Fut>(
        self,
        cfg: &'static ScopeConfig,
        body: Fut,
    ) -> impl Future<Output = Result<Self::Ok, Self::Err>>
    where
        Fut: Future<Output = Result<Self::Ok, Self::Err>>,
    {
        // Built here, not by a call to `supervise_with`: each generic fn on the way is compiled
        // again for every supervised fn.
        Supervised {
            driver: Driver::once(cfg),
            body: Some(body),
            finish: Some(Convert(Self::Err::from)),
        }
    }

    /// [`BoundAt::run_or_fail_with`]: the body made by `make` once the permit is held.
    fn run_or_fail<B, M, Fut>(
        self,
        bound: BoundAt<B>,
        mode: BoundMode,
        make: M,
    ) -> impl Future<Output = Result<Self::Ok, Self::Err>>
    where
        B: Fn() -> &'static Bound + Copy,
        M: FnOnce() -> Fut,
        Fut: Future<Output = Result<Self::Ok, Self::Err>>,
    {
        bound.run_or_fail_with(mode, make)
    }

    /// [`KeyedBound::run_or_fail_with`]: the body made by `make` once the permit is held.
    fn run_keyed_or_fail<K, M, Fut>(
        self,
        bound: &'static KeyedBound,
        mode: BoundMode,
        key: K,
        make: M,
    ) -> impl Future<Output = Result<Self::Ok, Self::Err>>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        M: FnOnce() -> Fut,
        Fut: Future<Output = Result<Self::Ok, Self::Err>>,
    {
        bound.run_or_fail_with(mode, key, make)
    }
}

impl<T, E: From<Failure>> Carries for Returns<Result<T, E>> {
    type Ok = T;
    type Err = E;
}

/// The call for a restarting fn whose output, `Result<T, E>`, carries a [`Failure`] and can be
/// logged (each failure is): implemented only when `E: From<Failure> + Display`. Its fallback is
/// [`CannotCarry::supervise`].
pub trait Restarts: Carries<Err: Display> {
    /// [`supervise`](crate::supervise) by the config's restart policy.
    fn supervise<M, Fut>(
        self,
        cfg: &'static ScopeConfig,
        make_body: M,
    ) -> impl Future<Output = Result<Self::Ok, Self::Err>>
    where
        M: FnMut() -> Fut,
        Fut: Future<Output = Result<Self::Ok, Self::Err>>,
    {
        crate::supervise::supervise(cfg, make_body)
    }
}

impl<T, E: From<Failure> + Display> Restarts for Returns<Result<T, E>> {}

/// The fallback of [`Carries`]: one error, [`FailureOutput`]'s, on the return type.
pub trait CannotCarry: Sized {
    /// The fn's output.
    type Output;

    /// Never compiles for a type a user can return.
    fn supervise_with<Fut>(self, _: &'static ScopeConfig, _: Fut) -> Pending<Self::Output>
    where
        Self::Output: FailureOutput,
    {
        pending()
    }

    /// The fallback of [`Restarts::supervise`]; never compiles for a type a user can return.
    fn supervise<M>(self, _: &'static ScopeConfig, _: M) -> Pending<Self::Output>
    where
        Self::Output: RestartOutput,
    {
        pending()
    }

    /// Never compiles for a type a user can return.
    fn run_or_fail<B, M>(self, _: BoundAt<B>, _: BoundMode, _: M) -> Pending<Self::Output>
    where
        Self::Output: FailureOutput,
    {
        pending()
    }

    /// Never compiles for a type a user can return.
    fn run_keyed_or_fail<K, M>(
        self,
        _: &'static KeyedBound,
        _: BoundMode,
        _: K,
        _: M,
    ) -> Pending<Self::Output>
    where
        Self::Output: FailureOutput,
    {
        pending()
    }
}

impl<R> CannotCarry for &Returns<R> {
    type Output = R;
}

/// The type `K` of a `per` argument taken by value, kept as a clone.
pub struct Key<K: ?Sized>(PhantomData<fn(&K)>);

impl<K> Key<K> {
    /// The type of `key`.
    pub fn of(_key: &K) -> Self {
        Key(PhantomData)
    }
}

/// The type `B` of a `per` argument taken by reference (`&B`), kept in its owned form.
pub struct BorrowedKey<B: ?Sized>(PhantomData<fn(&B)>);

impl<B: ?Sized> BorrowedKey<B> {
    /// The type behind `key`.
    pub fn of(_key: &B) -> Self {
        BorrowedKey(PhantomData)
    }
}

/// A `per` argument the limiter can keep a key of.
pub trait Keeps {
    /// The argument, as the fn sees it behind a reference.
    type Arg: ?Sized;
    /// What the limiter keeps.
    type Key;

    /// The key of `arg`, owned.
    fn key_of(self, arg: &Self::Arg) -> Self::Key;
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static> Keeps for Key<K> {
    type Arg = K;
    type Key = K;

    fn key_of(self, arg: &K) -> K {
        arg.clone()
    }
}

impl<B> Keeps for BorrowedKey<B>
where
    B: ?Sized + ToOwned,
    B::Owned: Hash + Eq + Clone + Send + Sync + 'static,
{
    type Arg = B;
    type Key = B::Owned;

    fn key_of(self, arg: &B) -> B::Owned {
        arg.to_owned()
    }
}

/// The fallback of [`Keeps`]: one error, [`PerKey`]'s, on the key. It returns `()`, a valid
/// key, so the rest of the call stays well-typed and adds no error of its own.
pub trait CannotKeep<A: ?Sized> {
    /// Never compiles for a type a user can pass.
    fn key_of(self, arg: &A)
    where
        A: PerKey;
}

impl<K> CannotKeep<K> for &Key<K> {
    fn key_of(self, _: &K)
    where
        K: PerKey,
    {
    }
}

impl<B: ?Sized> CannotKeep<B> for &BorrowedKey<B> {
    fn key_of(self, _: &B)
    where
        B: PerKey,
    {
    }
}

#[cfg(test)]
mod tests {
    use super::{BorrowedKey, Failure, Key, Returns, ScopeConfig};
    #[allow(unused_imports)]
    use super::{CannotCarry as _, CannotKeep as _, Carries as _, Keeps as _};

    static CFG: ScopeConfig = ScopeConfig::new("user_types");

    type AppResult<T> = Result<T, crate::BoxError>;

    async fn generic<E: From<Failure>>() -> Result<u8, E> {
        let body = async { Err(E::from(Failure::Cancelled { scope: "x".into() })) };
        Returns::of(&body).supervise_with(&CFG, body).await
    }

    /// An alias and a generic error take the working path, with both traits in scope.
    #[tokio::test]
    async fn aliases_take_the_path_that_works() {
        let body = async { AppResult::Ok(2) };
        let out = Returns::of(&body).supervise_with(&CFG, body).await;
        assert_eq!(out.unwrap(), 2);
        assert!(matches!(
            generic::<Failure>().await,
            Err(Failure::Cancelled { .. })
        ));
    }

    #[test]
    fn a_key_is_cloned_or_made_owned() {
        let key = String::from("k");
        assert_eq!(Key::of(&key).key_of(&key), key);
        let borrowed: &str = &key;
        assert_eq!(BorrowedKey::of(borrowed).key_of(borrowed), key);
        let bytes: &[u8] = b"k";
        assert_eq!(BorrowedKey::of(bytes).key_of(bytes), b"k".to_vec());
    }
}
