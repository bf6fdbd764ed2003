//! The engine's single error type.
//!
//! Every failure inside `engine/` is an [`EngineError`]: a stable [`ErrorKind`]
//! (named like the s3db.js error class it becomes in JS), a human message that
//! never contains credentials, and optional details (key, bucket, resource, id,
//! validation list, ...). Backend errors are mapped into it once, at the backend
//! edge (`storage/s3.rs`); `napi/error.rs` is the only place that turns it into a
//! JS error.

use serde_json::{Map, Value};

/// Declares [`ErrorKind`], its names and [`ErrorKind::ALL`] from one list.
macro_rules! error_kinds {
    ($($(#[doc = $doc:literal])* $kind:ident,)+) => {
        /// Stable error kinds. The JS facade turns each into the s3db.js class of the
        /// same name (`lib/errors.js`; a test checks both lists agree, through
        /// the binding's `errorKinds()`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorKind {
            $($(#[doc = $doc])* $kind,)+
        }

        impl ErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind,)+];

            /// The kind's name: the JS error class it becomes.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => stringify!($kind),)+
                }
            }
        }
    };
}

error_kinds! {
    /// GET/COPY of a missing key.
    NoSuchKey,
    /// HEAD of a missing key.
    NotFound,
    NoSuchBucket,
    /// Record failed schema validation.
    InvalidResourceItem,
    /// Bad attribute definition, partition or behavior at resource creation.
    SchemaError,
    /// Bad connection string or database options.
    ConnectionStringError,
    /// Bad record id (empty, `/`, `.` or `..` segments, control characters).
    InvalidId,
    ResourceNotFound,
    /// Unknown partition, or partition values that do not fit it.
    PartitionError,
    /// Object metadata over S3's 2 KB user-metadata limit.
    MetadataTooLarge,
    /// enforce-limits behavior refused a record.
    MetadataLimitExceeded,
    PermissionError,
    /// deleteAll on a paranoid resource.
    ParanoidError,
    /// Secret field could not be decrypted.
    DecryptionError,
    /// Stored data that cannot be read back (bad s3db.json, corrupt object file).
    CorruptData,
    /// Operation cancelled (stream destroyed, abort signal).
    Cancelled,
    /// The endpoint could not be reached or dropped the connection (refused,
    /// reset, DNS), after the retries. A kind of UnknownError in JS.
    NetworkError,
    /// A connect, attempt or operation deadline passed. A kind of UnknownError in JS.
    TimeoutError,
    /// The server kept asking to slow down (503 SlowDown, 429, throttling codes)
    /// after the retries. A kind of UnknownError in JS.
    ThrottledError,
    /// The server kept failing (500, 502, 504) after the retries. A kind of UnknownError in JS.
    ServerError,
    /// A call made with arguments the method cannot take (an unknown operation, a write
    /// after the end, a chunk that is not bytes). A kind of UnknownError in JS.
    InvalidArgument,
    /// A lifecycle hook failed or could not run. When the hook threw a value, the caller
    /// gets that very value instead. A kind of UnknownError in JS.
    HookError,
    /// A defect inside the package (a caught panic, a task that ended abnormally): never
    /// the caller's fault. A kind of UnknownError in JS.
    InternalError,
    /// A conditional write found the object changed since it was read (or, for a
    /// create-only write, already there), and retrying did not get through.
    ConflictError,
    /// Anything else (a bug, an unexpected answer).
    UnknownError,
}

impl ErrorKind {
    /// The kind whose JS class this kind's class extends (`None`: `BaseError`). The
    /// kinds 4.1.7 threw as `UnknownError` extend it, so old `instanceof` checks hold.
    pub fn parent(self) -> Option<ErrorKind> {
        use ErrorKind::*;
        match self {
            NotFound => Some(NoSuchKey),
            NetworkError | TimeoutError | ThrottledError | ServerError | InvalidArgument
            | HookError | InternalError => Some(UnknownError),
            _ => None,
        }
    }

