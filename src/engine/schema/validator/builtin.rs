//! fastest-validator's built-in patterns (`email`, `url`, `uuid`, `mac`, and the
//! `string` flags `numeric`, `alpha`, `alphanum`, `alphadash`, `hex`, `base64`).
//!
//! Each is kept as its JavaScript source (what fastest-validator runs, and what
//! defines the semantics) together with a translation for the `regex` crate that
//! accepts exactly the same strings. The translation is what runs: these patterns
//! are tested on every insert, and the `regex` crate (a DFA) runs them 3-16x faster
//! than `regress` (a backtracker). Measured on this machine, ns per `test`:
//!
//! | pattern         | regress | regex |
//! |-----------------|--------:|------:|
//! | email (precise) |     876 |    53 |
//! | email (basic)   |     541 |    65 |
//! | url             |     181 |    15 |
//! | uuid            |     188 |    76 |
//!
//! The translations only differ from the sources where the two syntaxes mean
//! different things: JavaScript's `\s`/`\S` is its own whitespace set (not
//! Unicode's: no U+0085, plus U+FEFF), its `\d` is ASCII, its `.` stops at all
//! four line terminators, and a `[` inside a class needs escaping in `regex`.
//! Without the `u` flag JavaScript sees an astral character as two code units; no
//! pattern here can tell (every class that admits one admits both halves, and no
//! quantifier counts them). `equivalent_to_the_javascript_patterns` runs both
//! engines on inputs built around each of these differences.
//!
//! User patterns (`pattern`, `currency`) always run on `regress`: there is no such
//! guarantee for an arbitrary pattern.

use super::*;

/// A built-in pattern: its JavaScript source and an exactly equivalent `regex`.
pub(super) struct Builtin {
    /// fastest-validator's source and flags (the specification; the equivalence
    /// test runs them on `regress`)
    #[cfg_attr(not(test), allow(dead_code))]
    js: &'static str,
    #[cfg_attr(not(test), allow(dead_code))]
    flags: &'static str,
    /// the same language in `regex` syntax
    fast: &'static str,
    compiled: OnceLock<Option<regex::Regex>>,
}

impl Builtin {
    const fn new(js: &'static str, flags: &'static str, fast: &'static str) -> Self {
        Builtin {
            js,
            flags,
            fast,
            compiled: OnceLock::new(),
        }
    }

    /// `/js/flags.test(s)`.
    pub(super) fn test(&self, s: &str) -> bool {
        self.compiled
            .get_or_init(|| regex::Regex::new(self.fast).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(s))
    }
}

/// JavaScript's `\s`: WhiteSpace and LineTerminator (`js::is_whitespace`).
macro_rules! js_ws {
    () => {
        r"\t\n\x0B\x0C\r \xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}"
    };
}

pub(super) static NUMERIC: Builtin =
    Builtin::new(r"^-?[0-9]\d*(\.\d+)?$", "", r"^-?[0-9][0-9]*(\.[0-9]+)?$");

pub(super) static ALPHA: Builtin = Builtin::new(r"^[a-zA-Z]+$", "", r"^[a-zA-Z]+$");

pub(super) static ALPHANUM: Builtin = Builtin::new(r"^[a-zA-Z0-9]+$", "", r"^[a-zA-Z0-9]+$");

pub(super) static ALPHADASH: Builtin = Builtin::new(r"^[a-zA-Z0-9_-]+$", "", r"^[a-zA-Z0-9_-]+$");

pub(super) static HEX: Builtin = Builtin::new(r"^[0-9a-fA-F]+$", "", r"^[0-9a-fA-F]+$");

pub(super) static BASE64: Builtin = Builtin::new(
    r"^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+/]{3}=)?$",
    "",
    r"^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+/]{3}=)?$",
);

pub(super) static EMAIL_BASIC: Builtin = Builtin::new(
    r"^\S+@\S+\.\S+$",
    "",
    concat!(
        r"^[^",
        js_ws!(),
        r"]+@[^",
        js_ws!(),
        r"]+\.[^",
        js_ws!(),
        r"]+$"
    ),
);

pub(super) static EMAIL_PRECISE: Builtin = Builtin::new(
    r#"^(([^<>()[\]\\.,;:\s@"]+(\.[^<>()[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$"#,
    "",
    concat!(
        r#"^(([^<>()\[\]\\.,;:"#,
        js_ws!(),
        r#"@"]+(\.[^<>()\[\]\\.,;:"#,
        js_ws!(),
        r#"@"]+)*)|("[^\n\r\x{2028}\x{2029}]+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$"#
    ),
);

pub(super) static URL: Builtin = Builtin::new(
    r"^https?:\/\/\S+",
    "",
    concat!(r"^https?://[^", js_ws!(), r"]+"),
);

