//! JavaScript regular expressions: `new RegExp(source, flags)` and `test`, on the
//! `regress` crate (an ECMAScript regex engine: backreferences, lookbehind,
//! lookahead anywhere, named groups, flags `i m s u v`).
//!
//! Without the `u`/`v` flag JavaScript matches UTF-16 code units: the pattern is
//! read as code units and, when the text holds characters outside the BMP, the
//! text is matched as UCS-2 (`regress`'s `find_from_ucs2`). Text without such
//! characters has one unit per character, so it is matched directly as `&str`
//! (exactly equivalent, and no conversion on the hot path).
//!
//! `test` starts at index 0 every time: fastest-validator embeds each pattern as a
//! regex literal in its generated function, so every call gets a fresh `lastIndex`.
//! `g` and `d` therefore change nothing; `y` (sticky) only accepts a match at 0.

/// Deeper group nesting is refused before `regress` sees the pattern, so that no
/// pattern can exhaust the stack (V8 gives up on such patterns too).
const MAX_NESTING: usize = 256;

/// A compiled JavaScript RegExp (`test` only).
#[derive(Debug, Clone)]
pub struct RegExp {
    re: regress::Regex,
    /// `u` or `v`: the pattern and the text are code points, not UTF-16 units
    unicode: bool,
    sticky: bool,
}

impl RegExp {
    /// `new RegExp(source, flags)`; `Err` carries V8's message prefix
    /// (`Invalid regular expression: /src/flags: ...`, `Invalid flags supplied ...`).
    pub fn new(source: &str, flags: &str) -> Result<RegExp, String> {
        check_flags(flags)?;
        let fail = |why: &str| format!("Invalid regular expression: /{source}/{flags}: {why}");
        if nesting_depth(source) > MAX_NESTING {
            return Err(fail("Maximum call stack size exceeded"));
        }
        let f = regress::Flags {
            icase: flags.contains('i'),
            multiline: flags.contains('m'),
            dot_all: flags.contains('s'),
            unicode: flags.contains('u'),
            unicode_sets: flags.contains('v'),
            ..regress::Flags::default()
        };
        let unicode = f.unicode || f.unicode_sets;
        let re = if unicode {
            regress::Regex::with_flags(source, f)
        } else {
            regress::Regex::from_unicode(code_units(source).into_iter(), f)
        }
        .map_err(|e| fail(&e.to_string()))?;
        Ok(RegExp {
            re,
            unicode,
            sticky: flags.contains('y'),
        })
    }

    /// `RegExp.prototype.test(s)` from `lastIndex` 0.
    pub fn test(&self, s: &str) -> bool {
        // A 4-byte UTF-8 sequence (lead byte >= 0xF0) is a character outside the BMP.
        let start = if self.unicode || !s.bytes().any(|b| b >= 0xF0) {
            self.re.find(s).map(|m| m.start())
        } else {
            let units: Vec<u16> = s.encode_utf16().collect();
            self.re.find_from_ucs2(&units, 0).next().map(|m| m.start())
        };
        match start {
            Some(at) => !self.sticky || at == 0,
            None => false,
        }
    }
}

/// A non-unicode pattern as JavaScript reads it: UTF-16 code units, and a
/// `\uXXXX` escape of a surrogate as that lone unit. (`regress` joins
/// `\uD83D\uDE00` into one code point, which only the `u` flag does in JavaScript.)
fn code_units(source: &str) -> Vec<u32> {
    let units: Vec<u32> = source.encode_utf16().map(u32::from).collect();
    let mut out = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        if units[i] == u32::from(b'\\') && i + 1 < units.len() {
            let hex = units.get(i + 2..i + 6).and_then(|h| {
                let s: String = h.iter().filter_map(|&u| char::from_u32(u)).collect();
                (s.len() == 4)
                    .then(|| u32::from_str_radix(&s, 16).ok())
                    .flatten()
            });
            match hex {
                Some(u) if units[i + 1] == u32::from(b'u') && (0xD800..0xE000).contains(&u) => {
                    out.push(u);
                    i += 6;
                }
                _ => {
                    out.extend_from_slice(&units[i..i + 2]);
                    i += 2;
                }
            }
        } else {
            out.push(units[i]);
            i += 1;
        }
    }
    out
}

