// misuse: `max_poll` given a number instead of a string literal.
#[warden::no_blocking(max_poll = 10)]
async fn handler() {}

fn main() {
    let _ = handler();
}
