//! S3 backend through `aws-sdk-s3` (AWS, MinIO, Garage, moto, any S3 endpoint).
//!
//! One `aws_sdk_s3::Client` per database (cloned into tasks). SDK errors are
//! mapped to [`EngineError`] here and nowhere else; messages carry the S3 error
//! code and request id, never credentials.

use super::{BodyStream, ListPage, ListedObject, ObjectMeta, PutRequest, Storage, StreamedPut};
use crate::engine::config::Config;
use crate::engine::error::{EngineError, ErrorKind, Result};
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
    StalledStreamProtectionConfig,
};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};
use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

const COPY_SOURCE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'=');

/// Size of a multipart upload's parts: a streamed body longer than this goes up
/// as a multipart upload (S3's minimum part is 5 MiB).
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts of one upload in flight at once: a streamed upload holds at most
/// `PARTS_IN_FLIGHT + 1` parts in memory.
const PARTS_IN_FLIGHT: usize = 2;

pub struct S3Storage {
    client: Client,
    bucket: String,
}

impl S3Storage {
    pub async fn connect(cfg: &Config) -> Result<Self> {
        let region = Region::new(cfg.region.clone());
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region.clone());
        if let (Some(ak), Some(sk)) = (&cfg.access_key_id, &cfg.secret_access_key) {
            loader = loader.credentials_provider(Credentials::new(
                ak.clone(),
                sk.clone(),
                cfg.session_token.clone(),
                None,
                "s3db-connection-string",
            ));
        }
        let shared = loader.load().await;
        let mut b = aws_sdk_s3::config::Builder::from(&shared)
            .region(region)
            .force_path_style(cfg.force_path_style)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(4))
            // Record bodies are empty or small JSON: CRC32 per request costs CPU and buys
            // nothing over TLS/SigV4; keep checksums only where an operation requires them
            // (DeleteObjects sends its Content-MD5/CRC as S3 demands).
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            // Metadata-only requests have no body to stall on; the protection adds a timer per request.
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled());
        if let Some(ep) = &cfg.endpoint {
            b = b.endpoint_url(ep.clone());
        }
        Ok(S3Storage {
            client: Client::from_conf(b.build()),
            bucket: cfg.bucket.clone(),
        })
    }
}

impl S3Storage {
    /// Fill `buf` from `body` up to [`PART_SIZE`]; false once the body has ended.
    async fn fill_part(
        body: &mut BodyStream,
        buf: &mut BytesMut,
        carry: &mut Option<Bytes>,
    ) -> Result<bool> {
        loop {
            let chunk = match carry.take() {
                Some(c) => c,
                None => match body.next().await {
                    Some(c) => c?,
                    None => return Ok(false),
                },
            };
            let room = PART_SIZE - buf.len();
            if chunk.len() >= room {
                buf.extend_from_slice(&chunk[..room]);
                if chunk.len() > room {
                    *carry = Some(chunk.slice(room..));
                }
                return Ok(true);
            }
            buf.extend_from_slice(&chunk);
        }
    }

    async fn upload_part(
        client: Client,
        bucket: String,
        key: String,
        upload_id: String,
        number: i32,
        part: Bytes,
    ) -> Result<CompletedPart> {
        let out = client
            .upload_part()
            .bucket(bucket)
            .key(&key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(part))
            .send()
            .await
            .map_err(|e| map_err("UploadPart", &key, e))?;
        Ok(CompletedPart::builder()
            .part_number(number)
            .set_e_tag(out.e_tag().map(str::to_string))
            .build())
    }

