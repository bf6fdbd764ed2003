//! `NativeDatabase`: the binding the JS `S3db`/`Database` facade wraps.
//! Arguments and results cross as JSON text (one parse on each side).

use super::callbacks::{HookCallback, ReaderCallback};
use super::client::{ClientResult, NativeClient};
use super::completions::{Completion, CompletionCallback, Completions};
use super::content::{self, NativeContentDownload, NativeContentUpload};
use super::convert::parse_json;
use super::error::{guarded, IntoNapi};
use super::hooks::JsHooks;
use super::stream::{self, NativeReader, NativeWriter};
use crate::engine::config::{Config, ConfigOverrides};
use crate::engine::database::{Database, DatabaseOptions};
use crate::engine::resource::hooks::{HookPhase, Hooks};
use crate::engine::resource::InsertMode;
use crate::engine::stream::ids;
use crate::engine::stream::reader::ReaderOptions;
use crate::engine::stream::writer::{Writer, WriterOptions};
use napi::bindgen_prelude::Buffer;
use napi::Env;
use napi_derive::napi;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[napi(js_name = "NativeDatabase")]
pub struct NativeDatabase {
    inner: Arc<Database>,
    completions: Arc<Completions>,
}

/// A positive integer option, if given.
fn positive(o: &Value, key: &str) -> Option<usize> {
    o.get(key)
        .and_then(Value::as_f64)
        .filter(|x| x.is_finite() && *x >= 1.0)
        .map(|x| x.min(1_000_000.0) as usize)
}

#[napi]
impl NativeDatabase {
    /// A database over `client`'s connection (shared with every other database
    /// built on it). `options`: JSON of `{ passphrase?, cache? }`.
    #[napi(constructor, catch_unwind)]
    pub fn new(client: &NativeClient, options: String) -> napi::Result<Self> {
        let o = parse_json("options", &options)?;
        let passphrase = o
            .get("passphrase")
            .and_then(Value::as_str)
            .unwrap_or("secret")
            .to_string();
        let cache = o.get("cache").cloned().filter(|c| !c.is_null());
        Ok(NativeDatabase {
            inner: Arc::new(Database::new(DatabaseOptions {
                connection: client.connection(),
                passphrase,
                cache,
            })),
            completions: Arc::default(),
        })
    }

    /// `{ bucket, keyPrefix, region, endpoint, forcePathStyle, parallelism, backend }` (no credentials).
    #[napi(catch_unwind)]
    pub fn config(&self) -> String {
        self.inner.connection().config().public_json().to_string()
    }

    #[napi]
    pub async fn connect(&self) -> napi::Result<String> {
        let db = self.inner.clone();
        guarded(async move { db.connect().await.map(|v| v.to_string()).into_napi() }).await
    }

    #[napi]
    pub async fn disconnect(&self) -> napi::Result<()> {
        let db = self.inner.clone();
        guarded(async move { db.disconnect().await.into_napi() }).await
    }

    /// `definition`: JSON of `{ name, attributes, options, behavior }`; returns `{result, events}` JSON.
    #[napi]
    pub async fn create_resource(&self, definition: String) -> napi::Result<String> {
        let db = self.inner.clone();
        let def = parse_json("resource definition", &definition)?;
        guarded(async move {
            db.create_resource(def)
                .await
                .map(|o| o.to_json_string())
                .into_napi()
        })
        .await
    }

    /// Resource method `op` with JSON `args` (array), answered through the
    /// completion channel (see `napi/completions.rs`) under call id `id`: the
    /// `{result, events}` JSON, or the error text.
    #[napi(catch_unwind)]
    pub fn resource_call(&self, resource: String, op: String, args: String, id: u32) {
        let db = self.inner.clone();
        let completions = self.completions.clone();
        napi::bindgen_prelude::spawn(async move {
            let answer = guarded(async move {
                let args = parse_json("arguments", &args)?;
                db.resource_call(&resource, &op, args)
                    .await
                    .map(|o| o.to_json_string())
                    .into_napi()
            })
            .await;
            completions.push(match answer {
                Ok(text) => Completion { id, ok: true, text },
                Err(e) => Completion {
                    id,
                    ok: false,
                    text: e.reason.clone(),
                },
            });
        });
    }

