//! Validation: the `required` wrapper ([`check`]) and the dispatch of a value to its
//! rule family ([`run`]). Each family's check lives in its module (`string`,
//! `formats`, `number`, `date`, `array`, `object`, `other`); only `any`,
//! `function` and `forbidden` (one line each) are checked here.

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
        Kind::Boolean { convert } => run_boolean(*convert, v, errors, &err),
        Kind::Number(n) => run_number(n, v, errors, &err),
        Kind::String(s) => run_string(s, v, errors, &err),
        Kind::Date { convert } => run_date(*convert, v, errors, &err),
        Kind::Email(e) => run_email(e, v, errors, &err),
        Kind::Url { empty } => run_url(*empty, v, errors, &err),
        Kind::Uuid { version } => run_uuid(version.as_ref(), v, errors, &err),
        Kind::Mac => run_mac(v, errors, &err),
        Kind::Luhn => run_luhn(v, errors, &err),
        Kind::Currency(re) => run_currency(re, v, errors, &err),
        Kind::Enum { values, expected } => run_enum(values, expected, v, errors, &err),
        Kind::Equal { mode, strict } => run_equal(mode, *strict, v, parent, errors, &err),
        Kind::Multi(alts) => run_multi(alts, v, field, label, parent, errors),
        Kind::Array(a) => run_array(a, rule, v, field, label, parent, errors),
        Kind::Tuple {
            empty_false,
            empty_not_false,
            items,
        } => run_tuple(
            *empty_false,
            *empty_not_false,
            items.as_deref(),
            v,
            field,
            label,
            parent,
            errors,
            &err,
        ),
        Kind::Object(o) => run_object(o, rule, v, field, label, errors),
        Kind::Record(kv) => run_record(kv, v, field, label, errors, &err),
    }
}
