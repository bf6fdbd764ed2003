//! Value encodings compatible byte-for-byte with s3db.js 4.1.7.
//!
//! * numbers: JS `Number#toString` on write; full JS `Number()` on read
//!   (4.1.7 used parseInt/parseFloat and misread `1e+21`, defect A4), both from `engine::js`;
//! * arrays: items joined by the separator, `\` and separator escaped, `[]` for empty;
//! * metadata values: printable ASCII as is; anything else `u:` + percent-encoding
//!   or `b:` + base64 of UTF-8 (the convention of later s3db.js versions; A6);
//!   ASCII values that already start with `u:`, `b:` or `d:` are base64-escaped;
//! * json-stable-stringify for definition hashes.

use crate::engine::js;
use base64::Engine as _;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

/// `encodeURIComponent`'s unreserved set.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

pub fn value_as_f64(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// JS `String(value)` for scalars; JSON text for arrays/objects (used where 4.1.7 crashed, A7).
pub fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_f64()
            .map(js::number_to_string)
            .unwrap_or_else(|| n.to_string()),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Object(o) => match o.get("$date").and_then(Value::as_str) {
            Some(iso) if o.len() == 1 => iso.to_string(),
            _ => v.to_string(),
        },
        Value::Array(_) => v.to_string(),
    }
}

/// 4.1.7 `fromArray`.
pub fn encode_array(items: &[Value], sep: char) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let mut out = String::new();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        match it {
            Value::String(s) => {
                for c in s.chars() {
                    if c == '\\' {
                        out.push_str("\\\\");
                    } else if c == sep {
                        out.push('\\');
                        out.push(sep);
                    } else {
                        out.push(c);
                    }
                }
            }
            other => out.push_str(&js_string(other)),
        }
    }
    out
}

/// 4.1.7 `toArray`: items come back as strings.
pub fn decode_array(s: &str, sep: char) -> Vec<Value> {
    if s.is_empty() || s == "[]" {
        return Vec::new();
    }
    let mut items = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let n = chars[i + 1];
            if n == sep {
                cur.push(sep);
                i += 2;
                continue;
            }
            if n == '\\' {
                cur.push('\\');
                i += 2;
                continue;
            }
            cur.push('\\');
            i += 1;
            continue;
        }
        if c == sep {
            items.push(Value::String(std::mem::take(&mut cur)));
        } else {
            cur.push(c);
        }
        i += 1;
    }
    items.push(Value::String(cur));
    items
}

/// Printable US-ASCII only (what a metadata value may carry as is).
pub fn is_plain_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// Make a string safe as an S3 metadata value (A6).
pub fn encode_meta_value(s: &str) -> String {
    if is_plain_ascii(s) {
        if s.starts_with("u:") || s.starts_with("b:") || s.starts_with("d:") {
            return format!(
                "b:{}",
                base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
            );
        }
        return s.to_string();
    }
    let url = utf8_percent_encode(s, URI_COMPONENT).to_string();
    let b64 = base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    if url.len() <= b64.len() {
        format!("u:{url}")
    } else {
        format!("b:{b64}")
    }
}

/// RFC 2047 encoded words (`=?UTF-8?B?...?=`), which AWS S3 returns for metadata
/// values that were stored with non-ASCII bytes. `None` when `s` is not one.
fn decode_rfc2047(s: &str) -> Option<String> {
    if !(s.starts_with("=?") && s.ends_with("?=")) {
        return None;
    }
    let mut out = String::new();
    for word in s.split_whitespace() {
        let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
        let mut parts = inner.splitn(3, '?');
        let charset = parts.next()?.to_ascii_lowercase();
        let enc = parts.next()?.to_ascii_uppercase();
        let text = parts.next()?;
        let bytes = match enc.as_str() {
            "B" => base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()?,
            "Q" => {
                let mut b = Vec::new();
                let raw = text.as_bytes();
                let mut i = 0;
                while i < raw.len() {
                    match raw[i] {
                        b'_' => b.push(b' '),
                        b'=' if i + 2 < raw.len() => {
                            let hex = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
                            b.push(u8::from_str_radix(hex, 16).ok()?);
                            i += 2;
                        }
                        c => b.push(c),
                    }
                    i += 1;
                }
                b
            }
            _ => return None,
        };
        match charset.as_str() {
            "utf-8" | "utf8" => out.push_str(&String::from_utf8(bytes).ok()?),
            "iso-8859-1" | "latin1" => out.extend(bytes.iter().map(|b| *b as char)),
            _ => return None,
        }
    }
    Some(out)
}

/// Inverse of [`encode_meta_value`]; values that do not decode cleanly are kept as stored.
pub fn decode_meta_value(s: &str) -> String {
    if let Some(d) = decode_rfc2047(s) {
        return d;
    }
    if let Some(rest) = s.strip_prefix("u:") {
        if let Ok(d) = percent_decode_str(rest).decode_utf8() {
            return d.into_owned();
        }
    } else if let Some(rest) = s.strip_prefix("b:") {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(rest) {
            if let Ok(text) = String::from_utf8(bytes) {
                return text;
            }
        }
    }
    s.to_string()
}

