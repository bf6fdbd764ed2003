//! The four 4.1.7 behaviors: what happens to a record whose metadata would
//! exceed S3's 2 KB user-metadata limit.
//!
//! Input is the encoded metadata (short keys -> values as they go on the
//! wire); output is the metadata and body to write. Sizes are what S3 counts:
//! UTF-8 bytes of every name and every encoded value (4.1.7 left out the `_v`
//! name, and `data-truncate` left out all names, so its output could still be
//! refused; here every output really fits).
//!
//! * `user-management` — write unchanged; over the limit, report `exceedsLimit`
//!   (the store then refuses the write, as S3 would).
//! * `enforce-limits` — over the limit, fail before anything is written.
//! * `data-truncate` — smallest values first; the first value that does not fit
//!   is cut (with `...`), every later one dropped (4.1.7's order and marker).
//! * `body-overflow` — smallest values first stay in metadata while they fit
//!   next to the `$overflow` flag; the rest go to the body as a JSON object of
//!   short key -> text (4.1.7's layout), merged back on read.

use crate::engine::codec::{decode_meta_value, encode_meta_value};
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::storage::{metadata_size, Metadata, METADATA_LIMIT};
use bytes::Bytes;
use serde_json::{Map, Value};

pub const BEHAVIORS: [&str; 4] = [
    "user-management",
    "enforce-limits",
    "data-truncate",
    "body-overflow",
];

pub const OVERFLOW_FLAG: &str = "$overflow";
const TRUNCATED: &str = "...";

/// What a behavior decided for one write.
#[derive(Debug, Default)]
pub struct Shaped {
    pub metadata: Metadata,
    /// The object body the behavior owns (body-overflow), if any.
    pub body: Option<Bytes>,
    /// Over the limit before shaping: `(totalSize, excess)`.
    pub exceeded: Option<(usize, usize)>,
}

