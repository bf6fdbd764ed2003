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
