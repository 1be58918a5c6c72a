//! The built `kv_server` example as a child process the tests can start, signal, measure and
//! stop.

use std::io::{self, BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The example's binary, built once per test run: `cargo test --test kv_server` alone does not
/// build examples (`--all-targets` does, and then this is a quick no-op).
fn binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let deps = std::env::current_exe().expect("the test's path");
        let profile_dir = deps
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--example", "kv_server", "--profile"])
            .arg(profile)
            .env(
                "CARGO_TARGET_DIR",
                profile_dir.parent().expect("target dir"),
            )
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the example builds");
        profile_dir.join("examples").join("kv_server")
    })
}

/// A running `kv_server --serve`, killed if a test fails before it exits.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub stdout: Option<BufReader<ChildStdout>>,
    stderr: Option<JoinHandle<String>>,
}

impl Server {
    /// Starts it with `args` and reads the port from its first line.
    pub fn start(args: &[&str]) -> Self {
        Self::start_then(args, None)
    }

    /// [`start`](Self::start), and sends `signal` as soon as the first line is read.
    pub fn start_then(args: &[&str], signal: Option<&str>) -> Self {
        let mut child = Command::new(binary())
            .arg("--serve")
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the example starts");
        let stderr = child.stderr.take().expect("piped");
        let stderr = std::thread::spawn(move || read_all(stderr));
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        // A shell ready to signal: `read` then its builtin `kill` send the signal within
        // microseconds of the go, where starting a `kill` process would take a millisecond.
        let trigger = signal.map(|signal| {
            let script = "read go && kill -s \"$0\" \"$1\"";
            Command::new("sh")
                .args(["-c", script, signal, &child.id().to_string()])
                .stdin(Stdio::piped())
                .spawn()
                .expect("sh starts")
        });
        let mut first = String::new();
        stdout.read_line(&mut first).expect("stdout");
        if let Some(mut trigger) = trigger {
            let go = trigger.stdin.take().expect("piped");
            let _ = (&go).write_all(b"go\n");
            drop(go);
            assert!(
                trigger.wait().expect("sh").success(),
                "sh sent SIG{signal:?}"
            );
        }
        let addr = first
            .trim_end()
            .strip_prefix("kv_server: listening on ")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("the first line names the port: {first:?}"));
        Server {
            child,
            addr,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// Sends SIGTERM and waits for the exit: its status, stdout and stderr.
    pub fn stop(self) -> (ExitStatus, String, String) {
        self.signal("TERM");
        self.exit()
    }

    /// Waits for the exit after a signal: its status, stdout and stderr.
    pub fn exit(mut self) -> (ExitStatus, String, String) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "the server exits after a signal");
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = self.stdout.take().map(read_all).unwrap_or_default();
        let stderr = self.stderr.take().map(|t| t.join().expect("stderr reader"));
        (status, stdout, stderr.unwrap_or_default())
    }

    /// Resident memory in KiB, from `/proc`.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status");
        let line = status.lines().find(|l| l.starts_with("VmRSS:"));
        let kib = line.and_then(|l| l.split_whitespace().nth(1)?.parse().ok());
        kib.expect("VmRSS in KiB")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_all(mut from: impl io::Read) -> String {
    let mut text = String::new();
    let _ = from.read_to_string(&mut text);
    text
}