    /// Where `resourceCall` completions are announced (once per database).
    #[napi(catch_unwind)]
    pub fn on_completions(&self, callback: CompletionCallback) {
        self.completions.set_callback(callback);
    }

    /// The completions queued since the last call.
    #[napi(catch_unwind)]
    pub fn take_completions(&self) -> Vec<Completion> {
        self.completions.take()
    }

    /// Keep the event loop alive while `resourceCall`s are pending (true) or not.
    #[napi(catch_unwind)]
    pub fn hold_loop(&self, env: Env, hold: bool) -> napi::Result<()> {
        self.completions.hold_loop(&env, hold)
    }

    /// Start a reader over resource `name`. `options`: JSON of
    /// `{ batchSize, concurrency, ordered }`. `callback` receives the pump's
    /// messages (see `napi/stream.rs`).
    #[napi(catch_unwind)]
    pub fn open_reader(
        &self,
        name: String,
        options: String,
        callback: ReaderCallback,
    ) -> napi::Result<NativeReader> {
        let o = parse_json("reader options", &options)?;
        let defaults = ReaderOptions::default();
        let opts = ReaderOptions {
            batch_size: positive(&o, "batchSize").unwrap_or(defaults.batch_size),
            concurrency: positive(&o, "concurrency").unwrap_or(defaults.concurrency),
            ordered: o.get("ordered").and_then(Value::as_bool).unwrap_or(false),
            scope: None,
        };
        let partition = match o.get("partition") {
            None | Some(Value::Null) => None,
            Some(p) => Some((
                p.clone(),
                o.get("partitionValues").cloned().unwrap_or(Value::Null),
            )),
        };
        Ok(stream::open_reader(
            self.inner.clone(),
            stream::ReaderTarget {
                resource: name,
                partition,
            },
            opts,
            callback,
        ))
    }

    /// Start a writer into resource `name`. `options`: JSON of `{ batchSize, concurrency, events }`.
    #[napi]
    pub async fn open_writer(&self, name: String, options: String) -> napi::Result<NativeWriter> {
        let db = self.inner.clone();
        let o = parse_json("writer options", &options)?;
        guarded(async move {
            let resource = db.resource(&name).await.into_napi()?;
            let defaults = WriterOptions::default();
            let opts = WriterOptions {
                batch_size: positive(&o, "batchSize").unwrap_or(defaults.batch_size),
                concurrency: positive(&o, "concurrency").unwrap_or(defaults.concurrency),
                events: o.get("events").and_then(Value::as_bool).unwrap_or(false),
                insert_mode: InsertMode::asked(Some(&o)),
            };
            Ok(NativeWriter::new(Writer::start(
                resource,
                opts,
                CancellationToken::new(),
            )))
        })
        .await
    }

    /// One listing page of current-version ids: `{ ids, next }` JSON.
    #[napi]
    pub async fn ids_page(
        &self,
        name: String,
        token: Option<String>,
        max_keys: u32,
    ) -> napi::Result<String> {
        let db = self.inner.clone();
        guarded(async move {
            let resource = db.resource(&name).await.into_napi()?;
            let page = ids::ids_page(&resource, token, max_keys as usize)
                .await
                .into_napi()?;
            Ok(json!({ "ids": page.ids, "next": page.next }).to_string())
        })
        .await
    }

    /// `setContent`: `body` with `contentType` as record `id`'s object body; `{result, events}` JSON.
    #[napi]
    pub async fn set_content(
        &self,
        resource: String,
        id: String,
        body: Buffer,
        content_type: String,
    ) -> napi::Result<String> {
        let db = self.inner.clone();
        let body = bytes::Bytes::copy_from_slice(&body);
        guarded(async move {
            let r = db.resource(&resource).await.into_napi()?;
            r.set_content(&id, body, &content_type)
                .await
                .map(|o| o.to_json_string())
                .into_napi()
        })
        .await
    }

