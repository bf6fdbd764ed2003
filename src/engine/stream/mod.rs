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
