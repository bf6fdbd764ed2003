//! A port of the part of **fastest-validator 1.19.1** that s3db.js 4.1.7 uses
//! (see `/work/shared/reference/s3db-validation.md`).
//!
//! s3db.js compiles every resource's attributes into one fastest-validator schema
//! with these global options: `defaults.string.trim = true`,
//! `defaults.object.strict = "remove"`, the aliases `secret` (= string, with two
//! custom messages), `secretAny` (= any) and `secretNumber` (= number). Nested
//! attribute objects become `{type: "object", properties, strict: false}`.
//!
//! fastest-validator generates JavaScript source from the schema; several of its
//! observable behaviours are consequences of that code generation (rule
//! parameters interpolated into code, messages embedded as string literals, the
//! `required` check of array items reporting the array's field, ...). They are
//! reproduced here on purpose, each at the place where it happens. The JavaScript
//! semantics themselves (dates, regexes, number and string conversions, equality)
//! come from `engine::js`.
//!
//! Layout: [`resolve`] turns a schema value into a rule definition (shorthands,
//! aliases); [`rule`] compiles it into a [`rule::Rule`] tree; [`check`] walks a
//! value through the tree; each rule family has its module (`string`, `number`,
//! `date`, `array`, `object`, `other`); [`messages`] and [`pending`] render errors.
//!
//! Value conventions: a key that is absent is `undefined`; `{"$date": "<ISO>"}`
//! (a single-key object) is a JavaScript `Date`.
//!
//! Known deviations (everything else was checked against fastest-validator 1.19.1
//! run with s3db's options on a few thousand schema/value pairs):
//! * a pattern nested deeper than 256 groups is refused at construction (V8 accepts
//!   it); so is a schema nested deeper than 256 levels (V8 overflows its stack
//!   later, with the same `Maximum call stack size exceeded`);
//! * failures JavaScript only raises while validating (a non-numeric rule parameter
//!   such as `string|min:abc`, `objectID`, `class`) are construction errors here;
//!   `currency` with a non-string value (a TypeError in JS) is a `currency` error;
//! * an error without a field (`$$strict: true` on the root) has `"field": ""`;
//! * an error's `label` key is not kept (the label is used in the message);
//! * NaN/±Infinity produced by `convert` are stored as `null`; an Invalid Date
//!   produced by `date|convert` is stored as `{"$date": null}`;
//! * `Date.prototype.toString` (in messages that print a Date) is rendered in UTC.

mod array;
mod builtin;
mod check;
mod date;
mod formats;
mod messages;
mod number;
mod object;
mod other;
mod pending;
mod resolve;
mod rule;
mod string;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod robustness_tests;
#[cfg(test)]
mod schema_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod throughput_tests;

use array::*;
use builtin::*;
use check::*;
use date::*;
use formats::*;
use messages::*;
use number::*;
use object::*;
use other::*;
use pending::*;
use resolve::*;
use rule::*;
use string::*;

use crate::engine::js::{self, RegExp};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// One entry of the array fastest-validator returns for an invalid record.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    /// fastest-validator error type, e.g. `required`, `stringMin`
    pub kind: String,
    /// rendered English message
    pub message: String,
    /// `name`, `profile.social`, `tags[1]`
    pub field: String,
    pub expected: Option<Value>,
    /// `None` = `undefined` (the key is then absent from the JSON form)
    pub actual: Option<Value>,
}

impl ValidationError {
    /// `{"type","message","field","expected"?, "actual"?}` in exactly that key order
    /// (as 4.1.7 shows it).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), Value::String(self.kind.clone()));
        m.insert("message".into(), Value::String(self.message.clone()));
        m.insert("field".into(), Value::String(self.field.clone()));
        if let Some(e) = &self.expected {
            m.insert("expected".into(), e.clone());
        }
        if let Some(a) = &self.actual {
            m.insert("actual".into(), a.clone());
        }
        Value::Object(m)
    }
}

/// A compiled s3db attribute schema.
#[derive(Debug, Clone)]
pub struct Validator {
    root: Rule,
    /// the usual case: the root is the object rule built from the attributes
    plain_root: bool,
}

impl Validator {
    /// Compile an s3db attributes object. `Err(message)` on construction errors, with
    /// the message fastest-validator (or the JavaScript engine running its generated
    /// code) gives, e.g. `Invalid 'json' type in validator schema.`.
    pub fn compile(
        attributes: &Map<String, Value>,
        all_nested_objects_optional: bool,
    ) -> Result<Validator, String> {
        let processed = preprocess(attributes, all_nested_objects_optional)?;
        Self::compile_rules(&processed)
    }

    /// s3db's preprocessing of resource attributes into a fastest-validator schema
    /// (nested attribute objects become `{ type: 'object', properties, strict: false }`,
    /// optional by `$$type` or `all_nested_objects_optional`): 4.1.7's
    /// `preprocessAttributesForValidation`.
    pub fn preprocess_attributes(
        attributes: &Map<String, Value>,
        all_nested_objects_optional: bool,
    ) -> Result<Map<String, Value>, String> {
        preprocess(attributes, all_nested_objects_optional)
    }

    /// Compile a fastest-validator schema as it is (the exported `Validator`'s
    /// `compile`): unlike s3db attributes, a plain object is a rule object
    /// (`{ type: 'number', positive: true }`), not a nested attribute object.
    pub fn compile_rules(processed: &Map<String, Value>) -> Result<Validator, String> {
        let processed = processed.clone();
        if processed.get("$$root") == Some(&Value::Bool(true)) {
            // `$$root: true`: the attributes object itself is the rule.
            let mut p = processed;
            p.shift_remove("$$async");
            let root = build(&Value::Object(p), false)?;
            return Ok(Validator {
                root,
                plain_root: false,
            });
        }
        let mut props = Map::new();
        for (k, v) in &processed {
            if !is_meta_key(k) {
                props.insert(k.clone(), v.clone());
            }
        }
        let mut schema = Map::new();
        schema.insert("type".into(), Value::String("object".into()));
        if let Some(st) = processed.get("$$strict") {
            schema.insert("strict".into(), st.clone());
        }
        schema.insert("properties".into(), Value::Object(props));
        let root = build(&Value::Object(schema), false)?;
        Ok(Validator {
            root,
            plain_root: true,
        })
    }

    /// Validate and mutate `record` in place as 4.1.7 does (trim strings, apply
    /// defaults, `convert` conversions, remove unknown root keys when valid).
    /// Returns the errors in fastest-validator's order (empty = valid).
    pub fn validate(&self, record: &mut Map<String, Value>) -> Vec<ValidationError> {
        let mut errors: Vec<Pending> = Vec::new();
        let value = Value::Object(std::mem::take(record));
        let backup = if self.plain_root {
            None
        } else {
            Some(value.clone())
        };
        let at = At {
            wrap_field: "",
            field: "",
            wrap_label: None,
            label: None,
        };
        let (out, _) = check(&self.root, Some(value), &at, None, &mut errors);
        match out {
            Some(Value::Object(m)) => *record = m,
            _ => {
                if let Some(Value::Object(b)) = backup {
                    *record = b;
                }
            }
        }
        errors.into_iter().map(Pending::render).collect()
    }
}
