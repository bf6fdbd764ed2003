//! Streamed binary content: `setContent` from a `Readable` and `contentStream(id)`.
//!
//! Upload protocol: `NativeDatabase.contentUpload(resource, id, type)` starts the
//! engine's `set_content_stream` on the runtime and returns a
//! `NativeContentUpload`; JS awaits `write(chunk)` for every chunk (the promise
//! settles once the chunk is in a bounded queue: backpressure), then `finish()`
//! for the `{result, events}` JSON; `abort()` (or the object being collected)
//! fails the body, so nothing is written (S3 multipart uploads are aborted).
//!
//! Download protocol: `NativeDatabase.contentDownload(resource, id)` returns a
//! `NativeContentDownload`; `open()` gives `{ contentType, contentLength }`, then
//! each `next()` the following chunk (small chunks already received are joined
//! up to [`JOIN_UP_TO`]) or `null` at the end; `cancel()` drops the body.

use super::convert::CopiedBuffer;
use super::error::{guarded, to_napi, IntoNapi};
use crate::engine::database::Database;
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::storage::BodyStream;
use bytes::{Bytes, BytesMut};
use futures::future::{BoxFuture, FutureExt, Shared};
use futures::stream::StreamExt;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Chunks queued between JS and the engine per upload.
const QUEUED_CHUNKS: usize = 4;
/// `next()` joins chunks that are already there up to this size (fewer round trips).
const JOIN_UP_TO: usize = 256 * 1024;

/// The upload's outcome, awaitable from `write` and `finish` alike: the
/// `{result, events}` JSON or the napi error message.
type Outcome = Shared<BoxFuture<'static, std::result::Result<String, String>>>;

fn cancelled() -> EngineError {
    EngineError::new(ErrorKind::Cancelled, "content upload aborted")
}

#[napi(js_name = "NativeContentUpload")]
pub struct NativeContentUpload {
    sender: Mutex<Option<mpsc::Sender<Bytes>>>,
    token: CancellationToken,
    outcome: Outcome,
}

/// Starts `setContent` of `id` with a body fed by the returned upload's `write`s.
pub fn start_upload(
    db: Arc<Database>,
    resource: String,
    id: String,
    content_type: String,
) -> NativeContentUpload {
    let (sender, mut receiver) = mpsc::channel::<Bytes>(QUEUED_CHUNKS);
    let token = CancellationToken::new();
    let t = token.clone();
    // Ends when the sender is dropped (finish) or fails when the upload is cancelled.
    let body: BodyStream = futures::stream::poll_fn(move |cx| {
        if t.is_cancelled() {
            return std::task::Poll::Ready(None);
        }
        receiver.poll_recv(cx).map(|c| c.map(Ok))
    })
    .chain(futures::stream::once({
        let t = token.clone();
        async move {
            if t.is_cancelled() {
                Err(cancelled())
            } else {
                Ok(Bytes::new())
            }
        }
    }))
    .boxed();
    let (done, outcome) = tokio::sync::oneshot::channel();
    napi::bindgen_prelude::spawn(async move {
        let result = guarded(async move {
            let r = db.resource(&resource).await.into_napi()?;
            r.set_content_stream(&id, body, &content_type)
                .await
                .map(|o| o.to_json_string())
                .into_napi()
        })
        .await;
        let _ = done.send(result.map_err(|e| e.reason.clone()));
    });
    let outcome = async move {
        outcome.await.unwrap_or_else(|_| {
            Err(to_napi(EngineError::new(
                ErrorKind::InternalError,
                "content upload task ended without an outcome",
            ))
            .reason)
        })
    }
    .boxed()
    .shared();
    NativeContentUpload {
        sender: Mutex::new(Some(sender)),
        token,
        outcome,
    }
}

fn failure(reason: String) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, reason)
}

