#!/usr/bin/env bash
# Pack the package and this machine's binary package (linux-x64-gnu here) as npm tarballs.
#   bash scripts/pack.sh [dest]      (default dest: ./dist; the addon must be built: npm run example / npm test do it)
# Then, in any project:  npm i <dest>/s3db-native-<v>.tgz <dest>/s3db-native-linux-x64-gnu-<v>.tgz
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)"
binary=s3db-native.linux-x64-gnu.node
[ -f "$binary" ] || { echo "pack: $binary is missing: build first (bash scripts/setup.sh)" >&2; exit 1; }
cp "$binary" npm/linux-x64-gnu/
npm pack --silent --pack-destination "$dest" >/dev/null
(cd npm/linux-x64-gnu && npm pack --silent --pack-destination "$dest" >/dev/null)
version="$(node -p "require('./package.json').version")"
ls "$dest/s3db-native-$version.tgz" "$dest/s3db-native-linux-x64-gnu-$version.tgz"
