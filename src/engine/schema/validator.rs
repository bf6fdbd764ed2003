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
//! reproduced here on purpose, each at the place where it happens.
//!
//! Value conventions: a key that is absent is `undefined`; `{"$date": "<ISO>"}`
//! (a single-key object) is a JavaScript `Date`.
//!
//! The message templates are fastest-validator's `lib/messages.js` (MIT licence).
//!
//! Known deviations (everything else was checked against fastest-validator 1.19.1
//! run with s3db's options on a few thousand schema/value pairs):
//! * regular expressions run on the `regex` crate: backreferences, lookbehind and
//!   lookaheads other than a leading run right after `^` (`^(?=..)(?!..)...`) give a
//!   construction error; with the `m` flag `^`/`$` only see `\n` as a line break;
//! * failures JavaScript only raises while validating (a non-numeric rule parameter
//!   such as `string|min:abc`, `objectID`, `class`) are construction errors here;
//!   `currency` with a non-string value (a TypeError in JS) is a `currency` error;
//! * an error without a field (`$$strict: true` on the root) has `"field": ""`;
//! * an error's `label` key is not kept (the label is used in the message);
//! * NaN/±Infinity produced by `convert` are stored as `null`; an Invalid Date
//!   produced by `date|convert` is stored as `{"$date": null}`.

use regex::Regex;
use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

// ============================================================================
// Public interface
// ============================================================================

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

// ============================================================================
// Messages (fastest-validator 1.19.1 lib/messages.js, plus s3db's two)
// ============================================================================

const MESSAGES: &[(&str, &str)] = &[
    ("required", "The '{field}' field is required."),
    ("string", "The '{field}' field must be a string."),
    ("stringEmpty", "The '{field}' field must not be empty."),
    (
        "stringMin",
        "The '{field}' field length must be greater than or equal to {expected} characters long.",
    ),
    (
        "stringMax",
        "The '{field}' field length must be less than or equal to {expected} characters long.",
    ),
    (
        "stringLength",
        "The '{field}' field length must be {expected} characters long.",
    ),
    (
        "stringPattern",
        "The '{field}' field fails to match the required pattern.",
    ),
    (
        "stringContains",
        "The '{field}' field must contain the '{expected}' text.",
    ),
    (
        "stringEnum",
        "The '{field}' field does not match any of the allowed values.",
    ),
    (
        "stringNumeric",
        "The '{field}' field must be a numeric string.",
    ),
    (
        "stringAlpha",
        "The '{field}' field must be an alphabetic string.",
    ),
    (
        "stringAlphanum",
        "The '{field}' field must be an alphanumeric string.",
    ),
    (
        "stringAlphadash",
        "The '{field}' field must be an alphadash string.",
    ),
    ("stringHex", "The '{field}' field must be a hex string."),
    (
        "stringSingleLine",
        "The '{field}' field must be a single line string.",
    ),
    (
        "stringBase64",
        "The '{field}' field must be a base64 string.",
    ),
    ("number", "The '{field}' field must be a number."),
    (
        "numberMin",
        "The '{field}' field must be greater than or equal to {expected}.",
    ),
    (
        "numberMax",
        "The '{field}' field must be less than or equal to {expected}.",
    ),
    (
        "numberEqual",
        "The '{field}' field must be equal to {expected}.",
    ),
    (
        "numberNotEqual",
        "The '{field}' field can't be equal to {expected}.",
    ),
    ("numberInteger", "The '{field}' field must be an integer."),
    (
        "numberPositive",
        "The '{field}' field must be a positive number.",
    ),
    (
        "numberNegative",
        "The '{field}' field must be a negative number.",
    ),
    ("array", "The '{field}' field must be an array."),
    (
        "arrayEmpty",
        "The '{field}' field must not be an empty array.",
    ),
    (
        "arrayMin",
        "The '{field}' field must contain at least {expected} items.",
    ),
    (
        "arrayMax",
        "The '{field}' field must contain less than or equal to {expected} items.",
    ),
    (
        "arrayLength",
        "The '{field}' field must contain {expected} items.",
    ),
    (
        "arrayContains",
        "The '{field}' field must contain the '{expected}' item.",
    ),
    (
        "arrayUnique",
        "The '{actual}' value in '{field}' field does not unique the '{expected}' values.",
    ),
    (
        "arrayEnum",
        "The '{actual}' value in '{field}' field does not match any of the '{expected}' values.",
    ),
    ("tuple", "The '{field}' field must be an array."),
    (
        "tupleEmpty",
        "The '{field}' field must not be an empty array.",
    ),
    (
        "tupleLength",
        "The '{field}' field must contain {expected} items.",
    ),
    ("boolean", "The '{field}' field must be a boolean."),
    ("currency", "The '{field}' must be a valid currency format"),
    ("date", "The '{field}' field must be a Date."),
    (
        "dateMin",
        "The '{field}' field must be greater than or equal to {expected}.",
    ),
    (
        "dateMax",
        "The '{field}' field must be less than or equal to {expected}.",
    ),
    (
        "enumValue",
        "The '{field}' field value '{expected}' does not match any of the allowed values.",
    ),
    (
        "equalValue",
        "The '{field}' field value must be equal to '{expected}'.",
    ),
    (
        "equalField",
        "The '{field}' field value must be equal to '{expected}' field value.",
    ),
    ("forbidden", "The '{field}' field is forbidden."),
    ("function", "The '{field}' field must be a function."),
    ("email", "The '{field}' field must be a valid e-mail."),
    ("emailEmpty", "The '{field}' field must not be empty."),
    (
        "emailMin",
        "The '{field}' field length must be greater than or equal to {expected} characters long.",
    ),
    (
        "emailMax",
        "The '{field}' field length must be less than or equal to {expected} characters long.",
    ),
    ("luhn", "The '{field}' field must be a valid checksum luhn."),
    ("mac", "The '{field}' field must be a valid MAC address."),
    ("object", "The '{field}' must be an Object."),
    (
        "objectStrict",
        "The object '{field}' contains forbidden keys: '{actual}'.",
    ),
    (
        "objectMinProps",
        "The object '{field}' must contain at least {expected} properties.",
    ),
    (
        "objectMaxProps",
        "The object '{field}' must contain {expected} properties at most.",
    ),
    ("url", "The '{field}' field must be a valid URL."),
    ("urlEmpty", "The '{field}' field must not be empty."),
    ("uuid", "The '{field}' field must be a valid UUID."),
    (
        "uuidVersion",
        "The '{field}' field must be a valid UUID version provided.",
    ),
    (
        "classInstanceOf",
        "The '{field}' field must be an instance of the '{expected}' class.",
    ),
    ("objectID", "The '{field}' field must be an valid ObjectID"),
    ("record", "The '{field}' must be an Object."),
    // added by s3db.js's Validator
    (
        "encryptionKeyMissing",
        "Missing configuration for secrets encryption.",
    ),
    (
        "encryptionProblem",
        "Problem encrypting secret. Actual: {actual}. Error: {error}",
    ),
];

fn base_message(t: &str) -> Option<&'static str> {
    MESSAGES.iter().find(|(k, _)| *k == t).map(|(_, v)| *v)
}

/// Per-rule message overrides (`Object.assign({}, messages, schema.messages)`).
type Msgs = Option<Arc<BTreeMap<String, String>>>;

fn message_for(msgs: &Msgs, t: &str) -> String {
    if let Some(m) = msgs {
        if let Some(s) = m.get(t) {
            return s.clone();
        }
    }
    // `"${messages[type]}"` of an unknown type is the text "undefined"
    base_message(t).unwrap_or("undefined").to_string()
}

// ============================================================================
// Errors as collected during validation (rendered at the end, like the JS does)
// ============================================================================

/// An `expected` value: its JSON form and its `String(x)` form for messages.
#[derive(Debug, Clone)]
struct Exp {
    json: Value,
    disp: String,
}

impl Exp {
    fn of(v: Value) -> Exp {
        let disp = if v.is_null() {
            String::new()
        } else {
            js_to_string(&v)
        };
        Exp { json: v, disp }
    }
    fn text(s: String) -> Exp {
        Exp {
            json: Value::String(s.clone()),
            disp: s,
        }
    }
}

#[derive(Debug)]
struct Pending {
    kind: String,
    template: String,
    field: String,
    label: Option<String>,
    expected: Option<Exp>,
    actual: Option<Value>,
}

impl Pending {
    fn render(self) -> ValidationError {
        // `err.label || err.field`, then {expected}, then {actual}; `undefined`/`null` render as ""
        let f = match &self.label {
            Some(l) if !l.is_empty() => l.as_str(),
            _ => self.field.as_str(),
        };
        let m = js_replace(&self.template, "{field}", f, true);
        let e = self
            .expected
            .as_ref()
            .map(|e| e.disp.clone())
            .unwrap_or_default();
        let m = js_replace(&m, "{expected}", &e, true);
        let a = match &self.actual {
            None | Some(Value::Null) => String::new(),
            Some(v) => js_to_string(v),
        };
        let m = js_replace(&m, "{actual}", &a, true);
        ValidationError {
            kind: self.kind,
            message: m,
            field: self.field,
            expected: self.expected.map(|e| e.json),
            actual: self.actual,
        }
    }
}

fn pend(
    msgs: &Msgs,
    kind: &str,
    field: &str,
    label: Option<&str>,
    expected: Option<Exp>,
    actual: Option<Value>,
) -> Pending {
    Pending {
        kind: kind.to_string(),
        template: message_for(msgs, kind),
        field: field.to_string(),
        label: label.map(str::to_string),
        expected,
        actual,
    }
}

// ============================================================================
// JavaScript semantics helpers
// ============================================================================

/// ECMAScript WhiteSpace + LineTerminator (what `String.prototype.trim` removes and `\s` matches).
fn is_js_ws(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{A}' | '\u{B}' | '\u{C}' | '\u{D}' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_ws)
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Sentinels for ±Infinity inside schema objects (shorthand `min:Infinity`); JSON cannot hold them.
const INF_POS: &str = "\u{1}Infinity";
const INF_NEG: &str = "\u{1}-Infinity";

/// A number as it appears in data: integral values as JSON integers, NaN/±Infinity as `null`
/// (what `JSON.stringify` would give).
fn num_json(f: f64) -> Value {
    if !f.is_finite() {
        Value::Null
    } else if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// A number inside a schema object (may be ±Infinity, kept as a sentinel).
fn num_schema(f: f64) -> Value {
    if f.is_infinite() {
        Value::String(if f > 0.0 { INF_POS } else { INF_NEG }.to_string())
    } else {
        num_json(f)
    }
}

/// The numeric value of a JSON number or of an Infinity sentinel.
fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == INF_POS => Some(f64::INFINITY),
        Value::String(s) if s == INF_NEG => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// `JSON.parse(JSON.stringify(v))` for schema values (sentinels become `null`).
fn json_literal(v: &Value) -> Value {
    match v {
        Value::String(s) if s == INF_POS || s == INF_NEG => Value::Null,
        Value::Array(a) => Value::Array(a.iter().map(json_literal).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), json_literal(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// JavaScript `Number.prototype.toString()` (shortest round-trip digits, JS exponent rules).
fn js_num_str(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let s = format!("{:e}", f.abs());
    let Some((mant, exp)) = s.split_once('e') else {
        return s;
    };
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i64;
    let n = exp + 1;
    let body = if k <= n && n <= 21 {
        format!("{}{}", digits, "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{}", "0".repeat((-n) as usize), digits)
    } else {
        let e = n - 1;
        let sign = if e >= 0 { "+" } else { "-" };
        if k == 1 {
            format!("{}e{}{}", digits, sign, e.abs())
        } else {
            format!("{}.{}e{}{}", &digits[..1], &digits[1..], sign, e.abs())
        }
    };
    if f < 0.0 {
        format!("-{}", body)
    } else {
        body
    }
}

fn is_date(v: &Value) -> bool {
    matches!(v, Value::Object(o) if o.len() == 1 && o.contains_key("$date"))
}

/// Milliseconds of a `{"$date": ...}` value; `None` for an Invalid Date.
fn date_ms(v: &Value) -> Option<f64> {
    let d = v.as_object()?.get("$date")?;
    let t = match d {
        Value::String(s) => parse_date(s).map(time_clip).unwrap_or(f64::NAN),
        Value::Number(n) => time_clip(n.as_f64().unwrap_or(f64::NAN)),
        _ => f64::NAN,
    };
    if t.is_nan() {
        None
    } else {
        Some(t)
    }
}

fn date_value(ms: f64) -> Value {
    let mut m = Map::new();
    let t = time_clip(ms);
    m.insert(
        "$date".into(),
        if t.is_nan() {
            Value::Null
        } else {
            Value::String(ms_to_iso(t))
        },
    );
    Value::Object(m)
}

/// JavaScript `String(v)`.
fn js_to_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_num_str(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) if s == INF_POS => "Infinity".into(),
        Value::String(s) if s == INF_NEG => "-Infinity".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => js_join(a, ","),
        Value::Object(_) if is_date(v) => match date_ms(v) {
            Some(ms) => date_to_js_string(ms),
            None => "Invalid Date".into(),
        },
        Value::Object(_) => "[object Object]".into(),
    }
}

/// `Array.prototype.join`
fn js_join(a: &[Value], sep: &str) -> String {
    a.iter()
        .map(|x| {
            if x.is_null() {
                String::new()
            } else {
                js_to_string(x)
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// JavaScript `Number(v)`.
fn js_to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(_) => as_num(v).unwrap_or_else(|| str_to_number(&js_to_string(v))),
        Value::Array(_) => str_to_number(&js_to_string(v)),
        Value::Object(_) if is_date(v) => date_ms(v).unwrap_or(f64::NAN),
        Value::Object(_) => f64::NAN,
    }
}

/// ECMAScript StringToNumber.
fn str_to_number(s: &str) -> f64 {
    let t = js_trim(s);
    if t.is_empty() {
        return 0.0;
    }
    match t {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    let b = t.as_bytes();
    if b.len() > 2 && b[0] == b'0' {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            let mut acc = 0.0f64;
            for c in t[2..].chars() {
                match c.to_digit(radix) {
                    Some(d) => acc = acc * f64::from(radix) + f64::from(d),
                    None => return f64::NAN,
                }
            }
            return acc;
        }
    }
    // StrDecimalLiteral
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut ndig = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let fs = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        ndig += i - fs;
    }
    if ndig == 0 {
        return f64::NAN;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let es = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == es {
            return f64::NAN;
        }
    }
    if i != b.len() {
        return f64::NAN;
    }
    // Rust's parser accepts every string of this grammar except a bare trailing/leading '.'
    let mut norm = t.to_string();
    if let Some(p) = norm.find('.') {
        let after = norm.as_bytes().get(p + 1).copied();
        if !matches!(after, Some(c) if c.is_ascii_digit()) {
            norm.insert(p + 1, '0');
        }
        let before = if p == 0 {
            None
        } else {
            norm.as_bytes().get(p - 1).copied()
        };
        if !matches!(before, Some(c) if c.is_ascii_digit()) {
            norm.insert(p, '0');
        }
    }
    norm.parse::<f64>().unwrap_or(f64::NAN)
}

/// JavaScript `parseInt(s)` (radix 10 or the `0x` prefix).
fn js_parse_int(s: &str) -> f64 {
    let t = s.trim_start_matches(is_js_ws);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, t) = if t.starts_with("0x") || t.starts_with("0X") {
        (16, &t[2..])
    } else {
        (10, t)
    };
    let mut acc = 0.0;
    let mut any = false;
    for c in t.chars() {
        match c.to_digit(radix) {
            Some(d) => {
                acc = acc * f64::from(radix) + f64::from(d);
                any = true;
            }
            None => break,
        }
    }
    if !any {
        return f64::NAN;
    }
    if neg {
        -acc
    } else {
        acc
    }
}

/// JavaScript truthiness of a (defined) value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn is_primitive(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// `===` between a value and another (JSON values are distinct objects, so objects never match).
pub fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}

/// ToPrimitive of an object/array (default hint; Dates give their string form).
fn to_primitive(v: &Value) -> Value {
    if is_primitive(v) {
        v.clone()
    } else {
        Value::String(js_to_string(v))
    }
}

/// `a == b` (abstract equality); `b == None` is `undefined`. `a` is never null/undefined here.
fn loose_eq(a: &Value, b: Option<&Value>) -> bool {
    let Some(b) = b else { return false };
    if a.is_null() || b.is_null() {
        return a.is_null() && b.is_null();
    }
    match (a, b) {
        (Value::Array(_) | Value::Object(_), Value::Array(_) | Value::Object(_)) => false,
        (Value::Array(_) | Value::Object(_), _) => loose_eq(&to_primitive(a), Some(b)),
        (_, Value::Array(_) | Value::Object(_)) => loose_eq(a, Some(&to_primitive(b))),
        (Value::Bool(x), _) if !b.is_boolean() => {
            loose_eq(&num_json(f64::from(u8::from(*x))), Some(b))
        }
        (_, Value::Bool(y)) if !a.is_boolean() => {
            loose_eq(a, Some(&num_json(f64::from(u8::from(*y)))))
        }
        (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_)) => strict_eq(a, b),
        _ => js_to_number(a) == js_to_number(b),
    }
}

/// Evaluates the body of a double-quoted JavaScript string literal (sloppy mode), the
/// way the JS engine reads values fastest-validator pastes into generated code.
fn eval_js_string_literal(body: &str) -> Result<String, String> {
    const SYNTAX: &str = "Invalid or unexpected token";
    let cs: Vec<char> = body.chars().collect();
    let mut u: Vec<u16> = Vec::with_capacity(cs.len());
    let mut i = 0;
    let hex = |c: char| c.to_digit(16);
    while i < cs.len() {
        let c = cs[i];
        i += 1;
        match c {
            '"' => {
                // the literal ends here; the JS parser then meets the rest of the text
                let rest: String = cs[i..].iter().collect();
                let rest = rest.trim_start_matches(is_js_ws);
                let ident: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                    .collect();
                return Err(match rest.chars().next() {
                    Some(c) if c.is_ascii_digit() => "Unexpected number".into(),
                    Some(c) if c.is_alphabetic() || c == '_' || c == '$' => {
                        format!("Unexpected identifier '{}'", ident)
                    }
                    None | Some('"') | Some('\'') => "Unexpected string".into(),
                    _ => SYNTAX.into(),
                });
            }
            '\n' | '\r' => return Err(SYNTAX.into()),
            '\\' => {
                let Some(&e) = cs.get(i) else {
                    return Err(SYNTAX.into());
                };
                i += 1;
                match e {
                    'b' => u.push(8),
                    'f' => u.push(12),
                    'n' => u.push(10),
                    'r' => u.push(13),
                    't' => u.push(9),
                    'v' => u.push(11),
                    '0'..='7' => {
                        let first = e as u32 - '0' as u32;
                        if e == '0' && !cs.get(i).is_some_and(|d| d.is_ascii_digit()) {
                            u.push(0);
                        } else {
                            let mut val = first;
                            let maxlen = if first <= 3 { 3 } else { 2 };
                            let mut n = 1;
                            while n < maxlen {
                                match cs.get(i).and_then(|d| d.to_digit(8)) {
                                    Some(d) => {
                                        val = val * 8 + d;
                                        i += 1;
                                        n += 1;
                                    }
                                    None => break,
                                }
                            }
                            u.push(val as u16);
                        }
                    }
                    'x' => match (
                        cs.get(i).and_then(|&c| hex(c)),
                        cs.get(i + 1).and_then(|&c| hex(c)),
                    ) {
                        (Some(a), Some(b)) => {
                            u.push((a * 16 + b) as u16);
                            i += 2;
                        }
                        _ => return Err("Invalid hexadecimal escape sequence".into()),
                    },
                    'u' => {
                        if cs.get(i) == Some(&'{') {
                            let mut j = i + 1;
                            let mut val: u32 = 0;
                            while j < cs.len() && cs[j] != '}' {
                                match hex(cs[j]) {
                                    Some(d) if val <= 0x10FFFF => val = val * 16 + d,
                                    _ => return Err("Invalid Unicode escape sequence".into()),
                                }
                                j += 1;
                            }
                            if j >= cs.len() || j == i + 1 || val > 0x10FFFF {
                                return Err("Invalid Unicode escape sequence".into());
                            }
                            i = j + 1;
                            match char::from_u32(val) {
                                Some(ch) => {
                                    let mut buf = [0u16; 2];
                                    u.extend_from_slice(ch.encode_utf16(&mut buf));
                                }
                                None => u.push(val as u16),
                            }
                        } else {
                            let mut val: u32 = 0;
                            for k in 0..4 {
                                match cs.get(i + k).and_then(|&c| hex(c)) {
                                    Some(d) => val = val * 16 + d,
                                    None => return Err("Invalid Unicode escape sequence".into()),
                                }
                            }
                            i += 4;
                            u.push(val as u16);
                        }
                    }
                    '\r' => {
                        if cs.get(i) == Some(&'\n') {
                            i += 1;
                        }
                    }
                    '\n' | '\u{2028}' | '\u{2029}' => {}
                    other => {
                        let mut buf = [0u16; 2];
                        u.extend_from_slice(other.encode_utf16(&mut buf));
                    }
                }
            }
            other => {
                let mut buf = [0u16; 2];
                u.extend_from_slice(other.encode_utf16(&mut buf));
            }
        }
    }
    Ok(String::from_utf16_lossy(&u))
}

/// `subject.replace(needle, repl)` (first occurrence) or with a global regex of the
/// literal needle (`all`), including the `$` patterns of a replacement string.
fn js_replace(subject: &str, needle: &str, repl: &str, all: bool) -> String {
    if needle.is_empty() {
        return subject.to_string();
    }
    let mut out = String::with_capacity(subject.len());
    let mut last = 0;
    for (pos, _) in subject.match_indices(needle) {
        out.push_str(&subject[last..pos]);
        let after = &subject[pos + needle.len()..];
        let mut it = repl.chars().peekable();
        while let Some(c) = it.next() {
            if c == '$' {
                match it.peek() {
                    Some('$') => {
                        out.push('$');
                        it.next();
                    }
                    Some('&') => {
                        out.push_str(needle);
                        it.next();
                    }
                    Some('`') => {
                        out.push_str(&subject[..pos]);
                        it.next();
                    }
                    Some('\'') => {
                        out.push_str(after);
                        it.next();
                    }
                    _ => out.push('$'),
                }
            } else {
                out.push(c);
            }
        }
        last = pos + needle.len();
        if !all {
            break;
        }
    }
    out.push_str(&subject[last..]);
    out
}

fn js_pad(s: &str, target: f64, fill: &str, at_start: bool) -> String {
    let len = utf16_len(s);
    let t = if target.is_nan() {
        0.0
    } else {
        target.trunc().max(0.0)
    };
    // Beyond the maximum string length JavaScript throws a RangeError; leave the value alone.
    if t <= len as f64 || fill.is_empty() || t > 536_870_888.0 {
        return s.to_string();
    }
    let need = t as usize - len;
    let fill_units: Vec<u16> = fill.encode_utf16().collect();
    let mut pad: Vec<u16> = Vec::with_capacity(need);
    while pad.len() < need {
        let take = (need - pad.len()).min(fill_units.len());
        pad.extend_from_slice(&fill_units[..take]);
    }
    let pad = String::from_utf16_lossy(&pad);
    if at_start {
        format!("{}{}", pad, s)
    } else {
        format!("{}{}", s, pad)
    }
}

// ============================================================================
// Dates (V8's Date parser, ISO output, Date.prototype.toString in UTC)
// ============================================================================

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn time_clip(t: f64) -> f64 {
    if !t.is_finite() || t.abs() > 8.64e15 {
        f64::NAN
    } else {
        t.trunc() + 0.0
    }
}

/// MakeDate(MakeDay(year, month0, day), MakeTime(h, m, s, ms))
fn make_date(year: i64, month0: i64, day: i64, h: i64, mi: i64, s: i64, ms: i64) -> f64 {
    if year.abs() > 1_000_000 {
        return f64::NAN;
    }
    let ym = year + month0.div_euclid(12);
    let mn = month0.rem_euclid(12);
    let days = days_from_civil(ym, mn + 1, 1) + day - 1;
    days as f64 * 86_400_000.0 + (h * 3_600_000 + mi * 60_000 + s * 1000 + ms) as f64
}

fn split_ms(ms: f64) -> (i64, i64, i64, i64, i64, i64, i64, i64) {
    let t = ms as i64;
    let days = t.div_euclid(86_400_000);
    let rem = t.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let weekday = (days + 4).rem_euclid(7);
    (
        y,
        m,
        d,
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
        weekday,
    )
}

/// `Date.prototype.toISOString`
fn ms_to_iso(ms: f64) -> String {
    let (y, m, d, h, mi, s, milli, _) = split_ms(ms);
    let year = if (0..=9999).contains(&y) {
        format!("{:04}", y)
    } else if y < 0 {
        format!("-{:06}", -y)
    } else {
        format!("+{:06}", y)
    };
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        year, m, d, h, mi, s, milli
    )
}

