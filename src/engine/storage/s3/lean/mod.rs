//! The lean S3 client: the hot commands (PutObject, GetObject, HeadObject,
//! ListObjectsV2, DeleteObject(s), CopyObject) signed here (SigV4, day key cached)
//! and sent over a hyper keep-alive pool sized to `parallelism`, without the SDK's
//! per-request orchestration (interceptors, identity and endpoint resolution,
//! checksum and stalled-stream layers). Credentials still come from the SDK's
//! providers (the connection string's keys, or the default chain: env, profile,
//! SSO, IMDS, ECS); multipart uploads, streamed bodies and the connection-time
//! probe stay on the SDK. Errors go through the same [`request_error`] mapping.
//!
//! [`request_error`]: super::errors::request_error

mod http;
mod sign;
mod xml;

use super::COPY_SOURCE;
use crate::engine::config::Config;
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::storage::{ListPage, ObjectMeta, PutRequest};
use aws_sdk_s3::config::{ProvideCredentials, SharedCredentialsProvider};
use base64::Engine;
use bytes::Bytes;
use http::{header_str, Answer, Call, Header, Transport};
use hyper::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sign::Keys;
use std::borrow::Cow;
use std::time::{Duration, SystemTime};

/// SigV4's URI encoding: everything but the unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// The same for a path: `/` stays.
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Temporary credentials are fetched again this long before they expire.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);

enum KeySource {
    Fixed(Keys),
    Provider {
        provider: SharedCredentialsProvider,
        cached: tokio::sync::Mutex<Option<(Keys, Option<SystemTime>)>>,
    },
}

pub struct LeanClient {
    transport: Transport,
    /// `/bucket` (path style) or empty (virtual-hosted style).
    bucket_path: String,
    bucket: String,
    keys: KeySource,
}

