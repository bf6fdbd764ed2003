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
    tokio::time::sleep(full_jitter(std::time::Duration::from_millis(
        5u64 << n.min(7),
    )))
    .await;
}

/// A random duration from zero to `cap` ("full jitter" backoff).
pub fn full_jitter(cap: std::time::Duration) -> std::time::Duration {
    use std::hash::BuildHasher;
    // A fresh RandomState is randomly keyed: a cheap source of randomness.
    let r = std::collections::hash_map::RandomState::new().hash_one(0u8);
    let cap_us = cap.as_micros().min(u64::MAX as u128) as u64;
    std::time::Duration::from_micros(r % (cap_us + 1))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::storage::memory::MemoryStorage;
    use crate::engine::storage::{ListPage, ObjectMeta};
    use futures::future::BoxFuture;

    /// An "S3 server" that honours preconditions or ignores them (as a store without
    /// conditional writes does).
    struct Server(MemoryStorage, bool);

    impl Storage for Server {
        fn name(&self) -> &'static str {
            "s3"
        }
        fn put(&self, key: String, mut req: PutRequest) -> BoxFuture<'_, Result<()>> {
            if !self.1 {
                req.precondition = None;
            }
            self.0.put(key, req)
        }
        fn get(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, Bytes)>> {
            self.0.get(key)
        }
        fn head(&self, key: String) -> BoxFuture<'_, Result<ObjectMeta>> {
            self.0.head(key)
        }
        fn list(
            &self,
            prefix: String,
            max_keys: usize,
            token: Option<String>,
        ) -> BoxFuture<'_, Result<ListPage>> {
            self.0.list(prefix, max_keys, token)
        }
        fn delete(&self, key: String) -> BoxFuture<'_, Result<()>> {
            self.0.delete(key)
        }
        fn delete_many(&self, keys: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
            self.0.delete_many(keys)
        }
        fn copy(&self, from: String, to: String) -> BoxFuture<'_, Result<()>> {
            self.0.copy(from, to)
        }
    }

    fn guard(mode: Concurrency, raw: Arc<dyn Storage>) -> WriteGuard {
        WriteGuard::new(mode, raw, "p".into())
    }

    #[tokio::test]
    async fn a_server_that_ignores_preconditions_falls_back_once_or_fails() {
        let raw: Arc<dyn Storage> = Arc::new(Server(MemoryStorage::new(), false));
        let auto = guard(Concurrency::Auto, raw.clone());
        assert!(!auto.enabled().await.expect("auto falls back"));
        assert_eq!(auto.take_warning(), Some(FALLBACK_WARNING));
        assert_eq!(auto.take_warning(), None, "warned once");
        let listed = raw.list("p/".into(), 10, None).await.expect("list");
        assert!(listed.objects.is_empty(), "the probe object is removed");

        let strict = guard(Concurrency::Optimistic, raw.clone());
        let e = strict.enabled().await.expect_err("optimistic needs them");
        assert_eq!(e.kind(), ErrorKind::ConnectionStringError);

        let lww = guard(Concurrency::LastWriterWins, raw);
        assert!(!lww.enabled().await.expect("lww"));
        assert_eq!(lww.take_warning(), None);
    }

    #[tokio::test]
    async fn a_server_that_honours_them_keeps_them_and_prepare_strips_only_when_off() {
        let honest: Arc<dyn Storage> = Arc::new(Server(MemoryStorage::new(), true));
        let g = guard(Concurrency::Auto, honest.clone());
        assert!(g.enabled().await.expect("probed: honoured"));
        let listed = honest.list("p/".into(), 10, None).await.expect("list");
        assert!(listed.objects.is_empty(), "the probe object is removed");
        assert_eq!(g.take_warning(), None);
        let req = PutRequest {
            precondition: Some(Precondition::IfNoneMatch),
            ..Default::default()
        };
        assert!(g
            .prepare(req.clone())
            .await
            .expect("kept")
            .precondition
            .is_some());
        let off = guard(Concurrency::LastWriterWins, honest);
        assert!(off
            .prepare(req)
            .await
            .expect("stripped")
            .precondition
            .is_none());
    }

    #[tokio::test]
    async fn retries_stop_after_the_limit_with_the_attempt_count() {
        let calls = std::sync::atomic::AtomicU32::new(0);
        let e = retry_conflicts(|_| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(EngineError::new(ErrorKind::ConflictError, "lost"))
        })
        .await
        .expect_err("gives up");
        assert_eq!(calls.load(Ordering::SeqCst), CONFLICT_ATTEMPTS);
        assert_eq!(
            e.details.get("attempts"),
            Some(&serde_json::json!(CONFLICT_ATTEMPTS))
        );
        // Other failures are not retried; a success after conflicts is returned.
        let n = std::sync::atomic::AtomicU32::new(0);
        let ok = retry_conflicts(|i| {
            n.fetch_add(1, Ordering::SeqCst);
            async move {
                if i < 3 {
                    Err(EngineError::new(ErrorKind::ConflictError, "lost"))
                } else {
                    Ok(i)
                }
            }
        })
        .await
        .expect("lands on the third");
        assert_eq!(ok, 3);
        let e = retry_conflicts(|_| async {
            Err::<(), _>(EngineError::new(ErrorKind::NoSuchKey, "x"))
        })
        .await
        .expect_err("not retried");
        assert_eq!(e.kind(), ErrorKind::NoSuchKey);
    }
}
