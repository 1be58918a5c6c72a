// Module file for `misuse_mod_in_other_file.rs`: not a case itself.
pub async fn slow() {}
