//! `NativeValidator`: one compiled fastest-validator schema, for the exported
//! `Validator`'s `compile(schema)` (a plain object is a rule object there, not a
//! nested attribute object as in resource attributes).

use super::convert::{parse_object, validation_json};
use crate::engine::schema::Validator;
use napi_derive::napi;

/// A fastest-validator construction error, as the `SchemaError` it becomes in JS.
fn schema_error(message: String) -> napi::Error {
    super::error::to_napi(crate::engine::error::EngineError::new(
        crate::engine::error::ErrorKind::SchemaError,
        message,
    ))
}

#[napi(js_name = "NativeValidator")]
pub struct NativeValidator {
    inner: Validator,
}

#[napi]
impl NativeValidator {
    /// `schema`: JSON of a fastest-validator schema. A construction error is
    /// thrown with fastest-validator's message.
    #[napi(constructor, catch_unwind)]
    pub fn new(schema: String) -> napi::Result<Self> {
        let schema = parse_object("schema", &schema)?;
        let inner = Validator::compile_rules(&schema).map_err(schema_error)?;
        Ok(NativeValidator { inner })
    }

    /// Validate (and coerce) an object: `{ errors: [...], value }` JSON.
    #[napi(catch_unwind)]
    pub fn validate(&self, item: String) -> napi::Result<String> {
        let mut record = parse_object("object", &item)?;
        let errors = self.inner.validate(&mut record);
        Ok(validation_json(&errors, record))
    }
}

/// `preprocessAttributesForValidation(attributes)`: the fastest-validator schema s3db
/// compiles from resource attributes (JSON in, JSON out).
#[napi(catch_unwind)]
pub fn native_preprocess_attributes(
    attributes: String,
    all_nested_objects_optional: bool,
) -> napi::Result<String> {
    let attrs = parse_object("attributes", &attributes)?;
    let out =
        Validator::preprocess_attributes(&attrs, all_nested_objects_optional).map_err(|m| {
            super::error::to_napi(crate::engine::error::EngineError::new(
                crate::engine::error::ErrorKind::SchemaError,
                m,
            ))
        })?;
    Ok(serde_json::Value::Object(out).to_string())
}
