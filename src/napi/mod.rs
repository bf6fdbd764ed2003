//! Thin napi bindings: argument conversion, engine calls, error mapping.

pub mod database;
pub mod error;
pub mod callbacks;
pub mod stream;
