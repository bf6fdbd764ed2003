//! Helpers shared by the validator's tests.

use super::*;
use serde_json::json;

pub(super) fn attrs(v: Value) -> Map<String, Value> {
    v.as_object()
        .cloned()
        .expect("test attributes must be an object")
}

pub(super) fn compile(v: Value) -> Validator {
    Validator::compile(&attrs(v), false).expect("schema compiles")
}

pub(super) fn compile_err(v: Value) -> String {
    Validator::compile(&attrs(v), false).expect_err("schema must not compile")
}

/// validate `data`; returns (errors as JSON array, mutated record)
pub(super) fn run_v(v: &Validator, data: Value) -> (Value, Value) {
    let mut m = attrs(data);
    let e = v.validate(&mut m);
    (
        Value::Array(e.iter().map(ValidationError::to_json).collect()),
        Value::Object(m),
    )
}

pub(super) fn expect_errors(v: &Validator, data: Value, expected: &str) {
    let (e, _) = run_v(v, data);
    let exp: Value = serde_json::from_str(expected).expect("expected JSON");
    assert_eq!(e, exp, "\n got: {}\nwant: {}", e, exp);
}

pub(super) fn expect_valid(v: &Validator, data: Value, stored: Value) {
    let (e, d) = run_v(v, data);
    assert_eq!(e, json!([]), "unexpected errors");
    assert_eq!(d, stored);
}

pub(super) fn single(rule: &str) -> Validator {
    compile(json!({ "f": rule }))
}

pub(super) fn messages(v: &Validator, data: Value) -> Vec<String> {
    let mut m = attrs(data);
    v.validate(&mut m).into_iter().map(|e| e.message).collect()
}

pub(super) fn kinds(v: &Validator, data: Value) -> Vec<String> {
    let mut m = attrs(data);
    v.validate(&mut m).into_iter().map(|e| e.kind).collect()
}

pub(super) fn single_multi(rules: Value) -> Validator {
    compile(json!({ "f": rules }))
}
