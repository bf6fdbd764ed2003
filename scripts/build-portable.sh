#!/usr/bin/env bash
# The linux-x64-gnu binary as it ships: linked against glibc 2.17 with zig (cargo-zigbuild), so
# it loads on every Linux that Node 20 runs on (RHEL/Alma/Rocky 8, Debian 10/11, Ubuntu 20.04...),
# not only on hosts as new as the build machine.
#   scripts/build-portable.sh [profile]    profile: release (default) or ci (what npm test uses)
# zig and cargo-zigbuild come from PyPI into a cached venv ($S3DB_CACHE_DIR, default
# ~/.cache/s3db-native). binding.js / binding.d.ts are not touched: `npm run build:native`
# (napi build for this host) regenerates them when the Rust exports change.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${1:-release}"
CACHE="${S3DB_CACHE_DIR:-$HOME/.cache/s3db-native}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
VENV="$CACHE/zig-venv"
ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.1
TARGET=x86_64-unknown-linux-gnu
GLIBC=2.17

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "build-portable: builds linux-x64-gnu on a Linux x86_64 host only (this is $(uname -s)-$(uname -m))" >&2; exit 2 ;;
esac
if ! "$VENV/bin/cargo-zigbuild" --version 2>/dev/null | grep -q " $CARGO_ZIGBUILD_VERSION\$" \
   || ! "$VENV/bin/python" -c "import ziglang" 2>/dev/null; then
  echo "== installing zig $ZIGLANG_VERSION and cargo-zigbuild $CARGO_ZIGBUILD_VERSION (PyPI) into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
fi
ZIG_DIR="$("$VENV/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')"
export PATH="$VENV/bin:$ZIG_DIR:$PATH"

echo "== building s3db-native.linux-x64-gnu.node for glibc $GLIBC ($PROFILE)"
cargo zigbuild --profile "$PROFILE" --lib --target "$TARGET.$GLIBC"
cp "$CARGO_TARGET_DIR/$TARGET/$PROFILE/libs3db_native.so" s3db-native.linux-x64-gnu.node.tmp
mv s3db-native.linux-x64-gnu.node.tmp s3db-native.linux-x64-gnu.node
