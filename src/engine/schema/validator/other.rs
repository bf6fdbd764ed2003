//! The rest: `multi` (several alternative rules), `boolean`, `enum`, `equal`.

use super::*;

#[derive(Debug, Clone)]
pub(super) enum EqualMode {
    Field(String, Exp),
    Value(Option<Value>, Option<Exp>),
}

pub(super) fn run_multi(
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

/// `boolean` (with `convert`: 1/0, "true"/"false", "1"/"0", "on"/"off").
pub(super) fn run_boolean(
    convert: bool,
    v: &mut Value,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    let orig = v.clone();
    if convert && !v.is_boolean() {
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

/// `enum`: the value is `===` to one of `values`.
pub(super) fn run_enum(
    values: &[Value],
    expected: &Exp,
    v: &mut Value,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    if !values.iter().any(|e| js::strict_eq(v, e)) {
        err(errors, "enumValue", Some(expected.clone()), Some(v.clone()));
    }
    Ret::Same
}

/// `equal`: `==` (or `===` with `strict`) to a value or to a sibling field.
pub(super) fn run_equal(
    mode: &EqualMode,
    strict: bool,
    v: &mut Value,
    parent: Parent,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    match mode {
        EqualMode::Field(name, exp) => {
            let other = parent.and_then(|p| p.get(name));
            let eq = if strict {
                other.is_some_and(|o| js::strict_eq(v, o))
            } else {
                js::loose_eq(v, other)
            };
            if !eq {
                err(errors, "equalField", Some(exp.clone()), Some(v.clone()));
            }
        }
        EqualMode::Value(val, exp) => {
            let eq = if strict {
                val.as_ref().is_some_and(|o| js::strict_eq(v, o))
            } else {
                js::loose_eq(v, val.as_ref())
            };
            if !eq {
                err(errors, "equalValue", exp.clone(), Some(v.clone()));
            }
        }
    }
    Ret::Same
}

#[cfg(test)]
mod tests {
    use crate::engine::schema::validator::test_support::*;
    use serde_json::json;

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
}
