//! JavaScript number semantics: `Number.prototype.toString`, StringToNumber,
//! `parseInt`, and numbers as JSON values.

use crate::engine::js;
use serde_json::{Number, Value};

/// A number as it appears in data: integral values as JSON integers, NaN/±Infinity as `null`
/// (what `JSON.stringify` would give).
pub fn number_to_json(f: f64) -> Value {
    if !f.is_finite() {
        Value::Null
    } else if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// JavaScript `Number.prototype.toString()` (shortest round-trip digits, JS exponent rules).
pub fn number_to_string(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let s = format!("{:e}", f.abs());
    let Some((mant, exp)) = s.split_once('e') else {
        return s;
    };
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i64;
    let n = exp + 1;
    let body = if k <= n && n <= 21 {
        format!("{}{}", digits, "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{}", "0".repeat((-n) as usize), digits)
    } else {
        let e = n - 1;
        let sign = if e >= 0 { "+" } else { "-" };
        if k == 1 {
            format!("{}e{}{}", digits, sign, e.abs())
        } else {
            format!("{}.{}e{}{}", &digits[..1], &digits[1..], sign, e.abs())
        }
    };
    if f < 0.0 {
        format!("-{}", body)
    } else {
        body
    }
}

/// ECMAScript StringToNumber.
pub fn string_to_number(s: &str) -> f64 {
    let t = js::trim(s);
    if t.is_empty() {
        return 0.0;
    }
    match t {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    let b = t.as_bytes();
    if b.len() > 2 && b[0] == b'0' {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            let mut acc = 0.0f64;
            for c in t[2..].chars() {
                match c.to_digit(radix) {
                    Some(d) => acc = acc * f64::from(radix) + f64::from(d),
                    None => return f64::NAN,
                }
            }
            return acc;
        }
    }
    // StrDecimalLiteral
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut ndig = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let fs = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        ndig += i - fs;
    }
    if ndig == 0 {
        return f64::NAN;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let es = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == es {
            return f64::NAN;
        }
    }
    if i != b.len() {
        return f64::NAN;
    }
    // Rust's parser accepts every string of this grammar except a bare trailing/leading '.'
    let mut norm = t.to_string();
    if let Some(p) = norm.find('.') {
        let after = norm.as_bytes().get(p + 1).copied();
        if !matches!(after, Some(c) if c.is_ascii_digit()) {
            norm.insert(p + 1, '0');
        }
        let before = if p == 0 {
            None
        } else {
            norm.as_bytes().get(p - 1).copied()
        };
        if !matches!(before, Some(c) if c.is_ascii_digit()) {
            norm.insert(p, '0');
        }
    }
    norm.parse::<f64>().unwrap_or(f64::NAN)
}

/// JavaScript `parseInt(s)` (radix 10 or the `0x` prefix).
pub fn parse_int(s: &str) -> f64 {
    let t = s.trim_start_matches(js::is_whitespace);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, t) = if t.starts_with("0x") || t.starts_with("0X") {
        (16, &t[2..])
    } else {
        (10, t)
    };
    let mut acc = 0.0;
    let mut any = false;
    for c in t.chars() {
        match c.to_digit(radix) {
            Some(d) => {
                acc = acc * f64::from(radix) + f64::from(d);
                any = true;
            }
            None => break,
        }
    }
    if !any {
        return f64::NAN;
    }
    if neg {
        -acc
    } else {
        acc
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::js;

    #[test]
    fn js_number_formatting() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (18.0, "18"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123456789.123, "123456789.123"),
            (f64::INFINITY, "Infinity"),
            (f64::NAN, "NaN"),
            (5e-324, "5e-324"),
            (9007199254740993.0, "9007199254740992"),
        ];
        for (n, s) in cases {
            assert_eq!(js::number_to_string(n), s);
        }
    }

    #[test]
    fn js_string_to_number() {
        let cases = [
            ("", 0.0),
            ("  12  ", 12.0),
            ("0x1F", 31.0),
            ("0b101", 5.0),
            ("1e3", 1000.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-Infinity", f64::NEG_INFINITY),
            ("+3", 3.0),
        ];
        for (s, n) in cases {
            assert_eq!(js::string_to_number(s), n, "{}", s);
        }
        for s in [
            "abc", "1e", ".", "inf", "NaN", "0x", "1_000", "--1", "infinity",
        ] {
            assert!(js::string_to_number(s).is_nan(), "{}", s);
        }
    }

    #[test]
    fn js_parse_int_and_json_numbers() {
        assert_eq!(js::parse_int("42px"), 42.0);
        assert_eq!(js::parse_int("  -0x1A"), -26.0);
        assert_eq!(js::parse_int("3.9"), 3.0);
        assert!(js::parse_int("px").is_nan());
        assert!(js::parse_int("").is_nan());
        assert_eq!(js::number_to_json(3.0), serde_json::json!(3));
        assert_eq!(js::number_to_json(-0.0), serde_json::json!(0));
        assert_eq!(js::number_to_json(2.5), serde_json::json!(2.5));
        assert_eq!(js::number_to_json(f64::NAN), serde_json::Value::Null);
        assert_eq!(js::number_to_json(f64::INFINITY), serde_json::Value::Null);
    }
}