/// The deepest nesting of groups in a pattern (escapes and classes skipped).
fn nesting_depth(source: &str) -> usize {
    let (mut depth, mut max, mut in_class, mut escaped) = (0usize, 0usize, false, false);
    for c in source.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class => {
                depth += 1;
                max = max.max(depth);
            }
            ')' if !in_class => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The flags V8 accepts: each of `dgimsuvy` at most once, not `u` with `v`.
pub fn check_flags(flags: &str) -> Result<(), String> {
    let mut seen = String::new();
    for f in flags.chars() {
        if !"dgimsuvy".contains(f) || seen.contains(f) {
            return Err(format!(
                "Invalid flags supplied to RegExp constructor '{}'",
                flags
            ));
        }
        seen.push(f);
    }
    if seen.contains('u') && seen.contains('v') {
        return Err(format!(
            "Invalid flags supplied to RegExp constructor '{}'",
            flags
        ));
    }
    Ok(())
}

/// `RegExp.prototype.toString` (V8's escaping of `source`).
pub fn regexp_to_string(source: &str, flags: &str) -> String {
    let mut out = String::from("/");
    if source.is_empty() {
        out.push_str("(?:)");
    }
    let cs: Vec<char> = source.chars().collect();
    let mut in_class = false;
    let mut i = 0;
    let is_lt = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let esc_lt = |c: char| match c {
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\u{2028}' => "\\u2028".to_string(),
        _ => "\\u2029".to_string(),
    };
    while i < cs.len() {
        let c = cs[i];
        if c == '\\' {
            if let Some(&n) = cs.get(i + 1) {
                if is_lt(n) {
                    out.push_str(&esc_lt(n));
                } else {
                    out.push('\\');
                    out.push(n);
                }
                i += 2;
                continue;
            }
            out.push('\\');
        } else if c == '/' && !in_class {
            out.push_str("\\/");
        } else if is_lt(c) {
            out.push_str(&esc_lt(c));
        } else {
            if c == '[' {
                in_class = true;
            } else if c == ']' {
                in_class = false;
            }
            out.push(c);
        }
        i += 1;
    }
    out.push('/');
    for f in "dgimsuvy".chars() {
        if flags.contains(f) {
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(src: &str, flags: &str, s: &str) -> Result<bool, String> {
        RegExp::new(src, flags).map(|r| r.test(s))
    }

    #[test]
    fn syntax_and_flags() {
        assert_eq!(t(r"^[]$", "", ""), Ok(false));
        assert_eq!(t(r"^[^]$", "", "\n"), Ok(true));
        assert_eq!(t(r"^a{2}$", "", "aa"), Ok(true));
        assert_eq!(t(r"^a{,2}$", "", "a{,2}"), Ok(true));
        assert_eq!(t(r"^\w+$", "", "é"), Ok(false));
        assert_eq!(t(r"^.$", "", "\n"), Ok(false));
        assert_eq!(t(r"^.$", "s", "\n"), Ok(true));
        assert_eq!(t(r"^[\d-x]+$", "", "1-x"), Ok(true));
        assert_eq!(t(r"^\/path\/$", "", "/path/"), Ok(true));
        assert_eq!(t(r"^abc", "y", "abcd"), Ok(true));
        assert_eq!(t(r"bc", "y", "abc"), Ok(false));
        assert_eq!(t(r"bc", "g", "abc"), Ok(true));
        assert_eq!(t(r"\bfoo\b", "", "a foo b"), Ok(true));
        assert_eq!(t(r"^\u00e9$", "", "é"), Ok(true));
        assert_eq!(t(r"^\cJ$", "", "\n"), Ok(true));
        assert_eq!(t(r"^(?<year>\d{4})$", "", "2024"), Ok(true));
        assert_eq!(t(r"^ABC$", "i", "abc"), Ok(true));
        assert_eq!(t(r"^b$", "m", "a\nb\nc"), Ok(true));
        assert_eq!(t(r"^b$", "m", "a\u{2028}b"), Ok(true));
        assert_eq!(t(r"^b$", "", "a\nb"), Ok(false));
        assert_eq!(t(r"\~1", "", "~1"), Ok(true));
        assert!(t(r"^\a$", "u", "").is_err());
        assert!(t(r"]", "u", "").is_err());
        assert!(t(r"a**", "", "").is_err());
        assert!(t(r"[z-a]", "", "").is_err());
        assert!(t(r"a{2,1}", "", "").is_err());
        assert!(t(r"(", "", "").is_err());
        assert!(t(r")", "", "").is_err());
        assert_eq!(
            t("a", "gg", "a"),
            Err("Invalid flags supplied to RegExp constructor 'gg'".into())
        );
        assert!(t("a", "uv", "a").is_err());
        assert!(t("a", "x", "a").is_err());
        assert!(t("(abc", "", "")
            .expect_err("unterminated group")
            .starts_with("Invalid regular expression: /(abc/: "));
    }

    #[test]
    fn backreferences_and_lookaround() {
        // what the `regex` crate cannot do
        assert_eq!(t(r"^(\w)\1$", "", "aa"), Ok(true));
        assert_eq!(t(r"^(\w)\1$", "", "ab"), Ok(false));
        assert_eq!(t(r#"^(?<q>['"]).*\k<q>$"#, "", "'x'"), Ok(true));
        assert_eq!(t(r#"^(?<q>['"]).*\k<q>$"#, "", "'x\""), Ok(false));
        assert_eq!(t(r"(?<=\$)\d+", "", "cost $42"), Ok(true));
        assert_eq!(t(r"(?<=\$)\d+", "", "cost 42"), Ok(false));
        assert_eq!(t(r"(?<!\$)\b\d+", "", "$42"), Ok(false));
        assert_eq!(t(r"a(?=b)", "", "ab"), Ok(true));
        assert_eq!(t(r"a(?=b)", "", "ac"), Ok(false));
        assert_eq!(t(r"^(?=.*[A-Z])(?=.*\d).{8,}$", "", "Password1"), Ok(true));
        assert_eq!(t(r"^(?=.*[A-Z])(?=.*\d).{8,}$", "", "password1"), Ok(false));
        assert_eq!(t(r"^(?!admin).*$", "", "admin1"), Ok(false));
        // JS: an octal-looking escape without that many groups is an octal escape (non-u)
        assert_eq!(t(r"^\1$", "", "\u{1}"), Ok(true));
    }

    #[test]
    fn utf16_code_units_without_u() {
        assert_eq!(t(r"^.{2}$", "", "😀"), Ok(true));
        assert_eq!(t(r"^.$", "", "😀"), Ok(false));
        assert_eq!(t(r"^.$", "u", "😀"), Ok(true));
        assert_eq!(t(r"^\uD83D\uDE00$", "", "😀"), Ok(true));
        assert_eq!(t(r"^\uD83D\uDE00$", "u", "😀"), Ok(true));
        assert_eq!(t(r"^[\uD800-\uDFFF]{2}$", "", "😀"), Ok(true));
        assert_eq!(t(r"^[\u0000-\uFFFF]+$", "", "a😀"), Ok(true));
        assert_eq!(t("^😀$", "", "😀"), Ok(true));
        assert_eq!(t("^[😀]$", "", "😀"), Ok(false));
        assert_eq!(t("^[😀]{2}$", "", "😀"), Ok(true));
        assert_eq!(t(r"^\S$", "", "😀"), Ok(false));
        assert_eq!(t(r"^\u{41}$", "u", "A"), Ok(true));
        assert_eq!(t("^😀+$", "", "😀😀"), Ok(false));
        assert_eq!(t("^😀+$", "u", "😀😀"), Ok(true));
        assert_eq!(t("^a😀b$", "", "a😀b"), Ok(true));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
        assert!(RegExp::new(&deep, "").is_err());
        let ok = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(t(&ok, "", "a"), Ok(true));
        assert_eq!(nesting_depth(r"\((([)])"), 2);
    }

    #[test]
    fn to_string_escapes_like_v8() {
        assert_eq!(regexp_to_string("a/b[/]", "gi"), "/a\\/b[/]/gi");
        assert_eq!(regexp_to_string("", ""), "/(?:)/");
        assert_eq!(regexp_to_string("a\nb", "ym"), "/a\\nb/my");
    }
}
