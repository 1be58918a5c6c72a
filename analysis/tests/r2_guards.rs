//! R2: lock guards alive across `.await`. The basic forms (moved here from trybuild, which keeps
//! the cases that show exact diagnostics), then the flow: guards moved away, guards ended on some
//! paths only, guards mapped and wrapped.

mod support;

use support::{Rules::NoBlocking, clean, findings, only_message};

/// The headline of each R2 finding, with the line and column of the `.await`.
fn alive_at(src: &str) -> Vec<String> {
    findings(NoBlocking, src)
        .iter()
        .filter(|f| f.starts_with("error R2"))
        .map(|f| f.lines().next().unwrap_or_default().to_owned())
        .collect()
}

mod basics {
    use super::*;

    #[test]
    fn let_guard_across_await_with_its_note() {
        let found = findings(
            NoBlocking,
            "async fn f(counter: &Mutex<u64>) {
                let mut guard = counter.lock().unwrap();
                *guard += 1;
                tokio::task::yield_now().await;
            }",
        );
        assert_eq!(
            found,
            ["error R2 4:41 `guard` is still alive at this `.await`\n  \
              note 2:17 `guard` is taken here and lives to the end of its block"]
        );
    }

    #[test]
    fn the_help_names_the_fix_and_the_escape() {
        let message = only_message(
            NoBlocking,
            "async fn f(m: &Mutex<u8>) { let g = m.lock().unwrap(); x().await; }",
        );
        assert_eq!(
            message,
            "`g` is still alive at this `.await`\n\
             help: every other task that needs the lock waits until this one resumes; end the guard first \
             with `drop(g);` or by taking it in a block that ends before the `.await`\n\
             note: to hold it on purpose (a tokio `Mutex` that serialises one connection's writes, say), \
             put `#[warden::allow_blocking]` on the statement with the `.await` and say why in a comment"
        );
    }

    #[test]
    fn every_lock_kind_and_unwrapping_form() {
        let found = alive_at(
            "async fn f(a: &Mutex<u8>, b: &Mutex<u8>, c: &Mutex<u8>, d: &RwLock<u8>, e: &RwLock<u8>,
                        r: &RefCell<u8>, t: &tokio::sync::Mutex<u8>) -> Result<(), String> {
                { let _a = a.lock().expect(\"poisoned\"); x().await; }
                { let _b = b.lock().map_err(|e| e.to_string())?; x().await; }
                { let _c = c.lock().unwrap_or_else(PoisonError::into_inner); x().await; }
                { let _d = d.read().unwrap(); x().await; }
                { let _e = e.write().unwrap(); x().await; }
                { let _r = r.borrow_mut(); x().await; }
                { let _t = t.lock().await; x().await; }
                Ok(())
            }",
        );
        let names: Vec<&str> = found.iter().map(|f| f.split('`').nth(1).unwrap()).collect();
        assert_eq!(
            names,
            ["_a", "_b", "_c", "_d", "_e", "_r", "_t"],
            "{found:#?}"
        );
    }

    #[test]
    fn await_in_a_nested_block_and_reported_once() {
        let found = alive_at(
            "async fn f(counter: &Mutex<u64>, flush: bool) {
                let mut count = counter.lock().unwrap();
                if flush {
                    for _ in 0..2 {
                        x().await;
                    }
                }
                y().await;
                z().await;
            }",
        );
        assert_eq!(
            found,
            ["error R2 5:28 `count` is still alive at this `.await`"]
        );
    }

    #[test]
    fn scrutinee_temporaries_live_through_their_arms() {
        let found = findings(
            NoBlocking,
            "async fn f(cache: &Mutex<HashMap<u32, String>>, q: &Mutex<Vec<u8>>, o: &Mutex<Option<u8>>) {
                match cache.lock().unwrap().get(&1) {
                    Some(hit) => drop(hit),
                    None => x().await,
                }
                if let Some(last) = q.lock().unwrap().last() {
                    x().await;
                }
                if let Some(_) = *o.lock().unwrap() {
                    x().await;
                }
                while let Some(b) = q.lock().unwrap().pop() {
                    x().await;
                }
                for b in q.lock().unwrap().iter() {
                    x().await;
                }
            }",
        );
        assert_eq!(
            found,
            [
                "error R2 4:32 the temporary guard of `cache.lock()` is still alive at this `.await`\n  \
                 note 2:23 the guard is taken here; temporaries in the scrutinee of `match` live until its end",
                "error R2 7:24 the temporary guard of `q.lock()` is still alive at this `.await`\n  \
                 note 6:37 the guard is taken here; temporaries in the scrutinee of `if let` live until its end",
                "error R2 10:24 the temporary guard of `o.lock()` is still alive at this `.await`\n  \
                 note 9:35 the guard is taken here; temporaries in the scrutinee of `if let` live until its end",
                "error R2 13:24 the temporary guard of `q.lock()` is still alive at this `.await`\n  \
                 note 12:37 the guard is taken here; temporaries in the scrutinee of `while let` live until its end",
                "error R2 16:24 the temporary guard of `q.lock()` is still alive at this `.await`\n  \
                 note 15:26 the guard is taken here; temporaries in the iterator expression of `for` live until its end",
            ]
        );
    }

    #[test]
    fn temporary_guard_earlier_in_the_awaited_chain() {
        let found = alive_at(
            "async fn next(shared: &tokio::sync::Mutex<Receiver<u8>>) -> Option<u8> {
                shared.lock().await.recv().await
            }",
        );
        assert_eq!(
            found,
            [
                "error R2 2:43 the temporary guard of `shared.lock()` is still alive at this `.await`"
            ]
        );
    }

    #[test]
    fn guards_of_async_blocks_are_their_own() {
        let found = alive_at(
            "async fn f(state: &Mutex<u64>) -> u64 {
                let work = async {
                    let guard = state.lock().unwrap();
                    x().await;
                    *guard
                };
                work.await
            }",
        );
        assert_eq!(
            found,
            ["error R2 4:24 `guard` is still alive at this `.await`"]
        );
    }

    #[test]
    fn nested_locks_warn() {
        let found = findings(
            NoBlocking,
            "async fn transfer(from: &Mutex<u64>, to: &Mutex<u64>) {
                let mut from = from.lock().unwrap();
                let mut to = to.lock().unwrap();
            }",
        );
        assert_eq!(
            found,
            ["warning R2 3:17 `to` is locked while `from` is still held"]
        );
    }

    #[test]
    fn guards_ended_before_the_await() {
        clean(
            NoBlocking,
            "async fn f(m: &Mutex<u64>, t: &tokio::sync::Mutex<u64>, cond: &Mutex<bool>,
                       q: &Mutex<Vec<u8>>, rw: &tokio::sync::RwLock<Vec<u8>>) -> u64 {
                let mut g = m.lock().unwrap();
                *g += 1;
                drop(g);
                x().await;
                let v = {
                    let g = m.lock().unwrap();
                    *g
                };
                x().await;
                *m.lock().unwrap() += 1;
                x().await;
                let n = m.lock().unwrap().count_ones();
                x().await;
                *t.lock().await += 1;
                x().await;
                if *cond.lock().unwrap() {
                    x().await;
                }
                while q.lock().unwrap().pop().is_some() {
                    x().await;
                }
                let len = rw.read().await.len();
                let first = rw.read().await.first().copied();
                let read = *rw.read().await;
                *rw.write().await += 1;
                x().await;
                std::mem::drop(m.lock().unwrap());
                x().await;
                match m.lock().unwrap().checked_add(1) {
                    Some(v) => v,
                    None => 0,
                };
                x().await;
                let mut state = t.lock().await;
                #[warden::allow_blocking] // serialises writers on purpose
                x().await;
                v + n
            }",
        );
    }
}