/// Bytes a value occupies once encoded (the 2 KB accounting counts this).
pub fn encoded_len(s: &str) -> usize {
    encode_meta_value(s).len()
}

fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// json-stable-stringify 1.3.0: sorted keys (UTF-16 order), no whitespace.
pub fn stable_stringify(v: &Value) -> String {
    let mut out = String::new();
    write_stable(v, &mut out);
    out
}

fn write_stable(v: &Value, out: &mut String) {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort_by(|a, b| utf16_cmp(a, b));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(val) = o.get(*k) {
                    write_stable(val, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, it) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_stable(it, out);
            }
            out.push(']');
        }
        Value::Number(n) => out.push_str(
            &n.as_f64()
                .map(js::number_to_string)
                .unwrap_or_else(|| n.to_string()),
        ),
        other => out.push_str(&other.to_string()),
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(data);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    #[allow(clippy::approx_constant)] // 3.14159 is a test value, not an approximation of PI
    fn numbers_like_js() {
        let cases: &[(f64, &str)] = &[
            (42.0, "42"),
            (-17.0, "-17"),
            (3.14159, "3.14159"),
            (0.0, "0"),
            (-0.0, "0"),
            (9007199254740991.0, "9007199254740991"),
            (30.5, "30.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.000001, "0.000001"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (-2.5e-8, "-2.5e-8"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.5e300, "1.5e+300"),
            (100.0, "100"),
        ];
        for (x, s) in cases {
            assert_eq!(js::number_to_string(*x), *s, "{x}");
            let back = js::string_to_number(s);
            assert!(back == *x || (back == 0.0 && *x == 0.0), "{s}");
        }
        assert!(js::string_to_number("abc").is_nan());
        assert_eq!(js::string_to_number("0x1f"), 31.0);
    }

    #[test]
    fn arrays_like_417() {
        let sep = '|';
        assert_eq!(encode_array(&[json!("a"), json!("b")], sep), "a|b");
        assert_eq!(
            encode_array(&[json!("a|b"), json!("c\\d")], sep),
            "a\\|b|c\\\\d"
        );
        assert_eq!(encode_array(&[], sep), "[]");
        assert_eq!(encode_array(&[json!(1), json!(2.5)], sep), "1|2.5");
        assert_eq!(
            decode_array("a\\|b|c\\\\d", sep),
            vec![json!("a|b"), json!("c\\d")]
        );
        assert_eq!(decode_array("[]", sep), Vec::<Value>::new());
        assert_eq!(decode_array("", sep), Vec::<Value>::new());
        assert_eq!(decode_array("a\\x", sep), vec![json!("a\\x")]);
    }

    #[test]
    fn meta_values_round_trip() {
        for s in [
            "plain",
            "",
            "Ação çédille naïve",
            "smile 😀 rocket 🚀",
            "漢字かなカナ 한국어",
            "line\nbreak",
            "u:literal",
            "b:x",
            "d:y",
            "tab\there",
        ] {
            let e = encode_meta_value(s);
            assert!(e.bytes().all(|b| (0x20..=0x7e).contains(&b)), "{e}");
            assert_eq!(decode_meta_value(&e), s);
        }
        assert_eq!(encode_meta_value("hello world"), "hello world");
        assert_eq!(decode_meta_value("=?UTF-8?B?QcOnw6Nv?="), "Ação");
        assert_eq!(decode_meta_value("=?UTF-8?Q?A=C3=A7=C3=A3o_x?="), "Ação x");
        assert_eq!(decode_meta_value("=?bogus"), "=?bogus");
        assert!(
            encode_meta_value("naïve-text-with-a-long-ascii-tail-abcdefghij").starts_with("u:")
        );
        assert!(encode_meta_value("漢字かなカナ").starts_with("b:"));
    }

    #[test]
    fn stable_hash_vector() {
        let v = json!({"attributes":{"name":"string|min:2","email":"email","age":"number|optional","tags":"array|items:string|optional","active":"boolean|optional","password":"secret|optional","address":{"city":"string|optional","zip":"string|optional"}},"behavior":"user-management"});
        let s = stable_stringify(&v);
        assert_eq!(s, "{\"attributes\":{\"active\":\"boolean|optional\",\"address\":{\"city\":\"string|optional\",\"zip\":\"string|optional\"},\"age\":\"number|optional\",\"email\":\"email\",\"name\":\"string|min:2\",\"password\":\"secret|optional\",\"tags\":\"array|items:string|optional\"},\"behavior\":\"user-management\"}");
        assert_eq!(
            sha256_hex(s.as_bytes()),
            "68da7b8b5343a9a2e0343e40060e1229bbbd4874c15f8b0e546eb811349d03d7"
        );
    }
}
