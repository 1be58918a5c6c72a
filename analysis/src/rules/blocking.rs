//! R1: the blocking APIs, one line each: what blocks, why, and what to use instead.
//!
//! Adding an API is adding a line to [`BLOCKING`]. Paths are the canonical paths after `use`
//! resolution; methods are matched by name and argument count, because a macro sees no types.

/// How a blocking API is recognised in the tokens of a call.
#[derive(Clone, Copy, Debug)]
pub enum Api {
    /// A fn or associated fn at this canonical path.
    Path(&'static str),
    /// Every lowercase fn directly in this module (`std::fs::read`, `std::fs::copy`, ...).
    ModuleFns(&'static str),
    /// Every call below this path (`reqwest::blocking::get`, `reqwest::blocking::Client::new`).
    Below(&'static str),
    /// A method taking one of these argument counts. `certain`: the name exists only on blocking
    /// APIs (`blocking_recv`), so it is flagged wherever it is called; otherwise only where its
    /// result is used as a value: never where it is awaited or passed on as a future, nor where
    /// it is a step of a method chain (`Builder::new().wait(d).build()`).
    Method {
        /// The method name.
        name: &'static str,
        /// The argument counts it takes.
        args: &'static [usize],
        /// Whether the name exists only on blocking APIs.
        certain: bool,
    },
    /// A method called on a value built by the constructor `root` in the same expression, such as
    /// `Command::new("ls").output()`.
    MethodOn {
        /// The method name.
        name: &'static str,
        /// The canonical path of the constructor.
        root: &'static str,
    },
}

/// One blocking API.
#[derive(Clone, Copy, Debug)]
pub struct BlockingApi {
    /// How calls to it are recognised.
    pub api: Api,
    /// What it does, after "`<call>` ...": why it must not run on an executor thread.
    pub why: &'static str,
    /// The non-blocking replacement.
    pub fix: &'static str,
}

const SLEEP: &str = "puts the executor thread to sleep";
const FS: &str = "does file-system I/O synchronously";
const NET: &str = "does network I/O synchronously";
const PROCESS: &str = "waits for a child process synchronously";
const STDIN: &str = "waits for terminal input synchronously";
const BLOCK_ON: &str = "drives a future to completion by blocking the thread (and panics or deadlocks inside a runtime)";
const TOKIO_BLOCKING: &str = "is tokio's blocking variant, which panics inside async code";
const SYNC_WAIT: &str = "parks the thread until another thread acts";
const REQWEST: &str = "is reqwest's blocking client, which runs a runtime of its own";

/// The way out every R1 message offers after the API's own fix.
pub const OFFLOAD: &str =
    "or run the blocking work on the blocking pool with `warden::offload(move || ..).await`";
/// The escape hatch every R1 message names.
pub const ALLOW: &str =
    "to keep it on purpose, mark the statement with `#[warden::allow_blocking]`";

const USE_TOKIO_FS: &str = "use `tokio::fs` (the same API, awaited)";
const USE_TOKIO_NET: &str = "use `tokio::net` (the same API, awaited)";
const USE_TOKIO_PROCESS: &str = "use `tokio::process::Command` and await it";
const USE_AWAIT: &str = "`.await` the future instead";
const USE_ASYNC_CHANNEL: &str = "use `tokio::sync::mpsc` (bounded) and `.recv().await`";

/// The blocking APIs `#[no_blocking]` knows.
pub const BLOCKING: &[BlockingApi] = &[
    api(
        Api::Path("std::thread::sleep"),
        SLEEP,
        "use `tokio::time::sleep(duration).await`",
    ),
    api(Api::ModuleFns("std::fs"), FS, USE_TOKIO_FS),
    api(Api::Path("std::fs::File::open"), FS, USE_TOKIO_FS),
    api(Api::Path("std::fs::File::create"), FS, USE_TOKIO_FS),
    api(Api::Path("std::fs::File::create_new"), FS, USE_TOKIO_FS),
    api(
        Api::MethodOn {
            name: "open",
            root: "std::fs::OpenOptions::new",
        },
        FS,
        "use `tokio::fs::OpenOptions` and await `.open(path)`",
    ),
    api(
        Api::Path("std::net::TcpStream::connect"),
        NET,
        USE_TOKIO_NET,
    ),
    api(
        Api::Path("std::net::TcpStream::connect_timeout"),
        NET,
        USE_TOKIO_NET,
    ),
    api(Api::Path("std::net::TcpListener::bind"), NET, USE_TOKIO_NET),
    api(Api::Path("std::net::UdpSocket::bind"), NET, USE_TOKIO_NET),
    api(
        Api::Method {
            name: "accept",
            args: &[0],
            certain: false,
        },
        NET,
        "use `tokio::net::TcpListener` and `.accept().await`",
    ),
    api(
        Api::Method {
            name: "incoming",
            args: &[0],
            certain: false,
        },
        NET,
        "use `tokio::net::TcpListener` and loop on `.accept().await`",
    ),
    api(
        Api::Method {
            name: "send_to",
            args: &[2],
            certain: false,
        },
        NET,
        "use `tokio::net::UdpSocket` and `.send_to(..).await`",
    ),
    api(
        Api::Method {
            name: "recv_from",
            args: &[1],
            certain: false,
        },
        NET,
        "use `tokio::net::UdpSocket` and `.recv_from(..).await`",
    ),
    api(
        Api::MethodOn {
            name: "output",
            root: "std::process::Command::new",
        },
        PROCESS,
        USE_TOKIO_PROCESS,
    ),
    api(
        Api::MethodOn {
            name: "status",
            root: "std::process::Command::new",
        },
        PROCESS,
        USE_TOKIO_PROCESS,
    ),
    api(
        Api::Method {
            name: "wait_with_output",
            args: &[0],
            certain: false,
        },
        PROCESS,
        USE_TOKIO_PROCESS,
    ),
    api(
        Api::MethodOn {
            name: "read_to_string",
            root: "std::io::stdin",
        },
        STDIN,
        "use `tokio::io::stdin()` with `AsyncReadExt`",
    ),
    api(
        Api::MethodOn {
            name: "lines",
            root: "std::io::stdin",
        },
        STDIN,
        "use `tokio::io::BufReader::new(tokio::io::stdin()).lines()`",
    ),
    api(
        Api::MethodOn {
            name: "lock",
            root: "std::io::stdin",
        },
        STDIN,
        "use `tokio::io::stdin()`",
    ),
    api(
        Api::Method {
            name: "read_line",
            args: &[1],
            certain: false,
        },
        STDIN,
        "use `tokio::io::AsyncBufReadExt::read_line(..).await`",
    ),
    api(
        Api::Path("futures::executor::block_on"),
        BLOCK_ON,
        USE_AWAIT,
    ),
    api(Api::Path("futures_executor::block_on"), BLOCK_ON, USE_AWAIT),
    api(
        Api::Method {
            name: "block_on",
            args: &[1],
            certain: true,
        },
        BLOCK_ON,
        USE_AWAIT,
    ),
    api(
        Api::Method {
            name: "blocking_recv",
            args: &[0],
            certain: true,
        },
        TOKIO_BLOCKING,
        "use `.recv().await`",
    ),
    api(
        Api::Method {
            name: "blocking_send",
            args: &[1],
            certain: true,
        },
        TOKIO_BLOCKING,
        "use `.send(value).await`",
    ),
    api(
        Api::Method {
            name: "blocking_lock",
            args: &[0],
            certain: true,
        },
        TOKIO_BLOCKING,
        "use `.lock().await`",
    ),
    api(
        Api::Method {
            name: "blocking_read",
            args: &[0],
            certain: true,
        },
        TOKIO_BLOCKING,
        "use `.read().await`",
    ),
    api(
        Api::Method {
            name: "blocking_write",
            args: &[0],
            certain: true,
        },
        TOKIO_BLOCKING,
        "use `.write().await`",
    ),
    api(
        Api::Method {
            name: "recv",
            args: &[0],
            certain: false,
        },
        SYNC_WAIT,
        USE_ASYNC_CHANNEL,
    ),
    api(
        Api::Method {
            name: "recv_timeout",
            args: &[1],
            certain: false,
        },
        SYNC_WAIT,
        "use `tokio::time::timeout(d, rx.recv()).await` on a tokio channel",
    ),
    api(
        Api::Method {
            name: "join",
            args: &[0],
            certain: false,
        },
        SYNC_WAIT,
        "`.await` a `tokio::task::JoinHandle` (from `tokio::task::spawn_blocking`) instead of joining a thread",
    ),
    api(
        Api::Method {
            name: "wait",
            args: &[0, 1],
            certain: false,
        },
        "parks the thread until another thread signals it or a child process exits",
        "use `tokio::sync::Notify`, `tokio::sync::Barrier` or `tokio::process::Child::wait().await`",
    ),
    api(
        Api::Method {
            name: "wait_timeout",
            args: &[2],
            certain: false,
        },
        SYNC_WAIT,
        "use `tokio::sync::Notify` with `tokio::time::timeout`",
    ),
    api(
        Api::Method {
            name: "wait_while",
            args: &[2],
            certain: false,
        },
        SYNC_WAIT,
        "use `tokio::sync::Notify` or `tokio::sync::watch`",
    ),
    api(
        Api::Below("reqwest::blocking"),
        REQWEST,
        "use the async `reqwest::Client` and await it",
    ),
];

const fn api(api: Api, why: &'static str, fix: &'static str) -> BlockingApi {
    BlockingApi { api, why, fix }
}

/// Short names a file commonly imports, assumed when the macro cannot see the file's `use`
/// items. Calls resolved through a guess are flagged only where the result is clearly not a
/// future (not awaited, not passed on), so `use tokio::fs; fs::read(p).await` stays clean.
pub const COMMON_IMPORTS: &[(&str, &str)] = &[
    ("thread", "std::thread"),
    ("fs", "std::fs"),
    ("net", "std::net"),
    ("io", "std::io"),
    ("process", "std::process"),
    ("mpsc", "std::sync::mpsc"),
    ("executor", "futures::executor"),
    ("File", "std::fs::File"),
    ("OpenOptions", "std::fs::OpenOptions"),
    ("TcpStream", "std::net::TcpStream"),
    ("TcpListener", "std::net::TcpListener"),
    ("UdpSocket", "std::net::UdpSocket"),
    ("Command", "std::process::Command"),
    ("stdin", "std::io::stdin"),
    ("sleep", "std::thread::sleep"),
    ("block_on", "futures::executor::block_on"),
    ("read_to_string", "std::fs::read_to_string"),
];

/// Crate roots whose paths are taken as written: a path starting with one of these is the API.
pub const KNOWN_ROOTS: &[&str] = &[
    "std",
    "core",
    "alloc",
    "futures",
    "futures_executor",
    "tokio",
    "reqwest",
    "crossbeam_channel",
    "flume",
];

/// Calls whose closure argument runs off the executor: nothing inside is checked.
pub const OFFLOADING_CALLS: &[&str] = &[
    "spawn_blocking",
    "block_in_place",
    "offload",
    "offload_with_token",
    "std::thread::spawn",
    "std::thread::scope",
    "std::thread::Builder::spawn",
];

/// The blocking API a canonical path names, if any.
pub fn by_path(path: &str) -> Option<&'static BlockingApi> {
    BLOCKING.iter().find(|entry| match entry.api {
        Api::Path(p) => p == path,
        Api::ModuleFns(module) => path
            .strip_prefix(module)
            .and_then(|rest| rest.strip_prefix("::"))
            .is_some_and(|name| {
                !name.contains("::") && name.starts_with(|c: char| c.is_ascii_lowercase())
            }),
        Api::Below(prefix) => path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with("::")),
        Api::Method { .. } | Api::MethodOn { .. } => false,
    })
}

/// The blocking method with this name and argument count, if any.
pub fn by_method(name: &str, args: usize) -> Option<&'static BlockingApi> {
    BLOCKING.iter().find(|entry| match entry.api {
        Api::Method {
            name: n,
            args: counts,
            ..
        } => n == name && counts.contains(&args),
        _ => false,
    })
}