mod moved_away {
    use super::*;

    #[test]
    fn passed_by_value_returned_or_captured() {
        clean(
            NoBlocking,
            "async fn f(m: &Mutex<Vec<u8>>, done: bool, tx: &Sender<Guard>) -> Option<u8> {
                let g = m.lock().unwrap();
                finish(g);
                x().await;
                let g = m.lock().unwrap();
                keep.push(g);
                x().await;
                let g = m.lock().unwrap();
                std::mem::drop(Some(g));
                x().await;
                let g = m.lock().unwrap();
                let n = (move || g.len())();
                x().await;
                let g = m.lock().unwrap();
                total += finish(g);
                x().await;
                let g = m.lock().unwrap();
                let n = finish(g) + 1;
                x().await;
                let g = m.lock().unwrap();
                if finish(g) > 0 {}
                x().await;
                let g = m.lock().unwrap();
                match finish(g) { _ => {} }
                x().await;
                let g = m.lock().unwrap();
                for b in into_bytes(g) {}
                x().await;
                let g = m.lock().unwrap();
                if done {
                    return g.first().copied();
                }
                drop(g);
                x().await;
                None
            }",
        );
    }

    #[test]
    fn moved_into_a_binding_that_ends() {
        clean(
            NoBlocking,
            "async fn f(m: &Mutex<u8>) {
                let g = m.lock().unwrap();
                let h = g;
                drop(h);
                x().await;
                let g = m.lock().unwrap();
                let s = State { guard: g, n: 1 };
                drop(s);
                x().await;
                let mut o = Some(m.lock().unwrap());
                o.take();
                x().await;
                let mut o = Some(m.lock().unwrap());
                o = None;
                x().await;
                let o = m.lock().ok();
                match o {
                    Some(g) => use_it(g),
                    None => {}
                }
                x().await;
                let r = m.try_lock();
                if let Ok(g) = r {
                    use_it(g);
                }
                x().await;
            }",
        );
    }

    #[test]
    fn the_new_owner_holds_it() {
        let found = findings(
            NoBlocking,
            "async fn f(m: &Mutex<State>) {
                let g = m.lock().unwrap();
                let s = Holder { guard: g };
                x().await;
            }",
        );
        assert_eq!(
            found,
            [
                "error R2 4:20 `s` (which holds a lock guard) is still alive at this `.await`\n  \
              note 2:17 the guard is taken here and moved into `s`, which lives to the end of its block"
            ]
        );
        let found = alive_at(
            "async fn f(m: &Mutex<State>) {
                let g = m.lock().unwrap();
                let h = g;
                x().await;
            }",
        );
        assert_eq!(found, ["error R2 4:20 `h` is still alive at this `.await`"]);
    }

    #[test]
    fn what_does_not_move_it() {
        let found = alive_at(
            "async fn f(m: &Mutex<Option<u8>>) {
                let mut g = m.lock().unwrap();
                let _ = g;
                match g { _ => {} }
                if let Some(v) = g.as_ref() {}
                let v = g.take();
                let n = g.clone();
                show(&g);
                let g = 5;
                drop(g);
                x().await;
            }",
        );
        assert_eq!(
            found,
            ["error R2 11:20 `g` is still alive at this `.await`"]
        );
    }

    #[test]
    fn a_guard_taken_again_by_assignment() {
        let found = alive_at(
            "async fn f(m: &Mutex<u8>) {
                let mut g = m.lock().unwrap();
                drop(g);
                x().await;
                g = m.lock().unwrap();
                y().await;
            }",
        );
        assert_eq!(found, ["error R2 6:20 `g` is still alive at this `.await`"]);
    }

    #[test]
    fn a_move_in_the_awaited_statement_still_holds_it() {
        // The guard travels into the future, which holds it while it is awaited.
        let found = alive_at(
            "async fn f(m: &Mutex<u8>) {
                let g = m.lock().unwrap();
                finish(g).await;
            }",
        );
        assert_eq!(found, ["error R2 3:26 `g` is still alive at this `.await`"]);
    }
}

