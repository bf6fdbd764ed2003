//! The `string` family and the string formats: `string` (sanitizers, length,
//! pattern, the character-class flags), `email`, `url`, `uuid`, `mac`, `currency`.
//! Built-in patterns are fastest-validator's, compiled once as JavaScript regexes.

use super::*;

#[derive(Debug, Clone)]
pub(super) enum Sanitizer {
    Trim,
    TrimLeft,
    TrimRight,
    PadStart(f64, String),
    PadEnd(f64, String),
    Lower,
    Upper,
}

#[derive(Debug, Clone)]
pub(super) struct StringRule {
    pub(super) convert: bool,
    pub(super) sanitizers: Vec<Sanitizer>,
    pub(super) empty: Option<bool>,
    pub(super) min: Option<NumParam>,
    pub(super) max: Option<NumParam>,
    pub(super) length: Option<NumParam>,
    pub(super) pattern: Option<(RegExp, Exp)>,
    pub(super) contains: Option<String>,
    pub(super) enum_: Option<(Vec<Value>, Exp)>,
    pub(super) numeric: bool,
    pub(super) alpha: bool,
    pub(super) alphanum: bool,
    pub(super) alphadash: bool,
    pub(super) hex: bool,
    pub(super) single_line: bool,
    pub(super) base64: bool,
}

#[derive(Debug, Clone)]
pub(super) struct EmailRule {
    pub(super) empty: bool,
    pub(super) normalize: bool,
    pub(super) precise: bool,
    pub(super) min: Option<NumParam>,
    pub(super) max: Option<NumParam>,
}

pub(super) fn pad_fill(s: &Map<String, Value>) -> String {
    match present(s, "padChar") {
        Some(v) => js::to_string(&json_literal(v)),
        None => " ".into(),
    }
}

pub(super) fn compile_string(s: &Map<String, Value>) -> Result<Kind, String> {
    let mut sanitizers = Vec::new();
    if truthy_key(s, "trim") {
        sanitizers.push(Sanitizer::Trim);
    }
    if truthy_key(s, "trimLeft") {
        sanitizers.push(Sanitizer::TrimLeft);
    }
    if truthy_key(s, "trimRight") {
        sanitizers.push(Sanitizer::TrimRight);
    }
    if truthy_key(s, "padStart") {
        let n = num_param(s, "padStart")?.map(|p| p.num).unwrap_or(0.0);
        sanitizers.push(Sanitizer::PadStart(n, pad_fill(s)));
    }
    if truthy_key(s, "padEnd") {
        let n = num_param(s, "padEnd")?.map(|p| p.num).unwrap_or(0.0);
        sanitizers.push(Sanitizer::PadEnd(n, pad_fill(s)));
    }
    if truthy_key(s, "lowercase") {
        sanitizers.push(Sanitizer::Lower);
    }
    if truthy_key(s, "uppercase") {
        sanitizers.push(Sanitizer::Upper);
    }
    if truthy_key(s, "localeLowercase") {
        sanitizers.push(Sanitizer::Lower);
    }
    if truthy_key(s, "localeUppercase") {
        sanitizers.push(Sanitizer::Upper);
    }
    let empty = match s.get("empty") {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    let min = num_param(s, "min")?;
    let max = num_param(s, "max")?;
    let length = num_param(s, "length")?;
    let pattern = match present(s, "pattern") {
        None => None,
        Some(Value::String(src)) => {
            let flags = match s.get("patternFlags") {
                None => String::new(),
                Some(f) => js::to_string(f),
            };
            js::check_flags(&flags)?;
            let re = RegExp::new(src, &flags)?;
            let text = js::regexp_to_string(src, &flags).replace('"', "\\\"");
            Some((re, quoted(&text)?))
        }
        Some(other) => {
            // `${pattern}.test(value)` in generated code
            let text = js::to_string(other);
            return Err(
                if other.is_number() && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                    "Invalid or unexpected token".into()
                } else {
                    format!("{}.test is not a function", text)
                },
            );
        }
    };
    let contains = match present(s, "contains") {
        None => None,
        Some(v) => Some(js::eval_string_literal(&js::to_string(v))?),
    };
    let enum_ = enum_list(s)?;
    Ok(Kind::String(Box::new(StringRule {
        convert: is_true(s, "convert"),
        sanitizers,
        empty,
        min,
        max,
        length,
        pattern,
        contains,
        enum_,
        numeric: is_true(s, "numeric"),
        alpha: is_true(s, "alpha"),
        alphanum: is_true(s, "alphanum"),
        alphadash: is_true(s, "alphadash"),
        hex: is_true(s, "hex"),
        single_line: is_true(s, "singleLine"),
        base64: is_true(s, "base64"),
    })))
}

