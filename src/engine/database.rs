//! Database: connection, `s3db.json` metadata, resource registry.
//!
//! `connect()` reads `s3db.json` (writing a blank one when missing) and restores
//! every stored resource at its `currentVersion`, with the field map derived from
//! the stored attribute order (A2). `createResource()` keeps the stored version
//! when the definition hash is unchanged and creates `v<N+1>` otherwise; every
//! upload re-reads the stored file and changes only the resource at hand, so
//! resources created elsewhere are never dropped (E4). Lifecycle hooks are never
//! persisted (E1). Definition changes are computed after loading (E3).

use crate::engine::connection::Connection;
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::js;
use crate::engine::resource::hooks::{HookRegistry, Hooks};
use crate::engine::resource::{Output, Resource};
use crate::engine::schema::{Schema, SchemaInput};
use crate::engine::storage::guard::retry_conflicts;
use crate::engine::storage::{Bucket, Precondition, PutRequest};
use bytes::Bytes;
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tokio::sync::Mutex;

pub const METADATA_KEY: &str = "s3db.json";

pub struct DatabaseOptions {
    pub connection: Arc<Connection>,
    pub passphrase: String,
    pub cache: Option<Value>,
}

struct State {
    saved: Option<Value>,
    resources: IndexMap<String, Arc<Resource>>,
    connected: bool,
}

pub struct Database {
    conn: Arc<Connection>,
    passphrase: String,
    cache: Option<Value>,
    state: Mutex<State>,
    /// Lifecycle hooks per resource name, installed from JS (never persisted, E1).
    hooks: Arc<HookRegistry>,
}

fn next_version(versions: Option<&Map<String, Value>>) -> String {
    let mut max: Option<i64> = None;
    if let Some(v) = versions {
        for k in v.keys() {
            if let Some(rest) = k.strip_prefix('v') {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(n) = digits.parse::<i64>() {
                    max = Some(max.map_or(n, |m| m.max(n)));
                }
            }
        }
    }
    format!("v{}", max.map_or(0, |m| m + 1))
}

impl Database {
    pub fn new(opts: DatabaseOptions) -> Self {
        Database {
            conn: opts.connection,
            passphrase: opts.passphrase,
            cache: opts.cache,
            state: Mutex::new(State {
                saved: None,
                resources: IndexMap::new(),
                connected: false,
            }),
            hooks: Default::default(),
        }
    }

    /// Install (Some) or remove (None) the lifecycle hooks of resource `name`;
    /// they apply from the next operation on it.
    pub fn set_hooks(&self, name: &str, hooks: Option<Arc<dyn Hooks>>) {
        let mut map = match self.hooks.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        match hooks {
            Some(h) => map.insert(name.to_string(), h),
            None => map.remove(name),
        };
    }

    pub async fn bucket(&self) -> Result<&Bucket> {
        self.conn.bucket().await
    }

    /// The connection (shared with the client it was built on).
    pub fn connection(&self) -> &Arc<Connection> {
        &self.conn
    }

    fn parallelism(&self) -> usize {
        self.conn.config().parallelism
    }

    /// `s3db.json` and the precondition of a write that replaces exactly what was read
    /// (`If-Match` its ETag, or `If-None-Match` when there is none).
    async fn read_metadata_tagged(&self) -> Result<(Option<Value>, Option<Precondition>)> {
        let bucket = self.bucket().await?;
        match bucket.get(METADATA_KEY).await {
            Ok((head, body)) => {
                let v: Value = serde_json::from_slice(&body).map_err(|e| {
                    EngineError::new(
                        ErrorKind::CorruptData,
                        format!("s3db.json is not valid JSON: {e}"),
                    )
                    .with("key", METADATA_KEY)
                })?;
                Ok((Some(v), Precondition::replacing(Some(&head))))
            }
            Err(e) if e.is_not_found() => Ok((None, Precondition::replacing(None))),
            Err(e) => Err(e),
        }
    }