mod paths {
    use super::*;

    #[test]
    fn dropped_in_an_if_without_else() {
        let found = findings(
            NoBlocking,
            "async fn f(m: &Mutex<u8>, early: bool) {
                let g = m.lock().unwrap();
                if early {
                    drop(g);
                }
                x().await;
            }",
        );
        assert_eq!(
            found,
            ["error R2 6:20 `g` is still alive at this `.await`\n  \
              note 2:17 `g` is taken here and lives to the end of its block\n  \
              note 3:17 `g` is still alive on the path where this condition is false (the `if` has no `else`)"]
        );
        let message = only_message(
            NoBlocking,
            "async fn f(m: &Mutex<u8>, early: bool) {
                let g = m.lock().unwrap();
                if early { drop(g); }
                x().await;
            }",
        );
        assert!(
            message.contains(
                "help: every other task that needs the lock waits until this one resumes; `g` ends on some \
                 paths but not on all of them (see the last note): end it on every path that reaches the `.await`"
            ),
            "{message}"
        );
    }

    #[test]
    fn the_note_names_the_path_that_keeps_it() {
        let notes = |src: &str| -> Vec<String> {
            findings(NoBlocking, src)
                .iter()
                .map(|f| f.lines().last().unwrap_or_default().trim().to_owned())
                .collect()
        };
        assert_eq!(
            notes(
                "async fn f(m: &Mutex<u8>, c: bool) {
                    let g = m.lock().unwrap();
                    if c { drop(g) } else { log() }
                    x().await;
                }"
            ),
            ["note 3:38 `g` is still alive on the path through this `else`"]
        );
        assert_eq!(
            notes(
                "async fn f(m: &Mutex<u8>, c: bool) {
                    let g = m.lock().unwrap();
                    if c { log() } else { drop(g) }
                    x().await;
                }"
            ),
            ["note 3:21 `g` is still alive on the path where this condition holds"]
        );
        assert_eq!(
            notes(
                "async fn f(m: &Mutex<u8>, mode: Mode) {
                    let g = m.lock().unwrap();
                    match mode {
                        Mode::Flush => drop(g),
                        Mode::Keep => {}
                    }
                    x().await;
                }"
            ),
            ["note 5:25 `g` is still alive on the path through this arm"]
        );
        assert_eq!(
            notes(
                "async fn f(m: &Mutex<u8>, rx: &Receiver<u8>) {
                    let g = m.lock().unwrap();
                    while busy() {
                        if rx.is_empty() {
                            drop(g);
                            break;
                        }
                    }
                    x().await;
                }"
            ),
            ["note 3:21 `g` is still alive on the path that leaves this loop without `break`"]
        );
        assert_eq!(
            notes(
                "async fn f(m: &Mutex<u8>) {
                    let g = m.lock().unwrap();
                    loop {
                        if ready() {
                            break;
                        }
                        if done() {
                            drop(g);
                            break;
                        }
                    }
                    x().await;
                }"
            ),
            ["note 5:29 `g` is still alive on the path through this `break`"]
        );
        assert_eq!(
            notes(
                "async fn f(m: &Mutex<u8>) {
                    let g = m.lock().unwrap();
                    let Some(v) = get() else {
                        drop(g);
                        return;
                    };
                    x().await;
                }"
            ),
            ["note 2:21 `g` is taken here and lives to the end of its block"]
        );
    }

    #[test]
    fn ended_on_every_path_that_reaches_the_await() {
        clean(
            NoBlocking,
            "async fn f(m: &Mutex<u8>, c: bool, mode: Mode) {
                let g = m.lock().unwrap();
                if c { drop(g) } else { finish(g) }
                x().await;
                let g = m.lock().unwrap();
                if c { drop(g) } else { return; }
                x().await;
                let g = m.lock().unwrap();
                match mode {
                    Mode::A => drop(g),
                    Mode::B => panic!(\"no\"),
                    Mode::C => unreachable!(),
                    Mode::D => { finish(g); }
                }
                x().await;
                let g = m.lock().unwrap();
                loop {
                    if ready() {
                        drop(g);
                        break;
                    }
                    tick();
                }
                x().await;
                let g = m.lock().unwrap();
                'done: {
                    if c {
                        drop(g);
                        break 'done;
                    }
                    drop(g);
                }
                x().await;
                for i in 0..3 {
                    let g = m.lock().unwrap();
                    if i == 1 {
                        continue;
                    }
                    drop(g);
                    x().await;
                }
            }",
        );
    }

    #[test]
    fn alive_on_both_arms_is_reported_once() {
        let found = alive_at(
            "async fn f(m: &Mutex<u8>, c: bool) {
                let g = m.lock().unwrap();
                if c { a().await } else { b().await }
                y().await;
            }",
        );
        assert_eq!(found, ["error R2 3:27 `g` is still alive at this `.await`"]);
    }

    #[test]
    fn a_break_out_of_a_loop_carries_the_guard() {
        let found = alive_at(
            "async fn f(m: &Mutex<u8>) {
                let g = m.lock().unwrap();
                loop {
                    if ready() {
                        break;
                    }
                }
                x().await;
            }",
        );
        assert_eq!(found, ["error R2 8:20 `g` is still alive at this `.await`"]);
    }
}

