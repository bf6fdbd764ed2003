#!/usr/bin/env bash
# npm run bench: s3db-native vs s3db.js 21.6.2 on memory:// and Garage 2.5.0, then the memory runs.
#   S3DB_BENCH_N=5000,50000 (records per scenario), S3DB_BENCH_TARGETS=memory,garage,
#   S3DB_BENCH_MEMORY_N=1000000 (memory:// readable), S3DB_BENCH_MEMORY_GARAGE_N=100000.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/s3db-native/target}"
bash scripts/setup.sh   # S3DB_BUILD_PROFILE=release for the LTO build (slower to compile)
bash bench/setup-s3dbjs.sh
targets="${S3DB_BENCH_TARGETS:-memory,garage}"
if [[ ",$targets," == *",garage,"* ]]; then
  set -a; eval "$(bash scripts/garage.sh start)"; set +a
fi
node bench/compare.mjs
S3DB_BENCH_MEMORY_N="${S3DB_BENCH_MEMORY_N:-1000000}" node --expose-gc bench/memory.mjs
if [[ ",$targets," == *",garage,"* ]]; then
  S3DB_BENCH_MEMORY_TARGET=garage S3DB_BENCH_MEMORY_N="${S3DB_BENCH_MEMORY_GARAGE_N:-100000}" node --expose-gc bench/memory.mjs
fi
node bench/secrets.mjs   # insert+get of 1,000 records with two secret fields (memory://)
node bench/partitions.mjs   # insert / partition listing / moving updates, 2 partitions (memory://)
node bench/chart.mjs       # docs/bench.svg from bench/results/compare.json
