//! A connection to one bucket and key prefix: the storage backend (opened on
//! first use) behind the concurrency limit and the request meter.
//!
//! A JS `Client` owns one; every `Database` built on that client shares it, so
//! they share one S3 client, one `parallelism` limit and one request count
//! (4.1.7's `new Database({ client })`).

use crate::engine::config::{Backend, Config};
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::storage::{self, limit::RequestCounts, Bucket, Storage};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::OnceCell;

pub struct Connection {
    config: Config,
    bucket: OnceCell<Bucket>,
    /// Requests sent to the store, per S3 command (CostsPlugin, `client.costs`).
    requests: Arc<RequestCounts>,
}

impl Connection {
    pub fn new(config: Config) -> Self {
        Connection {
            config,
            bucket: OnceCell::new(),
            requests: Arc::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn requests(&self) -> &RequestCounts {
        &self.requests
    }

    /// The bucket view (key prefix applied); the backend is opened on the first call.
    pub async fn bucket(&self) -> Result<&Bucket> {
        if let Some(b) = self.bucket.get() {
            return Ok(b);
        }
        self.bucket.get_or_try_init(|| self.open()).await
    }

    /// Opens the backend. Boxed: opening an S3 client is a large future, and every
    /// operation's future would otherwise carry its size (12 KB) while it waits.
    fn open(&self) -> BoxFuture<'_, Result<Bucket>> {
        Box::pin(async move {
            let raw: Arc<dyn Storage> = match &self.config.backend {
                Backend::Memory => storage::memory::MemoryStorage::shared(&self.config.bucket),
                Backend::File { root } => {
                    let root = root.clone();
                    let fs =
                        tokio::task::spawn_blocking(move || storage::file::FileStorage::new(root))
                            .await
                            .map_err(|e| {
                                EngineError::new(ErrorKind::InternalError, e.to_string())
                            })??;
                    Arc::new(storage::file::SharedFile(Arc::new(fs)))
                }
                Backend::S3 => Arc::new(storage::s3::S3Storage::connect(&self.config).await?),
            };
            let guard = storage::guard::WriteGuard::new(
                self.config.concurrency,
                raw.clone(),
                self.config.key_prefix.clone(),
            );
            let limited: Arc<dyn Storage> = Arc::new(storage::limit::LimitStorage::new(
                raw,
                self.config.parallelism,
                self.requests.clone(),
            ));
            Ok(Bucket::with_guard(
                limited,
                self.config.bucket.clone(),
                self.config.key_prefix.clone(),
                Arc::new(guard),
            ))
        })
    }
}
