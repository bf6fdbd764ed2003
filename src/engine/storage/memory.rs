//! In-process backend (`memory://bucket/prefix`).
//!
//! Buckets live in a process-wide registry keyed by bucket name, so two
//! databases opened on the same `memory://` URL see the same objects (as two
//! clients of one S3 bucket would). Same semantics as S3: sorted keys, pages of
//! at most 1000, `NoSuchKey`/`NotFound`, deletes of missing keys succeed.

use super::{now_ms, ListPage, ListedObject, ObjectMeta, PutRequest, Storage};
use crate::engine::error::{EngineError, ErrorKind, Result};
use bytes::Bytes;
use futures::future::BoxFuture;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

#[derive(Clone)]
struct Stored {
    meta: ObjectMeta,
    body: Bytes,
}

#[derive(Default)]
pub struct MemoryStorage {
    objects: RwLock<BTreeMap<String, Stored>>,
    /// Source of ETags: every write gets the next number.
    writes: std::sync::atomic::AtomicU64,
}

fn registry() -> &'static Mutex<HashMap<String, Arc<MemoryStorage>>> {
    static REG: OnceLock<Mutex<HashMap<String, Arc<MemoryStorage>>>> = OnceLock::new();
    REG.get_or_init(|| Mutex::new(HashMap::new()))
}

impl MemoryStorage {
    /// The shared store for a bucket name (created on first use).
    pub fn shared(bucket: &str) -> Arc<MemoryStorage> {
        let mut reg = match registry().lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        reg.entry(bucket.to_string()).or_default().clone()
    }

    /// A private store (tests).
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Stored>> {
        match self.objects.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Stored>> {
        match self.objects.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// A fresh ETag: every write (and copy) makes a new version.
    fn next_etag(&self) -> String {
        let n = self
            .writes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("\"m{n}\"")
    }

    fn missing(kind: ErrorKind, key: &str) -> EngineError {
        EngineError::new(kind, format!("The specified key does not exist: {key}"))
    }
}

impl Storage for MemoryStorage {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn put(&self, key: String, req: PutRequest) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let meta = ObjectMeta {
                key: key.clone(),
                size: req.body.len() as u64,
                last_modified_ms: now_ms(),
                content_type: Some(
                    req.content_type
                        .unwrap_or_else(|| "application/octet-stream".into()),
                ),
                content_encoding: req.content_encoding,
                metadata: req.metadata,
                version_id: None,
                etag: Some(self.next_etag()),
            };
            // The check and the write under one lock: conditional writes are atomic.
            let mut objects = self.write();
            if let Some(p) = &req.precondition {
                let current = objects.get(&key).and_then(|s| s.meta.etag.as_deref());
                if !p.holds(current) {
                    return Err(p.failed(&key));
                }
            }
            objects.insert(
                key,
                Stored {
                    meta,
                    body: req.body,
                },
            );
            Ok(())
        })
    }

    fn get(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, Bytes)>> {
        Box::pin(async move {
            let g = self.read();
            let s = g
                .get(&key)
                .ok_or_else(|| Self::missing(ErrorKind::NoSuchKey, &key))?;
            Ok((s.meta.clone(), s.body.clone()))
        })
    }

    fn head(&self, key: String) -> BoxFuture<'_, Result<ObjectMeta>> {
        Box::pin(async move {
            let g = self.read();
            let s = g
                .get(&key)
                .ok_or_else(|| Self::missing(ErrorKind::NotFound, &key))?;
            Ok(s.meta.clone())
        })
    }

    fn list(
        &self,
        prefix: String,
        max_keys: usize,
        token: Option<String>,
    ) -> BoxFuture<'_, Result<ListPage>> {
        Box::pin(async move {
            let g = self.read();
            let start = match &token {
                Some(t) => Bound::Excluded(t.clone()),
                None => Bound::Included(prefix.clone()),
            };
            let mut objects = Vec::new();
            let mut more = false;
            for (k, s) in g.range((start, Bound::Unbounded)) {
                if !k.starts_with(&prefix) {
                    break;
                }
                if objects.len() == max_keys {
                    more = true;
                    break;
                }
                objects.push(ListedObject {
                    key: k.clone(),
                    size: s.meta.size,
                    last_modified_ms: s.meta.last_modified_ms,
                });
            }
            let next_token = if more {
                objects.last().map(|o| o.key.clone())
            } else {
                None
            };
            Ok(ListPage {
                objects,
                next_token,
            })
        })
    }

    fn delete(&self, key: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.write().remove(&key);
            Ok(())
        })
    }

    fn delete_many(&self, keys: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(async move {
            let mut g = self.write();
            for k in &keys {
                g.remove(k);
            }
            Ok(keys)
        })
    }

    fn copy(&self, from: String, to: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let mut g = self.write();
            let mut s = g
                .get(&from)
                .cloned()
                .ok_or_else(|| Self::missing(ErrorKind::NoSuchKey, &from))?;
            s.meta.key = to.clone();
            s.meta.last_modified_ms = now_ms();
            s.meta.etag = Some(self.next_etag());
            g.insert(to, s);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn conformance() {
        super::super::conformance::run_all(Arc::new(MemoryStorage::new()), "").await;
    }
}
