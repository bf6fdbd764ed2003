//! The XML of the few S3 answers the lean client reads (ListObjectsV2, DeleteObjects,
//! error bodies) and writes (the DeleteObjects request).

use crate::engine::js::date::parse_date;
use crate::engine::storage::{ListPage, ListedObject};
use roxmltree::{Document, Node};

/// The text of `node`'s first child element named `name`.
fn child<'a>(node: Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .map(|c| c.text().unwrap_or(""))
}

/// An S3 error body: `<Error><Code/><Message/><RequestId/></Error>`.
#[derive(Debug, Default, PartialEq)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

/// The error an answer's body states, if it is an S3 error document.
pub fn error_body(body: &[u8]) -> Option<ErrorBody> {
    let doc = document(body, "Error").ok()?;
    let root = doc.root_element();
    let own = |n: &str| child(root, n).map(str::to_string);
    Some(ErrorBody {
        code: own("Code"),
        message: own("Message"),
        request_id: own("RequestId"),
    })
}

/// `body` as an XML document whose root element is `<root>`; `Err` in the parser's words.
fn document<'a>(body: &'a [u8], root: &str) -> Result<Document<'a>, String> {
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    let doc = Document::parse(text).map_err(|e| e.to_string())?;
    let found = doc.root_element().tag_name().name();
    if found != root {
        return Err(format!("<{root}> expected, got <{found}>"));
    }
    Ok(doc)
}

/// A ListObjectsV2 answer as a page; `Err` with the parser's words when it is not one.
pub fn list_page(body: &[u8]) -> Result<ListPage, String> {
    let doc = document(body, "ListBucketResult")?;
    let root = doc.root_element();
    let objects = root
        .children()
        .filter(|c| c.has_tag_name("Contents"))
        .filter_map(|c| {
            Some(ListedObject {
                key: child(c, "Key")?.to_string(),
                size: child(c, "Size").and_then(|s| s.parse().ok()).unwrap_or(0),
                last_modified_ms: child(c, "LastModified")
                    .and_then(parse_date)
                    .map(|ms| ms as i64)
                    .unwrap_or(0),
            })
        })
        .collect();
    let next_token = match child(root, "IsTruncated") {
        Some("true") => child(root, "NextContinuationToken").map(str::to_string),
        _ => None,
    };
    Ok(ListPage {
        objects,
        next_token,
    })
}

/// What a DeleteObjects answer reports: the keys deleted, and the first failure
/// (key, code, message) with the number of failures.
pub struct DeleteResult {
    pub deleted: Vec<String>,
    pub failed: Option<(String, String, String, usize)>,
}

pub fn delete_result(body: &[u8]) -> Result<DeleteResult, String> {
    let doc = document(body, "DeleteResult")?;
    let root = doc.root_element();
    let deleted = root
        .children()
        .filter(|c| c.has_tag_name("Deleted"))
        .filter_map(|c| child(c, "Key").map(str::to_string))
        .collect();
    let mut errors = root.children().filter(|c| c.has_tag_name("Error"));
    let count = errors.clone().count();
    let failed = errors.next().map(|e| {
        let text = |n: &str| child(e, n).unwrap_or("").to_string();
        (text("Key"), text("Code"), text("Message"), count)
    });
    Ok(DeleteResult { deleted, failed })
}

/// The DeleteObjects request body for `keys` (not quiet: the answer lists each key).
pub fn delete_request(keys: &[String]) -> String {
    let mut out = String::with_capacity(64 + keys.len() * 48);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>false</Quiet>"#);
    for k in keys {
        out.push_str("<Object><Key>");
        escape_into(&mut out, k);
        out.push_str("</Key></Object>");
    }
    out.push_str("</Delete>");
    out
}

/// XML text escaping; characters XML 1.0 cannot carry literally (`\r`, other
/// controls) as character references.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("&#x{:X};", c as u32));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_page_reads_keys_sizes_dates_and_the_token() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>p/a&amp;b</Key><LastModified>2026-12-06T12:00:00.000Z</LastModified><ETag>"x"</ETag><Size>12</Size></Contents>
<Contents><Key>p/&#xE9;</Key><LastModified>2026-12-06T12:00:01.500Z</LastModified><Size>0</Size></Contents>
<NextContinuationToken>tok/en=</NextContinuationToken></ListBucketResult>"#;
        let page = list_page(body).unwrap();
        assert_eq!(page.objects.len(), 2);
        assert_eq!(page.objects[0].key, "p/a&b");
        assert_eq!(page.objects[0].size, 12);
        assert_eq!(page.objects[0].last_modified_ms, 1_796_558_400_000);
        assert_eq!(page.objects[1].key, "p/é");
        assert_eq!(page.objects[1].last_modified_ms, 1_796_558_401_500);
        assert_eq!(page.next_token.as_deref(), Some("tok/en="));
        let last = list_page(br#"<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>t</NextContinuationToken></ListBucketResult>"#).unwrap();
        assert!(last.objects.is_empty() && last.next_token.is_none());
        assert!(list_page(b"<Error><Code>X</Code></Error>").is_err());
        assert!(list_page(b"<ListBucketResult>").is_err());
    }

    #[test]
    fn error_bodies_and_delete_results() {
        let e = error_body(b"<Error><Code>NoSuchKey</Code><Message>gone &lt;k&gt;</Message><RequestId>r1</RequestId></Error>").unwrap();
        assert_eq!(e.code.as_deref(), Some("NoSuchKey"));
        assert_eq!(e.message.as_deref(), Some("gone <k>"));
        assert_eq!(e.request_id.as_deref(), Some("r1"));
        assert!(error_body(b"").is_none());
        assert!(error_body(b"<CopyObjectResult/>").is_none());
        let r = delete_result(b"<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>").unwrap();
        assert_eq!(r.deleted, vec!["a".to_string()]);
        assert_eq!(
            r.failed,
            Some(("b".into(), "AccessDenied".into(), "no".into(), 1))
        );
    }

    #[test]
    fn the_delete_request_escapes_keys_and_parses_back() {
        let keys = vec![
            "a&<b>\"'".to_string(),
            "c\rd".to_string(),
            "é/ü".to_string(),
        ];
        let xml = delete_request(&keys);
        let doc = Document::parse(&xml).unwrap();
        let back: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("Key"))
            .map(|n| n.text().unwrap_or("").to_string())
            .collect();
        assert_eq!(back, keys);
    }
}
