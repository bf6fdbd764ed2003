//! `NativeClient`: the binding the JS `Client` wraps. It owns the connection
//! (storage backend, concurrency limit, request meter) that every database built
//! on the client shares.

use super::convert::parse_json;
use super::error::{guarded, to_napi, IntoNapi};
use crate::engine::client;
use crate::engine::config::{Config, ConfigOverrides};
use crate::engine::connection::Connection;
use crate::engine::error::{EngineError, ErrorKind};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::Value;
use std::sync::Arc;

#[napi(js_name = "NativeClient")]
pub struct NativeClient {
    conn: Arc<Connection>,
}

#[napi(object)]
pub struct ClientResult {
    pub json: String,
    pub body: Option<Buffer>,
}

impl NativeClient {
    pub fn connection(&self) -> Arc<Connection> {
        self.conn.clone()
    }
}

#[napi]
impl NativeClient {
    /// `options`: JSON of `{ connectionString, endpoint?, region?, forcePathStyle?, parallelism?,
    /// timeouts?: { connectMs?, attemptMs?, operationMs? }, maxAttempts? }`.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: String) -> napi::Result<Self> {
        let o = parse_json("options", &options)?;
        let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let mut overrides = ConfigOverrides {
            endpoint: text("endpoint"),
            region: text("region"),
            force_path_style: o.get("forcePathStyle").and_then(Value::as_bool),
            parallelism: o
                .get("parallelism")
                .and_then(Value::as_u64)
                .map(|p| p as usize),
            network: Vec::new(),
            concurrency: text("concurrency"),
        };
        let mut network = Vec::new();
        let mut knob = |name: &str, v: &Value| -> napi::Result<()> {
            match v.as_f64() {
                Some(n) if n.is_finite() && n >= 1.0 => {
                    network.push((name.to_string(), n.round() as u64));
                    Ok(())
                }
                _ if v.is_null() => Ok(()),
                _ => Err(to_napi(EngineError::new(
                    ErrorKind::ConnectionStringError,
                    format!("{name} must be a positive number, got {v}"),
                ))),
            }
        };
        match o.get("timeouts") {
            Some(Value::Object(t)) => {
                for (k, v) in t {
                    knob(k, v)?;
                }
            }
            None | Some(Value::Null) => {}
            Some(other) => {
                return Err(to_napi(EngineError::new(
                    ErrorKind::ConnectionStringError,
                    format!("timeouts must be an object of milliseconds, got {other}"),
                )))
            }
        }
        if let Some(v) = o.get("maxAttempts") {
            knob("maxAttempts", v)?;
        }
        overrides.network = network;
        let cs = text("connectionString").unwrap_or_default();
        let config = Config::parse(&cs, &overrides).into_napi()?;
        Ok(NativeClient {
            conn: Arc::new(Connection::new(config)),
        })
    }

    /// `{ bucket, keyPrefix, region, endpoint, forcePathStyle, parallelism, backend }` (no credentials).
    #[napi(catch_unwind)]
    pub fn config(&self) -> String {
        self.conn.config().public_json().to_string()
    }

    /// Requests sent so far, per S3 command name (JSON object).
    #[napi(catch_unwind)]
    pub fn request_counts(&self) -> String {
        self.conn.requests().to_json().to_string()
    }

    /// One raw object operation (`engine::client`): `args` is JSON, `body` the bytes to put.
    #[napi]
    pub async fn call(
        &self,
        op: String,
        args: String,
        body: Option<Buffer>,
    ) -> napi::Result<ClientResult> {
        let conn = self.conn.clone();
        let args = parse_json("arguments", &args)?;
        let body = body.map(|b| bytes::Bytes::copy_from_slice(&b));
        guarded(async move {
            let (v, body) = client::call(&conn, &op, args, body).await.into_napi()?;
            Ok(ClientResult {
                json: v.to_string(),
                body: body.map(|b| Buffer::from(b.to_vec())),
            })
        })
        .await
    }
}
