// R1: methods judged on the receiver's known type: a `Command` kept in a variable, a struct
// field's `Receiver`, a `Path` parameter.
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::Receiver;

struct Worker {
    jobs: Receiver<u32>,
}

impl Worker {
    #[warden::no_blocking]
    async fn next(&self, config: &Path) -> Option<u32> {
        let mut cmd = Command::new("true");
        cmd.arg("-v");
        let _ = cmd.output();
        if config.exists() {
            return None;
        }
        self.jobs.recv().ok()
    }
}

fn main() {
    let (_tx, jobs) = std::sync::mpsc::channel();
    let _ = Worker { jobs }.next(Path::new("x"));
}