    /// Writes `s3db.json` with `resources`, if `precondition` holds (else `ConflictError`:
    /// another process wrote it since it was read; the caller reads it again and re-applies).
    async fn write_metadata(
        &self,
        resources: Map<String, Value>,
        precondition: Option<Precondition>,
    ) -> Result<Value> {
        let doc = json!({
            "version": "1",
            "s3dbVersion": env!("CARGO_PKG_VERSION"),
            "lastUpdated": js::now_iso(),
            "resources": Value::Object(resources),
        });
        let body = serde_json::to_string_pretty(&doc).map_err(|e| {
            EngineError::new(
                ErrorKind::UnknownError,
                format!("cannot serialise s3db.json: {e}"),
            )
        })?;
        self.bucket()
            .await?
            .put(
                METADATA_KEY,
                PutRequest {
                    body: Bytes::from(body),
                    content_type: Some("application/json".into()),
                    precondition,
                    ..Default::default()
                },
            )
            .await?;
        Ok(doc)
    }

    fn schema_from_stored(&self, name: &str, entry: &Value) -> Result<Option<Schema>> {
        let current = entry
            .get("currentVersion")
            .and_then(Value::as_str)
            .unwrap_or("v0");
        self.stored_version_schema(name, entry, current, true)
    }

    /// E2: the stored versions other than `current`, newest first, as read-only
    /// schemas (their own field maps; no partitions). A version whose stored
    /// definition no longer builds is left out.
    fn older_schemas(&self, name: &str, entry: Option<&Value>, current: &str) -> Vec<Schema> {
        let Some(entry) = entry else {
            return Vec::new();
        };
        let mut versions: Vec<&String> = entry
            .get("versions")
            .and_then(Value::as_object)
            .map(|v| v.keys().filter(|k| k.as_str() != current).collect())
            .unwrap_or_default();
        let number = |v: &str| -> i64 {
            v.strip_prefix('v')
                .and_then(|d| d.parse().ok())
                .unwrap_or(-1)
        };
        versions.sort_by_key(|v| std::cmp::Reverse(number(v)));
        versions
            .into_iter()
            .filter_map(|v| {
                self.stored_version_schema(name, entry, v, false)
                    .ok()
                    .flatten()
            })
            .collect()
    }

    fn stored_version_schema(
        &self,
        name: &str,
        entry: &Value,
        current: &str,
        with_partitions: bool,
    ) -> Result<Option<Schema>> {
        let Some(ver) = entry.get("versions").and_then(|v| v.get(current)) else {
            return Ok(None);
        };
        let attributes = ver
            .get("attributes")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut options = ver
            .get("options")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let partitions = if with_partitions {
            entry
                .get("partitions")
                .filter(|p| p.is_object())
                .or_else(|| options.get("partitions"))
                .cloned()
                .unwrap_or_else(|| json!({}))
        } else {
            json!({})
        };
        options.insert("partitions".into(), partitions);
        let behavior = ver
            .get("behavior")
            .and_then(Value::as_str)
            .unwrap_or("user-management");
        Schema::build(SchemaInput {
            name,
            version: current,
            attributes: &attributes,
            options: &options,
            behavior,
            passphrase: &self.passphrase,
            cache: None,
        })
        .map(Some)
    }

