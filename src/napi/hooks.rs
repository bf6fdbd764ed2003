//! Lifecycle hooks implemented by JS: the engine's [`Hooks`] trait over a
//! ThreadsafeFunction.
//!
//! Protocol: for each phase that has hooks, the engine operation awaits one
//! call of the JS callback with `{"phase", "data"}` (JSON text). The callback
//! runs the user's chain and resolves with `{"data": <result>}`, or, when a
//! hook threw, with `{"error": <token>}`: the facade keeps the thrown value
//! under that token and rethrows the very same object to the caller of
//! insert/update/delete (the engine reports the token in the error details).

use super::callbacks::HookCallback;
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::resource::hooks::{HookPhase, Hooks};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;

pub struct JsHooks {
    phases: HashSet<HookPhase>,
    callback: Arc<HookCallback>,
}

impl JsHooks {
    pub fn new(phases: HashSet<HookPhase>, callback: HookCallback) -> Self {
        JsHooks {
            phases,
            callback: Arc::new(callback),
        }
    }
}

fn failed(phase: HookPhase, what: impl std::fmt::Display) -> EngineError {
    EngineError::new(
        ErrorKind::HookError,
        format!("{} hook could not run: {what}", phase.as_str()),
    )
}

impl Hooks for JsHooks {
    fn has(&self, phase: HookPhase) -> bool {
        self.phases.contains(&phase)
    }

    fn run(&self, phase: HookPhase, data: Value) -> BoxFuture<'static, Result<Value>> {
        let callback = self.callback.clone();
        Box::pin(async move {
            let payload = json!({ "phase": phase.as_str(), "data": data }).to_string();
            let promise = callback
                .call_async_catch(payload)
                .await
                .map_err(|e| failed(phase, e))?;
            let text = promise.await.map_err(|e| failed(phase, e))?;
            let reply: Value = serde_json::from_str(&text).map_err(|e| failed(phase, e))?;
            if let Some(token) = reply.get("error") {
                return Err(EngineError::new(
                    ErrorKind::HookError,
                    format!("{} hook threw", phase.as_str()),
                )
                .with("hookErrorToken", token.clone()));
            }
            Ok(reply.get("data").cloned().unwrap_or(Value::Null))
        })
    }
}
