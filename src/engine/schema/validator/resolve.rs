//! Schema resolution: fastest-validator's `getRuleFromSchema`, `resolveType` and
//! `parseShortHand`, s3db's aliases (`secret`, `secretAny`, `secretNumber`) and the
//! preprocessing s3db applies to a resource's attributes.

use super::*;

pub(super) const RULE_NAMES: [&str; 23] = [
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

/// Names found on `Object.prototype`: `this.aliases[name]` is js::truthy for them, which
/// deletes `type` and ends in "Invalid 'undefined' type".
pub(super) const PROTO_NAMES: [&str; 12] = [
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

pub(super) fn is_meta_key(k: &str) -> bool {
    k.starts_with("$$")
}

pub(super) fn obj(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// s3db.js's aliases (with `autoEncrypt: false`).
pub(super) fn alias_for(t: &str) -> Option<Map<String, Value>> {
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
pub(super) fn prop_key(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(v) => js::to_string(v),
    }
}

/// fastest-validator's `deepExtend(destination, source, { skipIfExist })`.
pub(super) fn deep_extend(
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
                        Some(v) if js::truthy(v) => {
                            if matches!(v, Value::Array(_)) {
                                // JS would hang the properties on the array; nothing reads them
                                continue;
                            }
                            let first = so.keys().next().cloned().unwrap_or_default();
                            return Err(format!(
                                "Cannot create property '{}' on {} '{}'",
                                first,
                                js::type_of(v),
                                js::to_string(v)
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

pub(super) fn parse_shorthand(s: &str) -> Result<Map<String, Value>, String> {
    let parts: Vec<&str> = s.split('|').map(js::trim).collect();
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
            let key = js::trim(&p[..idx]);
            let val = js::trim(&p[idx + 1..]);
            let value = if val == "true" {
                Value::Bool(true)
            } else if val == "false" {
                Value::Bool(false)
            } else {
                let n = js::string_to_number(val);
                if n.is_nan() {
                    Value::String(val.into())
                } else {
                    js::number_value(n)
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
pub(super) fn resolve(v: &Value) -> Result<Map<String, Value>, String> {
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
        if js::truthy(&t) {
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

/// `JSON.parse(JSON.stringify(v))` for schema values (sentinels become `null`).
pub(super) fn json_literal(v: &Value) -> Value {
    match v {
        Value::String(s) if s == js::INF_POS || s == js::INF_NEG => Value::Null,
        Value::Array(a) => Value::Array(a.iter().map(json_literal).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), json_literal(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `value.$$type && value.$$type.includes(word)`
pub(super) fn type_includes(t: Option<&Value>, word: &str) -> Result<bool, String> {
    match t {
        None => Ok(false),
        Some(v) if !js::truthy(v) => Ok(false),
        Some(Value::String(s)) => Ok(s.contains(word)),
        Some(Value::Array(a)) => Ok(a.iter().any(|x| x.as_str() == Some(word))),
        Some(_) => Err("value.$$type.includes is not a function".into()),
    }
}

pub(super) fn preprocess(
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
