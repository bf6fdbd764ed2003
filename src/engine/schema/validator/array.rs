//! The `array` and `tuple` families.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct ArrayRule {
    pub(super) convert: bool,
    pub(super) empty_false: bool,
    pub(super) min: Option<NumParam>,
    pub(super) max: Option<NumParam>,
    pub(super) length: Option<NumParam>,
    pub(super) contains: Option<Value>,
    pub(super) unique: bool,
    pub(super) enum_: Option<(Vec<Value>, Exp)>,
    pub(super) items: Option<Rule>,
}

pub(super) fn compile_array(s: &Map<String, Value>) -> Result<Kind, String> {
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

/// JS keys for `new Set()` membership of primitives.
pub(super) fn prim_key(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(format!("b:{}", b)),
        Value::Number(n) => Some(format!(
            "n:{}",
            js::number_to_string(n.as_f64().unwrap_or(f64::NAN))
        )),
        Value::String(s) => Some(format!("s:{}", s)),
        _ => None,
    }
}

pub(super) fn run_array(
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
        if !arr.iter().any(|x| js::strict_eq(x, c)) {
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
            if !vals.iter().any(|e| js::strict_eq(x, e)) {
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

/// `tuple`: an array with one rule per position.
#[allow(clippy::too_many_arguments)]
pub(super) fn run_tuple(
    empty_false: bool,
    empty_not_false: bool,
    items: Option<&[Rule]>,
    v: &mut Value,
    field: &str,
    label: Option<&str>,
    parent: Parent,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    let Value::Array(arr) = v else {
        err(errors, "tuple", None, Some(v.clone()));
        return Ret::Same;
    };
    let len = arr.len();
    if empty_false && len == 0 {
        err(errors, "tupleEmpty", None, Some(Value::Array(Vec::new())));
        return Ret::Same;
    }
    if let Some(items) = items {
        if empty_not_false && len == 0 {
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

#[cfg(test)]
mod tests {
    use crate::engine::schema::validator::test_support::*;
    use serde_json::json;

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
}