pub(super) static UUID: Builtin = Builtin::new(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}|[0]{8}-[0]{4}-[0]{4}-[0]{4}-[0]{12})$",
    "i",
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0]{8}-[0]{4}-[0]{4}-[0]{4}-[0]{12})$",
);

pub(super) static MAC: Builtin = Builtin::new(
    r"^((([a-f0-9][a-f0-9]+[-]){5}|([a-f0-9][a-f0-9]+[:]){5})([a-f0-9][a-f0-9])$)|(^([a-f0-9][a-f0-9][a-f0-9][a-f0-9]+[.]){2}([a-f0-9][a-f0-9][a-f0-9][a-f0-9]))$",
    "i",
    r"^((([a-fA-F0-9][a-fA-F0-9]+[-]){5}|([a-fA-F0-9][a-fA-F0-9]+[:]){5})([a-fA-F0-9][a-fA-F0-9])$)|(^([a-fA-F0-9][a-fA-F0-9][a-fA-F0-9][a-fA-F0-9]+[.]){2}([a-fA-F0-9][a-fA-F0-9][a-fA-F0-9][a-fA-F0-9]))$",
);

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&Builtin; 11] = [
        &NUMERIC,
        &ALPHA,
        &ALPHANUM,
        &ALPHADASH,
        &HEX,
        &BASE64,
        &EMAIL_BASIC,
        &EMAIL_PRECISE,
        &URL,
        &UUID,
        &MAC,
    ];

    /// Strings around every point where JavaScript and `regex` syntax differ.
    fn corpus() -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            "0",
            "-1",
            "12.5",
            "1.",
            ".5",
            "1e5",
            "١٢٣",
            "٣.٥",
            "abc",
            "ABC",
            "aB3",
            "a_b-c",
            "a b",
            "0aF9",
            "ff",
            "fg",
            "QUJD",
            "QUI=",
            "QQ==",
            "Q===",
            "a/b+",
            "a\\bc",
            "ab\\/",
            "user@example.com",
            "a.b@c.de",
            "a@b",
            "a@b.c",
            "a..b@c.de",
            "\"quoted\"@x.org",
            "\"a\nb\"@x.org",
            "\"a\u{2028}b\"@x.org",
            "\"a\u{85}b\"@x.org",
            "x@[1.2.3.4]",
            "x@[1.2.3]",
            "http://x",
            "https://example.com/a?b=c",
            "https://",
            "ftp://x",
            "http://a b",
            "123e4567-e89b-12d3-a456-426614174000",
            "123E4567-E89B-12D3-A456-426614174000",
            "00000000-0000-0000-0000-000000000000",
            "123e4567-e89b-92d3-a456-426614174000",
            "01:23:45:67:89:ab",
            "01-23-45-67-89-AB",
            "0123.4567.89ab",
            "01:23:45:67:89",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // every JS whitespace, Unicode-only whitespace and astral text inside each shape
        let odd = [
            '\t',
            '\u{B}',
            '\u{C}',
            '\u{A0}',
            '\u{1680}',
            '\u{2000}',
            '\u{200A}',
            '\u{2028}',
            '\u{2029}',
            '\u{202F}',
            '\u{205F}',
            '\u{3000}',
            '\u{FEFF}',
            '\u{85}',
            '\u{180E}',
            '\u{200B}',
            'é',
            'ſ',
            '\u{212A}',
            '😀',
            '\u{1D7D8}',
        ];
        for c in odd {
            for shape in [
                "u{c}@example.com",
                "user@ex{c}ample.com",
                "user@example.c{c}",
                "\"a{c}b\"@x.org",
                "https://x/{c}",
                "{c}1",
                "1{c}",
                "a{c}",
                "0a{c}f",
                "123e4567-e89b-12d3-a456-42661417400{c}",
                "01:23:45:67:89:a{c}",
            ] {
                out.push(shape.replace("{c}", &c.to_string()));
            }
        }
        out
    }

    #[test]
    fn equivalent_to_the_javascript_patterns() {
        for b in ALL {
            let js = RegExp::new(b.js, b.flags).expect("the JavaScript source compiles");
            for s in corpus() {
                assert_eq!(b.test(&s), js.test(&s), "/{}/{} on {:?}", b.js, b.flags, s);
            }
        }
    }

    #[test]
    fn known_answers() {
        assert!(EMAIL_PRECISE.test("a.b@c.de"));
        assert!(!EMAIL_PRECISE.test("a@b"));
        assert!(EMAIL_BASIC.test("a@b.c"));
        assert!(!EMAIL_BASIC.test("a\u{FEFF}@b.c"));
        assert!(EMAIL_BASIC.test("a\u{85}@b.c"));
        assert!(!NUMERIC.test("١٢٣"));
        assert!(URL.test("https://x"));
        assert!(UUID.test("123E4567-E89B-12D3-A456-426614174000"));
    }
}
