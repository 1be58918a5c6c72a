// Module file for `r1_crate_helper_chain.rs`: not a case itself.
pub struct Config {
    pub text: String,
}

pub fn load_config() -> Config {
    let text = read_file("app.toml");
    Config { text }
}

fn read_file(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
