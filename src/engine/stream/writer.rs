//! Resource writer pipeline.
//!
//! ```text
//!  push(batch) ──records (bounded)──▶ worker task: `concurrency` inserts in flight
//!  (resolves once accepted,           (buffer_unordered); successes counted,
//!   waits while the queue is full)     failures collected with their record
//! ```
//!
//! Every accepted record ends either written (its index in `succeeded`) or in the
//! failure list with its error: nothing is dropped silently. Records are known by
//! their index in write order; the caller keeps them (the engine holds a record
//! only until its insert takes it, never a copy for reporting). `finish()` closes
//! the queue and resolves after the last insert has settled. Cancelling stops
//! the workers; records still queued are reported as failed (`Cancelled`).
//! Inserts that were in flight at that moment are reported as failed too,
//! although their PUT may have reached the store.

use super::cancelled;
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::resource::{InsertMode, Resource};
use futures::StreamExt;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct WriterOptions {
    pub batch_size: usize,
    pub concurrency: usize,
    /// Collect the resource events (`insert`, `exceedsLimit`) of successful inserts.
    pub events: bool,
    /// `ifNotExists`: create-only inserts (a record that exists is a failed item);
    /// `None`: the resource's insert mode.
    pub insert_mode: Option<InsertMode>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            batch_size: 10,
            concurrency: 5,
            events: false,
            insert_mode: None,
        }
    }
}

#[derive(Debug)]
pub struct Failure {
    /// Position of the record in the stream (0-based, in write order).
    pub index: u64,
    pub error: EngineError,
}

/// What happened since the previous report (failures, events) plus running totals.
#[derive(Debug, Default)]
pub struct Report {
    pub written: u64,
    pub failed: u64,
    /// Indices written since the previous report.
    pub succeeded: Vec<u64>,
    pub failures: Vec<Failure>,
    pub events: Vec<Value>,
}

#[derive(Default)]
struct State {
    written: u64,
    failed: u64,
    succeeded: Vec<u64>,
    failures: Vec<Failure>,
    events: Vec<Value>,
}

impl State {
    fn fail(&mut self, index: u64, error: EngineError) {
        self.failed += 1;
        self.failures.push(Failure { index, error });
    }

    fn take_report(&mut self) -> Report {
        Report {
            written: self.written,
            failed: self.failed,
            succeeded: std::mem::take(&mut self.succeeded),
            failures: std::mem::take(&mut self.failures),
            events: std::mem::take(&mut self.events),
        }
    }
}

type Queued = (u64, Value);

pub struct Writer {
    tx: tokio::sync::Mutex<Option<mpsc::Sender<Queued>>>,
    state: Arc<Mutex<State>>,
    worker: tokio::sync::Mutex<Option<JoinHandle<()>>>,
    token: CancellationToken,
    next_index: std::sync::atomic::AtomicU64,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Writer {
    /// Start the worker. Must be called inside a tokio runtime.
    pub fn start(resource: Arc<Resource>, opts: WriterOptions, token: CancellationToken) -> Writer {
        let concurrency = opts.concurrency.max(1);
        // One batch being accepted while one batch per worker slot waits.
        let (tx, rx) = mpsc::channel::<Queued>(opts.batch_size.max(1) + concurrency);
        let state = Arc::new(Mutex::new(State::default()));
        let worker = tokio::spawn(work(
            resource,
            rx,
            state.clone(),
            concurrency,
            (opts.events, opts.insert_mode),
            token.clone(),
        ));
        Writer {
            tx: tokio::sync::Mutex::new(Some(tx)),
            state,
            worker: tokio::sync::Mutex::new(Some(worker)),
            token,
            next_index: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Accept records into the queue (waits while it is full); returns the
    /// failures and events since the previous report.
    pub async fn push(&self, records: Vec<Value>) -> Result<Report> {
        let tx = self.tx.lock().await.clone().ok_or_else(|| {
            EngineError::new(ErrorKind::InvalidArgument, "write after end of the stream")
        })?;
        for record in records {
            let index = self
                .next_index
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if self.token.is_cancelled() {
                lock(&self.state).fail(index, cancelled());
                continue;
            }
            // Reserve first so the record is not moved into a send that may be cancelled.
            let permit = tokio::select! {
                biased;
                _ = self.token.cancelled() => None,
                permit = tx.reserve() => permit.ok(),
            };
            match permit {
                Some(p) => p.send((index, record)),
                None => lock(&self.state).fail(index, cancelled()),
            }
        }
        Ok(lock(&self.state).take_report())
    }

    /// Close the queue, wait for every accepted record to settle, report.
    pub async fn finish(&self) -> Result<Report> {
        drop(self.tx.lock().await.take());
        if let Some(worker) = self.worker.lock().await.take() {
            if let Err(e) = worker.await {
                return Err(EngineError::new(
                    ErrorKind::InternalError,
                    format!("writer worker failed: {e}"),
                ));
            }
        }
        Ok(lock(&self.state).take_report())
    }

    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// Totals and pending failures without closing.
    pub fn report(&self) -> Report {
        lock(&self.state).take_report()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

async fn work(
    resource: Arc<Resource>,
    mut rx: mpsc::Receiver<Queued>,
    state: Arc<Mutex<State>>,
    concurrency: usize,
    (events, mode): (bool, Option<InsertMode>),
    token: CancellationToken,
) {
    let in_flight: Arc<Mutex<std::collections::HashSet<u64>>> = Arc::default();
    {
        let queued = futures::stream::poll_fn(|cx| rx.poll_recv(cx));
        let mut results = queued
            .map(|(index, record)| {
                let resource = resource.clone();
                let in_flight = in_flight.clone();
                async move {
                    in_flight
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(index);
                    let mode = mode.unwrap_or_else(|| InsertMode::of(&resource.schema()));
                    let r = resource.insert_with(record, mode).await;
                    in_flight
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&index);
                    (index, r)
                }
            })
            .buffer_unordered(concurrency);
        loop {
            let next = tokio::select! {
                biased;
                _ = token.cancelled() => break,
                next = results.next() => next,
            };
            let Some((index, r)) = next else {
                return;
            };
            let mut st = lock(&state);
            match r {
                Ok(mut out) => {
                    st.written += 1;
                    st.succeeded.push(index);
                    if events {
                        st.events.extend(out.take_events());
                    }
                }
                Err(e) => st.fail(index, e),
            }
        }
    }
    // Cancelled: everything in flight or still queued is reported, not lost.
    let mut st = lock(&state);
    let mut pending: Vec<u64> = in_flight
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .drain()
        .collect();
    rx.close();
    while let Ok((index, _record)) = rx.try_recv() {
        pending.push(index);
    }
    pending.sort_unstable();
    for index in pending {
        st.fail(index, cancelled());
    }
}
