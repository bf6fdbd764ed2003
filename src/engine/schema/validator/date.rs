//! The `date` family: `date|convert` builds a JavaScript `Date` like fastest-validator.

use super::*;

/// `new Date(value.length && !isNaN(+value) ? +value : value)` (the `date|convert` rule).
pub(super) fn js_new_date_from(v: &Value) -> f64 {
    let len_truthy = match v {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) if !js::is_date(v) => o.get("length").is_some_and(js::truthy),
        _ => false,
    };
    if len_truthy {
        let n = js::to_number(v);
        if !n.is_nan() {
            return js::time_clip(n);
        }
    }
    match v {
        Value::Number(_) | Value::Bool(_) | Value::Null => js::time_clip(js::to_number(v)),
        Value::Object(_) if js::is_date(v) => js::date_ms(v).unwrap_or(f64::NAN),
        _ => js::parse_date(&js::to_string(v))
            .map(js::time_clip)
            .unwrap_or(f64::NAN),
    }
}

/// `date`: a valid `Date` (with `convert`, built from the value first).
pub(super) fn run_date(convert: bool, v: &mut Value, errors: &mut Vec<Pending>, err: ErrFn) -> Ret {
    let orig = v.clone();
    let mut ret = Ret::Same;
    if convert && !js::is_date(v) {
        *v = js::date_value(js_new_date_from(v));
        ret = Ret::New;
    }
    if !(js::is_date(v) && js::date_ms(v).is_some()) {
        err(errors, "date", None, Some(orig));
    }
    ret
}

#[cfg(test)]
mod tests {
    use crate::engine::schema::validator::test_support::*;
    use serde_json::json;

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
}
