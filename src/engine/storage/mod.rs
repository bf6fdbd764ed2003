//! Object storage behind one trait.
//!
//! [`Storage`] is the minimal S3 surface the engine needs; three backends
//! implement it (`s3`, `memory`, `file`) and `limit`/`retry`-style decorators wrap
//! it. Keys given to a backend are full object keys inside its bucket; the
//! [`Bucket`] handle adds the database key prefix, enforces S3's 2 KB
//! user-metadata limit (no local test server does) and is what the rest of the
//! engine uses.
//!
//! Semantics every backend follows (checked by `conformance.rs`):
//! * list pages hold at most 1000 keys in UTF-8 byte order; the continuation token
//!   is opaque; a page with no token is the last;
//! * `head`/`get` of a missing key fail with `NotFound`/`NoSuchKey`;
//! * delete of a missing key succeeds;
//! * metadata names are lowercase ASCII, values are strings (already encoded by the codec).

pub mod file;
pub mod guard;
pub mod lease;
pub mod limit;
pub mod memory;
pub mod s3;

#[cfg(test)]
pub mod conformance;

use crate::engine::error::{EngineError, ErrorKind, Result};
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use std::collections::BTreeMap;
use std::sync::Arc;

pub type Metadata = BTreeMap<String, String>;

/// S3's limit on user metadata (names + values, UTF-8 bytes).
pub const METADATA_LIMIT: usize = 2048;
pub const LIST_PAGE_MAX: usize = 1000;
/// Chunk size of streamed reads where the backend decides it (memory, file).
pub const STREAM_CHUNK: usize = 256 * 1024;

#[derive(Debug, Clone, Default)]
pub struct ObjectMeta {
    pub key: String,
    pub size: u64,
    /// Milliseconds since the epoch.
    pub last_modified_ms: i64,
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub metadata: Metadata,
    pub version_id: Option<String>,
    /// The object's entity tag (opaque; S3's quoted MD5, the file and memory
    /// backends' own tags): what a conditional write names.
    pub etag: Option<String>,
}

/// What a conditional write requires of the object it replaces. A write whose
/// precondition does not hold changes nothing and fails with `ConflictError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Replace only the version with this ETag (`If-Match`).
    IfMatch(String),
    /// Create only: fail if the key exists (`If-None-Match: *`).
    IfNoneMatch,
}

impl Precondition {
    /// The precondition for replacing what a read saw: its ETag, or "absent" when
    /// the read found nothing.
    pub fn replacing(seen: Option<&ObjectMeta>) -> Option<Precondition> {
        match seen {
            None => Some(Precondition::IfNoneMatch),
            Some(m) => m.etag.clone().map(Precondition::IfMatch),
        }
    }

    /// Whether an object with `current` (None: absent) satisfies it.
    pub fn holds(&self, current: Option<&str>) -> bool {
        match (self, current) {
            (Precondition::IfNoneMatch, None) => true,
            (Precondition::IfNoneMatch, Some(_)) => false,
            (Precondition::IfMatch(_), None) => false,
            (Precondition::IfMatch(want), Some(have)) => want == have,
        }
    }