    /// `content`: `json` is `{ result: { contentType }, events }`, `body` the bytes (none for a missing record).
    #[napi]
    pub async fn content(&self, resource: String, id: String) -> napi::Result<ClientResult> {
        let db = self.inner.clone();
        guarded(async move {
            let r = db.resource(&resource).await.into_napi()?;
            let mut c = r.content(&id).await.into_napi()?;
            c.out.result = json!({ "contentType": c.content_type });
            Ok(ClientResult {
                json: c.out.to_json_string(),
                body: c.body.map(|b| Buffer::from(b.to_vec())),
            })
        })
        .await
    }

    /// `setContent` with a streamed body: the upload the facade feeds chunk by chunk.
    #[napi(catch_unwind)]
    pub fn content_upload(
        &self,
        resource: String,
        id: String,
        content_type: String,
    ) -> NativeContentUpload {
        content::start_upload(self.inner.clone(), resource, id, content_type)
    }

    /// `contentStream(id)`: the download the facade's `Readable` pulls from.
    #[napi(catch_unwind)]
    pub fn content_download(&self, resource: String, id: String) -> NativeContentDownload {
        content::start_download(self.inner.clone(), resource, id)
    }

    /// A resource without s3db.json (`new Resource({ client, ... })`): JSON of
    /// `{ name, version?, attributes, options, behavior, passphrase? }`; its export JSON.
    #[napi]
    pub async fn attach_resource(&self, definition: String) -> napi::Result<String> {
        let db = self.inner.clone();
        let def = parse_json("resource definition", &definition)?;
        guarded(async move {
            db.attach_resource(def)
                .await
                .map(|v| v.to_string())
                .into_napi()
        })
        .await
    }

    /// `uploadMetadataFile()`: writes `s3db.json` for the resources in memory; the document JSON.
    #[napi]
    pub async fn upload_metadata(&self) -> napi::Result<String> {
        let db = self.inner.clone();
        guarded(async move {
            db.upload_metadata()
                .await
                .map(|v| v.to_string())
                .into_napi()
        })
        .await
    }

    /// Install the JS lifecycle hooks of resource `name` for `phases`
    /// (`preInsert`…`afterDelete`); no phases (or no callback) removes them.
    #[napi(catch_unwind)]
    pub fn set_hooks(
        &self,
        name: String,
        phases: Vec<String>,
        callback: Option<HookCallback>,
    ) -> napi::Result<()> {
        let phases: HashSet<HookPhase> =
            phases.iter().filter_map(|p| HookPhase::parse(p)).collect();
        let hooks: Option<Arc<dyn Hooks>> = match callback {
            Some(cb) if !phases.is_empty() => Some(Arc::new(JsHooks::new(phases, cb))),
            _ => None,
        };
        self.inner.set_hooks(&name, hooks);
        Ok(())
    }
}

/// Helpers exported as plain functions.
/// `"sha256:" + hex(sha256(json-stable-stringify(value)))` of a JSON value: the
/// definition hashes of s3db.json (`generateDefinitionHash`).
#[napi(catch_unwind)]
pub fn native_stable_hash(value: String) -> napi::Result<String> {
    let v = parse_json("value", &value)?;
    Ok(format!(
        "sha256:{}",
        crate::engine::codec::sha256_hex(crate::engine::codec::stable_stringify(&v).as_bytes())
    ))
}

/// Runs a crypto call on the blocking pool: a key derivation (tens of ms) must not
/// block the JS thread or a runtime worker.
async fn off_thread(
    f: impl FnOnce() -> crate::engine::error::Result<String> + Send + 'static,
) -> napi::Result<String> {
    guarded(async move {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| napi::Error::new(napi::Status::GenericFailure, e.to_string()))?
            .into_napi()
    })
    .await
}

#[napi]
pub async fn native_encrypt(plaintext: String, passphrase: String) -> napi::Result<String> {
    off_thread(move || crate::engine::crypto::encrypt(&plaintext, &passphrase)).await
}

