#!/usr/bin/env bash
# What .github/workflows/release.yml does, for the targets this machine builds, without publishing:
#   1. build each Linux target (scripts/build-portable.sh release <targets>: zig, glibc 2.17 for gnu)
#   2. lay the binaries out as the workflow's artifact download does (artifacts/bindings-<target>/)
#   3. scripts/publish.mjs --dry-run: `napi artifacts` into npm/<platform>/ (of a staging copy),
#      scripts/elf-check.mjs on each binary, `npm publish --dry-run` of each platform package and of
#      the main package (offline: no registry contacted, no login needed, nothing published)
#   scripts/release-dry-run.sh [--prebuilt]
#     --prebuilt  skip the build: use the s3db-native.<platform>.node files already at the
#                 repository root (what __test__/release.test.mjs does)
# darwin-x64, darwin-arm64 and win32-x64-msvc are built by the workflow only (macOS and Windows runners).
set -euo pipefail
cd "$(dirname "$0")/.."
PREBUILT=0
for arg in "$@"; do
  case "$arg" in
    --prebuilt) PREBUILT=1 ;;
    *) echo "release-dry-run: unknown argument $arg (usage: scripts/release-dry-run.sh [--prebuilt])" >&2; exit 2 ;;
  esac
done
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "release-dry-run: the Linux packages are built on a Linux x86_64 host (this is $(uname -s)-$(uname -m)); the workflow builds the others" >&2; exit 2 ;;
esac
# target triple -> platform package, as package.json napi.targets and the workflow's build matrix name them
TARGETS=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl)
PLATFORMS=(linux-x64-gnu linux-arm64-gnu linux-x64-musl)

if [ "$PREBUILT" = 0 ]; then
  bash scripts/build-portable.sh release "${TARGETS[@]}"
fi
ARTIFACTS="$(mktemp -d "${TMPDIR:-/tmp}/s3db-native-artifacts-XXXXXX")"
trap 'rm -rf "$ARTIFACTS"' EXIT
for i in "${!TARGETS[@]}"; do
  binary="s3db-native.${PLATFORMS[$i]}.node"
  [ -f "$binary" ] || { echo "release-dry-run: $binary is missing (build it: bash scripts/build-portable.sh release ${TARGETS[$i]})" >&2; exit 1; }
  mkdir -p "$ARTIFACTS/bindings-${TARGETS[$i]}"
  cp "$binary" "$ARTIFACTS/bindings-${TARGETS[$i]}/"
done
PLATFORM_LIST="$(IFS=,; echo "${PLATFORMS[*]}")"
node scripts/publish.mjs --dry-run --artifacts "$ARTIFACTS" --platforms "$PLATFORM_LIST"
echo "release-dry-run: ok (${PLATFORM_LIST} and the main package packed; nothing published)"
