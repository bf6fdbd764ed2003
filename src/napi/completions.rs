//! One completion channel per database for the hot engine calls.
//!
//! An `async fn` export costs the JS thread a promise, a threadsafe function (with
//! its own libuv handle) and an env cleanup hook per call, created and torn down
//! again. `resourceCall` instead takes a call id from the facade, runs on the
//! runtime, and leaves `(id, ok, text)` in this queue; the first completion into an
//! empty queue wakes JS through one long-lived threadsafe function, whose callback
//! takes everything queued by then in one `takeCompletions()`: under load many
//! completions per wake-up.
//!
//! The function is weak (it never keeps the process alive by itself); the facade
//! holds the event loop with `holdLoop(true)` while it has calls pending, as the
//! per-call promises did.

use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use std::sync::Mutex;

/// Completions queued -> JS (`() => void`; it calls `takeCompletions()`).
/// Weak, callee-unhandled: errors travel inside the completions.
pub type CompletionCallback = ThreadsafeFunction<(), (), (), Status, false, true>;

/// One finished call as the facade reads it.
#[napi_derive::napi(object)]
pub struct Completion {
    pub id: u32,
    /// `text`: the `{result, events}` JSON when true, the error text (`fromNative`'s input) when false.
    pub ok: bool,
    pub text: String,
}

#[derive(Default)]
pub struct Completions {
    queue: Mutex<Vec<Completion>>,
    wake: Mutex<Option<CompletionCallback>>,
}

impl Completions {
    pub fn set_callback(&self, cb: CompletionCallback) {
        *self.wake.lock().unwrap_or_else(|p| p.into_inner()) = Some(cb);
    }

    /// Queue one completion; wake JS when the queue was empty.
    pub fn push(&self, c: Completion) {
        let first = {
            let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            q.push(c);
            q.len() == 1
        };
        if first {
            if let Some(cb) = self.wake.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                // Closing (the env is going away): nobody is left to tell.
                let _ = cb.call((), ThreadsafeFunctionCallMode::NonBlocking);
            }
        }
    }

    pub fn take(&self) -> Vec<Completion> {
        std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Keep the event loop alive (pending calls) or let it go. `refer`/`unref` are
    /// `napi_ref_threadsafe_function`/`napi_unref_threadsafe_function` (the loop's
    /// reference, which is what is wanted here); napi-rs marks them deprecated in
    /// favour of `clone`, which counts threads instead.
    #[allow(deprecated)]
    pub fn hold_loop(&self, env: &Env, hold: bool) -> napi::Result<()> {
        match self.wake.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            Some(cb) if hold => cb.refer(env),
            Some(cb) => cb.unref(env),
            None => Ok(()),
        }
    }
}