    /// The parts of a multipart upload already created: `first` then the rest of
    /// `body`, [`PARTS_IN_FLIGHT`] at a time; the completed parts in order.
    async fn send_parts(
        &self,
        key: &str,
        upload_id: &str,
        first: Bytes,
        mut carry: Option<Bytes>,
        body: &mut BodyStream,
    ) -> Result<(Vec<CompletedPart>, u64)> {
        let mut in_flight = FuturesUnordered::new();
        let mut done = Vec::new();
        let mut bytes = first.len() as u64;
        let mut next = Some(first);
        let mut number = 0;
        while let Some(part) = next.take() {
            number += 1;
            in_flight.push(Self::upload_part(
                self.client.clone(),
                self.bucket.clone(),
                key.to_string(),
                upload_id.to_string(),
                number,
                part,
            ));
            while in_flight.len() >= PARTS_IN_FLIGHT {
                if let Some(p) = in_flight.next().await {
                    done.push(p?);
                }
            }
            let mut buf = BytesMut::with_capacity(PART_SIZE);
            let more = Self::fill_part(body, &mut buf, &mut carry).await?;
            if !buf.is_empty() {
                bytes += buf.len() as u64;
                next = Some(buf.freeze());
            }
            if !more && next.is_none() {
                break;
            }
        }
        while let Some(p) = in_flight.next().await {
            done.push(p?);
        }
        done.sort_by_key(|p| p.part_number());
        Ok((done, bytes))
    }

    /// A body over [`PART_SIZE`]: create, parts, complete; aborted on any failure
    /// (so no orphaned parts are billed).
    async fn multipart(
        &self,
        key: &str,
        req: PutRequest,
        first: Bytes,
        carry: Option<Bytes>,
        body: &mut BodyStream,
    ) -> Result<StreamedPut> {
        let mut create = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .set_metadata(Some(req.metadata.into_iter().collect()));
        if let Some(ct) = req.content_type {
            create = create.content_type(ct);
        }
        if let Some(ce) = req.content_encoding {
            create = create.content_encoding(ce);
        }
        let created = create
            .send()
            .await
            .map_err(|e| map_err("CreateMultipartUpload", key, e))?;
        let upload_id = created.upload_id().unwrap_or_default().to_string();
        let result = match self.send_parts(key, &upload_id, first, carry, body).await {
            Ok((parts, bytes)) => {
                let requests = parts.len() as u64 + 2;
                self.client
                    .complete_multipart_upload()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .multipart_upload(
                        CompletedMultipartUpload::builder()
                            .set_parts(Some(parts))
                            .build(),
                    )
                    .send()
                    .await
                    .map(|_| StreamedPut { bytes, requests })
                    .map_err(|e| map_err("CompleteMultipartUpload", key, e))
            }
            Err(e) => Err(e),
        };
        if result.is_err() {
            let _ = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
        }
        result
    }
}

/// A GetObject response body that failed while being read.
fn body_error(key: &str, e: impl std::fmt::Display) -> EngineError {
    EngineError::new(
        ErrorKind::UnknownError,
        format!("GetObject failed reading body: {e}"),
    )
    .with("key", key)
}

/// SDK error -> EngineError (the only place this mapping exists).
fn map_err<E>(op: &str, key: &str, err: SdkError<E>) -> EngineError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = match &err {
        SdkError::ServiceError(se) => Some(se.raw().status().as_u16()),
        _ => None,
    };
    let code = err.code().map(str::to_string);
    let aws_message = err.message().map(str::to_string);
    let request_id = err
        .meta()
        .extra("aws_request_id")
        .map(str::to_string)
        .or_else(|| {
            use aws_sdk_s3::operation::RequestId;
            match &err {
                SdkError::ServiceError(se) => se.err().meta().request_id().map(str::to_string),
                _ => None,
            }
        });
    let kind = match (code.as_deref(), status) {
        (Some("NoSuchKey"), _) => ErrorKind::NoSuchKey,
        (Some("NotFound"), _) | (None, Some(404)) if op == "HeadObject" => ErrorKind::NotFound,
        (_, Some(404)) if op == "HeadObject" => ErrorKind::NotFound,
        (Some("NoSuchBucket"), _) => ErrorKind::NoSuchBucket,
        (
            Some(
                "AccessDenied"
                | "InvalidAccessKeyId"
                | "SignatureDoesNotMatch"
                | "ExpiredToken"
                | "InvalidToken",
            ),
            _,
        )
        | (_, Some(401 | 403)) => ErrorKind::PermissionError,
        (Some("MetadataTooLarge"), _) => ErrorKind::MetadataTooLarge,
        _ => ErrorKind::UnknownError,
    };
    let desc = match &err {
        SdkError::ServiceError(_) => format!(
            "{op} failed: {}{}",
            code.clone()
                .unwrap_or_else(|| format!("HTTP {}", status.unwrap_or(0))),
            aws_message
                .as_ref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        ),
        SdkError::TimeoutError(_) => format!("{op} failed: request timed out"),
        SdkError::DispatchFailure(d) => {
            let what = if d.is_io() {
                "connection error"
            } else if d.is_timeout() {
                "timeout"
            } else {
                "dispatch failure"
            };
            format!("{op} failed: {what}")
        }
        _ => format!("{op} failed: {err}"),
    };
    let mut e = EngineError::new(kind, desc)
        .with("commandName", op)
        .with("key", key);
    if let Some(s) = status {
        e = e.with("statusCode", s);
    }
    if let Some(c) = code {
        e = e.with("code", c);
    }
    if let Some(r) = request_id {
        e = e.with("requestId", r);
    }
    if let Some(m) = aws_message {
        e = e.with("awsMessage", m);
    }
    e.with_source(err)
}

