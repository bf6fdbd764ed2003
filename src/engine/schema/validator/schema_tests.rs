//! Schema-level behaviour: construction errors, labels, unknown keys, defaults,
//! nested objects, the error JSON.

use super::test_support::*;
use super::*;
use serde_json::json;

#[test]
fn construction_errors() {
    assert_eq!(
        compile_err(json!({"x": "invalid-type"})),
        "Invalid 'invalid-type' type in validator schema."
    );
    assert_eq!(
        compile_err(json!({"x": {"type": "number", "positive": true}})),
        "Invalid 'undefined' type in validator schema."
    );
    assert_eq!(
        compile_err(json!({"x": "enum|values:a,b"})),
        "schema.values.join is not a function"
    );
    assert_eq!(
        compile_err(json!({"x": "string|enum:a,b"})),
        "schema.enum.join is not a function"
    );
    assert_eq!(
        compile_err(json!({"x": "enum"})),
        "Cannot read properties of undefined (reading 'join')"
    );
    assert_eq!(compile_err(json!({"x": []})), "Invalid schema.");
    assert_eq!(
        compile_err(json!({"x": null})),
        "Cannot read properties of null (reading '$$type')"
    );
    assert_eq!(
        compile_err(json!({"x": 5})),
        "Invalid 'undefined' type in validator schema."
    );
    assert_eq!(
        compile_err(json!({"x": "toString"})),
        "Invalid 'undefined' type in validator schema."
    );
    assert_eq!(
        compile_err(json!({"x": "string[]", "y": "foo[]"})),
        "Invalid 'foo' type in validator schema."
    );
    assert_eq!(
        compile_err(json!({"x": ["string", "bogus"]})),
        "Invalid 'bogus' type in validator schema."
    );
    assert_eq!(
        compile_err(json!({"x": "secret|messages:x"})),
        "Cannot create property 'string' on string 'x'"
    );
    assert_eq!(
        compile_err(json!({"x": {"$$type": 5}})),
        "value.$$type.includes is not a function"
    );
    assert!(compile_err(json!({"x": "string|pattern:(abc"}))
        .starts_with("Invalid regular expression: /(abc/: "));
    assert_eq!(
        compile_err(json!({"x": "string|pattern:abc|patternFlags:q"})),
        "Invalid flags supplied to RegExp constructor 'q'"
    );
    assert_eq!(
        compile_err(json!({"x": "string|min:abc"})),
        "Invalid 'min' value 'abc' in validator schema."
    );
    assert_eq!(
        compile_err(json!({"x": "multi"})),
        "Cannot read properties of undefined (reading 'length')"
    );
    assert_eq!(
        compile_err(json!({"x": "class"})),
        "Cannot read properties of undefined (reading 'name')"
    );
    // a label is only read for object properties
    assert!(Validator::compile(
        &attrs(json!({"x": [{"type": "string", "label": 5}]})),
        false
    )
    .is_ok());
}

#[test]
fn label_must_be_a_string_for_properties() {
    assert_eq!(
        compile_err(json!({"x": "string|label:5"})),
        "str.replace is not a function"
    );
    assert_eq!(
        compile_err(json!({"x": "string|label"})),
        "str.replace is not a function"
    );
    let v = single("string|min:3|label:Full Name");
    assert_eq!(
        messages(&v, json!({})),
        vec!["The 'Full Name' field is required."]
    );
    assert_eq!(
        messages(&v, json!({"f": "ab"})),
        vec!["The 'Full Name' field length must be greater than or equal to 3 characters long."]
    );
    // the field path itself is unchanged
    let (e, _) = run_v(&v, json!({"f": "ab"}));
    assert_eq!(e[0]["field"], json!("f"));
}

#[test]
fn root_unknown_keys_removed_only_when_valid() {
    let v = compile(json!({"name": "string"}));
    expect_valid(
        &v,
        json!({"name": "a", "id": "x", "junk": 1}),
        json!({"name": "a"}),
    );
    let (e, d) = run_v(&v, json!({"name": 5, "junk": 1}));
    assert_eq!(e.as_array().map(Vec::len), Some(1));
    assert_eq!(d, json!({"name": 5, "junk": 1}));
    // empty attributes: everything is unknown
    expect_valid(&compile(json!({})), json!({"a": 1}), json!({}));
    // $$strict: true reports them instead
    let v = compile(json!({"$$strict": true, "a": "string"}));
    expect_errors(
        &v,
        json!({"a": "x", "b": 1, "c": 2}),
        r#"[{"type":"objectStrict","message":"The object '' contains forbidden keys: 'b, c'.","field":"","expected":"a","actual":"b, c"}]"#,
    );
}

