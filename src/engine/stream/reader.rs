//! Resource reader pipeline.
//!
//! ```text
//!  lister task ──ids (bounded, ID_QUEUE)──▶ fetch task ──items (bounded)──▶ consumer
//!  (one ListObjectsV2     (`concurrency` loads in flight,      (`next_batch`: waits for
//!   page at a time)        buffered or buffer_unordered)         one item, takes what is ready)
//! ```
//!
//! The consumer pulls; when it stops pulling, the item queue fills, the fetch
//! task stops starting fetches, the id queue fills and the lister stops
//! listing. Order: with `ordered` the items leave in listing (key) order,
//! otherwise in completion order.
//!
//! End of stream: the item queue closes after the last item. A fatal error is
//! sent as `Err` and the tasks stop; the consumer must not expect items after
//! it. Per-record failures (see [`super::is_record_error`]) arrive as
//! [`ReadItem::Skipped`] and the stream goes on.

use super::{cancelled, is_record_error};
use crate::engine::error::{EngineError, Result};
use crate::engine::resource::{Resource, Scope};
use futures::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Ids listed ahead of the fetchers: one ListObjectsV2 page.
pub const ID_QUEUE: usize = 1000;

#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Largest batch handed to the consumer at once.
    pub batch_size: usize,
    /// Fetches in flight.
    pub concurrency: usize,
    /// Keep listing order instead of completion order.
    pub ordered: bool,
    /// A partition to read instead of the current version's records. Listed
    /// copies are read through their main object; stale ones are skipped.
    pub scope: Option<Scope>,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            batch_size: 10,
            concurrency: 5,
            ordered: false,
            scope: None,
        }
    }
}

#[derive(Debug)]
pub enum ReadItem {
    /// A decoded record as JSON text (serialised on the worker, not the consumer).
    Record { id: String, json: String },
    /// The record could not be read (deleted meanwhile, undecodable): reported, not fatal.
    Skipped { id: String, error: EngineError },
}

/// What a batch ended with.
#[derive(Debug)]
pub enum BatchEnd {
    /// More may follow.
    Open,
    /// Every record has been delivered.
    Done,
    /// A fatal error: nothing follows.
    Failed(EngineError),
}

#[derive(Debug)]
pub struct Batch {
    pub items: Vec<ReadItem>,
    pub end: BatchEnd,
}

/// Progress counters, readable while the stream runs.
#[derive(Debug, Default)]
pub struct ReaderStats {
    /// Ids taken from listing pages.
    pub listed: AtomicU64,
    /// Records fetched (or found missing) by the workers.
    pub fetched: AtomicU64,
    /// Items taken by the consumer.
    pub delivered: AtomicU64,
}

impl ReaderStats {
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.listed.load(Ordering::Relaxed),
            self.fetched.load(Ordering::Relaxed),
            self.delivered.load(Ordering::Relaxed),
        )
    }
}

pub struct Reader {
    rx: mpsc::Receiver<Result<ReadItem>>,
    stats: Arc<ReaderStats>,
    /// The caller's token: cancelled by the caller only.
    token: CancellationToken,
    /// The workers' token: a child of `token`, also cancelled on a fatal error.
    workers: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    finished: bool,
}

impl Reader {
    /// Start listing and fetching. Must be called inside a tokio runtime.
    pub fn start(resource: Arc<Resource>, opts: ReaderOptions, token: CancellationToken) -> Reader {
        Self::start_with_stats(resource, opts, token, Arc::default())
    }

    /// [`Reader::start`], counting progress into `stats`.
    pub fn start_with_stats(
        resource: Arc<Resource>,
        opts: ReaderOptions,
        token: CancellationToken,
        stats: Arc<ReaderStats>,
    ) -> Reader {
        let concurrency = opts.concurrency.max(1);
        let batch = opts.batch_size.max(1);
        let workers = token.child_token();
        let (id_tx, id_rx) = mpsc::channel::<(String, String)>(ID_QUEUE);
        let scope = opts
            .scope
            .clone()
            .unwrap_or_else(|| Resource::main_scope(&resource.schema()));
        // One batch ready while the consumer delivers the previous one, plus the
        // fetches that complete meanwhile.
        let (item_tx, item_rx) = mpsc::channel::<Result<ReadItem>>(batch + concurrency);

        let lister = tokio::spawn(list_ids(
            resource.clone(),
            scope.clone(),
            id_tx,
            item_tx.clone(),
            workers.clone(),
            stats.clone(),
        ));
        let fetcher = tokio::spawn(fetch_records(
            resource,
            ReaderOptions {
                concurrency,
                scope: Some(scope),
                ..opts
            },
            id_rx,
            item_tx,
            workers.clone(),
            stats.clone(),
        ));
        Reader {
            rx: item_rx,
            stats,
            token,
            workers,
            tasks: vec![lister, fetcher],
            finished: false,
        }
    }

