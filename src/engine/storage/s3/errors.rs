//! Failed S3 requests -> [`EngineError`] (the only place this mapping exists, for
//! both clients), and the count of attempts an operation made.

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

/// What went wrong with one S3 request, whichever client sent it (the SDK or the
/// lean client): the one input of [`request_error`].
pub(super) enum Failure {
    /// A deadline passed (the words say which).
    Timeout(String),
    /// The connection could not be opened in time.
    ConnectTimeout,
    /// The connection could not be opened or broke before an answer came.
    Connection,
    /// The request could not be built or sent (a local problem, not retried).
    NotSent,
    /// The answer was cut off or unreadable.
    CutOff,
    /// The server answered with an error.
    Answer {
        status: u16,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
    },
    /// Anything else, in the client's words.
    Other(String),
}

/// SDK error -> [`Failure`] -> EngineError.
pub(super) fn map_err<E>(op: &str, key: &str, err: SdkError<E>) -> EngineError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let failure = match &err {
        SdkError::TimeoutError(_) => Failure::Timeout(
            std::error::Error::source(&err)
                .map(|s| s.to_string())
                .unwrap_or_else(|| "deadline passed".into()),
        ),
        SdkError::DispatchFailure(d) if d.is_timeout() => Failure::ConnectTimeout,
        SdkError::DispatchFailure(d) if d.is_user() => Failure::NotSent,
        SdkError::DispatchFailure(_) => Failure::Connection,
        SdkError::ResponseError(_) => Failure::CutOff,
        SdkError::ServiceError(se) => Failure::Answer {
            status: se.raw().status().as_u16(),
            code: err.code().map(str::to_string),
            message: err.message().map(str::to_string),
            request_id: err
                .meta()
                .extra("aws_request_id")
                .map(str::to_string)
                .or_else(|| {
                    use aws_sdk_s3::operation::RequestId;
                    se.err().meta().request_id().map(str::to_string)
                }),
        },
        _ => Failure::Other(err.to_string()),
    };
    let errno = io_errno(&err);
    request_error(op, key, failure, errno).with_source(err)
}

/// A failed request as an [`EngineError`] (the only place this mapping exists): its
/// kind, a message naming the operation, and the details (`commandName`, `key`,
/// `attempts`, `statusCode`, `awsCode`, `errno`, `requestId`, `awsMessage`).
pub(super) fn request_error(
    op: &str,
    key: &str,
    failure: Failure,
    errno: Option<&'static str>,
) -> EngineError {
    let attempts = ATTEMPTS.try_with(Cell::get).unwrap_or(0);
    let after = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let (kind, what) = match &failure {
        Failure::Timeout(why) => (ErrorKind::TimeoutError, format!("timed out ({why})")),
        Failure::ConnectTimeout => (ErrorKind::TimeoutError, "timed out connecting".into()),
        Failure::NotSent => (ErrorKind::UnknownError, "request could not be sent".into()),
        Failure::Connection => {
            let errno = errno.map(|e| format!(" ({e})")).unwrap_or_default();
            (ErrorKind::NetworkError, format!("connection error{errno}"))
        }
        Failure::CutOff => (
            ErrorKind::NetworkError,
            "the response was cut off or unreadable".into(),
        ),
        Failure::Answer { status, code, .. } => (
            answer_kind(op, code.as_deref(), *status),
            code.clone().unwrap_or_else(|| format!("HTTP {status}")),
        ),
        Failure::Other(text) => (ErrorKind::UnknownError, text.clone()),
    };
    let mut e = match &failure {
        Failure::Answer {
            message: Some(m), ..
        } => EngineError::new(kind, format!("{op} failed: {what} ({m}){after}")),
        _ => EngineError::new(kind, format!("{op} failed: {what}{after}")),
    }
    .with("commandName", op)
    .with("key", key);
    if attempts > 0 {
        e = e.with("attempts", attempts);
    }
    if let Some(errno) = errno {
        e = e.with("errno", errno);
    }
    if let Failure::Answer {
        status,
        code,
        message,
        request_id,
    } = failure
    {
        e = e.with("statusCode", status);
        for (name, value) in [
            ("awsCode", code),
            ("requestId", request_id),
            ("awsMessage", message),
        ] {
            if let Some(v) = value {
                e = e.with(name, v);
            }
        }
    }
    e
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

/// Codes of transient failures worth another attempt (beside throttling and 5xx).
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException", "InternalError"];

/// Whether an error answer is worth another attempt (AWS standard retry mode:
/// throttling, transient codes, 5xx).
pub(super) fn answer_retryable(status: u16, code: Option<&str>) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
        || code.is_some_and(|c| THROTTLING_CODES.contains(&c) || TRANSIENT_CODES.contains(&c))
}

/// The kind of an error answer from the server.
fn answer_kind(op: &str, code: Option<&str>, status: u16) -> ErrorKind {
    match (code, status) {
        (Some(c), _) if THROTTLING_CODES.contains(&c) => ErrorKind::ThrottledError,
        (_, 429 | 503) => ErrorKind::ThrottledError,
        (Some("NoSuchKey"), _) => ErrorKind::NoSuchKey,
        (Some("NotFound"), _) | (_, 404) if op == "HeadObject" => ErrorKind::NotFound,
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
        | (_, 401 | 403) => ErrorKind::PermissionError,
        (Some("MetadataTooLarge"), _) => ErrorKind::MetadataTooLarge,
        // A conditional write whose precondition failed, or that lost a race
        // with another conditional write of the same key.
        (Some("PreconditionFailed" | "ConditionalRequestConflict"), _) | (_, 412) => {
            ErrorKind::ConflictError
        }
        (Some("InternalError"), _) | (_, 500 | 502 | 504) => ErrorKind::ServerError,
        _ => ErrorKind::UnknownError,
    }
}

/// The OS-level name of an I/O failure under `err` (`ECONNREFUSED`, `ECONNRESET`, ...).
pub(super) fn io_errno(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
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

/// One more attempt (first try or retry) of the current storage call.
pub(super) fn count_attempt() {
    let _ = ATTEMPTS.try_with(|n| n.set(n.get() + 1));
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
        count_attempt();
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