pub(super) fn compile_currency(s: &Map<String, Value>) -> Result<Kind, String> {
    let symbol = s
        .get("currencySymbol")
        .filter(|v| js::truthy(v))
        .map(js::to_string);
    let thousand = s
        .get("thousandSeparator")
        .filter(|v| js::truthy(v))
        .map(js::to_string)
        .unwrap_or_else(|| ",".into());
    let decimal = s
        .get("decimalSeparator")
        .filter(|v| js::truthy(v))
        .map(js::to_string)
        .unwrap_or_else(|| ".".into());
    let mandatory = !truthy_key(s, "symbolOptional");
    if let Some(custom) = s.get("customRegex").filter(|v| js::truthy(v)) {
        // pasted into code as a regex literal
        let text = js::to_string(custom);
        let re = text
            .strip_prefix('/')
            .and_then(|rest| rest.rfind('/').map(|i| (&rest[..i], &rest[i + 1..])))
            .ok_or_else(|| format!("Unsupported customRegex '{}' in validator schema.", text))?;
        return Ok(Kind::Currency(Box::new(RegExp::new(re.0, re.1)?)));
    }
    let sym = match &symbol {
        Some(sy) => format!("\\{}{}", sy, if mandatory { "" } else { "?" }),
        None => String::new(),
    };
    let src = js::replace(SRC_CURRENCY, "~1", &sym, true);
    let src = js::replace(&src, "~2", &thousand, false);
    let src = js::replace(&src, "~3", &decimal, false);
    Ok(Kind::Currency(Box::new(RegExp::new(&src, "")?)))
}

pub(super) fn run_string(
    s: &StringRule,
    v: &mut Value,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    let mut ret = Ret::Same;
    if s.convert && !v.is_string() {
        *v = Value::String(js::to_string(v));
        ret = Ret::New;
    }
    let Value::String(orig) = &*v else {
        err(errors, "string", None, Some(v.clone()));
        return ret;
    };
    let orig_value = Value::String(orig.clone());
    let mut val = orig.clone();
    for san in &s.sanitizers {
        val = match san {
            Sanitizer::Trim => js::trim(&val).to_string(),
            Sanitizer::TrimLeft => val.trim_start_matches(js::is_whitespace).to_string(),
            Sanitizer::TrimRight => val.trim_end_matches(js::is_whitespace).to_string(),
            Sanitizer::PadStart(n, fill) => js::pad(&val, *n, fill, true),
            Sanitizer::PadEnd(n, fill) => js::pad(&val, *n, fill, false),
            Sanitizer::Lower => val.to_lowercase(),
            Sanitizer::Upper => val.to_uppercase(),
        };
    }
    let len = js::utf16_len(&val);
    let lenf = len as f64;
    if len == 0 {
        match s.empty {
            Some(false) => err(
                errors,
                "stringEmpty",
                None,
                Some(Value::String(val.clone())),
            ),
            Some(true) => {
                *v = Value::String(val);
                return ret;
            }
            None => {}
        }
    }
    if let Some(p) = &s.min {
        if lenf < p.num {
            err(
                errors,
                "stringMin",
                Some(p.exp.clone()),
                Some(Value::from(len)),
            );
        }
    }
    if let Some(p) = &s.max {
        if lenf > p.num {
            err(
                errors,
                "stringMax",
                Some(p.exp.clone()),
                Some(Value::from(len)),
            );
        }
    }
    if let Some(p) = &s.length {
        if p.is_bool || lenf != p.num {
            err(
                errors,
                "stringLength",
                Some(p.exp.clone()),
                Some(Value::from(len)),
            );
        }
    }
    if let Some((re, exp)) = &s.pattern {
        if !re.test(&val) {
            err(
                errors,
                "stringPattern",
                Some(exp.clone()),
                Some(orig_value.clone()),
            );
        }
    }
    if let Some(c) = &s.contains {
        if !val.contains(c.as_str()) {
            err(
                errors,
                "stringContains",
                Some(Exp::text(c.clone())),
                Some(orig_value.clone()),
            );
        }
    }
    if let Some((vals, exp)) = &s.enum_ {
        let sv = Value::String(val.clone());
        if !vals.iter().any(|e| js::strict_eq(&sv, e)) {
            err(
                errors,
                "stringEnum",
                Some(exp.clone()),
                Some(orig_value.clone()),
            );
        }
    }
    let checks: [(bool, &Builtin, &str); 4] = [
        (s.numeric, &NUMERIC, "stringNumeric"),
        (s.alpha, &ALPHA, "stringAlpha"),
        (s.alphanum, &ALPHANUM, "stringAlphanum"),
        (s.alphadash, &ALPHADASH, "stringAlphadash"),
    ];
    for (on, pattern, kind) in checks {
        if on && !pattern.test(&val) {
            err(errors, kind, None, Some(orig_value.clone()));
        }
    }
    if s.hex && (!len.is_multiple_of(2) || !HEX.test(&val)) {
        err(errors, "stringHex", None, Some(orig_value.clone()));
    }
    if s.single_line && val.contains('\n') {
        err(errors, "stringSingleLine", None, None);
    }
    if s.base64 && !BASE64.test(&val) {
        err(errors, "stringBase64", None, Some(orig_value));
    }
    *v = Value::String(val);
    ret
}

