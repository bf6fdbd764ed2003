//! Errors as collected during validation, rendered at the end like the generated
//! JavaScript does (`expected`/`actual` kept as values until then).

use super::*;

/// An `expected` value: its JSON form and its `String(x)` form for messages.
#[derive(Debug, Clone)]
pub(super) struct Exp {
    pub(super) json: Value,
    pub(super) disp: String,
}

impl Exp {
    pub(super) fn of(v: Value) -> Exp {
        let disp = if v.is_null() {
            String::new()
        } else {
            js::to_string(&v)
        };
        Exp { json: v, disp }
    }
    pub(super) fn text(s: String) -> Exp {
        Exp {
            json: Value::String(s.clone()),
            disp: s,
        }
    }
}

#[derive(Debug)]
pub(super) struct Pending {
    pub(super) kind: String,
    pub(super) template: String,
    pub(super) field: String,
    pub(super) label: Option<String>,
    pub(super) expected: Option<Exp>,
    pub(super) actual: Option<Value>,
}

impl Pending {
    pub(super) fn render(self) -> ValidationError {
        // `err.label || err.field`, then {expected}, then {actual}; `undefined`/`null` render as ""
        let f = match &self.label {
            Some(l) if !l.is_empty() => l.as_str(),
            _ => self.field.as_str(),
        };
        let m = js::replace(&self.template, "{field}", f, true);
        let e = self
            .expected
            .as_ref()
            .map(|e| e.disp.clone())
            .unwrap_or_default();
        let m = js::replace(&m, "{expected}", &e, true);
        let a = match &self.actual {
            None | Some(Value::Null) => String::new(),
            Some(v) => js::to_string(v),
        };
        let m = js::replace(&m, "{actual}", &a, true);
        ValidationError {
            kind: self.kind,
            message: m,
            field: self.field,
            expected: self.expected.map(|e| e.json),
            actual: self.actual,
        }
    }
}

pub(super) fn pend(
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

/// `'"' + text + '"'` pasted into code.
pub(super) fn quoted(text: &str) -> Result<Exp, String> {
    Ok(Exp::text(js::eval_string_literal(text)?))
}
