// misuse: `mod x;` has its body in another file the macro cannot read.
#[warden::no_blocking]
#[path = "support/outside.rs"]
mod outside;

fn main() {
    let _ = outside::slow();
}
