//! `NativeSchema`: a standalone schema (the s3db.js `Schema` class) for
//! validation and record <-> metadata mapping without a database.

use super::convert::{parse_object, validation_json};
use super::error::IntoNapi;
use crate::engine::schema::Schema;
use napi_derive::napi;
use serde_json::{json, Value};

#[napi(js_name = "NativeSchema")]
pub struct NativeSchema {
    inner: Schema,
}

#[napi]
impl NativeSchema {
    /// `definition`: JSON of `{ name, attributes, options, version, passphrase, behavior, map? }`.
    #[napi(constructor, catch_unwind)]
    pub fn new(definition: String) -> napi::Result<Self> {
        let d = parse_object("schema definition", &definition)?;
        let inner = Schema::from_definition(&d, "secret").into_napi()?;
        Ok(NativeSchema { inner })
    }

    /// The schema's export JSON: `{ version, name, options, attributes, map, behavior,
    /// dateFields, definitionHash, versionHash }` (what a resource is built from).
    #[napi(catch_unwind)]
    pub fn info(&self) -> String {
        self.inner.export().to_string()
    }

    /// Validate (and coerce) a record: `{ errors: [...], value }` JSON.
    #[napi(catch_unwind)]
    pub fn validate(&self, item: String) -> napi::Result<String> {
        let mut record = parse_object("record", &item)?;
        let errors = self.inner.validate(&mut record);
        Ok(validation_json(&errors, record))
    }

    /// `applyHooksActions(item, phase)` on a flat item (JSON); the item JSON after.
    #[napi(catch_unwind)]
    pub fn apply_hooks_actions(&self, item: String, phase: String) -> napi::Result<String> {
        let mut flat = parse_object("item", &item)?;
        self.inner.apply_phase(&mut flat, &phase).into_napi()?;
        Ok(Value::Object(flat).to_string())
    }

    /// One schema action on a value (JSON) of field `path`; the value JSON after.
    #[napi(catch_unwind)]
    pub fn apply_action(
        &self,
        action: String,
        value: String,
        path: String,
    ) -> napi::Result<String> {
        let v = super::convert::parse_json("value", &value)?;
        Ok(self
            .inner
            .apply_action(&action, v, &path)
            .into_napi()?
            .to_string())
    }

    /// Record -> metadata object (short keys, encoded values, `_v`).
    #[napi(catch_unwind)]
    pub fn mapper(&self, item: String) -> napi::Result<String> {
        let record = parse_object("record", &item)?;
        let md = self.inner.encode(&record).into_napi()?;
        Ok(json!(md).to_string())
    }

    /// Metadata object -> record.
    #[napi(catch_unwind)]
    pub fn unmapper(&self, metadata: String) -> napi::Result<String> {
        let m = parse_object("metadata", &metadata)?;
        let md = m
            .into_iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s,
                    other => crate::engine::codec::js_string(&other),
                };
                (k, s)
            })
            .collect();
        let rec = self.inner.decode(&md).into_napi()?;
        Ok(Value::Object(rec).to_string())
    }
}

/// The schema action names (`SchemaActions`' keys), from the engine's one list.
#[napi(catch_unwind)]
pub fn native_schema_actions() -> Vec<String> {
    crate::engine::schema::KNOWN_ACTIONS
        .iter()
        .map(|a| a.to_string())
        .collect()
}