mod mapped_and_wrapped {
    use super::*;

    #[test]
    fn mapped_guards() {
        let found = alive_at(
            "async fn f(m: &Mutex<State>, l: &parking_lot::RwLock<u8>, c: &RefCell<State>) {
                {
                    let field = MutexGuard::map(m.lock().unwrap(), |s| &mut s.field);
                    x().await;
                }
                {
                    let g = m.lock().unwrap();
                    let field = std::sync::MutexGuard::map(g, |s| &mut s.field);
                    x().await;
                }
                {
                    let w = l.write();
                    let r = parking_lot::RwLockWriteGuard::downgrade(w);
                    x().await;
                }
                {
                    let Ok(part) = MutexGuard::filter_map(m.lock().unwrap(), |s| s.part.as_mut()) else {
                        return;
                    };
                    x().await;
                }
                {
                    let field = RefMut::map(c.borrow_mut(), |s| &mut s.field);
                    x().await;
                }
            }",
        );
        let names: Vec<&str> = found.iter().map(|f| f.split('`').nth(1).unwrap()).collect();
        assert_eq!(
            names,
            ["field", "field", "r", "part", "field"],
            "{found:#?}"
        );
    }

    /// tokio's `w.downgrade()` takes the write guard by value: the read guard it gives back is
    /// the one held, and `w` is gone (it was reported alive at the `.await` after `drop(r)`).
    #[test]
    fn a_guard_downgraded_by_its_own_method() {
        clean(
            NoBlocking,
            "async fn f(l: &tokio::sync::RwLock<Vec<u64>>) -> usize {
                let mut w = l.write().await;
                w.push(1);
                let r = w.downgrade();
                let n = r.len();
                drop(r);
                x().await;
                n
            }",
        );
        let found = alive_at(
            "async fn f(l: &tokio::sync::RwLock<Vec<u64>>) {
                let w = l.write().await;
                let r = w.downgrade();
                x().await;
            }",
        );
        assert_eq!(found, ["error R2 4:20 `r` is still alive at this `.await`"]);
    }

    #[test]
    fn wrapped_guards() {
        let found = findings(
            NoBlocking,
            "async fn f(m: &Mutex<u8>) {
                {
                    let o = Some(m.lock().unwrap());
                    x().await;
                }
                {
                    let r: Result<_, Error> = Ok(m.lock().unwrap());
                    x().await;
                }
                {
                    let s = State { guard: m.lock().unwrap(), n: 1 };
                    x().await;
                }
                {
                    let pair = (m.lock().unwrap(), 1);
                    x().await;
                }
                {
                    let Ok(g) = m.lock() else { return };
                    x().await;
                }
                {
                    let g = { let inner = m.lock().unwrap(); inner };
                    x().await;
                }
                {
                    let o = m.lock().ok();
                    let g = o.unwrap();
                    x().await;
                }
            }",
        );
        let heads: Vec<&str> = found.iter().map(|f| f.lines().next().unwrap()).collect();
        assert_eq!(
            heads,
            [
                "error R2 4:24 `o` (which holds a lock guard) is still alive at this `.await`",
                "error R2 8:24 `r` (which holds a lock guard) is still alive at this `.await`",
                "error R2 12:24 `s` (which holds a lock guard) is still alive at this `.await`",
                "error R2 16:24 `pair` (which holds a lock guard) is still alive at this `.await`",
                "error R2 20:24 `g` is still alive at this `.await`",
                "error R2 24:24 `g` is still alive at this `.await`",
                "error R2 29:24 `g` is still alive at this `.await`",
            ]
        );
        assert!(
            found[0].contains(
                "note 3:21 `o` takes a lock guard here and lives to the end of its block"
            ),
            "{}",
            found[0]
        );
    }

    #[test]
    fn guards_returned_by_the_crates_own_fns() {
        let found = findings(
            NoBlocking,
            "struct Server { state: Mutex<Vec<u8>> }
            impl Server {
                fn state(&self) -> MutexGuard<'_, Vec<u8>> {
                    self.state.lock().unwrap()
                }
                fn try_state(&self) -> Option<MutexGuard<'_, Vec<u8>>> {
                    self.state.try_lock().ok()
                }
                fn len(&self) -> usize {
                    self.state().len()
                }
                async fn handle(&self) {
                    let state = self.state();
                    x().await;
                    drop(state);
                    let maybe = self.try_state();
                    y().await;
                    drop(maybe);
                    let n = self.len();
                    z().await;
                    let g = Server::state(self);
                    w().await;
                }
            }",
        );
        let heads: Vec<&str> = found.iter().map(|f| f.lines().next().unwrap()).collect();
        assert_eq!(
            heads,
            [
                "error R2 14:24 `state` is still alive at this `.await`",
                "error R2 17:24 `maybe` (which holds a lock guard) is still alive at this `.await`",
                "error R2 22:24 `g` is still alive at this `.await`",
            ]
        );
    }

    #[test]
    fn a_split_pattern_is_not_guessed() {
        // Which part of the tuple holds the guard is not known: no error on a guess.
        clean(
            NoBlocking,
            "async fn f(m: &Mutex<u8>) {
                let (n, _) = (5, m.lock().unwrap());
                x().await;
            }",
        );
    }
}
