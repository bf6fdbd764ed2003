#!/usr/bin/env bash
# npm run bench: s3db-native vs s3db.js 4.1.7 vs s3db.js 21.6.2 vs the ceiling client
# (bench/ceiling-client.mjs) on memory:// and Garage 2.5.0 (bench/compare.mjs), then the
# memory, secret-field and partition runs, the chart (docs/bench.svg) and the README's numbers.
#   S3DB_BENCH_N=5000,50000 (records per scenario), S3DB_BENCH_SECRET_N=200 (secret insert/get),
#   S3DB_BENCH_TARGETS=memory,garage — any other set (memory, garage, s3 with S3DB_BENCH_S3_URL)
#     runs bench/compare.mjs only, into bench/results/compare-<targets>.json/.txt, and leaves
#     the README's results alone,
#   S3DB_BENCH_LIBS=native,s3dbjs417,s3dbjs,ceiling,
#   S3DB_BENCH_S3DBJS_417_TGZ=<s3db.js-4.1.7.tgz> when the npm registry has no s3db.js@4.1.7,
#   S3DB_BENCH_NO_BUILD=1 to measure the addon as it is (no scripts/setup.sh build),
#   S3DB_BENCH_MEMORY_N=1000000 (memory:// readable), S3DB_BENCH_MEMORY_GARAGE_N=100000.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/s3db-native/target}"
if [[ -z "${S3DB_BENCH_NO_BUILD:-}" ]]; then
  bash scripts/setup.sh   # S3DB_BUILD_PROFILE=release for the LTO build (slower to compile)
fi
targets="${S3DB_BENCH_TARGETS:-memory,garage}"
libs="${S3DB_BENCH_LIBS:-native,s3dbjs417,s3dbjs,ceiling}"
export S3DB_BENCH_TARGETS="$targets" S3DB_BENCH_LIBS="$libs"
if [[ ",$libs," == *",s3dbjs,"* ]]; then bash bench/setup-s3dbjs.sh; fi
if [[ ",$libs," == *",s3dbjs417,"* ]]; then bash bench/setup-s3dbjs417.sh; fi
if [[ ",$targets," == *",garage,"* ]]; then
  set -a; eval "$(bash scripts/garage.sh start)"; set +a
fi
node bench/compare.mjs
if [[ "$targets" != "memory,garage" ]]; then
  exit 0
fi
S3DB_BENCH_MEMORY_N="${S3DB_BENCH_MEMORY_N:-1000000}" node --expose-gc bench/memory.mjs
S3DB_BENCH_MEMORY_TARGET=garage S3DB_BENCH_MEMORY_N="${S3DB_BENCH_MEMORY_GARAGE_N:-100000}" node --expose-gc bench/memory.mjs
node bench/secrets.mjs      # insert+get of 1,000 records with two secret fields (memory://)
node bench/partitions.mjs   # insert / partition listing / moving updates, 2 partitions (memory://)
node bench/chart.mjs        # docs/bench.svg from bench/results/compare.json
node bench/readme.mjs       # README.md's benchmark numbers from bench/results/*.json
