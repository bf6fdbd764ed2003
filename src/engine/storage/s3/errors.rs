//! SDK errors -> [`EngineError`] (the only place this mapping exists), and the
//! count of attempts an operation made.

use crate::engine::error::{EngineError, ErrorKind};
use crate::engine::storage::Precondition;
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use futures::future::BoxFuture;
use std::cell::Cell;
use std::future::Future;

/// A GetObject response body that failed (or stalled) while being read.
pub(super) fn body_error(key: &str, e: impl std::fmt::Display) -> EngineError {
    EngineError::new(
        ErrorKind::NetworkError,
        format!("GetObject failed reading body: {e}"),
    )
    .with("commandName", "GetObject")
    .with("key", key)
}

/// A response body that sent nothing for `ms` milliseconds.
pub(super) fn body_stalled(key: &str, ms: u64) -> EngineError {
    EngineError::new(
        ErrorKind::TimeoutError,
        format!("GetObject failed: the body stalled (nothing received for {ms} ms)"),
    )
    .with("commandName", "GetObject")
    .with("key", key)
}

/// SDK error -> EngineError (the only place this mapping exists).
pub(super) fn map_err<E>(op: &str, key: &str, err: SdkError<E>) -> EngineError
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
    let attempts = ATTEMPTS.try_with(Cell::get).unwrap_or(0);
    let (kind, what) = classify(op, &err, code.as_deref(), status);
    let after = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let desc = match &aws_message {
        Some(m) if matches!(err, SdkError::ServiceError(_)) => {
            format!("{op} failed: {what} ({m}){after}")
        }
        _ => format!("{op} failed: {what}{after}"),
    };
    let mut e = EngineError::new(kind, desc)
        .with("commandName", op)
        .with("key", key);
    if attempts > 0 {
        e = e.with("attempts", attempts);
    }
    if let Some(s) = status {
        e = e.with("statusCode", s);
    }
    if let Some(c) = code {
        e = e.with("awsCode", c);
    }
    if let Some(errno) = io_errno(&err) {
        e = e.with("errno", errno);
    }
    if let Some(r) = request_id {
        e = e.with("requestId", r);
    }
    if let Some(m) = aws_message {
        e = e.with("awsMessage", m);
    }
    e.with_source(err)
}

/// S3 codes that mean "slow down" (retried, then [`ErrorKind::ThrottledError`]).
const THROTTLING_CODES: &[&str] = &[
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
];

/// The kind of a failed request and the words for it in the message.
fn classify<E>(
    op: &str,
    err: &SdkError<E>,
    code: Option<&str>,
    status: Option<u16>,
) -> (ErrorKind, String)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let answer = || {
        code.map(str::to_string)
            .unwrap_or_else(|| format!("HTTP {}", status.unwrap_or(0)))
    };
    match err {
        SdkError::TimeoutError(_) => {
            let why = std::error::Error::source(err)
                .map(|s| s.to_string())
                .unwrap_or_else(|| "deadline passed".into());
            (ErrorKind::TimeoutError, format!("timed out ({why})"))
        }
        SdkError::DispatchFailure(d) => {
            if d.is_timeout() {
                (ErrorKind::TimeoutError, "timed out connecting".into())
            } else if d.is_user() {
                (ErrorKind::UnknownError, "request could not be sent".into())
            } else {
                let errno = io_errno(err).map(|e| format!(" ({e})")).unwrap_or_default();
                (ErrorKind::NetworkError, format!("connection error{errno}"))
            }
        }
        SdkError::ResponseError(_) => (
            ErrorKind::NetworkError,
            "the response was cut off or unreadable".into(),
        ),
        SdkError::ServiceError(_) => {
            let kind = match (code, status) {
                (Some(c), _) if THROTTLING_CODES.contains(&c) => ErrorKind::ThrottledError,
                (_, Some(429 | 503)) => ErrorKind::ThrottledError,
                (Some("NoSuchKey"), _) => ErrorKind::NoSuchKey,
                (Some("NotFound"), _) | (_, Some(404)) if op == "HeadObject" => ErrorKind::NotFound,
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
                // A conditional write whose precondition failed, or that lost a race
                // with another conditional write of the same key.
                (Some("PreconditionFailed" | "ConditionalRequestConflict"), _) | (_, Some(412)) => {
                    ErrorKind::ConflictError
                }
                (Some("InternalError"), _) | (_, Some(500 | 502 | 504)) => ErrorKind::ServerError,
                _ => ErrorKind::UnknownError,
            };
            (kind, answer())
        }
        _ => (ErrorKind::UnknownError, err.to_string()),
    }
}

/// The OS-level name of an I/O failure under `err` (`ECONNREFUSED`, `ECONNRESET`, ...).
fn io_errno(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            return Some(match io.kind() {
                K::ConnectionRefused => "ECONNREFUSED",
                K::ConnectionReset => "ECONNRESET",
                K::ConnectionAborted => "ECONNABORTED",
                K::BrokenPipe => "EPIPE",
                K::TimedOut => "ETIMEDOUT",
                K::UnexpectedEof => "ECONNRESET",
                K::NotConnected => "ENOTCONN",
                K::AddrNotAvailable => "EADDRNOTAVAIL",
                _ if io.to_string().contains("failed to lookup address") => "ENOTFOUND",
                _ => return None,
            });
        }
        let text = e.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return Some("ENOTFOUND");
        }
        cur = e.source();
    }
    None
}

tokio::task_local! {
    /// Attempts made by the requests of the current storage call (see [`counted`]).
    static ATTEMPTS: Cell<u32>;
}

/// Runs one storage call with an attempt count that [`AttemptCounter`] raises
/// and [`map_err`] reports.
pub(super) fn counted<'a, T: Send + 'a>(
    call: impl Future<Output = T> + Send + 'a,
) -> BoxFuture<'a, T> {
    Box::pin(ATTEMPTS.scope(Cell::new(0), call))
}

/// Counts every attempt (first try and retries) the SDK makes.
#[derive(Debug)]
pub(super) struct AttemptCounter;

impl Intercept for AttemptCounter {
    fn name(&self) -> &'static str {
        "s3db-native attempt counter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let _ = ATTEMPTS.try_with(|n| n.set(n.get() + 1));
        Ok(())
    }
}

/// A refused conditional write as the precondition's `ConflictError` (the server's
/// details kept); any other error unchanged. An `If-Match` write of a key that is
/// gone is answered 404 NoSuchKey by S3: the version read is gone, a conflict too.
pub(super) fn conflict_or(
    precondition: Option<&Precondition>,
    key: &str,
    err: EngineError,
) -> EngineError {
    let refused = matches!(
        (precondition, err.kind()),
        (Some(_), ErrorKind::ConflictError)
            | (Some(Precondition::IfMatch(_)), ErrorKind::NoSuchKey)
    );
    match precondition {
        Some(p) if refused => {
            let mut c = p.failed(key);
            for (k, v) in err.details {
                c.details.entry(k).or_insert(v);
            }
            c
        }
        _ => err,
    }
}
