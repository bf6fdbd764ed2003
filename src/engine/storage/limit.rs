//! Concurrency limit decorator: at most `parallelism` requests in flight per database.
//! It also meters every request it lets through ([`RequestCounts`], S3 command
//! names), which the CostsPlugin turns into request counts and prices.

use super::{BodyStream, ListPage, ObjectMeta, PutRequest, Storage, StreamedPut};
use crate::engine::error::{EngineError, ErrorKind, Result};
use bytes::Bytes;
use futures::future::BoxFuture;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Requests sent, per S3 command (errors included: S3 bills them too).
#[derive(Debug, Default)]
pub struct RequestCounts {
    pub put: AtomicU64,
    pub get: AtomicU64,
    pub head: AtomicU64,
    pub list: AtomicU64,
    pub delete: AtomicU64,
    pub delete_many: AtomicU64,
    pub copy: AtomicU64,
}

impl RequestCounts {
    /// `{ PutObjectCommand: n, … }`, named as the AWS SDK commands.
    pub fn to_json(&self) -> serde_json::Value {
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        serde_json::json!({
            "PutObjectCommand": n(&self.put),
            "GetObjectCommand": n(&self.get),
            "HeadObjectCommand": n(&self.head),
            "ListObjectsV2Command": n(&self.list),
            "DeleteObjectCommand": n(&self.delete),
            "DeleteObjectsCommand": n(&self.delete_many),
            "CopyObjectCommand": n(&self.copy),
        })
    }
}

pub struct LimitStorage {
    inner: Arc<dyn Storage>,
    permits: Arc<Semaphore>,
    counts: Arc<RequestCounts>,
}

impl LimitStorage {
    pub fn new(inner: Arc<dyn Storage>, parallelism: usize, counts: Arc<RequestCounts>) -> Self {
        LimitStorage {
            inner,
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
            counts,
        }
    }
}

async fn permit(sem: &Semaphore) -> Result<tokio::sync::SemaphorePermit<'_>> {
    sem.acquire()
        .await
        .map_err(|_| EngineError::new(ErrorKind::Cancelled, "storage limiter closed"))
}

impl Storage for LimitStorage {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn put(&self, key: String, req: PutRequest) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.counts.put.fetch_add(1, Ordering::Relaxed);
            self.inner.put(key, req).await
        })
    }
    fn get(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, Bytes)>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.counts.get.fetch_add(1, Ordering::Relaxed);
            self.inner.get(key).await
        })
    }
    fn head(&self, key: String) -> BoxFuture<'_, Result<ObjectMeta>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.counts.head.fetch_add(1, Ordering::Relaxed);
            self.inner.head(key).await
        })
    }
    fn list(
        &self,
        prefix: String,
        max_keys: usize,
        token: Option<String>,
    ) -> BoxFuture<'_, Result<ListPage>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.counts.list.fetch_add(1, Ordering::Relaxed);
            self.inner.list(prefix, max_keys, token).await
        })
    }
    fn delete(&self, key: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.counts.delete.fetch_add(1, Ordering::Relaxed);
            self.inner.delete(key).await
        })
    }
    fn delete_many(&self, keys: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.counts.delete_many.fetch_add(1, Ordering::Relaxed);
            self.inner.delete_many(keys).await
        })
    }
    fn copy(&self, from: String, to: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.counts.copy.fetch_add(1, Ordering::Relaxed);
            self.inner.copy(from, to).await
        })
    }
    /// Holds one permit for the whole upload (however many parts it sends) and
    /// counts each of its requests as a PUT (S3 bills multipart requests so).
    fn put_stream(
        &self,
        key: String,
        req: PutRequest,
        body: BodyStream,
    ) -> BoxFuture<'_, Result<StreamedPut>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            let sent = self.inner.put_stream(key, req, body).await;
            let requests = sent.as_ref().map(|s| s.requests).unwrap_or(1);
            self.counts.put.fetch_add(requests, Ordering::Relaxed);
            sent
        })
    }
    /// Holds a permit until the response starts; the body is read without one,
    /// so a slow consumer does not hold up other requests.
    fn get_stream(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, BodyStream)>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.counts.get.fetch_add(1, Ordering::Relaxed);
            self.inner.get_stream(key).await
        })
    }
}