    /// Read `s3db.json` (create it when missing) and load stored resources.
    pub async fn connect(&self) -> Result<Value> {
        let bucket = self.bucket().await?;
        // Whether writes here are conditional is settled now (S3: probed once), so a
        // server without them is reported (or, under 'optimistic', refused) at connect.
        bucket.guard().enabled().await?;
        let mut st = self.state.lock().await;
        let mut events = Vec::new();
        // Created only if still absent: a process that got there first wins, and its file is read.
        let saved = retry_conflicts(|_| async {
            match self.read_metadata_tagged().await? {
                (Some(doc), _) => Ok((doc, None)),
                (None, precondition) => {
                    let mut res = Map::new();
                    for (name, r) in &st.resources {
                        res.insert(name.clone(), Self::entry_for(&r.schema(), None));
                    }
                    let doc = self.write_metadata(res, precondition).await?;
                    Ok((doc.clone(), Some(doc)))
                }
            }
        })
        .await?;
        let saved = match saved {
            (doc, Some(_)) => {
                events.push(json!(["metadataUploaded", doc.clone()]));
                doc
            }
            (doc, None) => doc,
        };
        if let Some(warning) = bucket.guard().take_warning() {
            events.push(json!(["s3db.warning", warning]));
        }
        let stored = saved
            .get("resources")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, entry) in &stored {
            if st.resources.contains_key(name) {
                continue;
            }
            if let Some(schema) = self.schema_from_stored(name, entry)? {
                let older = self.older_schemas(name, Some(entry), &schema.version);
                let r = Resource::new(schema, bucket.clone(), self.parallelism());
                r.use_hook_registry(self.hooks.clone());
                r.set_older(older);
                st.resources.insert(name.clone(), Arc::new(r));
            }
        }
        // E3: changes are computed after loading, against what is in memory now.
        let mut changes = Vec::new();
        for (name, r) in &st.resources {
            let schema = r.schema();
            let hash = schema.version_hash();
            match stored.get(name) {
                None => changes.push(json!({ "type": "new", "resourceName": name, "currentHash": hash, "savedHash": null })),
                Some(entry) => {
                    let cur = entry.get("currentVersion").and_then(Value::as_str).unwrap_or("v0");
                    let saved_hash = entry.get("versions").and_then(|v| v.get(cur)).and_then(|v| v.get("hash")).cloned().unwrap_or(Value::Null);
                    if saved_hash.as_str() != Some(hash.as_str()) {
                        changes.push(json!({ "type": "changed", "resourceName": name, "currentHash": hash, "savedHash": saved_hash, "fromVersion": cur, "toVersion": next_version(entry.get("versions").and_then(Value::as_object)) }));
                    }
                }
            }
        }
        st.saved = Some(saved.clone());
        st.connected = true;
        let resources: Vec<Value> = st.resources.values().map(|r| r.schema().export()).collect();
        Ok(
            json!({ "changes": changes, "metadata": saved, "resources": resources, "events": events }),
        )
    }

    fn entry_for(schema: &Schema, created_at: Option<&Value>) -> Value {
        Self::entry_with(schema, Map::new(), created_at)
    }

    /// A resource's s3db.json entry: `versions` (the stored ones) with the schema's
    /// version (re)written.
    fn entry_with(
        schema: &Schema,
        mut versions: Map<String, Value>,
        created_at: Option<&Value>,
    ) -> Value {
        versions.insert(
            schema.version.clone(),
            Self::version_entry(schema, created_at),
        );
        json!({
            "currentVersion": schema.version,
            "partitions": schema.options.get("partitions").cloned().unwrap_or_else(|| json!({})),
            "versions": Value::Object(versions),
        })
    }

    fn version_entry(schema: &Schema, created_at: Option<&Value>) -> Value {
        json!({
            "hash": schema.version_hash(),
            "attributes": Value::Object(schema.attributes.clone()),
            "options": Value::Object(schema.options.clone()),
            "behavior": schema.behavior,
            "createdAt": created_at.cloned().unwrap_or_else(|| Value::from(js::now_iso())),
        })
    }

    /// createResource({ name, attributes, options, behavior }).
    pub async fn create_resource(&self, def: Value) -> Result<Output> {
        let name = def
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if name.is_empty() || name.contains('/') || name.chars().any(char::is_control) {
            return Err(EngineError::new(
                ErrorKind::SchemaError,
                format!(
                    "Invalid resource name '{name}': it must be a non-empty string without '/'"
                ),
            ));
        }
        let attributes = match def.get("attributes") {
            Some(Value::Object(a)) => a.clone(),
            None | Some(Value::Null) => Map::new(),
            Some(_) => {
                return Err(EngineError::new(
                    ErrorKind::SchemaError,
                    "attributes must be an object",
                ))
            }
        };
        let options = def
            .get("options")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let behavior = def
            .get("behavior")
            .and_then(Value::as_str)
            .unwrap_or("user-management")
            .to_string();
        let bucket = self.bucket().await?.clone();

        let build = |version: &str, attrs: &Map<String, Value>| {
            Schema::build(SchemaInput {
                name: &name,
                version,
                attributes: attrs,
                options: &options,
                behavior: &behavior,
                passphrase: &self.passphrase,
                cache: self.cache.as_ref(),
            })
        };
        // Latest stored file (E4: never overwrite resources we did not load). The
        // write replaces only the version read: when another process wrote the file
        // meanwhile, it is read again and this resource's entry applied to it.
        let mut out = Output::default();
        let (schema, entry, stored_current, st, uploaded) = retry_conflicts(|_| async {
            let (stored_doc, precondition) = self.read_metadata_tagged().await?;
            let stored = stored_doc
                .as_ref()
                .and_then(|d| d.get("resources"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let entry = stored.get(&name).cloned();
            let stored_current = entry
                .as_ref()
                .and_then(|e| e.get("currentVersion"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let stored_versions = entry
                .as_ref()
                .and_then(|e| e.get("versions"))
                .and_then(Value::as_object)
                .cloned();
            let probe = build(stored_current.as_deref().unwrap_or("v0"), &attributes)?;
            let new_hash = probe.version_hash();
            let stored_entry = stored_current
                .as_ref()
                .and_then(|c| stored_versions.as_ref().and_then(|v| v.get(c)));
            let same = stored_entry
                .and_then(|v| v.get("hash"))
                .and_then(Value::as_str)
                == Some(new_hash.as_str());
            let (schema, changed) = if same {
                // A2: the field map follows the stored attribute order for this version.
                let stored_attrs = stored_entry
                    .and_then(|v| v.get("attributes"))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or(attributes.clone());
                (
                    build(stored_current.as_deref().unwrap_or("v0"), &stored_attrs)?,
                    false,
                )
            } else if entry.is_some() {
                (
                    build(&next_version(stored_versions.as_ref()), &attributes)?,
                    true,
                )
            } else {
                (probe, true)
            };
            let mut st = self.state.lock().await;
            if !(changed || entry.is_none()) {
                return Ok((schema, entry, stored_current, st, None));
            }
            let mut resources = stored.clone();
            let versions = stored_versions.clone().unwrap_or_default();
            let created_at = versions
                .get(&schema.version)
                .and_then(|v| v.get("createdAt"))
                .cloned();
            resources.insert(
                name.clone(),
                Self::entry_with(&schema, versions, created_at.as_ref()),
            );
            // Resources created in this process but not yet in the file are kept too.
            for (n, r) in &st.resources {
                if !resources.contains_key(n) && n != &name {
                    resources.insert(n.clone(), Self::entry_for(&r.schema(), None));
                }
            }
            // A conflict drops the state lock with this attempt; the next one reads again.
            let doc = self.write_metadata(resources, precondition).await?;
            st.saved = Some(doc.clone());
            Ok((schema, entry, stored_current, st, Some(doc)))
        })
        .await?;
        let mut st = st;
        if let Some(doc) = uploaded {
            out.events.push(json!(["metadataUploaded", doc]));
        }
        let entry = entry.as_ref();
        let existed = st.resources.get(&name).cloned();
        let old_version = existed.as_ref().map(|r| r.schema().version.clone());
        let version = schema.version.clone();
        let export = schema.export();
        let older = self.older_schemas(&name, entry, &version);
        match &existed {
            Some(r) => {
                r.replace_schema(schema);
                r.set_older(older);
                out.events.push(json!(["s3db.resourceUpdated", name]));
            }
            None => {
                let r = Resource::new(schema, bucket, self.parallelism());
                r.use_hook_registry(self.hooks.clone());
                r.set_older(older);
                st.resources.insert(name.clone(), Arc::new(r));
                out.events.push(json!(["s3db.resourceCreated", name]));
            }
        }
        let version_updated = match (&old_version, &stored_current) {
            (Some(old), _) if old != &version => Some(old.clone()),
            (None, Some(old)) if old != &version => Some(old.clone()),
            _ => None,
        };
        out.result = json!({
            "resource": export,
            "created": existed.is_none(),
            "versionUpdated": version_updated.map(|old| json!({ "oldVersion": old, "newVersion": version })),
        });
        Ok(out)
    }

    /// A resource used without a database (4.1.7's `new Resource({ client, ... })`):
    /// built at the given version (default `"1"`) with its own passphrase, and
    /// registered without reading or writing `s3db.json`. A resource of the same
    /// name gets the new schema (`updateAttributes`). Returns the export.
    pub async fn attach_resource(&self, def: Value) -> Result<Value> {
        let def = def.as_object().cloned().unwrap_or_default();
        let schema = Schema::from_definition(&def, &self.passphrase)?;
        let name = schema.name.clone();
        let export = schema.export();
        let bucket = self.bucket().await?.clone();
        let mut st = self.state.lock().await;
        match st.resources.get(&name) {
            // `updateAttributes`: the same resource, its schema rebuilt at its version.
            Some(r) => r.replace_schema(schema),
            None => {
                let r = Resource::new(schema, bucket, self.parallelism());
                r.use_hook_registry(self.hooks.clone());
                st.resources.insert(name, Arc::new(r));
            }
        }
        Ok(export)
    }

    /// `uploadMetadataFile()`: write `s3db.json` with every resource in memory at its
    /// current version. The latest stored file is re-read first and its other
    /// resources and versions are kept (E4); a version whose hash is unchanged keeps
    /// its `createdAt`. Returns the document written.
    pub async fn upload_metadata(&self) -> Result<Value> {
        retry_conflicts(|_| self.upload_metadata_once()).await
    }

    async fn upload_metadata_once(&self) -> Result<Value> {
        let (stored, precondition) = self.read_metadata_tagged().await?;
        let stored = stored
            .and_then(|d| d.get("resources").and_then(Value::as_object).cloned())
            .unwrap_or_default();
        let mut st = self.state.lock().await;
        let mut resources = stored.clone();
        for (name, r) in &st.resources {
            let schema = r.schema();
            let versions = stored
                .get(name)
                .and_then(|e| e.get("versions"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let kept = versions.get(&schema.version).filter(|v| {
                v.get("hash").and_then(Value::as_str) == Some(schema.version_hash().as_str())
            });
            let created_at = kept.and_then(|v| v.get("createdAt")).cloned();
            resources.insert(
                name.clone(),
                Self::entry_with(&schema, versions, created_at.as_ref()),
            );
        }
        let doc = self.write_metadata(resources, precondition).await?;
        st.saved = Some(doc.clone());
        Ok(doc)
    }

    pub async fn resource(&self, name: &str) -> Result<Arc<Resource>> {
        let st = self.state.lock().await;
        let found = st.resources.get(name).cloned();
        drop(st);
        found.ok_or_else(|| {
            EngineError::new(
                ErrorKind::ResourceNotFound,
                format!("Resource not found: {name}"),
            )
            .with("resourceName", name)
        })
    }

    pub async fn resource_call(&self, name: &str, op: &str, args: Value) -> Result<Output> {
        let r = self.resource(name).await?;
        r.call(op, args).await
    }

    pub async fn disconnect(&self) -> Result<()> {
        let mut st = self.state.lock().await;
        st.connected = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_versions() {
        assert_eq!(next_version(None), "v0");
        let m: Map<String, Value> =
            serde_json::from_str(r#"{"v0":{},"v1beta":{},"v9":{}}"#).expect("json");
        assert_eq!(next_version(Some(&m)), "v10");
    }
}
