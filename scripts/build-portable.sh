#!/usr/bin/env bash
# The Linux binaries as they ship, built with zig (cargo-zigbuild) on a Linux x86_64 host:
#   linux-x64-gnu and linux-arm64-gnu linked against glibc 2.17, so they load on every Linux that
#   Node 20 runs on (RHEL/Alma/Rocky 8, Debian 10/11, Ubuntu 20.04...), and linux-x64-musl (Alpine).
#   scripts/build-portable.sh [profile] [target...]
#     profile: release (default) or ci (what npm test uses)
#     target:  x86_64-unknown-linux-gnu (default), aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl
# Each lands as s3db-native.<platform>.node in the repository root (platform: linux-x64-gnu,
# linux-arm64-gnu, linux-x64-musl). zig and cargo-zigbuild come from PyPI into a cached venv
# ($S3DB_CACHE_DIR, default ~/.cache/s3db-native); rust targets are added with rustup when missing.
# binding.js / binding.d.ts are not touched: `npm run build:native` (napi build for this host)
# regenerates them when the Rust exports change.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${1:-release}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(x86_64-unknown-linux-gnu)
CACHE="${S3DB_CACHE_DIR:-$HOME/.cache/s3db-native}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
VENV="$CACHE/zig-venv"
ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.1
GLIBC=2.17

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "build-portable: cross-builds the Linux binaries on a Linux x86_64 host only (this is $(uname -s)-$(uname -m))" >&2; exit 2 ;;
esac
if ! "$VENV/bin/cargo-zigbuild" --version 2>/dev/null | grep -q " $CARGO_ZIGBUILD_VERSION\$" \
   || ! "$VENV/bin/python" -c "import ziglang" 2>/dev/null; then
  echo "== installing zig $ZIGLANG_VERSION and cargo-zigbuild $CARGO_ZIGBUILD_VERSION (PyPI) into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
fi
ZIG_DIR="$("$VENV/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')"
export PATH="$VENV/bin:$ZIG_DIR:$PATH"

for target in "${TARGETS[@]}"; do
  case "$target" in
    x86_64-unknown-linux-gnu)  platform=linux-x64-gnu;   zig_target="$target.$GLIBC" ;;
    aarch64-unknown-linux-gnu) platform=linux-arm64-gnu; zig_target="$target.$GLIBC" ;;
    # A cdylib on musl must link musl's libc dynamically (Node itself does).
    x86_64-unknown-linux-musl) platform=linux-x64-musl;  zig_target="$target"
                               export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static" ;;
    *) echo "build-portable: unknown target $target" >&2; exit 2 ;;
  esac
  if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    echo "== rustup target add $target"
    rustup target add "$target"
  fi
  echo "== building s3db-native.$platform.node ($zig_target, $PROFILE)"
  cargo zigbuild --profile "$PROFILE" --lib --target "$zig_target"
  cp "$CARGO_TARGET_DIR/$target/$PROFILE/libs3db_native.so" "s3db-native.$platform.node.tmp"
  mv "s3db-native.$platform.node.tmp" "s3db-native.$platform.node"
done
