//! `update` and `upsert`: read-modify-writes that hold against other writers.
//!
//! Each attempt reads the record (and its ETag), applies the caller's change to
//! what it read, and writes the main object only if it is still the version
//! read (`If-Match`; `If-None-Match` where it is created). A write refused
//! because another writer got there first is retried from a fresh read, with
//! jittered backoff, up to `CONFLICT_ATTEMPTS` times; then `ConflictError`.
//!
//! On S3 the attempts run under the record's lease (`storage/lease.rs`): an S3
//! ETag hashes the body only, and a record's fields are metadata, so `If-Match`
//! alone cannot see another writer's update there.
//!
//! Hooks on a retried write: `preUpdate` runs once per call, on the caller's
//! attributes (its result is merged into each fresh read); `afterUpdate` runs
//! once, after the write that landed. Events are those of the attempt that
//! landed (one `get`, one `update`).

use super::*;
use crate::engine::storage::guard::{retry_conflicts, CONFLICT_ATTEMPTS};
use crate::engine::storage::Precondition;

/// The caller's attributes: as given until the `preUpdate` hooks have run, then
/// their result (which later attempts reuse).
enum Patch {
    Given(Map<String, Value>),
    Hooked(Map<String, Value>),
}

/// What one attempt read: the record's object and the schema it was written with.
struct Read {
    source: Arc<Schema>,
    head: ObjectMeta,
    body: Option<Bytes>,
    existing: Map<String, Value>,
}

impl Resource {
    /// `given`: the id as the caller passed it. The result carries it back as given
    /// (a number stays a number, as 4.1.7's `validated.id = id`); keys use its string form.
    pub async fn update(&self, given: &Value, attrs: Value) -> Result<Output> {
        let Some(id) = given_id(Some(given)) else {
            return Err(EngineError::new(
                ErrorKind::InvalidId,
                "Invalid id: an id is required",
            ));
        };
        let id = id.as_str();
        let result_id = if given.is_number() {
            given.clone()
        } else {
            Value::from(id)
        };
        let Value::Object(patch) = attrs else {
            return Err(EngineError::new(
                ErrorKind::InvalidResourceItem,
                "update() expects an object of attributes",
            ));
        };
        check_id_for_write(id)?;
        let patch = std::sync::Mutex::new(Patch::Given(patch));
        // Partition copies written by attempts that lost: removed once one lands.
        let stale = std::sync::Mutex::new(Vec::<String>::new());
        self.bucket
            .leased(&self.lease_name(id), || {
                retry_conflicts(|_| self.update_once(id, &result_id, &patch, &stale))
            })
            .await
            .map_err(|e| {
                if e.kind() == ErrorKind::ConflictError {
                    e.with("id", id)
                } else {
                    e
                }
            })
    }

    /// The lease a read-modify-write of record `id` holds on S3 (see `storage/lease.rs`).
    pub(super) fn lease_name(&self, id: &str) -> String {
        format!("resource={}/id={id}", self.name)
    }

    async fn read_for_update(&self, schema: &Arc<Schema>, id: &str) -> Result<Read> {
        // E2: a record of an earlier version is read with its own schema, written
        // under the current version, and its old object removed.
        let (old, head, body) = self.fetch_versioned(schema, id).await?;
        let source = old.unwrap_or_else(|| schema.clone());
        let existing = self
            .record(&source, id, &head, body.as_ref())
            .map_err(|e| self.wrap_get_error(&source, id, e))?;
        let body = if source.version != schema.version && head.size > 0 && body.is_none() {
            // The old object's content (if any) moves with the record.
            Some(self.bucket.get(&Self::key(&source, id)).await?.1)
        } else {
            body
        };
        Ok(Read {
            source,
            head,
            body,
            existing,
        })
    }

    async fn update_once(
        &self,
        id: &str,
        result_id: &Value,
        patch: &std::sync::Mutex<Patch>,
        stale: &std::sync::Mutex<Vec<String>>,
    ) -> Result<Output> {
        let schema = self.schema();
        let read = self.read_for_update(&schema, id).await?;
        let mut out = Output::default();
        out.event("get", vec![Value::Object(read.existing.clone())]);
        let migrated = read.source.version != schema.version;
        let old_key = Self::key(&read.source, id);
        let updated = self
            .update_from(&schema, id, result_id, read, patch, stale, &mut out)
            .await;
        let updated = match updated {
            Ok(()) if migrated => self.bucket.delete(&old_key).await,
            other => other,
        };
        match updated {
            Ok(()) => Ok(out),
            // Events already produced (the `get`) still reach JS before the rejection.
            Err(e) => Err(e.with("events", Value::Array(out.take_events()))),
        }
    }

    /// The `preUpdate` result: the hooks run on the first attempt only. With
    /// timestamps, `updatedAt` is in the attributes the hooks get (4.1.7 set it on
    /// the caller's attributes), so the `update` event and validation errors show it.
    async fn hooked_patch(
        &self,
        schema: &Schema,
        patch: &std::sync::Mutex<Patch>,
    ) -> Result<Map<String, Value>> {
        let mut given = {
            let guard = patch.lock().unwrap_or_else(|p| p.into_inner());
            match &*guard {
                Patch::Hooked(p) => return Ok(p.clone()),
                Patch::Given(p) => p.clone(),
            }
        };
        if schema.timestamps {
            given.insert("updatedAt".into(), Value::from(js::now_iso()));
        }
        let hooks = self.hooks();
        let mut hooked = hooks::expect_object(
            HookPhase::PreUpdate,
            hooks::run(hooks.as_deref(), HookPhase::PreUpdate, Value::Object(given)).await?,
        )?;
        hooked.shift_remove("id");
        *patch.lock().unwrap_or_else(|p| p.into_inner()) = Patch::Hooked(hooked.clone());
        Ok(hooked)
    }

