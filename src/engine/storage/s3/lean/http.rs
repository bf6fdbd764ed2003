//! One signed S3 request over a pooled keep-alive HTTP/1.1 connection, with the
//! network policy's deadlines and AWS standard-mode retries around it.

use super::sign::{payload_sha256, Canonical, Keys, Signer};
use super::xml;
use crate::engine::config::NetworkPolicy;
use crate::engine::error::Result;
use crate::engine::storage::guard::full_jitter;
use crate::engine::storage::s3::errors::{
    answer_retryable, count_attempt, io_errno, request_error, Failure,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::borrow::Cow;
use std::time::Duration;
use tokio::time::Instant;

/// AWS standard retry mode: full-jitter backoff from 1 s, at most 20 s.
const BACKOFF_BASE: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(20);

/// A header of a request: lowercase name, value as sent.
pub type Header = (Cow<'static, str>, String);

/// A request before signing: `path` and `query` in canonical (encoded) form.
pub struct Call<'a> {
    pub op: &'static str,
    /// What error messages name (the object key, or the prefix of a listing).
    pub subject: &'a str,
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: Vec<Header>,
    pub body: Bytes,
}

/// A successful answer.
pub struct Answer {
    pub headers: HeaderMap,
    pub body: Bytes,
}

pub struct Transport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// `scheme://authority` requests go to.
    origin: String,
    /// The `Host` header.
    host: String,
    signer: Signer,
    policy: NetworkPolicy,
}

