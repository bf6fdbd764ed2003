//! The validation results s3db.js 4.1.7 gave (fixtures), reproduced.

use super::test_support::*;
use super::*;
use serde_json::json;

fn accounts() -> Validator {
    compile(json!({
        "name": "string|min:2",
        "email": "email",
        "age": "number|min:18|optional",
        "active": "boolean|optional",
        "role": "string|optional",
        "address": { "$$type": "object|optional", "city": "string" }
    }))
}

#[test]
fn fixture_validation_errors_missing_required() {
    expect_errors(
        &accounts(),
        json!({"email": "a@example.com"}),
        r#"[{"type":"required","message":"The 'name' field is required.","field":"name"}]"#,
    );
}

#[test]
fn fixture_validation_errors_wrong_type() {
    expect_errors(
        &accounts(),
        json!({"name": "Al", "email": "a@example.com", "age": "thirty"}),
        r#"[{"type":"number","message":"The 'age' field must be a number.","field":"age","actual":"thirty"}]"#,
    );
}

#[test]
fn fixture_validation_errors_bad_email() {
    expect_errors(
        &accounts(),
        json!({"name": "Al", "email": "not-an-email"}),
        r#"[{"type":"email","message":"The 'email' field must be a valid e-mail.","field":"email","actual":"not-an-email"}]"#,
    );
}

#[test]
fn fixture_validation_errors_below_min() {
    expect_errors(
        &accounts(),
        json!({"name": "Al", "email": "a@example.com", "age": 12}),
        r#"[{"type":"numberMin","message":"The 'age' field must be greater than or equal to 18.","field":"age","expected":18,"actual":12}]"#,
    );
}

#[test]
fn fixture_validation_errors_too_short() {
    expect_errors(
        &accounts(),
        json!({"name": "A", "email": "a@example.com"}),
        r#"[{"type":"stringMin","message":"The 'name' field length must be greater than or equal to 2 characters long.","field":"name","expected":2,"actual":1}]"#,
    );
}

#[test]
fn fixture_validation_errors_nested_missing() {
    expect_errors(
        &accounts(),
        json!({"name": "Al", "email": "a@example.com", "address": {}}),
        r#"[{"type":"required","message":"The 'address.city' field is required.","field":"address.city"}]"#,
    );
}

#[test]
fn fixture_validation_errors_boolean_as_string() {
    expect_errors(
        &accounts(),
        json!({"name": "Al", "email": "a@example.com", "active": "true"}),
        r#"[{"type":"boolean","message":"The 'active' field must be a boolean.","field":"active","actual":"true"}]"#,
    );
}

#[test]
fn fixture_validation_errors_multiple() {
    expect_errors(
        &accounts(),
        json!({"name": 1, "email": 2, "age": -1}),
        r#"[{"type":"string","message":"The 'name' field must be a string.","field":"name","actual":1},
            {"type":"string","message":"The 'email' field must be a string.","field":"email","actual":2},
            {"type":"numberMin","message":"The 'age' field must be greater than or equal to 18.","field":"age","expected":18,"actual":-1}]"#,
    );
}

#[test]
fn fixture_validation_errors_update_below_min() {
    expect_errors(
        &accounts(),
        json!({"name": "Valid", "email": "valid@example.com", "age": 5}),
        r#"[{"type":"numberMin","message":"The 'age' field must be greater than or equal to 18.","field":"age","expected":18,"actual":5}]"#,
    );
}

#[test]
fn fixture_validation_errors_insert_many() {
    expect_errors(
        &accounts(),
        json!({"name": "X"}),
        r#"[{"type":"stringMin","message":"The 'name' field length must be greater than or equal to 2 characters long.","field":"name","expected":2,"actual":1},
            {"type":"required","message":"The 'email' field is required.","field":"email"}]"#,
    );
}

