//! S3 backend through `aws-sdk-s3` (AWS, MinIO, Garage, moto, any S3 endpoint).
//!
//! One `aws_sdk_s3::Client` per database (cloned into tasks). SDK errors are
//! mapped to [`EngineError`] here and nowhere else; messages carry the S3 error
//! code and request id, never credentials.

mod errors;
mod lean;
mod multipart;

pub use multipart::PART_SIZE;

use super::{
    BodyStream, ListPage, ListedObject, ObjectMeta, Precondition, PutRequest, Storage, StreamedPut,
};
use crate::engine::config::{Config, NetworkPolicy, S3Client};
use crate::engine::error::{EngineError, ErrorKind, Result};
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
    StalledStreamProtectionConfig,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};
use errors::{body_error, body_stalled, conflict_or, counted, map_err, AttemptCounter};
use futures::future::BoxFuture;
use futures::stream::StreamExt;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::Duration;

/// How `x-amz-copy-source` carries the source key.
const COPY_SOURCE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'=');

pub struct S3Storage {
    client: Client,
    /// The hot commands' client where it can reach the bucket (see [`lean`]).
    lean: Option<lean::LeanClient>,
    bucket: String,
    policy: NetworkPolicy,
}

impl S3Storage {
    pub async fn connect(cfg: &Config) -> Result<Self> {
        let policy = cfg.network;
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
            // AWS standard mode: exponential backoff with full jitter and a retry
            // quota; throttling, 5xx, resets and timeouts are retried, real answers not.
            .retry_config(RetryConfig::standard().with_max_attempts(policy.max_attempts))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_millis(policy.connect_ms))
                    .operation_attempt_timeout(Duration::from_millis(policy.attempt_ms))
                    .operation_timeout(Duration::from_millis(policy.operation_ms))
                    .build(),
            )
            .interceptor(AttemptCounter)
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
        let lean = match cfg.s3_client {
            S3Client::Lean => lean::LeanClient::new(cfg, shared.credentials_provider())?,
            S3Client::Sdk => None,
        };
        Ok(S3Storage {
            client: Client::from_conf(b.build()),
            lean,
            bucket: cfg.bucket.clone(),
            policy,
        })
    }
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
            etag: $out.e_tag().map(str::to_string),
        }
    };
}

/// Sets the `If-Match` / `If-None-Match` header of a write request builder.
macro_rules! with_precondition {
    ($builder:expr, $p:expr) => {
        match $p {
            None => $builder,
            Some(Precondition::IfMatch(etag)) => $builder.if_match(etag.clone()),
            Some(Precondition::IfNoneMatch) => $builder.if_none_match("*"),
        }
    };
}
pub(super) use with_precondition;

