#!/usr/bin/env bash
# npm test: everything a fresh machine needs, then every test.
#   1. npm dependencies (from the lockfile)
#   2. the native addon for linux x64/arm64 gnu and x64 musl (CARGO_TARGET_DIR outside the clone is reused when present)
#   3. a moto S3 server on 127.0.0.1 with SigV4 checking (scripts/s3-server.sh), stopped on exit
#   4. cargo test (engine units + storage conformance on memory, file and S3)
#   5. node --test __test__/*.test.mjs (behaviour suite on memory://, file:// and S3; golden fixtures; module loading)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/s3db-native/target}"

# Every Linux binary this machine can build (x64/arm64 gnu for glibc 2.17, x64 musl): the release tests check them.
S3DB_ALL_LINUX=1 bash scripts/setup.sh

started_here=0
cleanup() { if [ "$started_here" = 1 ]; then bash scripts/s3-server.sh stop || true; fi; }
trap cleanup EXIT
if [ -z "${S3DB_TEST_S3_URL:-}" ]; then
  bash scripts/s3-server.sh start >/dev/null
  started_here=1
  set -a
  eval "$(bash scripts/s3-server.sh env)"
  set +a
fi
export S3DB_TEST_S3_URL
# The S3 runs are mandatory here: with S3DB_REQUIRE_S3 set, __test__/helpers.mjs throws (every
# test file using it fails) when S3DB_TEST_S3_URL is missing and refuses S3DB_TEST_BACKEND, and
# cargo's S3 conformance test fails instead of passing without a server.
export S3DB_REQUIRE_S3=1
# The 4.1.7 recordings were made with TZ=UTC (setup.timezone): JS-style date parsing of
# strings without an offset (partition `date` rule) uses local time.
export TZ=UTC

echo "== cargo test"
cargo test --profile "${S3DB_BUILD_PROFILE:-ci}" --lib -- --test-threads=2

echo "== node --test"
# Explicit files (expanded by the shell): Node 20 takes a directory argument, Node 22+ reads
# positional arguments as globs and finds no test in `__test__/`.
node --test --test-concurrency=1 __test__/*.test.mjs
