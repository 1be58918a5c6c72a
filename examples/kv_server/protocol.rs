//! The line protocol: one request a line, one reply a line. Pure and sync, so it is easy to test.
//! Framing (the newline, a CRLF's `\r`, the length limit) is the reader's job in `server.rs`;
//! here a line is already one request without its line ending.

use std::fmt;
use std::sync::Arc;

/// The longest request line accepted, line ending included; a longer one closes the connection.
pub const MAX_LINE: usize = 1 << 20;
/// Rounds of FNV-1a that `HASH` runs over a value: slow on purpose, like a password hash.
const ROUNDS: usize = 32;
/// Bytes hashed between two looks at the cancellation flag: well under a millisecond of work.
const CHUNK: usize = 64 * 1024;

/// A parsed request.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    /// `SET key value`: the value is the rest of the line, spaces included.
    Set { key: String, value: Arc<str> },
    /// `GET key`.
    Get { key: String },
    /// `DEL key`.
    Del { key: String },
    /// `HASH key`: the digest of the value, computed off the executor.
    Hash { key: String },
    /// `TREE`: warden's live supervision tree, one line a node, then `END`.
    Tree,
}

/// A reply, written as one line (`TREE`'s as several, the last one `END`).
#[derive(Debug)]
pub enum Reply {
    Ok,
    Value(Arc<str>),
    NotFound,
    Deleted,
    Digest(u64),
    /// `ERR busy`: refused before anything ran, so retrying the same request later is safe.
    Busy,
    /// `ERR full`: the store is at its memory cap; nothing was written.
    Full,
    /// The live tree's text, one line a node.
    Tree(String),
    Error(String),
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Ok => f.write_str("OK"),
            Reply::Value(value) => write!(f, "VALUE {value}"),
            Reply::NotFound => f.write_str("NOT_FOUND"),
            Reply::Deleted => f.write_str("DELETED"),
            Reply::Digest(digest) => write!(f, "DIGEST {digest:016x}"),
            Reply::Busy => f.write_str("ERR busy"),
            Reply::Full => f.write_str("ERR full"),
            Reply::Tree(tree) => write!(f, "{tree}END"),
            Reply::Error(reason) => write!(f, "ERR {reason}"),
        }
    }
}

/// Parses one line (without its line ending); the error is the reason sent back after `ERR`.
///
/// # Errors
/// A short, printable reason for any line that is not a well-formed request.
pub fn parse(line: &[u8]) -> Result<Request, String> {
    let line = std::str::from_utf8(line).map_err(|_| "request is not UTF-8".to_owned())?;
    let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
    match command.to_ascii_uppercase().as_str() {
        "SET" => {
            let usage = "usage: SET <key> <value>";
            let (key, value) = rest.split_once(' ').ok_or(usage)?;
            Ok(Request::Set {
                key: single_key(key, usage)?,
                value: value.into(),
            })
        }
        "GET" => Ok(Request::Get {
            key: single_key(rest, "usage: GET <key>")?,
        }),
        "DEL" => Ok(Request::Del {
            key: single_key(rest, "usage: DEL <key>")?,
        }),
        "HASH" => Ok(Request::Hash {
            key: single_key(rest, "usage: HASH <key>")?,
        }),
        "TREE" if rest.is_empty() => Ok(Request::Tree),
        "TREE" => Err("usage: TREE".to_owned()),
        "" => Err("empty request".to_owned()),
        _ => {
            let shown: String = command
                .chars()
                .take(20)
                .flat_map(char::escape_debug)
                .collect();
            Err(format!(
                "unknown command `{shown}`: use SET, GET, DEL, HASH or TREE"
            ))
        }
    }
}

fn single_key(text: &str, usage: &str) -> Result<String, String> {
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Err(usage.to_owned());
    }
    Ok(text.to_owned())
}

/// `ROUNDS` of 64-bit FNV-1a over `bytes`: milliseconds of CPU for a large value.
#[must_use]
pub fn digest(bytes: &[u8]) -> u64 {
    digest_until(bytes, || false).unwrap_or_default()
}

/// [`digest`] that asks `cancelled` between chunks and gives up (`None`) once it says yes, so
/// work nobody waits for any more stops within a chunk.
pub fn digest_until(bytes: &[u8], cancelled: impl Fn() -> bool) -> Option<u64> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..ROUNDS {
        for chunk in bytes.chunks(CHUNK) {
            if cancelled() {
                return None;
            }
            for &byte in chunk {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    Some(hash)
}