/// S3 carries user metadata in HTTP headers, which must be US-ASCII: anything else
/// would be signed one way and sent another (SignatureDoesNotMatch). Records never
/// get here with such values (the codec encodes them); raw `putObject` calls can.
fn check_metadata_ascii(key: &str, metadata: &super::Metadata) -> Result<()> {
    let bad = metadata
        .iter()
        .find(|(k, v)| !k.is_ascii() || !v.split('\t').all(crate::engine::codec::is_plain_ascii));
    match bad {
        None => Ok(()),
        Some((name, _)) => Err(EngineError::new(
            ErrorKind::InvalidArgument,
            format!("metadata '{name}' of [{key}] is not printable US-ASCII, which S3 user metadata must be (encode it first, e.g. with encodeURIComponent)"),
        )
        .with("key", key)),
    }
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
        counted(async move {
            check_metadata_ascii(&key, &req.metadata)?;
            if let Some(lean) = &self.lean {
                let precondition = req.precondition.clone();
                return lean
                    .put(&key, req)
                    .await
                    .map_err(|e| conflict_or(precondition.as_ref(), &key, e));
            }
            let mut r = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .set_metadata(Some(req.metadata.into_iter().collect()))
                .body(ByteStream::from(req.body));
            r = with_precondition!(r, &req.precondition);
            if let Some(ct) = req.content_type {
                r = r.content_type(ct);
            }
            if let Some(ce) = req.content_encoding {
                r = r.content_encoding(ce);
            }
            r.send().await.map_err(|e| {
                conflict_or(
                    req.precondition.as_ref(),
                    &key,
                    map_err("PutObject", &key, e),
                )
            })?;
            Ok(())
        })
    }

    /// The SDK retries until the response headers; a body cut off or stalled
    /// afterwards is fetched again (up to `max_attempts`, within the operation deadline).
    fn get(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, Bytes)>> {
        counted(async move {
            if let Some(lean) = &self.lean {
                return lean.get(&key).await;
            }
            let deadline =
                tokio::time::Instant::now() + Duration::from_millis(self.policy.operation_ms);
            let mut tries = 0;
            loop {
                tries += 1;
                let (meta, body) = self.open_object(&key).await?;
                let attempt = Duration::from_millis(self.policy.attempt_ms);
                let failed = match tokio::time::timeout(attempt, body.collect()).await {
                    Ok(Ok(b)) => return Ok((meta, b.into_bytes())),
                    Ok(Err(e)) => body_error(&key, e),
                    Err(_) => body_stalled(&key, self.policy.attempt_ms),
                };
                let pause = Duration::from_millis(50 * (1 << tries.min(6)));
                if tries >= self.policy.max_attempts
                    || tokio::time::Instant::now() + pause >= deadline
                {
                    return Err(failed.with("attempts", tries));
                }
                tokio::time::sleep(pause).await;
            }
        })
    }

    fn head(&self, key: String) -> BoxFuture<'_, Result<ObjectMeta>> {
        counted(async move {
            if let Some(lean) = &self.lean {
                return lean.head(&key).await;
            }
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
        counted(async move {
            if let Some(lean) = &self.lean {
                return lean.list(&prefix, max_keys, token.as_deref()).await;
            }
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
        counted(async move {
            if let Some(lean) = &self.lean {
                return lean.delete(&key).await;
            }
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
        counted(async move {
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            if let Some(lean) = &self.lean {
                return lean.delete_many(&keys).await;
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
        counted(async move {
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
        counted(async move {
            let (meta, body) = self.open_object(&key).await?;
            let idle_ms = self.policy.attempt_ms;
            // Each chunk must come within the attempt deadline: a stalled body fails, never hangs.
            let body: BodyStream = futures::stream::unfold(Some(body), move |b| {
                let key = key.clone();
                async move {
                    let mut b = b?;
                    match tokio::time::timeout(Duration::from_millis(idle_ms), b.next()).await {
                        Ok(None) => None,
                        Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(b))),
                        Ok(Some(Err(e))) => Some((Err(body_error(&key, e)), None)),
                        Err(_) => Some((Err(body_stalled(&key, idle_ms)), None)),
                    }
                }
            })
            .boxed();
            Ok((meta, body))
        })
    }

    fn copy(&self, from: String, to: String) -> BoxFuture<'_, Result<()>> {
        counted(async move {
            if let Some(lean) = &self.lean {
                return lean.copy(&from, &to).await;
            }
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
    /// Under `S3DB_REQUIRE_S3=1` (what `npm test` sets) a missing URL fails instead of skipping.
    #[tokio::test]
    async fn conformance() {
        let Ok(url) = std::env::var("S3DB_TEST_S3_URL") else {
            assert!(
                std::env::var("S3DB_REQUIRE_S3").as_deref() != Ok("1"),
                "S3DB_REQUIRE_S3=1 but S3DB_TEST_S3_URL is not set: the S3 conformance suite cannot run"
            );
            eprintln!("S3DB_TEST_S3_URL not set: S3 conformance skipped");
            return;
        };
        for client in [S3Client::Lean, S3Client::Sdk] {
            let mut cfg = Config::parse(&url, &ConfigOverrides::default()).expect("test url");
            cfg.s3_client = client;
            let s = S3Storage::connect(&cfg).await.expect("client");
            assert_eq!(s.lean.is_some(), client == S3Client::Lean, "{client:?}");
            let prefix = format!("conformance-{}", nanoid::nanoid!(8));
            super::super::conformance::run_all(Arc::new(s), &prefix).await;
        }
    }
}
