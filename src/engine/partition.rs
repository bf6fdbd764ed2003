//! Partitions: definitions, rule transformation, copy keys and partition queries.
//!
//! A partition copy lives at
//! `resource=<name>/partition=<p>/<field>=<value>/.../id=<id>` with the fields
//! of the partition sorted like JavaScript's `localeCompare` (ICU root
//! collation, as 4.1.7 in Node with full ICU; defect C6 made explicit) and each
//! value transformed by the field's rule (`date`, `maxlength:N`).
//!
//! Differences from 4.1.7 (reference `s3db-known-defects.md`):
//! * C7: a `/` inside a value is written as `%2F`, so it cannot add key
//!   segments (4.1.7 wrote it raw, restructuring the key).
//! * C2: every listing prefix ends with `/` (value `US` does not match `US-WEST`).
//! * C3: values for only some fields are explicit: the leading run (in key
//!   order) narrows the listing prefix, the other given fields filter the
//!   listed keys; no values list the whole partition.
//! * C8: the id is the last key segment, so a field named `id` is harmless.

use crate::engine::codec::js_string;
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::schema::is_date;
use chrono::{Datelike, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::sync::OnceLock;

/// S3's key length limit, in bytes.
pub const MAX_KEY_BYTES: usize = 1024;

fn collator() -> Option<&'static CollatorBorrowed<'static>> {
    static COLLATOR: OnceLock<Option<CollatorBorrowed<'static>>> = OnceLock::new();
    COLLATOR
        .get_or_init(|| Collator::try_new(Default::default(), CollatorOptions::default()).ok())
        .as_ref()
}

/// `a.localeCompare(b)` of Node with full ICU (root/en collation).
pub fn locale_compare(a: &str, b: &str) -> Ordering {
    match collator() {
        Some(c) => c.compare(a, b).then_with(|| a.cmp(b)),
        None => a.cmp(b),
    }
}

/// One field of a partition: its dotted path and rule text.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionField {
    pub path: String,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartitionDef {
    pub name: String,
    /// In key order (`localeCompare` of the paths).
    pub fields: Vec<PartitionField>,
}

/// Whether `path` (dotted) names something in the attribute definitions: any
/// key counts, even `$$type` (4.1.7's check).
fn attribute_exists(attributes: &Map<String, Value>, path: &str) -> bool {
    let mut cur = attributes;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        let Some(v) = cur.get(p) else { return false };
        if parts.peek().is_none() {
            return true;
        }
        match v {
            Value::Object(o) => cur = o,
            _ => return false,
        }
    }
    false
}

/// Parse and check `options.partitions` against the attributes of `version`.
pub fn parse_definitions(
    partitions: &Map<String, Value>,
    attributes: &Map<String, Value>,
    version: &str,
) -> Result<Vec<PartitionDef>> {
    let mut defs = Vec::new();
    for (name, def) in partitions {
        // Definitions without `fields` are skipped, as 4.1.7 does.
        let Some(Value::Object(fields)) = def.get("fields") else {
            continue;
        };
        let mut out = Vec::with_capacity(fields.len());
        for (path, rule) in fields {
            if !attribute_exists(attributes, path) {
                let available: Vec<&str> = attributes.keys().map(String::as_str).collect();
                return Err(EngineError::new(
                    ErrorKind::SchemaError,
                    format!(
                        "Partition '{name}' uses field '{path}' which does not exist in resource version '{version}'. Available fields: {}. This version of resource does not have support for this partition.",
                        available.join(", ")
                    ),
                )
                .with("partition", name.clone())
                .with("field", path.clone()));
            }
            out.push(PartitionField {
                path: path.clone(),
                rule: match rule {
                    Value::String(s) => s.clone(),
                    other => js_string(other),
                },
            });
        }
        out.sort_by(|a, b| locale_compare(&a.path, &b.path));
        defs.push(PartitionDef {
            name: name.clone(),
            fields: out,
        });
    }
    Ok(defs)
}

pub(crate) fn partition_error(message: String, partition: &str) -> EngineError {
    EngineError::new(ErrorKind::PartitionError, message).with("partition", partition.to_string())
}

