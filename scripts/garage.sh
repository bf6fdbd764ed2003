#!/usr/bin/env bash
# Garage 2.5.0 (a production S3 server) on 127.0.0.1 for the benchmarks: single node, LMDB.
#   scripts/garage.sh start   # install (cargo install, cached), start or reuse, print env lines
#   scripts/garage.sh stop    # kill the recorded server
#   scripts/garage.sh env     # print the env file (S3DB_GARAGE_URL, S3DB_GARAGE_PID, ...)
# Knobs: S3DB_CACHE_DIR (default ~/.cache/s3db-native), S3DB_GARAGE_PORT (S3 API port, default 3900).
# The first install compiles Garage from crates.io (cargo install garage@2.5.0 --locked): ~20-30 min on 2 cores.
set -euo pipefail

CACHE="${S3DB_CACHE_DIR:-$HOME/.cache/s3db-native}"
ROOT="$CACHE/garage"
BIN="$ROOT/bin/garage"
WORK="$CACHE/garage-run"
CONF="$WORK/garage.toml"
ENV_FILE="$WORK/garage.env"
LOG="$WORK/garage.log"
PORT="${S3DB_GARAGE_PORT:-3900}"
RPC_PORT=$((PORT + 1))
ADMIN_PORT=$((PORT + 3))
# Fixed, bench-only credentials (Garage key ids are GK + 24 hex, secrets 64 hex).
KEY_ID="GK0123456789abcdef01234567"
SECRET="0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
BUCKET="bench"

die() { echo "garage.sh: error: $*" >&2; exit 1; }
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
envget() { [ -f "$ENV_FILE" ] || return 0; sed -n "s/^$1=//p" "$ENV_FILE" | tail -n1; }
g() { "$BIN" -c "$CONF" "$@"; }

install() {
  if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q '2\.5\.0'; then return 0; fi
  command -v cargo >/dev/null || die "cargo is required to install Garage"
  echo "garage.sh: installing garage 2.5.0 with cargo (slow the first time)" >&2
  CARGO_TARGET_DIR="${GARAGE_TARGET_DIR:-$CACHE/garage-target}" \
    cargo install garage@2.5.0 --locked --root "$ROOT" >&2 || die "cargo install garage@2.5.0 failed"
  "$BIN" --version >&2
}

write_conf() {
  mkdir -p "$WORK/meta" "$WORK/data"
  local secret_file="$WORK/rpc_secret"
  [ -s "$secret_file" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$secret_file"
  chmod 600 "$secret_file"
  cat >"$CONF" <<EOF
metadata_dir = "$WORK/meta"
data_dir = "$WORK/data"
db_engine = "lmdb"
metadata_fsync = false
data_fsync = false
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$RPC_PORT"
rpc_public_addr = "127.0.0.1:$RPC_PORT"
rpc_secret_file = "$secret_file"

[s3_api]
s3_region = "us-east-1"
api_bind_addr = "127.0.0.1:$PORT"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$ADMIN_PORT"
EOF
}

start() {
  install
  local pid; pid="$(envget S3DB_GARAGE_PID)"
  if [ -n "$pid" ] && alive "$pid" && g status >/dev/null 2>&1; then cat "$ENV_FILE"; return 0; fi
  write_conf
  "$BIN" -c "$CONF" server >"$LOG" 2>&1 </dev/null &
  pid=$!
  local deadline=$((SECONDS + 60))
  until g status >/dev/null 2>&1; do
    alive "$pid" || { tail -n 30 "$LOG" >&2; die "garage exited during startup"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 30 "$LOG" >&2; die "garage did not answer within 60 s"; }
    sleep 0.5
  done
  # Single-node layout (once per data dir).
  if g layout show 2>/dev/null | grep -q 'No nodes currently have a role'; then
    local node; node="$(g node id -q | cut -d@ -f1)"
    g layout assign -z dc1 -c 10G "$node" >/dev/null
    g layout apply --version 1 >/dev/null
  fi
  deadline=$((SECONDS + 60))
  until g key list >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "garage layout did not become ready"
    sleep 0.5
  done
  g key info "$KEY_ID" >/dev/null 2>&1 || g key import --yes -n bench "$KEY_ID" "$SECRET" >/dev/null
  g bucket info "$BUCKET" >/dev/null 2>&1 || g bucket create "$BUCKET" >/dev/null
  g bucket allow --read --write --owner "$BUCKET" --key "$KEY_ID" >/dev/null
  {
    echo "S3DB_GARAGE_PID=$pid"
    echo "S3DB_GARAGE_URL=http://$KEY_ID:$SECRET@127.0.0.1:$PORT/$BUCKET"
    echo "S3DB_GARAGE_ENDPOINT=http://127.0.0.1:$PORT"
    echo "S3DB_GARAGE_KEY_ID=$KEY_ID"
    echo "S3DB_GARAGE_SECRET=$SECRET"
    echo "S3DB_GARAGE_BUCKET=$BUCKET"
  } >"$ENV_FILE"
  cat "$ENV_FILE"
}

stop() {
  local pid; pid="$(envget S3DB_GARAGE_PID)"
  if [ -n "$pid" ] && alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.2; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$ENV_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  install) install ;;
  env) [ -f "$ENV_FILE" ] || die "no env file (run: $0 start)"; cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|install|env" >&2; exit 2 ;;
esac