/// How one attempt ended short of an answer.
enum Broken {
    /// The server answered with an error status.
    Answer(Failure, AnswerError),
    /// Connect, send or receive failed; the errno under it and the client's error, if any.
    Io(Failure, Option<&'static str>, Option<Cause>),
}

type Cause = Box<dyn std::error::Error + Send + Sync>;

/// An error answer as the cause of the error it becomes (`causes` in JS).
#[derive(Debug)]
struct AnswerError(String);

impl std::fmt::Display for AnswerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AnswerError {}

/// A boxed cause as an error value (`with_source` takes a sized error).
#[derive(Debug)]
struct CauseError(Cause);

impl std::fmt::Display for CauseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for CauseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl Transport {
    pub fn new(
        origin: String,
        host: String,
        region: &str,
        tls: rustls::ClientConfig,
        policy: NetworkPolicy,
        pool: usize,
    ) -> Transport {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_millis(policy.connect_ms)));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(pool.max(1))
            .pool_idle_timeout(Duration::from_secs(20))
            .build(https);
        Transport {
            client,
            origin,
            host,
            signer: Signer::new(region),
            policy,
        }
    }

    /// Sends `call` until it succeeds, fails for good, runs out of attempts or
    /// passes the operation deadline.
    pub async fn send(&self, keys: &Keys, call: Call<'_>) -> Result<Answer> {
        let operation = Duration::from_millis(self.policy.operation_ms);
        let deadline = Instant::now() + operation;
        match tokio::time::timeout(operation, self.attempts(keys, &call, deadline)).await {
            Ok(r) => r,
            Err(_) => Err(request_error(
                call.op,
                call.subject,
                Failure::Timeout(format!(
                    "operation deadline of {} ms passed",
                    self.policy.operation_ms
                )),
                None,
            )),
        }
    }

    async fn attempts(&self, keys: &Keys, call: &Call<'_>, deadline: Instant) -> Result<Answer> {
        let attempt_time = Duration::from_millis(self.policy.attempt_ms);
        let payload_hash = payload_sha256(&call.body);
        let mut tries = 0u32;
        loop {
            tries += 1;
            count_attempt();
            let (failure, errno, retryable, cause): (_, _, _, Option<Cause>) =
                match tokio::time::timeout(
                    attempt_time,
                    self.attempt(keys, call, &payload_hash, tries),
                )
                .await
                {
                    Ok(Ok(answer)) => return Ok(answer),
                    Ok(Err(Broken::Answer(f, said))) => {
                        let retry = match &f {
                            Failure::Answer { status, code, .. } => {
                                answer_retryable(*status, code.as_deref())
                            }
                            _ => false,
                        };
                        (f, None, retry, Some(Box::new(said)))
                    }
                    Ok(Err(Broken::Io(f, errno, cause))) => {
                        // A request that could not be built fails the same way again.
                        let retry = !matches!(f, Failure::NotSent | Failure::Other(_));
                        (f, errno, retry, cause)
                    }
                    Err(_) => (
                        Failure::Timeout(format!(
                            "attempt deadline of {} ms passed",
                            self.policy.attempt_ms
                        )),
                        None,
                        true,
                        None,
                    ),
                };
            let pause = full_jitter(
                BACKOFF_BASE
                    .saturating_mul(1 << (tries - 1).min(5))
                    .min(BACKOFF_MAX),
            );
            if !retryable || tries >= self.policy.max_attempts || Instant::now() + pause >= deadline
            {
                let e = request_error(call.op, call.subject, failure, errno);
                return Err(match cause {
                    Some(c) => e.with_source(CauseError(c)),
                    None => e,
                });
            }
            tokio::time::sleep(pause).await;
        }
    }

    async fn attempt(
        &self,
        keys: &Keys,
        call: &Call<'_>,
        payload_hash: &str,
        tries: u32,
    ) -> std::result::Result<Answer, Broken> {
        let request = self
            .signed(keys, call, payload_hash, tries)
            .map_err(|e| Broken::Io(Failure::Other(e), None, None))?;
        let response = self.client.request(request).await.map_err(|e| {
            let errno = io_errno(&e);
            let failure = if e.is_connect() && errno == Some("ETIMEDOUT") {
                Failure::ConnectTimeout
            } else if e.is_connect() {
                Failure::Connection
            } else {
                // Sent, then the connection broke before (or while) the answer came.
                Failure::CutOff
            };
            Broken::Io(failure, errno, Some(Box::new(e)))
        })?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| Broken::Io(Failure::CutOff, io_errno(&e), Some(Box::new(e))))?
            .to_bytes();
        let status = parts.status.as_u16();
        // CopyObject can answer 200 with an error document.
        let error = if status >= 300 {
            Some(xml::error_body(&body).unwrap_or_default())
        } else if call.op == "CopyObject" {
            xml::error_body(&body)
        } else {
            None
        };
        match error {
            None => Ok(Answer {
                headers: parts.headers,
                body,
            }),
            Some(e) => {
                let code = e.code.or_else(|| match status {
                    404 => Some("NotFound".into()),
                    412 => Some("PreconditionFailed".into()),
                    _ => None,
                });
                let request_id = e
                    .request_id
                    .or_else(|| header_str(&parts.headers, "x-amz-request-id").map(str::to_string));
                let said = AnswerError(format!(
                    "HTTP {status} {}{}",
                    code.as_deref().unwrap_or(""),
                    e.message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ));
                Err(Broken::Answer(
                    Failure::Answer {
                        status: if status < 300 { 500 } else { status },
                        code,
                        message: e.message,
                        request_id,
                    },
                    said,
                ))
            }
        }
    }

    /// The request with its `Host`, `x-amz-*` and `Authorization` headers.
    fn signed(
        &self,
        keys: &Keys,
        call: &Call<'_>,
        payload_hash: &str,
        tries: u32,
    ) -> std::result::Result<Request<Full<Bytes>>, String> {
        let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let mut headers: Vec<Header> = Vec::with_capacity(call.headers.len() + 4);
        headers.extend(call.headers.iter().cloned());
        headers.push(("host".into(), self.host.clone()));
        headers.push(("x-amz-content-sha256".into(), payload_hash.to_string()));
        headers.push(("x-amz-date".into(), amz_date.clone()));
        if let Some(t) = &keys.session_token {
            headers.push(("x-amz-security-token".into(), t.clone()));
        }
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        let authorization = self.signer.authorization(
            keys,
            &amz_date,
            &Canonical {
                method: call.method.as_str(),
                uri: &call.path,
                query: &call.query,
                headers: &headers,
                payload_sha256: payload_hash,
            },
        );
        let uri = if call.query.is_empty() {
            format!("{}{}", self.origin, call.path)
        } else {
            format!("{}{}?{}", self.origin, call.path, call.query)
        };
        let mut builder = Request::builder().method(call.method.clone()).uri(uri);
        let map = builder
            .headers_mut()
            .ok_or_else(|| "request could not be built".to_string())?;
        for (name, value) in headers {
            let name = hyper::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("header {name}: {e}"))?;
            let value = HeaderValue::from_str(&value).map_err(|e| format!("header {name}: {e}"))?;
            map.insert(name, value);
        }
        map.insert(
            hyper::header::AUTHORIZATION,
            HeaderValue::from_str(&authorization).map_err(|e| e.to_string())?,
        );
        // Unsigned, as the SDK sends it: which attempt this is (proxies and logs read it).
        let attempt = format!("attempt={tries}; max={}", self.policy.max_attempts);
        if let Ok(v) = HeaderValue::from_str(&attempt) {
            map.insert("amz-sdk-request", v);
        }
        builder
            .body(Full::new(call.body.clone()))
            .map_err(|e| e.to_string())
    }
}

/// A response header as text (absent or not visible ASCII: `None`).
pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
