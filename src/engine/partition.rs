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
use crate::engine::js;
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
            Value::Object(o) if !js::is_valid_date(v) => cur = o,
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
        Value::Object(_) if !js::is_valid_date(v) => "[object Object]".into(),
        other => js_string(other),
    }
}

/// The UTC date part (`toISOString().split("T")[0]`) of a Date's milliseconds.
fn utc_day(ms: f64) -> String {
    let iso = js::date_to_iso(ms);
    iso.split('T').next().unwrap_or_default().to_string()
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
            text = Some(js::utf16_prefix(s, n).to_string());
        }
    }
    if rule.contains("date") {
        if js::is_valid_date(value) {
            let iso = value.get("$date").and_then(Value::as_str).unwrap_or("");
            return Some(
                js::parse_date(iso)
                    .map(utc_day)
                    .unwrap_or_else(|| iso.to_string()),
            );
        }
        if let Some(s) = text.as_deref().or(value.as_str()) {
            if s.contains('T') && s.contains('Z') {
                return Some(s.split('T').next().unwrap_or("").to_string());
            }
            if let Some(d) = js::parse_date(s).map(utc_day) {
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