pub(super) const SRC_CURRENCY: &str =
    r"(?=.*\d)^(-?~1|~1-?)(([0-9]\d{0,2}(~2\d{3})*)|0)?(\~3\d{1,2})?$";

#[cfg(test)]
mod tests {
    use crate::engine::schema::validator::test_support::*;
    use serde_json::json;

    #[test]
    fn strings() {
        expect_errors(
            &single("string|max:5"),
            json!({"f": "abcdef"}),
            r#"[{"type":"stringMax","message":"The 'f' field length must be less than or equal to 5 characters long.","field":"f","expected":5,"actual":6}]"#,
        );
        expect_valid(
            &single("string|min:2|max:5"),
            json!({"f": "  ab  "}),
            json!({"f": "ab"}),
        );
        expect_valid(
            &single("string|no-trim"),
            json!({"f": "  ab  "}),
            json!({"f": "  ab  "}),
        );
        expect_errors(
            &single("string|empty:false"),
            json!({"f": "   "}),
            r#"[{"type":"stringEmpty","message":"The 'f' field must not be empty.","field":"f","actual":""}]"#,
        );
        expect_valid(
            &single("string|optional"),
            json!({"f": ""}),
            json!({"f": ""}),
        );
        expect_valid(
            &single("string|empty|min:3"),
            json!({"f": ""}),
            json!({"f": ""}),
        );
        expect_errors(
            &single("string|pattern:^[a-z]+$"),
            json!({"f": " AB "}),
            r#"[{"type":"stringPattern","message":"The 'f' field fails to match the required pattern.","field":"f","expected":"/^[a-z]+$/","actual":" AB "}]"#,
        );
        expect_valid(
            &single("string|pattern:^[a-z]+$|patternFlags:i"),
            json!({"f": "AB"}),
            json!({"f": "AB"}),
        );
        // the pattern text is pasted into a string literal: backslashes are consumed
        expect_errors(
            &single(r"string|pattern:^\d+$"),
            json!({"f": "12a"}),
            r#"[{"type":"stringPattern","message":"The 'f' field fails to match the required pattern.","field":"f","expected":"/^d+$/","actual":"12a"}]"#,
        );
        expect_valid(
            &single(r"string|pattern:^\d+$"),
            json!({"f": "123"}),
            json!({"f": "123"}),
        );
        expect_errors(
            &single("string|length:3"),
            json!({"f": "ab"}),
            r#"[{"type":"stringLength","message":"The 'f' field length must be 3 characters long.","field":"f","expected":3,"actual":2}]"#,
        );
        expect_errors(
            &single("string|contains:foo"),
            json!({"f": "bar"}),
            r#"[{"type":"stringContains","message":"The 'f' field must contain the 'foo' text.","field":"f","expected":"foo","actual":"bar"}]"#,
        );
        assert_eq!(
            kinds(&single("string|numeric"), json!({"f": "-12.5"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|numeric"), json!({"f": "12."})),
            vec!["stringNumeric"]
        );
        assert_eq!(
            kinds(&single("string|alpha"), json!({"f": "ab1"})),
            vec!["stringAlpha"]
        );
        assert_eq!(
            kinds(&single("string|alphanum"), json!({"f": "ab1_"})),
            vec!["stringAlphanum"]
        );
        assert_eq!(
            kinds(&single("string|alphadash"), json!({"f": "ab1_-"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|hex"), json!({"f": "abc"})),
            vec!["stringHex"]
        );
        assert_eq!(
            kinds(&single("string|hex"), json!({"f": "ab0F"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|base64"), json!({"f": "aGVsbG8="})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|base64"), json!({"f": "aGVsbG8"})),
            vec!["stringBase64"]
        );
        expect_errors(
            &single("string|singleLine"),
            json!({"f": "a\nb"}),
            r#"[{"type":"stringSingleLine","message":"The 'f' field must be a single line string.","field":"f"}]"#,
        );
        expect_valid(
            &single("string|lowercase"),
            json!({"f": " ÀB "}),
            json!({"f": "àb"}),
        );
        expect_valid(
            &single("string|uppercase:true"),
            json!({"f": "straße"}),
            json!({"f": "STRASSE"}),
        );
        expect_valid(
            &single("string|padStart:5|padChar:0"),
            json!({"f": "42"}),
            json!({"f": "00042"}),
        );
        expect_valid(
            &single("string|padEnd:4"),
            json!({"f": "ab"}),
            json!({"f": "ab  "}),
        );
        expect_valid(
            &single("string|convert:true"),
            json!({"f": 1.5}),
            json!({"f": "1.5"}),
        );
        expect_valid(
            &single("string|convert:true"),
            json!({"f": [1, null, "a"]}),
            json!({"f": "1,,a"}),
        );
        // length counts UTF-16 units, after trimming
        assert_eq!(
            kinds(&single("string|max:2"), json!({"f": " 😀 "})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("string|max:1"), json!({"f": "😀"})),
            vec!["stringMax"]
        );
        // object-form string rule with enum
        let v = single_multi(json!([{"type": "string", "enum": ["a", "b"]}]));
        expect_errors(
            &v,
            json!({"f": "c"}),
            r#"[{"type":"stringEnum","message":"The 'f' field does not match any of the allowed values.","field":"f","expected":"a, b","actual":"c"}]"#,
        );
    }

    #[test]
    fn lookahead_patterns() {
        let v = single(r"string|pattern:^(?=.*[A-Z])(?=.*\d).{8,}$");
        assert_eq!(kinds(&v, json!({"f": "Password1"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": "password1"})), vec!["stringPattern"]);
        assert_eq!(kinds(&v, json!({"f": "Passwordx"})), vec!["stringPattern"]);
        assert_eq!(kinds(&v, json!({"f": "Pa1"})), vec!["stringPattern"]);
        let v = single(r"string|pattern:^(?!admin).*$");
        assert_eq!(kinds(&v, json!({"f": "user"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": "admin1"})), vec!["stringPattern"]);
        // backreferences and lookarounds anywhere (JavaScript regexes on `regress`)
        let v = single(r"string|pattern:^(a)\1$");
        assert_eq!(kinds(&v, json!({"f": "aa"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": "ab"})), vec!["stringPattern"]);
        let v = single(r"string|pattern:a(?=b)");
        assert_eq!(kinds(&v, json!({"f": "xab"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": "ac"})), vec!["stringPattern"]);
        let v = single(r"string|pattern:(?<=a)b");
        assert_eq!(kinds(&v, json!({"f": "ab"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": "cb"})), vec!["stringPattern"]);
    }

    #[test]
    fn emails() {
        let v = single("email");
        assert_eq!(kinds(&v, json!({"f": "a@b.co"})), Vec::<String>::new());
        assert_eq!(kinds(&v, json!({"f": " a@b.co "})), vec!["email"]);
        assert_eq!(kinds(&v, json!({"f": "a@b"})), vec!["email"]);
        expect_errors(
            &single("email|optional"),
            json!({"f": ""}),
            r#"[{"type":"emailEmpty","message":"The 'f' field must not be empty.","field":"f","actual":""}]"#,
        );
        assert_eq!(
            kinds(&single("email|optional"), json!({})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&single("email|empty"), json!({"f": ""})),
            Vec::<String>::new()
        );
        let p = single("email|mode:precise");
        assert_eq!(
            kinds(&p, json!({"f": "john.doe@example.com"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&p, json!({"f": "john@[127.0.0.1]"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&p, json!({"f": "john..doe@example.com"})),
            vec!["email"]
        );
        assert_eq!(kinds(&p, json!({"f": "a@b.c"})), vec!["email"]);
        assert_eq!(kinds(&v, json!({"f": "a@b.c"})), Vec::<String>::new());
        expect_valid(
            &single("email|normalize"),
            json!({"f": " A@B.CO "}),
            json!({"f": "a@b.co"}),
        );
        assert_eq!(
            kinds(&single("email|min:10"), json!({"f": "a@b.co"})),
            vec!["emailMin"]
        );
    }

    #[test]
    fn urls_uuids_currency() {
        let u = single("url");
        assert_eq!(
            kinds(&u, json!({"f": "https://x.io/a"})),
            Vec::<String>::new()
        );
        assert_eq!(kinds(&u, json!({"f": "ftp://x"})), vec!["url"]);
        assert_eq!(kinds(&u, json!({"f": "http:// x"})), vec!["url"]);
        assert_eq!(
            kinds(&single("url|optional"), json!({"f": ""})),
            vec!["urlEmpty"]
        );
        assert_eq!(
            messages(&u, json!({"f": 1})),
            vec!["The 'f' field must be a string."]
        );

        let id = single("uuid");
        assert_eq!(
            kinds(&id, json!({"f": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&id, json!({"f": "00000000-0000-0000-0000-000000000000"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&id, json!({"f": "a0eebc99-9c0b-4ef8-cb6d-6bb9bd380a11"})),
            vec!["uuid"]
        );
        assert_eq!(
            kinds(&id, json!({"f": "a0eebc99-9c0b-9ef8-bb6d-6bb9bd380a11"})),
            vec!["uuid"]
        );
        expect_errors(
            &single("uuid|version:4"),
            json!({"f": "a0eebc99-9c0b-1ef8-bb6d-6bb9bd380a11"}),
            r#"[{"type":"uuidVersion","message":"The 'f' field must be a valid UUID version provided.","field":"f","expected":4,"actual":1}]"#,
        );

        let c = single("currency");
        for ok in ["12.99", "1,234.56", "-5", "0.5", "123"] {
            assert_eq!(
                kinds(&c, json!({ "f": ok })),
                Vec::<String>::new(),
                "{}",
                ok
            );
        }
        for bad in ["12.999", "abc", "1,23", "$12", "", "1234"] {
            assert_eq!(kinds(&c, json!({ "f": bad })), vec!["currency"], "{}", bad);
        }
        assert_eq!(
            messages(&c, json!({"f": "x"})),
            vec!["The 'f' must be a valid currency format"]
        );
        let d = single("currency|currencySymbol:$");
        assert_eq!(kinds(&d, json!({"f": "$12.99"})), Vec::<String>::new());
        assert_eq!(kinds(&d, json!({"f": "12.99"})), vec!["currency"]);
        let o = single("currency|currencySymbol:$|symbolOptional:true");
        assert_eq!(kinds(&o, json!({"f": "12.99"})), Vec::<String>::new());
    }

    #[test]
    fn mac_luhn() {
        let m = single("mac");
        assert_eq!(
            kinds(&m, json!({"f": "01:C8:95:4B:65:FE"})),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&m, json!({"f": "01C8.954B.65FE"})),
            Vec::<String>::new()
        );
        assert_eq!(kinds(&m, json!({"f": "01:C8:95:4B:65"})), vec!["mac"]);
        let l = single("luhn");
        assert_eq!(
            kinds(&l, json!({"f": "4242 4242 4242 4242"})),
            Vec::<String>::new()
        );
        assert_eq!(kinds(&l, json!({"f": "4242424242424241"})), vec!["luhn"]);
    }

    #[test]
    fn label_is_substituted_like_string_replace() {
        // the label goes through `String.prototype.replace`: `$&` is the matched `{field}`
        let v = single("string|min:2|label:$&");
        assert_eq!(
            messages(&v, json!({"f": "a"})),
            vec!["The '{field}' field length must be greater than or equal to 2 characters long."]
        );
    }
}
