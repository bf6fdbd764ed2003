//! The validator alone, as a benchmark (ignored by default; it asserts nothing):
//!
//!   cargo test --profile ci --lib validator_throughput -- --ignored --nocapture
//!
//! (`S3DB_BENCH_N` records per round, 200,000 by default; a small N under
//! `valgrind --tool=callgrind` gives instruction counts that do not depend on load.)
//!
//! Compiles a schema with the rules an insert typically runs (string, email, url,
//! pattern, date, number, uuid, boolean, array, nested object) and validates
//! records with it on one thread; prints ns per record (median of 5 rounds).
//! The end-to-end numbers (with I/O and the JS boundary) are `bench/`'s.

use crate::engine::schema::Validator;
use serde_json::{json, Map, Value};
use std::time::Instant;

#[test]
#[ignore = "benchmark; run with --ignored --nocapture"]
fn validator_throughput() {
    let n: usize = std::env::var("S3DB_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let Value::Object(attrs) = json!({
        "name": "string|min:2|max:100",
        "email": "email",
        "site": "url",
        "handle": "string|pattern:^[a-z0-9_]{3,16}$",
        "born": "date|convert:true",
        "age": "number|min:0|max:150",
        "uid": "uuid",
        "active": "boolean",
        "tags": "array|items:string",
        "address": { "city": "string", "zip": "string|numeric" }
    }) else {
        unreachable!()
    };
    let validator = Validator::compile(&attrs, false).expect("schema compiles");
    let records: Vec<Map<String, Value>> = (0..1000)
        .filter_map(|i| {
            json!({
                "name": format!("User {i}"),
                "email": format!("user{i}@example.com"),
                "site": format!("https://example.com/u/{i}"),
                "handle": format!("user_{}", i % 1000),
                "born": format!("1990-01-0{}", 1 + i % 9),
                "age": i % 90,
                "uid": "123e4567-e89b-12d3-a456-426614174000",
                "active": i % 2 == 0,
                "tags": ["a", "b"],
                "address": { "city": "Lisbon", "zip": "1000" }
            })
            .as_object()
            .cloned()
        })
        .collect();
    let mut rounds = Vec::new();
    let mut invalid = 0;
    for _ in 0..5 {
        let t = Instant::now();
        for i in 0..n {
            let mut r = records[i % records.len()].clone();
            invalid += validator.validate(&mut r).len();
        }
        rounds.push(t.elapsed().as_secs_f64());
    }
    rounds.sort_by(f64::total_cmp);
    println!(
        "validator_throughput: {} records, {:.0} ns/record (median of 5), {} errors",
        n,
        rounds[2] * 1e9 / n as f64,
        invalid
    );
}
