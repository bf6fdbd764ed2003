//! No input, schema or text, makes the validator (or the JS helpers it uses) panic
//! or overflow its stack.

use super::test_support::*;
use super::*;
use crate::engine::js;
use serde_json::json;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

#[test]
fn fuzz_rule_strings_never_panic() {
    let types = [
        "string",
        "number",
        "boolean",
        "email",
        "url",
        "uuid",
        "date",
        "array",
        "object",
        "any",
        "equal",
        "enum",
        "currency",
        "forbidden",
        "secret",
        "secretAny",
        "secretNumber",
        "string[]",
        "number[]",
        "mac",
        "luhn",
        "record",
        "tuple",
        "multi",
        "custom",
        "function",
        "class",
        "objectID",
        "json",
        "",
        "[]",
        "toString",
    ];
    let flags = [
        "optional",
        "nullable",
        "convert:true",
        "min:2",
        "max:5",
        "length:3",
        "min:-1",
        "max:abc",
        "pattern:^a.*$",
        "pattern:(",
        "pattern:[",
        "pattern:a{2,1}",
        "patternFlags:gi",
        "patternFlags:zz",
        "default:x",
        "default:5",
        "default:",
        "trim",
        "no-trim",
        "empty:false",
        "empty",
        "integer",
        "positive",
        "negative",
        "equal:3",
        "notEqual:1",
        "items:string",
        "items:number",
        "items:bogus",
        "unique",
        "contains:a",
        "enum:a",
        "values:a",
        "value:yes",
        "strict",
        "field:x",
        "mode:precise",
        "version:4",
        "version:x",
        "currencySymbol:$",
        "thousandSeparator:(",
        "padStart:4",
        "padChar:0",
        "lowercase",
        "uppercase",
        "numeric",
        "alpha",
        "hex",
        "base64",
        "singleLine",
        "label:L",
        "label",
        "messages:x",
        "remove",
        "key:string",
        "value:number",
        "minProps:1",
        "maxProps:1",
        "$$type:x",
        ":",
        "::",
        "|",
        "no-",
        "rules:ab",
        "props:x",
        "min:Infinity",
        "pattern:\\1(a)",
        "pattern:(?=a)b",
        "pattern:^(?=a)",
        "pattern:\\u{",
        "pattern:\\c",
        "pattern:\\k<a>",
    ];
    let values = [
        json!(null),
        json!(""),
        json!(" a "),
        json!("abc"),
        json!(0),
        json!(-1.5),
        json!(1e300),
        json!(true),
        json!([]),
        json!([1, "a", null]),
        json!({}),
        json!({"a": 1}),
        json!({"$date": "2024-01-01T00:00:00Z"}),
        json!({"$date": "nope"}),
        json!("2024-02-29"),
        json!("1,234.56"),
        json!("0x10"),
        json!("😀\n"),
    ];
    let mut rng = Lcg(0x5eed);
    let mut compiled = 0;
    for _ in 0..3000 {
        let mut rule = rng.pick(&types).to_string();
        for _ in 0..(rng.next() % 4) {
            rule.push('|');
            rule.push_str(rng.pick(&flags));
        }
        if rng.next().is_multiple_of(5) {
            // random bytes
            let n = rng.next() % 12;
            for _ in 0..n {
                let c = char::from_u32((rng.next() % 0x80) as u32).unwrap_or('x');
                rule.push(c);
            }
        }
        let schema = if rng.next().is_multiple_of(4) {
            json!({ "f": [rule.clone(), rng.pick(&types)] })
        } else if rng.next().is_multiple_of(6) {
            json!({ "f": { "$$type": rule.clone(), "g": rule.clone() } })
        } else {
            json!({ "f": rule.clone() })
        };
        let Ok(v) = Validator::compile(&attrs(schema), rng.next().is_multiple_of(2)) else {
            continue;
        };
        compiled += 1;
        for val in &values {
            let mut m = Map::new();
            m.insert("f".into(), val.clone());
            m.insert("extra".into(), json!(1));
            let errs = v.validate(&mut m);
            for e in errs {
                let _ = e.to_json();
            }
        }
        let mut empty = Map::new();
        let _ = v.validate(&mut empty);
    }
    assert!(compiled > 500, "too few schemas compiled: {}", compiled);
}

#[test]
fn deep_schemas_and_patterns_do_not_overflow() {
    let mut a = json!("string");
    for _ in 0..300 {
        a = json!({ "x": a });
    }
    let mut m = Map::new();
    m.insert("f".into(), a);
    assert_eq!(
        Validator::compile(&m, false).err().as_deref(),
        Some("Maximum call stack size exceeded")
    );
    let mut arr = json!("string");
    for _ in 0..300 {
        arr = json!([arr]);
    }
    assert!(Validator::compile(&attrs(json!({ "f": arr })), false).is_err());
    let deep = format!("string|pattern:{}a{}", "(".repeat(5000), ")".repeat(5000));
    assert!(Validator::compile(&attrs(json!({ "f": deep })), false).is_err());
    // moderately deep schemas work
    let mut a = json!("string");
    for _ in 0..50 {
        a = json!({ "x": a });
    }
    assert!(Validator::compile(&attrs(json!({ "f": a })), false).is_ok());
    // the depth counter is released after errors
    assert!(Validator::compile(&attrs(json!({ "f": "string" })), false).is_ok());
}

#[test]
fn fuzz_random_text_never_panics() {
    let mut rng = Lcg(42);
    let alphabet: Vec<char> = "|:[](){}\\^$.*+?-,/0123456789abcdefxyzTZ+- \t\n\"'é😀"
        .chars()
        .collect();
    for _ in 0..4000 {
        let n = (rng.next() % 24) as usize;
        let s: String = (0..n)
            .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
            .collect();
        let _ = js::parse_date(&s);
        let _ = js::string_to_number(&s);
        let _ = js::eval_string_literal(&s);
        if let Ok(r) = RegExp::new(&s, "") {
            let _ = r.test(&s);
        }
        let _ = Validator::compile(&attrs(json!({ "f": s.clone() })), false);
        let _ = Validator::compile(
            &attrs(json!({ "f": format!("string|pattern:{}", s) })),
            false,
        );
        let v = single("date|convert:true");
        let mut m = attrs(json!({ "f": s }));
        let _ = v.validate(&mut m);
    }
}
