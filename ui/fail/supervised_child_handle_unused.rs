// A child's handle left unused: rustc's `unused_must_use` says what to do with it. Its own
// help (`let _ = ...`) trips clippy's `let_underscore_future`, so warden's note names `drop`.
#![deny(unused_must_use)]

#[warden::supervised]
async fn notify(who: String) -> Result<(), warden::Failure> {
    warden::spawn(async move { println!("{who}") }).await;
    Ok(())
}

fn main() {
    let _ = notify(String::new());
}
