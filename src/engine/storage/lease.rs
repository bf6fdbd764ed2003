//! Leases: mutual exclusion between writers of one record on S3.
//!
//! Conditional writes compare ETags, and an S3 ETag is a hash of the object's
//! body. A record keeps its fields in metadata over an empty (or unchanged)
//! body, so every version of it has the same ETag and `If-Match` cannot tell
//! them apart. On S3, a read-modify-write of a record therefore runs under a
//! lease: a small lock object, `<prefix>/.s3db-locks/<name>`, created with
//! `If-None-Match: *`. Its body (a random token and an expiry) differs on every
//! write, so a lease left by a process that died is taken over with `If-Match`
//! once it has expired. The lock objects live outside every resource prefix, so
//! listings never see them; the lease is released (deleted) when the write ends.
//!
//! `memory://` and `file://` give every write a fresh ETag, so `If-Match` alone
//! guards records there and no lease is taken.

use super::guard::conflict_pause;
use super::{Bucket, Precondition, PutRequest};
use crate::engine::error::{EngineError, ErrorKind, Result};
use bytes::Bytes;
use std::future::Future;
use std::time::{Duration, Instant};

/// How long a lease holds when its holder never releases it (a process that died).
pub const LEASE_MS: i64 = 30_000;
/// How long a writer waits for a lease before it gives up with `ConflictError`.
pub const LEASE_WAIT: Duration = Duration::from_secs(60);
/// Where the lock objects live, under the key prefix.
pub const LOCK_PREFIX: &str = ".s3db-locks";

impl Bucket {
    /// Whether record writes here need a lease (S3 with conditional writes on).
    pub async fn needs_lease(&self) -> Result<bool> {
        Ok(self.backend_name() == "s3" && self.guard().enabled().await?)
    }

    /// Runs `work` holding the lease `name` when [`Bucket::needs_lease`]; directly otherwise.
    pub async fn leased<T, Fut>(&self, name: &str, work: impl FnOnce() -> Fut) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        if !self.needs_lease().await? {
            return work().await;
        }
        let key = format!("{LOCK_PREFIX}/{name}");
        self.acquire(&key).await?;
        let result = work().await;
        // Released whatever happened; an expired lease taken over by another
        // writer meanwhile would be deleted too (a lease outlives any request).
        let _ = self.delete(&key).await;
        result
    }

    async fn acquire(&self, key: &str) -> Result<()> {
        let started = Instant::now();
        let mut attempt = 0u32;
        // One token per acquisition: a lease whose create was answered by a dropped
        // connection (and refused when the SDK sent it again) is recognised as ours.
        let token = nanoid::nanoid!(16);
        loop {
            attempt += 1;
            let lease = |precondition| PutRequest {
                body: Bytes::from(format!(
                    "{{\"token\":\"{token}\",\"expires\":{}}}",
                    super::now_ms() + LEASE_MS
                )),
                content_type: Some("application/json".into()),
                precondition: Some(precondition),
                ..Default::default()
            };
            match self.put(key, lease(Precondition::IfNoneMatch)).await {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() != ErrorKind::ConflictError => return Err(e),
                Err(_) => {}
            }
            // Held by someone: take it over only if it has expired.
            match self.get(key).await {
                Ok((meta, body)) => {
                    let held = serde_json::from_slice::<serde_json::Value>(&body).ok();
                    let field = |name: &str| held.as_ref().and_then(|v| v.get(name)).cloned();
                    if field("token").as_ref().and_then(serde_json::Value::as_str)
                        == Some(token.as_str())
                    {
                        return Ok(());
                    }
                    let expires = field("expires")
                        .as_ref()
                        .and_then(serde_json::Value::as_i64)
                        .unwrap_or(0);
                    if expires < super::now_ms() {
                        if let Some(etag) = meta.etag {
                            match self.put(key, lease(Precondition::IfMatch(etag))).await {
                                Ok(()) => return Ok(()),
                                Err(e) if e.kind() != ErrorKind::ConflictError => return Err(e),
                                Err(_) => {}
                            }
                        }
                    }
                }
                // Released between the two requests: try again at once.
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            }
            if started.elapsed() >= LEASE_WAIT {
                return Err(EngineError::new(
                    ErrorKind::ConflictError,
                    format!("Another writer held [{key}] for {} s", LEASE_WAIT.as_secs()),
                )
                .with("key", key)
                .with("reason", "locked")
                .with("attempts", attempt));
            }
            conflict_pause(attempt.min(6)).await;
        }
    }
}
