//! Partition copies of records, and partition-scoped reads (see
//! `engine::partition` for keys and rules).
//!
//! Copies are planned (keys computed, behavior applied, sizes and key lengths
//! checked) before anything is written, then written before the main object; a
//! failed write removes what the operation wrote, so an insert is never left
//! half-done (B6). Updates move
//! copies whose key changed and deletes of every kind remove them (C1).
//!
//! Reads through a partition load the **main** object of each listed id and
//! keep it only when its current values still map to the listed key, so stale
//! copies left in 4.1.7 buckets (or by a crash between writes) are skipped.

use super::{Output, Resource};
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::partition::{partition_error, PartitionDef, PartitionQuery, MAX_KEY_BYTES};
use crate::engine::schema::Schema;
use crate::engine::storage::{Metadata, PutRequest};
use futures::StreamExt;
use serde_json::{Map, Value};

/// Metadata name of the resource version on partition copies (as 4.1.7 writes it).
const COPY_VERSION: &str = "_version";

/// What a listing walks: the current version's main keys, or one partition.
#[derive(Debug, Clone)]
pub enum Scope {
    Main { prefix: String },
    Partition(PartitionQuery),
}

impl Scope {
    pub fn prefix(&self) -> &str {
        match self {
            Scope::Main { prefix } => prefix,
            Scope::Partition(q) => &q.prefix,
        }
    }

    /// The id of a listed key, or `None` when the key is not part of the scope.
    pub fn id_of(&self, key: &str) -> Option<String> {
        match self {
            Scope::Main { prefix } => Resource::id_from_key(prefix, key),
            Scope::Partition(q) => q.id_of(key),
        }
    }

    pub fn is_main(&self) -> bool {
        matches!(self, Scope::Main { .. })
    }

    /// The event a listing emits per record read: 4.1.7 reads partitions through
    /// `getFromPartition`.
    pub fn item_event(&self) -> &'static str {
        if self.is_main() {
            "get"
        } else {
            "getFromPartition"
        }
    }

    /// `(partition, partitionValues)` as events report them.
    pub fn describe(&self) -> (Value, Value) {
        match self {
            Scope::Main { .. } => (Value::Null, Value::Object(Map::new())),
            Scope::Partition(q) => (
                Value::from(q.def.name.clone()),
                Value::Object(q.values.clone()),
            ),
        }
    }
}

