// misuse: on an enum.
#[warden::no_blocking]
enum State {
    Idle,
}

fn main() {
    let _ = State::Idle;
}
