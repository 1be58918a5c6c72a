//! R1: the blocking APIs, one line each: what blocks, why, and what to use instead.
//!
//! Adding an API is adding a line to [`BLOCKING`]. Paths are the canonical paths after `use`
//! resolution. A method is either one whose name exists only on blocking APIs (`blocking_recv`),
//! flagged on any receiver, or a method of named types (`Receiver::recv`), flagged only where the
//! receiver's type is known to be one of them: a user type with a `recv` method is never flagged.

/// How a blocking API is recognised in a call.
#[derive(Clone, Copy, Debug)]
pub enum Api {
    /// A fn or associated fn at this canonical path.
    Path(&'static str),
    /// Every lowercase fn directly in this module (`std::fs::read`, `std::fs::copy`, ...).
    ModuleFns(&'static str),
    /// Every call below this path (`reqwest::blocking::get`, `reqwest::blocking::Client::new`).
    Below(&'static str),
    /// A method whose name exists only on blocking APIs, taking one of these argument counts.
    Named {
        /// The method name.
        name: &'static str,
        /// The argument counts it takes.
        args: &'static [usize],
    },
    /// Methods of these types (canonical paths), flagged where the receiver is known to be one.
    Typed {
        /// The types.
        types: &'static [&'static str],
        /// The method names.
        names: &'static [&'static str],
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

const RECEIVERS: &[&str] = &[
    "std::sync::mpsc::Receiver",
    "crossbeam_channel::Receiver",
    "flume::Receiver",
];
const STDIN_TYPES: &[&str] = &["std::io::Stdin", "std::io::StdinLock"];
const PATHS: &[&str] = &["std::path::Path", "std::path::PathBuf"];
const IO_METHODS: &[&str] = &[
    "read",
    "write",
    "read_exact",
    "write_all",
    "read_to_end",
    "read_to_string",
    "flush",
];

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
        typed(&["std::fs::OpenOptions"], &["open"]),
        FS,
        "use `tokio::fs::OpenOptions` and await `.open(path)`",
    ),
    api(typed(&["std::fs::File"], IO_METHODS), FS, USE_TOKIO_FS),
    api(
        typed(
            PATHS,
            &[
                "exists",
                "try_exists",
                "is_file",
                "is_dir",
                "is_symlink",
                "metadata",
                "symlink_metadata",
                "canonicalize",
                "read_dir",
                "read_link",
            ],
        ),
        "asks the file system synchronously",
        "use `tokio::fs::try_exists(path).await` or `tokio::fs::metadata(path).await`",
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
        typed(&["std::net::TcpListener"], &["accept", "incoming"]),
        NET,
        "use `tokio::net::TcpListener` and loop on `.accept().await`",
    ),
    api(
        typed(
            &["std::net::UdpSocket"],
            &["send_to", "recv_from", "send", "recv", "peek", "peek_from"],
        ),
        NET,
        "use `tokio::net::UdpSocket` and await its methods",
    ),
    api(
        typed(&["std::net::TcpStream"], IO_METHODS),
        NET,
        USE_TOKIO_NET,
    ),
    api(
        typed(&["std::process::Command"], &["output", "status"]),
        PROCESS,
        USE_TOKIO_PROCESS,
    ),
    api(
        typed(&["std::process::Child"], &["wait", "wait_with_output"]),
        PROCESS,
        USE_TOKIO_PROCESS,
    ),
    api(
        typed(
            STDIN_TYPES,
            &[
                "read_line",
                "lines",
                "lock",
                "read_to_string",
                "read_to_end",
            ],
        ),
        STDIN,
        "use `tokio::io::stdin()` with `AsyncBufReadExt`",
    ),
    api(
        Api::Path("futures::executor::block_on"),
        BLOCK_ON,
        USE_AWAIT,
    ),
    api(Api::Path("futures_executor::block_on"), BLOCK_ON, USE_AWAIT),
    api(named("block_on", &[1]), BLOCK_ON, USE_AWAIT),
    api(
        named("blocking_recv", &[0]),
        TOKIO_BLOCKING,
        "use `.recv().await`",
    ),
    api(
        named("blocking_send", &[1]),
        TOKIO_BLOCKING,
        "use `.send(value).await`",
    ),
    api(
        named("blocking_lock", &[0]),
        TOKIO_BLOCKING,
        "use `.lock().await`",
    ),
    api(
        named("blocking_read", &[0]),
        TOKIO_BLOCKING,
        "use `.read().await`",
    ),
    api(
        named("blocking_write", &[0]),
        TOKIO_BLOCKING,
        "use `.write().await`",
    ),
    api(
        typed(
            RECEIVERS,
            &["recv", "recv_timeout", "recv_deadline", "iter"],
        ),
        SYNC_WAIT,
        USE_ASYNC_CHANNEL,
    ),
    api(
        typed(&["std::sync::mpsc::SyncSender"], &["send"]),
        SYNC_WAIT,
        "use `tokio::sync::mpsc::Sender` and `.send(value).await`",
    ),
    api(
        typed(
            &["std::thread::JoinHandle", "std::thread::ScopedJoinHandle"],
            &["join"],
        ),
        SYNC_WAIT,
        "`.await` a `tokio::task::JoinHandle` (from `tokio::task::spawn_blocking`) instead of joining a thread",
    ),
    api(
        typed(
            &["std::sync::Condvar"],
            &["wait", "wait_timeout", "wait_while", "wait_timeout_while"],
        ),
        SYNC_WAIT,
        "use `tokio::sync::Notify` or `tokio::sync::watch`",
    ),
    api(
        typed(&["std::sync::Barrier"], &["wait"]),
        SYNC_WAIT,
        "use `tokio::sync::Barrier` and `.wait().await`",
    ),
    api(
        Api::Below("reqwest::blocking"),
        REQWEST,
        "use the async `reqwest::Client` and await it",
    ),
];

const fn named(name: &'static str, args: &'static [usize]) -> Api {
    Api::Named { name, args }
}

const fn typed(types: &'static [&'static str], names: &'static [&'static str]) -> Api {
    Api::Typed { types, names }
}

const fn api(api: Api, why: &'static str, fix: &'static str) -> BlockingApi {
    BlockingApi { api, why, fix }
}

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
        Api::Named { .. } | Api::Typed { .. } => false,
    })
}

/// The blocking method whose name alone says it blocks, with this argument count.
pub fn by_name(name: &str, args: usize) -> Option<&'static BlockingApi> {
    BLOCKING.iter().find(|entry| match entry.api {
        Api::Named {
            name: n,
            args: counts,
        } => n == name && counts.contains(&args),
        _ => false,
    })
}

/// The blocking method `name` of the type at canonical path `ty`.
pub fn by_typed_method(ty: &str, name: &str) -> Option<&'static BlockingApi> {
    BLOCKING.iter().find(|entry| match entry.api {
        Api::Typed { types, names } => types.contains(&ty) && names.contains(&name),
        _ => false,
    })
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
    fn methods_match_on_their_type() {
        assert!(by_typed_method("std::thread::JoinHandle", "join").is_some());
        assert!(by_typed_method("std::path::PathBuf", "join").is_none());
        assert!(by_typed_method("std::path::Path", "exists").is_some());
        assert!(
            by_name("join", 0).is_none(),
            "a name shared with other APIs"
        );
        assert!(by_name("blocking_recv", 0).is_some());
    }
}