/// The partition named `name`, or 4.1.7's `Partition '<p>' not found`.
pub fn find<'a>(defs: &'a [PartitionDef], name: &str) -> Result<&'a PartitionDef> {
    defs.iter()
        .find(|p| p.name == name)
        .ok_or_else(|| partition_error(format!("Partition '{name}' not found"), name))
}

/// Walk a dotted path into a record.
pub fn value_at<'a>(record: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut cur = record;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        let v = cur.get(p)?;
        if parts.peek().is_none() {
            return Some(v);
        }
        match v {
            Value::Object(o) if !is_date(v) => cur = o,
            _ => return None,
        }
    }
    None
}

fn max_length(rule: &str) -> Option<usize> {
    let at = rule.find("maxlength:")?;
    let digits: String = rule[at + "maxlength:".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The first `n` UTF-16 units of `s` (never splitting a character).
fn utf16_prefix(s: &str, n: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > n {
            return &s[..i];
        }
    }
    s
}

/// JS `String(value)` for a partition segment: like [`js_string`] for scalars and
/// dates, but arrays are comma-joined and objects are `[object Object]`.
fn segment_string(v: &Value) -> String {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|x| match x {
                Value::Null => String::new(),
                other => segment_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) if !is_date(v) => "[object Object]".into(),
        other => js_string(other),
    }
}

fn utc_date_of_ms(ms: i64) -> Option<String> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
}

/// 4.1.7's `applyPartitionRule` followed by JS string conversion; `None` for
/// a missing/null value (no copy is written).
pub fn apply_rule(value: Option<&Value>, rule: &str) -> Option<String> {
    let value = match value {
        None | Some(Value::Null) => return None,
        Some(v) => v,
    };
    let mut text: Option<String> = None;
    if let (Some(n), Value::String(s)) = (max_length(rule), value) {
        if s.encode_utf16().count() > n {
            text = Some(utf16_prefix(s, n).to_string());
        }
    }
    if rule.contains("date") {
        if is_date(value) {
            let iso = value.get("$date").and_then(Value::as_str).unwrap_or("");
            return Some(
                parse_js_date(iso)
                    .and_then(utc_date_of_ms)
                    .unwrap_or_else(|| iso.to_string()),
            );
        }
        if let Some(s) = text.as_deref().or(value.as_str()) {
            if s.contains('T') && s.contains('Z') {
                return Some(s.split('T').next().unwrap_or("").to_string());
            }
            if let Some(d) = parse_js_date(s).and_then(utc_date_of_ms) {
                return Some(d);
            }
            return Some(s.to_string());
        }
    }
    Some(text.unwrap_or_else(|| segment_string(value)))
}

impl PartitionField {
    /// The key segment `<path>=<value>` for this field's value (rule applied, `/`
    /// escaped: C7), or `None` when there is no value.
    pub fn segment(&self, value: Option<&Value>) -> Option<String> {
        apply_rule(value, &self.rule).map(|v| format!("{}={}", self.path, v.replace('/', "%2F")))
    }
}

impl PartitionDef {
    /// Key segments for a record, or `None` when any field is missing/null.
    pub fn segments(&self, record: &Map<String, Value>) -> Option<Vec<String>> {
        if self.fields.is_empty() {
            return None;
        }
        self.fields
            .iter()
            .map(|f| f.segment(value_at(record, &f.path)))
            .collect()
    }

    /// `resource=<name>/partition=<p>/`
    pub fn base(&self, resource: &str) -> String {
        format!("resource={resource}/partition={}/", self.name)
    }

    /// The copy key of a record, or `None` when the record has no copy here.
    pub fn key(&self, resource: &str, id: &str, record: &Map<String, Value>) -> Option<String> {
        Some(self.key_of(resource, id, &self.segments(record)?))
    }

    /// The copy key made of all of this partition's segments.
    pub fn key_of(&self, resource: &str, id: &str, segments: &[String]) -> String {
        format!("{}{}/id={id}", self.base(resource), segments.join("/"))
    }

