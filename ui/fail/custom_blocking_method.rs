// custom: `blocking(Client::get_sync)` names a method, found on receivers of type `Client`.
struct Client;

impl Client {
    fn get_sync(&self, _key: &str) -> Option<String> {
        None
    }
}

#[warden::no_blocking(blocking(Client::get_sync))]
async fn lookup(client: &Client) -> Option<String> {
    client.get_sync("user:1")
}

fn main() {
    let _ = lookup(&Client);
}
