//! The compiled rule tree: a schema value becomes a [`Rule`] (the `required` /
//! `optional` / `default` wrapper) around a [`Kind`] (the rule family and its
//! parameters). Family-specific compilation lives beside each family's check.

use super::*;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[derive(Debug, Clone)]
pub(super) struct NumParam {
    pub(super) num: f64,
    pub(super) is_bool: bool,
    pub(super) exp: Exp,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Any,
    Array(Box<ArrayRule>),
    Boolean {
        convert: bool,
    },
    Currency(Box<RegExp>),
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
pub(super) struct Rule {
    pub(super) kind: Kind,
    pub(super) skip_undef: bool,
    pub(super) skip_null: bool,
    pub(super) default: Option<Value>,
    pub(super) msgs: Msgs,
    /// the rule's `label` (only read for object properties)
    pub(super) label: Option<String>,
    /// the rule reads `parent` (equal with `field`, possibly through multi/array/tuple)
    pub(super) needs_parent: bool,
}

pub(super) fn is_true(s: &Map<String, Value>, k: &str) -> bool {
    s.get(k) == Some(&Value::Bool(true))
}

pub(super) fn is_false(s: &Map<String, Value>, k: &str) -> bool {
    s.get(k) == Some(&Value::Bool(false))
}

pub(super) fn truthy_key(s: &Map<String, Value>, k: &str) -> bool {
    s.get(k).is_some_and(js::truthy)
}

pub(super) fn present<'a>(s: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    s.get(k).filter(|v| !v.is_null())
}

pub(super) fn bad_param(key: &str, v: &Value) -> String {
    format!(
        "Invalid '{}' value '{}' in validator schema.",
        key,
        js::to_string(v)
    )
}

/// A numeric rule parameter that fastest-validator pastes into generated code.
pub(super) fn num_param(s: &Map<String, Value>, key: &str) -> Result<Option<NumParam>, String> {
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
    if let Some(f) = js::as_number(v) {
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
                disp: js::number_to_string(f),
            },
        }));
    }
    if let Value::String(st) = v {
        let f = js::string_to_number(st);
        if !f.is_nan() {
            return Ok(Some(NumParam {
                num: f,
                is_bool: false,
                exp: Exp {
                    json: js::number_to_json(f),
                    disp: js::number_to_string(f),
                },
            }));
        }
    }
    Err(bad_param(key, v))
}

/// Bounds the recursion over (pathologically) deep schemas; JavaScript would throw
/// a RangeError much later, Rust would overflow its stack.
pub(super) struct DepthGuard;

impl DepthGuard {
    pub(super) fn enter() -> Result<DepthGuard, String> {
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

pub(super) fn build(v: &Value, label_ctx: bool) -> Result<Rule, String> {
    let _guard = DepthGuard::enter()?;
    let s = resolve(v)?;
    let label = if label_ctx {
        match s.get("label") {
            Some(l) if js::truthy(l) => match l {
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

pub(super) fn compile_schema(
    s: &Map<String, Value>,
    label: Option<String>,
) -> Result<Rule, String> {
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
                expected: quoted(&js::join(values, ", "))?,
            }
        }
        "equal" => {
            let strict = truthy_key(s, "strict");
            let mode = match s.get("field") {
                Some(f) if js::truthy(f) => {
                    let key = js::eval_string_literal(&js::to_string(f))?;
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
                .filter(|v| js::truthy(v))
                .cloned()
                .unwrap_or(Value::String("string".into()));
            let val_v = s
                .get("value")
                .filter(|v| js::truthy(v))
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
                    let pi = js::parse_int(&js::to_string(v));
                    if pi < 9.0 {
                        let f = match v {
                            Value::Number(_) => js::as_number(v).unwrap_or(f64::NAN),
                            Value::String(st) => js::string_to_number(st),
                            _ => f64::NAN,
                        };
                        if f.is_nan() {
                            return Err(bad_param("version", v));
                        }
                        Some((
                            f,
                            Exp {
                                json: js::number_to_json(f),
                                disp: js::number_to_string(f),
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

pub(super) fn enum_list(s: &Map<String, Value>) -> Result<Option<(Vec<Value>, Exp)>, String> {
    match present(s, "enum") {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some((
            a.iter().map(json_literal).collect(),
            quoted(&js::join(a, ", "))?,
        ))),
        Some(_) => Err("schema.enum.join is not a function".into()),
    }
}
