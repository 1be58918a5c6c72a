//! R2 as data: the calls that take a lock guard, the steps that get at it, the calls that map it
//! into another guard, and the guard types a signature can return.

/// Methods that return a lock guard when called with no argument.
pub const LOCKING: &[&str] = &[
    "lock",
    "read",
    "write",
    "try_lock",
    "try_read",
    "try_write",
    "borrow",
    "borrow_mut",
    "upgradable_read",
];

/// Steps after a lock call that yield the guard itself: `.unwrap()`, `.expect(..)`, ...
/// (`?` and `.await` do too).
pub const UNWRAPPING: &[&str] = &["unwrap", "expect", "unwrap_or_else", "unwrap_or_default"];

/// Steps after a lock call that keep the guard inside an `Option` or `Result`.
pub const WRAPPING: &[&str] = &["ok", "ok_or", "ok_or_else", "map_err"];

/// Methods of `Option` and `Result` that consume a value holding a guard (the guard moves out
/// with the value, or is dropped). On a guard itself they are methods of the locked value,
/// reached through `Deref`, and leave the guard where it is (`state.take()` on an
/// `Option` inside the lock).
pub const CONSUMING: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "ok",
    "err",
    "map",
    "map_err",
    "and_then",
    "take",
    "into_inner",
];

/// Methods of a guard itself that take it by value and give back another guard of the same
/// lock: tokio's `w.downgrade()` (write guard to read guard). Called on a binding holding a
/// guard they move it; on anything else they are left alone.
pub const GUARD_CONSUMING: &[&str] = &["downgrade"];

/// Associated fns of guard types that turn a guard into another guard of the same lock:
/// `MutexGuard::map(g, |v| &mut v.field)`, `RwLockWriteGuard::downgrade(g)`.
pub const MAPPING: &[&str] = &[
    "map",
    "try_map",
    "filter_map",
    "map_split",
    "downgrade",
    "downgrade_to_upgradable",
    "upgrade",
    "try_upgrade",
];

/// Lock guard types of std, tokio, `parking_lot` / `lock_api`, spin and dashmap, by name.
pub const GUARD_TYPES: &[&str] = &[
    "MutexGuard",
    "MappedMutexGuard",
    "OwnedMutexGuard",
    "OwnedMappedMutexGuard",
    "ArcMutexGuard",
    "ReentrantMutexGuard",
    "MappedReentrantMutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "MappedRwLockReadGuard",
    "MappedRwLockWriteGuard",
    "OwnedRwLockReadGuard",
    "OwnedRwLockWriteGuard",
    "OwnedRwLockMappedWriteGuard",
    "RwLockUpgradableReadGuard",
    "ArcRwLockReadGuard",
    "ArcRwLockWriteGuard",
    "Ref",
    "RefMut",
];

/// The escape for a deliberate hold, named in every R2 message.
pub const HOLD_ON_PURPOSE: &str = "to hold it on purpose (a tokio `Mutex` that serialises one connection's writes, say), \
     put `#[warden::allow_blocking]` on the statement with the `.await` and say why in a comment";

/// Whether `path` (`MutexGuard::map`, `parking_lot::RwLockWriteGuard::downgrade`) maps a guard
/// into another guard of the same lock.
pub fn is_mapping(path: &syn::Path) -> bool {
    let mut segments = path.segments.iter().rev();
    match (segments.next(), segments.next()) {
        (Some(call), Some(ty)) => {
            MAPPING.contains(&call.ident.to_string().as_str())
                && GUARD_TYPES.contains(&ty.ident.to_string().as_str())
        }
        _ => false,
    }
}

/// Whether a value of type `ty` holds a lock guard: a guard type, or one inside `Option`,
/// `Result`, `LockResult`, `TryLockResult` or a reference to one.
pub fn is_guard_type(ty: &syn::Type) -> bool {
    guard_type(ty).is_some()
}

/// How a value of type `ty` holds a lock guard, if it does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GuardType {
    /// It is the guard: `MutexGuard<'_, T>`.
    Bare,
    /// The guard is inside: `Option<MutexGuard<'_, T>>`, `LockResult<..>`.
    Wrapped,
}

/// How a value of type `ty` holds a lock guard: see [`GuardType`].
pub fn guard_type(ty: &syn::Type) -> Option<GuardType> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            if GUARD_TYPES.contains(&name.as_str()) {
                return Some(GuardType::Bare);
            }
            let wraps = matches!(
                name.as_str(),
                "Option" | "Result" | "LockResult" | "TryLockResult"
            );
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            let inner = args.args.iter().next().is_some_and(
                |first| matches!(first, syn::GenericArgument::Type(t) if is_guard_type(t)),
            );
            (wraps && inner).then_some(GuardType::Wrapped)
        }
        syn::Type::Paren(p) => guard_type(&p.elem),
        syn::Type::Group(g) => guard_type(&g.elem),
        _ => None,
    }
}

/// Whether a sync fn with this signature returns a lock guard to its caller, who then holds it,
/// and how: a call to such a fn of the crate is a guard like `m.lock()`.
pub fn returns_guard(sig: &syn::Signature) -> Option<GuardType> {
    match &sig.output {
        syn::ReturnType::Type(_, ty) if sig.asyncness.is_none() => guard_type(ty),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(src: &str) -> syn::Signature {
        syn::parse_str::<syn::ItemFn>(src).unwrap().sig
    }

    #[test]
    fn guard_returning_signatures() {
        let returns = |src: &str| returns_guard(&sig(src));
        assert_eq!(
            returns("fn state(&self) -> MutexGuard<'_, State> {}"),
            Some(GuardType::Bare)
        );
        assert_eq!(
            returns("fn state(&self) -> std::sync::LockResult<std::sync::MutexGuard<'_, S>> {}"),
            Some(GuardType::Wrapped)
        );
        assert_eq!(
            returns("fn peek(&self) -> Option<parking_lot::MappedRwLockReadGuard<'_, u8>> {}"),
            Some(GuardType::Wrapped)
        );
        assert_eq!(
            returns("fn cell(&self) -> RefMut<'_, u8> {}"),
            Some(GuardType::Bare)
        );
        assert_eq!(returns("fn len(&self) -> usize {}"), None);
        assert_eq!(returns("fn get(&self) -> Option<u8> {}"), None);
        assert_eq!(returns("fn run(&self) {}"), None);
        assert_eq!(
            returns("fn token(&self) -> tokio_util::sync::DropGuard {}"),
            None
        );
        // An async fn returns a future, not the guard.
        assert_eq!(
            returns("async fn state(&self) -> MutexGuard<'_, S> {}"),
            None
        );
    }

    #[test]
    fn mapping_calls_need_a_guard_type() {
        let mapping = |src: &str| is_mapping(&syn::parse_str(src).unwrap());
        assert!(mapping("MutexGuard::map"));
        assert!(mapping("std::sync::MutexGuard::filter_map"));
        assert!(mapping("parking_lot::RwLockWriteGuard::downgrade"));
        assert!(mapping("RefMut::map_split"));
        assert!(mapping("tokio::sync::OwnedMutexGuard::try_map"));
        assert!(!mapping("Option::map"));
        assert!(!mapping("map"));
        assert!(!mapping("MutexGuard::new"));
    }
}