/// ObjectMeta from a GetObject or HeadObject output (same accessors, different types).
macro_rules! object_meta {
    ($key:expr, $out:expr) => {
        ObjectMeta {
            key: $key.clone(),
            size: $out.content_length().unwrap_or(0).max(0) as u64,
            last_modified_ms: ts_ms($out.last_modified()),
            content_type: $out.content_type().map(str::to_string),
            content_encoding: $out.content_encoding().map(str::to_string),
            metadata: $out
                .metadata()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            version_id: $out.version_id().map(str::to_string),
        }
    };
}

fn ts_ms(t: Option<&aws_sdk_s3::primitives::DateTime>) -> i64 {
    t.and_then(|d| d.to_millis().ok()).unwrap_or(0)
}

impl S3Storage {
    /// GetObject: the object's metadata and its body, not yet read.
    async fn open_object(&self, key: &str) -> Result<(ObjectMeta, ByteStream)> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| map_err("GetObject", key, e))?;
        let key = key.to_string();
        Ok((object_meta!(key, out), out.body))
    }
}

impl Storage for S3Storage {
    fn name(&self) -> &'static str {
        "s3"
    }

    fn put(&self, key: String, req: PutRequest) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let mut r = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .set_metadata(Some(req.metadata.into_iter().collect()))
                .body(ByteStream::from(req.body));
            if let Some(ct) = req.content_type {
                r = r.content_type(ct);
            }
            if let Some(ce) = req.content_encoding {
                r = r.content_encoding(ce);
            }
            r.send().await.map_err(|e| map_err("PutObject", &key, e))?;
            Ok(())
        })
    }

    fn get(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, Bytes)>> {
        Box::pin(async move {
            let (meta, body) = self.open_object(&key).await?;
            let body = body
                .collect()
                .await
                .map_err(|e| body_error(&key, e))?
                .into_bytes();
            Ok((meta, body))
        })
    }

    fn head(&self, key: String) -> BoxFuture<'_, Result<ObjectMeta>> {
        Box::pin(async move {
            let out = self
                .client
                .head_object()
                .bucket(&self.bucket)
                .key(&key)
                .send()
                .await
                .map_err(|e| map_err("HeadObject", &key, e))?;
            Ok(object_meta!(key, out))
        })
    }

    fn list(
        &self,
        prefix: String,
        max_keys: usize,
        token: Option<String>,
    ) -> BoxFuture<'_, Result<ListPage>> {
        Box::pin(async move {
            let out = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&prefix)
                .max_keys(max_keys as i32)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| map_err("ListObjectsV2", &prefix, e))?;
            let objects = out
                .contents()
                .iter()
                .filter_map(|o| {
                    o.key().map(|k| ListedObject {
                        key: k.to_string(),
                        size: o.size().unwrap_or(0).max(0) as u64,
                        last_modified_ms: ts_ms(o.last_modified()),
                    })
                })
                .collect();
            let next_token = if out.is_truncated().unwrap_or(false) {
                out.next_continuation_token().map(str::to_string)
            } else {
                None
            };
            Ok(ListPage {
                objects,
                next_token,
            })
        })
    }

    fn delete(&self, key: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(&key)
                .send()
                .await
                .map_err(|e| map_err("DeleteObject", &key, e))?;
            Ok(())
        })
    }

    fn delete_many(&self, keys: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            let ids = keys
                .iter()
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| {
                    EngineError::new(ErrorKind::UnknownError, format!("DeleteObjects: {e}"))
                })?;
            let delete = Delete::builder()
                .set_objects(Some(ids))
                .quiet(false)
                .build()
                .map_err(|e| {
                    EngineError::new(ErrorKind::UnknownError, format!("DeleteObjects: {e}"))
                })?;
            let out = self
                .client
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| {
                    map_err(
                        "DeleteObjects",
                        keys.first().map(String::as_str).unwrap_or(""),
                        e,
                    )
                })?;
            if let Some(first) = out.errors().first() {
                return Err(EngineError::new(
                    ErrorKind::UnknownError,
                    format!(
                        "DeleteObjects failed for {} key(s): {} ({})",
                        out.errors().len(),
                        first.code().unwrap_or("error"),
                        first.message().unwrap_or("")
                    ),
                )
                .with("key", first.key().unwrap_or("").to_string()));
            }
            Ok(out
                .deleted()
                .iter()
                .filter_map(|d| d.key().map(str::to_string))
                .collect())
        })
    }

    /// A body up to [`PART_SIZE`] is one PutObject; a longer one a multipart upload
    /// with at most [`PARTS_IN_FLIGHT`] parts in flight.
    fn put_stream(
        &self,
        key: String,
        req: PutRequest,
        mut body: BodyStream,
    ) -> BoxFuture<'_, Result<StreamedPut>> {
        Box::pin(async move {
            let mut first = BytesMut::new();
            let mut carry = None;
            let more = Self::fill_part(&mut body, &mut first, &mut carry).await?;
            let first = first.freeze();
            let mut ended = !more;
            if more && carry.is_none() {
                // Exactly one part's worth so far: look ahead for a next chunk.
                match body.next().await {
                    Some(c) => carry = Some(c?),
                    None => ended = true,
                }
            }
            if ended {
                let bytes = first.len() as u64;
                self.put(key, PutRequest { body: first, ..req }).await?;
                return Ok(StreamedPut { bytes, requests: 1 });
            }
            self.multipart(&key, req, first, carry, &mut body).await
        })
    }

    fn get_stream(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, BodyStream)>> {
        Box::pin(async move {
            let (meta, body) = self.open_object(&key).await?;
            let body: BodyStream = futures::stream::unfold(body, move |mut b| {
                let key = key.clone();
                async move {
                    let chunk = b.next().await?;
                    Some((chunk.map_err(|e| body_error(&key, e)), b))
                }
            })
            .boxed();
            Ok((meta, body))
        })
    }

    fn copy(&self, from: String, to: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let source = format!(
                "{}/{}",
                self.bucket,
                utf8_percent_encode(&from, COPY_SOURCE)
            );
            self.client
                .copy_object()
                .bucket(&self.bucket)
                .key(&to)
                .copy_source(source)
                .send()
                .await
                .map_err(|e| map_err("CopyObject", &from, e))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::config::ConfigOverrides;
    use std::sync::Arc;

    /// Runs against a real S3 server when `S3DB_TEST_S3_URL` is set (npm test starts moto).
    #[tokio::test]
    async fn conformance() {
        let Ok(url) = std::env::var("S3DB_TEST_S3_URL") else {
            eprintln!("S3DB_TEST_S3_URL not set: S3 conformance skipped");
            return;
        };
        let cfg = Config::parse(&url, &ConfigOverrides::default()).expect("test url");
        let s = S3Storage::connect(&cfg).await.expect("client");
        let prefix = format!("conformance-{}", nanoid::nanoid!(8));
        super::super::conformance::run_all(Arc::new(s), &prefix).await;
    }
}
