//! JavaScript semantics the engine reproduces, each in one place: what s3db.js
//! 4.1.7 (and the fastest-validator code it generates) computes in V8, done here
//! over `serde_json` values.
//!
//! * [`date`]: V8's `Date.parse`, `toISOString`, `toString`, the `{"$date"}` convention;
//! * [`regexp`]: `new RegExp(source, flags).test(s)` on the `regress` crate;
//! * [`number`]: `Number.prototype.toString`, StringToNumber, `parseInt`;
//! * [`string`]: `trim`, UTF-16 lengths, `padStart`/`padEnd`, `replace`, string literals;
//! * [`value`]: `String(v)`, `Number(v)`, truthiness, `typeof`, `===`, `==`.
//!
//! Everything is re-exported flat, so callers write `js::trim(s)`, `js::parse_date(s)`.

pub mod date;
pub mod number;
pub mod regexp;
pub mod string;
pub mod value;

pub use date::*;
pub use number::*;
pub use regexp::*;
pub use string::*;
pub use value::*;
