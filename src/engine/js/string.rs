//! JavaScript string semantics: whitespace and `trim`, UTF-16 lengths,
//! `padStart`/`padEnd`, `replace` with a literal needle, string-literal evaluation.

use crate::engine::js;

/// ECMAScript WhiteSpace + LineTerminator (what `String.prototype.trim` removes and `\s` matches).
pub fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{A}' | '\u{B}' | '\u{C}' | '\u{D}' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

pub fn trim(s: &str) -> &str {
    s.trim_matches(js::is_whitespace)
}

pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Evaluates the body of a double-quoted JavaScript string literal (sloppy mode), the
/// way the JS engine reads values fastest-validator pastes into generated code.
pub fn eval_string_literal(body: &str) -> Result<String, String> {
    const SYNTAX: &str = "Invalid or unexpected token";
    let cs: Vec<char> = body.chars().collect();
    let mut u: Vec<u16> = Vec::with_capacity(cs.len());
    let mut i = 0;
    let hex = |c: char| c.to_digit(16);
    while i < cs.len() {
        let c = cs[i];
        i += 1;
        match c {
            '"' => {
                // the literal ends here; the JS parser then meets the rest of the text
                let rest: String = cs[i..].iter().collect();
                let rest = rest.trim_start_matches(js::is_whitespace);
                let ident: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                    .collect();
                return Err(match rest.chars().next() {
                    Some(c) if c.is_ascii_digit() => "Unexpected number".into(),
                    Some(c) if c.is_alphabetic() || c == '_' || c == '$' => {
                        format!("Unexpected identifier '{}'", ident)
                    }
                    None | Some('"') | Some('\'') => "Unexpected string".into(),
                    _ => SYNTAX.into(),
                });
            }
            '\n' | '\r' => return Err(SYNTAX.into()),
            '\\' => {
                let Some(&e) = cs.get(i) else {
                    return Err(SYNTAX.into());
                };
                i += 1;
                match e {
                    'b' => u.push(8),
                    'f' => u.push(12),
                    'n' => u.push(10),
                    'r' => u.push(13),
                    't' => u.push(9),
                    'v' => u.push(11),
                    '0'..='7' => {
                        let first = e as u32 - '0' as u32;
                        if e == '0' && !cs.get(i).is_some_and(|d| d.is_ascii_digit()) {
                            u.push(0);
                        } else {
                            let mut val = first;
                            let maxlen = if first <= 3 { 3 } else { 2 };
                            let mut n = 1;
                            while n < maxlen {
                                match cs.get(i).and_then(|d| d.to_digit(8)) {
                                    Some(d) => {
                                        val = val * 8 + d;
                                        i += 1;
                                        n += 1;
                                    }
                                    None => break,
                                }
                            }
                            u.push(val as u16);
                        }
                    }
                    'x' => match (
                        cs.get(i).and_then(|&c| hex(c)),
                        cs.get(i + 1).and_then(|&c| hex(c)),
                    ) {
                        (Some(a), Some(b)) => {
                            u.push((a * 16 + b) as u16);
                            i += 2;
                        }
                        _ => return Err("Invalid hexadecimal escape sequence".into()),
                    },
                    'u' => {
                        if cs.get(i) == Some(&'{') {
                            let mut j = i + 1;
                            let mut val: u32 = 0;
                            while j < cs.len() && cs[j] != '}' {
                                match hex(cs[j]) {
                                    Some(d) if val <= 0x10FFFF => val = val * 16 + d,
                                    _ => return Err("Invalid Unicode escape sequence".into()),
                                }
                                j += 1;
                            }
                            if j >= cs.len() || j == i + 1 || val > 0x10FFFF {
                                return Err("Invalid Unicode escape sequence".into());
                            }
                            i = j + 1;
                            match char::from_u32(val) {
                                Some(ch) => {
                                    let mut buf = [0u16; 2];
                                    u.extend_from_slice(ch.encode_utf16(&mut buf));
                                }
                                None => u.push(val as u16),
                            }
                        } else {
                            let mut val: u32 = 0;
                            for k in 0..4 {
                                match cs.get(i + k).and_then(|&c| hex(c)) {
                                    Some(d) => val = val * 16 + d,
                                    None => return Err("Invalid Unicode escape sequence".into()),
                                }
                            }
                            i += 4;
                            u.push(val as u16);
                        }
                    }
                    '\r' => {
                        if cs.get(i) == Some(&'\n') {
                            i += 1;
                        }
                    }
                    '\n' | '\u{2028}' | '\u{2029}' => {}
                    other => {
                        let mut buf = [0u16; 2];
                        u.extend_from_slice(other.encode_utf16(&mut buf));
                    }
                }
            }
            other => {
                let mut buf = [0u16; 2];
                u.extend_from_slice(other.encode_utf16(&mut buf));
            }
        }
    }
    Ok(String::from_utf16_lossy(&u))
}