/// The blocking method called on a value made by `root` (a canonical constructor path).
pub fn by_method_on(name: &str, root: &str) -> Option<&'static BlockingApi> {
    BLOCKING.iter().find(|entry| match entry.api {
        Api::MethodOn { name: n, root: r } => n == name && r == root,
        _ => false,
    })
}

/// True for a method that exists only on blocking APIs.
pub fn is_certain(entry: &BlockingApi) -> bool {
    matches!(entry.api, Api::Method { certain: true, .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_fns_match_lowercase_fns_only() {
        assert!(by_path("std::fs::read").is_some());
        assert!(by_path("std::fs::remove_dir_all").is_some());
        assert!(by_path("std::fs::OpenOptions::new").is_none());
        assert!(by_path("std::fs").is_none());
        assert!(by_path("tokio::fs::read").is_none());
    }

    #[test]
    fn below_matches_nested_paths() {
        assert!(by_path("reqwest::blocking::get").is_some());
        assert!(by_path("reqwest::blocking::Client::new").is_some());
        assert!(by_path("reqwest::get").is_none());
    }

    #[test]
    fn methods_match_on_arity() {
        assert!(by_method("join", 0).is_some());
        assert!(
            by_method("join", 1).is_none(),
            "Path::join and slice join take an argument"
        );
        assert!(by_method("blocking_recv", 0).is_some_and(is_certain));
    }
}
