//! Validation: the `required` wrapper ([`check`]) and the dispatch of a value to its
//! rule family ([`run`]); the small rules are checked here, the larger families in
//! their own modules.

use super::*;

/// Where a value is checked: the field/label the `required` wrapper reports
/// (`wrap_*`) and the ones passed to the rule itself.
pub(super) struct At<'a> {
    pub(super) wrap_field: &'a str,
    pub(super) field: &'a str,
    pub(super) wrap_label: Option<&'a str>,
    pub(super) label: Option<&'a str>,
}

/// What a rule function returned.
pub(super) enum Ret {
    /// the input (a container keeps its identity; primitives may have been replaced)
    Same,
    /// a new value
    New,
    /// `undefined`
    Undef,
}

pub(super) type Parent<'a> = Option<&'a Map<String, Value>>;

/// `errors.push(makeError(...))` bound to a rule's messages, field and label.
pub(super) type ErrFn<'a> = &'a dyn Fn(&mut Vec<Pending>, &str, Option<Exp>, Option<Value>);

/// The `required`/`optional`/`default` wrapper around a rule (`wrapRequiredCheckSourceCode`).
/// Returns the value to store (`None` = undefined) and whether it is the same container.
pub(super) fn check(
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

pub(super) fn sub_field(parent_field: &str, name: &str) -> String {
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

pub(super) fn run(
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
            if *convert && !js::is_date(v) {
                *v = js::date_value(js_new_date_from(v));
                ret = Ret::New;
            }
            if !(js::is_date(v) && js::date_ms(v).is_some()) {
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
                js::trim(s).to_lowercase()
            } else {
                s.clone()
            };
            let len = js::utf16_len(&val) as f64;
            if let Some(p) = &e.min {
                if len < p.num {
                    err(errors, "emailMin", Some(p.exp.clone()), Some(js::number_to_json(len)));
                }
            }
            if let Some(p) = &e.max {
                if len > p.num {
                    err(errors, "emailMax", Some(p.exp.clone()), Some(js::number_to_json(len)));
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
            if !values.iter().any(|e| js::strict_eq(v, e)) {
                err(errors, "enumValue", Some(expected.clone()), Some(v.clone()));
            }
            Ret::Same
        }
        Kind::Equal { mode, strict } => {
            match mode {
                EqualMode::Field(name, exp) => {
                    let other = parent.and_then(|p| p.get(name));
                    let eq = if *strict {
                        other.is_some_and(|o| js::strict_eq(v, o))
                    } else {
                        js::loose_eq(v, other)
                    };
                    if !eq {
                        err(errors, "equalField", Some(exp.clone()), Some(v.clone()));
                    }
                }
                EqualMode::Value(val, exp) => {
                    let eq = if *strict {
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
            let entries: Vec<(String, Value)> = if js::is_date(v) {
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
                    Some(kv) => js::to_string(&kv),
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