#[test]
fn defaults() {
    let v = compile(json!({
        "s": "string|default:hi",
        "b": "boolean|default:true",
        "n": "number|default:5",
        "o": "string|optional|default:dflt",
        "short": "string|min:5|default:ab",
        "z": "number|default:",
        "keep": "string|optional"
    }));
    expect_valid(
        &v,
        json!({"o": null, "keep": null}),
        json!({"o": "dflt", "keep": null, "s": "hi", "b": true, "n": 5, "short": "ab", "z": 0}),
    );
    expect_valid(
        &v,
        json!({"s": " x ", "b": false, "n": 1, "o": "y", "short": "abcdef", "z": 3}),
        json!({"s": "x", "b": false, "n": 1, "o": "y", "short": "abcdef", "z": 3}),
    );
    // nullable + default keeps null
    let v = single("string|nullable|default:x");
    expect_valid(&v, json!({"f": null}), json!({"f": null}));
    expect_valid(&v, json!({}), json!({"f": "x"}));
    // defaults inside nested objects apply when the object is present
    let v = compile(
        json!({"p": {"$$type": "object|optional", "on": "boolean|optional|default:false"}}),
    );
    expect_valid(&v, json!({"p": {}}), json!({"p": {"on": false}}));
    expect_valid(&v, json!({}), json!({}));
}

#[test]
fn all_nested_objects_optional() {
    let a = attrs(json!({
        "web": {"enabled": "boolean|optional"},
        "req": {"$$type": "object|required", "field": "string"},
        "opt": {"$$type": "object|optional", "field": "string"}
    }));
    let v = Validator::compile(&a, true).expect("compiles");
    let mut m = attrs(json!({}));
    let e: Vec<Value> = v
        .validate(&mut m)
        .iter()
        .map(ValidationError::to_json)
        .collect();
    assert_eq!(
        Value::Array(e),
        json!([{"type":"required","message":"The 'req' field is required.","field":"req"}])
    );
    let v = Validator::compile(&a, false).expect("compiles");
    assert_eq!(kinds(&v, json!({})), vec!["required", "required"]);
}

#[test]
fn nested_required_objects() {
    let v = compile(
        json!({"profile": {"$$type": "object|optional", "social": {"twitter": "string|optional"}}}),
    );
    expect_errors(
        &v,
        json!({"profile": {}}),
        r#"[{"type":"required","message":"The 'profile.social' field is required.","field":"profile.social"}]"#,
    );
    expect_errors(
        &v,
        json!({"profile": {"social": "x"}}),
        r#"[{"type":"object","message":"The 'profile.social' must be an Object.","field":"profile.social","actual":"x"}]"#,
    );
    expect_errors(
        &v,
        json!({"profile": {"social": null}}),
        r#"[{"type":"required","message":"The 'profile.social' field is required.","field":"profile.social","actual":null}]"#,
    );
    expect_valid(
        &v,
        json!({"profile": {"social": {"twitter": " @a "}}}),
        json!({"profile": {"social": {"twitter": "@a"}}}),
    );
    // non-identifier keys use ['...'] below the root
    let v = compile(json!({"a": {"first-name": "string"}}));
    assert_eq!(
        messages(&v, json!({"a": {}})),
        vec!["The 'a['first-name']' field is required."]
    );
}

#[test]
fn error_json_key_order() {
    let e = ValidationError {
        kind: "stringMin".into(),
        message: "m".into(),
        field: "f".into(),
        expected: Some(json!(2)),
        actual: Some(json!(1)),
    };
    assert_eq!(
        serde_json::to_string(&e.to_json()).expect("serialises"),
        r#"{"type":"stringMin","message":"m","field":"f","expected":2,"actual":1}"#
    );
}

#[test]
fn validator_is_send_sync() {
    fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_send_sync::<Validator>();
    assert_send_sync::<ValidationError>();
}
