//! Streams over a resource: bounded, cancellable worker pipelines.
//!
//! * [`reader::Reader`] — a lister task walks ListObjectsV2 pages lazily and
//!   feeds ids into a bounded queue; `concurrency` fetchers (a sliding window:
//!   as one fetch completes the next starts) decode records into a second
//!   bounded queue; the consumer (the napi pump) takes ready records in
//!   batches. Nothing grows with the size of the resource: at most one listing
//!   page, [`reader::ID_QUEUE`] ids, `concurrency` in-flight fetches and the
//!   record queue are held at any time.
//! * [`writer::Writer`] — batches are accepted into a bounded queue (so the
//!   producer waits when the workers fall behind); `concurrency` inserts run at
//!   once; per-record failures are collected as data, never as a stream abort.
//! * [`ids`] — one listing page of current-version ids at a time.
//!
//! Every pipeline owns a `CancellationToken`; cancelling it (stream
//! `destroy()`, an `AbortSignal`, or dropping the handle) stops the tasks at
//! their next await point and drops in-flight requests.

pub mod ids;
pub mod reader;
pub mod writer;

use crate::engine::error::{EngineError, ErrorKind};

/// Failures that concern one record (it vanished, or its stored data cannot be
/// decoded) rather than the storage as a whole. A stream skips and reports
/// these; anything else (listing, auth, network after retries) ends it.
pub fn is_record_error(e: &EngineError) -> bool {
    matches!(
        e.kind(),
        ErrorKind::NotFound
            | ErrorKind::NoSuchKey
            | ErrorKind::DecryptionError
            | ErrorKind::CorruptData
            | ErrorKind::InvalidResourceItem
            | ErrorKind::InvalidId
            | ErrorKind::MetadataTooLarge
            | ErrorKind::MetadataLimitExceeded
    )
}

fn cancelled() -> EngineError {
    EngineError::new(ErrorKind::Cancelled, "stream cancelled")
}

#[cfg(test)]
mod tests {
    use super::reader::{BatchEnd, ReadItem, Reader, ReaderOptions, ReaderStats};
    use super::writer::{Writer, WriterOptions};
    use crate::engine::config::{Config, ConfigOverrides};
    use crate::engine::connection::Connection;
    use crate::engine::database::{Database, DatabaseOptions};
    use crate::engine::error::ErrorKind;
    use crate::engine::resource::Resource;
    use serde_json::json;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    use tokio_util::sync::CancellationToken;

    async fn resource(n: usize) -> Arc<Resource> {
        let name = format!("memory://stream-tests/{}", nanoid::nanoid!(8));
        let config = Config::parse(&name, &ConfigOverrides::default()).expect("config");
        let db = Database::new(DatabaseOptions {
            connection: Arc::new(Connection::new(config)),
            passphrase: "secret".into(),
            cache: None,
        });
        db.connect().await.expect("connect");
        db.create_resource(
            json!({ "name": "users", "attributes": { "name": "string", "n": "number" } }),
        )
        .await
        .expect("create");
        let r = db.resource("users").await.expect("resource");
        let w = Writer::start(
            r.clone(),
            WriterOptions {
                concurrency: 16,
                ..Default::default()
            },
            CancellationToken::new(),
        );
        let rows = (0..n)
            .map(|i| json!({ "id": format!("u{i:06}"), "name": format!("n{i}"), "n": i }))
            .collect();
        w.push(rows).await.expect("push");
        let report = w.finish().await.expect("finish");
        assert_eq!(report.written as usize, n);
        assert_eq!(report.failed, 0);
        r
    }