impl Resource {
    pub(crate) fn partition_def<'a>(schema: &'a Schema, name: &str) -> Result<&'a PartitionDef> {
        crate::engine::partition::find(&schema.partitions, name)
    }

    /// The scope of a listing call: `partition` null/absent means the main keys.
    pub fn scope(
        schema: &Schema,
        partition: Option<&Value>,
        values: Option<&Value>,
    ) -> Result<Scope> {
        let name = match partition {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(other) => {
                return Err(EngineError::new(
                    ErrorKind::PartitionError,
                    format!("partition must be a partition name, got {other}"),
                ))
            }
        };
        let Some(name) = name else {
            return Ok(Self::main_scope(schema));
        };
        let values = match values {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(o)) => o.clone(),
            Some(other) => {
                return Err(partition_error(
                    format!("partitionValues of partition '{name}' must be an object, got {other}"),
                    name,
                ))
            }
        };
        let def = Self::partition_def(schema, name)?;
        Ok(Scope::Partition(def.query(&schema.name, &values)?))
    }

    /// Keys of the record's copies (partitions whose fields all have values).
    pub(super) fn copy_keys(schema: &Schema, id: &str, record: &Map<String, Value>) -> Vec<String> {
        schema
            .partitions
            .iter()
            .filter_map(|p| p.key(&schema.name, id, record))
            .collect()
    }

    /// Plan the copy writes of a record: metadata `md` (before the behavior)
    /// plus `_version`, shaped by the behavior like the main object. Nothing is
    /// written; any error here means the whole write must not happen.
    pub(super) fn plan_copies(
        &self,
        schema: &Schema,
        id: &str,
        record: &Map<String, Value>,
        md: &Metadata,
        operation: &str,
        out: &mut Output,
    ) -> Result<Vec<(String, PutRequest)>> {
        let mut puts = Vec::new();
        for def in &schema.partitions {
            let Some(key) = def.key(&schema.name, id, record) else {
                continue;
            };
            let full = self.bucket.full_key(&key);
            if full.len() > MAX_KEY_BYTES {
                return Err(EngineError::new(
                    ErrorKind::InvalidResourceItem,
                    format!(
                        "The partition '{}' key of record '{id}' is {} bytes long; S3 keys are limited to {MAX_KEY_BYTES} bytes",
                        def.name,
                        full.len()
                    ),
                )
                .with("id", id)
                .with("partition", def.name.clone())
                .with("resourceName", schema.name.clone()));
            }
            let mut copy = md.clone();
            copy.insert(COPY_VERSION.into(), schema.version.clone());
            let shaped = self.apply_behavior(schema, id, copy, record, operation, out)?;
            puts.push((
                key,
                PutRequest {
                    metadata: shaped.metadata,
                    body: shaped.body.unwrap_or_default(),
                    ..Default::default()
                },
            ));
        }
        Ok(puts)
    }

    /// Write the planned copies concurrently. On failure, the copies written by
    /// this call whose key is not in `keep` are removed again and the first
    /// error is returned.
    pub(super) async fn write_copies(
        &self,
        puts: Vec<(String, PutRequest)>,
        keep: &[String],
    ) -> Result<()> {
        if puts.is_empty() {
            return Ok(());
        }
        let results: Vec<(String, Result<()>)> =
            futures::stream::iter(puts.into_iter().map(|(key, req)| async move {
                let r = self.bucket.put(&key, req).await;
                (key, r)
            }))
            .buffer_unordered(self.parallelism)
            .collect()
            .await;
        let mut first = None;
        let mut written = Vec::new();
        for (key, r) in results {
            match r {
                Ok(()) => written.push(key),
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        let Some(err) = first else { return Ok(()) };
        written.retain(|k| !keep.contains(k));
        if !written.is_empty() {
            // Best effort: the error being reported is the write's own.
            let _ = self.bucket.delete_many(&written).await;
        }
        Err(err)
    }

    /// `createPartitionReferences(data)` / `updatePartitionReferences(data)`: write
    /// the partition copies of a stored record (`data` with its `id`), shaped by the
    /// behavior like the main object. (Insert, update and delete keep the copies
    /// themselves; these exist for code that calls them directly.)
    pub async fn write_partition_references(&self, data: Value, operation: &str) -> Result<Output> {
        let schema = self.schema();
        let (id, record) = stored_record(data)?;
        let md = schema.encode(&record)?;
        let mut out = Output::new(Value::Null);
        let copies = self.plan_copies(&schema, &id, &record, &md, operation, &mut out)?;
        self.write_copies(copies, &[]).await?;
        Ok(out)
    }

    /// `deletePartitionReferences(data)`: delete the partition copies `data` maps to.
    pub async fn delete_partition_references(&self, data: Value) -> Result<Output> {
        let schema = self.schema();
        let (id, record) = stored_record(data)?;
        self.delete_keys(&Self::copy_keys(&schema, &id, &record))
            .await?;
        Ok(Output::new(Value::Null))
    }

    /// Delete copy keys (in batches of 1000).
    pub(super) async fn delete_keys(&self, keys: &[String]) -> Result<()> {
        for chunk in keys.chunks(1000) {
            self.bucket.delete_many(chunk).await?;
        }
        Ok(())
    }

    /// The record behind a key listed in a partition, or `None` when the copy
    /// is stale (record gone, or its values now map elsewhere).
    pub(crate) async fn load_listed(
        &self,
        schema: &Schema,
        query: &PartitionQuery,
        id: &str,
        key: &str,
    ) -> Result<Option<Map<String, Value>>> {
        let mut rec = match self.load(schema, id).await {
            Ok(rec) => rec,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        if query.def.key(&schema.name, id, &rec).as_deref() != Some(key) {
            return Ok(None);
        }
        rec.insert("_partition".into(), Value::from(query.def.name.clone()));
        rec.insert(
            "_partitionValues".into(),
            Value::Object(query.values.clone()),
        );
        Ok(Some(rec))
    }

    /// Records for listed `(id, key)` entries, in listing order.
    pub(super) async fn fetch_scoped(
        &self,
        schema: &Schema,
        scope: &Scope,
        entries: Vec<(String, String)>,
    ) -> Result<Vec<Map<String, Value>>> {
        let Scope::Partition(q) = scope else {
            return self
                .fetch_many(schema, entries.into_iter().map(|(id, _)| id).collect())
                .await;
        };
        let recs: Vec<Result<Option<Map<String, Value>>>> = futures::stream::iter(
            entries
                .into_iter()
                .map(|(id, key)| async move { self.load_listed(schema, q, &id, &key).await }),
        )
        .buffered(self.parallelism)
        .collect()
        .await;
        let mut out = Vec::with_capacity(recs.len());
        for r in recs {
            if let Some(rec) = r? {
                out.push(rec);
            }
        }
        Ok(out)
    }

    /// `getFromPartition({ id, partitionName, partitionValues })`: the copy itself.
    pub async fn get_from_partition(
        &self,
        id: &str,
        name: &str,
        values: &Map<String, Value>,
    ) -> Result<Output> {
        let schema = self.schema();
        super::check_id_for_read(id)?;
        let def = Self::partition_def(&schema, name)?;
        if values.is_empty() {
            return Err(partition_error(
                format!("No partition values provided for partition '{name}'"),
                name,
            ));
        }
        let mut segs = Vec::with_capacity(def.fields.len());
        for f in &def.fields {
            let Some(seg) = f.segment(values.get(&f.path)) else {
                return Err(partition_error(
                    format!(
                        "Partition '{name}' needs a value for '{}' to locate a record",
                        f.path
                    ),
                    name,
                ));
            };
            segs.push(seg);
        }
        let (head, body) = self
            .fetch_key(&schema, &def.key_of(&schema.name, id, &segs))
            .await?;
        let mut rec = self.record(&schema, id, &head, body.as_ref())?;
        rec.insert("_partition".into(), Value::from(name));
        rec.insert("_partitionValues".into(), Value::Object(values.clone()));
        let mut out = Output::new(Value::Object(rec));
        out.event_with_result("getFromPartition", vec![]);
        Ok(out)
    }
}

/// A stored record as the partition-reference methods take it: its id and its fields.
fn stored_record(data: Value) -> Result<(String, Map<String, Value>)> {
    let Value::Object(mut record) = data else {
        return Err(EngineError::new(
            ErrorKind::InvalidResourceItem,
            "expected a record object",
        ));
    };
    let id = super::given_id(record.shift_remove("id").as_ref()).ok_or_else(|| {
        EngineError::new(ErrorKind::InvalidId, "Invalid id: the record has no id")
    })?;
    Ok((id, record))
}