/// Synchronous encryption for `Validator` checkers (a sync API in 4.1.7): new values use
/// the process's write salt, whose key is derived once per passphrase.
#[napi(catch_unwind)]
pub fn native_encrypt_sync(plaintext: String, passphrase: String) -> napi::Result<String> {
    crate::engine::crypto::encrypt(&plaintext, &passphrase).into_napi()
}

#[napi]
pub async fn native_decrypt(ciphertext: String, passphrase: String) -> napi::Result<String> {
    off_thread(move || crate::engine::crypto::decrypt(&ciphertext, &passphrase)).await
}

#[napi(catch_unwind)]
pub fn native_sha256(message: String) -> String {
    crate::engine::crypto::sha256(&message)
}

/// Parse a connection string the way `S3db` does; returns the config JSON with the
/// credentials (`new ConnectionString(str)` exposes them, as 4.1.7) or throws.
#[napi(catch_unwind)]
pub fn native_parse_connection_string(input: String) -> napi::Result<String> {
    let c = Config::parse(&input, &ConfigOverrides::default()).into_napi()?;
    let mut v = c.public_json();
    v["accessKeyId"] = json!(c.access_key_id.unwrap_or_default());
    v["secretAccessKey"] = json!(c.secret_access_key.unwrap_or_default());
    Ok(v.to_string())
}

/// `applyPartitionRule(value, rule)`: the key segment text 4.1.7's rule gives
/// `value` (JSON), or null for a missing value.
#[napi(catch_unwind)]
pub fn native_apply_partition_rule(value: String, rule: String) -> napi::Result<Option<String>> {
    let v = parse_json("value", &value)?;
    Ok(crate::engine::partition::apply_rule(Some(&v), &rule))
}

/// `getPartitionKey`: the copy key of `data` (JSON) in partition `partition`
/// of a resource defined by `definition` (JSON `{ name, version, attributes,
/// partitions }`), or null when a field has no value.
#[napi(catch_unwind)]
pub fn native_partition_key(
    definition: String,
    partition: String,
    id: String,
    data: String,
) -> napi::Result<Option<String>> {
    let def = parse_json("resource definition", &definition)?;
    let data = parse_json("data", &data)?;
    let empty = serde_json::Map::new();
    let obj = |k: &str| def.get(k).and_then(Value::as_object).unwrap_or(&empty);
    let name = def.get("name").and_then(Value::as_str).unwrap_or("");
    let version = def.get("version").and_then(Value::as_str).unwrap_or("");
    let defs =
        crate::engine::partition::parse_definitions(obj("partitions"), obj("attributes"), version)
            .into_napi()?;
    let p = crate::engine::partition::find(&defs, &partition).into_napi()?;
    Ok(p.key(name, &id, data.as_object().unwrap_or(&empty)))
}

/// Bytes each metadata value occupies once encoded for the wire (the 2 KB accounting).
#[napi(catch_unwind)]
pub fn native_encoded_lengths(values: Vec<String>) -> Vec<u32> {
    values
        .iter()
        .map(|v| crate::engine::codec::encoded_len(v) as u32)
        .collect()
}

/// A behavior applied to one mapped metadata object (`{ name: text }`, values not yet
/// wire-encoded): `{ metadata (wire-encoded), body (text or null), totalSize, excess }`
/// (`excess` null when within 2 KB). Throws enforce-limits' and unknown-behavior errors.
#[napi(catch_unwind)]
pub fn native_shape_behavior(behavior: String, metadata: String) -> napi::Result<String> {
    use crate::engine::codec::encode_meta_value;
    let m = super::convert::parse_object("metadata", &metadata)?;
    let md: crate::engine::storage::Metadata = m
        .iter()
        .map(|(k, v)| {
            let text = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| crate::engine::codec::js_string(v));
            (k.clone(), encode_meta_value(&text))
        })
        .collect();
    let total = crate::engine::storage::metadata_size(&md);
    let shaped = crate::engine::behavior::shape(&behavior, md).into_napi()?;
    let body = shaped
        .body
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    Ok(json!({
        "metadata": shaped.metadata,
        "body": body,
        "totalSize": total,
        "excess": shaped.exceeded.map(|(_, excess)| excess),
    })
    .to_string())
}