    async fn drain(reader: &mut Reader, max: usize) -> (Vec<String>, BatchEnd) {
        let mut ids = Vec::new();
        loop {
            let b = reader.next_batch(max).await;
            assert!(b.items.len() <= max);
            for item in b.items {
                match item {
                    ReadItem::Record { id, json } => {
                        assert!(json.contains(&format!("\"id\":\"{id}\"")));
                        ids.push(id)
                    }
                    ReadItem::Skipped { id, error } => panic!("skipped {id}: {error}"),
                }
            }
            if !matches!(b.end, BatchEnd::Open) {
                return (ids, b.end);
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ordered_reader_yields_every_record_in_key_order_past_one_page() {
        let r = resource(2300).await;
        let opts = ReaderOptions {
            batch_size: 7,
            concurrency: 4,
            ordered: true,
            scope: None,
        };
        let mut reader = Reader::start(r, opts, CancellationToken::new());
        let (ids, end) = drain(&mut reader, 7).await;
        assert!(matches!(end, BatchEnd::Done));
        let expected: Vec<String> = (0..2300).map(|i| format!("u{i:06}")).collect();
        assert_eq!(ids, expected);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unordered_reader_yields_every_record_once() {
        let r = resource(1500).await;
        let mut reader = Reader::start(r, ReaderOptions::default(), CancellationToken::new());
        let (mut ids, end) = drain(&mut reader, 10).await;
        assert!(matches!(end, BatchEnd::Done));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 1500);
    }

    /// Polls `stats` until `ready` holds and the counters then stay unchanged over 20
    /// consecutive polls; panics after 20 s. Returns that snapshot.
    async fn quiescent(
        stats: &ReaderStats,
        ready: impl Fn((u64, u64, u64)) -> bool,
    ) -> (u64, u64, u64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let (mut last, mut same) = (stats.snapshot(), 0);
        while same < 20 {
            assert!(
                std::time::Instant::now() < deadline,
                "pipeline never settled: {last:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            let now = stats.snapshot();
            same = if now == last && ready(now) {
                same + 1
            } else {
                0
            };
            last = now;
        }
        last
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stalled_consumer_bounds_the_work_done_ahead() {
        let r = resource(3000).await;
        let stats = Arc::new(ReaderStats::default());
        let opts = ReaderOptions {
            batch_size: 10,
            concurrency: 5,
            ordered: false,
            scope: None,
        };
        let mut reader = Reader::start_with_stats(r, opts, CancellationToken::new(), stats.clone());
        let first = reader.next_batch(10).await;
        assert!(!first.items.is_empty());
        // Wait (no fixed sleep) until the pipeline has filled its record queue and then
        // stopped moving: only a quiescent pipeline shows the bound.
        let (listed, fetched, delivered) = quiescent(&stats, |(_, f, d)| f - d >= 10 + 5).await;
        // record queue (batch + concurrency) + in-flight fetches + the one blocked send
        assert!(
            fetched - delivered <= 10 + 5 + 5 + 1,
            "fetched {fetched}, delivered {delivered}"
        );
        // one id queue + one listing page in the lister's hands
        assert!(
            listed - fetched <= 1000 + 1000,
            "listed {listed}, fetched {fetched}"
        );
        assert!(listed < 3000);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancelling_stops_the_workers() {
        let r = resource(2000).await;
        let token = CancellationToken::new();
        let stats = Arc::new(ReaderStats::default());
        let mut reader =
            Reader::start_with_stats(r, ReaderOptions::default(), token.clone(), stats.clone());
        let _ = reader.next_batch(10).await;
        token.cancel();
        let b = reader.next_batch(10).await;
        assert!(matches!(b.end, BatchEnd::Failed(ref e) if e.kind() == ErrorKind::Cancelled));
        // close() joins every worker task, so nothing can fetch afterwards.
        reader.close().await;
        let fetched = stats.fetched.load(Ordering::Relaxed);
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        assert_eq!(stats.fetched.load(Ordering::Relaxed), fetched);
        assert!(fetched < 2000);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_record_deleted_after_listing_is_skipped_not_fatal() {
        let r = resource(30).await;
        let opts = ReaderOptions {
            batch_size: 1,
            concurrency: 1,
            ordered: true,
            scope: None,
        };
        let mut reader = Reader::start(r.clone(), opts, CancellationToken::new());
        // The first batch means the (single) listing page is in the id queue; the
        // fetcher is at most a few records ahead of it.
        let first = reader.next_batch(1).await;
        assert_eq!(first.items.len(), 1);
        let schema = r.schema();
        r.bucket()
            .delete(&Resource::key(&schema, "u000020"))
            .await
            .expect("delete");
        let mut ids = Vec::new();
        let mut skipped = Vec::new();
        loop {
            let b = reader.next_batch(1).await;
            for item in b.items {
                match item {
                    ReadItem::Record { id, .. } => ids.push(id),
                    ReadItem::Skipped { id, error } => skipped.push((id, error.kind())),
                }
            }
            if !matches!(b.end, BatchEnd::Open) {
                assert!(matches!(b.end, BatchEnd::Done));
                break;
            }
        }
        assert_eq!(ids.len(), 28);
        assert_eq!(skipped, vec![("u000020".to_string(), ErrorKind::NotFound)]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writer_reports_each_failure_and_success_by_index_and_writes_the_rest() {
        let r = resource(0).await;
        let w = Writer::start(
            r.clone(),
            WriterOptions::default(),
            CancellationToken::new(),
        );
        let rep = w
            .push(vec![
                json!({ "id": "a", "name": "ok", "n": 1 }),
                json!({ "id": "b", "name": "bad" }),
                json!({ "id": "c/d", "name": "bad id", "n": 2 }),
                json!({ "id": "e", "name": "ok", "n": 3 }),
            ])
            .await
            .expect("push");
        let fin = w.finish().await.expect("finish");
        let mut succeeded: Vec<u64> = rep
            .succeeded
            .iter()
            .chain(&fin.succeeded)
            .copied()
            .collect();
        succeeded.sort_unstable();
        assert_eq!(succeeded, vec![0, 3]);
        let mut failures: Vec<_> = rep.failures.into_iter().chain(fin.failures).collect();
        failures.sort_by_key(|f| f.index);
        assert_eq!(fin.written, 2);
        assert_eq!(fin.failed, 2);
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[0].index, 1);
        assert_eq!(failures[0].error.kind(), ErrorKind::InvalidResourceItem);
        assert_eq!(failures[1].error.kind(), ErrorKind::InvalidId);
        assert!(w.push(vec![json!({})]).await.is_err(), "push after finish");
    }
}
