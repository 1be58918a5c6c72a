// R1: anything under `reqwest::blocking` (a stand-in `reqwest` module keeps the case free of
// the dependency; the path is what the macro reads).
mod reqwest {
    pub mod blocking {
        pub fn get(_url: &str) -> Result<String, ()> {
            Ok(String::new())
        }
    }
}

#[warden::no_blocking]
async fn fetch() -> Result<String, ()> {
    reqwest::blocking::get("https://example.invalid")
}

fn main() {
    let _ = fetch();
}
