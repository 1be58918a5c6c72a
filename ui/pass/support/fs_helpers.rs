// Module file for `pass_crate_context.rs`: not a case itself.
pub fn read_now(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[warden::allow_blocking] // only ever called on the blocking pool
pub fn read_on_pool(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

pub fn len_of(text: &str) -> usize {
    text.len()
}
