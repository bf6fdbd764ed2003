//! Named ThreadsafeFunction types.
//!
//! | Rust type        | JS signature                        | why                                    |
//! |------------------|-------------------------------------|----------------------------------------|
//! | `ReaderCallback` | `(message: string) => boolean`      | one reader message (JSON text) per call |
//! | `HookCallback`   | `(call: string) => Promise<string>` | one lifecycle-hook chain per call       |
//!
//! `ReaderCallback` is weak: the JS `ResourceReader` keeps the event loop alive
//! itself while it waits for data (a ref'd timer), so a paused or abandoned
//! reader never holds the process open. It is callee-unhandled (`CalleeHandled = false`: Rust never calls it
//! with an error; errors travel inside the message). Its queue is unbounded at
//! the N-API level, but the pump awaits each call's return value before it
//! makes the next one, so at most one message per stream is ever queued. The
//! JS side never throws (its body is wrapped in try/catch and turns failures
//! into `destroy(err)`); a throw would still be caught by `call_async_catch`.

use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;

/// Reader pump -> JS `Readable`. Returns `true` for "send the next batch now",
/// `false` for "paused: wait for `resume()`".
pub type ReaderCallback = ThreadsafeFunction<String, bool, String, Status, false, true>;

/// Engine operation -> the resource's JS hook chain. Weak: registered hooks must
/// not keep the process alive (a pending operation's own promise does that).
/// Callee-unhandled: the JS side turns a throwing hook into `{"error": token}`.
pub type HookCallback = ThreadsafeFunction<String, Promise<String>, String, Status, false, true>;
