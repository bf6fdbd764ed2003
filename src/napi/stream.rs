//! Stream handles and the reader pump.
//!
//! Reader protocol (who calls whom):
//! 1. JS `ResourceReader._read()` (first call) -> `NativeDatabase.openReader(name,
//!    options, callback)`; this spawns the pump and returns a `NativeReader`.
//! 2. The pump takes the next ready batch from the engine reader and calls the
//!    JS callback once with a message (JSON text):
//!    `{"r":[record…],"s":[[id, error]…],"done":bool,"error":error|null}`.
//!    `r` are records, `s` records skipped with a per-record error, `done` means
//!    nothing follows, `error` a fatal error (nothing follows either).
//! 3. The callback pushes the records into the `Readable` and returns `true`
//!    ("send more") or `false` ("buffer full"). On `false` the pump waits for
//!    `NativeReader.resume()`, which JS calls from its next `_read()`.
//! 4. After `done`/`error`, on `cancel()` (stream destroyed, AbortSignal) or
//!    when the callback fails, the pump returns and drops its ThreadsafeFunction,
//!    so nothing keeps the event loop alive afterwards.
//!
//! Writer protocol: `openWriter` -> `NativeWriter`; `push(batchJson)` resolves
//! once the records are accepted into the engine's bounded queue with the
//! successes and failures (by index in write order: the JS writer keeps the
//! records) and the events since the previous call; `finish()` resolves after
//! every accepted record settled; `cancel()` stops the workers.

use super::callbacks::ReaderCallback;
use super::error::{guarded, IntoNapi};
use crate::engine::database::Database;
use crate::engine::error::{EngineError, ErrorKind};
use crate::engine::resource::Resource;
use crate::engine::stream::reader::{BatchEnd, ReadItem, Reader, ReaderOptions, ReaderStats};
use crate::engine::stream::writer::{Report, Writer};
use futures::FutureExt;
use napi_derive::napi;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Handle of a running reader pump.
#[napi(js_name = "NativeReader")]
pub struct NativeReader {
    token: CancellationToken,
    resume: Arc<Notify>,
    stats: Arc<ReaderStats>,
}

/// Progress of a reader.
#[napi(object)]
pub struct ReaderProgress {
    /// Ids taken from listing pages so far.
    pub listed: f64,
    /// Records fetched by the Rust workers so far.
    pub fetched: f64,
    /// Records handed towards JS so far.
    pub delivered: f64,
}

#[napi]
impl NativeReader {
    /// The JS stream wants more after a `false` return: release the pump.
    #[napi(catch_unwind)]
    pub fn resume(&self) {
        self.resume.notify_one();
    }

    /// Counters of the Rust side (listed / fetched / delivered).
    #[napi(catch_unwind)]
    pub fn stats(&self) -> ReaderProgress {
        let (listed, fetched, delivered) = self.stats.snapshot();
        ReaderProgress {
            listed: listed as f64,
            fetched: fetched as f64,
            delivered: delivered as f64,
        }
    }

    /// Stop listing and fetching; in-flight requests are dropped.
    #[napi(catch_unwind)]
    pub fn cancel(&self) {
        self.token.cancel();
    }
}

impl Drop for NativeReader {
    /// The JS reader was collected (dropped without `destroy()`): stop the pump,
    /// which releases its callback.
    fn drop(&mut self) {
        self.token.cancel();
        self.resume.notify_one();
    }
}

/// What a reader reads: a resource, or one partition of it (`partition`, `partitionValues`).
pub struct ReaderTarget {
    pub resource: String,
    pub partition: Option<(Value, Value)>,
}

pub fn open_reader(
    db: Arc<Database>,
    target: ReaderTarget,
    opts: ReaderOptions,
    callback: ReaderCallback,
) -> NativeReader {
    let token = CancellationToken::new();
    let resume = Arc::new(Notify::new());
    let stats = Arc::new(ReaderStats::default());
    let (t, r, st) = (token.clone(), resume.clone(), stats.clone());
    napi::bindgen_prelude::spawn(async move {
        let pumped = std::panic::AssertUnwindSafe(pump(db, target, opts, &callback, &t, &r, st))
            .catch_unwind()
            .await;
        if pumped.is_err() && !t.is_cancelled() {
            let e = EngineError::new(ErrorKind::InternalError, "internal error (panic) in reader");
            let _ = callback
                .call_async_catch(message(&[], true, Some(&e)))
                .await;
        }
        // `callback` is dropped here: the ThreadsafeFunction is released.
    });
    NativeReader {
        token,
        resume,
        stats,
    }
}