    /// Plan a listing for the given values (C2, C3).
    pub fn query(&self, resource: &str, values: &Map<String, Value>) -> Result<PartitionQuery> {
        for k in values.keys() {
            if !self.fields.iter().any(|f| &f.path == k) {
                return Err(EngineError::new(
                    ErrorKind::PartitionError,
                    format!(
                        "Partition '{}' has no field '{k}'. Its fields: {}",
                        self.name,
                        self.fields
                            .iter()
                            .map(|f| f.path.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .with("partition", self.name.clone()));
            }
        }
        let mut prefix = self.base(resource);
        let mut depth = 0;
        let mut filters = Vec::new();
        for (i, f) in self.fields.iter().enumerate() {
            match f.segment(values.get(&f.path)) {
                Some(seg) if depth == i => {
                    prefix.push_str(&seg);
                    prefix.push('/');
                    depth += 1;
                }
                Some(seg) => filters.push((i, seg)),
                None => {}
            }
        }
        Ok(PartitionQuery {
            def: self.clone(),
            prefix,
            depth,
            filters,
            values: values.clone(),
        })
    }
}

/// How to list one partition for some values.
#[derive(Debug, Clone)]
pub struct PartitionQuery {
    /// The partition listed.
    pub def: PartitionDef,
    /// Listing prefix, ending with `/`.
    pub prefix: String,
    /// Segments already in the prefix (the leading run of given fields).
    depth: usize,
    /// Given values of non-leading fields: (field index, expected segment).
    filters: Vec<(usize, String)>,
    /// The values as given (reported as `_partitionValues`).
    pub values: Map<String, Value>,
}

impl PartitionQuery {
    /// The id of a listed key, or `None` when the key is not a copy matching
    /// the query. The id is the last segment (C8); 4.1.7 copies whose values
    /// held a raw `/` have extra segments: they match only without filters.
    pub fn id_of(&self, key: &str) -> Option<String> {
        let rest = key.strip_prefix(&self.prefix)?;
        let (segs, last) = rest
            .rsplit_once('/')
            .map_or((None, rest), |(a, b)| (Some(a), b));
        let id = last.strip_prefix("id=")?;
        if id.is_empty() {
            return None;
        }
        if !self.filters.is_empty() {
            let segs: Vec<&str> = segs.map(|s| s.split('/').collect()).unwrap_or_default();
            if segs.len() + self.depth != self.def.fields.len() {
                return None;
            }
            for (i, want) in &self.filters {
                if segs.get(i - self.depth) != Some(&want.as_str()) {
                    return None;
                }
            }
        }
        Some(id.to_string())
    }
}

// ---------------------------------------------------------------------------
// JavaScript `new Date(string)` (V8), for the `date` rule.

/// Milliseconds since the epoch for what V8's `Date` parser accepts: the ES
/// date-time format (date-only forms are UTC, date-times without offset are
/// local time) and the common legacy forms (`March 17, 2024 23:00`,
/// `2024/03/17`, `Sun Mar 17 2024 10:00:00 GMT+0100`; a missing year is 2001,
/// as in V8). `None` when V8 would give an invalid Date.
pub fn parse_js_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    parse_iso(s).or_else(|| parse_legacy(s))
}

fn local_ms(dt: NaiveDateTime) -> Option<i64> {
    Local
        .from_local_datetime(&dt)
        .earliest()
        .map(|d| d.timestamp_millis())
}

fn digits(s: &str, n: usize) -> Option<(u32, &str)> {
    if s.len() < n || !s.as_bytes()[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn parse_iso(s: &str) -> Option<i64> {
    let (year, rest): (i32, &str) = match s.as_bytes().first()? {
        b'+' | b'-' => {
            let (y, r) = digits(&s[1..], 6)?;
            (
                if s.starts_with('-') {
                    -(y as i32)
                } else {
                    y as i32
                },
                r,
            )
        }
        _ => {
            let (y, r) = digits(s, 4)?;
            (y as i32, r)
        }
    };
    let (month, rest) = match rest.strip_prefix('-') {
        Some(r) => digits(r, 2)?,
        None => (1, rest),
    };
    let (day, rest) = match rest.strip_prefix('-') {
        Some(r) => digits(r, 2)?,
        None => (1, rest),
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    if rest.is_empty() {
        return Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis());
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let (h, rest) = digits(rest, 2)?;
    let (m, mut rest) = digits(rest.strip_prefix(':')?, 2)?;
    let (mut sec, mut ms) = (0, 0);
    if let Some(r) = rest.strip_prefix(':') {
        let (x, r) = digits(r, 2)?;
        sec = x;
        rest = r;
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let frac = &r[..n];
            ms = format!("{:0<3}", &frac[..n.min(3)]).parse().ok()?;
            rest = &r[n..];
        }
    }
    let (h, extra_day) = if h == 24 && m == 0 && sec == 0 && ms == 0 {
        (0, 1)
    } else {
        (h, 0)
    };
    let time = NaiveTime::from_hms_milli_opt(h, m, sec, ms)?;
    let dt = date.and_time(time) + chrono::Duration::days(extra_day);
    if rest.is_empty() {
        return local_ms(dt);
    }
    let offset_min = if rest == "Z" {
        0
    } else {
        let sign = match rest.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let (oh, r) = digits(&rest[1..], 2)?;
        let (om, r) = digits(r.strip_prefix(':')?, 2)?;
        if !r.is_empty() || oh > 23 || om > 59 {
            return None;
        }
        sign * (oh as i64 * 60 + om as i64)
    };
    Some(dt.and_utc().timestamp_millis() - offset_min * 60_000)
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Num(u32, usize),
    Word(&'a str),
    Sym(char),
}

fn tokenize(s: &str) -> Option<Vec<Tok<'_>>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n: u32 = s[start..i].parse().ok()?;
            out.push(Tok::Num(n, i - start));
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Tok::Word(&s[start..i]));
        } else if c == b'(' {
            // Parenthesised text is a comment.
            let mut depth = 0;
            while i < b.len() {
                match b[i] {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        } else if c.is_ascii_whitespace() || c == b',' {
            i += 1;
        } else if c.is_ascii() {
            out.push(Tok::Sym(c as char));
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn parse_legacy(s: &str) -> Option<i64> {
    let toks = tokenize(s)?;
    let mut comps: Vec<(u32, usize)> = Vec::new();
    let mut named_month: Option<u32> = None;
    let mut time: Option<(u32, u32, u32, u32)> = None;
    let mut pm: Option<bool> = None;
    let mut offset_min: Option<i64> = None;
    let mut read_number = false;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Num(n, len) => {
                read_number = true;
                if matches!(toks.get(i + 1), Some(Tok::Sym(':'))) && time.is_none() {
                    let h = *n;
                    let Some(Tok::Num(m, _)) = toks.get(i + 2) else {
                        return None;
                    };
                    let mut t = (h, *m, 0, 0);
                    i += 3;
                    if matches!(toks.get(i), Some(Tok::Sym(':'))) {
                        let Some(Tok::Num(sec, _)) = toks.get(i + 1) else {
                            return None;
                        };
                        t.2 = *sec;
                        i += 2;
                        if matches!(toks.get(i), Some(Tok::Sym('.'))) {
                            if let Some(Tok::Num(ms, l)) = toks.get(i + 1) {
                                let text = format!("{:0>width$}", ms, width = *l);
                                t.3 = format!("{:0<3}", &text[..text.len().min(3)]).parse().ok()?;
                                i += 2;
                            }
                        }
                    }
                    time = Some(t);
                    continue;
                }
                if comps.len() >= 3 {
                    return None;
                }
                comps.push((*n, *len));
            }
            Tok::Word(w) => {
                let lw = w.to_ascii_lowercase();
                if lw == "am" || lw == "pm" {
                    pm = Some(lw == "pm");
                } else if ["utc", "gmt", "ut", "z"].contains(&lw.as_str()) {
                    offset_min = Some(0);
                } else if lw == "t" && read_number {
                    // date/time separator
                } else if let Some(m) = MONTHS
                    .iter()
                    .position(|m| lw.len() >= 3 && lw.starts_with(m))
                {
                    named_month = Some(m as u32 + 1);
                } else if read_number {
                    return None;
                }
            }
            Tok::Sym(c @ ('+' | '-')) if time.is_some() || offset_min.is_some() => {
                let sign = if *c == '-' { -1 } else { 1 };
                let Some(Tok::Num(n, len)) = toks.get(i + 1) else {
                    return None;
                };
                let (h, m) = if matches!(toks.get(i + 2), Some(Tok::Sym(':'))) {
                    let Some(Tok::Num(m, _)) = toks.get(i + 3) else {
                        return None;
                    };
                    i += 2;
                    (*n as i64, *m as i64)
                } else if *len <= 2 {
                    (*n as i64, 0)
                } else {
                    (*n as i64 / 100, *n as i64 % 100)
                };
                offset_min = Some(sign * (h * 60 + m));
                i += 2;
                continue;
            }
            Tok::Sym('-' | '/' | '.') => {}
            Tok::Sym(_) => return None,
        }
        i += 1;
    }
    let default_year = (2001, 4);
    let (year, month, day) = match named_month {
        Some(m) => match comps.as_slice() {
            [d] => (default_year, m, d.0),
            [a, b] if a.0 > 31 || a.1 >= 3 => (*a, m, b.0),
            [d, y] => (*y, m, d.0),
            _ => return None,
        },
        None => match comps.as_slice() {
            [a, b, c] if a.0 > 31 || a.1 >= 3 => (*a, b.0, c.0),
            [m, d, y] => (*y, m.0, d.0),
            [m, d] => (default_year, m.0, d.0),
            _ => return None,
        },
    };
    let mut y = year.0 as i32;
    if year.1 <= 2 {
        y += if y < 50 { 2000 } else { 1900 };
    }
    let date = NaiveDate::from_ymd_opt(y, month, day)?;
    let (mut h, m, sec, ms) = time.unwrap_or((0, 0, 0, 0));
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    let dt = date.and_time(NaiveTime::from_hms_milli_opt(h, m, sec, ms)?);
    match offset_min {
        Some(off) => Some(dt.and_utc().timestamp_millis() - off * 60_000),
        None => local_ms(dt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn field_order_is_locale_compare() {
        let mut v = vec![
            "z",
            "utm.source",
            "a",
            "_x",
            "B",
            "utmSource",
            "10",
            "a.b",
            "9",
            "ab",
            "a_b",
            "A",
            "é",
            "e",
            "f",
            "aB",
            "a1",
            "b",
            "utm_source",
            "Z",
        ];
        v.sort_by(|a, b| locale_compare(a, b));
        assert_eq!(
            v,
            [
                "_x",
                "10",
                "9",
                "a",
                "A",
                "a_b",
                "a.b",
                "a1",
                "ab",
                "aB",
                "b",
                "B",
                "e",
                "é",
                "f",
                "utm_source",
                "utm.source",
                "utmSource",
                "z",
                "Z"
            ]
        );
    }

    #[test]
    fn rules_as_4_1_7() {
        let r = "date|maxlength:10";
        assert_eq!(
            apply_rule(Some(&json!("2024-03-15T10:20:30.000Z")), r).as_deref(),
            Some("2024-03-15")
        );
        assert_eq!(
            apply_rule(Some(&json!("2024-03-16")), r).as_deref(),
            Some("2024-03-16")
        );
        assert_eq!(
            apply_rule(Some(&json!("not-a-date")), r).as_deref(),
            Some("not-a-date")
        );
        assert_eq!(
            apply_rule(Some(&json!("2024-01-15T10:30:00+03:00")), r).as_deref(),
            Some("2024-01-15")
        );
        assert_eq!(
            apply_rule(Some(&json!({ "$date": "2024-06-27T00:00:00.000Z" })), r).as_deref(),
            Some("2024-06-27")
        );
        assert_eq!(
            apply_rule(Some(&json!("abcdefghijkl")), "string|maxlength:2").as_deref(),
            Some("ab")
        );
        assert_eq!(
            apply_rule(Some(&json!(12.5)), "number").as_deref(),
            Some("12.5")
        );
        assert_eq!(
            apply_rule(Some(&json!(true)), "string").as_deref(),
            Some("true")
        );
        assert_eq!(
            apply_rule(Some(&json!(["a", 1])), "string").as_deref(),
            Some("a,1")
        );
        assert_eq!(
            apply_rule(Some(&json!({ "a": 1 })), "string").as_deref(),
            Some("[object Object]")
        );
        assert_eq!(apply_rule(None, "string"), None);
        assert_eq!(apply_rule(Some(&Value::Null), "string"), None);
    }

    #[test]
    fn js_date_parsing() {
        std::env::set_var("TZ", "UTC");
        let d = |s: &str| parse_js_date(s).and_then(utc_date_of_ms);
        // V8: maxlength:10 of "March 17, 2024 23:00" is "March 17, ": no year -> 2001.
        assert_eq!(d("March 17, ").as_deref(), Some("2001-03-17"));
        assert_eq!(
            d("2024-01-15T10:30:00+03:00").as_deref(),
            Some("2024-01-15")
        );
        assert_eq!(
            d("2024-01-15T01:30:00+03:00").as_deref(),
            Some("2024-01-14")
        );
        assert_eq!(
            d("Sun Mar 17 2024 23:30:00 GMT-0100").as_deref(),
            Some("2024-03-18")
        );
        assert_eq!(d("2024/03/17").as_deref(), Some("2024-03-17"));
        assert_eq!(d("03/17/2024").as_deref(), Some("2024-03-17"));
        assert_eq!(d("17 March 2024").as_deref(), Some("2024-03-17"));
        assert_eq!(d("not-a-date"), None);
        assert_eq!(d("2024-13-01"), None);
    }

    #[test]
    fn keys_and_queries() {
        let attrs =
            obj(json!({ "region": "string", "utm": { "source": "string", "medium": "string" } }));
        let parts = obj(json!({
            "byBoth": { "fields": { "utm.source": "string", "utm.medium": "string" } },
            "byRegion": { "fields": { "region": "string" } },
            "noFields": {}
        }));
        let defs = parse_definitions(&parts, &attrs, "v0").expect("valid");
        assert_eq!(defs.len(), 2);
        let both = &defs[0];
        let rec = obj(json!({ "region": "a/b", "utm": { "source": "google", "medium": "cpc" } }));
        assert_eq!(
            both.key("visits", "v1", &rec).as_deref(),
            Some("resource=visits/partition=byBoth/utm.medium=cpc/utm.source=google/id=v1")
        );
        assert_eq!(
            defs[1].key("visits", "v1", &rec).as_deref(),
            Some("resource=visits/partition=byRegion/region=a%2Fb/id=v1")
        );
        assert_eq!(
            both.key("visits", "v1", &obj(json!({ "utm": { "source": "x" } }))),
            None
        );

        // Only the non-leading field: the whole partition, filtered.
        let q = both
            .query("visits", &obj(json!({ "utm.source": "google" })))
            .expect("query");
        assert_eq!(q.prefix, "resource=visits/partition=byBoth/");
        assert_eq!(
            q.id_of("resource=visits/partition=byBoth/utm.medium=cpc/utm.source=google/id=v1")
                .as_deref(),
            Some("v1")
        );
        assert_eq!(
            q.id_of("resource=visits/partition=byBoth/utm.medium=cpc/utm.source=bing/id=v2"),
            None
        );
        let q = both
            .query("visits", &obj(json!({ "utm.medium": "cpc" })))
            .expect("query");
        assert_eq!(q.prefix, "resource=visits/partition=byBoth/utm.medium=cpc/");
        assert_eq!(
            q.id_of("resource=visits/partition=byBoth/utm.medium=cpc/utm.source=g/id=id=x")
                .as_deref(),
            Some("id=x")
        );
        assert!(both.query("visits", &obj(json!({ "nope": 1 }))).is_err());

        let bad = parse_definitions(
            &obj(json!({ "p": { "fields": { "utm.nope": "string" } } })),
            &attrs,
            "v3",
        );
        let msg = bad.expect_err("missing field").to_string();
        assert!(msg.starts_with("Partition 'p' uses field 'utm.nope' which does not exist in resource version 'v3'. Available fields: region, utm."), "{msg}");
    }
}
