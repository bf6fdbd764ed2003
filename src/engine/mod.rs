//! The engine: pure Rust, no `napi` imports below this module.

pub mod behavior;
pub mod client;
pub mod codec;
pub mod config;
pub mod connection;
pub mod crypto;
pub mod database;
pub mod error;
pub mod js;
pub mod partition;
#[cfg(test)]
mod proptests;
pub mod resource;
pub mod schema;
pub mod storage;
pub mod stream;
