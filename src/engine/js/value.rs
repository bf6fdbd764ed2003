//! JavaScript values over JSON: `String(v)`, `Number(v)`, truthiness, `typeof`,
//! `===` and `==`. ±Infinity (which JSON cannot hold) is carried as a sentinel
//! string; a `Date` as `{"$date": iso}` (see `date.rs`).

use crate::engine::js;
use serde_json::Value;

/// Sentinels for ±Infinity inside schema objects (shorthand `min:Infinity`); JSON cannot hold them.
pub const INF_POS: &str = "\u{1}Infinity";

pub const INF_NEG: &str = "\u{1}-Infinity";

/// A number inside a schema object (may be ±Infinity, kept as a sentinel).
pub fn number_value(f: f64) -> Value {
    if f.is_infinite() {
        Value::String(if f > 0.0 { js::INF_POS } else { js::INF_NEG }.to_string())
    } else {
        js::number_to_json(f)
    }
}

/// The numeric value of a JSON number or of an Infinity sentinel.
pub fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == js::INF_POS => Some(f64::INFINITY),
        Value::String(s) if s == js::INF_NEG => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// JavaScript `String(v)`.
pub fn to_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js::number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) if s == js::INF_POS => "Infinity".into(),
        Value::String(s) if s == js::INF_NEG => "-Infinity".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => js::join(a, ","),
        Value::Object(_) if js::is_date(v) => match js::date_ms(v) {
            Some(ms) => js::date_to_string(ms),
            None => "Invalid Date".into(),
        },
        Value::Object(_) => "[object Object]".into(),
    }
}

/// `Array.prototype.join`
pub fn join(a: &[Value], sep: &str) -> String {
    a.iter()
        .map(|x| {
            if x.is_null() {
                String::new()
            } else {
                js::to_string(x)
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// JavaScript `Number(v)`.
pub fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(_) => {
            js::as_number(v).unwrap_or_else(|| js::string_to_number(&js::to_string(v)))
        }
        Value::Array(_) => js::string_to_number(&js::to_string(v)),
        Value::Object(_) if js::is_date(v) => js::date_ms(v).unwrap_or(f64::NAN),
        Value::Object(_) => f64::NAN,
    }
}

/// JavaScript truthiness of a (defined) value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

pub fn is_primitive(v: &Value) -> bool {
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
pub fn to_primitive(v: &Value) -> Value {
    if js::is_primitive(v) {
        v.clone()
    } else {
        Value::String(js::to_string(v))
    }
}

/// `a == b` (abstract equality); `b == None` is `undefined`. `a` is never null/undefined here.
pub fn loose_eq(a: &Value, b: Option<&Value>) -> bool {
    let Some(b) = b else { return false };
    if a.is_null() || b.is_null() {
        return a.is_null() && b.is_null();
    }
    match (a, b) {
        (Value::Array(_) | Value::Object(_), Value::Array(_) | Value::Object(_)) => false,
        (Value::Array(_) | Value::Object(_), _) => js::loose_eq(&js::to_primitive(a), Some(b)),
        (_, Value::Array(_) | Value::Object(_)) => js::loose_eq(a, Some(&js::to_primitive(b))),
        (Value::Bool(x), _) if !b.is_boolean() => {
            js::loose_eq(&js::number_to_json(f64::from(u8::from(*x))), Some(b))
        }
        (_, Value::Bool(y)) if !a.is_boolean() => {
            js::loose_eq(a, Some(&js::number_to_json(f64::from(u8::from(*y)))))
        }
        (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_)) => {
            js::strict_eq(a, b)
        }
        _ => js::to_number(a) == js::to_number(b),
    }
}

/// `typeof v` (a Date, an array and `null` are all `"object"`).
pub fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        _ => "object",
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::js;
    use serde_json::json;

    #[test]
    fn string_and_number_of_values() {
        assert_eq!(js::to_string(&json!(null)), "null");
        assert_eq!(js::to_string(&json!(1.5)), "1.5");
        assert_eq!(js::to_string(&json!([1, null, "a", [2, 3]])), "1,,a,2,3");
        assert_eq!(js::to_string(&json!({ "a": 1 })), "[object Object]");
        assert_eq!(js::to_string(&json!(js::INF_NEG)), "-Infinity");
        assert_eq!(js::to_string(&json!({ "$date": null })), "Invalid Date");
        assert_eq!(js::to_number(&json!(true)), 1.0);
        assert_eq!(js::to_number(&json!(null)), 0.0);
        assert_eq!(js::to_number(&json!(" 7 ")), 7.0);
        assert_eq!(js::to_number(&json!([5])), 5.0);
        assert!(js::to_number(&json!({})).is_nan());
        assert_eq!(
            js::to_number(&json!({ "$date": "1970-01-01T00:00:01.000Z" })),
            1000.0
        );
        assert_eq!(
            js::as_number(&js::number_value(f64::INFINITY)),
            Some(f64::INFINITY)
        );
    }

    #[test]
    fn truthiness_and_typeof() {
        for v in [json!(null), json!(false), json!(0), json!(""), json!(-0.0)] {
            assert!(!js::truthy(&v), "{v}");
        }
        for v in [json!(true), json!(1), json!("0"), json!([]), json!({})] {
            assert!(js::truthy(&v), "{v}");
        }
        assert_eq!(js::type_of(&json!(null)), "object");
        assert_eq!(js::type_of(&json!("s")), "string");
        assert_eq!(js::type_of(&json!([1])), "object");
    }

    #[test]
    fn strict_and_loose_equality() {
        assert!(js::strict_eq(&json!(1), &json!(1.0)));
        assert!(!js::strict_eq(&json!(1), &json!("1")));
        assert!(!js::strict_eq(&json!({}), &json!({})));
        assert!(js::loose_eq(&json!(1), Some(&json!("1"))));
        assert!(js::loose_eq(&json!(true), Some(&json!(1))));
        assert!(js::loose_eq(&json!("1,2"), Some(&json!([1, 2]))));
        assert!(js::loose_eq(&json!(0), Some(&json!(""))));
        assert!(!js::loose_eq(&json!(0), Some(&json!(null))));
        assert!(!js::loose_eq(&json!(1), None));
        assert!(!js::loose_eq(&json!([1]), Some(&json!([1]))));
    }
}
