//! Resource operations: insert/get/update/upsert/delete, bulk variants, listing,
//! counting, paging and querying.
//!
//! Every operation returns an [`Output`]: the result plus the events the JS
//! facade must emit, in order (`[name, ...args]`), so event semantics live here
//! next to the storage effects. Listings walk the prefix page by page (never
//! capped at 1000, defect D1) and bulk results keep input order (D3).

mod bulk;
mod content;
mod dispatch;
pub mod hooks;
mod listing;
mod partitions;
mod update;

pub use content::Content;
pub use partitions::Scope;

use crate::engine::behavior;
use crate::engine::codec::{decode_meta_value, js_string};
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::js::{self, strict_eq};
use crate::engine::schema::{Schema, ValidationError};
use crate::engine::storage::{
    Bucket, Metadata, ObjectMeta, Precondition, PutRequest, METADATA_LIMIT,
};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use hooks::{HookPhase, HookRegistry, Hooks};
use serde_json::{json, Map, Value};
use std::sync::{Arc, RwLock};

/// Stands for "the result of this operation" inside an event's arguments.
pub const RESULT_REF: &str = "\u{1}s3db:result";
/// `RESULT_ITEM_REF` + `i` stands for element `i` of an array result.
pub const RESULT_ITEM_REF: &str = "\u{1}s3db:result:";

fn item_ref(i: usize) -> Value {
    Value::from(format!("{RESULT_ITEM_REF}{i}"))
}

/// `INPUT_ITEM_REF` + `i` stands for element `i` of the operation's input array (the
/// facade substitutes the very object the caller passed).
pub const INPUT_ITEM_REF: &str = "\u{1}s3db:input:";

fn input_ref(i: usize) -> Value {
    Value::from(format!("{INPUT_ITEM_REF}{i}"))
}

/// Result of an operation plus the events to emit, in order.
#[derive(Debug, Default)]
pub struct Output {
    pub result: Value,
    pub events: Vec<Value>,
}

impl Output {
    fn new(result: Value) -> Self {
        Output {
            result,
            events: Vec::new(),
        }
    }
    fn event(&mut self, name: &str, args: Vec<Value>) {
        let mut e = vec![Value::from(name)];
        e.extend(args);
        self.events.push(Value::Array(e));
    }

    /// An event whose last argument is the operation's result. It is sent as
    /// [`RESULT_REF`] (the facade substitutes the result object, as s3db.js emits
    /// the object it returns) so records do not cross the boundary twice.
    fn event_with_result(&mut self, name: &str, mut args: Vec<Value>) {
        args.push(Value::from(RESULT_REF));
        self.event(name, args);
    }

    /// The events with every [`RESULT_REF`] replaced by the result: for moving
    /// events into another output or across a channel.
    pub fn take_events(&mut self) -> Vec<Value> {
        self.take_events_with(|result, text| {
            if text == RESULT_REF {
                return Some(result.clone());
            }
            let i = text.strip_prefix(RESULT_ITEM_REF)?.parse::<usize>().ok()?;
            Some(result.get(i).cloned().unwrap_or(Value::Null))
        })
    }

    /// The events, with references to the result turned into references to
    /// element `i` of an enclosing array result (bulk operations: each record
    /// crosses the boundary once, in the result).
    fn take_events_as_item(&mut self, i: usize) -> Vec<Value> {
        self.take_events_with(|_, text| (text == RESULT_REF).then(|| item_ref(i)))
    }

    /// The events, each string argument `text` replaced by `sub(result, text)` when that is `Some`.
    fn take_events_with(&mut self, sub: impl Fn(&Value, &str) -> Option<Value>) -> Vec<Value> {
        let mut events = std::mem::take(&mut self.events);
        for ev in &mut events {
            if let Value::Array(args) = ev {
                for a in args.iter_mut().skip(1) {
                    if let Some(v) = a.as_str().and_then(|text| sub(&self.result, text)) {
                        *a = v;
                    }
                }
            }
        }
        events
    }

    /// `{"result", "events"}` as JSON text, serialized from borrowed views (no copy of the values).
    pub fn to_json_string(&self) -> String {
        #[derive(serde::Serialize)]
        struct View<'a> {
            result: &'a Value,
            events: &'a [Value],
        }
        serde_json::to_string(&View {
            result: &self.result,
            events: &self.events,
        })
        // Serializing a `Value` to a String cannot fail (its map keys are strings).
        .unwrap_or_else(|_| String::from("{\"result\":null,\"events\":[]}"))
    }
}

