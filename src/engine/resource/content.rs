//! Binary content (4.1.7's `setContent`, `content`, `hasContent`, `deleteContent`):
//! the record's object body holds the bytes with their Content-Type, the metadata
//! keeps the record. A body-overflow record whose body holds overflowed fields
//! cannot also hold content: setting content there is refused (nothing is lost),
//! where 4.1.7 overwrote the overflow data.

use super::*;
use crate::engine::behavior::OVERFLOW_FLAG;
use crate::engine::storage::guard::retry_conflicts;
use crate::engine::storage::BodyStream;

/// What `contentStream(id)` reads: the body's chunks, type and length.
pub struct ContentStream {
    pub content_type: Option<String>,
    pub length: u64,
    pub body: BodyStream,
}

/// What `content(id)` returns: the bytes and their type, or nothing for a missing key.
pub struct Content {
    pub body: Option<Bytes>,
    pub content_type: Option<String>,
    pub out: Output,
}

/// Whether an object's body holds overflowed fields (body-overflow) rather than content:
/// the `$overflow` flag, or, where a store drops that metadata name (moto does), a
/// body-overflow resource's body that is a JSON object of strings under the schema's
/// short keys. With the body unknown (`None`) a body-overflow body counts as overflow.
pub(super) fn body_is_overflow(schema: &Schema, head: &ObjectMeta, body: Option<&Bytes>) -> bool {
    if head.metadata.contains_key(OVERFLOW_FLAG) {
        return true;
    }
    if schema.behavior != "body-overflow" || head.size == 0 {
        return false;
    }
    let Some(b) = body else { return true };
    match serde_json::from_slice::<Value>(b) {
        Ok(Value::Object(o)) => {
            !o.is_empty()
                && o.iter()
                    .all(|(k, v)| v.is_string() && schema.map.values().any(|s| s == k))
        }
        _ => false,
    }
}

impl Resource {
    /// HEAD of record `id`, and its body when only the body can tell content from overflow.
    async fn head_for_content(
        &self,
        schema: &Schema,
        key: &str,
    ) -> Result<(ObjectMeta, Option<Bytes>)> {
        let head = self.bucket.head(key).await?;
        if schema.behavior == "body-overflow"
            && head.size > 0
            && !head.metadata.contains_key(OVERFLOW_FLAG)
        {
            let (meta, body) = self.bucket.get(key).await?;
            return Ok((meta, Some(body)));
        }
        Ok((head, None))
    }

    fn overflow_conflict(&self, id: &str) -> EngineError {
        EngineError::new(
            ErrorKind::UnknownError,
            format!(
                "Record '{id}' keeps overflowing fields in its object body (behavior body-overflow): binary content would overwrite them"
            ),
        )
        .with("id", id)
        .with("resourceName", self.schema().name.clone())
    }

    /// The record `id` before a content write: its `get` output (with the `get`
    /// event), its key, its metadata and the precondition that the write replaces
    /// only that version. Refused for a body holding overflow.
    async fn before_content_write(
        &self,
        id: &str,
    ) -> Result<(Output, String, Metadata, Option<Precondition>)> {
        let schema = self.schema();
        check_id_for_read(id)?;
        let (old, head, body_now) = self.fetch_versioned(&schema, id).await?;
        let source = old.as_deref().unwrap_or(&schema);
        let rec = self
            .record(source, id, &head, body_now.as_ref())
            .map_err(|e| self.wrap_get_error(source, id, e))?;
        let mut out = Output::new(Value::Object(rec));
        out.event_with_result("get", vec![]);
        if body_is_overflow(source, &head, body_now.as_ref()) {
            return Err(self.overflow_conflict(id));
        }
        let precondition = Precondition::replacing(Some(&head));
        Ok((out, Self::key(source, id), head.metadata, precondition))
    }

    /// The record with its new content's fields, and the `setContent` event.
    fn after_content_write(mut out: Output, id: &str, length: u64, content_type: &str) -> Output {
        if let Value::Object(rec) = &mut out.result {
            rec.insert("_hasContent".into(), Value::Bool(true));
            rec.insert("_contentLength".into(), Value::from(length));
            rec.insert("_mimeType".into(), Value::from(content_type));
        }
        out.event(
            "setContent",
            vec![json!({ "id": id, "contentType": content_type, "contentLength": length })],
        );
        out
    }

    /// `setContent({ id, buffer, contentType })`: reads the record (`get`, one fetch
    /// that also tells content from overflow), then writes `body` with
    /// `content_type` where the record is, the metadata unchanged; only over the
    /// version read (a record updated meanwhile is read again, and the write retried).
    pub async fn set_content(&self, id: &str, body: Bytes, content_type: &str) -> Result<Output> {
        let lease = self.lease_name(id);
        self.bucket
            .leased(&lease, || {
                retry_conflicts(|_| {
                    let body = body.clone();
                    async move {
                        let (out, key, metadata, precondition) =
                            self.before_content_write(id).await?;
                        let length = body.len() as u64;
                        self.bucket
                            .put(
                                &key,
                                PutRequest {
                                    metadata,
                                    body,
                                    content_type: Some(content_type.to_string()),
                                    content_encoding: None,
                                    precondition,
                                },
                            )
                            .await?;
                        Ok(Self::after_content_write(out, id, length, content_type))
                    }
                })
            })
            .await
    }