    #[allow(clippy::too_many_arguments)]
    async fn update_from(
        &self,
        schema: &Schema,
        id: &str,
        result_id: &Value,
        read: Read,
        patch: &std::sync::Mutex<Patch>,
        stale: &std::sync::Mutex<Vec<String>>,
        out: &mut Output,
    ) -> Result<()> {
        let key = Self::key(schema, id);
        let Read {
            source,
            head,
            body,
            existing,
        } = read;
        let old_copies = Self::copy_keys(schema, id, &existing);
        let mut merged: Map<String, Value> = existing
            .into_iter()
            .filter(|(k, _)| k != "id" && !k.starts_with('_'))
            .collect();
        let patch = self.hooked_patch(schema, patch).await?;
        deep_merge(&mut merged, &patch);
        // 4.1.7 reports the attributes the caller's hooks returned, not the merged record.
        let validated = self.validated(schema, merged, Some(&patch))?;
        let md = schema.encode(&validated)?;
        let copies = if schema.partitions.is_empty() {
            Vec::new()
        } else {
            self.plan_copies(schema, id, &validated, &md, "update", out)?
        };
        let shaped = self.apply_behavior(schema, id, md, &validated, "update", out)?;
        // Binary content (a body that is not overflowed fields) and overflowing fields
        // cannot share the body: such an update is refused before anything is written.
        let user_content =
            head.size > 0 && !content::body_is_overflow(&source, &head, body.as_ref());
        if user_content && shaped.body.is_some() {
            return Err(EngineError::new(
                ErrorKind::MetadataLimitExceeded,
                format!("Record '{id}' holds binary content in its object body: its fields cannot overflow there (behavior body-overflow)"),
            )
            .with("id", id));
        }
        let new_copies: Vec<String> = copies.iter().map(|(k, _)| k.clone()).collect();
        // Copies first: if they fail, the record is untouched (new-only copies are removed).
        self.write_copies(copies, &old_copies).await?;
        // Keep user content (B2): a body that is not overflowed fields survives the update.
        let (body, content_type) = if let Some(b) = shaped.body {
            (b, None)
        } else if user_content {
            let (meta, b) = match body {
                Some(b) => (head.clone(), b),
                None => self.bucket.get(&Self::key(&source, id)).await?,
            };
            (b, meta.content_type)
        } else {
            (Bytes::new(), None)
        };
        // Replace only the version read; a record moving up from an older version
        // is created under the current one.
        let precondition = if source.version == schema.version {
            Precondition::replacing(Some(&head))
        } else {
            Some(Precondition::IfNoneMatch)
        };
        let written = self
            .bucket
            .put(
                &key,
                PutRequest {
                    metadata: shaped.metadata,
                    body,
                    content_type,
                    content_encoding: None,
                    precondition,
                },
            )
            .await;
        if let Err(e) = written {
            let added: Vec<String> = new_copies
                .iter()
                .filter(|k| !old_copies.contains(k))
                .cloned()
                .collect();
            let _ = self.delete_keys(&added).await;
            if e.kind() == ErrorKind::ConflictError {
                // The copies this attempt rewrote may hold its values: the attempt that
                // lands rewrites or removes them.
                let mut s = stale.lock().unwrap_or_else(|p| p.into_inner());
                s.extend(new_copies.into_iter().filter(|k| old_copies.contains(k)));
            }
            return Err(e);
        }
        // C1: copies whose key changed are moved, not left behind; so are copies an
        // attempt that lost wrote where this record no longer has one.
        let earlier = std::mem::take(&mut *stale.lock().unwrap_or_else(|p| p.into_inner()));
        let mut moved: Vec<String> = old_copies
            .into_iter()
            .chain(earlier)
            .filter(|k| !new_copies.contains(k))
            .collect();
        moved.sort();
        moved.dedup();
        self.delete_keys(&moved).await?;
        let mut result = validated;
        result.insert("id".into(), result_id.clone());
        out.result = Value::Object(result);
        let hooks = self.hooks();
        hooks::notify(hooks.as_deref(), HookPhase::AfterUpdate, &out.result).await?;
        out.event_with_result("update", vec![Value::Object(patch)]);
        Ok(())
    }

    /// `upsert(data)`: an update when the record exists, else an insert that
    /// creates it only if it is still absent; a record created meanwhile by
    /// another writer is then updated instead.
    pub async fn upsert(&self, data: Value) -> Result<Output> {
        let given = data.get("id").cloned().unwrap_or_default();
        let id = given_id(Some(&given)).filter(|id| check_id_for_read(id).is_ok());
        let Some(id) = id else {
            return self.insert(data).await;
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            if self.bucket.exists(&Self::key(&self.schema(), &id)).await? {
                // `update` holds against other writers on its own.
                return self.update(&given, data).await;
            }
            match self.insert_with(data.clone(), InsertMode::Create).await {
                // Created by another writer since `exists`: update it instead.
                Err(e) if e.kind() == ErrorKind::ConflictError && attempt < CONFLICT_ATTEMPTS => {
                    continue
                }
                other => return other,
            }
        }
    }
}
