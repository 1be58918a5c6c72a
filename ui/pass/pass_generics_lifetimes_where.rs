// Generics, lifetimes, where-clauses and const generics come out unchanged.
use std::fmt::Debug;

#[warden::no_blocking]
async fn first<'a, T, const N: usize>(items: &'a [T; N]) -> Option<&'a T>
where
    T: Debug + Sync,
{
    tokio::task::yield_now().await;
    items.first()
}

fn main() {
    let _ = first(&[1, 2, 3]);
}
