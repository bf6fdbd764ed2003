//! Concurrency limit decorator: at most `parallelism` requests in flight per database.

use super::{ListPage, ObjectMeta, PutRequest, Storage};
use crate::engine::error::{EngineError, ErrorKind, Result};
use bytes::Bytes;
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::Semaphore;

pub struct LimitStorage {
    inner: Arc<dyn Storage>,
    permits: Arc<Semaphore>,
}

impl LimitStorage {
    pub fn new(inner: Arc<dyn Storage>, parallelism: usize) -> Self {
        LimitStorage {
            inner,
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
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
            self.inner.put(key, req).await
        })
    }
    fn get(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, Bytes)>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.inner.get(key).await
        })
    }
    fn head(&self, key: String) -> BoxFuture<'_, Result<ObjectMeta>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
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
            self.inner.list(prefix, max_keys, token).await
        })
    }
    fn delete(&self, key: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.inner.delete(key).await
        })
    }
    fn delete_many(&self, keys: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.inner.delete_many(keys).await
        })
    }
    fn copy(&self, from: String, to: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let _p = permit(&self.permits).await?;
            self.inner.copy(from, to).await
        })
    }
}
