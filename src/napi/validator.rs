//! `NativeValidator`: one compiled fastest-validator schema, for the exported
//! `Validator`'s `compile(schema)` (a plain object is a rule object there, not a
//! nested attribute object as in resource attributes).

use super::convert::{parse_object, validation_json};
use crate::engine::schema::Validator;
use napi_derive::napi;

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
        let inner = Validator::compile_rules(&schema).map_err(|message| {
            super::error::to_napi(crate::engine::error::EngineError::new(
                crate::engine::error::ErrorKind::SchemaError,
                message,
            ))
        })?;
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