    /// Wait for at least one item (or the end), then take whatever else is
    /// ready, up to `max` items.
    pub async fn next_batch(&mut self, max: usize) -> Batch {
        let max = max.max(1);
        let mut items = Vec::new();
        if self.finished {
            return Batch {
                items,
                end: BatchEnd::Done,
            };
        }
        let first = tokio::select! {
            biased;
            _ = self.token.cancelled() => Some(Err(cancelled())),
            item = self.rx.recv() => item,
        };
        match first {
            None => return self.done(items),
            Some(Err(e)) => return self.failed(items, e),
            Some(Ok(item)) => items.push(item),
        }
        // Take what is ready. If that is not a full batch, yield once so fetchers
        // that are about to finish can add to it (fewer, fuller JS calls) without
        // a timer: a timed window costs throughput when the queue is small.
        let mut waited = false;
        while items.len() < max {
            match self.rx.try_recv() {
                Ok(Ok(item)) => items.push(item),
                Ok(Err(e)) => return self.failed(items, e),
                Err(mpsc::error::TryRecvError::Disconnected) => return self.done(items),
                Err(mpsc::error::TryRecvError::Empty) if waited => break,
                Err(mpsc::error::TryRecvError::Empty) => {
                    waited = true;
                    tokio::task::yield_now().await;
                }
            }
        }
        self.count(&items);
        Batch {
            items,
            end: BatchEnd::Open,
        }
    }

    fn count(&self, items: &[ReadItem]) {
        self.stats
            .delivered
            .fetch_add(items.len() as u64, Ordering::Relaxed);
    }

    fn done(&mut self, items: Vec<ReadItem>) -> Batch {
        self.finished = true;
        self.count(&items);
        Batch {
            items,
            end: BatchEnd::Done,
        }
    }

    fn failed(&mut self, items: Vec<ReadItem>, e: EngineError) -> Batch {
        self.finished = true;
        self.count(&items);
        self.workers.cancel();
        Batch {
            items,
            end: BatchEnd::Failed(e),
        }
    }

    /// Stop the workers and wait until they are gone.
    pub async fn close(mut self) {
        self.workers.cancel();
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        // A dropped reader cancels its workers; they exit at their next await.
        self.workers.cancel();
    }
}

async fn list_ids(
    resource: Arc<Resource>,
    scope: Scope,
    id_tx: mpsc::Sender<(String, String)>,
    item_tx: mpsc::Sender<Result<ReadItem>>,
    token: CancellationToken,
    stats: Arc<ReaderStats>,
) {
    let mut lister = resource.bucket().lister(scope.prefix());
    loop {
        let page = tokio::select! {
            biased;
            _ = token.cancelled() => return,
            page = lister.next_page(crate::engine::storage::LIST_PAGE_MAX) => page,
        };
        let objects = match page {
            Ok(Some(objects)) => objects,
            Ok(None) => return,
            Err(e) => {
                let _ = item_tx.send(Err(e)).await;
                return;
            }
        };
        for o in objects {
            let Some(id) = scope.id_of(&o.key) else {
                continue;
            };
            tokio::select! {
                biased;
                _ = token.cancelled() => return,
                sent = id_tx.send((id, o.key)) => if sent.is_err() { return },
            }
            stats.listed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Load the listed records; `opts.scope` is set by [`Reader::start_with_stats`].
async fn fetch_records(
    resource: Arc<Resource>,
    opts: ReaderOptions,
    id_rx: mpsc::Receiver<(String, String)>,
    item_tx: mpsc::Sender<Result<ReadItem>>,
    token: CancellationToken,
    stats: Arc<ReaderStats>,
) {
    let ReaderOptions {
        concurrency,
        ordered,
        scope,
        ..
    } = opts;
    let schema = resource.schema();
    let scope = scope.unwrap_or_else(|| Resource::main_scope(&schema));
    let ids = futures::stream::unfold(
        id_rx,
        |mut rx| async move { rx.recv().await.map(|id| (id, rx)) },
    );
    let scope = Arc::new(scope);
    let load = |(id, key): (String, String)| {
        let resource = resource.clone();
        let schema = schema.clone();
        let scope = scope.clone();
        async move {
            let loaded = match &*scope {
                Scope::Main { .. } => resource.load(&schema, &id).await.map(Some),
                Scope::Partition(q) => resource.load_listed(&schema, q, &id, &key).await,
            };
            match loaded {
                // A stale partition copy: not part of the stream.
                Ok(None) => Ok(None),
                Ok(Some(rec)) => match serde_json::to_string(&rec) {
                    Ok(json) => Ok(Some(ReadItem::Record { id, json })),
                    Err(e) => Ok(Some(ReadItem::Skipped {
                        error: EngineError::new(
                            crate::engine::error::ErrorKind::CorruptData,
                            format!("record '{id}' cannot be serialised: {e}"),
                        ),
                        id,
                    })),
                },
                Err(e) if is_record_error(&e) => Ok(Some(ReadItem::Skipped { id, error: e })),
                Err(e) => Err(e),
            }
        }
    };
    let mut results: futures::stream::BoxStream<'_, Result<Option<ReadItem>>> = if ordered {
        ids.map(load).buffered(concurrency).boxed()
    } else {
        ids.map(load).buffer_unordered(concurrency).boxed()
    };
    loop {
        let next = tokio::select! {
            biased;
            _ = token.cancelled() => return,
            next = results.next() => next,
        };
        let Some(item) = next else { return };
        stats.fetched.fetch_add(1, Ordering::Relaxed);
        let item = match item {
            Ok(None) => continue,
            Ok(Some(item)) => Ok(item),
            Err(e) => Err(e),
        };
        let fatal = item.is_err();
        let sent = tokio::select! {
            biased;
            _ = token.cancelled() => return,
            sent = item_tx.send(item) => sent,
        };
        if fatal || sent.is_err() {
            return;
        }
    }
}