    /// The `ConflictError` of a write to `key` whose precondition failed.
    pub fn failed(&self, key: &str) -> EngineError {
        let why = match self {
            Precondition::IfMatch(_) => "it changed since it was read",
            Precondition::IfNoneMatch => "it already exists",
        };
        EngineError::new(
            ErrorKind::ConflictError,
            format!("Conditional write of [{key}] refused: {why}"),
        )
        .with("key", key)
        .with(
            "reason",
            match self {
                Precondition::IfMatch(_) => "changed",
                Precondition::IfNoneMatch => "exists",
            },
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct PutRequest {
    pub body: Bytes,
    pub metadata: Metadata,
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    /// Write only if this holds (see [`Precondition`]); `None`: unconditional.
    pub precondition: Option<Precondition>,
}

/// An object body arriving (or leaving) in chunks.
pub type BodyStream = BoxStream<'static, Result<Bytes>>;

/// What a streamed write sent: the body's length and the requests it took
/// (S3 multipart: create + parts + complete).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamedPut {
    pub bytes: u64,
    pub requests: u64,
}

#[derive(Debug, Clone)]
pub struct ListedObject {
    pub key: String,
    pub size: u64,
    pub last_modified_ms: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ListPage {
    pub objects: Vec<ListedObject>,
    pub next_token: Option<String>,
}

pub trait Storage: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn put(&self, key: String, req: PutRequest) -> BoxFuture<'_, Result<()>>;
    fn get(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, Bytes)>>;
    fn head(&self, key: String) -> BoxFuture<'_, Result<ObjectMeta>>;
    /// One page of keys starting with `prefix`, at most `max_keys` (<= 1000).
    fn list(
        &self,
        prefix: String,
        max_keys: usize,
        token: Option<String>,
    ) -> BoxFuture<'_, Result<ListPage>>;
    fn delete(&self, key: String) -> BoxFuture<'_, Result<()>>;
    /// Delete up to 1000 keys; returns the keys reported deleted.
    fn delete_many(&self, keys: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>>;
    fn copy(&self, from: String, to: String) -> BoxFuture<'_, Result<()>>;

    /// Write an object whose body arrives in chunks (`req.body` is ignored). A
    /// backend that can should hold only a bounded part of the body at a time;
    /// this default gathers it and makes one `put` (the memory backend keeps
    /// bodies whole anyway). Nothing is written if `body` fails.
    fn put_stream(
        &self,
        key: String,
        req: PutRequest,
        body: BodyStream,
    ) -> BoxFuture<'_, Result<StreamedPut>> {
        Box::pin(async move {
            let chunks: Vec<Bytes> = body.try_collect().await?;
            let whole = Bytes::from(chunks.concat());
            let bytes = whole.len() as u64;
            self.put(key, PutRequest { body: whole, ..req }).await?;
            Ok(StreamedPut { bytes, requests: 1 })
        })
    }

    /// An object's metadata and its body as a stream of chunks. The default
    /// reads the body whole (`get`) and yields it in slices of [`STREAM_CHUNK`].
    fn get_stream(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, BodyStream)>> {
        Box::pin(async move {
            let (meta, body) = self.get(key).await?;
            let slices: Vec<Result<Bytes>> = (0..body.len())
                .step_by(STREAM_CHUNK)
                .map(|at| Ok(body.slice(at..(at + STREAM_CHUNK).min(body.len()))))
                .collect();
            Ok((meta, futures::stream::iter(slices).boxed()))
        })
    }
}

/// Bytes S3 counts for user metadata: names plus values.
pub fn metadata_size(metadata: &Metadata) -> usize {
    metadata.iter().map(|(k, v)| k.len() + v.len()).sum()
}

fn metadata_too_large(key: &str, size: usize) -> EngineError {
    EngineError::new(
        ErrorKind::MetadataTooLarge,
        format!(
            "Your metadata headers exceed the maximum allowed metadata size: {size} bytes, limit: {METADATA_LIMIT} bytes [key:{key}]"
        ),
    )
    .with("key", key)
    .with("totalSize", size)
    .with("limit", METADATA_LIMIT)
}

/// A bucket + key prefix view of a storage backend: what the engine talks to.
#[derive(Clone)]
pub struct Bucket {
    storage: Arc<dyn Storage>,
    pub bucket: String,
    pub key_prefix: String,
    /// Whether preconditions reach the store (shared by every view of the connection).
    guard: Arc<guard::WriteGuard>,
}

impl Bucket {
    /// A view whose conditional writes follow `concurrency: 'auto'` (tests, tools).
    pub fn new(storage: Arc<dyn Storage>, bucket: String, key_prefix: String) -> Self {
        let key_prefix = key_prefix.trim_matches('/').to_string();
        let guard = guard::WriteGuard::new(
            crate::engine::config::Concurrency::Auto,
            storage.clone(),
            key_prefix.clone(),
        );
        Self::with_guard(storage, bucket, key_prefix, Arc::new(guard))
    }

    pub fn with_guard(
        storage: Arc<dyn Storage>,
        bucket: String,
        key_prefix: String,
        guard: Arc<guard::WriteGuard>,
    ) -> Self {
        Bucket {
            storage,
            bucket,
            key_prefix: key_prefix.trim_matches('/').to_string(),
            guard,
        }
    }

    /// The same bucket without the key prefix (keys as S3 sees them).
    pub fn unprefixed(&self) -> Bucket {
        Bucket::with_guard(
            self.storage.clone(),
            self.bucket.clone(),
            String::new(),
            self.guard.clone(),
        )
    }

    /// The connection's write guard: whether conditional writes are on, and the
    /// one-time fallback warning.
    pub fn guard(&self) -> &guard::WriteGuard {
        &self.guard
    }

    pub fn backend_name(&self) -> &'static str {
        self.storage.name()
    }

    /// Full key for a key relative to the prefix.
    pub fn full_key(&self, key: &str) -> String {
        if self.key_prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{}", self.key_prefix, key)
        }
    }

