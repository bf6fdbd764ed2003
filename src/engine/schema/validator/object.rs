//! The `object` (`props`, `strict`, `minProps`/`maxProps`) and `record` families.

use super::*;

#[derive(Debug, Clone)]
pub(super) enum Strict {
    Off,
    Remove,
    Error(Exp),
}

#[derive(Debug, Clone)]
pub(super) struct ObjectRule {
    pub(super) has_props: bool,
    pub(super) props: Vec<(String, Rule)>,
    pub(super) allowed: Vec<String>,
    pub(super) strict: Strict,
    pub(super) min_props: Option<NumParam>,
    pub(super) max_props: Option<NumParam>,
}

pub(super) fn compile_object(s: &Map<String, Value>) -> Result<Kind, String> {
    let sub = match s.get("properties") {
        Some(v) if js::truthy(v) => Some(v),
        _ => s.get("props").filter(|v| js::truthy(v)),
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
            Some(v) if js::truthy(v) => Strict::Error(quoted(&allowed.join(", "))?),
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

pub(super) fn run_object(
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
    let date = js::is_date(v);
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

/// `record`: every key checked by the key rule, every value by the value rule.
pub(super) fn run_record(
    kv: &(Rule, Rule),
    v: &mut Value,
    field: &str,
    label: Option<&str>,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
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

#[cfg(test)]
mod tests {
    use crate::engine::schema::validator::test_support::*;
    use serde_json::json;

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
}
