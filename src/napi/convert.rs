//! JSON text <-> engine values at the boundary: every argument crosses as JSON
//! text and is parsed here, with the argument's name in the error.

use super::error::invalid_arg;
use crate::engine::schema::ValidationError;
use serde_json::{json, Map, Value};

/// Parse the JSON text of argument `what`.
pub fn parse_json(what: &str, s: &str) -> napi::Result<Value> {
    serde_json::from_str(s).map_err(|e| invalid_arg(what, e))
}

/// Parse the JSON text of argument `what`, which must be an object.
pub fn parse_object(what: &str, s: &str) -> napi::Result<Map<String, Value>> {
    match parse_json(what, s)? {
        Value::Object(o) => Ok(o),
        _ => Err(invalid_arg(what, "expected an object")),
    }
}

/// `{ errors: [...], value }`: a validation's errors and the coerced value.
pub fn validation_json(errors: &[ValidationError], value: Map<String, Value>) -> String {
    let errors: Vec<Value> = errors.iter().map(ValidationError::to_json).collect();
    json!({ "errors": errors, "value": value }).to_string()
}

/// Bytes handed to JS as a Buffer that V8 allocates (a copy), so the Rust bytes are
/// freed at once and the garbage the Buffer becomes is memory V8 knows it owns and
/// collects on time. (An external Buffer keeps its Rust allocation until a GC that
/// V8 is slow to schedule: a 1 GB `contentStream` then grew RSS twice as much.)
pub struct CopiedBuffer(pub bytes::Bytes);

impl napi::bindgen_prelude::TypeName for CopiedBuffer {
    fn type_name() -> &'static str {
        "Buffer"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl napi::bindgen_prelude::ToNapiValue for CopiedBuffer {
    unsafe fn to_napi_value(
        env: napi::sys::napi_env,
        val: Self,
    ) -> napi::Result<napi::sys::napi_value> {
        let mut data = std::ptr::null_mut();
        let mut out = std::ptr::null_mut();
        // SAFETY: `val.0` is a live slice of `len` bytes for the duration of the call,
        // which copies it into a new Buffer; both out-pointers are valid locals.
        let status = unsafe {
            napi::sys::napi_create_buffer_copy(
                env,
                val.0.len(),
                val.0.as_ptr().cast(),
                &mut data,
                &mut out,
            )
        };
        if status != napi::sys::Status::napi_ok {
            return Err(napi::Error::new(
                napi::Status::GenericFailure,
                "cannot create a Buffer for a content chunk",
            ));
        }
        Ok(out)
    }
}
