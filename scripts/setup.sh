#!/usr/bin/env bash
# Install npm dev dependencies and build the native addon (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/s3db-native/target}"
command -v cargo >/dev/null || { echo "setup: cargo (Rust toolchain) is required" >&2; exit 1; }
if [ ! -x node_modules/.bin/napi ] || [ ! -x node_modules/.bin/tsc ]; then
  npm install --no-audit --no-fund
fi
# S3DB_PREBUILT=1: test the binaries already at the repository root (CI's test jobs download the
# ones its build jobs made, the very files that get published) instead of building.
if [ -n "${S3DB_PREBUILT:-}" ]; then
  compgen -G 's3db-native.*.node' >/dev/null || { echo "setup: S3DB_PREBUILT is set but there is no s3db-native.*.node here" >&2; exit 1; }
  echo "== S3DB_PREBUILT: not building; testing" s3db-native.*.node
  exit 0
fi
echo "== building the native addon (first build of aws-sdk-s3 takes several minutes)"
# On Linux x86_64 the tests run on the binary as it ships (glibc 2.17, scripts/build-portable.sh);
# S3DB_NATIVE_BUILD=1, or any other host, builds for this host with napi (regenerating binding.js).
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] && [ -z "${S3DB_NATIVE_BUILD:-}" ]; then
  # S3DB_ALL_LINUX=1 (npm test): also the linux-arm64-gnu and linux-x64-musl binaries, which the
  # release tests check (ELF, glibc floor, packing); the example needs only this host's.
  targets=(x86_64-unknown-linux-gnu)
  if [ -n "${S3DB_ALL_LINUX:-}" ]; then targets+=(aarch64-unknown-linux-gnu x86_64-unknown-linux-musl); fi
  bash scripts/build-portable.sh "${S3DB_BUILD_PROFILE:-ci}" "${targets[@]}"
else
  npx napi build --platform --profile "${S3DB_BUILD_PROFILE:-ci}" --js binding.js --dts binding.d.ts
fi
