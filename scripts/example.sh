#!/usr/bin/env bash
# npm run example: build if needed, then run the README's users example on file:// (no server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node examples/users.mjs