/// `Date.prototype.toString` with TZ=UTC.
fn date_to_js_string(ms: f64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d, h, mi, s, _, wd) = split_ms(ms);
    let year = if y >= 0 {
        format!("{:04}", y)
    } else {
        format!("-{:06}", -y)
    };
    format!(
        "{} {} {:02} {} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        DAYS[wd as usize % 7],
        MONTHS[(m as usize).saturating_sub(1) % 12],
        d,
        year,
        h,
        mi,
        s
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum KwType {
    Month,
    AmPm,
    TzName,
    TimeSep,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum DTok {
    Num(i64, usize),
    Sym(char),
    Word(KwType, i64, usize),
    Ws,
    Unknown,
    End,
    Invalid,
}

impl DTok {
    fn is_num(&self) -> bool {
        matches!(self, DTok::Num(..))
    }
    fn is_fixed(&self, len: usize) -> bool {
        matches!(self, DTok::Num(_, l) if *l == len)
    }
    fn num(&self) -> i64 {
        match self {
            DTok::Num(n, _) => *n,
            _ => -1,
        }
    }
    fn is_sym(&self, c: char) -> bool {
        *self == DTok::Sym(c)
    }
    fn is_sign(&self) -> bool {
        self.is_sym('+') || self.is_sym('-')
    }
    fn is_kw_z(&self) -> bool {
        matches!(self, DTok::Word(KwType::TzName, 0, 1))
    }
}

struct DateScanner {
    cs: Vec<char>,
    pos: usize,
    next: DTok,
}

impl DateScanner {
    fn new(s: &str) -> Self {
        let mut sc = DateScanner {
            cs: s.chars().collect(),
            pos: 0,
            next: DTok::End,
        };
        sc.next = sc.scan();
        sc
    }
    fn peek(&self) -> DTok {
        self.next
    }
    fn next_tok(&mut self) -> DTok {
        let t = self.next;
        self.next = self.scan();
        t
    }
    fn skip_sym(&mut self, c: char) -> bool {
        if self.next.is_sym(c) {
            self.next_tok();
            true
        } else {
            false
        }
    }
    fn scan(&mut self) -> DTok {
        let Some(&c) = self.cs.get(self.pos) else {
            return DTok::End;
        };
        if c.is_ascii_digit() {
            let start = self.pos;
            let mut n: i64 = 0;
            while let Some(d) = self.cs.get(self.pos).and_then(|c| {
                if c.is_ascii_digit() {
                    c.to_digit(10)
                } else {
                    None
                }
            }) {
                if self.pos - start < 9 {
                    n = n * 10 + i64::from(d);
                }
                self.pos += 1;
            }
            return DTok::Num(n, self.pos - start);
        }
        if matches!(c, ':' | '-' | '+' | '.' | ')') {
            self.pos += 1;
            return DTok::Sym(c);
        }
        let ws_char = |c: char| is_js_ws(c) && !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
        if c >= 'A' && !ws_char(c) {
            let mut prefix = [0u32; 3];
            let mut len = 0;
            while let Some(&w) = self.cs.get(self.pos) {
                if w < 'A' || ws_char(w) {
                    break;
                }
                if len < 3 {
                    prefix[len] = (w as u32) | 0x20;
                }
                len += 1;
                self.pos += 1;
            }
            return keyword(prefix, len);
        }
        if is_js_ws(c) {
            while self.cs.get(self.pos).is_some_and(|&c| is_js_ws(c)) {
                self.pos += 1;
            }
            return DTok::Ws;
        }
        if c == '(' {
            let mut balance = 0i64;
            loop {
                match self.cs.get(self.pos) {
                    Some(')') => balance -= 1,
                    Some('(') => balance += 1,
                    _ => {}
                }
                self.pos += 1;
                if balance <= 0 || self.pos >= self.cs.len() {
                    break;
                }
            }
            return DTok::Unknown;
        }
        self.pos += 1;
        DTok::Unknown
    }
}

fn keyword(prefix: [u32; 3], len: usize) -> DTok {
    const TABLE: &[(&str, KwType, i64)] = &[
        ("jan", KwType::Month, 1),
        ("feb", KwType::Month, 2),
        ("mar", KwType::Month, 3),
        ("apr", KwType::Month, 4),
        ("may", KwType::Month, 5),
        ("jun", KwType::Month, 6),
        ("jul", KwType::Month, 7),
        ("aug", KwType::Month, 8),
        ("sep", KwType::Month, 9),
        ("oct", KwType::Month, 10),
        ("nov", KwType::Month, 11),
        ("dec", KwType::Month, 12),
        ("am", KwType::AmPm, 0),
        ("pm", KwType::AmPm, 12),
        ("ut", KwType::TzName, 0),
        ("utc", KwType::TzName, 0),
        ("z", KwType::TzName, 0),
        ("gmt", KwType::TzName, 0),
        ("cdt", KwType::TzName, -5),
        ("cst", KwType::TzName, -6),
        ("edt", KwType::TzName, -4),
        ("est", KwType::TzName, -5),
        ("mdt", KwType::TzName, -6),
        ("mst", KwType::TzName, -7),
        ("pdt", KwType::TzName, -7),
        ("pst", KwType::TzName, -8),
        ("t", KwType::TimeSep, 0),
    ];
    for (word, ty, val) in TABLE {
        let mut p = [0u32; 3];
        for (i, c) in word.chars().enumerate() {
            p[i] = c as u32;
        }
        if p == prefix && (len <= 3 || *ty == KwType::Month) {
            return DTok::Word(*ty, *val, len);
        }
    }
    DTok::Word(KwType::Unknown, 0, len)
}

#[derive(Default)]
struct DayC {
    comp: [i64; 3],
    idx: usize,
    named_month: Option<i64>,
    iso: bool,
}

impl DayC {
    fn add(&mut self, n: i64) -> bool {
        if self.idx < 3 {
            self.comp[self.idx] = n;
            self.idx += 1;
            true
        } else {
            false
        }
    }
    fn write(&mut self) -> Option<(i64, i64, i64)> {
        if self.idx < 1 {
            return None;
        }
        while self.idx < 3 {
            self.comp[self.idx] = 1;
            self.idx += 1;
        }
        let is_day = |x: i64| (1..=31).contains(&x);
        let (mut year, month, day);
        match self.named_month {
            None => {
                if self.iso || !is_day(self.comp[0]) {
                    year = self.comp[0];
                    month = self.comp[1];
                    day = self.comp[2];
                } else {
                    month = self.comp[0];
                    day = self.comp[1];
                    year = self.comp[2];
                }
            }
            Some(nm) => {
                month = nm;
                if !is_day(self.comp[0]) {
                    year = self.comp[0];
                    day = self.comp[1];
                } else {
                    day = self.comp[0];
                    year = self.comp[1];
                }
            }
        }
        if !self.iso {
            if (0..=49).contains(&year) {
                year += 2000;
            } else if (50..=99).contains(&year) {
                year += 1900;
            }
        }
        if !(1..=12).contains(&month) || !is_day(day) {
            return None;
        }
        Some((year, month - 1, day))
    }
}

#[derive(Default)]
struct TimeC {
    comp: [i64; 4],
    idx: usize,
    hour_offset: Option<i64>,
}

impl TimeC {
    fn is_empty(&self) -> bool {
        self.idx == 0
    }
    fn add(&mut self, n: i64) -> bool {
        if self.idx < 4 {
            self.comp[self.idx] = n;
            self.idx += 1;
            true
        } else {
            false
        }
    }
    fn add_final(&mut self, n: i64) -> bool {
        if !self.add(n) {
            return false;
        }
        while self.idx < 4 {
            self.comp[self.idx] = 0;
            self.idx += 1;
        }
        true
    }
    fn is_expecting(&self, n: i64) -> bool {
        (self.idx == 1 && (0..=59).contains(&n))
            || (self.idx == 2 && (0..=59).contains(&n))
            || (self.idx == 3 && (0..=999).contains(&n))
    }
    fn write(&mut self) -> Option<(i64, i64, i64, i64)> {
        while self.idx < 4 {
            self.comp[self.idx] = 0;
            self.idx += 1;
        }
        let [mut h, m, s, ms] = self.comp;
        if let Some(off) = self.hour_offset {
            if !(0..=12).contains(&h) {
                return None;
            }
            h %= 12;
            h += off;
        }
        let ok = (0..=23).contains(&h)
            && (0..=59).contains(&m)
            && (0..=59).contains(&s)
            && (0..=999).contains(&ms);
        if !ok && (h != 24 || m != 0 || s != 0 || ms != 0) {
            return None;
        }
        Some((h, m, s, ms))
    }
}

#[derive(Default)]
struct TzC {
    sign: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
}

impl TzC {
    fn set(&mut self, off: i64) {
        self.sign = Some(if off < 0 { -1 } else { 1 });
        self.hour = Some(off.abs());
        self.minute = Some(0);
    }
    fn is_expecting(&self, n: i64) -> bool {
        self.hour.is_some() && self.minute.is_none() && (0..=59).contains(&n)
    }
    fn is_utc(&self) -> bool {
        self.hour == Some(0) && self.minute == Some(0)
    }
    fn is_empty(&self) -> bool {
        self.sign.is_none() && self.hour.is_none()
    }
    /// offset in seconds; `None` = local time (UTC here)
    fn write(&self) -> Option<i64> {
        let sign = self.sign?;
        Some(sign * (self.hour.unwrap_or(0) * 3600 + self.minute.unwrap_or(0) * 60))
    }
}

fn read_milliseconds(t: DTok) -> i64 {
    let DTok::Num(mut n, len) = t else { return -1 };
    if len == 1 {
        n *= 100;
    } else if len == 2 {
        n *= 10;
    } else if len > 3 {
        let mut l = len.min(9);
        let mut factor = 1;
        while l > 3 {
            factor *= 10;
            l -= 1;
        }
        n /= factor;
    }
    n
}

fn parse_es5(sc: &mut DateScanner, day: &mut DayC, time: &mut TimeC, tz: &mut TzC) -> DTok {
    if sc.peek().is_sign() {
        let sign_tok = sc.next_tok();
        if !sc.peek().is_fixed(6) {
            return sign_tok;
        }
        let sign = if sign_tok.is_sym('-') { -1 } else { 1 };
        let year = sc.next_tok().num();
        if sign < 0 && year == 0 {
            return sign_tok;
        }
        day.add(sign * year);
    } else if sc.peek().is_fixed(4) {
        let y = sc.next_tok().num();
        day.add(y);
    } else {
        return sc.next_tok();
    }
    if sc.skip_sym('-') {
        if !sc.peek().is_fixed(2) || !(1..=12).contains(&sc.peek().num()) {
            return sc.next_tok();
        }
        let m = sc.next_tok().num();
        day.add(m);
        if sc.skip_sym('-') {
            if !sc.peek().is_fixed(2) || !(1..=31).contains(&sc.peek().num()) {
                return sc.next_tok();
            }
            let d = sc.next_tok().num();
            day.add(d);
        }
    }
    if !matches!(sc.peek(), DTok::Word(KwType::TimeSep, _, _)) {
        if sc.peek() != DTok::End {
            return sc.next_tok();
        }
    } else {
        sc.next_tok();
        if !sc.peek().is_fixed(2) || !(0..=24).contains(&sc.peek().num()) {
            return DTok::Invalid;
        }
        let hour_is_24 = sc.peek().num() == 24;
        let h = sc.next_tok().num();
        time.add(h);
        if !sc.skip_sym(':') {
            return DTok::Invalid;
        }
        if !sc.peek().is_fixed(2)
            || !(0..=59).contains(&sc.peek().num())
            || (hour_is_24 && sc.peek().num() > 0)
        {
            return DTok::Invalid;
        }
        let m = sc.next_tok().num();
        time.add(m);
        if sc.skip_sym(':') {
            if !sc.peek().is_fixed(2)
                || !(0..=59).contains(&sc.peek().num())
                || (hour_is_24 && sc.peek().num() > 0)
            {
                return DTok::Invalid;
            }
            let s = sc.next_tok().num();
            time.add(s);
            if sc.skip_sym('.') {
                if !sc.peek().is_num() || (hour_is_24 && sc.peek().num() > 0) {
                    return DTok::Invalid;
                }
                let t = sc.next_tok();
                time.add(read_milliseconds(t));
            }
        }
        if sc.peek().is_kw_z() {
            sc.next_tok();
            tz.set(0);
        } else if sc.peek().is_sign() {
            tz.sign = Some(if sc.next_tok().is_sym('+') { 1 } else { -1 });
            if sc.peek().is_fixed(4) {
                let hm = sc.next_tok().num();
                let (hh, mm) = (hm / 100, hm % 100);
                if !(0..=23).contains(&hh) || !(0..=59).contains(&mm) {
                    return DTok::Invalid;
                }
                tz.hour = Some(hh);
                tz.minute = Some(mm);
            } else {
                if !sc.peek().is_fixed(2) || !(0..=23).contains(&sc.peek().num()) {
                    return DTok::Invalid;
                }
                tz.hour = Some(sc.next_tok().num());
                if !sc.skip_sym(':') {
                    return DTok::Invalid;
                }
                if !sc.peek().is_fixed(2) || !(0..=59).contains(&sc.peek().num()) {
                    return DTok::Invalid;
                }
                tz.minute = Some(sc.next_tok().num());
            }
        }
        if sc.peek() != DTok::End {
            return DTok::Invalid;
        }
    }
    if tz.is_empty() && time.is_empty() {
        tz.set(0);
    }
    day.iso = true;
    DTok::End
}

/// `Date.parse(s)` as V8 implements it (ES5 ISO format, then the legacy parser), TZ=UTC.
fn parse_date(s: &str) -> Option<f64> {
    let mut sc = DateScanner::new(s);
    let mut day = DayC::default();
    let mut time = TimeC::default();
    let mut tz = TzC::default();
    let mut token = parse_es5(&mut sc, &mut day, &mut time, &mut tz);
    if token == DTok::Invalid {
        return None;
    }
    let mut has_read_number = day.idx > 0;
    while token != DTok::End {
        match token {
            DTok::Num(n, _) => {
                has_read_number = true;
                if sc.skip_sym(':') {
                    if sc.skip_sym(':') {
                        if !time.is_empty() {
                            return None;
                        }
                        time.add(n);
                        time.add(0);
                    } else {
                        if !time.add(n) {
                            return None;
                        }
                        if sc.peek().is_sym('.') {
                            sc.next_tok();
                        }
                    }
                } else if sc.peek().is_sym('.') && {
                    sc.next_tok();
                    time.is_expecting(n)
                } {
                    time.add(n);
                    if !sc.peek().is_num() {
                        return None;
                    }
                    let ms = read_milliseconds(sc.next_tok());
                    if ms < 0 {
                        return None;
                    }
                    time.add_final(ms);
                } else if tz.is_expecting(n) {
                    tz.minute = Some(n);
                } else if time.is_expecting(n) {
                    time.add_final(n);
                    let p = sc.peek();
                    if !(p == DTok::End || p == DTok::Ws || p.is_kw_z() || p.is_sign()) {
                        return None;
                    }
                } else {
                    if !day.add(n) {
                        return None;
                    }
                    sc.skip_sym('-');
                }
            }
            DTok::Word(ty, val, _) => {
                if ty == KwType::AmPm && !time.is_empty() {
                    time.hour_offset = Some(val);
                } else if ty == KwType::Month {
                    day.named_month = Some(val);
                    sc.skip_sym('-');
                } else if ty == KwType::TzName && has_read_number {
                    tz.set(val);
                } else {
                    if has_read_number {
                        return None;
                    }
                    if sc.peek().is_num() {
                        return None;
                    }
                }
            }
            t if t.is_sign() && (tz.is_utc() || !time.is_empty()) => {
                tz.sign = Some(if t.is_sym('+') { 1 } else { -1 });
                let (mut n, mut len) = (0, 0);
                if sc.peek().is_num() {
                    if let DTok::Num(a, b) = sc.next_tok() {
                        n = a;
                        len = b;
                    }
                }
                has_read_number = true;
                if sc.peek().is_sym(':') {
                    tz.hour = Some(n);
                    tz.minute = None;
                } else if len == 1 || len == 2 {
                    tz.hour = Some(n);
                    tz.minute = Some(0);
                } else if len == 3 || len == 4 {
                    tz.hour = Some(n / 100);
                    tz.minute = Some(n % 100);
                } else {
                    return None;
                }
            }
            t if (t.is_sign() || t.is_sym(')')) && has_read_number => return None,
            _ => {}
        }
        token = sc.next_tok();
    }
    let (y, m0, d) = day.write()?;
    let (h, mi, s, ms) = time.write()?;
    let mut t = make_date(y, m0, d, h, mi, s, ms);
    if let Some(off) = tz.write() {
        t -= off as f64 * 1000.0;
    }
    let t = time_clip(t);
    if t.is_nan() {
        None
    } else {
        Some(t)
    }
}

/// `new Date(value.length && !isNaN(+value) ? +value : value)` (the `date|convert` rule).
fn js_new_date_from(v: &Value) -> f64 {
    let len_truthy = match v {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) if !is_date(v) => o.get("length").is_some_and(truthy),
        _ => false,
    };
    if len_truthy {
        let n = js_to_number(v);
        if !n.is_nan() {
            return time_clip(n);
        }
    }
    match v {
        Value::Number(_) | Value::Bool(_) | Value::Null => time_clip(js_to_number(v)),
        Value::Object(_) if is_date(v) => date_ms(v).unwrap_or(f64::NAN),
        _ => parse_date(&js_to_string(v))
            .map(time_clip)
            .unwrap_or(f64::NAN),
    }
}

// ============================================================================
// JavaScript regular expressions on top of the `regex` crate
// ============================================================================

/// A compiled JavaScript RegExp (`test` only). Leading lookaheads of a pattern
/// anchored at the start (`^(?=.*\d)...`) are evaluated as separate anchored
/// matches; other lookarounds and backreferences are not supported.
#[derive(Debug, Clone)]
struct JsRe {
    pre: Vec<(Regex, bool)>,
    main: Regex,
    /// non-unicode mode: the pattern works on UTF-16 code units
    units: bool,
}

impl JsRe {
    fn test(&self, s: &str) -> bool {
        let mapped;
        let s = if self.units && s.chars().any(|c| (c as u32) > 0xFFFF) {
            mapped = to_units(s);
            mapped.as_str()
        } else {
            s
        };
        self.pre.iter().all(|(r, neg)| r.is_match(s) != *neg) && self.main.is_match(s)
    }
}

const WS_CLASS: &str =
    "\\t\\n\\x{B}\\x{C}\\r\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";
const NEVER: &str = "[^\\x{0}-\\x{10FFFF}]";

/// UTF-16 code units D800..DFFF are represented by these private-use characters, so
/// that non-unicode patterns can match (and count) the halves of astral characters.
const STANDIN: u32 = 0x10_0000;

fn unit_char(u: u32) -> u32 {
    if (0xD800..0xE000).contains(&u) {
        STANDIN + (u - 0xD800)
    } else {
        u
    }
}

/// the surrogate unit a stand-in character represents
fn standin_unit(c: char) -> u32 {
    let c = c as u32;
    if (STANDIN..STANDIN + 0x800).contains(&c) {
        0xD800 + (c - STANDIN)
    } else {
        c
    }
}

/// A string as UTF-16 code units (astral characters become two stand-ins).
fn to_units(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if (c as u32) > 0xFFFF {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                out.push(char::from_u32(unit_char(u32::from(*u))).unwrap_or('\u{FFFD}'));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn lit(c: u32) -> String {
    let c = unit_char(c);
    match char::from_u32(c) {
        Some(ch) if ch.is_ascii_alphanumeric() => ch.to_string(),
        Some(_) => format!("\\x{{{:X}}}", c),
        None => NEVER.to_string(),
    }
}

enum ClassItem {
    Ch(u32),
    Set(String),
}

struct ReParser {
    c: Vec<char>,
    i: usize,
    unicode: bool,
    dot_all: bool,
    ncaps: usize,
    named: bool,
    pre: Vec<(String, bool)>,
    in_prefix: bool,
    anchored_prefix: bool,
    unsupported: Option<&'static str>,
}

impl ReParser {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<char> {
        self.c.get(self.i + k).copied()
    }

    /// `{n}`, `{n,}` or `{n,m}` starting at `at` → (min, max, length)
    fn brace_quant(&self, at: usize) -> Option<(u64, Option<u64>, usize)> {
        let c = &self.c;
        if c.get(at) != Some(&'{') {
            return None;
        }
        let mut j = at + 1;
        let read = |j: &mut usize| -> Option<u64> {
            let s = *j;
            let mut v: u64 = 0;
            while let Some(d) = c.get(*j).and_then(|c| c.to_digit(10)) {
                v = v.saturating_mul(10).saturating_add(u64::from(d));
                *j += 1;
            }
            if *j == s {
                None
            } else {
                Some(v)
            }
        };
        let min = read(&mut j)?;
        let max = if c.get(j) == Some(&',') {
            j += 1;
            if c.get(j) == Some(&'}') {
                None
            } else {
                Some(read(&mut j)?)
            }
        } else {
            Some(min)
        };
        if c.get(j) != Some(&'}') {
            return None;
        }
        Some((min, max, j + 1 - at))
    }

    fn is_quantifier_here(&self) -> bool {
        matches!(self.peek(), Some('*' | '+' | '?')) || self.brace_quant(self.i).is_some()
    }

    fn disjunction(&mut self, depth: usize) -> Result<(String, usize), String> {
        if depth > 200 {
            return Err("regular expression too large".into());
        }
        let mut alts = vec![self.alternative(depth)?];
        while self.peek() == Some('|') {
            self.i += 1;
            self.in_prefix = false;
            alts.push(self.alternative(depth)?);
        }
        let n = alts.len();
        Ok((alts.join("|"), n))
    }

    fn alternative(&mut self, depth: usize) -> Result<String, String> {
        let mut out = String::new();
        loop {
            match self.peek() {
                None | Some('|') => break,
                Some(')') => {
                    if depth > 0 {
                        break;
                    }
                    return Err("Unmatched ')'".into());
                }
                _ => {}
            }
            let (atom, quantifiable) = self.term(depth)?;
            if self.is_quantifier_here() {
                if !quantifiable {
                    return Err("Nothing to repeat".into());
                }
                let q = match self.peek() {
                    Some(c @ ('*' | '+' | '?')) => {
                        self.i += 1;
                        c.to_string()
                    }
                    _ => {
                        let Some((min, max, len)) = self.brace_quant(self.i) else {
                            return Err("Nothing to repeat".into());
                        };
                        self.i += len;
                        if let Some(mx) = max {
                            if mx < min {
                                return Err("numbers out of order in {} quantifier".into());
                            }
                        }
                        if min > 100_000 || max.is_some_and(|m| m > 100_000) {
                            return Err("repetition count too large".into());
                        }
                        match max {
                            None => format!("{{{},}}", min),
                            Some(m) if m == min => format!("{{{}}}", min),
                            Some(m) => format!("{{{},{}}}", min, m),
                        }
                    }
                };
                let lazy = if self.peek() == Some('?') {
                    self.i += 1;
                    "?"
                } else {
                    ""
                };
                out.push_str(&atom);
                out.push_str(&q);
                out.push_str(lazy);
            } else {
                out.push_str(&atom);
            }
        }
        Ok(out)
    }

    fn term(&mut self, depth: usize) -> Result<(String, bool), String> {
        let Some(c) = self.peek() else {
            return Err("Unexpected end".into());
        };
        self.i += 1;
        match c {
            '^' => {
                if depth == 0 && self.in_prefix {
                    self.anchored_prefix = true;
                }
                Ok(("^".into(), false))
            }
            '$' => {
                self.in_prefix = false;
                Ok(("$".into(), false))
            }
            '\\' => {
                self.in_prefix = false;
                match self.peek() {
                    Some('b') => {
                        self.i += 1;
                        Ok(("(?-u:\\b)".into(), false))
                    }
                    Some('B') => {
                        self.i += 1;
                        Ok(("(?-u:\\B)".into(), false))
                    }
                    _ => Ok((self.atom_escape()?, true)),
                }
            }
            '(' => {
                if self.peek() == Some('?') {
                    match (self.peek_at(1), self.peek_at(2)) {
                        (Some(':'), _) => {
                            self.i += 2;
                            self.in_prefix = false;
                            let (b, _) = self.disjunction(depth + 1)?;
                            self.close_group()?;
                            Ok((format!("(?:{})", b), true))
                        }
                        (Some(k @ ('=' | '!')), _) => {
                            self.i += 2;
                            let keep_prefix = depth == 0 && self.in_prefix;
                            let (b, _) = self.disjunction(depth + 1)?;
                            self.close_group()?;
                            if keep_prefix {
                                self.in_prefix = true;
                                self.pre.push((b, k == '!'));
                            } else {
                                self.unsupported = Some("lookahead");
                            }
                            Ok((String::new(), false))
                        }
                        (Some('<'), Some('=' | '!')) => {
                            self.i += 3;
                            let _ = self.disjunction(depth + 1)?;
                            self.close_group()?;
                            self.unsupported = Some("lookbehind");
                            Ok((String::new(), false))
                        }
                        (Some('<'), _) => {
                            let mut j = self.i + 2;
                            while j < self.c.len() && self.c[j] != '>' {
                                j += 1;
                            }
                            if j >= self.c.len() || j == self.i + 2 {
                                return Err("Invalid capture group name".into());
                            }
                            self.i = j + 1;
                            self.in_prefix = false;
                            let (b, _) = self.disjunction(depth + 1)?;
                            self.close_group()?;
                            Ok((format!("(?:{})", b), true))
                        }
                        _ => Err("Invalid group".into()),
                    }
                } else {
                    self.in_prefix = false;
                    let (b, _) = self.disjunction(depth + 1)?;
                    self.close_group()?;
                    Ok((format!("(?:{})", b), true))
                }
            }
            '.' => {
                self.in_prefix = false;
                Ok((
                    if self.dot_all {
                        "(?s:.)".into()
                    } else {
                        "[^\\n\\r\\x{2028}\\x{2029}]".into()
                    },
                    true,
                ))
            }
            '[' => {
                self.in_prefix = false;
                Ok((self.class()?, true))
            }
            '*' | '+' | '?' => Err("Nothing to repeat".into()),
            '{' => {
                if self.brace_quant(self.i - 1).is_some() {
                    return Err("Nothing to repeat".into());
                }
                if self.unicode {
                    return Err(if self.peek().is_some_and(|d| d.is_ascii_digit()) {
                        "Incomplete quantifier".into()
                    } else {
                        "Lone quantifier brackets".into()
                    });
                }
                self.in_prefix = false;
                Ok((lit('{' as u32), true))
            }
            '}' | ']' if self.unicode => Err("Lone quantifier brackets".into()),
            other => {
                self.in_prefix = false;
                Ok((lit(other as u32), true))
            }
        }
    }

    fn close_group(&mut self) -> Result<(), String> {
        if self.peek() == Some(')') {
            self.i += 1;
            Ok(())
        } else {
            Err("Unterminated group".into())
        }
    }

    fn hex_n(&self, at: usize, n: usize) -> Option<u32> {
        let mut v = 0;
        for k in 0..n {
            v = v * 16 + self.c.get(at + k)?.to_digit(16)?;
        }
        Some(v)
    }

    /// `\u` escapes → code point (surrogate pairs combined); the backslash and `u` are consumed.
    fn unicode_escape(&mut self) -> Option<u32> {
        if self.unicode && self.peek() == Some('{') {
            let mut j = self.i + 1;
            let mut v: u32 = 0;
            while let Some(d) = self.c.get(j).and_then(|c| c.to_digit(16)) {
                v = v.saturating_mul(16).saturating_add(d);
                j += 1;
            }
            if j > self.i + 1 && self.c.get(j) == Some(&'}') && v <= 0x10FFFF {
                self.i = j + 1;
                return Some(v);
            }
            return None;
        }
        let hi = self.hex_n(self.i, 4)?;
        self.i += 4;
        if self.unicode
            && (0xD800..0xDC00).contains(&hi)
            && self.peek() == Some('\\')
            && self.peek_at(1) == Some('u')
        {
            if let Some(lo) = self.hex_n(self.i + 2, 4) {
                if (0xDC00..0xE000).contains(&lo) {
                    self.i += 6;
                    return Some(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
                }
            }
        }
        Some(hi)
    }

    fn legacy_octal(&mut self, first: u32) -> u32 {
        let mut val = first;
        let maxlen = if first <= 3 { 3 } else { 2 };
        let mut n = 1;
        while n < maxlen {
            match self.peek().and_then(|d| d.to_digit(8)) {
                Some(d) => {
                    val = val * 8 + d;
                    self.i += 1;
                    n += 1;
                }
                None => break,
            }
        }
        val
    }

    /// After a backslash outside a class.
    /// The stricter escape grammar of unicode-mode (`u`/`v` flag) patterns.
    fn check_unicode_escape(&self, e: char, in_class: bool) -> Result<(), String> {
        let next = self.peek();
        let ok = match e {
            'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'f' | 'n' | 'r' | 't' | 'v' | 'p' | 'P' => true,
            'b' => true,
            'B' => !in_class,
            '-' => in_class,
            '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|'
            | '/' => true,
            'c' => {
                if !next.is_some_and(|l| l.is_ascii_alphabetic()) {
                    return Err("Invalid Unicode escape".into());
                }
                true
            }
            '0' => {
                if next.is_some_and(|d| d.is_ascii_digit()) {
                    return Err("Invalid decimal escape".into());
                }
                true
            }
            '1'..='9' => {
                if in_class {
                    false
                } else {
                    let mut j = self.i - 1;
                    let mut n: usize = 0;
                    while let Some(d) = self.c.get(j).and_then(|c| c.to_digit(10)) {
                        n = n.saturating_mul(10).saturating_add(d as usize);
                        j += 1;
                    }
                    n <= self.ncaps
                }
            }
            'x' => self.hex_n(self.i, 2).is_some(),
            'u' => {
                let braced = next == Some('{') && {
                    let mut j = self.i + 1;
                    while self.c.get(j).is_some_and(|c| c.is_ascii_hexdigit()) {
                        j += 1;
                    }
                    j > self.i + 1 && self.c.get(j) == Some(&'}')
                };
                if !(braced || self.hex_n(self.i, 4).is_some()) {
                    return Err("Invalid Unicode escape".into());
                }
                true
            }
            'k' => {
                if next != Some('<') || in_class {
                    return Err("Invalid named reference".into());
                }
                true
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err("Invalid escape".into())
        }
    }

    fn atom_escape(&mut self) -> Result<String, String> {
        let Some(e) = self.peek() else {
            return Err("\\ at end of pattern".into());
        };
        self.i += 1;
        if self.unicode {
            self.check_unicode_escape(e, false)?;
        }
        Ok(match e {
            'd' => "[0-9]".into(),
            'D' => "[^0-9]".into(),
            'w' => "[0-9A-Za-z_]".into(),
            'W' => "[^0-9A-Za-z_]".into(),
            's' => format!("[{}]", WS_CLASS),
            'S' => format!("[^{}]", WS_CLASS),
            'f' => lit(12),
            'n' => lit(10),
            'r' => lit(13),
            't' => lit(9),
            'v' => lit(11),
            'c' => match self.peek() {
                Some(l) if l.is_ascii_alphabetic() => {
                    self.i += 1;
                    lit(l as u32 % 32)
                }
                _ => lit('\\' as u32),
            },
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => lit(0),
            '0'..='9' => {
                // a backreference if the number fits the groups, else (Annex B) an octal escape
                let start = self.i - 1;
                let mut j = start;
                let mut n: usize = 0;
                while let Some(d) = self.c.get(j).and_then(|c| c.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(d as usize);
                    j += 1;
                }
                if e != '0' && n <= self.ncaps {
                    self.i = j;
                    self.unsupported = Some("backreference");
                    String::new()
                } else if e == '8' || e == '9' {
                    lit(e as u32)
                } else {
                    let v = self.legacy_octal(e as u32 - '0' as u32);
                    lit(v)
                }
            }
            'x' => match self.hex_n(self.i, 2) {
                Some(v) => {
                    self.i += 2;
                    lit(v)
                }
                None => lit('x' as u32),
            },
            'u' => {
                let save = self.i;
                match self.unicode_escape() {
                    Some(v) => lit(v),
                    None => {
                        self.i = save;
                        lit('u' as u32)
                    }
                }
            }
            'k' if self.named => {
                self.unsupported = Some("backreference");
                while let Some(c) = self.peek() {
                    self.i += 1;
                    if c == '>' {
                        break;
                    }
                }
                String::new()
            }
            'p' | 'P' if self.unicode && self.peek() == Some('{') => {
                let mut j = self.i;
                while j < self.c.len() && self.c[j] != '}' {
                    j += 1;
                }
                let body: String = self.c[self.i..j.min(self.c.len())].iter().collect();
                self.i = (j + 1).min(self.c.len());
                format!("\\{}{}}}", e, body)
            }
            other => lit(other as u32),
        })
    }

    fn class_atom(&mut self) -> Result<ClassItem, String> {
        let Some(c) = self.peek() else {
            return Err("Unterminated character class".into());
        };
        self.i += 1;
        if c != '\\' {
            return Ok(ClassItem::Ch(standin_unit(c)));
        }
        let Some(e) = self.peek() else {
            return Err("\\ at end of pattern".into());
        };
        self.i += 1;
        if self.unicode {
            self.check_unicode_escape(e, true)?;
        }
        Ok(match e {
            'b' => ClassItem::Ch(8),
            '-' => ClassItem::Ch('-' as u32),
            'd' => ClassItem::Set("0-9".into()),
            'D' => ClassItem::Set("[^0-9]".into()),
            'w' => ClassItem::Set("0-9A-Za-z_".into()),
            'W' => ClassItem::Set("[^0-9A-Za-z_]".into()),
            's' => ClassItem::Set(WS_CLASS.into()),
            'S' => ClassItem::Set(format!("[^{}]", WS_CLASS)),
            'f' => ClassItem::Ch(12),
            'n' => ClassItem::Ch(10),
            'r' => ClassItem::Ch(13),
            't' => ClassItem::Ch(9),
            'v' => ClassItem::Ch(11),
            'c' => match self.peek() {
                Some(l) if l.is_ascii_alphanumeric() || l == '_' => {
                    self.i += 1;
                    ClassItem::Ch(l as u32 % 32)
                }
                _ => {
                    self.i -= 1;
                    ClassItem::Ch('\\' as u32)
                }
            },
            '0'..='7' => {
                if e == '0' && !self.peek().is_some_and(|d| d.is_ascii_digit()) {
                    ClassItem::Ch(0)
                } else {
                    ClassItem::Ch(self.legacy_octal(e as u32 - '0' as u32))
                }
            }
            'x' => match self.hex_n(self.i, 2) {
                Some(v) => {
                    self.i += 2;
                    ClassItem::Ch(v)
                }
                None => ClassItem::Ch('x' as u32),
            },
            'u' => {
                let save = self.i;
                match self.unicode_escape() {
                    Some(v) => ClassItem::Ch(v),
                    None => {
                        self.i = save;
                        ClassItem::Ch('u' as u32)
                    }
                }
            }
            other => ClassItem::Ch(other as u32),
        })
    }

    fn class(&mut self) -> Result<String, String> {
        let negated = if self.peek() == Some('^') {
            self.i += 1;
            true
        } else {
            false
        };
        let mut parts: Vec<String> = Vec::new();
        loop {
            match self.peek() {
                None => return Err("Unterminated character class".into()),
                Some(']') => {
                    self.i += 1;
                    break;
                }
                _ => {}
            }
            let a = self.class_atom()?;
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']') {
                self.i += 1;
                let b = self.class_atom()?;
                match (a, b) {
                    (ClassItem::Ch(x), ClassItem::Ch(y)) => {
                        if x > y {
                            return Err("Range out of order in character class".into());
                        }
                        parts.push(class_range(x, y));
                    }
                    (a, b) => {
                        parts.push(item_str(a));
                        parts.push(class_char('-' as u32));
                        parts.push(item_str(b));
                    }
                }
            } else {
                parts.push(item_str(a));
            }
        }
        let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            return Ok(if negated {
                "(?s:.)".into()
            } else {
                NEVER.into()
            });
        }
        Ok(format!(
            "[{}{}]",
            if negated { "^" } else { "" },
            parts.concat()
        ))
    }
}

fn class_char(c: u32) -> String {
    let c = unit_char(c);
    let c = if char::from_u32(c).is_some() {
        c
    } else {
        0xFFFD
    };
    format!("\\x{{{:X}}}", c)
}

/// A class range over code units/points; the surrogate part maps to the stand-ins.
fn class_range(x: u32, y: u32) -> String {
    let mut out = String::new();
    if x <= 0xD7FF {
        out.push_str(&format!("{}-{}", class_char(x), class_char(y.min(0xD7FF))));
    }
    if x <= 0xDFFF && y >= 0xD800 {
        out.push_str(&format!(
            "{}-{}",
            class_char(x.max(0xD800)),
            class_char(y.min(0xDFFF))
        ));
    }
    if y >= 0xE000 {
        out.push_str(&format!("{}-{}", class_char(x.max(0xE000)), class_char(y)));
    }
    out
}

fn item_str(i: ClassItem) -> String {
    match i {
        ClassItem::Ch(c) => class_char(c),
        ClassItem::Set(s) => s,
    }
}

/// Counts capturing groups and tells whether named groups exist.
fn count_groups(c: &[char]) -> (usize, bool) {
    let (mut n, mut named, mut in_class, mut i) = (0, false, false, 0);
    while i < c.len() {
        match c[i] {
            '\\' => i += 1,
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class => {
                if c.get(i + 1) != Some(&'?') {
                    n += 1;
                } else if c.get(i + 2) == Some(&'<') && !matches!(c.get(i + 3), Some('=' | '!')) {
                    n += 1;
                    named = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (n, named)
}

fn check_flags(flags: &str) -> Result<(), String> {
    let mut seen = String::new();
    for f in flags.chars() {
        if !"dgimsuvy".contains(f) || seen.contains(f) {
            return Err(format!(
                "Invalid flags supplied to RegExp constructor '{}'",
                flags
            ));
        }
        seen.push(f);
    }
    if seen.contains('u') && seen.contains('v') {
        return Err(format!(
            "Invalid flags supplied to RegExp constructor '{}'",
            flags
        ));
    }
    Ok(())
}

/// `new RegExp(source, flags)`
fn compile_js_regex(source: &str, flags: &str) -> Result<JsRe, String> {
    check_flags(flags)?;
    let fail = |why: &str| format!("Invalid regular expression: /{}/{}: {}", source, flags, why);
    let unicode = flags.contains('u') || flags.contains('v');
    let chars: Vec<char> = if unicode {
        source.chars().collect()
    } else {
        to_units(source).chars().collect()
    };
    let (ncaps, named) = count_groups(&chars);
    let mut p = ReParser {
        c: chars,
        i: 0,
        unicode,
        dot_all: flags.contains('s'),
        ncaps,
        named,
        pre: Vec::new(),
        in_prefix: true,
        anchored_prefix: false,
        unsupported: None,
    };
    let (body, nalts) = p.disjunction(0).map_err(|e| fail(&e))?;
    if p.i < p.c.len() {
        return Err(fail("Unmatched ')'"));
    }
    let sticky = flags.contains('y');
    let multiline = flags.contains('m');
    if let Some(what) = p.unsupported {
        return Err(fail(&format!("{} is not supported", what)));
    }
    if !p.pre.is_empty() && (nalts > 1 || !(sticky || (p.anchored_prefix && !multiline))) {
        return Err(fail("lookahead is not supported"));
    }
    let mut prefix = String::new();
    if flags.contains('i') {
        prefix.push_str("(?i)");
    }
    if multiline {
        prefix.push_str("(?m)");
    }
    let main_src = if sticky {
        format!("{}\\A(?:{})", prefix, body)
    } else {
        format!("{}(?:{})", prefix, body)
    };
    let main = Regex::new(&main_src).map_err(|e| fail(&e.to_string()))?;
    let mut pre = Vec::new();
    for (b, neg) in p.pre {
        let r = Regex::new(&format!("{}\\A(?:{})", prefix, b)).map_err(|e| fail(&e.to_string()))?;
        pre.push((r, neg));
    }
    Ok(JsRe {
        pre,
        main,
        units: !unicode,
    })
}

/// `RegExp.prototype.toString` (V8's escaping of `source`).
fn regexp_to_string(source: &str, flags: &str) -> String {
    let mut out = String::from("/");
    if source.is_empty() {
        out.push_str("(?:)");
    }
    let cs: Vec<char> = source.chars().collect();
    let mut in_class = false;
    let mut i = 0;
    let is_lt = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let esc_lt = |c: char| match c {
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\u{2028}' => "\\u2028".to_string(),
        _ => "\\u2029".to_string(),
    };
    while i < cs.len() {
        let c = cs[i];
        if c == '\\' {
            if let Some(&n) = cs.get(i + 1) {
                if is_lt(n) {
                    out.push_str(&esc_lt(n));
                } else {
                    out.push('\\');
                    out.push(n);
                }
                i += 2;
                continue;
            }
            out.push('\\');
        } else if c == '/' && !in_class {
            out.push_str("\\/");
        } else if is_lt(c) {
            out.push_str(&esc_lt(c));
        } else {
            if c == '[' {
                in_class = true;
            } else if c == ']' {
                in_class = false;
            }
            out.push(c);
        }
        i += 1;
    }
    out.push('/');
    for f in "dgimsuvy".chars() {
        if flags.contains(f) {
            out.push(f);
        }
    }
    out
}

fn builtin_re(
    cell: &'static OnceLock<Option<JsRe>>,
    src: &str,
    flags: &str,
) -> Option<&'static JsRe> {
    cell.get_or_init(|| compile_js_regex(src, flags).ok())
        .as_ref()
}

fn builtin_test(cell: &'static OnceLock<Option<JsRe>>, src: &str, flags: &str, s: &str) -> bool {
    builtin_re(cell, src, flags).is_some_and(|r| r.test(s))
}

static RE_NUMERIC: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_ALPHA: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_ALPHANUM: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_ALPHADASH: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_HEX: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_BASE64: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_EMAIL_BASIC: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_EMAIL_PRECISE: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_URL: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_UUID: OnceLock<Option<JsRe>> = OnceLock::new();
static RE_MAC: OnceLock<Option<JsRe>> = OnceLock::new();

const SRC_NUMERIC: &str = r"^-?[0-9]\d*(\.\d+)?$";
const SRC_ALPHA: &str = r"^[a-zA-Z]+$";
const SRC_ALPHANUM: &str = r"^[a-zA-Z0-9]+$";
const SRC_ALPHADASH: &str = r"^[a-zA-Z0-9_-]+$";
const SRC_HEX: &str = r"^[0-9a-fA-F]+$";
const SRC_BASE64: &str = r"^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+/]{3}=)?$";
const SRC_EMAIL_BASIC: &str = r"^\S+@\S+\.\S+$";
const SRC_EMAIL_PRECISE: &str = r#"^(([^<>()[\]\\.,;:\s@"]+(\.[^<>()[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$"#;
const SRC_URL: &str = r"^https?:\/\/\S+";
const SRC_UUID: &str = r"^([0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}|[0]{8}-[0]{4}-[0]{4}-[0]{4}-[0]{12})$";
const SRC_MAC: &str = r"^((([a-f0-9][a-f0-9]+[-]){5}|([a-f0-9][a-f0-9]+[:]){5})([a-f0-9][a-f0-9])$)|(^([a-f0-9][a-f0-9][a-f0-9][a-f0-9]+[.]){2}([a-f0-9][a-f0-9][a-f0-9][a-f0-9]))$";
const SRC_CURRENCY: &str = r"(?=.*\d)^(-?~1|~1-?)(([0-9]\d{0,2}(~2\d{3})*)|0)?(\~3\d{1,2})?$";

// ============================================================================
// Schema resolution (fastest-validator's getRuleFromSchema / resolveType / parseShortHand)
// ============================================================================

const RULE_NAMES: [&str; 23] = [
    "any",
    "array",
    "boolean",
    "class",
    "custom",
    "currency",
    "date",
    "email",
    "enum",
    "equal",
    "forbidden",
    "function",
    "multi",
    "number",
    "object",
    "objectID",
    "record",
    "string",
    "tuple",
    "url",
    "uuid",
    "mac",
    "luhn",
];

/// Names found on `Object.prototype`: `this.aliases[name]` is truthy for them, which
/// deletes `type` and ends in "Invalid 'undefined' type".
const PROTO_NAMES: [&str; 12] = [
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

fn is_meta_key(k: &str) -> bool {
    k.starts_with("$$")
}

fn obj(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// s3db.js's aliases (with `autoEncrypt: false`).
fn alias_for(t: &str) -> Option<Map<String, Value>> {
    match t {
        "secret" => Some(obj(&[
            ("type", Value::String("string".into())),
            (
                "messages",
                Value::Object(obj(&[
                    (
                        "string",
                        Value::String("The '{field}' field must be a string.".into()),
                    ),
                    (
                        "stringMin",
                        Value::String(
                            "This secret '{field}' field length must be at least {expected} long."
                                .into(),
                        ),
                    ),
                ])),
            ),
        ])),
        "secretAny" => Some(obj(&[("type", Value::String("any".into()))])),
        "secretNumber" => Some(obj(&[("type", Value::String("number".into()))])),
        _ if PROTO_NAMES.contains(&t) => Some(Map::new()),
        _ => None,
    }
}

/// `String(schema.type)` / the property key used for the rule lookup.
fn prop_key(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(v) => js_to_string(v),
    }
}

fn js_typeof(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        _ => "object",
    }
}

/// fastest-validator's `deepExtend(destination, source, { skipIfExist })`.
fn deep_extend(
    dest: &mut Map<String, Value>,
    src: &Map<String, Value>,
    skip_if_exist: bool,
) -> Result<(), String> {
    for (k, sv) in src {
        match sv {
            Value::Object(so) if !so.is_empty() => {
                let slot = dest.get(k);
                let usable = matches!(slot, Some(Value::Object(_)));
                if !usable {
                    match slot {
                        Some(v) if truthy(v) => {
                            if matches!(v, Value::Array(_)) {
                                // JS would hang the properties on the array; nothing reads them
                                continue;
                            }
                            let first = so.keys().next().cloned().unwrap_or_default();
                            return Err(format!(
                                "Cannot create property '{}' on {} '{}'",
                                first,
                                js_typeof(v),
                                js_to_string(v)
                            ));
                        }
                        _ => {
                            dest.insert(k.clone(), Value::Object(Map::new()));
                        }
                    }
                }
                if let Some(Value::Object(d)) = dest.get_mut(k) {
                    deep_extend(d, so, skip_if_exist)?;
                }
            }
            _ => {
                if skip_if_exist && dest.contains_key(k) {
                    continue;
                }
                dest.insert(k.clone(), sv.clone());
            }
        }
    }
    Ok(())
}

fn parse_shorthand(s: &str) -> Result<Map<String, Value>, String> {
    let parts: Vec<&str> = s.split('|').map(js_trim).collect();
    let t = parts.first().copied().unwrap_or("");
    let mut schema = if let Some(inner) = t.strip_suffix("[]") {
        let m = obj(&[
            ("type", Value::String("array".into())),
            ("items", Value::String(inner.into())),
        ]);
        resolve(&Value::Object(m))?
    } else {
        obj(&[("type", Value::String(t.into()))])
    };
    for p in parts.iter().skip(1) {
        if let Some(idx) = p.find(':') {
            let key = js_trim(&p[..idx]);
            let val = js_trim(&p[idx + 1..]);
            let value = if val == "true" {
                Value::Bool(true)
            } else if val == "false" {
                Value::Bool(false)
            } else {
                let n = str_to_number(val);
                if n.is_nan() {
                    Value::String(val.into())
                } else {
                    num_schema(n)
                }
            };
            if key != "__proto__" {
                schema.insert(key.into(), value);
            }
        } else if let Some(rest) = p.strip_prefix("no-") {
            if rest != "__proto__" {
                schema.insert(rest.into(), Value::Bool(false));
            }
        } else if *p != "__proto__" {
            schema.insert((*p).into(), Value::Bool(true));
        }
    }
    Ok(schema)
}

/// `getRuleFromSchema(schema).schema`: shorthand/array/`$$type` resolution, aliases,
/// the rule-name check and the global defaults.
fn resolve(v: &Value) -> Result<Map<String, Value>, String> {
    let _guard = DepthGuard::enter()?;
    let mut schema = match v {
        Value::String(s) => parse_shorthand(s)?,
        Value::Array(a) => {
            if a.is_empty() {
                return Err("Invalid schema.".into());
            }
            let mut m = obj(&[
                ("type", Value::String("multi".into())),
                ("rules", v.clone()),
            ]);
            let subs = a.iter().map(resolve).collect::<Result<Vec<_>, _>>()?;
            if subs
                .iter()
                .all(|r| r.get("optional") == Some(&Value::Bool(true)))
            {
                m.insert("optional".into(), Value::Bool(true));
            }
            if subs
                .iter()
                .all(|r| r.get("nullable") == Some(&Value::Bool(true)))
            {
                m.insert("nullable".into(), Value::Bool(true));
            }
            m
        }
        Value::Object(o) => o.clone(),
        Value::Null => return Err("Cannot read properties of null (reading '$$type')".into()),
        _ => Map::new(),
    };
    if let Some(t) = schema.get("$$type").cloned() {
        if truthy(&t) {
            let other = resolve(&t)?;
            schema.shift_remove("$$type");
            let props = std::mem::take(&mut schema);
            deep_extend(&mut schema, &other, true)?;
            schema.insert("props".into(), Value::Object(props));
        }
    }
    let tk = prop_key(schema.get("type"));
    if let Some(alias) = alias_for(&tk) {
        schema.shift_remove("type");
        deep_extend(&mut schema, &alias, true)?;
    }
    let tk = prop_key(schema.get("type"));
    if !RULE_NAMES.contains(&tk.as_str()) {
        return Err(format!("Invalid '{}' type in validator schema.", tk));
    }
    match tk.as_str() {
        "string" => deep_extend(&mut schema, &obj(&[("trim", Value::Bool(true))]), true)?,
        "object" => deep_extend(
            &mut schema,
            &obj(&[("strict", Value::String("remove".into()))]),
            true,
        )?,
        _ => {}
    }
    Ok(schema)
}

// ============================================================================
// Compiled rules
// ============================================================================

#[derive(Debug, Clone)]
struct NumParam {
    num: f64,
    is_bool: bool,
    exp: Exp,
}

#[derive(Debug, Clone)]
enum Sanitizer {
    Trim,
    TrimLeft,
    TrimRight,
    PadStart(f64, String),
    PadEnd(f64, String),
    Lower,
    Upper,
}

#[derive(Debug, Clone)]
struct StringRule {
    convert: bool,
    sanitizers: Vec<Sanitizer>,
    empty: Option<bool>,
    min: Option<NumParam>,
    max: Option<NumParam>,
    length: Option<NumParam>,
    pattern: Option<(JsRe, Exp)>,
    contains: Option<String>,
    enum_: Option<(Vec<Value>, Exp)>,
    numeric: bool,
    alpha: bool,
    alphanum: bool,
    alphadash: bool,
    hex: bool,
    single_line: bool,
    base64: bool,
}

#[derive(Debug, Clone)]
struct NumberRule {
    convert: bool,
    min: Option<NumParam>,
    max: Option<NumParam>,
    equal: Option<NumParam>,
    not_equal: Option<NumParam>,
    integer: bool,
    positive: bool,
    negative: bool,
}

#[derive(Debug, Clone)]
struct ArrayRule {
    convert: bool,
    empty_false: bool,
    min: Option<NumParam>,
    max: Option<NumParam>,
    length: Option<NumParam>,
    contains: Option<Value>,
    unique: bool,
    enum_: Option<(Vec<Value>, Exp)>,
    items: Option<Rule>,
}

#[derive(Debug, Clone)]
enum Strict {
    Off,
    Remove,
    Error(Exp),
}

#[derive(Debug, Clone)]
struct ObjectRule {
    has_props: bool,
    props: Vec<(String, Rule)>,
    allowed: Vec<String>,
    strict: Strict,
    min_props: Option<NumParam>,
    max_props: Option<NumParam>,
}

#[derive(Debug, Clone)]
struct EmailRule {
    empty: bool,
    normalize: bool,
    precise: bool,
    min: Option<NumParam>,
    max: Option<NumParam>,
}

#[derive(Debug, Clone)]
enum EqualMode {
    Field(String, Exp),
    Value(Option<Value>, Option<Exp>),
}

#[derive(Debug, Clone)]
enum Kind {
    Any,
    Array(Box<ArrayRule>),
    Boolean {
        convert: bool,
    },
    Currency(Box<JsRe>),
    Date {
        convert: bool,
    },
    Email(Box<EmailRule>),
    Enum {
        values: Vec<Value>,
        expected: Exp,
    },
    Equal {
        mode: EqualMode,
        strict: bool,
    },
    Forbidden {
        remove: bool,
    },
    Function,
    Luhn,
    Mac,
    Multi(Vec<Rule>),
    Number(Box<NumberRule>),
    Object(Box<ObjectRule>),
    Record(Box<(Rule, Rule)>),
    String(Box<StringRule>),
    Tuple {
        empty_false: bool,
        empty_not_false: bool,
        items: Option<Vec<Rule>>,
    },
    Url {
        empty: bool,
    },
    Uuid {
        version: Option<(f64, Exp)>,
    },
}

#[derive(Debug, Clone)]
struct Rule {
    kind: Kind,
    skip_undef: bool,
    skip_null: bool,
    default: Option<Value>,
    msgs: Msgs,
    /// the rule's `label` (only read for object properties)
    label: Option<String>,
    /// the rule reads `parent` (equal with `field`, possibly through multi/array/tuple)
    needs_parent: bool,
}

fn is_true(s: &Map<String, Value>, k: &str) -> bool {
    s.get(k) == Some(&Value::Bool(true))
}
fn is_false(s: &Map<String, Value>, k: &str) -> bool {
    s.get(k) == Some(&Value::Bool(false))
}
fn truthy_key(s: &Map<String, Value>, k: &str) -> bool {
    s.get(k).is_some_and(truthy)
}
fn present<'a>(s: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    s.get(k).filter(|v| !v.is_null())
}

fn bad_param(key: &str, v: &Value) -> String {
    format!(
        "Invalid '{}' value '{}' in validator schema.",
        key,
        js_to_string(v)
    )
}

/// A numeric rule parameter that fastest-validator pastes into generated code.
fn num_param(s: &Map<String, Value>, key: &str) -> Result<Option<NumParam>, String> {
    let Some(v) = present(s, key) else {
        return Ok(None);
    };
    if let Value::Bool(b) = v {
        return Ok(Some(NumParam {
            num: f64::from(u8::from(*b)),
            is_bool: true,
            exp: Exp::of(v.clone()),
        }));
    }
    if let Some(f) = as_num(v) {
        let json = if v.is_number() {
            v.clone()
        } else {
            Value::Null
        };
        return Ok(Some(NumParam {
            num: f,
            is_bool: false,
            exp: Exp {
                json,
                disp: js_num_str(f),
            },
        }));
    }
    if let Value::String(st) = v {
        let f = str_to_number(st);
        if !f.is_nan() {
            return Ok(Some(NumParam {
                num: f,
                is_bool: false,
                exp: Exp {
                    json: num_json(f),
                    disp: js_num_str(f),
                },
            }));
        }
    }
    Err(bad_param(key, v))
}

fn build_msgs(m: Option<&Value>, base: Msgs) -> Result<Msgs, String> {
    let Some(Value::Object(o)) = m else {
        return Ok(base);
    };
    if o.is_empty() {
        return Ok(base);
    }
    let mut map: BTreeMap<String, String> = base.map(|b| (*b).clone()).unwrap_or_default();
    for (k, v) in o {
        let text = js_to_string(v);
        map.insert(k.clone(), eval_js_string_literal(&text)?);
    }
    Ok(Some(Arc::new(map)))
}

/// `'"' + text + '"'` pasted into code.
fn quoted(text: &str) -> Result<Exp, String> {
    Ok(Exp::text(eval_js_string_literal(text)?))
}

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Bounds the recursion over (pathologically) deep schemas; JavaScript would throw
/// a RangeError much later, Rust would overflow its stack.
struct DepthGuard;

impl DepthGuard {
    fn enter() -> Result<DepthGuard, String> {
        let d = DEPTH.with(|c| {
            let d = c.get() + 1;
            c.set(d);
            d
        });
        let guard = DepthGuard;
        if d > 256 {
            return Err("Maximum call stack size exceeded".into());
        }
        Ok(guard)
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

fn build(v: &Value, label_ctx: bool) -> Result<Rule, String> {
    let _guard = DepthGuard::enter()?;
    let s = resolve(v)?;
    let label = if label_ctx {
        match s.get("label") {
            Some(l) if truthy(l) => match l {
                Value::String(x) => Some(x.clone()),
                _ => return Err("str.replace is not a function".into()),
            },
            _ => None,
        }
    } else {
        None
    };
    compile_schema(&s, label)
}

fn compile_schema(s: &Map<String, Value>, label: Option<String>) -> Result<Rule, String> {
    let tk = prop_key(s.get("type"));
    let msgs = build_msgs(s.get("messages"), None)?;
    let optional = is_true(s, "optional");
    let nullable = is_true(s, "nullable");
    let forbidden = s.get("type") == Some(&Value::String("forbidden".into()));
    let default = present(s, "default").map(json_literal);
    let mut skip_undef = optional || forbidden;
    let mut skip_null = optional || nullable || forbidden;
    if default.is_some() {
        skip_undef = false;
        if !nullable {
            skip_null = false;
        }
    }
    let kind = match tk.as_str() {
        "any" | "custom" => Kind::Any,
        "array" => compile_array(s)?,
        "boolean" => Kind::Boolean {
            convert: is_true(s, "convert"),
        },
        "class" => {
            return Err(match s.get("instanceOf") {
                None => "Cannot read properties of undefined (reading 'name')".into(),
                Some(Value::Null) => "Cannot read properties of null (reading 'name')".into(),
                Some(_) => "Right-hand side of 'instanceof' is not callable".into(),
            })
        }
        "currency" => compile_currency(s)?,
        "date" => Kind::Date {
            convert: is_true(s, "convert"),
        },
        "email" => Kind::Email(Box::new(EmailRule {
            empty: truthy_key(s, "empty"),
            normalize: truthy_key(s, "normalize"),
            precise: s.get("mode") == Some(&Value::String("precise".into())),
            min: num_param(s, "min")?,
            max: num_param(s, "max")?,
        })),
        "enum" => {
            let values = match s.get("values") {
                None => return Err("Cannot read properties of undefined (reading 'join')".into()),
                Some(Value::Null) => {
                    return Err("Cannot read properties of null (reading 'join')".into())
                }
                Some(Value::Array(a)) => a,
                Some(_) => return Err("schema.values.join is not a function".into()),
            };
            Kind::Enum {
                values: values.iter().map(json_literal).collect(),
                expected: quoted(&js_join(values, ", "))?,
            }
        }
        "equal" => {
            let strict = truthy_key(s, "strict");
            let mode = match s.get("field") {
                Some(f) if truthy(f) => {
                    let key = eval_js_string_literal(&js_to_string(f))?;
                    EqualMode::Field(key, Exp::of(json_literal(f)))
                }
                _ => match s.get("value") {
                    None => EqualMode::Value(None, None),
                    Some(v) => {
                        let lv = json_literal(v);
                        EqualMode::Value(Some(lv.clone()), Some(Exp::of(lv)))
                    }
                },
            };
            Kind::Equal { mode, strict }
        }
        "forbidden" => Kind::Forbidden {
            remove: truthy_key(s, "remove"),
        },
        "function" => Kind::Function,
        "luhn" => Kind::Luhn,
        "mac" => Kind::Mac,
        "multi" => {
            let rules: Vec<Value> = match s.get("rules") {
                None => return Err("Cannot read properties of undefined (reading 'length')".into()),
                Some(Value::Null) => {
                    return Err("Cannot read properties of null (reading 'length')".into())
                }
                Some(Value::Array(a)) => a.clone(),
                Some(Value::String(st)) => {
                    st.chars().map(|c| Value::String(c.to_string())).collect()
                }
                Some(_) => Vec::new(),
            };
            Kind::Multi(
                rules
                    .iter()
                    .map(|r| build(r, false))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        }
        "number" => Kind::Number(Box::new(NumberRule {
            convert: is_true(s, "convert"),
            min: num_param(s, "min")?,
            max: num_param(s, "max")?,
            equal: num_param(s, "equal")?,
            not_equal: num_param(s, "notEqual")?,
            integer: is_true(s, "integer"),
            positive: is_true(s, "positive"),
            negative: is_true(s, "negative"),
        })),
        "object" => compile_object(s)?,
        "objectID" => return Err("Cannot read properties of undefined (reading 'isValid')".into()),
        "record" => {
            let key_v = s
                .get("key")
                .filter(|v| truthy(v))
                .cloned()
                .unwrap_or(Value::String("string".into()));
            let val_v = s
                .get("value")
                .filter(|v| truthy(v))
                .cloned()
                .unwrap_or(Value::String("any".into()));
            let mut key_rule = build(&key_v, false)?;
            // string messages of the key rule say "key" instead of "field"
            let mut patched: BTreeMap<String, String> =
                key_rule.msgs.as_deref().cloned().unwrap_or_default();
            for (k, _) in MESSAGES {
                if k.starts_with("string") && !patched.contains_key(*k) {
                    patched.insert((*k).to_string(), message_for(&None, k));
                }
            }
            for (k, v) in patched.iter_mut() {
                if k.starts_with("string") {
                    *v = v.replacen(" field ", " key ", 1);
                }
            }
            key_rule.msgs = Some(Arc::new(patched));
            let value_rule = build(&val_v, false)?;
            Kind::Record(Box::new((key_rule, value_rule)))
        }
        "string" => compile_string(s)?,
        "tuple" => {
            let items = match present(s, "items") {
                None => None,
                Some(Value::Array(a)) if a.is_empty() => {
                    return Err(format!(
                        "Invalid '{}' schema. The 'items' field must not be an empty array.",
                        tk
                    ))
                }
                Some(Value::Array(a)) => Some(a.iter().map(|r| build(r, false)).collect::<Result<
                    Vec<_>,
                    _,
                >>(
                )?),
                Some(_) => {
                    return Err(format!(
                        "Invalid '{}' schema. The 'items' field must be an array.",
                        tk
                    ))
                }
            };
            Kind::Tuple {
                empty_false: is_false(s, "empty"),
                empty_not_false: !is_false(s, "empty"),
                items,
            }
        }
        "url" => Kind::Url {
            empty: truthy_key(s, "empty"),
        },
        "uuid" => {
            let version = match present(s, "version") {
                None => None,
                Some(v) => {
                    let pi = js_parse_int(&js_to_string(v));
                    if pi < 9.0 {
                        let f = match v {
                            Value::Number(_) => as_num(v).unwrap_or(f64::NAN),
                            Value::String(st) => str_to_number(st),
                            _ => f64::NAN,
                        };
                        if f.is_nan() {
                            return Err(bad_param("version", v));
                        }
                        Some((
                            f,
                            Exp {
                                json: num_json(f),
                                disp: js_num_str(f),
                            },
                        ))
                    } else {
                        None
                    }
                }
            };
            Kind::Uuid { version }
        }
        _ => return Err(format!("Invalid '{}' type in validator schema.", tk)),
    };
    let needs_parent = match &kind {
        Kind::Equal {
            mode: EqualMode::Field(..),
            ..
        } => true,
        Kind::Multi(alts) => alts.iter().any(|r| r.needs_parent),
        Kind::Array(a) => a.items.as_ref().is_some_and(|r| r.needs_parent),
        Kind::Tuple {
            items: Some(items), ..
        } => items.iter().any(|r| r.needs_parent),
        _ => false,
    };
    Ok(Rule {
        kind,
        skip_undef,
        skip_null,
        default,
        msgs,
        label,
        needs_parent,
    })
}

fn enum_list(s: &Map<String, Value>) -> Result<Option<(Vec<Value>, Exp)>, String> {
    match present(s, "enum") {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some((
            a.iter().map(json_literal).collect(),
            quoted(&js_join(a, ", "))?,
        ))),
        Some(_) => Err("schema.enum.join is not a function".into()),
    }
}

fn compile_array(s: &Map<String, Value>) -> Result<Kind, String> {
    let min = num_param(s, "min")?;
    let max = num_param(s, "max")?;
    let length = num_param(s, "length")?;
    let contains = present(s, "contains").map(json_literal);
    let enum_ = enum_list(s)?;
    let items = match present(s, "items") {
        Some(it) => Some(build(it, false)?),
        None => None,
    };
    Ok(Kind::Array(Box::new(ArrayRule {
        convert: is_true(s, "convert"),
        empty_false: is_false(s, "empty"),
        min,
        max,
        length,
        contains,
        unique: is_true(s, "unique"),
        enum_,
        items,
    })))
}

fn pad_fill(s: &Map<String, Value>) -> String {
    match present(s, "padChar") {
        Some(v) => js_to_string(&json_literal(v)),
        None => " ".into(),
    }
}

fn compile_string(s: &Map<String, Value>) -> Result<Kind, String> {
    let mut sanitizers = Vec::new();
    if truthy_key(s, "trim") {
        sanitizers.push(Sanitizer::Trim);
    }
    if truthy_key(s, "trimLeft") {
        sanitizers.push(Sanitizer::TrimLeft);
    }
    if truthy_key(s, "trimRight") {
        sanitizers.push(Sanitizer::TrimRight);
    }
    if truthy_key(s, "padStart") {
        let n = num_param(s, "padStart")?.map(|p| p.num).unwrap_or(0.0);
        sanitizers.push(Sanitizer::PadStart(n, pad_fill(s)));
    }
    if truthy_key(s, "padEnd") {
        let n = num_param(s, "padEnd")?.map(|p| p.num).unwrap_or(0.0);
        sanitizers.push(Sanitizer::PadEnd(n, pad_fill(s)));
    }
    if truthy_key(s, "lowercase") {
        sanitizers.push(Sanitizer::Lower);
    }
    if truthy_key(s, "uppercase") {
        sanitizers.push(Sanitizer::Upper);
    }
    if truthy_key(s, "localeLowercase") {
        sanitizers.push(Sanitizer::Lower);
    }
    if truthy_key(s, "localeUppercase") {
        sanitizers.push(Sanitizer::Upper);
    }
    let empty = match s.get("empty") {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    let min = num_param(s, "min")?;
    let max = num_param(s, "max")?;
    let length = num_param(s, "length")?;
    let pattern = match present(s, "pattern") {
        None => None,
        Some(Value::String(src)) => {
            let flags = match s.get("patternFlags") {
                None => String::new(),
                Some(f) => js_to_string(f),
            };
            check_flags(&flags)?;
            let re = compile_js_regex(src, &flags)?;
            let text = regexp_to_string(src, &flags).replace('"', "\\\"");
            Some((re, quoted(&text)?))
        }
        Some(other) => {
            // `${pattern}.test(value)` in generated code
            let text = js_to_string(other);
            return Err(
                if other.is_number() && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                    "Invalid or unexpected token".into()
                } else {
                    format!("{}.test is not a function", text)
                },
            );
        }
    };
    let contains = match present(s, "contains") {
        None => None,
        Some(v) => Some(eval_js_string_literal(&js_to_string(v))?),
    };
    let enum_ = enum_list(s)?;
    Ok(Kind::String(Box::new(StringRule {
        convert: is_true(s, "convert"),
        sanitizers,
        empty,
        min,
        max,
        length,
        pattern,
        contains,
        enum_,
        numeric: is_true(s, "numeric"),
        alpha: is_true(s, "alpha"),
        alphanum: is_true(s, "alphanum"),
        alphadash: is_true(s, "alphadash"),
        hex: is_true(s, "hex"),
        single_line: is_true(s, "singleLine"),
        base64: is_true(s, "base64"),
    })))
}

fn compile_currency(s: &Map<String, Value>) -> Result<Kind, String> {
    let symbol = s
        .get("currencySymbol")
        .filter(|v| truthy(v))
        .map(js_to_string);
    let thousand = s
        .get("thousandSeparator")
        .filter(|v| truthy(v))
        .map(js_to_string)
        .unwrap_or_else(|| ",".into());
    let decimal = s
        .get("decimalSeparator")
        .filter(|v| truthy(v))
        .map(js_to_string)
        .unwrap_or_else(|| ".".into());
    let mandatory = !truthy_key(s, "symbolOptional");
    if let Some(custom) = s.get("customRegex").filter(|v| truthy(v)) {
        // pasted into code as a regex literal
        let text = js_to_string(custom);
        let re = text
            .strip_prefix('/')
            .and_then(|rest| rest.rfind('/').map(|i| (&rest[..i], &rest[i + 1..])))
            .ok_or_else(|| format!("Unsupported customRegex '{}' in validator schema.", text))?;
        return Ok(Kind::Currency(Box::new(compile_js_regex(re.0, re.1)?)));
    }
    let sym = match &symbol {
        Some(sy) => format!("\\{}{}", sy, if mandatory { "" } else { "?" }),
        None => String::new(),
    };
    let src = js_replace(SRC_CURRENCY, "~1", &sym, true);
    let src = js_replace(&src, "~2", &thousand, false);
    let src = js_replace(&src, "~3", &decimal, false);
    Ok(Kind::Currency(Box::new(compile_js_regex(&src, "")?)))
}

fn compile_object(s: &Map<String, Value>) -> Result<Kind, String> {
    let sub = match s.get("properties") {
        Some(v) if truthy(v) => Some(v),
        _ => s.get("props").filter(|v| truthy(v)),
    };
    let entries: Vec<(String, Value)> = match sub {
        None => Vec::new(),
        Some(Value::Object(o)) => o.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v.clone()))
            .collect(),
        Some(Value::String(st)) => st
            .chars()
            .enumerate()
            .map(|(i, c)| (i.to_string(), Value::String(c.to_string())))
            .collect(),
        Some(_) => Vec::new(),
    };
    let has_props = sub.is_some();
    let mut props = Vec::new();
    for (k, v) in &entries {
        if is_meta_key(k) {
            continue;
        }
        props.push((k.clone(), build(v, true)?));
    }
    let allowed: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
    let strict = if !has_props {
        Strict::Off
    } else {
        match s.get("strict") {
            Some(Value::String(m)) if m == "remove" => Strict::Remove,
            Some(v) if truthy(v) => Strict::Error(quoted(&allowed.join(", "))?),
            _ => Strict::Off,
        }
    };
    Ok(Kind::Object(Box::new(ObjectRule {
        has_props,
        props,
        allowed,
        strict,
        min_props: num_param(s, "minProps")?,
        max_props: num_param(s, "maxProps")?,
    })))
}

// ============================================================================
// Validation
// ============================================================================

/// Where a value is checked: the field/label the `required` wrapper reports
/// (`wrap_*`) and the ones passed to the rule itself.
struct At<'a> {
    wrap_field: &'a str,
    field: &'a str,
    wrap_label: Option<&'a str>,
    label: Option<&'a str>,
}

/// What a rule function returned.
enum Ret {
    /// the input (a container keeps its identity; primitives may have been replaced)
    Same,
    /// a new value
    New,
    /// `undefined`
    Undef,
}

type Parent<'a> = Option<&'a Map<String, Value>>;

/// `errors.push(makeError(...))` bound to a rule's messages, field and label.
type ErrFn<'a> = &'a dyn Fn(&mut Vec<Pending>, &str, Option<Exp>, Option<Value>);

/// The `required`/`optional`/`default` wrapper around a rule (`wrapRequiredCheckSourceCode`).
/// Returns the value to store (`None` = undefined) and whether it is the same container.
fn check(
    rule: &Rule,
    value: Option<Value>,
    at: &At,
    parent: Parent,
    errors: &mut Vec<Pending>,
) -> (Option<Value>, bool) {
    match value {
        None => {
            if rule.skip_undef {
                (None, true)
            } else if let Some(d) = &rule.default {
                (Some(d.clone()), false)
            } else {
                errors.push(pend(
                    &rule.msgs,
                    "required",
                    at.wrap_field,
                    at.wrap_label,
                    None,
                    None,
                ));
                (None, true)
            }
        }
        Some(Value::Null) => {
            if rule.skip_null {
                (Some(Value::Null), true)
            } else if let Some(d) = &rule.default {
                (Some(d.clone()), false)
            } else {
                errors.push(pend(
                    &rule.msgs,
                    "required",
                    at.wrap_field,
                    at.wrap_label,
                    None,
                    Some(Value::Null),
                ));
                (Some(Value::Null), true)
            }
        }
        Some(mut v) => match run(rule, &mut v, at.field, at.label, parent, errors) {
            Ret::Same => (Some(v), true),
            Ret::New => (Some(v), false),
            Ret::Undef => (None, false),
        },
    }
}

fn sub_field(parent_field: &str, name: &str) -> String {
    if parent_field.is_empty() {
        return name.to_string();
    }
    let mut cs = name.chars();
    let ident = cs
        .next()
        .is_some_and(|c| c == '_' || c == '$' || c.is_ascii_alphabetic())
        && cs.all(|c| c == '_' || c == '$' || c.is_ascii_alphanumeric());
    if ident {
        format!("{}.{}", parent_field, name)
    } else {
        format!("{}['{}']", parent_field, name)
    }
}

fn run(
    rule: &Rule,
    v: &mut Value,
    field: &str,
    label: Option<&str>,
    parent: Parent,
    errors: &mut Vec<Pending>,
) -> Ret {
    let msgs = &rule.msgs;
    let err =
        |errors: &mut Vec<Pending>, kind: &str, expected: Option<Exp>, actual: Option<Value>| {
            errors.push(pend(msgs, kind, field, label, expected, actual));
        };
    match &rule.kind {
        Kind::Any => Ret::Same,
        Kind::Function => {
            err(errors, "function", None, Some(v.clone()));
            Ret::Same
        }
        Kind::Forbidden { remove } => {
            if *remove {
                Ret::Undef
            } else {
                err(errors, "forbidden", None, Some(v.clone()));
                Ret::Same
            }
        }
        Kind::Boolean { convert } => {
            let orig = v.clone();
            if *convert && !v.is_boolean() {
                let t = match &*v {
                    Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
                    Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
                    Value::String(s) if matches!(s.as_str(), "true" | "1" | "on") => Some(true),
                    Value::String(s) if matches!(s.as_str(), "false" | "0" | "off") => Some(false),
                    _ => None,
                };
                if let Some(b) = t {
                    *v = Value::Bool(b);
                }
            }
            if !v.is_boolean() {
                err(errors, "boolean", None, Some(orig));
            }
            Ret::Same
        }
        Kind::Number(n) => run_number(n, v, errors, &err),
        Kind::String(s) => run_string(s, v, errors, &err),
        Kind::Date { convert } => {
            let orig = v.clone();
            let mut ret = Ret::Same;
            if *convert && !is_date(v) {
                *v = date_value(js_new_date_from(v));
                ret = Ret::New;
            }
            if !(is_date(v) && date_ms(v).is_some()) {
                err(errors, "date", None, Some(orig));
            }
            ret
        }
        Kind::Email(e) => {
            let Value::String(s) = &*v else {
                err(errors, "string", None, Some(v.clone()));
                return Ret::Same;
            };
            if s.is_empty() {
                if !e.empty {
                    err(errors, "emailEmpty", None, Some(v.clone()));
                }
                return Ret::Same;
            }
            let val = if e.normalize {
                js_trim(s).to_lowercase()
            } else {
                s.clone()
            };
            let len = utf16_len(&val) as f64;
            if let Some(p) = &e.min {
                if len < p.num {
                    err(errors, "emailMin", Some(p.exp.clone()), Some(num_json(len)));
                }
            }
            if let Some(p) = &e.max {
                if len > p.num {
                    err(errors, "emailMax", Some(p.exp.clone()), Some(num_json(len)));
                }
            }
            let ok = if e.precise {
                builtin_test(&RE_EMAIL_PRECISE, SRC_EMAIL_PRECISE, "", &val)
            } else {
                builtin_test(&RE_EMAIL_BASIC, SRC_EMAIL_BASIC, "", &val)
            };
            if !ok {
                err(errors, "email", None, Some(Value::String(val.clone())));
            }
            *v = Value::String(val);
            Ret::Same
        }
        Kind::Url { empty } => {
            let Value::String(s) = &*v else {
                err(errors, "string", None, Some(v.clone()));
                return Ret::Same;
            };
            if s.is_empty() {
                if !*empty {
                    err(errors, "urlEmpty", None, Some(v.clone()));
                }
                return Ret::Same;
            }
            if !builtin_test(&RE_URL, SRC_URL, "", s) {
                err(errors, "url", None, Some(v.clone()));
            }
            Ret::Same
        }
        Kind::Uuid { version } => {
            let Value::String(s) = &*v else {
                err(errors, "string", None, Some(v.clone()));
                return Ret::Same;
            };
            let val = s.to_lowercase();
            if !builtin_test(&RE_UUID, SRC_UUID, "i", &val) {
                err(errors, "uuid", None, Some(v.clone()));
                return Ret::Same;
            }
            let vb = val.as_bytes();
            let ver = vb.get(14).map_or(0, |c| i64::from(c.wrapping_sub(b'0')));
            if let Some((want, exp)) = version {
                if *want != ver as f64 {
                    err(
                        errors,
                        "uuidVersion",
                        Some(exp.clone()),
                        Some(Value::from(ver)),
                    );
                    return Ret::Same;
                }
            }
            if matches!(ver, 3 | 4 | 5 | 7 | 8)
                && !matches!(vb.get(19), Some(b'8' | b'9' | b'a' | b'b'))
            {
                err(errors, "uuid", None, Some(v.clone()));
            }
            Ret::Same
        }
        Kind::Mac => {
            let Value::String(s) = &*v else {
                err(errors, "string", None, Some(v.clone()));
                return Ret::Same;
            };
            if !builtin_test(&RE_MAC, SRC_MAC, "i", &s.to_lowercase()) {
                err(errors, "mac", None, Some(v.clone()));
            }
            Ret::Same
        }
        Kind::Luhn => {
            let Value::String(s) = &*v else {
                err(errors, "string", None, Some(v.clone()));
                return Ret::Same;
            };
            const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
            let digits: Vec<u32> = s
                .chars()
                .filter_map(|c| {
                    if c.is_ascii_digit() {
                        c.to_digit(10)
                    } else {
                        None
                    }
                })
                .collect();
            let (mut bit, mut sum) = (1u32, 0u32);
            for d in digits.iter().rev() {
                bit ^= 1;
                sum += if bit == 0 {
                    *d
                } else {
                    DOUBLED[*d as usize % 10]
                };
            }
            if !(sum % 10 == 0 && sum > 0) {
                err(errors, "luhn", None, Some(v.clone()));
            }
            Ret::Same
        }
        Kind::Currency(re) => {
            // fastest-validator calls value.match() without a type check (a TypeError in JS
            // for non-strings); reported here as a currency error
            let ok = matches!(&*v, Value::String(s) if re.test(s));
            if !ok {
                err(errors, "currency", None, Some(v.clone()));
            }
            Ret::Same
        }
        Kind::Enum { values, expected } => {
            if !values.iter().any(|e| strict_eq(v, e)) {
                err(errors, "enumValue", Some(expected.clone()), Some(v.clone()));
            }
            Ret::Same
        }
        Kind::Equal { mode, strict } => {
            match mode {
                EqualMode::Field(name, exp) => {
                    let other = parent.and_then(|p| p.get(name));
                    let eq = if *strict {
                        other.is_some_and(|o| strict_eq(v, o))
                    } else {
                        loose_eq(v, other)
                    };
                    if !eq {
                        err(errors, "equalField", Some(exp.clone()), Some(v.clone()));
                    }
                }
                EqualMode::Value(val, exp) => {
                    let eq = if *strict {
                        val.as_ref().is_some_and(|o| strict_eq(v, o))
                    } else {
                        loose_eq(v, val.as_ref())
                    };
                    if !eq {
                        err(errors, "equalValue", exp.clone(), Some(v.clone()));
                    }
                }
            }
            Ret::Same
        }
        Kind::Multi(alts) => run_multi(alts, v, field, label, parent, errors),
        Kind::Array(a) => run_array(a, rule, v, field, label, parent, errors),
        Kind::Tuple {
            empty_false,
            empty_not_false,
            items,
        } => {
            let Value::Array(arr) = v else {
                err(errors, "tuple", None, Some(v.clone()));
                return Ret::Same;
            };
            let len = arr.len();
            if *empty_false && len == 0 {
                err(errors, "tupleEmpty", None, Some(Value::Array(Vec::new())));
                return Ret::Same;
            }
            if let Some(items) = items {
                if *empty_not_false && len == 0 {
                    return Ret::Same;
                }
                if len != items.len() {
                    err(
                        errors,
                        "tupleLength",
                        Some(Exp::of(Value::from(items.len()))),
                        Some(Value::from(len)),
                    );
                    return Ret::Same;
                }
                for (i, item_rule) in items.iter().enumerate() {
                    let f = format!("{}[{}]", field, i);
                    let cur = std::mem::take(&mut arr[i]);
                    let at = At {
                        wrap_field: field,
                        field: &f,
                        wrap_label: label,
                        label: None,
                    };
                    let (out, _) = check(item_rule, Some(cur), &at, parent, errors);
                    arr[i] = out.unwrap_or(Value::Null);
                }
            }
            Ret::Same
        }
        Kind::Object(o) => run_object(o, rule, v, field, label, errors),
        Kind::Record(kv) => {
            let Value::Object(map) = &*v else {
                err(errors, "record", None, Some(v.clone()));
                return Ret::Same;
            };
            let entries: Vec<(String, Value)> = if is_date(v) {
                Vec::new()
            } else {
                map.iter().map(|(k, x)| (k.clone(), x.clone())).collect()
            };
            let mut result = Map::new();
            for (k, x) in entries {
                let f = if field.is_empty() {
                    k.clone()
                } else {
                    format!("{}.{}", field, k)
                };
                let at = At {
                    wrap_field: field,
                    field: &f,
                    wrap_label: label,
                    label: None,
                };
                let (sk, _) = check(&kv.0, Some(Value::String(k)), &at, Some(map), errors);
                let (sv, _) = check(&kv.1, Some(x), &at, Some(map), errors);
                let key = match sk {
                    None => "undefined".to_string(),
                    Some(kv) => js_to_string(&kv),
                };
                match sv {
                    Some(val) => {
                        result.insert(key, val);
                    }
                    None => {
                        result.shift_remove(&key);
                    }
                }
            }
            *v = Value::Object(result);
            Ret::New
        }
    }
}

fn run_number(n: &NumberRule, v: &mut Value, errors: &mut Vec<Pending>, err: ErrFn) -> Ret {
    let orig = v.clone();
    let mut ret = Ret::Same;
    let f = if let Value::Number(x) = &*v {
        x.as_f64().unwrap_or(f64::NAN)
    } else if n.convert {
        let f = js_to_number(v);
        *v = num_json(f);
        ret = Ret::New;
        f
    } else {
        err(errors, "number", None, Some(orig));
        return ret;
    };
    if !f.is_finite() {
        err(errors, "number", None, Some(orig));
        return ret;
    }
    if let Some(p) = &n.min {
        if f < p.num {
            err(errors, "numberMin", Some(p.exp.clone()), Some(orig.clone()));
        }
    }
    if let Some(p) = &n.max {
        if f > p.num {
            err(errors, "numberMax", Some(p.exp.clone()), Some(orig.clone()));
        }
    }
    if let Some(p) = &n.equal {
        if p.is_bool || f != p.num {
            err(
                errors,
                "numberEqual",
                Some(p.exp.clone()),
                Some(orig.clone()),
            );
        }
    }
    if let Some(p) = &n.not_equal {
        if !p.is_bool && f == p.num {
            err(
                errors,
                "numberNotEqual",
                Some(p.exp.clone()),
                Some(orig.clone()),
            );
        }
    }
    if n.integer && f.fract() != 0.0 {
        err(errors, "numberInteger", None, Some(orig.clone()));
    }
    if n.positive && f <= 0.0 {
        err(errors, "numberPositive", None, Some(orig.clone()));
    }
    if n.negative && f >= 0.0 {
        err(errors, "numberNegative", None, Some(orig));
    }
    ret
}

fn run_string(s: &StringRule, v: &mut Value, errors: &mut Vec<Pending>, err: ErrFn) -> Ret {
    let mut ret = Ret::Same;
    if s.convert && !v.is_string() {
        *v = Value::String(js_to_string(v));
        ret = Ret::New;
    }
    let Value::String(orig) = &*v else {
        err(errors, "string", None, Some(v.clone()));
        return ret;
    };
    let orig_value = Value::String(orig.clone());
    let mut val = orig.clone();
    for san in &s.sanitizers {
        val = match san {
            Sanitizer::Trim => js_trim(&val).to_string(),
            Sanitizer::TrimLeft => val.trim_start_matches(is_js_ws).to_string(),
            Sanitizer::TrimRight => val.trim_end_matches(is_js_ws).to_string(),
            Sanitizer::PadStart(n, fill) => js_pad(&val, *n, fill, true),
            Sanitizer::PadEnd(n, fill) => js_pad(&val, *n, fill, false),
            Sanitizer::Lower => val.to_lowercase(),
            Sanitizer::Upper => val.to_uppercase(),
        };
    }
    let len = utf16_len(&val);
    let lenf = len as f64;
    if len == 0 {
        match s.empty {
            Some(false) => err(
                errors,
                "stringEmpty",
                None,
                Some(Value::String(val.clone())),
            ),
            Some(true) => {
                *v = Value::String(val);
                return ret;
            }
            None => {}
        }
    }
    if let Some(p) = &s.min {
        if lenf < p.num {
            err(
                errors,
                "stringMin",
                Some(p.exp.clone()),
                Some(Value::from(len)),
            );
        }
    }
    if let Some(p) = &s.max {
        if lenf > p.num {
            err(
                errors,
                "stringMax",
                Some(p.exp.clone()),
                Some(Value::from(len)),
            );
        }
    }
    if let Some(p) = &s.length {
        if p.is_bool || lenf != p.num {
            err(
                errors,
                "stringLength",
                Some(p.exp.clone()),
                Some(Value::from(len)),
            );
        }
    }
    if let Some((re, exp)) = &s.pattern {
        if !re.test(&val) {
            err(
                errors,
                "stringPattern",
                Some(exp.clone()),
                Some(orig_value.clone()),
            );
        }
    }
    if let Some(c) = &s.contains {
        if !val.contains(c.as_str()) {
            err(
                errors,
                "stringContains",
                Some(Exp::text(c.clone())),
                Some(orig_value.clone()),
            );
        }
    }
    if let Some((vals, exp)) = &s.enum_ {
        let sv = Value::String(val.clone());
        if !vals.iter().any(|e| strict_eq(&sv, e)) {
            err(
                errors,
                "stringEnum",
                Some(exp.clone()),
                Some(orig_value.clone()),
            );
        }
    }
    let checks: [(bool, &'static OnceLock<Option<JsRe>>, &str, &str); 4] = [
        (s.numeric, &RE_NUMERIC, SRC_NUMERIC, "stringNumeric"),
        (s.alpha, &RE_ALPHA, SRC_ALPHA, "stringAlpha"),
        (s.alphanum, &RE_ALPHANUM, SRC_ALPHANUM, "stringAlphanum"),
        (s.alphadash, &RE_ALPHADASH, SRC_ALPHADASH, "stringAlphadash"),
    ];
    for (on, cell, src, kind) in checks {
        if on && !builtin_test(cell, src, "", &val) {
            err(errors, kind, None, Some(orig_value.clone()));
        }
    }
    if s.hex && (!len.is_multiple_of(2) || !builtin_test(&RE_HEX, SRC_HEX, "", &val)) {
        err(errors, "stringHex", None, Some(orig_value.clone()));
    }
    if s.single_line && val.contains('\n') {
        err(errors, "stringSingleLine", None, None);
    }
    if s.base64 && !builtin_test(&RE_BASE64, SRC_BASE64, "", &val) {
        err(errors, "stringBase64", None, Some(orig_value));
    }
    *v = Value::String(val);
    ret
}

fn run_multi(
    alts: &[Rule],
    v: &mut Value,
    field: &str,
    label: Option<&str>,
    parent: Parent,
    errors: &mut Vec<Pending>,
) -> Ret {
    let container = matches!(v, Value::Array(_) | Value::Object(_));
    let mut cur = std::mem::take(v);
    let mut check_errors: Vec<Pending> = Vec::new();
    for alt in alts {
        let mut alt_errors: Vec<Pending> = Vec::new();
        let at = At {
            wrap_field: field,
            field,
            wrap_label: label,
            label: None,
        };
        let (out, same) = check(alt, Some(cur.clone()), &at, parent, &mut alt_errors);
        if alt_errors.is_empty() {
            return match out {
                Some(nv) => {
                    *v = nv;
                    if same {
                        Ret::Same
                    } else {
                        Ret::New
                    }
                }
                None => Ret::Undef,
            };
        }
        check_errors.extend(alt_errors);
        // a failed alternative's in-place changes to the shared object/array persist
        if same && container {
            if let Some(nv) = out {
                cur = nv;
            }
        }
    }
    errors.extend(check_errors);
    *v = cur;
    Ret::Same
}

/// JS keys for `new Set()` membership of primitives.
fn prim_key(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(format!("b:{}", b)),
        Value::Number(n) => Some(format!("n:{}", js_num_str(n.as_f64().unwrap_or(f64::NAN)))),
        Value::String(s) => Some(format!("s:{}", s)),
        _ => None,
    }
}

fn run_array(
    a: &ArrayRule,
    rule: &Rule,
    v: &mut Value,
    field: &str,
    label: Option<&str>,
    parent: Parent,
    errors: &mut Vec<Pending>,
) -> Ret {
    let msgs = &rule.msgs;
    let mut ret = Ret::Same;
    if a.convert && !v.is_array() {
        let inner = std::mem::take(v);
        *v = Value::Array(vec![inner]);
        ret = Ret::New;
    }
    let Value::Array(arr) = v else {
        errors.push(pend(msgs, "array", field, label, None, Some(v.clone())));
        return ret;
    };
    let len = arr.len();
    let lenf = len as f64;
    // errors whose `actual` is the array itself (it is a reference in JS: later item
    // sanitisation shows in them)
    let mut refers: Vec<usize> = Vec::new();
    if a.empty_false && len == 0 {
        errors.push(pend(
            msgs,
            "arrayEmpty",
            field,
            label,
            None,
            Some(Value::Array(Vec::new())),
        ));
    }
    if let Some(p) = &a.min {
        if lenf < p.num {
            errors.push(pend(
                msgs,
                "arrayMin",
                field,
                label,
                Some(p.exp.clone()),
                Some(Value::from(len)),
            ));
        }
    }
    if let Some(p) = &a.max {
        if lenf > p.num {
            errors.push(pend(
                msgs,
                "arrayMax",
                field,
                label,
                Some(p.exp.clone()),
                Some(Value::from(len)),
            ));
        }
    }
    if let Some(p) = &a.length {
        if p.is_bool || lenf != p.num {
            errors.push(pend(
                msgs,
                "arrayLength",
                field,
                label,
                Some(p.exp.clone()),
                Some(Value::from(len)),
            ));
        }
    }
    if let Some(c) = &a.contains {
        if !arr.iter().any(|x| strict_eq(x, c)) {
            refers.push(errors.len());
            errors.push(pend(
                msgs,
                "arrayContains",
                field,
                label,
                Some(Exp::of(c.clone())),
                Some(Value::Null),
            ));
        }
    }
    if a.unique {
        let mut first_seen: HashMap<String, ()> = HashMap::new();
        let mut dup_seen: HashMap<String, ()> = HashMap::new();
        let mut dups: Vec<Value> = Vec::new();
        for x in arr.iter() {
            if let Some(k) = prim_key(x) {
                if first_seen.insert(k.clone(), ()).is_some() && dup_seen.insert(k, ()).is_none() {
                    dups.push(x.clone());
                }
            }
        }
        if !dups.is_empty() {
            refers.push(errors.len());
            errors.push(pend(
                msgs,
                "arrayUnique",
                field,
                label,
                Some(Exp::of(Value::Array(dups))),
                Some(Value::Null),
            ));
        }
    }
    if let Some((vals, exp)) = &a.enum_ {
        for x in arr.iter() {
            if !vals.iter().any(|e| strict_eq(x, e)) {
                errors.push(pend(
                    msgs,
                    "arrayEnum",
                    field,
                    label,
                    Some(exp.clone()),
                    Some(x.clone()),
                ));
            }
        }
    }
    if let Some(items) = &a.items {
        for (i, slot) in arr.iter_mut().enumerate() {
            let f = format!("{}[{}]", field, i);
            let cur = std::mem::take(slot);
            let at = At {
                wrap_field: field,
                field: &f,
                wrap_label: label,
                label: None,
            };
            let (out, _) = check(items, Some(cur), &at, parent, errors);
            *slot = out.unwrap_or(Value::Null);
        }
    }
    if !refers.is_empty() {
        let snapshot = Value::Array(arr.clone());
        for i in refers {
            if let Some(p) = errors.get_mut(i) {
                p.actual = Some(snapshot.clone());
            }
        }
    }
    ret
}

fn run_object(
    o: &ObjectRule,
    rule: &Rule,
    v: &mut Value,
    field: &str,
    label: Option<&str>,
    errors: &mut Vec<Pending>,
) -> Ret {
    let msgs = &rule.msgs;
    if !v.is_object() {
        errors.push(pend(msgs, "object", field, label, None, Some(v.clone())));
        return Ret::Same;
    }
    // a Date is an object without own properties
    let date = is_date(v);
    let mut scratch = Map::new();
    let map: &mut Map<String, Value> = match v {
        Value::Object(m) if !date => m,
        _ => &mut scratch,
    };
    // the generated code reuses `label` for each property; later errors of this object see the last one
    let mut cur_label: Option<&str> = label;
    if o.has_props {
        for (name, pr) in &o.props {
            let f = sub_field(field, name);
            let cur = if pr.needs_parent {
                map.get(name).cloned()
            } else {
                map.get_mut(name).map(std::mem::take)
            };
            let existed = cur.is_some();
            cur_label = pr.label.as_deref();
            let at = At {
                wrap_field: &f,
                field: &f,
                wrap_label: cur_label,
                label: cur_label,
            };
            let (out, _) = check(pr, cur, &at, Some(&*map), errors);
            match out {
                Some(nv) => {
                    map.insert(name.clone(), nv);
                }
                None => {
                    if existed {
                        map.shift_remove(name);
                    }
                }
            }
        }
        let invalid: Vec<String> = map
            .keys()
            .filter(|k| !o.allowed.contains(k))
            .cloned()
            .collect();
        if !invalid.is_empty() {
            match &o.strict {
                Strict::Off => {}
                Strict::Remove => {
                    if errors.is_empty() {
                        map.retain(|k, _| o.allowed.contains(k));
                    }
                }
                Strict::Error(exp) => {
                    errors.push(pend(
                        msgs,
                        "objectStrict",
                        field,
                        cur_label,
                        Some(exp.clone()),
                        Some(Value::String(invalid.join(", "))),
                    ));
                }
            }
        }
    }
    let count = map.len();
    if let Some(p) = &o.min_props {
        if (count as f64) < p.num {
            errors.push(pend(
                msgs,
                "objectMinProps",
                field,
                cur_label,
                Some(p.exp.clone()),
                Some(Value::from(count)),
            ));
        }
    }
    if let Some(p) = &o.max_props {
        if (count as f64) > p.num {
            errors.push(pend(
                msgs,
                "objectMaxProps",
                field,
                cur_label,
                Some(p.exp.clone()),
                Some(Value::from(count)),
            ));
        }
    }
    Ret::Same
}

// ============================================================================
// s3db.js Schema.preprocessAttributesForValidation
// ============================================================================

/// `value.$$type && value.$$type.includes(word)`
fn type_includes(t: Option<&Value>, word: &str) -> Result<bool, String> {
    match t {
        None => Ok(false),
        Some(v) if !truthy(v) => Ok(false),
        Some(Value::String(s)) => Ok(s.contains(word)),
        Some(Value::Array(a)) => Ok(a.iter().any(|x| x.as_str() == Some(word))),
        Some(_) => Err("value.$$type.includes is not a function".into()),
    }
}

fn preprocess(
    attrs: &Map<String, Value>,
    all_optional: bool,
) -> Result<Map<String, Value>, String> {
    let _guard = DepthGuard::enter()?;
    let mut out = Map::new();
    for (k, v) in attrs {
        if k == "__proto__" {
            continue;
        }
        match v {
            Value::Object(o) => {
                let required = type_includes(o.get("$$type"), "required")?;
                let optional = type_includes(o.get("$$type"), "optional")?;
                let mut cfg = Map::new();
                cfg.insert("type".into(), Value::String("object".into()));
                cfg.insert(
                    "properties".into(),
                    Value::Object(preprocess(o, all_optional)?),
                );
                cfg.insert("strict".into(), Value::Bool(false));
                if !required && (optional || all_optional) {
                    cfg.insert("optional".into(), Value::Bool(true));
                }
                out.insert(k.clone(), Value::Object(cfg));
            }
            other => {
                out.insert(k.clone(), other.clone());
            }
        }
    }
    Ok(out)
}

// ============================================================================
// Tests
// ============================================================================

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(v: Value) -> Map<String, Value> {
        v.as_object()
            .cloned()
            .expect("test attributes must be an object")
    }

    fn compile(v: Value) -> Validator {
        Validator::compile(&attrs(v), false).expect("schema compiles")
    }

    fn compile_err(v: Value) -> String {
        Validator::compile(&attrs(v), false).expect_err("schema must not compile")
    }

    /// validate `data`; returns (errors as JSON array, mutated record)
    fn run_v(v: &Validator, data: Value) -> (Value, Value) {
        let mut m = attrs(data);
        let e = v.validate(&mut m);
        (
            Value::Array(e.iter().map(ValidationError::to_json).collect()),
            Value::Object(m),
        )
    }

    fn expect_errors(v: &Validator, data: Value, expected: &str) {
        let (e, _) = run_v(v, data);
        let exp: Value = serde_json::from_str(expected).expect("expected JSON");
        assert_eq!(e, exp, "\n got: {}\nwant: {}", e, exp);
    }

    fn expect_valid(v: &Validator, data: Value, stored: Value) {
        let (e, d) = run_v(v, data);
        assert_eq!(e, json!([]), "unexpected errors");
        assert_eq!(d, stored);
    }

    fn single(rule: &str) -> Validator {
        compile(json!({ "f": rule }))
    }

    fn messages(v: &Validator, data: Value) -> Vec<String> {
        let mut m = attrs(data);
        v.validate(&mut m).into_iter().map(|e| e.message).collect()
    }

    fn kinds(v: &Validator, data: Value) -> Vec<String> {
        let mut m = attrs(data);
        v.validate(&mut m).into_iter().map(|e| e.kind).collect()
    }

    // ---------------------------------------------------------------- fixtures

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
        let nulls = json!({"name": "Di", "profile": {"address": {"city": "Kyiv", "geo": null}}, "prefs": null});
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

    // ---------------------------------------------------------------- construction errors

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
            vec![
                "The 'Full Name' field length must be greater than or equal to 3 characters long."
            ]
        );
        // the field path itself is unchanged
        let (e, _) = run_v(&v, json!({"f": "ab"}));
        assert_eq!(e[0]["field"], json!("f"));
    }

    // ---------------------------------------------------------------- mutation

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

    // ---------------------------------------------------------------- multi

    #[test]
    fn multi_types() {
        let v = single_multi(json!(["string", "number"]));
        expect_valid(&v, json!({"f": " a "}), json!({"f": "a"}));
        expect_valid(&v, json!({"f": 3}), json!({"f": 3}));
        expect_errors(
            &v,
            json!({"f": true}),
            r#"[{"type":"string","message":"The 'f' field must be a string.","field":"f","actual":true},
                {"type":"number","message":"The 'f' field must be a number.","field":"f","actual":true}]"#,
        );
        expect_errors(
            &v,
            json!({}),
            r#"[{"type":"required","message":"The 'f' field is required.","field":"f"}]"#,
        );
        assert_eq!(
            kinds(
                &single_multi(json!(["string|optional", "number|optional"])),
                json!({})
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(
                &single_multi(json!(["string|optional", "number"])),
                json!({})
            ),
            vec!["required"]
        );
        let v = single_multi(json!([{"type": "enum", "values": ["a", "b"]}]));
        expect_valid(&v, json!({"f": "a"}), json!({"f": "a"}));
        expect_errors(
            &v,
            json!({"f": "c"}),
            r#"[{"type":"enumValue","message":"The 'f' field value 'a, b' does not match any of the allowed values.","field":"f","expected":"a, b","actual":"c"}]"#,
        );
        let v = single_multi(json!(["string|min:3", {"type": "number", "positive": true}]));
        expect_errors(
            &v,
            json!({"f": -1}),
            r#"[{"type":"string","message":"The 'f' field must be a string.","field":"f","actual":-1},
                {"type":"numberPositive","message":"The 'f' field must be a positive number.","field":"f","actual":-1}]"#,
        );
    }

    fn single_multi(rules: Value) -> Validator {
        compile(json!({ "f": rules }))
    }

    #[test]
    fn multi_object_alternatives_share_in_place_changes() {
        // the first alternative trims `s` in place before failing on `n`; `any` then accepts the object
        let v = single_multi(
            json!([{"type": "object", "props": {"s": "string", "n": "number"}}, "any"]),
        );
        expect_valid(&v, json!({"f": {"s": " x "}}), json!({"f": {"s": "x"}}));
        // object-form object rules default to strict "remove"
        let v = single_multi(json!([{"type": "object", "props": {"a": "number"}}]));
        expect_valid(&v, json!({"f": {"a": 1, "b": 2}}), json!({"f": {"a": 1}}));
        let v = single_multi(json!([{"$$type": "object", "a": "number"}]));
        expect_valid(&v, json!({"f": {"a": 1, "b": 2}}), json!({"f": {"a": 1}}));
        expect_errors(
            &v,
            json!({"f": {"a": "x"}}),
            r#"[{"type":"number","message":"The 'f.a' field must be a number.","field":"f.a","actual":"x"}]"#,
        );
    }

    // ---------------------------------------------------------------- arrays

    #[test]
    fn arrays() {
        let v = single("array|items:number|min:2");
        expect_errors(
            &v,
            json!({"f": [1]}),
            r#"[{"type":"arrayMin","message":"The 'f' field must contain at least 2 items.","field":"f","expected":2,"actual":1}]"#,
        );
        expect_errors(
            &v,
            json!({"f": [1, "x"]}),
            r#"[{"type":"number","message":"The 'f[1]' field must be a number.","field":"f[1]","actual":"x"}]"#,
        );
        // a null item is reported with the array's field
        expect_errors(
            &v,
            json!({"f": [1, null]}),
            r#"[{"type":"required","message":"The 'f' field is required.","field":"f","actual":null}]"#,
        );
        expect_errors(
            &single("array"),
            json!({"f": "x"}),
            r#"[{"type":"array","message":"The 'f' field must be an array.","field":"f","actual":"x"}]"#,
        );
        expect_valid(
            &single("string[]"),
            json!({"f": [" a", "b "]}),
            json!({"f": ["a", "b"]}),
        );
        assert_eq!(
            kinds(&single("string[]"), json!({"f": [1]})),
            vec!["string"]
        );
        expect_errors(
            &single("array|max:1|length:3"),
            json!({"f": [1, 2]}),
            r#"[{"type":"arrayMax","message":"The 'f' field must contain less than or equal to 1 items.","field":"f","expected":1,"actual":2},
                {"type":"arrayLength","message":"The 'f' field must contain 3 items.","field":"f","expected":3,"actual":2}]"#,
        );
        expect_errors(
            &single("array|empty:false"),
            json!({"f": []}),
            r#"[{"type":"arrayEmpty","message":"The 'f' field must not be an empty array.","field":"f","actual":[]}]"#,
        );
        expect_errors(
            &single("array|contains:x"),
            json!({"f": ["a"]}),
            r#"[{"type":"arrayContains","message":"The 'f' field must contain the 'x' item.","field":"f","expected":"x","actual":["a"]}]"#,
        );
        expect_errors(
            &single("array|unique"),
            json!({"f": ["a", "b", "a", 1, 1, "a"]}),
            r#"[{"type":"arrayUnique","message":"The 'a,b,a,1,1,a' value in 'f' field does not unique the 'a,1' values.","field":"f","expected":["a",1],"actual":["a","b","a",1,1,"a"]}]"#,
        );
        expect_valid(
            &single("array|unique"),
            json!({"f": [{"a": 1}, {"a": 1}]}),
            json!({"f": [{"a": 1}, {"a": 1}]}),
        );
        let v = single_multi(json!([{"type": "array", "enum": ["a", "b"]}]));
        expect_errors(
            &v,
            json!({"f": ["a", "c", "d"]}),
            r#"[{"type":"arrayEnum","message":"The 'c' value in 'f' field does not match any of the 'a, b' values.","field":"f","expected":"a, b","actual":"c"},
                {"type":"arrayEnum","message":"The 'd' value in 'f' field does not match any of the 'a, b' values.","field":"f","expected":"a, b","actual":"d"}]"#,
        );
        expect_valid(
            &single("array|convert:true"),
            json!({"f": "x"}),
            json!({"f": ["x"]}),
        );
        // arrays of objects
        let v = single_multi(
            json!([{"type": "array", "items": {"type": "object", "props": {"n": "number"}}}]),
        );
        expect_errors(
            &v,
            json!({"f": [{"n": 1}, {"n": "x"}]}),
            r#"[{"type":"number","message":"The 'f[1].n' field must be a number.","field":"f[1].n","actual":"x"}]"#,
        );
    }

    #[test]
    fn array_errors_show_sanitised_items() {
        // `actual` is a reference to the array in JS: items trimmed afterwards show trimmed
        let v = single("array|items:string|contains:z");
        let (e, d) = run_v(&v, json!({"f": [" a "]}));
        assert_eq!(e[0]["actual"], json!(["a"]));
        assert_eq!(d, json!({"f": ["a"]}));
    }

    // ---------------------------------------------------------------- strings

    #[test]
    fn strings() {
        expect_errors(
            &single("string|max:5"),
            json!({"f": "abcdef"}),
            r#"[{"type":"stringMax","message":"The 'f' field length must be less than or equal to 5 characters long.","field":"f","expected":5,"actual":6}]"#,
        );
        expect_valid(
            &single("string|min:2|max:5"),
            json!({"f": "  ab  "}),
            json!({"f": "ab"}),
        );
        expect_valid(
            &single("string|no-trim"),
            json!({"f": "  ab  "}),
            json!({"f": "  ab  "}),
        );
        expect_errors(
            &single("string|empty:false"),
            json!({"f": "   "}),
            r#"[{"type":"stringEmpty","message":"The 'f' field must not be empty.","field":"f","actual":""}]"#,
        );
        expect_valid(
            &single("string|optional"),
            json!({"f": ""}),
            json!({"f": ""}),
        );
        expect_valid(
            &single("string|empty|min:3"),
            json!({"f": ""}),
            json!({"f": ""}),
        );
        expect_errors(
            &single("string|pattern:^[a-z]+$"),
            json!({"f": " AB "}),
            r#"[{"type":"stringPattern","message":"The 'f' field fails to match the required pattern.","field":"f","expected":"/^[a-z]+$/","actual":" AB "}]"#,
        );
        expect_valid(
            &single("string|pattern:^[a-z]+$|patternFlags:i"),
            json!({"f": "AB"}),
            json!({"f": "AB"}),
        );
        // the pattern text is pasted into a string literal: backslashes are consumed
        expect_errors(
            &single(r"string|pattern:^\d+$"),
            json!({"f": "12a"}),
            r#"[{"type":"stringPattern","message":"The 'f' field fails to match the required pattern.","field":"f","expected":"/^d+$/","actual":"12a"}]"#,
        );
        expect_valid(
            &single(r"string|pattern:^\d+$"),
            json!({"f": "123"}),
            json!({"f": "123"}),
        );
        expect_errors(
            &single("string|length:3"),
            json!({"f": "ab"}),
            r#"[{"type":"stringLength","message":"The 'f' field length must be 3 characters long.","field":"f","expected":3,"actual":2}]"#,
        );
        expect_errors(
            &single("string|contains:foo"),
            json!({"f": "bar"}),
            r#"[{"type":"stringContains","message":"The 'f' field must contain the 'foo' text.","field":"f","expected":"foo","actual":"bar"}]"#,
        );
        assert_eq!(
            kinds(&single("string|numeric"), json!({"f": "-12.5"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|numeric"), json!({"f": "12."})),
            vec!["stringNumeric"]
        );
        assert_eq!(
            kinds(&single("string|alpha"), json!({"f": "ab1"})),
            vec!["stringAlpha"]
        );
        assert_eq!(
            kinds(&single("string|alphanum"), json!({"f": "ab1_"})),
            vec!["stringAlphanum"]
        );
        assert_eq!(
            kinds(&single("string|alphadash"), json!({"f": "ab1_-"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|hex"), json!({"f": "abc"})),
            vec!["stringHex"]
        );
        assert_eq!(
            kinds(&single("string|hex"), json!({"f": "ab0F"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|base64"), json!({"f": "aGVsbG8="})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|base64"), json!({"f": "aGVsbG8"})),
            vec!["stringBase64"]
        );
        expect_errors(
            &single("string|singleLine"),
            json!({"f": "a\nb"}),
            r#"[{"type":"stringSingleLine","message":"The 'f' field must be a single line string.","field":"f"}]"#,
        );
        expect_valid(
            &single("string|lowercase"),
            json!({"f": " ÀB "}),
            json!({"f": "àb"}),
        );
        expect_valid(
            &single("string|uppercase:true"),
            json!({"f": "straße"}),
            json!({"f": "STRASSE"}),
        );
        expect_valid(
            &single("string|padStart:5|padChar:0"),
            json!({"f": "42"}),
            json!({"f": "00042"}),
        );
        expect_valid(
            &single("string|padEnd:4"),
            json!({"f": "ab"}),
            json!({"f": "ab  "}),
        );
        expect_valid(
            &single("string|convert:true"),
            json!({"f": 1.5}),
            json!({"f": "1.5"}),
        );
        expect_valid(
            &single("string|convert:true"),
            json!({"f": [1, null, "a"]}),
            json!({"f": "1,,a"}),
        );
        // length counts UTF-16 units, after trimming
        assert_eq!(
            kinds(&single("string|max:2"), json!({"f": " 😀 "})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|max:1"), json!({"f": "😀"})),
            vec!["stringMax"]
        );
        // object-form string rule with enum
        let v = single_multi(json!([{"type": "string", "enum": ["a", "b"]}]));
        expect_errors(
            &v,
            json!({"f": "c"}),
            r#"[{"type":"stringEnum","message":"The 'f' field does not match any of the allowed values.","field":"f","expected":"a, b","actual":"c"}]"#,
        );
    }

    #[test]
    fn lookahead_patterns() {
        let v = single(r"string|pattern:^(?=.*[A-Z])(?=.*\d).{8,}$");
        assert_eq!(kinds(&v, json!({"f": "Password1"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": "password1"})), vec!["stringPattern"]);
        assert_eq!(kinds(&v, json!({"f": "Passwordx"})), vec!["stringPattern"]);
        assert_eq!(kinds(&v, json!({"f": "Pa1"})), vec!["stringPattern"]);
        let v = single(r"string|pattern:^(?!admin).*$");
        assert_eq!(kinds(&v, json!({"f": "user"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": "admin1"})), vec!["stringPattern"]);
        assert!(compile_err(json!({"x": r"string|pattern:(a)\1"}))
            .contains("backreference is not supported"));
        assert!(compile_err(json!({"x": r"string|pattern:a(?=b)"}))
            .contains("lookahead is not supported"));
        assert!(compile_err(json!({"x": r"string|pattern:(?<=a)b"}))
            .contains("lookbehind is not supported"));
    }

    // ---------------------------------------------------------------- numbers, booleans

    #[test]
    fn numbers() {
        expect_errors(
            &single("number|integer|positive"),
            json!({"f": -1.5}),
            r#"[{"type":"numberInteger","message":"The 'f' field must be an integer.","field":"f","actual":-1.5},
                {"type":"numberPositive","message":"The 'f' field must be a positive number.","field":"f","actual":-1.5}]"#,
        );
        assert_eq!(
            kinds(&single("number|integer|positive"), json!({"f": "3"})),
            vec!["number"]
        );
        expect_valid(
            &single("number|convert:true|integer"),
            json!({"f": " 3 "}),
            json!({"f": 3}),
        );
        expect_valid(
            &single("number|convert:true"),
            json!({"f": "1e3"}),
            json!({"f": 1000}),
        );
        expect_valid(
            &single("number|convert:true"),
            json!({"f": true}),
            json!({"f": 1}),
        );
        let (e, d) = run_v(&single("number|convert:true"), json!({"f": "abc"}));
        assert_eq!(
            e,
            json!([{"type":"number","message":"The 'f' field must be a number.","field":"f","actual":"abc"}])
        );
        assert_eq!(d, json!({"f": null}));
        expect_errors(
            &single("number|max:10|negative"),
            json!({"f": 11}),
            r#"[{"type":"numberMax","message":"The 'f' field must be less than or equal to 10.","field":"f","expected":10,"actual":11},
                {"type":"numberNegative","message":"The 'f' field must be a negative number.","field":"f","actual":11}]"#,
        );
        expect_errors(
            &single("number|equal:0.5"),
            json!({"f": 1}),
            r#"[{"type":"numberEqual","message":"The 'f' field must be equal to 0.5.","field":"f","expected":0.5,"actual":1}]"#,
        );
        expect_errors(
            &single("number|notEqual:3"),
            json!({"f": 3}),
            r#"[{"type":"numberNotEqual","message":"The 'f' field can't be equal to 3.","field":"f","expected":3,"actual":3}]"#,
        );
        assert_eq!(
            messages(&single("number|min:1e21"), json!({"f": 1})),
            vec!["The 'f' field must be greater than or equal to 1e+21."]
        );
        assert_eq!(
            kinds(&single("number|min:Infinity"), json!({"f": 1})),
            vec!["numberMin"]
        );
        let (e, _) = run_v(&single("number|min:Infinity"), json!({"f": 1}));
        assert_eq!(e[0]["expected"], Value::Null);
        assert_eq!(
            e[0]["message"],
            json!("The 'f' field must be greater than or equal to Infinity.")
        );
        assert_eq!(
            kinds(&single("number|optional"), json!({"f": null})),
            Vec::<String>::new()
        );
    }

    #[test]
    fn booleans() {
        let v = single("boolean|convert:true");
        for (input, out) in [
            (json!("true"), true),
            (json!("on"), true),
            (json!(1), true),
            (json!("0"), false),
            (json!(0), false),
        ] {
            expect_valid(&v, json!({ "f": input }), json!({ "f": out }));
        }
        assert_eq!(kinds(&v, json!({"f": "yes"})), vec!["boolean"]);
        assert_eq!(kinds(&single("boolean"), json!({"f": 1})), vec!["boolean"]);
    }

    // ---------------------------------------------------------------- formats

    #[test]
    fn emails() {
        let v = single("email");
        assert_eq!(kinds(&v, json!({"f": "a@b.co"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": " a@b.co "})), vec!["email"]);
        assert_eq!(kinds(&v, json!({"f": "a@b"})), vec!["email"]);
        expect_errors(
            &single("email|optional"),
            json!({"f": ""}),
            r#"[{"type":"emailEmpty","message":"The 'f' field must not be empty.","field":"f","actual":""}]"#,
        );
        assert_eq!(
            kinds(&single("email|optional"), json!({})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("email|empty"), json!({"f": ""})),
            Vec::<String>::new()
        );
        let p = single("email|mode:precise");
        assert_eq!(
            kinds(&p, json!({"f": "john.doe@example.com"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&p, json!({"f": "john@[127.0.0.1]"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&p, json!({"f": "john..doe@example.com"})),
            vec!["email"]
        );
        assert_eq!(kinds(&p, json!({"f": "a@b.c"})), vec!["email"]);
        assert_eq!(kinds(&v, json!({"f": "a@b.c"})), Vec::<String>::new());
        expect_valid(
            &single("email|normalize"),
            json!({"f": " A@B.CO "}),
            json!({"f": "a@b.co"}),
        );
        assert_eq!(
            kinds(&single("email|min:10"), json!({"f": "a@b.co"})),
            vec!["emailMin"]
        );
    }

    #[test]
    fn urls_uuids_currency() {
        let u = single("url");
        assert_eq!(
            kinds(&u, json!({"f": "https://x.io/a"})),
            Vec::<String>::new()
        );
        assert_eq!(kinds(&u, json!({"f": "ftp://x"})), vec!["url"]);
        assert_eq!(kinds(&u, json!({"f": "http:// x"})), vec!["url"]);
        assert_eq!(
            kinds(&single("url|optional"), json!({"f": ""})),
            vec!["urlEmpty"]
        );
        assert_eq!(
            messages(&u, json!({"f": 1})),
            vec!["The 'f' field must be a string."]
        );

        let id = single("uuid");
        assert_eq!(
            kinds(&id, json!({"f": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&id, json!({"f": "00000000-0000-0000-0000-000000000000"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&id, json!({"f": "a0eebc99-9c0b-4ef8-cb6d-6bb9bd380a11"})),
            vec!["uuid"]
        );
        assert_eq!(
            kinds(&id, json!({"f": "a0eebc99-9c0b-9ef8-bb6d-6bb9bd380a11"})),
            vec!["uuid"]
        );
        expect_errors(
            &single("uuid|version:4"),
            json!({"f": "a0eebc99-9c0b-1ef8-bb6d-6bb9bd380a11"}),
            r#"[{"type":"uuidVersion","message":"The 'f' field must be a valid UUID version provided.","field":"f","expected":4,"actual":1}]"#,
        );

        let c = single("currency");
        for ok in ["12.99", "1,234.56", "-5", "0.5", "123"] {
            assert_eq!(
                kinds(&c, json!({ "f": ok })),
                Vec::<String>::new(),
                "{}",
                ok
            );
        }
        for bad in ["12.999", "abc", "1,23", "$12", "", "1234"] {
            assert_eq!(kinds(&c, json!({ "f": bad })), vec!["currency"], "{}", bad);
        }
        assert_eq!(
            messages(&c, json!({"f": "x"})),
            vec!["The 'f' must be a valid currency format"]
        );
        let d = single("currency|currencySymbol:$");
        assert_eq!(kinds(&d, json!({"f": "$12.99"})), Vec::<String>::new());
        assert_eq!(kinds(&d, json!({"f": "12.99"})), vec!["currency"]);
        let o = single("currency|currencySymbol:$|symbolOptional:true");
        assert_eq!(kinds(&o, json!({"f": "12.99"})), Vec::<String>::new());
    }

    #[test]
    fn mac_luhn() {
        let m = single("mac");
        assert_eq!(
            kinds(&m, json!({"f": "01:C8:95:4B:65:FE"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&m, json!({"f": "01C8.954B.65FE"})),
            Vec::<String>::new()
        );
        assert_eq!(kinds(&m, json!({"f": "01:C8:95:4B:65"})), vec!["mac"]);
        let l = single("luhn");
        assert_eq!(
            kinds(&l, json!({"f": "4242 4242 4242 4242"})),
            Vec::<String>::new()
        );
        assert_eq!(kinds(&l, json!({"f": "4242424242424241"})), vec!["luhn"]);
    }

    // ---------------------------------------------------------------- dates

    #[test]
    fn dates() {
        let v = single("date|convert:true");
        expect_valid(
            &v,
            json!({"f": "2024-02-29"}),
            json!({"f": {"$date": "2024-02-29T00:00:00.000Z"}}),
        );
        expect_valid(
            &v,
            json!({"f": 0}),
            json!({"f": {"$date": "1970-01-01T00:00:00.000Z"}}),
        );
        expect_valid(
            &v,
            json!({"f": "1700000000000"}),
            json!({"f": {"$date": "2023-11-14T22:13:20.000Z"}}),
        );
        expect_valid(
            &v,
            json!({"f": "2024-02-29T12:00:00+02:00"}),
            json!({"f": {"$date": "2024-02-29T10:00:00.000Z"}}),
        );
        expect_valid(
            &v,
            json!({"f": "Feb 29 2024 10:00 GMT+0100"}),
            json!({"f": {"$date": "2024-02-29T09:00:00.000Z"}}),
        );
        expect_valid(
            &v,
            json!({"f": "2024/02/29"}),
            json!({"f": {"$date": "2024-02-29T00:00:00.000Z"}}),
        );
        expect_valid(
            &v,
            json!({"f": "Thu, 29 Feb 2024 12:34:56 GMT"}),
            json!({"f": {"$date": "2024-02-29T12:34:56.000Z"}}),
        );
        let (e, d) = run_v(&v, json!({"f": "not a date"}));
        assert_eq!(
            e,
            json!([{"type":"date","message":"The 'f' field must be a Date.","field":"f","actual":"not a date"}])
        );
        assert_eq!(d, json!({"f": {"$date": null}}));
        let plain = single("date");
        assert_eq!(
            kinds(&plain, json!({"f": {"$date": "2024-01-01T00:00:00.000Z"}})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&plain, json!({"f": {"$date": "garbage"}})),
            vec!["date"]
        );
        assert_eq!(kinds(&plain, json!({"f": 0})), vec!["date"]);
        // a Date is an object for the object/any rules, never a nested record
        assert_eq!(
            kinds(
                &single("object"),
                json!({"f": {"$date": "2024-01-01T00:00:00.000Z"}})
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            messages(
                &single("string"),
                json!({"f": {"$date": "2024-02-29T12:34:56.789Z"}})
            ),
            vec!["The 'f' field must be a string."]
        );
        expect_valid(
            &single("string|convert:true"),
            json!({"f": {"$date": "2024-02-29T12:34:56.789Z"}}),
            json!({"f": "Thu Feb 29 2024 12:34:56 GMT+0000 (Coordinated Universal Time)"}),
        );
    }

    #[test]
    fn date_parser() {
        let p = |s: &str| parse_date(s).map(ms_to_iso);
        assert_eq!(
            p("2024-02-29T12:34:56.789Z").as_deref(),
            Some("2024-02-29T12:34:56.789Z")
        );
        assert_eq!(p("2024").as_deref(), Some("2024-01-01T00:00:00.000Z"));
        assert_eq!(p("2024-03").as_deref(), Some("2024-03-01T00:00:00.000Z"));
        assert_eq!(
            p("+002024-03-01").as_deref(),
            Some("2024-03-01T00:00:00.000Z")
        );
        assert_eq!(
            p("2024-02-29T12:34").as_deref(),
            Some("2024-02-29T12:34:00.000Z")
        );
        assert_eq!(
            p("2024-02-29T24:00").as_deref(),
            Some("2024-03-01T00:00:00.000Z")
        );
        assert_eq!(
            p("2024-02-29T12:34:56.1+0530").as_deref(),
            Some("2024-02-29T07:04:56.100Z")
        );
        assert_eq!(
            p("2024-02-29 12:34:56").as_deref(),
            Some("2024-02-29T12:34:56.000Z")
        );
        assert_eq!(p("2023-02-30").as_deref(), Some("2023-03-02T00:00:00.000Z"));
        assert_eq!(
            p("3/4/2021 1:05 pm").as_deref(),
            Some("2021-03-04T13:05:00.000Z")
        );
        assert_eq!(
            p("December 17, 1995 03:24:00").as_deref(),
            Some("1995-12-17T03:24:00.000Z")
        );
        assert_eq!(
            p("-000001-01-01T00:00:00Z").as_deref(),
            Some("-000001-01-01T00:00:00.000Z")
        );
        assert_eq!(p("2024-13-01"), None);
        assert_eq!(p("2024-02-29T25:00"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("hello"), None);
        assert_eq!(p("2024-02-29Tfoo"), None);
        assert_eq!(
            date_to_js_string(0.0),
            "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
    }

    // ---------------------------------------------------------------- other rules

    #[test]
    fn any_object_equal_forbidden() {
        assert_eq!(kinds(&single("any"), json!({"f": null})), vec!["required"]);
        assert_eq!(
            kinds(&single("any|optional"), json!({"f": null})),
            Vec::<String>::new()
        );
        expect_errors(
            &single("object|optional"),
            json!({"f": [1]}),
            r#"[{"type":"object","message":"The 'f' must be an Object.","field":"f","actual":[1]}]"#,
        );
        // `object` has no props: unknown keys stay
        expect_valid(
            &single("object"),
            json!({"f": {"a": {"b": 1}}}),
            json!({"f": {"a": {"b": 1}}}),
        );
        expect_errors(
            &single("equal|value:yes"),
            json!({"f": "no"}),
            r#"[{"type":"equalValue","message":"The 'f' field value must be equal to 'yes'.","field":"f","expected":"yes","actual":"no"}]"#,
        );
        assert_eq!(
            kinds(&single("equal|value:5"), json!({"f": "5"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("equal|value:5|strict"), json!({"f": "5"})),
            vec!["equalValue"]
        );
        assert_eq!(
            kinds(&single("equal|value:true"), json!({"f": 1})),
            Vec::<String>::new()
        );
        let v = compile(json!({"pw": "string", "pw2": "equal|field:pw"}));
        assert_eq!(
            kinds(&v, json!({"pw": "a", "pw2": "a"})),
            Vec::<String>::new()
        );
        expect_errors(
            &v,
            json!({"pw": "a", "pw2": "b"}),
            r#"[{"type":"equalField","message":"The 'pw2' field value must be equal to 'pw' field value.","field":"pw2","expected":"pw","actual":"b"}]"#,
        );
        expect_errors(
            &single("forbidden"),
            json!({"f": 1}),
            r#"[{"type":"forbidden","message":"The 'f' field is forbidden.","field":"f","actual":1}]"#,
        );
        expect_valid(&single("forbidden"), json!({"f": null}), json!({"f": null}));
        expect_valid(&single("forbidden|remove"), json!({"f": 1}), json!({}));
        assert_eq!(
            kinds(&single("function"), json!({"f": 1})),
            vec!["function"]
        );
    }

    #[test]
    fn record_and_tuple() {
        let v = single("record|value:number");
        expect_valid(&v, json!({"f": {" a ": 1}}), json!({"f": {"a": 1}}));
        expect_errors(
            &v,
            json!({"f": {"a": "x"}}),
            r#"[{"type":"number","message":"The 'f.a' field must be a number.","field":"f.a","actual":"x"}]"#,
        );
        let v = single("record|key:string|value:any|optional");
        assert_eq!(kinds(&v, json!({"f": 1})), vec!["record"]);
        let v = single_multi(json!([{"type": "record", "key": "string|min:2"}]));
        assert_eq!(
            messages(&v, json!({"f": {"a": 1}})),
            vec!["The 'f.a' key length must be greater than or equal to 2 characters long."]
        );
        let t = single_multi(json!([{"type": "tuple", "items": ["string", "number"]}]));
        expect_valid(&t, json!({"f": [" a ", 1]}), json!({"f": ["a", 1]}));
        expect_errors(
            &t,
            json!({"f": ["a"]}),
            r#"[{"type":"tupleLength","message":"The 'f' field must contain 2 items.","field":"f","expected":2,"actual":1}]"#,
        );
        assert_eq!(kinds(&t, json!({"f": ["a", "b"]})), vec!["number"]);
    }

    #[test]
    fn custom_messages_in_object_rules() {
        let v = single_multi(
            json!([{"type": "string", "min": 3, "messages": {"stringMin": "Too short: {actual} < {expected} for {field}"}}]),
        );
        assert_eq!(
            messages(&v, json!({"f": "ab"})),
            vec!["Too short: 2 < 3 for f"]
        );
    }

    // ---------------------------------------------------------------- helpers

    #[test]
    fn js_number_formatting() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (18.0, "18"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123456789.123, "123456789.123"),
            (f64::INFINITY, "Infinity"),
            (f64::NAN, "NaN"),
            (5e-324, "5e-324"),
            (9007199254740993.0, "9007199254740992"),
        ];
        for (n, s) in cases {
            assert_eq!(js_num_str(n), s);
        }
    }

    #[test]
    fn js_string_to_number() {
        let cases = [
            ("", 0.0),
            ("  12  ", 12.0),
            ("0x1F", 31.0),
            ("0b101", 5.0),
            ("1e3", 1000.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-Infinity", f64::NEG_INFINITY),
            ("+3", 3.0),
        ];
        for (s, n) in cases {
            assert_eq!(str_to_number(s), n, "{}", s);
        }
        for s in [
            "abc", "1e", ".", "inf", "NaN", "0x", "1_000", "--1", "infinity",
        ] {
            assert!(str_to_number(s).is_nan(), "{}", s);
        }
    }

    #[test]
    fn js_replace_patterns() {
        assert_eq!(
            js_replace("a {x} b {x}", "{x}", "$$-$&", true),
            "a $-{x} b $-{x}"
        );
        assert_eq!(js_replace("a {x} b", "{x}", "$`|$'", true), "a a | b b");
        assert_eq!(js_replace("{x}{x}", "{x}", "1", false), "1{x}");
        let v = single("string|min:2|label:$&");
        assert_eq!(
            messages(&v, json!({"f": "a"})),
            vec!["The '{field}' field length must be greater than or equal to 2 characters long."]
        );
    }

    #[test]
    fn string_literal_evaluation() {
        assert_eq!(
            eval_js_string_literal(r"a\nb\x41\u0042\u{43}\101\d").as_deref(),
            Ok("a\nbABCAd")
        );
        assert!(eval_js_string_literal(r"\x4").is_err());
        assert!(eval_js_string_literal("a\"b").is_err());
    }

    #[test]
    fn regex_translation() {
        let t = |src: &str, flags: &str, s: &str| compile_js_regex(src, flags).map(|r| r.test(s));
        assert_eq!(t(SRC_EMAIL_PRECISE, "", "a.b@c.de"), Ok(true));
        assert_eq!(t(r"^[]$", "", ""), Ok(false));
        assert_eq!(t(r"^[^]$", "", "\n"), Ok(true));
        assert_eq!(t(r"^a{2}$", "", "aa"), Ok(true));
        assert_eq!(t(r"^a{,2}$", "", "a{,2}"), Ok(true));
        assert_eq!(t(r"^\w+$", "", "é"), Ok(false));
        assert_eq!(t(r"^.$", "", "\n"), Ok(false));
        assert_eq!(t(r"^.$", "s", "\n"), Ok(true));
        assert_eq!(t(r"^[\d-x]+$", "", "1-x"), Ok(true));
        assert_eq!(t(r"^\/path\/$", "", "/path/"), Ok(true));
        assert_eq!(t(r"^abc", "y", "abcd"), Ok(true));
        assert_eq!(t(r"bc", "y", "abc"), Ok(false));
        assert_eq!(t(r"\bfoo\b", "", "a foo b"), Ok(true));
        assert_eq!(t(r"^\u00e9$", "", "é"), Ok(true));
        assert_eq!(t(r"^\cJ$", "", "\n"), Ok(true));
        assert_eq!(t(r"^(?<year>\d{4})$", "", "2024"), Ok(true));
        assert_eq!(t(r"^ABC$", "i", "abc"), Ok(true));
        // without the u flag patterns see UTF-16 code units
        assert_eq!(t(r"^.{2}$", "", "😀"), Ok(true));
        assert_eq!(t(r"^.$", "", "😀"), Ok(false));
        assert_eq!(t(r"^.$", "u", "😀"), Ok(true));
        assert_eq!(t(r"^\uD83D\uDE00$", "", "😀"), Ok(true));
        assert_eq!(t(r"^\uD83D\uDE00$", "u", "😀"), Ok(true));
        assert_eq!(t(r"^[\uD800-\uDFFF]{2}$", "", "😀"), Ok(true));
        assert_eq!(t(r"^[\u0000-\uFFFF]+$", "", "a😀"), Ok(true));
        assert_eq!(t("^😀$", "", "😀"), Ok(true));
        assert_eq!(t("^[😀]$", "", "😀"), Ok(false));
        assert_eq!(t("^[😀]{2}$", "", "😀"), Ok(true));
        assert_eq!(t(r"^\S$", "", "😀"), Ok(false));
        assert_eq!(t(r"^\u{41}$", "u", "A"), Ok(true));
        assert!(t(r"^\a$", "u", "").is_err());
        assert!(t(r"]", "u", "").is_err());
        assert!(t(r"a**", "", "").is_err());
        assert!(t(r"[z-a]", "", "").is_err());
        assert!(t(r"a{2,1}", "", "").is_err());
        assert!(t(r"(", "", "").is_err());
        assert!(t(r")", "", "").is_err());
        assert_eq!(regexp_to_string("a/b[/]", "gi"), "/a\\/b[/]/gi");
        assert_eq!(regexp_to_string("", ""), "/(?:)/");
        for (cell, src, flags) in [
            (&RE_NUMERIC, SRC_NUMERIC, ""),
            (&RE_ALPHA, SRC_ALPHA, ""),
            (&RE_ALPHANUM, SRC_ALPHANUM, ""),
            (&RE_ALPHADASH, SRC_ALPHADASH, ""),
            (&RE_HEX, SRC_HEX, ""),
            (&RE_BASE64, SRC_BASE64, ""),
            (&RE_EMAIL_BASIC, SRC_EMAIL_BASIC, ""),
            (&RE_EMAIL_PRECISE, SRC_EMAIL_PRECISE, ""),
            (&RE_URL, SRC_URL, ""),
            (&RE_UUID, SRC_UUID, "i"),
            (&RE_MAC, SRC_MAC, "i"),
        ] {
            assert!(builtin_re(cell, src, flags).is_some(), "{}", src);
        }
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

    // ---------------------------------------------------------------- robustness

    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[(self.next() as usize) % xs.len()]
        }
    }

    #[test]
    fn fuzz_rule_strings_never_panic() {
        let types = [
            "string",
            "number",
            "boolean",
            "email",
            "url",
            "uuid",
            "date",
            "array",
            "object",
            "any",
            "equal",
            "enum",
            "currency",
            "forbidden",
            "secret",
            "secretAny",
            "secretNumber",
            "string[]",
            "number[]",
            "mac",
            "luhn",
            "record",
            "tuple",
            "multi",
            "custom",
            "function",
            "class",
            "objectID",
            "json",
            "",
            "[]",
            "toString",
        ];
        let flags = [
            "optional",
            "nullable",
            "convert:true",
            "min:2",
            "max:5",
            "length:3",
            "min:-1",
            "max:abc",
            "pattern:^a.*$",
            "pattern:(",
            "pattern:[",
            "pattern:a{2,1}",
            "patternFlags:gi",
            "patternFlags:zz",
            "default:x",
            "default:5",
            "default:",
            "trim",
            "no-trim",
            "empty:false",
            "empty",
            "integer",
            "positive",
            "negative",
            "equal:3",
            "notEqual:1",
            "items:string",
            "items:number",
            "items:bogus",
            "unique",
            "contains:a",
            "enum:a",
            "values:a",
            "value:yes",
            "strict",
            "field:x",
            "mode:precise",
            "version:4",
            "version:x",
            "currencySymbol:$",
            "thousandSeparator:(",
            "padStart:4",
            "padChar:0",
            "lowercase",
            "uppercase",
            "numeric",
            "alpha",
            "hex",
            "base64",
            "singleLine",
            "label:L",
            "label",
            "messages:x",
            "remove",
            "key:string",
            "value:number",
            "minProps:1",
            "maxProps:1",
            "$$type:x",
            ":",
            "::",
            "|",
            "no-",
            "rules:ab",
            "props:x",
            "min:Infinity",
            "pattern:\\1(a)",
            "pattern:(?=a)b",
            "pattern:^(?=a)",
            "pattern:\\u{",
            "pattern:\\c",
            "pattern:\\k<a>",
        ];
        let values = [
            json!(null),
            json!(""),
            json!(" a "),
            json!("abc"),
            json!(0),
            json!(-1.5),
            json!(1e300),
            json!(true),
            json!([]),
            json!([1, "a", null]),
            json!({}),
            json!({"a": 1}),
            json!({"$date": "2024-01-01T00:00:00Z"}),
            json!({"$date": "nope"}),
            json!("2024-02-29"),
            json!("1,234.56"),
            json!("0x10"),
            json!("😀\n"),
        ];
        let mut rng = Lcg(0x5eed);
        let mut compiled = 0;
        for _ in 0..3000 {
            let mut rule = rng.pick(&types).to_string();
            for _ in 0..(rng.next() % 4) {
                rule.push('|');
                rule.push_str(rng.pick(&flags));
            }
            if rng.next().is_multiple_of(5) {
                // random bytes
                let n = rng.next() % 12;
                for _ in 0..n {
                    let c = char::from_u32((rng.next() % 0x80) as u32).unwrap_or('x');
                    rule.push(c);
                }
            }
            let schema = if rng.next().is_multiple_of(4) {
                json!({ "f": [rule.clone(), rng.pick(&types)] })
            } else if rng.next().is_multiple_of(6) {
                json!({ "f": { "$$type": rule.clone(), "g": rule.clone() } })
            } else {
                json!({ "f": rule.clone() })
            };
            let Ok(v) = Validator::compile(&attrs(schema), rng.next().is_multiple_of(2)) else {
                continue;
            };
            compiled += 1;
            for val in &values {
                let mut m = Map::new();
                m.insert("f".into(), val.clone());
                m.insert("extra".into(), json!(1));
                let errs = v.validate(&mut m);
                for e in errs {
                    let _ = e.to_json();
                }
            }
            let mut empty = Map::new();
            let _ = v.validate(&mut empty);
        }
        assert!(compiled > 500, "too few schemas compiled: {}", compiled);
    }

    #[test]
    fn deep_schemas_and_patterns_do_not_overflow() {
        let mut a = json!("string");
        for _ in 0..300 {
            a = json!({ "x": a });
        }
        let mut m = Map::new();
        m.insert("f".into(), a);
        assert_eq!(
            Validator::compile(&m, false).err().as_deref(),
            Some("Maximum call stack size exceeded")
        );
        let mut arr = json!("string");
        for _ in 0..300 {
            arr = json!([arr]);
        }
        assert!(Validator::compile(&attrs(json!({ "f": arr })), false).is_err());
        let deep = format!("string|pattern:{}a{}", "(".repeat(5000), ")".repeat(5000));
        assert!(Validator::compile(&attrs(json!({ "f": deep })), false).is_err());
        // moderately deep schemas work
        let mut a = json!("string");
        for _ in 0..50 {
            a = json!({ "x": a });
        }
        assert!(Validator::compile(&attrs(json!({ "f": a })), false).is_ok());
        // the depth counter is released after errors
        assert!(Validator::compile(&attrs(json!({ "f": "string" })), false).is_ok());
    }

    #[test]
    fn fuzz_random_text_never_panics() {
        let mut rng = Lcg(42);
        let alphabet: Vec<char> = "|:[](){}\\^$.*+?-,/0123456789abcdefxyzTZ+- \t\n\"'é😀"
            .chars()
            .collect();
        for _ in 0..4000 {
            let n = (rng.next() % 24) as usize;
            let s: String = (0..n)
                .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
                .collect();
            let _ = parse_date(&s);
            let _ = str_to_number(&s);
            let _ = eval_js_string_literal(&s);
            if let Ok(r) = compile_js_regex(&s, "") {
                let _ = r.test(&s);
            }
            let _ = Validator::compile(&attrs(json!({ "f": s.clone() })), false);
            let _ = Validator::compile(
                &attrs(json!({ "f": format!("string|pattern:{}", s) })),
                false,
            );
            let v = single("date|convert:true");
            let mut m = attrs(json!({ "f": s }));
            let _ = v.validate(&mut m);
        }
    }
}
