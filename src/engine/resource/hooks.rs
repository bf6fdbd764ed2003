//! Lifecycle hooks (`preInsert` … `afterDelete`): user code the operations call
//! at fixed points (order as in s3db.js 4.1.7, see `Resource::insert/update/delete`).
//!
//! The engine only knows the [`Hooks`] trait; the binding implements it with a
//! ThreadsafeFunction into JS, where the user's functions run as one chain per
//! phase (each gets the previous one's return value). A `pre*` chain's result
//! replaces the operation's data; `after*` results are ignored. A failure aborts
//! the operation with that failure; objects already written stay written (as in
//! 4.1.7: `afterInsert` runs after the PUT).

use crate::engine::error::{EngineError, ErrorKind, Result};
use futures::future::BoxFuture;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookPhase {
    PreInsert,
    AfterInsert,
    PreUpdate,
    AfterUpdate,
    PreDelete,
    AfterDelete,
}

impl HookPhase {
    pub const ALL: [HookPhase; 6] = [
        HookPhase::PreInsert,
        HookPhase::AfterInsert,
        HookPhase::PreUpdate,
        HookPhase::AfterUpdate,
        HookPhase::PreDelete,
        HookPhase::AfterDelete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HookPhase::PreInsert => "preInsert",
            HookPhase::AfterInsert => "afterInsert",
            HookPhase::PreUpdate => "preUpdate",
            HookPhase::AfterUpdate => "afterUpdate",
            HookPhase::PreDelete => "preDelete",
            HookPhase::AfterDelete => "afterDelete",
        }
    }

    pub fn parse(s: &str) -> Option<HookPhase> {
        HookPhase::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

pub trait Hooks: Send + Sync + 'static {
    /// Whether any hook is registered for `phase` (nothing is called otherwise).
    fn has(&self, phase: HookPhase) -> bool;
    /// Run the chain of `phase` on `data`; resolves with the chain's result.
    fn run(&self, phase: HookPhase, data: Value) -> BoxFuture<'static, Result<Value>>;
}

/// Run `phase` if registered; `data` unchanged otherwise.
pub async fn run(hooks: Option<&dyn Hooks>, phase: HookPhase, data: Value) -> Result<Value> {
    match hooks {
        Some(h) if h.has(phase) => h.run(phase, data).await,
        _ => Ok(data),
    }
}

/// Run `phase` for its effects only (its result is ignored): `data` is copied for
/// the chain only when the phase has hooks, so a resource without hooks copies nothing.
pub async fn notify(hooks: Option<&dyn Hooks>, phase: HookPhase, data: &Value) -> Result<()> {
    match hooks {
        Some(h) if h.has(phase) => h.run(phase, data.clone()).await.map(drop),
        _ => Ok(()),
    }
}

/// A `pre*` chain's result must still be a record.
pub fn expect_object(phase: HookPhase, v: Value) -> Result<Map<String, Value>> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(EngineError::new(
            ErrorKind::InvalidResourceItem,
            format!(
                "{} hooks must return an object, got {}",
                phase.as_str(),
                match other {
                    Value::Null => "null/undefined",
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    Value::Object(_) => "an object",
                }
            ),
        )),
    }
}

/// Lifecycle hooks per resource name, shared by a database and its resources:
/// operations read their entry when they start (installing hooks is a write here only).
pub type HookRegistry =
    std::sync::RwLock<std::collections::HashMap<String, std::sync::Arc<dyn Hooks>>>;
