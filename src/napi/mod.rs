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

/// The runtime the engine's tasks run on, set up before the first call: one worker
/// thread per core but the one the JS thread keeps busy (at least one), or
/// `S3DB_NATIVE_WORKERS`. Measured on 2 cores against Garage (docs/perf.md): one
/// worker costs a third less CPU per request than napi's default of one per core
/// (fewer cross-thread wake-ups), at the same throughput. Handing napi a runtime
/// also pins the addon image in memory for the life of the process.
#[napi_derive::module_init]
fn init_runtime() {
    let workers = std::env::var("S3DB_NATIVE_WORKERS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=256).contains(n))
        .unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
        });
    if let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        napi::bindgen_prelude::create_custom_tokio_runtime(rt);
    }
}
