#!/usr/bin/env bash
# npm test: everything a fresh machine needs, then every test.
#   1. npm dependencies (from the lockfile)
#   2. the native addon (release build; CARGO_TARGET_DIR outside the clone is reused when present)
#   3. a moto S3 server on 127.0.0.1 with SigV4 checking (scripts/s3-server.sh), stopped on exit
#   4. cargo test (engine units + storage conformance on memory, file and S3)
#   5. node --test (behaviour suite on memory://, file:// and S3; golden fixtures; module loading)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/s3db-native/target}"

bash scripts/setup.sh

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
# The 4.1.7 recordings were made with TZ=UTC (setup.timezone): JS-style date parsing of
# strings without an offset (partition `date` rule) uses local time.
export TZ=UTC

echo "== cargo test"
cargo test --profile "${S3DB_BUILD_PROFILE:-ci}" --lib -- --test-threads=2

echo "== node --test"
node --test --test-concurrency=1 __test__/