async fn pump(
    db: Arc<Database>,
    target: ReaderTarget,
    mut opts: ReaderOptions,
    callback: &ReaderCallback,
    token: &CancellationToken,
    resume: &Notify,
    stats: Arc<ReaderStats>,
) {
    let resolved = db.resource(&target.resource).await.and_then(|r| {
        if let Some((p, values)) = &target.partition {
            opts.scope = Some(Resource::scope(&r.schema(), Some(p), Some(values))?);
        }
        Ok(r)
    });
    let resource = match resolved {
        Ok(r) => r,
        Err(e) => {
            let _ = callback
                .call_async_catch(message(&[], true, Some(&e)))
                .await;
            return;
        }
    };
    let batch_size = opts.batch_size.max(1);
    let mut reader = Reader::start_with_stats(resource, opts, token.clone(), stats);
    loop {
        let batch = reader.next_batch(batch_size).await;
        if token.is_cancelled() {
            break;
        }
        let (done, error) = match &batch.end {
            BatchEnd::Open => (false, None),
            BatchEnd::Done => (true, None),
            BatchEnd::Failed(e) => (true, Some(e)),
        };
        let more = match callback
            .call_async_catch(message(&batch.items, done, error))
            .await
        {
            Ok(more) => more,
            Err(_) => break, // the JS side is gone or failed: stop.
        };
        if done {
            break;
        }
        if !more {
            tokio::select! {
                biased;
                _ = token.cancelled() => break,
                _ = resume.notified() => {}
            }
        }
    }
    reader.close().await;
}

fn message(items: &[ReadItem], done: bool, error: Option<&EngineError>) -> String {
    let json_len: usize = items
        .iter()
        .map(|i| match i {
            ReadItem::Record { json, .. } => json.len() + 1,
            ReadItem::Skipped { .. } => 0,
        })
        .sum();
    let mut out = String::with_capacity(json_len + 64);
    out.push_str("{\"r\":[");
    let mut first = true;
    for item in items {
        if let ReadItem::Record { json, .. } = item {
            if !std::mem::take(&mut first) {
                out.push(',');
            }
            out.push_str(json);
        }
    }
    out.push_str("],\"s\":[");
    let mut first = true;
    for item in items {
        if let ReadItem::Skipped { id, error } = item {
            if !std::mem::take(&mut first) {
                out.push(',');
            }
            out.push_str(&json!([id, error.to_json()]).to_string());
        }
    }
    let error = error.map_or_else(|| "null".to_string(), |e| e.to_json().to_string());
    let _ = write!(out, "],\"done\":{done},\"error\":{error}}}");
    out
}

/// Handle of a resource writer.
#[napi(js_name = "NativeWriter")]
pub struct NativeWriter {
    inner: Arc<Writer>,
}

impl NativeWriter {
    pub fn new(inner: Writer) -> Self {
        NativeWriter {
            inner: Arc::new(inner),
        }
    }
}

fn report_json(r: Report) -> String {
    let failures: Vec<Value> = r
        .failures
        .into_iter()
        .map(|f| json!({ "index": f.index, "error": f.error.to_json() }))
        .collect();
    json!({ "written": r.written, "failed": r.failed, "succeeded": r.succeeded, "failures": failures, "events": r.events })
        .to_string()
}

#[napi]
impl NativeWriter {
    /// `batch`: JSON array of records. Resolves once they are queued, with
    /// `{ written, failed, succeeded: [index…], failures: [{index, error}], events }`
    /// (indices count the records in write order; the caller holds the records).
    #[napi]
    pub async fn push(&self, batch: String) -> napi::Result<String> {
        let w = self.inner.clone();
        guarded(async move {
            let records: Vec<Value> = serde_json::from_str(&batch)
                .map_err(|e| super::error::invalid_arg("record batch", e))?;
            w.push(records).await.map(report_json).into_napi()
        })
        .await
    }

    /// Close and wait for every accepted record to settle; final report.
    #[napi]
    pub async fn finish(&self) -> napi::Result<String> {
        let w = self.inner.clone();
        guarded(async move { w.finish().await.map(report_json).into_napi() }).await
    }

    /// Stop the workers; queued records are reported as failed (`Cancelled`).
    #[napi(catch_unwind)]
    pub fn cancel(&self) {
        self.inner.cancel();
    }
}