#[napi]
impl NativeContentUpload {
    /// Queue one chunk; settles when there is room (or with the upload's error).
    #[napi]
    pub async fn write(&self, chunk: Buffer) -> napi::Result<()> {
        let sender = match self.sender.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        };
        let Some(sender) = sender else {
            return Err(to_napi(EngineError::new(
                ErrorKind::InvalidArgument,
                "write after finish() or abort()",
            )));
        };
        let chunk = Bytes::copy_from_slice(&chunk);
        if chunk.is_empty() {
            return Ok(());
        }
        if sender.send(chunk).await.is_err() {
            // The upload ended early (the record is missing, a write failed): its error.
            self.outcome.clone().await.map_err(failure)?;
        }
        Ok(())
    }

    /// End the body; the `{result, events}` JSON of `setContent`.
    #[napi]
    pub async fn finish(&self) -> napi::Result<String> {
        self.close();
        self.outcome.clone().await.map_err(failure)
    }

    /// Fail the body: nothing is written. Settles once the upload has stopped.
    #[napi]
    pub async fn abort(&self) -> napi::Result<()> {
        self.token.cancel();
        self.close();
        let _ = self.outcome.clone().await;
        Ok(())
    }
}

impl NativeContentUpload {
    fn close(&self) {
        match self.sender.lock() {
            Ok(mut g) => g.take(),
            Err(p) => p.into_inner().take(),
        };
    }
}

impl Drop for NativeContentUpload {
    /// Collected without `finish()`: the body fails and nothing is written.
    fn drop(&mut self) {
        if self.sender.get_mut().map(|s| s.is_some()).unwrap_or(true) {
            self.token.cancel();
        }
    }
}

#[napi(js_name = "NativeContentDownload")]
pub struct NativeContentDownload {
    db: Arc<Database>,
    resource: String,
    id: String,
    body: tokio::sync::Mutex<Option<BodyStream>>,
    token: CancellationToken,
}

pub fn start_download(db: Arc<Database>, resource: String, id: String) -> NativeContentDownload {
    NativeContentDownload {
        db,
        resource,
        id,
        body: tokio::sync::Mutex::new(None),
        token: CancellationToken::new(),
    }
}

/// The next chunk, joined with chunks already received up to [`JOIN_UP_TO`].
async fn next_joined(body: &mut BodyStream) -> Result<Option<Bytes>> {
    let Some(first) = body.next().await.transpose()? else {
        return Ok(None);
    };
    if first.len() >= JOIN_UP_TO {
        return Ok(Some(first));
    }
    let mut joined = BytesMut::from(&first[..]);
    while joined.len() < JOIN_UP_TO {
        match body.next().now_or_never() {
            Some(Some(chunk)) => joined.extend_from_slice(&chunk?),
            _ => break,
        }
    }
    Ok(Some(joined.freeze()))
}

#[napi]
impl NativeContentDownload {
    /// Start reading: `{ contentType, contentLength }` JSON.
    #[napi]
    pub async fn open(&self) -> napi::Result<String> {
        let (db, resource, id) = (self.db.clone(), self.resource.clone(), self.id.clone());
        let opened = guarded(async move {
            let r = db.resource(&resource).await.into_napi()?;
            r.content_stream(&id).await.into_napi()
        })
        .await?;
        let info = json!({ "contentType": opened.content_type, "contentLength": opened.length });
        // Fused: `next()` may poll again after the end (chunk joining, a late call).
        *self.body.lock().await = Some(opened.body.fuse().boxed());
        Ok(info.to_string())
    }

    /// The next chunk, or `null` at the end (and after `cancel()`).
    #[napi(ts_return_type = "Promise<Buffer | null>")]
    pub async fn next(&self) -> napi::Result<Option<CopiedBuffer>> {
        let token = self.token.clone();
        let mut guard = self.body.lock().await;
        let Some(body) = guard.as_mut() else {
            return Ok(None);
        };
        let chunk = tokio::select! {
            _ = token.cancelled() => Ok(None),
            c = guarded(async { next_joined(body).await.into_napi() }) => c,
        };
        match chunk {
            Ok(Some(c)) => Ok(Some(CopiedBuffer(c))),
            other => {
                *guard = None;
                other.map(|_| None)
            }
        }
    }

    /// Stop reading: the body is dropped (its connection closed).
    #[napi]
    pub fn cancel(&self) {
        self.token.cancel();
        if let Ok(mut g) = self.body.try_lock() {
            *g = None;
        }
    }
}
