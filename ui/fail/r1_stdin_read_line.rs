// R1: reading the terminal: `stdin().read_line(..)` and `stdin().lines()`.

#[warden::no_blocking]
async fn prompt() -> std::io::Result<String> {
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    for _line in std::io::stdin().lines() {}
    Ok(answer)
}

fn main() {
    let _ = prompt();
}
