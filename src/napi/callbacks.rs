//! Named ThreadsafeFunction types.
//!
//! | Rust type        | JS signature                        | why                                    |
//! |------------------|-------------------------------------|----------------------------------------|
//! | `ReaderCallback` | `(message: string) => boolean`      | one reader message (JSON text) per call |
//!
//! `ReaderCallback` is strong (it keeps the event loop alive while a stream
//! runs) and callee-unhandled (`CalleeHandled = false`: Rust never calls it
//! with an error; errors travel inside the message). Its queue is unbounded at
//! the N-API level, but the pump awaits each call's return value before it
//! makes the next one, so at most one message per stream is ever queued. The
//! JS side never throws (its body is wrapped in try/catch and turns failures
//! into `destroy(err)`); a throw would still be caught by `call_async_catch`.

use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;

/// Reader pump -> JS `Readable`. Returns `true` for "send the next batch now",
/// `false` for "paused: wait for `resume()`".
pub type ReaderCallback = ThreadsafeFunction<String, bool, String, Status, false>;