impl LeanClient {
    /// The lean client for `cfg`, or `None` where only the SDK knows how to reach
    /// the bucket (no credentials; AWS China; bucket names virtual hosting cannot
    /// carry over TLS).
    pub fn new(
        cfg: &Config,
        credentials: Option<SharedCredentialsProvider>,
    ) -> Result<Option<LeanClient>> {
        let keys = match (&cfg.access_key_id, &cfg.secret_access_key) {
            (Some(ak), Some(sk)) => KeySource::Fixed(Keys {
                access_key_id: ak.clone(),
                secret_access_key: sk.clone(),
                session_token: cfg.session_token.clone(),
            }),
            _ => match credentials {
                Some(provider) => KeySource::Provider {
                    provider,
                    cached: tokio::sync::Mutex::new(None),
                },
                None => return Ok(None),
            },
        };
        let bucket_path = format!("/{}", utf8_percent_encode(&cfg.bucket, UNRESERVED));
        let (origin, host, bucket_path) = match &cfg.endpoint {
            Some(endpoint) => {
                let url = url::Url::parse(endpoint).map_err(|e| {
                    EngineError::new(ErrorKind::ConnectionStringError, format!("endpoint: {e}"))
                })?;
                let Some(h) = url.host_str() else {
                    return Ok(None);
                };
                let authority = match url.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                };
                if cfg.force_path_style {
                    let origin = format!("{}://{authority}", url.scheme());
                    (origin, authority, bucket_path)
                } else {
                    let host = format!("{}.{authority}", cfg.bucket);
                    (format!("{}://{host}", url.scheme()), host, String::new())
                }
            }
            None => {
                if cfg.region.starts_with("cn-") {
                    return Ok(None);
                }
                if cfg.force_path_style {
                    let host = format!("s3.{}.amazonaws.com", cfg.region);
                    (format!("https://{host}"), host, bucket_path)
                } else {
                    let host = format!("{}.s3.{}.amazonaws.com", cfg.bucket, cfg.region);
                    (format!("https://{host}"), host, String::new())
                }
            }
        };
        let https = origin.starts_with("https:");
        if https && bucket_path.is_empty() && cfg.bucket.contains('.') {
            // bucket.with.dots.host matches no certificate: the SDK's business.
            return Ok(None);
        }
        let Some(tls) = tls_config(https) else {
            return Ok(None);
        };
        Ok(Some(LeanClient {
            transport: Transport::new(origin, host, &cfg.region, tls, cfg.network, cfg.parallelism),
            bucket_path,
            bucket: cfg.bucket.clone(),
            keys,
        }))
    }

    async fn keys(&self) -> Result<Cow<'_, Keys>> {
        let (provider, cached) = match &self.keys {
            KeySource::Fixed(k) => return Ok(Cow::Borrowed(k)),
            KeySource::Provider { provider, cached } => (provider, cached),
        };
        let mut slot = cached.lock().await;
        if let Some((keys, expiry)) = slot.as_ref() {
            let fresh = expiry.is_none_or(|e| SystemTime::now() + REFRESH_BEFORE < e);
            if fresh {
                return Ok(Cow::Owned(keys.clone()));
            }
        }
        let c = provider.provide_credentials().await.map_err(|e| {
            EngineError::new(
                ErrorKind::PermissionError,
                format!("no AWS credentials could be loaded: {e}"),
            )
        })?;
        let keys = Keys {
            access_key_id: c.access_key_id().to_string(),
            secret_access_key: c.secret_access_key().to_string(),
            session_token: c.session_token().map(str::to_string),
        };
        *slot = Some((keys.clone(), c.expiry()));
        Ok(Cow::Owned(keys))
    }

    /// The path of bucket-level requests (listing, batch delete).
    fn bucket_root(&self) -> String {
        if self.bucket_path.is_empty() {
            "/".to_string()
        } else {
            self.bucket_path.clone()
        }
    }

    fn object_path(&self, key: &str) -> String {
        format!("{}/{}", self.bucket_path, utf8_percent_encode(key, PATH))
    }

    async fn send(&self, call: Call<'_>) -> Result<Answer> {
        let keys = self.keys().await?;
        self.transport.send(&keys, call).await
    }

    fn call<'a>(op: &'static str, subject: &'a str, method: Method, path: String) -> Call<'a> {
        Call {
            op,
            subject,
            method,
            path,
            query: String::new(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub async fn put(&self, key: &str, req: PutRequest) -> Result<()> {
        let mut call = Self::call("PutObject", key, Method::PUT, self.object_path(key));
        call.headers.reserve(req.metadata.len() + 3);
        for (name, value) in req.metadata {
            call.headers
                .push((Cow::Owned(format!("x-amz-meta-{name}")), value));
        }
        // The SDK's default for a blob body, which readers of the bucket see.
        let content_type = req
            .content_type
            .unwrap_or_else(|| "application/octet-stream".to_string());
        call.headers.push(("content-type".into(), content_type));
        if let Some(v) = req.content_encoding {
            call.headers.push(("content-encoding".into(), v));
        }
        if let Some(p) = &req.precondition {
            call.headers.push(precondition_header(p));
        }
        call.body = req.body;
        self.send(call).await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<(ObjectMeta, Bytes)> {
        let a = self
            .send(Self::call(
                "GetObject",
                key,
                Method::GET,
                self.object_path(key),
            ))
            .await?;
        Ok((object_meta(key, &a.headers), a.body))
    }

    pub async fn head(&self, key: &str) -> Result<ObjectMeta> {
        let a = self
            .send(Self::call(
                "HeadObject",
                key,
                Method::HEAD,
                self.object_path(key),
            ))
            .await?;
        Ok(object_meta(key, &a.headers))
    }

    pub async fn list(
        &self,
        prefix: &str,
        max_keys: usize,
        token: Option<&str>,
    ) -> Result<ListPage> {
        // Canonical query: pairs sorted by name, names and values URI-encoded.
        let mut query = String::with_capacity(96);
        if let Some(t) = token {
            query.push_str("continuation-token=");
            query.extend(utf8_percent_encode(t, UNRESERVED));
            query.push('&');
        }
        query.push_str(&format!("list-type=2&max-keys={max_keys}&prefix="));
        query.extend(utf8_percent_encode(prefix, UNRESERVED));
        let mut call = Self::call("ListObjectsV2", prefix, Method::GET, self.bucket_root());
        call.query = query;
        let a = self.send(call).await?;
        xml::list_page(&a.body).map_err(|why| unreadable("ListObjectsV2", prefix, &why))
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        self.send(Self::call(
            "DeleteObject",
            key,
            Method::DELETE,
            self.object_path(key),
        ))
        .await?;
        Ok(())
    }

    pub async fn delete_many(&self, keys: &[String]) -> Result<Vec<String>> {
        let first = keys.first().map(String::as_str).unwrap_or("");
        let body = xml::delete_request(keys);
        let md5 = base64::engine::general_purpose::STANDARD
            .encode(<md5::Md5 as md5::Digest>::digest(body.as_bytes()));
        let mut call = Self::call("DeleteObjects", first, Method::POST, self.bucket_root());
        call.query = "delete=".into();
        call.headers.push(("content-md5".into(), md5));
        call.headers
            .push(("content-type".into(), "application/xml".into()));
        call.body = Bytes::from(body);
        let a = self.send(call).await?;
        let result =
            xml::delete_result(&a.body).map_err(|why| unreadable("DeleteObjects", first, &why))?;
        if let Some((key, code, message, count)) = result.failed {
            return Err(EngineError::new(
                ErrorKind::UnknownError,
                format!("DeleteObjects failed for {count} key(s): {code} ({message})"),
            )
            .with("key", key));
        }
        Ok(result.deleted)
    }

    pub async fn copy(&self, from: &str, to: &str) -> Result<()> {
        let mut call = Self::call("CopyObject", from, Method::PUT, self.object_path(to));
        call.headers.push((
            "x-amz-copy-source".into(),
            format!("{}/{}", self.bucket, utf8_percent_encode(from, COPY_SOURCE)),
        ));
        self.send(call).await?;
        Ok(())
    }
}

fn precondition_header(p: &crate::engine::storage::Precondition) -> Header {
    use crate::engine::storage::Precondition;
    match p {
        Precondition::IfMatch(etag) => ("if-match".into(), etag.clone()),
        Precondition::IfNoneMatch => ("if-none-match".into(), "*".into()),
    }
}

/// A 2xx answer whose body is not what the operation returns.
fn unreadable(op: &str, subject: &str, why: &str) -> EngineError {
    EngineError::new(
        ErrorKind::NetworkError,
        format!("{op} failed: the response was cut off or unreadable ({why})"),
    )
    .with("commandName", op)
    .with("key", subject)
}

/// ObjectMeta from the headers of a GetObject or HeadObject answer.
fn object_meta(key: &str, headers: &hyper::HeaderMap) -> ObjectMeta {
    let text = |name: &str| header_str(headers, name).map(str::to_string);
    let metadata = headers
        .iter()
        .filter_map(|(name, value)| {
            let field = name.as_str().strip_prefix("x-amz-meta-")?;
            let value = match value.to_str() {
                Ok(v) => v.to_string(),
                Err(_) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
            };
            Some((field.to_string(), value))
        })
        .collect();
    ObjectMeta {
        key: key.to_string(),
        size: header_str(headers, "content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        last_modified_ms: header_str(headers, "last-modified")
            .and_then(crate::engine::js::date::parse_date)
            .map(|ms| ms as i64)
            .unwrap_or(0),
        content_type: text("content-type"),
        content_encoding: text("content-encoding"),
        metadata,
        version_id: text("x-amz-version-id"),
        etag: text("etag"),
    }
}

/// TLS settings: the system's root certificates for `https`, none for `http`
/// (`None`: https wanted and no root certificate found).
fn tls_config(https: bool) -> Option<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    if https {
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
        if roots.is_empty() {
            return None;
        }
    }
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .ok()
    .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_encoded_as_sigv4_wants() {
        let enc = |k: &str| utf8_percent_encode(k, PATH).to_string();
        assert_eq!(
            enc("db/resource=users/id=a b+c"),
            "db/resource%3Dusers/id%3Da%20b%2Bc"
        );
        assert_eq!(enc("é~._-"), "%C3%A9~._-");
    }
}
