//! EngineError -> napi::Error: the only conversion point.
//!
//! Async exports cannot carry custom error codes reliably, so the error message
//! is a fixed prefix followed by the JSON of `{kind, message, details, causes}`;
//! the facade (`lib/errors.js`, `fromNative`) rebuilds the s3db.js error class from it.

use crate::engine::error::{EngineError, ErrorKind};

pub const PREFIX: &str = "S3DB_NATIVE_ERROR:";

pub trait IntoNapi<T> {
    fn into_napi(self) -> napi::Result<T>;
}

impl<T> IntoNapi<T> for Result<T, EngineError> {
    fn into_napi(self) -> napi::Result<T> {
        self.map_err(to_napi)
    }
}

pub fn to_napi(e: EngineError) -> napi::Error {
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{PREFIX}{}", e.to_json()),
    )
}

pub fn invalid_arg(what: &str, err: impl std::fmt::Display) -> napi::Error {
    to_napi(EngineError::new(
        ErrorKind::InvalidArgument,
        format!("invalid {what}: {err}"),
    ))
}

/// Run a future, turning a panic into an error instead of letting it cross into JS.
pub async fn guarded<T, F>(fut: F) -> napi::Result<T>
where
    F: std::future::Future<Output = napi::Result<T>>,
{
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(p) => {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(to_napi(EngineError::new(
                ErrorKind::InternalError,
                format!("internal error (panic): {what}"),
            )))
        }
    }
}

/// One engine error kind as the facade sees it.
#[napi_derive::napi(object)]
pub struct ErrorKindInfo {
    /// The kind's name: the JS error class it becomes.
    pub kind: String,
    /// The kind whose class this one extends (none: `BaseError`).
    pub parent: Option<String>,
    /// The `code` every error of this kind carries.
    pub code: String,
    /// Whether retrying later may succeed (the transport kinds).
    pub retryable: bool,
}

/// The engine's error kinds (`ErrorKind::ALL`), the one list: the facade takes each
/// kind's `code` from here, and its tests check its classes against the rest.
#[napi_derive::napi]
pub fn error_kinds() -> Vec<ErrorKindInfo> {
    ErrorKind::ALL
        .iter()
        .map(|&k| ErrorKindInfo {
            kind: k.as_str().into(),
            parent: k.parent().map(|p| p.as_str().into()),
            code: k.code().into(),
            retryable: k.is_retryable(),
        })
        .collect()
}

/// The markers of the JSON boundary, defined once here and read by the facade.
#[napi_derive::napi(object)]
pub struct WireMarkers {
    /// Starts the message of every error the engine raises; JSON follows.
    pub error_prefix: String,
    /// An event argument that stands for the operation's result.
    pub result_ref: String,
    /// Followed by `i`: element `i` of an array result.
    pub result_item_ref: String,
    /// Followed by `i`: element `i` of the operation's input array.
    pub input_item_ref: String,
}

#[napi_derive::napi]
pub fn wire_markers() -> WireMarkers {
    use crate::engine::resource::{INPUT_ITEM_REF, RESULT_ITEM_REF, RESULT_REF};
    WireMarkers {
        error_prefix: PREFIX.into(),
        result_ref: RESULT_REF.into(),
        result_item_ref: RESULT_ITEM_REF.into(),
        input_item_ref: INPUT_ITEM_REF.into(),
    }
}
