// misuse: `max_poll` must be a duration literal like "10ms"; the error is on the literal.
#[warden::no_blocking(max_poll = "ten millis")]
async fn handler() {}

fn main() {
    let _ = handler();
}