/// `subject.replace(needle, repl)` (first occurrence) or with a global regex of the
/// literal needle (`all`), including the `$` patterns of a replacement string.
pub fn replace(subject: &str, needle: &str, repl: &str, all: bool) -> String {
    if needle.is_empty() {
        return subject.to_string();
    }
    let mut out = String::with_capacity(subject.len());
    let mut last = 0;
    for (pos, _) in subject.match_indices(needle) {
        out.push_str(&subject[last..pos]);
        let after = &subject[pos + needle.len()..];
        let mut it = repl.chars().peekable();
        while let Some(c) = it.next() {
            if c == '$' {
                match it.peek() {
                    Some('$') => {
                        out.push('$');
                        it.next();
                    }
                    Some('&') => {
                        out.push_str(needle);
                        it.next();
                    }
                    Some('`') => {
                        out.push_str(&subject[..pos]);
                        it.next();
                    }
                    Some('\'') => {
                        out.push_str(after);
                        it.next();
                    }
                    _ => out.push('$'),
                }
            } else {
                out.push(c);
            }
        }
        last = pos + needle.len();
        if !all {
            break;
        }
    }
    out.push_str(&subject[last..]);
    out
}

pub fn pad(s: &str, target: f64, fill: &str, at_start: bool) -> String {
    let len = js::utf16_len(s);
    let t = if target.is_nan() {
        0.0
    } else {
        target.trunc().max(0.0)
    };
    // Beyond the maximum string length JavaScript throws a RangeError; leave the value alone.
    if t <= len as f64 || fill.is_empty() || t > 536_870_888.0 {
        return s.to_string();
    }
    let need = t as usize - len;
    let fill_units: Vec<u16> = fill.encode_utf16().collect();
    let mut pad: Vec<u16> = Vec::with_capacity(need);
    while pad.len() < need {
        let take = (need - pad.len()).min(fill_units.len());
        pad.extend_from_slice(&fill_units[..take]);
    }
    let pad = String::from_utf16_lossy(&pad);
    if at_start {
        format!("{}{}", pad, s)
    } else {
        format!("{}{}", s, pad)
    }
}

/// The first `n` UTF-16 units of `s`, like `s.substring(0, n)` but never splitting a
/// character (a surrogate pair cut in half would not be valid UTF-8).
pub fn utf16_prefix(s: &str, n: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > n {
            return &s[..i];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::engine::js;

    #[test]
    fn js_replace_patterns() {
        assert_eq!(
            js::replace("a {x} b {x}", "{x}", "$$-$&", true),
            "a $-{x} b $-{x}"
        );
        assert_eq!(js::replace("a {x} b", "{x}", "$`|$'", true), "a a | b b");
        assert_eq!(js::replace("{x}{x}", "{x}", "1", false), "1{x}");
    }

    #[test]
    fn string_literal_evaluation() {
        assert_eq!(
            js::eval_string_literal(r"a\nb\x41\u0042\u{43}\101\d").as_deref(),
            Ok("a\nbABCAd")
        );
        assert!(js::eval_string_literal(r"\x4").is_err());
        assert!(js::eval_string_literal("a\"b").is_err());
    }
}
