#![deny(clippy::all)]
//! s3db-native: a Rust engine (`engine/`) behind thin napi bindings (`napi/`).
//! The hand-written s3db.js-compatible facade (`index.js`, `lib/`) sits over these
//! bindings; `docs/ARCHITECTURE.md` maps the layers.

pub mod engine;
// The directory is `napi/` (see STYLE.md); the module is named `binding` so it
// does not shadow the `napi` crate that the generated code refers to.
#[path = "napi/mod.rs"]
mod binding;

// glibc malloc's arena locks were the largest cost of the record pipeline (profiled:
// ~20% of samples in malloc/free, with futex waits between the tokio workers).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
