//! The raw object operations behind s3db.js's `Client` (putObject, getObject,
//! headObject, deleteObject(s), copyObject, listObjects) over a [`Connection`].
//! Keys are the keys S3 sees (the facade adds the key prefix, as the SDK inputs of
//! 4.1.7's commands carry it); metadata values are passed and returned exactly as
//! stored. Responses use the AWS SDK's field names.

use crate::engine::connection::Connection;
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::js;
use crate::engine::storage::PutRequest;
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{json, Value};

/// One raw object operation; `args` holds its inputs (`key`, `keys`, `from`/`to`, `prefix`, ...).
pub async fn call(
    conn: &Connection,
    op: &str,
    args: Value,
    body: Option<Bytes>,
) -> Result<(Value, Option<Bytes>)> {
    let b = &conn.bucket().await?.unprefixed();
    let s = |k: &str| {
        args.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let meta_json = |m: &crate::engine::storage::ObjectMeta| {
        json!({
            "Metadata": m.metadata,
            "ContentLength": m.size,
            "ContentType": m.content_type,
            "ContentEncoding": m.content_encoding,
            "LastModified": js::iso_of_ms(m.last_modified_ms),
            "VersionId": m.version_id,
        })
    };
    match op {
        "putObject" => {
            let metadata = args
                .get("metadata")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), crate::engine::codec::js_string(v)))
                        .collect()
                })
                .unwrap_or_default();
            let req = PutRequest {
                body: body.unwrap_or_default(),
                metadata,
                content_type: args
                    .get("contentType")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                content_encoding: args
                    .get("contentEncoding")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                precondition: None,
            };
            b.put(&s("key"), req).await?;
            Ok((json!({}), None))
        }
        "getObject" => {
            let (m, body) = b.get(&s("key")).await?;
            Ok((meta_json(&m), Some(body)))
        }
        "headObject" => Ok((meta_json(&b.head(&s("key")).await?), None)),
        "deleteObject" => {
            b.delete(&s("key")).await?;
            Ok((json!({}), None))
        }
        "deleteObjects" => {
            let keys: Vec<String> = args
                .get("keys")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let deleted = b.delete_many(&keys).await?;
            Ok((json!({ "deleted": deleted, "notFound": [] }), None))
        }
        "listObjects" => {
            let max = args.get("maxKeys").and_then(Value::as_u64).unwrap_or(1000) as usize;
            let token = args
                .get("continuationToken")
                .and_then(Value::as_str)
                .map(str::to_string);
            let mut page = b.list_page(&s("prefix"), max, token).await?;
            if b.backend_name() == "file" {
                // A file listing sizes the object files, header line included (listing
                // stays a directory walk); the body's size takes a read of the header.
                let keys: Vec<String> = page.objects.iter().map(|o| o.key.clone()).collect();
                let heads = keys.into_iter().map(|key| {
                    let b = b.clone();
                    async move { b.head(&key).await.ok().map(|m| m.size) }
                });
                let sizes: Vec<Option<u64>> =
                    futures::stream::iter(heads).buffered(16).collect().await;
                for (o, size) in page.objects.iter_mut().zip(sizes) {
                    o.size = size.unwrap_or(o.size);
                }
            }
            let contents: Vec<Value> = page
                .objects
                .iter()
                .map(|o| json!({ "Key": o.key, "Size": o.size }))
                .collect();
            Ok((
                json!({ "Contents": contents, "KeyCount": page.objects.len(), "IsTruncated": page.next_token.is_some(), "NextContinuationToken": page.next_token }),
                None,
            ))
        }
        "copyObject" => {
            b.copy(&s("from"), &s("to")).await?;
            let m = b.head(&s("to")).await?;
            Ok((
                json!({ "CopyObjectResult": { "LastModified": js::iso_of_ms(m.last_modified_ms) } }),
                None,
            ))
        }
        other => Err(EngineError::new(
            ErrorKind::InvalidArgument,
            format!("unknown client operation '{other}'"),
        )),
    }
}
