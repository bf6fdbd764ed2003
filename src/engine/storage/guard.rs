//! Whether this connection's read-modify-writes send their preconditions.
//!
//! The engine always states what a write expects of the object it replaces
//! ([`Precondition`]); this guard decides, once per connection, whether those
//! preconditions reach the store. `memory://` and `file://` implement them
//! themselves. An S3 server is probed on the first conditional write: two
//! create-only writes of one probe key must give success, then a refusal. A
//! server that refuses the header, or ignores it, gets last-writer-wins (with a
//! one-time warning) under `concurrency: 'auto'`, and an error under
//! `'optimistic'`.

use super::{Precondition, PutRequest, Storage};
use crate::engine::config::Concurrency;
use crate::engine::error::{EngineError, ErrorKind, Result};
use bytes::Bytes;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::OnceCell;

pub struct WriteGuard {
    mode: Concurrency,
    /// The store below the request limit and meter: the probe is not the user's traffic.
    raw: Arc<dyn Storage>,
    /// Key prefix of the probe object (the connection's own prefix).
    probe_prefix: String,
    /// What the store does with conditional writes (decided once).
    supported: OnceCell<bool>,
    warned: AtomicBool,
}

/// The warning given once when conditional writes are off because the server lacks them.
pub const FALLBACK_WARNING: &str = "s3db-native: this S3 server ignores or refuses conditional writes (If-Match / If-None-Match), so concurrent writers fall back to last-writer-wins. Set `concurrency: 'last-writer-wins'` to silence this, or `'optimistic'` to make it an error.";

impl WriteGuard {
    pub fn new(mode: Concurrency, raw: Arc<dyn Storage>, probe_prefix: String) -> Self {
        WriteGuard {
            mode,
            raw,
            probe_prefix,
            supported: OnceCell::new(),
            warned: AtomicBool::new(false),
        }
    }

    /// Whether preconditions are sent: false under last-writer-wins, or when an S3
    /// server cannot honour them under `auto`. Under `optimistic`, such a server is an error.
    pub async fn enabled(&self) -> Result<bool> {
        if self.mode == Concurrency::LastWriterWins {
            return Ok(false);
        }
        let supported = *self
            .supported
            .get_or_try_init(|| async {
                if self.raw.name() == "s3" {
                    self.probe().await
                } else {
                    Ok(true)
                }
            })
            .await?;
        if !supported && self.mode == Concurrency::Optimistic {
            return Err(EngineError::new(
                ErrorKind::ConnectionStringError,
                "concurrency: 'optimistic' needs conditional writes (If-Match / If-None-Match), which this S3 server ignores or refuses",
            ));
        }
        Ok(supported)
    }

    /// [`FALLBACK_WARNING`] the first time it is asked for after a fallback, else `None`.
    pub fn take_warning(&self) -> Option<&'static str> {
        let fell_back = self.supported.get() == Some(&false) && self.mode == Concurrency::Auto;
        (fell_back && !self.warned.swap(true, Ordering::SeqCst)).then_some(FALLBACK_WARNING)
    }

    /// `req` as it should be sent: its precondition dropped when they are off.
    pub async fn prepare(&self, mut req: PutRequest) -> Result<PutRequest> {
        if req.precondition.is_some() && !self.enabled().await? {
            req.precondition = None;
        }
        Ok(req)
    }

    async fn probe(&self) -> Result<bool> {
        let key = format!(
            "{}{}.s3db-conditional-probe-{}",
            self.probe_prefix,
            if self.probe_prefix.is_empty() {
                ""
            } else {
                "/"
            },
            nanoid::nanoid!(12)
        );
        let create = || PutRequest {
            body: Bytes::new(),
            precondition: Some(Precondition::IfNoneMatch),
            ..Default::default()
        };
        match self.raw.put(key.clone(), create()).await {
            // Refused outright (400 / 501): the server does not take the header.
            Err(e) if !e.is_retryable() => return Ok(false),
            // Unreachable: nothing was written, nothing is decided.
            Err(e) => return Err(e),
            Ok(()) => {}
        }
        let verdict = match self.raw.put(key.clone(), create()).await {
            Ok(()) => Ok(false),
            Err(e) if e.kind() == ErrorKind::ConflictError => Ok(true),
            Err(e) if !e.is_retryable() => Ok(false),
            Err(e) => Err(e),
        };
        let _ = self.raw.delete(key).await;
        verdict
    }
}

/// Attempts of a read-modify-write that keeps meeting other writers before it
/// gives up with `ConflictError` (its `attempts` detail says how many it made).
pub const CONFLICT_ATTEMPTS: u32 = 10;

/// Pause after failed attempt `n` (from 1) of a read-modify-write: a random time
/// up to 5 ms doubling per attempt, capped at 640 ms ("full jitter"), so writers
/// that collided do not collide again in step.
pub async fn conflict_pause(n: u32) {
    use std::hash::BuildHasher;
    let cap_ms = 5u64 << n.min(7);
    // A fresh RandomState is randomly keyed: a cheap source of jitter.
    let r = std::collections::hash_map::RandomState::new().hash_one(n);
    tokio::time::sleep(std::time::Duration::from_micros(r % (cap_ms * 1000 + 1))).await;
}

/// Runs `attempt` until it succeeds, fails with anything but `ConflictError`, or has
/// failed [`CONFLICT_ATTEMPTS`] times; the last `ConflictError` then carries `attempts`.
pub async fn retry_conflicts<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut n = 0;
    loop {
        n += 1;
        match attempt(n).await {
            Err(e) if e.kind() == ErrorKind::ConflictError => {
                if n >= CONFLICT_ATTEMPTS {
                    return Err(e.with("attempts", n));
                }
                conflict_pause(n).await;
            }
            other => return other,
        }
    }
}
