// A user type's own `sleep()` method, awaited, is not `std::thread::sleep`.
struct Timer;

impl Timer {
    async fn sleep(&self) {}
}

#[warden::no_blocking]
async fn handler(my: &Timer) {
    my.sleep().await;
}

fn main() {
    let _ = handler(&Timer);
}