pub struct Resource {
    pub name: String,
    schema: RwLock<Arc<Schema>>,
    bucket: Bucket,
    parallelism: usize,
    hooks: RwLock<Option<Arc<dyn Hooks>>>,
    /// The database's registry, when the resource belongs to one (takes precedence over `hooks`).
    registry: std::sync::OnceLock<Arc<HookRegistry>>,
    /// E2: earlier versions from `s3db.json`, newest first; `get` falls back to
    /// them (read-only) when the current version has no such record.
    older: RwLock<Arc<Vec<Arc<Schema>>>>,
}

/// Whether stored metadata is what was written, as S3 gives it back (names
/// lower-cased, values without surrounding blanks).
fn same_metadata(stored: &Metadata, written: &Metadata) -> bool {
    stored.len() == written.len()
        && written.iter().all(|(k, v)| {
            stored
                .get(&k.to_ascii_lowercase())
                .is_some_and(|s| s.trim() == v.trim())
        })
}

/// What `insert` does when a record with the id exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertMode {
    /// Replace it (4.1.7's behaviour, the default).
    Overwrite,
    /// Refuse with `ConflictError` (`If-None-Match: *`), changing nothing.
    Create,
}

impl InsertMode {
    /// The resource's mode: option `insertMode: 'create'`, else overwrite.
    pub fn of(schema: &Schema) -> InsertMode {
        match schema.options.get("insertMode").and_then(Value::as_str) {
            Some("create") => InsertMode::Create,
            _ => InsertMode::Overwrite,
        }
    }

    /// The mode an `{ ifNotExists }` option asks for, if it says.
    pub fn asked(options: Option<&Value>) -> Option<InsertMode> {
        let create = options?.get("ifNotExists")?.as_bool()?;
        Some(if create {
            InsertMode::Create
        } else {
            InsertMode::Overwrite
        })
    }

    /// A call's `{ ifNotExists }` option over the resource's mode.
    pub fn for_call(schema: &Schema, options: Option<&Value>) -> InsertMode {
        Self::asked(options).unwrap_or_else(|| InsertMode::of(schema))
    }
}

/// Id given by the caller, as a string (`0` is a valid id, like 4.1.7).
fn given_id(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(js_string(other)),
    }
}

fn check_id_for_read(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(
            EngineError::new(ErrorKind::InvalidId, "Invalid id: the id is empty").with("id", id),
        );
    }
    if id.split('/').any(|s| s == "." || s == "..") {
        return Err(EngineError::new(
            ErrorKind::InvalidId,
            format!("Invalid id '{id}': '.' and '..' path segments are not allowed"),
        )
        .with("id", id));
    }
    if id.len() > 900 {
        return Err(
            EngineError::new(ErrorKind::InvalidId, "Invalid id: longer than 900 bytes")
                .with("id", id),
        );
    }
    Ok(())
}

/// Ids written by this library: no `/`, no dot segments, no control characters (C7).
fn check_id_for_write(id: &str) -> Result<()> {
    check_id_for_read(id)?;
    if id.contains('/') {
        return Err(EngineError::new(
            ErrorKind::InvalidId,
            format!("Invalid id '{id}': ids cannot contain '/'"),
        )
        .with("id", id));
    }
    if id.chars().any(char::is_control) {
        return Err(EngineError::new(
            ErrorKind::InvalidId,
            "Invalid id: ids cannot contain control characters",
        )
        .with("id", id));
    }
    Ok(())
}

