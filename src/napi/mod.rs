//! Thin napi bindings: argument conversion, engine calls, error mapping.
// Exported functions are only reachable through napi's registration, which unit-test builds leave out.
#![cfg_attr(test, allow(dead_code))]

pub mod callbacks;
pub mod client;
pub mod completions;
pub mod content;
pub mod convert;
pub mod database;
pub mod error;
pub mod hooks;
pub mod schema;
pub mod stream;
pub mod validator;