    /// The stable `code` of an error of this kind (a missing key is `NoSuchKey`, HEAD or GET).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::NotFound => ErrorKind::NoSuchKey.as_str(),
            k => k.as_str(),
        }
    }

    /// Whether retrying the same request later may succeed (the transport kinds only).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::NetworkError
                | ErrorKind::TimeoutError
                | ErrorKind::ThrottledError
                | ErrorKind::ServerError
        )
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct EngineError {
    kind: ErrorKind,
    message: String,
    /// Extra fields copied onto the JS error (key, bucket, resourceName, id, validation, ...).
    pub details: Map<String, Value>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl EngineError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        EngineError {
            kind,
            message: message.into(),
            details: Map::new(),
            source: None,
        }
    }

    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.details.insert(name.to_string(), value.into());
        self
    }

    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn set_message(&mut self, message: String) {
        self.message = message;
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, ErrorKind::NoSuchKey | ErrorKind::NotFound)
    }

    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }

    /// Message followed by the `source()` chain, one "Caused by" per line.
    pub fn full_message(&self) -> String {
        let mut out = self.message.clone();
        let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(self);
        while let Some(err) = cur {
            out.push_str("\nCaused by: ");
            out.push_str(&err.to_string());
            cur = err.source();
        }
        out
    }

    /// `{"kind", "message", "details"}`: what crosses into JS.
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("kind".into(), Value::from(self.kind.as_str()));
        o.insert("message".into(), Value::from(self.message.clone()));
        o.insert("details".into(), Value::Object(self.details.clone()));
        o.insert("retryable".into(), Value::Bool(self.is_retryable()));
        let mut causes = Vec::new();
        let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(self);
        while let Some(err) = cur {
            causes.push(Value::from(err.to_string()));
            cur = err.source();
        }
        if !causes.is_empty() {
            o.insert("causes".into(), Value::Array(causes));
        }
        Value::Object(o)
    }

    pub fn not_found(kind: ErrorKind, bucket: &str, key: &str) -> Self {
        EngineError::new(
            kind,
            format!("Key [{key}] does not exists [bucket:{bucket}/{key}]"),
        )
        .with("key", key)
        .with("bucket", bucket)
    }

    pub fn io(context: &str, err: std::io::Error) -> Self {
        let kind = match err.kind() {
            std::io::ErrorKind::PermissionDenied => ErrorKind::PermissionError,
            _ => ErrorKind::UnknownError,
        };
        EngineError::new(kind, format!("{context}: {err}")).with_source(err)
    }

    pub fn cancelled() -> Self {
        EngineError::new(ErrorKind::Cancelled, "Operation cancelled")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_under_its_own_name() {
        let names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), 25);
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(ErrorKind::NoSuchKey.as_str(), "NoSuchKey");
        for k in [
            "NetworkError",
            "TimeoutError",
            "ThrottledError",
            "ServerError",
        ] {
            assert!(
                ErrorKind::ALL
                    .iter()
                    .any(|e| e.as_str() == k && e.is_retryable()),
                "{k}"
            );
        }
        assert!(!ErrorKind::UnknownError.is_retryable());
        assert!(!ErrorKind::InvalidId.is_retryable());
        assert!(!ErrorKind::NoSuchKey.is_retryable());
        for k in [
            ErrorKind::InvalidArgument,
            ErrorKind::HookError,
            ErrorKind::InternalError,
        ] {
            assert!(!k.is_retryable());
            assert_eq!(k.parent(), Some(ErrorKind::UnknownError));
        }
        assert_eq!(ErrorKind::NotFound.code(), "NoSuchKey");
        assert_eq!(ErrorKind::NotFound.parent(), Some(ErrorKind::NoSuchKey));
        // A parent is never itself a child: the JS classes form a shallow tree.
        for k in ErrorKind::ALL {
            if let Some(p) = k.parent() {
                assert_eq!(p.parent(), None, "{}", k.as_str());
            }
        }
    }
}