    /// Relative key for a full key returned by a listing.
    pub fn relative_key<'a>(&self, full: &'a str) -> &'a str {
        if self.key_prefix.is_empty() {
            return full;
        }
        full.strip_prefix(self.key_prefix.as_str())
            .map(|r| r.strip_prefix('/').unwrap_or(r))
            .unwrap_or(full)
    }

    fn map_not_found(&self, err: EngineError, key: &str) -> EngineError {
        if err.is_not_found() {
            let kind = err.kind();
            EngineError::not_found(kind, &self.bucket, key)
        } else {
            err.with("key", key).with("bucket", self.bucket.clone())
        }
    }

    pub async fn put(&self, key: &str, req: PutRequest) -> Result<()> {
        let size = metadata_size(&req.metadata);
        if size > METADATA_LIMIT {
            return Err(metadata_too_large(key, size));
        }
        let req = self.guard.prepare(req).await?;
        self.storage
            .put(self.full_key(key), req)
            .await
            .map_err(|e| self.map_not_found(e, key))
    }

    pub async fn get(&self, key: &str) -> Result<(ObjectMeta, Bytes)> {
        self.storage
            .get(self.full_key(key))
            .await
            .map_err(|e| self.map_not_found(e, key))
    }

    pub async fn head(&self, key: &str) -> Result<ObjectMeta> {
        self.storage
            .head(self.full_key(key))
            .await
            .map_err(|e| self.map_not_found(e, key))
    }

    pub async fn put_stream(
        &self,
        key: &str,
        req: PutRequest,
        body: BodyStream,
    ) -> Result<StreamedPut> {
        let size = metadata_size(&req.metadata);
        if size > METADATA_LIMIT {
            return Err(metadata_too_large(key, size));
        }
        let req = self.guard.prepare(req).await?;
        self.storage
            .put_stream(self.full_key(key), req, body)
            .await
            .map_err(|e| self.map_not_found(e, key))
    }

    pub async fn get_stream(&self, key: &str) -> Result<(ObjectMeta, BodyStream)> {
        self.storage
            .get_stream(self.full_key(key))
            .await
            .map_err(|e| self.map_not_found(e, key))
    }

    pub async fn exists(&self, key: &str) -> Result<bool> {
        match self.head(key).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        self.storage
            .delete(self.full_key(key))
            .await
            .map_err(|e| self.map_not_found(e, key))
    }

    /// Delete any number of keys in chunks of 1000; returns relative keys deleted.
    pub async fn delete_many(&self, keys: &[String]) -> Result<Vec<String>> {
        let mut deleted = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(LIST_PAGE_MAX) {
            let full: Vec<String> = chunk.iter().map(|k| self.full_key(k)).collect();
            let done = self.storage.delete_many(full).await?;
            deleted.extend(done.iter().map(|k| self.relative_key(k).to_string()));
        }
        Ok(deleted)
    }

    pub async fn copy(&self, from: &str, to: &str) -> Result<()> {
        self.storage
            .copy(self.full_key(from), self.full_key(to))
            .await
            .map_err(|e| self.map_not_found(e, from))
    }

    /// One listing page under a relative prefix; keys in the page are relative.
    pub async fn list_page(
        &self,
        prefix: &str,
        max_keys: usize,
        token: Option<String>,
    ) -> Result<ListPage> {
        let mut page = self
            .storage
            .list(
                self.full_key(prefix),
                max_keys.clamp(1, LIST_PAGE_MAX),
                token,
            )
            .await?;
        for o in &mut page.objects {
            o.key = self.relative_key(&o.key).to_string();
        }
        Ok(page)
    }

    /// Lazily walk every key under `prefix`, one page at a time (constant memory).
    pub fn lister(&self, prefix: &str) -> Lister {
        Lister {
            bucket: self.clone(),
            prefix: prefix.to_string(),
            token: None,
            done: false,
        }
    }
}

/// Page-at-a-time iterator over a prefix.
pub struct Lister {
    bucket: Bucket,
    prefix: String,
    token: Option<String>,
    done: bool,
}

impl Lister {
    pub async fn next_page(&mut self, max_keys: usize) -> Result<Option<Vec<ListedObject>>> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .bucket
            .list_page(&self.prefix, max_keys, self.token.take())
            .await?;
        match page.next_token {
            Some(t) => self.token = Some(t),
            None => self.done = true,
        }
        if page.objects.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(page.objects))
    }
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
