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
        ErrorKind::UnknownError,
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
                ErrorKind::UnknownError,
                format!("internal error (panic): {what}"),
            )))
        }
    }
}

/// The engine's error kinds (`ErrorKind::ALL`): the facade has one class per kind, and
/// its tests compare the two lists through this function.
#[napi_derive::napi]
pub fn error_kinds() -> Vec<String> {
    ErrorKind::ALL
        .iter()
        .map(|k| k.as_str().to_string())
        .collect()
}