/// lodash-merge-like deep merge where arrays are replaced wholesale (B1).
fn deep_merge(base: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match (base.get_mut(k), v) {
            (Some(Value::Object(b)), Value::Object(p)) if !js::is_valid_date(v) => deep_merge(b, p),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

fn validation_error(
    schema: &Schema,
    bucket: &str,
    attributes: &Map<String, Value>,
    errors: &[ValidationError],
) -> EngineError {
    let validation: Vec<Value> = errors.iter().map(ValidationError::to_json).collect();
    let pretty = serde_json::to_string_pretty(&validation).unwrap_or_default();
    EngineError::new(
        ErrorKind::InvalidResourceItem,
        format!(
            "This item is not valid. Resource={} [bucket:{bucket}].\n{pretty}",
            schema.name
        ),
    )
    .with("bucket", bucket)
    .with("resourceName", schema.name.clone())
    .with("attributes", Value::Object(attributes.clone()))
    .with("validation", Value::Array(validation))
}

impl Resource {
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    pub fn new(schema: Schema, bucket: Bucket, parallelism: usize) -> Self {
        Resource {
            name: schema.name.clone(),
            schema: RwLock::new(Arc::new(schema)),
            bucket,
            parallelism: parallelism.max(1),
            hooks: RwLock::new(None),
            registry: std::sync::OnceLock::new(),
            older: RwLock::new(Arc::new(Vec::new())),
        }
    }

    /// Set the earlier versions `get` may fall back to (E2).
    pub fn set_older(&self, schemas: Vec<Schema>) {
        let v = Arc::new(schemas.into_iter().map(Arc::new).collect::<Vec<_>>());
        match self.older.write() {
            Ok(mut g) => *g = v,
            Err(p) => *p.into_inner() = v,
        }
    }

    fn older(&self) -> Arc<Vec<Arc<Schema>>> {
        match self.older.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Install (or remove) the lifecycle hooks the operations call.
    pub fn set_hooks(&self, hooks: Option<Arc<dyn Hooks>>) {
        match self.hooks.write() {
            Ok(mut g) => *g = hooks,
            Err(p) => *p.into_inner() = hooks,
        }
    }

    /// Read lifecycle hooks from a database's registry (entry = this resource's name).
    pub fn use_hook_registry(&self, registry: Arc<HookRegistry>) {
        let _ = self.registry.set(registry);
    }

    fn hooks(&self) -> Option<Arc<dyn Hooks>> {
        if let Some(reg) = self.registry.get() {
            return match reg.read() {
                Ok(g) => g.get(&self.name).cloned(),
                Err(p) => p.into_inner().get(&self.name).cloned(),
            };
        }
        match self.hooks.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn schema(&self) -> Arc<Schema> {
        match self.schema.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn replace_schema(&self, schema: Schema) {
        match self.schema.write() {
            Ok(mut g) => *g = Arc::new(schema),
            Err(p) => *p.into_inner() = Arc::new(schema),
        }
    }

    pub(crate) fn prefix(schema: &Schema) -> String {
        format!("resource={}/v={}/", schema.name, schema.version)
    }

    pub fn key(schema: &Schema, id: &str) -> String {
        format!("resource={}/v={}/id={}", schema.name, schema.version, id)
    }

    // ---------------------------------------------------------------- writes

    /// Validate `data` (mutated in place, like 4.1.7) or fail with InvalidResourceItem;
    /// nothing is written on failure. The error's `attributes` are `reported`, or else
    /// the data as validation left it (4.1.7 reports the object it validated in place).
    fn validated(
        &self,
        schema: &Schema,
        mut data: Map<String, Value>,
        reported: Option<&Map<String, Value>>,
    ) -> Result<Map<String, Value>> {
        let errors = schema.validate(&mut data);
        if !errors.is_empty() {
            return Err(validation_error(
                schema,
                &self.bucket.bucket,
                reported.unwrap_or(&data),
                &errors,
            ));
        }
        Ok(data)
    }

    /// Run the resource's behavior on the encoded metadata of a write (see `behavior/`).
    fn apply_behavior(
        &self,
        schema: &Schema,
        id: &str,
        md: Metadata,
        data: &Map<String, Value>,
        operation: &str,
        out: &mut Output,
    ) -> Result<behavior::Shaped> {
        let shaped = behavior::shape(&schema.behavior, md).map_err(|e| e.with("id", id))?;
        if let (Some((total, excess)), "user-management") =
            (shaped.exceeded, schema.behavior.as_str())
        {
            out.event(
                "exceedsLimit",
                vec![json!({ "operation": operation, "id": id, "totalSize": total, "limit": METADATA_LIMIT, "excess": excess, "data": Value::Object(data.clone()) })],
            );
            // The write itself is refused by the storage layer, as S3 would (MetadataTooLarge).
        }
        Ok(shaped)
    }

    /// `insert(data)` in the resource's insert mode (option `insertMode`, default
    /// `'overwrite'`, 4.1.7's behaviour).
    pub async fn insert(&self, data: Value) -> Result<Output> {
        let mode = InsertMode::of(&self.schema());
        self.insert_with(data, mode).await
    }

    /// `insert(data)`; under [`InsertMode::Create`] it fails with `ConflictError`
    /// (`reason: 'exists'`) when a record with this id exists, and changes nothing.
    pub async fn insert_with(&self, data: Value, mode: InsertMode) -> Result<Output> {
        let schema = self.schema();
        let Value::Object(mut obj) = data else {
            return Err(EngineError::new(
                ErrorKind::InvalidResourceItem,
                "insert() expects an object",
            ));
        };
        let id_in = given_id(obj.get("id"));
        let id_value = obj
            .shift_remove("id")
            .filter(|v| v.is_number() && id_in.is_some());
        if schema.timestamps {
            let now = js::now_iso();
            obj.insert("createdAt".into(), Value::from(now.clone()));
            obj.insert("updatedAt".into(), Value::from(now));
        }
        if let Some(id) = &id_in {
            check_id_for_write(id)?;
        }
        let hooks = self.hooks();
        let obj = hooks::expect_object(
            HookPhase::PreInsert,
            hooks::run(hooks.as_deref(), HookPhase::PreInsert, Value::Object(obj)).await?,
        )?;
        let validated = self.validated(&schema, obj, None)?;
        let id = match id_in {
            Some(id) => id,
            None => nanoid::nanoid!(22),
        };
        let md = schema.encode(&validated)?;
        let mut out = Output::default();
        let failed =
            |e: EngineError, out: &mut Output| e.with("events", Value::Array(out.take_events()));
        let (shaped, copies) = if schema.partitions.is_empty() {
            let shaped = self.apply_behavior(&schema, &id, md, &validated, "insert", &mut out)?;
            (shaped, Vec::new())
        } else {
            // Main object first (4.1.7's order of events), then every copy: all
            // planned before anything is written (B6).
            let shaped =
                self.apply_behavior(&schema, &id, md.clone(), &validated, "insert", &mut out)?;
            let copies = self
                .plan_copies(&schema, &id, &validated, &md, "insert", &mut out)
                .map_err(|e| failed(e, &mut out))?;
            (shaped, copies)
        };
        let key = Self::key(&schema, &id);
        let main = PutRequest {
            metadata: shaped.metadata,
            body: shaped.body.unwrap_or_default(),
            precondition: (mode == InsertMode::Create).then_some(Precondition::IfNoneMatch),
            ..Default::default()
        };
        let written = if mode == InsertMode::Create {
            // Create-only: the main object first, as the atomic claim of the id (a
            // record already there is left untouched, copies included); the copies
            // after it, and the claim is withdrawn if they fail.
            let written = main.metadata.clone();
            let claimed = match self.bucket.put(&key, main).await {
                // Refused because the object is there: it may be this very write, when the
                // answer to it was lost and the request sent again. Ours if it is what we wrote.
                Err(e) if e.kind() == ErrorKind::ConflictError => {
                    match self.bucket.head(&key).await {
                        Ok(head) if same_metadata(&head.metadata, &written) => Ok(()),
                        _ => Err(e),
                    }
                }
                other => other,
            };
            match claimed {
                Err(e) if e.kind() == ErrorKind::ConflictError => Err(EngineError::new(
                    ErrorKind::ConflictError,
                    format!("Record '{id}' already exists (insert without overwrite)"),
                )
                .with("id", id.as_str())
                .with("reason", "exists")
                .with("attempts", 1)),
                Err(e) => Err(e),
                Ok(()) => match self.write_copies(copies, &[]).await {
                    Err(e) => {
                        let _ = self.bucket.delete(&key).await;
                        Err(e)
                    }
                    Ok(()) => Ok(()),
                },
            }
        } else {
            // B6: the copies first, then the main object, so a failure never leaves a
            // half-written record and never touches a record stored under this id before.
            let copy_keys: Vec<String> = copies.iter().map(|(k, _)| k.clone()).collect();
            match self.write_copies(copies, &[]).await {
                Err(e) => Err(e),
                Ok(()) => match self.bucket.put(&key, main).await {
                    Err(e) => {
                        let _ = self.delete_keys(&copy_keys).await;
                        Err(e)
                    }
                    Ok(()) => Ok(()),
                },
            }
        };
        if let Err(e) = written {
            // Events already produced (`exceedsLimit`) still reach JS before the rejection.
            return Err(failed(e, &mut out));
        }
        let mut result = Map::new();
        // 4.1.7 returns the id as given (a number stays a number); the key uses its string form.
        result.insert("id".into(), id_value.unwrap_or(Value::from(id)));
        result.extend(validated);
        out.result = Value::Object(result);
        if let Err(e) = hooks::notify(hooks.as_deref(), HookPhase::AfterInsert, &out.result).await {
            return Err(e.with("events", Value::Array(out.take_events())));
        }
        out.event_with_result("insert", vec![]);
        Ok(out)
    }

    fn record(
        &self,
        schema: &Schema,
        id: &str,
        head: &ObjectMeta,
        body: Option<&Bytes>,
    ) -> Result<Map<String, Value>> {
        let mut md = head.metadata.clone();
        // The flag is not a field (4.1.7 unmapped it to a stray `undefined`).
        let flagged = md
            .remove(behavior::OVERFLOW_FLAG)
            .is_some_and(|v| v == "true");
        // body-overflow: the body holds short-key entries that did not fit (A1: merge
        // before unmapping). moto drops `$overflow`, so the behavior alone also decides.
        if let Some(b) = body {
            if schema.behavior == "body-overflow" || flagged {
                if let Ok(Value::Object(extra)) = serde_json::from_slice::<Value>(b) {
                    for (k, v) in extra {
                        if let Some(s) = v.as_str() {
                            md.insert(k, s.to_string());
                        } else {
                            md.insert(k, js_string(&v));
                        }
                    }
                }
            }
        }
        let mut rec = schema.decode(&md)?;
        rec.insert("id".into(), Value::from(id));
        rec.insert("_contentLength".into(), Value::from(head.size));
        rec.insert(
            "_lastModified".into(),
            Value::from(js::iso_of_ms(head.last_modified_ms)),
        );
        rec.insert("_hasContent".into(), Value::Bool(head.size > 0));
        rec.insert(
            "_mimeType".into(),
            head.content_type
                .clone()
                .map(Value::from)
                .unwrap_or(Value::Null),
        );
        if let Some(v) = &head.version_id {
            rec.insert("_versionId".into(), Value::from(v.clone()));
        }
        rec.insert(
            "_definitionHash".into(),
            Value::from(schema.definition_hash()),
        );
        Ok(rec)
    }

    /// HEAD (and GET when the behavior keeps data in the body); the raw pieces.
    async fn fetch(&self, schema: &Schema, id: &str) -> Result<(ObjectMeta, Option<Bytes>)> {
        self.fetch_key(schema, &Self::key(schema, id)).await
    }

    /// [`Resource::fetch`] of any key holding a record (main object or partition copy).
    async fn fetch_key(&self, schema: &Schema, key: &str) -> Result<(ObjectMeta, Option<Bytes>)> {
        let head = self.bucket.head(key).await?;
        let needs_body = head.size > 0
            && (schema.behavior == "body-overflow"
                || head.metadata.contains_key(behavior::OVERFLOW_FLAG));
        if needs_body {
            let (meta, body) = self.bucket.get(key).await?;
            return Ok((meta, Some(body)));
        }
        Ok((head, None))
    }

    /// The stored object of `id` under the current version or else (E2) under the
    /// newest earlier version that has it, with that version's schema (`None`: the
    /// current one). Failures are wrapped like `get`'s.
    async fn fetch_versioned(
        &self,
        schema: &Schema,
        id: &str,
    ) -> Result<(Option<Arc<Schema>>, ObjectMeta, Option<Bytes>)> {
        match self.fetch(schema, id).await {
            Ok((head, body)) => Ok((None, head, body)),
            Err(e) if e.is_not_found() => {
                for old in self.older().iter() {
                    match self.fetch(old, id).await {
                        Ok((head, body)) => return Ok((Some(old.clone()), head, body)),
                        Err(other) if other.is_not_found() => continue,
                        Err(other) => return Err(self.wrap_get_error(old, id, other)),
                    }
                }
                Err(self.wrap_get_error(schema, id, e))
            }
            Err(e) => Err(self.wrap_get_error(schema, id, e)),
        }
    }

    pub(crate) async fn load(&self, schema: &Schema, id: &str) -> Result<Map<String, Value>> {
        check_id_for_read(id)?;
        let (old, head, body) = self.fetch_versioned(schema, id).await?;
        let source = old.as_deref().unwrap_or(schema);
        self.record(source, id, &head, body.as_ref())
            .map_err(|e| self.wrap_get_error(source, id, e))
    }

    /// 4.1.7 wraps get failures: "Failed to get resource with id '<id>': <inner>".
    fn wrap_get_error(&self, schema: &Schema, id: &str, inner: EngineError) -> EngineError {
        let key = Self::key(schema, id);
        let mut e = EngineError::new(
            inner.kind(),
            format!("Failed to get resource with id '{id}': {}", inner.message()),
        )
        .with("resourceId", id)
        .with("resourceKey", key)
        .with("originalError", inner.to_json());
        for (k, v) in inner.details.iter() {
            if !e.details.contains_key(k) {
                e.details.insert(k.clone(), v.clone());
            }
        }
        e
    }

    pub async fn get(&self, id: &str) -> Result<Output> {
        let schema = self.schema();
        let rec = self.load(&schema, id).await?;
        let mut out = Output::new(Value::Object(rec));
        out.event_with_result("get", vec![]);
        Ok(out)
    }

    pub async fn exists(&self, id: &str) -> Result<Output> {
        let schema = self.schema();
        if check_id_for_read(id).is_err() {
            return Ok(Output::new(Value::Bool(false)));
        }
        let found = self
            .bucket
            .exists(&Self::key(&schema, id))
            .await
            .unwrap_or(false);
        Ok(Output::new(Value::Bool(found)))
    }

    /// `delete(id)`: on S3 under the record's lease, so an update cannot move its
    /// partition copies between this read and the deletes.
    pub async fn delete(&self, id: &str) -> Result<Output> {
        check_id_for_read(id)?;
        let lease = self.lease_name(id);
        self.bucket.leased(&lease, || self.delete_now(id)).await
    }

    async fn delete_now(&self, id: &str) -> Result<Output> {
        let schema = self.schema();
        let mut out = Output::default();
        // The hooks see the record as read before deletion, or `{ id }` (4.1.7).
        let mut seen = json!({ "id": id });
        match self.load(&schema, id).await {
            Ok(rec) => {
                seen = Value::Object(rec);
                out.event("get", vec![seen.clone()]);
            }
            Err(e) if e.is_not_found() => {}
            Err(e) if e.kind() == ErrorKind::DecryptionError => {}
            Err(e) => return Err(e),
        }
        let hooks = self.hooks();
        let failed =
            |e: EngineError, out: &mut Output| e.with("events", Value::Array(out.take_events()));
        if let Err(e) = hooks::notify(hooks.as_deref(), HookPhase::PreDelete, &seen).await {
            return Err(failed(e, &mut out));
        }
        let older = self.older();
        if older.is_empty() {
            self.bucket.delete(&Self::key(&schema, id)).await?;
        } else {
            // E2: the record may live under an earlier version: one request removes every version's key.
            let mut keys = vec![Self::key(&schema, id)];
            keys.extend(older.iter().map(|s| Self::key(s, id)));
            self.bucket.delete_many(&keys).await?;
        }
        if let Value::Object(rec) = &seen {
            let copies = Self::copy_keys(&schema, id, rec);
            if let Err(e) = self.delete_keys(&copies).await {
                return Err(failed(e, &mut out));
            }
        }
        if let Err(e) = hooks::run(hooks.as_deref(), HookPhase::AfterDelete, seen).await {
            return Err(failed(e, &mut out));
        }
        out.result = json!({ "$metadata": { "httpStatusCode": 204 } });
        out.event("delete", vec![Value::from(id)]);
        Ok(out)
    }
}

/// Decode one raw metadata value (exposed for tests and the client API).
pub fn decode_value(s: &str) -> String {
    decode_meta_value(s)
}

pub type SharedResource = Arc<Resource>;