    /// [`Resource::set_content`] with a body that arrives in chunks: the backend
    /// holds a bounded part of it at a time (S3: a multipart upload over 8 MiB).
    /// The record is read first, so a missing record fails before any byte is sent.
    pub async fn set_content_stream(
        &self,
        id: &str,
        body: BodyStream,
        content_type: &str,
    ) -> Result<Output> {
        let lease = self.lease_name(id);
        let (out, sent) = self
            .bucket
            .leased(&lease, || async {
                let (out, key, metadata, precondition) = self.before_content_write(id).await?;
                // A streamed body cannot be sent twice: a record updated during the upload
                // fails it with ConflictError (nothing is replaced) instead of a retry.
                let sent = self
                    .bucket
                    .put_stream(
                        &key,
                        PutRequest {
                            metadata,
                            content_type: Some(content_type.to_string()),
                            precondition,
                            ..Default::default()
                        },
                        body,
                    )
                    .await?;
                Ok((out, sent))
            })
            .await?;
        Ok(Self::after_content_write(out, id, sent.bytes, content_type))
    }

    /// `contentStream(id)`: the body as chunks with its type and length, read as
    /// the consumer asks (never whole in memory). Overflowed fields are not
    /// content: such a body streams as empty.
    pub async fn content_stream(&self, id: &str) -> Result<ContentStream> {
        let schema = self.schema();
        check_id_for_read(id)?;
        let key = Self::key(&schema, id);
        let (meta, body) = self.bucket.get_stream(&key).await?;
        let overflow = if meta.metadata.contains_key(OVERFLOW_FLAG) {
            true
        } else if schema.behavior == "body-overflow" && meta.size > 0 {
            // Only the body itself can tell (a store that drops the flag): such
            // bodies are JSON of field values, read whole to decide.
            let whole: Vec<Bytes> = body.try_collect().await?;
            let whole = Bytes::from(whole.concat());
            let is = body_is_overflow(&schema, &meta, Some(&whole));
            let length = if is { 0 } else { whole.len() as u64 };
            let body = futures::stream::iter(if is { vec![] } else { vec![Ok(whole)] }).boxed();
            return Ok(ContentStream {
                content_type: meta.content_type,
                length,
                body,
            });
        } else {
            false
        };
        Ok(ContentStream {
            content_type: meta.content_type,
            length: if overflow { 0 } else { meta.size },
            body: if overflow {
                futures::stream::empty().boxed()
            } else {
                body
            },
        })
    }

    /// `content(id)`: the body and its Content-Type; nothing for a missing record.
    /// Overflowed fields are not content.
    pub async fn content(&self, id: &str) -> Result<Content> {
        let schema = self.schema();
        check_id_for_read(id)?;
        let (meta, body) = match self.bucket.get(&Self::key(&schema, id)).await {
            Ok(found) => found,
            Err(e) if e.is_not_found() => {
                return Ok(Content {
                    body: None,
                    content_type: None,
                    out: Output::new(Value::Null),
                })
            }
            Err(e) => return Err(e),
        };
        let body = if body_is_overflow(&schema, &meta, Some(&body)) {
            Bytes::new()
        } else {
            body
        };
        let mut out = Output::new(Value::Null);
        out.event(
            "content",
            vec![
                Value::from(id),
                Value::from(body.len()),
                meta.content_type
                    .clone()
                    .map(Value::from)
                    .unwrap_or(Value::Null),
            ],
        );
        Ok(Content {
            body: Some(body),
            content_type: meta.content_type,
            out,
        })
    }

    /// `hasContent(id)`: a non-empty body that is not overflowed fields; false on any error.
    pub async fn has_content(&self, id: &str) -> Result<Output> {
        let schema = self.schema();
        let has = match check_id_for_read(id) {
            Ok(()) => match self
                .head_for_content(&schema, &Self::key(&schema, id))
                .await
            {
                Ok((head, body)) => {
                    head.size > 0 && !body_is_overflow(&schema, &head, body.as_ref())
                }
                Err(_) => false,
            },
            Err(_) => false,
        };
        Ok(Output::new(Value::Bool(has)))
    }

    /// `deleteContent(id)`: an empty body, the metadata unchanged.
    pub async fn delete_content(&self, id: &str) -> Result<Output> {
        let schema = self.schema();
        check_id_for_read(id)?;
        let key = Self::key(&schema, id);
        let (head, body_now) = self.head_for_content(&schema, &key).await?;
        if body_is_overflow(&schema, &head, body_now.as_ref()) {
            return Err(self.overflow_conflict(id));
        }
        self.bucket
            .put(
                &key,
                PutRequest {
                    metadata: head.metadata,
                    ..Default::default()
                },
            )
            .await?;
        let mut out = Output::new(json!({}));
        out.event("deleteContent", vec![Value::from(id)]);
        Ok(out)
    }
}