#[test]
fn fixture_validation_errors_valid_records() {
    let v = accounts();
    expect_valid(
        &v,
        json!({"name": "Valid", "email": "valid@example.com", "age": 30}),
        json!({"name": "Valid", "email": "valid@example.com", "age": 30}),
    );
    expect_valid(
        &v,
        json!({"name": "Good", "email": "good@example.com"}),
        json!({"name": "Good", "email": "good@example.com"}),
    );
}

#[test]
fn fixture_object_rule_is_a_nested_object() {
    // `{type: 'string', enum: [...]}` is a nested attribute object: its `enum` is a multi rule
    assert_eq!(
        compile_err(json!({"role": {"type": "string", "enum": ["admin", "user"]}})),
        "Invalid 'admin' type in validator schema."
    );
}

#[test]
#[allow(clippy::approx_constant)] // 3.14159 is the fixture's value
fn fixture_basic_types() {
    let v = compile(json!({
        "str": "string|optional", "int": "number|optional", "neg": "number|optional",
        "float": "number|optional", "zero": "number|optional", "big": "number|optional",
        "yes": "boolean|optional", "no": "boolean|optional", "text": "string|optional", "empty": "string|optional"
    }));
    expect_errors(
        &v,
        json!({"int": "42", "yes": "true"}),
        r#"[{"type":"number","message":"The 'int' field must be a number.","field":"int","actual":"42"},
            {"type":"boolean","message":"The 'yes' field must be a boolean.","field":"yes","actual":"true"}]"#,
    );
    expect_valid(
        &v,
        json!({"str": "  padded  ", "text": "\ttabbed\t"}),
        json!({"str": "padded", "text": "tabbed"}),
    );
    let full = json!({"str": "hello world", "int": 42, "neg": -17, "float": 3.14159, "zero": 0,
        "big": 9007199254740991u64, "yes": true, "no": false, "text": "plain ascii", "empty": ""});
    expect_valid(&v, full.clone(), full);
    let edge = json!({"int": 1e21, "float": 1e-7, "neg": -0.5, "big": 12345678901234567000.0});
    expect_valid(&v, edge.clone(), edge);
    expect_valid(&v, json!({}), json!({}));
}

#[test]
fn fixture_arrays() {
    let v = compile(
        json!({"tags": "array|items:string", "nums": "array|items:number|optional", "label": "string|optional"}),
    );
    expect_errors(
        &v,
        json!({"tags": [1, 2]}),
        r#"[{"type":"string","message":"The 'tags[0]' field must be a string.","field":"tags[0]","actual":1},
            {"type":"string","message":"The 'tags[1]' field must be a string.","field":"tags[1]","actual":2}]"#,
    );
    expect_valid(
        &v,
        json!({"tags": [" spaced ", "é", "a,b"]}),
        json!({"tags": ["spaced", "é", "a,b"]}),
    );
    expect_valid(&v, json!({"tags": []}), json!({"tags": []}));
    expect_valid(
        &v,
        json!({"tags": ["n"], "nums": [1, 2.5, -3, 0, 9007199254740991u64]}),
        json!({"tags": ["n"], "nums": [1, 2.5, -3, 0, 9007199254740991u64]}),
    );
    expect_valid(
        &v,
        json!({"tags": ["", "x", ""]}),
        json!({"tags": ["", "x", ""]}),
    );
}

fn people() -> Validator {
    compile(json!({
        "name": "string",
        "profile": {
            "bio": "string|optional", "age": "number|optional",
            "address": {
                "city": "string", "zip": "string|optional",
                "geo": {"$$type": "object|optional", "lat": "number|optional", "lng": "number|optional"}
            }
        },
        "prefs": {"$$type": "object|optional", "theme": "string|optional", "notify": "boolean|optional"},
        "extra": {"$$type": "object|optional"}
    }))
}

