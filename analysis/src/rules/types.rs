//! What calls return, for knowing a receiver's type: constructors and builder methods of the
//! types whose methods block, one line each. A value whose type this table and the source do not
//! show is of unknown type, and a method called on it is never judged by its name.

/// What a call returns.
#[derive(Clone, Copy, Debug)]
pub enum Returns {
    /// This type.
    Type(&'static str),
    /// `Result<this type>` (or `io::Result`).
    Ok(&'static str),
    /// A pair of these types (a channel's two ends).
    Pair(&'static str, &'static str),
    /// The receiver's own type (a builder step, `clone`).
    Same,
    /// The type argument of the receiver (`Mutex<T>::lock` → a guard that derefs to `T`),
    /// wrapped in a `Result`.
    OkInner,
    /// The type of the first argument (`Arc::new(x)`, auto-derefed to `x`).
    FirstArgument,
}

/// Fns by canonical path, and what they return.
pub const CONSTRUCTORS: &[(&str, Returns)] = &[
    (
        "std::sync::mpsc::channel",
        Returns::Pair("std::sync::mpsc::Sender", "std::sync::mpsc::Receiver"),
    ),
    (
        "std::sync::mpsc::sync_channel",
        Returns::Pair("std::sync::mpsc::SyncSender", "std::sync::mpsc::Receiver"),
    ),
    (
        "crossbeam_channel::unbounded",
        Returns::Pair("crossbeam_channel::Sender", "crossbeam_channel::Receiver"),
    ),
    (
        "crossbeam_channel::bounded",
        Returns::Pair("crossbeam_channel::Sender", "crossbeam_channel::Receiver"),
    ),
    (
        "flume::unbounded",
        Returns::Pair("flume::Sender", "flume::Receiver"),
    ),
    (
        "flume::bounded",
        Returns::Pair("flume::Sender", "flume::Receiver"),
    ),
    (
        "std::process::Command::new",
        Returns::Type("std::process::Command"),
    ),
    (
        "std::thread::spawn",
        Returns::Type("std::thread::JoinHandle"),
    ),
    (
        "std::thread::Builder::new",
        Returns::Type("std::thread::Builder"),
    ),
    ("std::io::stdin", Returns::Type("std::io::Stdin")),
    (
        "std::sync::Barrier::new",
        Returns::Type("std::sync::Barrier"),
    ),
    (
        "std::sync::Condvar::new",
        Returns::Type("std::sync::Condvar"),
    ),
    (
        "std::net::TcpListener::bind",
        Returns::Ok("std::net::TcpListener"),
    ),
    (
        "std::net::UdpSocket::bind",
        Returns::Ok("std::net::UdpSocket"),
    ),
    (
        "std::net::TcpStream::connect",
        Returns::Ok("std::net::TcpStream"),
    ),
    ("std::fs::File::open", Returns::Ok("std::fs::File")),
    ("std::fs::File::create", Returns::Ok("std::fs::File")),
    (
        "std::fs::OpenOptions::new",
        Returns::Type("std::fs::OpenOptions"),
    ),
    ("std::path::Path::new", Returns::Type("std::path::Path")),
    (
        "std::path::PathBuf::new",
        Returns::Type("std::path::PathBuf"),
    ),
    (
        "std::path::PathBuf::from",
        Returns::Type("std::path::PathBuf"),
    ),
    ("std::sync::Arc::new", Returns::FirstArgument),
    ("std::rc::Rc::new", Returns::FirstArgument),
    ("std::boxed::Box::new", Returns::FirstArgument),
];

/// Methods by receiver type (canonical path) and name, and what they return.
pub const METHODS: &[(&[&str], &[&str], Returns)] = &[
    (
        &["std::process::Command"],
        &[
            "arg",
            "args",
            "env",
            "envs",
            "env_remove",
            "env_clear",
            "current_dir",
            "stdin",
            "stdout",
            "stderr",
        ],
        Returns::Same,
    ),
    (
        &["std::process::Command"],
        &["spawn"],
        Returns::Ok("std::process::Child"),
    ),
    (
        &["std::fs::OpenOptions"],
        &[
            "read",
            "write",
            "append",
            "truncate",
            "create",
            "create_new",
        ],
        Returns::Same,
    ),
    (
        &["std::fs::OpenOptions"],
        &["open"],
        Returns::Ok("std::fs::File"),
    ),
    (
        &["std::io::Stdin"],
        &["lock"],
        Returns::Type("std::io::StdinLock"),
    ),
    (
        &["std::thread::Builder"],
        &["name", "stack_size"],
        Returns::Same,
    ),
    (
        &["std::thread::Builder"],
        &["spawn"],
        Returns::Ok("std::thread::JoinHandle"),
    ),
    (
        &["std::path::Path", "std::path::PathBuf"],
        &["join", "to_path_buf", "with_extension", "with_file_name"],
        Returns::Type("std::path::PathBuf"),
    ),
    (
        &["std::sync::Mutex", "std::sync::RwLock"],
        &["lock", "read", "write"],
        Returns::OkInner,
    ),
];

/// Lock types: their `lock`/`read`/`write`/`borrow`.. methods return a guard (R2). A method of
/// that name on any other type, or on a receiver of unknown type, makes no guard.
pub const LOCKS: &[&str] = &[
    "std::sync::Mutex",
    "std::sync::RwLock",
    "std::cell::RefCell",
    "tokio::sync::Mutex",
    "tokio::sync::RwLock",
    "parking_lot::Mutex",
    "parking_lot::RwLock",
    "parking_lot::FairMutex",
    "parking_lot::ReentrantMutex",
    "futures::lock::Mutex",
    "async_lock::Mutex",
    "async_lock::RwLock",
    "async_std::sync::Mutex",
    "async_std::sync::RwLock",
];

/// Methods that return the receiver's own type, on any type.
pub const SAME_TYPE: &[&str] = &["clone", "to_owned"];

/// Methods that take the value out of a `Result` or `Option`.
pub const UNWRAP: &[&str] = &["unwrap", "expect", "unwrap_or_default", "unwrap_unchecked"];

/// Types whose first argument is the value inside (`Result<T, E>`, `Option<T>`).
pub const WRAPPERS: &[&str] = &[
    "std::result::Result",
    "std::option::Option",
    "std::io::Result",
];

/// What the fn at a canonical path returns, if the table knows.
pub fn constructor(path: &str) -> Option<Returns> {
    CONSTRUCTORS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, returns)| *returns)
}

/// What method `name` of the type at canonical path `ty` returns, if the table knows.
pub fn method(ty: &str, name: &str) -> Option<Returns> {
    METHODS
        .iter()
        .find(|(types, names, _)| types.contains(&ty) && names.contains(&name))
        .map(|(_, _, returns)| *returns)
}