/// 4.1.7's tie order for equal sizes: JS object key order (integer-like keys
/// ascending, then the other names).
fn js_key_order(a: &str, b: &str) -> std::cmp::Ordering {
    let int = |s: &str| -> Option<u64> {
        if s == "0"
            || (!s.is_empty() && !s.starts_with('0') && s.bytes().all(|c| c.is_ascii_digit()))
        {
            s.parse().ok()
        } else {
            None
        }
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Entries smallest encoded value first, ties in JS key order.
fn by_value_size(md: &Metadata) -> Vec<(&String, &String)> {
    let mut entries: Vec<(&String, &String)> = md.iter().collect();
    entries
        .sort_by(|(ka, va), (kb, vb)| va.len().cmp(&vb.len()).then_with(|| js_key_order(ka, kb)));
    entries
}

/// The longest prefix of `text` whose encoded form plus `...` fits in `room` bytes.
fn truncate_to(text: &str, room: usize) -> Option<String> {
    let fits = |n: usize| -> Option<String> {
        let prefix: String = text.chars().take(n).collect();
        let enc = encode_meta_value(&format!("{prefix}{TRUNCATED}"));
        (enc.len() <= room).then_some(enc)
    };
    let chars = text.chars().count();
    // Encoded length grows with the prefix (up to a switch between u:/b:); binary
    // search, then step down until it really fits.
    let (mut lo, mut hi) = (0usize, chars);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid).is_some() {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    (0..=lo).rev().find_map(fits)
}

/// Apply `behavior` to the encoded metadata of one write.
pub fn shape(behavior: &str, md: Metadata) -> Result<Shaped> {
    let total = metadata_size(&md);
    let exceeded = (total > METADATA_LIMIT).then(|| (total, total - METADATA_LIMIT));
    match behavior {
        "enforce-limits" if exceeded.is_some() => Err(EngineError::new(
            ErrorKind::MetadataLimitExceeded,
            format!("S3 metadata size exceeds 2KB limit. Current size: {total} bytes, limit: {METADATA_LIMIT} bytes"),
        )
        .with("totalSize", total)
        .with("limit", METADATA_LIMIT)
        .with("excess", total - METADATA_LIMIT)),
        "data-truncate" if exceeded.is_some() => Ok(Shaped {
            metadata: truncate(&md),
            body: None,
            exceeded,
        }),
        "body-overflow" if exceeded.is_some() => {
            let (metadata, body) = overflow(&md)?;
            Ok(Shaped {
                metadata,
                body: Some(body),
                exceeded,
            })
        }
        "user-management" | "enforce-limits" | "data-truncate" | "body-overflow" => Ok(Shaped {
            metadata: md,
            body: None,
            exceeded,
        }),
        other => Err(unknown(other)),
    }
}

/// 4.1.7's error for a behavior name it does not know.
pub fn unknown(name: &str) -> EngineError {
    EngineError::new(
        ErrorKind::SchemaError,
        format!(
            "Unknown behavior: {name}. Available behaviors: {}",
            BEHAVIORS.join(", ")
        ),
    )
}

fn truncate(md: &Metadata) -> Metadata {
    let mut out = Metadata::new();
    let mut used = 0usize;
    for (name, value) in by_value_size(md) {
        let need = name.len() + value.len();
        if used + need <= METADATA_LIMIT {
            out.insert(name.clone(), value.clone());
            used += need;
            continue;
        }
        let room = METADATA_LIMIT - used;
        if room > name.len() + TRUNCATED.len() {
            if let Some(cut) = truncate_to(&decode_meta_value(value), room - name.len()) {
                out.insert(name.clone(), cut);
            }
        }
        break;
    }
    out
}

fn overflow(md: &Metadata) -> Result<(Metadata, Bytes)> {
    let room = METADATA_LIMIT - OVERFLOW_FLAG.len() - "true".len();
    let mut kept = Metadata::new();
    let mut moved: Vec<(&String, &String)> = Vec::new();
    let mut used = 0usize;
    for (name, value) in by_value_size(md) {
        let need = name.len() + value.len();
        if used + need <= room {
            kept.insert(name.clone(), value.clone());
            used += need;
        } else {
            moved.push((name, value));
        }
    }
    kept.insert(OVERFLOW_FLAG.into(), "true".into());
    // JSON object in JS key order, values as text (as 4.1.7 writes them); a text
    // that itself looks encoded keeps its escaped form so it reads back unchanged.
    moved.sort_by(|(a, _), (b, _)| js_key_order(a, b));
    let mut body = Map::new();
    for (name, value) in moved {
        let text = decode_meta_value(value);
        let stored = if text.starts_with("u:") || text.starts_with("b:") || text.starts_with("d:") {
            value.clone()
        } else {
            text
        };
        body.insert(name.clone(), Value::from(stored));
    }
    let json = serde_json::to_vec(&Value::Object(body))
        .map_err(|e| EngineError::new(ErrorKind::UnknownError, format!("overflow body: {e}")))?;
    Ok((kept, Bytes::from(json)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(pairs: &[(&str, &str)]) -> Metadata {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The recording's `large` document: body 1700 bytes, summary 450.
    fn large_doc() -> (Metadata, String, String) {
        let body = "B".repeat(1700);
        let summary = "S".repeat(450);
        let m = md(&[
            ("0", "large doc"),
            ("1", &body),
            ("2", &summary),
            ("3", "x|y"),
            ("4", "2"),
            ("_v", "v0"),
        ]);
        (m, body, summary)
    }

    #[test]
    fn small_records_pass_every_behavior_unchanged() {
        let m = md(&[("0", "small doc"), ("1", "short body"), ("_v", "v0")]);
        for b in BEHAVIORS {
            let s = shape(b, m.clone()).expect("shape");
            assert_eq!(s.metadata, m);
            assert!(s.body.is_none());
            assert!(s.exceeded.is_none());
        }
        assert_eq!(shape("nope", m).unwrap_err().kind(), ErrorKind::SchemaError);
    }

    #[test]
    fn enforce_limits_refuses() {
        let big = "x".repeat(2100);
        let e = shape("enforce-limits", md(&[("0", &big), ("_v", "v0")])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MetadataLimitExceeded);
    }

    #[test]
    fn data_truncate_cuts_the_first_value_that_does_not_fit_and_really_fits() {
        let (m, _, summary) = large_doc();
        let s = shape("data-truncate", m).expect("shape");
        assert!(metadata_size(&s.metadata) <= METADATA_LIMIT);
        assert_eq!(metadata_size(&s.metadata), METADATA_LIMIT);
        let cut = &s.metadata["1"];
        assert!(cut.ends_with("..."));
        assert_eq!(cut.len(), 2048 - (2 + 4 + 4 + 10 + 451) - 1);
        assert_eq!(s.metadata["2"], summary);
    }

    #[test]
    fn data_truncate_keeps_encoded_multibyte_text_valid() {
        let text = "é".repeat(1200);
        let s = shape(
            "data-truncate",
            md(&[
                ("0", "title"),
                ("1", &encode_meta_value(&text)),
                ("_v", "v0"),
            ]),
        )
        .expect("shape");
        assert!(metadata_size(&s.metadata) <= METADATA_LIMIT);
        let back = decode_meta_value(&s.metadata["1"]);
        assert!(back.ends_with("..."));
        assert!(back.trim_end_matches('.').chars().all(|c| c == 'é'));
    }

    #[test]
    fn body_overflow_moves_the_largest_values_to_the_body() {
        let (m, body, _) = large_doc();
        let s = shape("body-overflow", m).expect("shape");
        assert!(metadata_size(&s.metadata) <= METADATA_LIMIT);
        assert_eq!(
            s.metadata.get(OVERFLOW_FLAG).map(String::as_str),
            Some("true")
        );
        assert!(!s.metadata.contains_key("1"));
        let b: Value = serde_json::from_slice(&s.body.expect("body")).expect("json");
        assert_eq!(b["1"], Value::from(body));
    }

    #[test]
    fn js_key_order_puts_integers_first_numerically() {
        let mut keys = vec!["_v", "10", "2", "0", "$overflow"];
        keys.sort_by(|a, b| js_key_order(a, b));
        assert_eq!(keys, vec!["0", "2", "10", "$overflow", "_v"]);
    }
}