#[test]
fn fixture_nested_objects() {
    let v = people();
    expect_errors(
        &v,
        json!({"name": "Fa"}),
        r#"[{"type":"required","message":"The 'profile' field is required.","field":"profile"}]"#,
    );
    expect_errors(
        &v,
        json!({"name": "Gi", "profile": {"address": {}}}),
        r#"[{"type":"required","message":"The 'profile.address.city' field is required.","field":"profile.address.city"}]"#,
    );
    let full = json!({"name": "Ana", "profile": {"bio": "hi", "age": 33, "address": {"city": "Lisbon", "zip": "1000-001",
        "geo": {"lat": 38.72, "lng": -9.14}}}, "prefs": {"theme": "dark", "notify": true}});
    expect_valid(&v, full.clone(), full);
    let nulls =
        json!({"name": "Di", "profile": {"address": {"city": "Kyiv", "geo": null}}, "prefs": null});
    expect_valid(&v, nulls.clone(), nulls);
    // root unknown keys are removed, nested unknown keys survive
    expect_valid(
        &v,
        json!({"name": "Ed", "profile": {"address": {"city": "Nice"}, "unknown": "x"}, "extra": {"free": "form", "n": 1}, "notInSchema": "dropped?"}),
        json!({"name": "Ed", "profile": {"address": {"city": "Nice"}, "unknown": "x"}, "extra": {"free": "form", "n": 1}}),
    );
}

#[test]
fn fixture_secret_fields() {
    let v = compile(
        json!({"label": "string", "password": "secret", "pin": "secretNumber|optional", "note": "secret|optional"}),
    );
    expect_errors(
        &v,
        json!({"label": "updated label", "password": "x", "pin": "1234"}),
        r#"[{"type":"number","message":"The 'pin' field must be a number.","field":"pin","actual":"1234"}]"#,
    );
    expect_valid(
        &v,
        json!({"label": "empty secret", "password": ""}),
        json!({"label": "empty secret", "password": ""}),
    );
    expect_valid(
        &v,
        json!({"label": "l", "password": " p@ss w0rd ", "pin": 1234}),
        json!({"label": "l", "password": "p@ss w0rd", "pin": 1234}),
    );
}

#[test]
fn secret_alias_messages() {
    let v = single("secret|min:8");
    expect_errors(
        &v,
        json!({"f": "short"}),
        r#"[{"type":"stringMin","message":"This secret 'f' field length must be at least 8 long.","field":"f","expected":8,"actual":5}]"#,
    );
    expect_errors(
        &v,
        json!({"f": 5}),
        r#"[{"type":"string","message":"The 'f' field must be a string.","field":"f","actual":5}]"#,
    );
    assert_eq!(kinds(&single("secretAny"), json!({})), vec!["required"]);
    assert_eq!(
        kinds(&single("secretAny"), json!({"f": {"a": 1}})),
        Vec::<String>::new()
    );
}

#[test]
fn fixture_dates_and_json() {
    let v = compile(
        json!({"title": "string", "when": "date|optional", "whenConv": "date|convert:true|optional",
        "isoText": "string|optional", "meta": "object|optional", "anything": "any|optional", "jsonText": "string|optional"}),
    );
    expect_errors(
        &v,
        json!({"title": "t", "when": "2024-02-29T12:34:56.789Z"}),
        r#"[{"type":"date","message":"The 'when' field must be a Date.","field":"when","actual":"2024-02-29T12:34:56.789Z"}]"#,
    );
    expect_valid(
        &v,
        json!({"title": "t", "whenConv": "2024-02-29T12:34:56.789Z"}),
        json!({"title": "t", "whenConv": {"$date": "2024-02-29T12:34:56.789Z"}}),
    );
    expect_valid(
        &v,
        json!({"title": "t", "when": {"$date": "2024-02-29T12:34:56.789Z"}}),
        json!({"title": "t", "when": {"$date": "2024-02-29T12:34:56.789Z"}}),
    );
    let meta = json!({"title": "t", "meta": {"a": 1, "b": "two", "c": {"d": [1, 2, {"e": null}]}, "f": true},
        "anything": [1, "two", {"three": 3}]});
    expect_valid(&v, meta.clone(), meta);
    assert_eq!(
        compile_err(json!({"payload": "json"})),
        "Invalid 'json' type in validator schema."
    );
}
