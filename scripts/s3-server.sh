#!/usr/bin/env bash
# Local moto S3 server for s3db-native tests, with SigV4 signature checking ON.
#   scripts/s3-server.sh start   # install (cached venv), start or reuse, print env lines
#   scripts/s3-server.sh stop    # kill the recorded server, remove the env file
#   scripts/s3-server.sh env     # print the env file
# The env file holds plain KEY=value lines; to export them:
#   set -a; eval "$(scripts/s3-server.sh env)"; set +a
# Knobs: S3DB_CACHE_DIR (default ~/.cache/s3db-native), S3DB_MOTO_ENV (env file path),
#        S3DB_MOTO_PORT (fixed port instead of a free one).
set -euo pipefail

CACHE="${S3DB_CACHE_DIR:-$HOME/.cache/s3db-native}"
ENV_FILE="${S3DB_MOTO_ENV:-$CACHE/moto.env}"
LOG_FILE="$(dirname "$ENV_FILE")/moto-server.log"
VENV="$CACHE/moto-venv"
PY="$VENV/bin/python"
REQ_PORT="${S3DB_MOTO_PORT:-}"   # read before anything could overwrite it
# CreateUser, CreateAccessKey, CreatePolicy, AttachUserPolicy: moto lets exactly this many
# requests through unauthenticated, then checks the signature and IAM policy of every one.
NO_AUTH_COUNT=4

die() { echo "s3-server.sh: error: $*" >&2; exit 1; }
envget() { [ -f "$ENV_FILE" ] || return 0; sed -n "s/^$1=//p" "$ENV_FILE" 2>/dev/null | tail -n1; }
# alive: exists and is not a zombie (an unreaped zombie would otherwise look alive to kill -0)
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
is_moto() { [ -n "$1" ] && alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q moto_server; }

# Python helper run inside the venv. Modes: wait PORT | setup PORT | check PORT KEY SECRET.
moto_py() { timeout "${TMO:-120}" "$PY" - "$@" <<'PYEOF'
import sys, json, shlex, urllib.request, urllib.parse, urllib.error
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
mode, port = sys.argv[1], sys.argv[2]
url = f"http://127.0.0.1:{port}"
cfg = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 1}, s3={"addressing_style": "path"})
def client(svc, key, secret):
    return boto3.client(svc, endpoint_url=url, region_name="us-east-1", config=cfg,
                        aws_access_key_id=key, aws_secret_access_key=secret)
def s3_ok(key, secret):  # True if a signed HeadBucket succeeds, False on 403
    try:
        client("s3", key, secret).head_bucket(Bucket="s3db"); return True
    except ClientError as e:
        if e.response["ResponseMetadata"]["HTTPStatusCode"] == 403: return False
        raise
if mode == "wait":  # /moto-api/ is not an AWS action, so it does not use up the no-auth budget
    urllib.request.urlopen(url + "/moto-api/", timeout=2).read(); sys.exit(0)
if mode == "check":
    sys.exit(0 if s3_ok(sys.argv[3], sys.argv[4]) else 1)
# setup: these 4 calls are exactly the unauthenticated budget (NO_AUTH_COUNT)
iam = client("iam", "bootstrap", "bootstrap")
iam.create_user(UserName="s3db")
k = iam.create_access_key(UserName="s3db")["AccessKey"]
doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
arn = iam.create_policy(PolicyName="s3db-s3-all", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
iam.attach_user_policy(UserName="s3db", PolicyArn=arn)
key, secret = k["AccessKeyId"], k["SecretAccessKey"]
client("s3", key, secret).create_bucket(Bucket="s3db")  # first checked (signed) request
# Auth must really be enforced: wrong secret, unknown key and unsigned requests all rejected.
if s3_ok(key, secret[:-1] + ("A" if secret[-1] != "A" else "B")): sys.exit("wrong secret was ACCEPTED: auth not enforced")
if s3_ok("AKIANOTAREALKEY00000", secret): sys.exit("unknown access key was ACCEPTED: auth not enforced")
try:
    urllib.request.urlopen(url + "/s3db", timeout=10); sys.exit("unsigned request was ACCEPTED")
except urllib.error.HTTPError as e:  # moto 5.2.5 answers 500 (KeyError: Authorization) here
    if e.code < 400: raise
if not s3_ok(key, secret): sys.exit("correctly signed request was rejected")
# moto secrets use [A-Za-z0-9+/]: '+' and '/' are not allowed raw in URL userinfo, so
# key and secret are percent-encoded (quote(safe="")) in the URL; the AWS_* lines stay raw.
userinfo = urllib.parse.quote(key, safe="") + ":" + urllib.parse.quote(secret, safe="")
for name, val in [("S3DB_MOTO_PORT", port), ("S3DB_TEST_S3_URL", f"http://{userinfo}@127.0.0.1:{port}/s3db"),
                  ("AWS_ACCESS_KEY_ID", key), ("AWS_SECRET_ACCESS_KEY", secret)]:
    print(f"{name}={shlex.quote(val)}")
PYEOF
}

ensure_venv() {
  if [ -x "$PY" ] && "$PY" -c 'import importlib.metadata as m, flask, flask_cors, boto3, sys
sys.exit(m.version("moto") != "5.2.5")' 2>/dev/null; then return 0; fi
  echo "s3-server.sh: creating $VENV (moto 5.2.5)" >&2
  rm -rf "$VENV"; mkdir -p "$CACHE"
  local pip
  if python3 -m venv "$VENV" >/dev/null 2>&1 && [ -x "$VENV/bin/pip" ]; then
    pip=("$PY" -m pip)
  else  # Debian without python3-venv has no ensurepip: let the outer pip install into the venv
    rm -rf "$VENV"; python3 -m venv --without-pip "$VENV"
    pip=(python3 -m pip --python "$PY")
  fi
  # moto's "iam" extra has no dependencies of its own; flask + flask-cors are what moto_server needs.
  if ! timeout 900 "${pip[@]}" install --no-input --disable-pip-version-check -q \
      'moto[s3]==5.2.5' 'flask<4' 'flask-cors<7' >&2; then
    rm -rf "$VENV"; die "pip install failed"
  fi
}

stop_server() {
  local pid; pid="$(envget S3DB_MOTO_PID)"
  if is_moto "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || true; kill -TERM "$pid" 2>/dev/null || true  # group + leader
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.2; done   # moto exits ~1-2 s after TERM
    if alive "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    for _ in $(seq 25); do alive "$pid" || break; sleep 0.2; done
    ! alive "$pid" || die "server pid $pid did not exit"
  fi
  rm -f "$ENV_FILE"
}

start_server() {
  ensure_venv
  # Reuse a live, answering server recorded in the env file (idempotent start).
  local opid; opid="$(envget S3DB_MOTO_PID)"
  if is_moto "$opid" && TMO=30 moto_py check "$(envget S3DB_MOTO_PORT)" \
      "$(envget AWS_ACCESS_KEY_ID)" "$(envget AWS_SECRET_ACCESS_KEY)" 2>/dev/null; then
    cat "$ENV_FILE"; return 0
  fi
  stop_server   # stale or dead: clean up before starting anew
  # Port 0 = let the kernel pick a free one; a fixed port is bind-tested so we never talk to a stranger.
  local port
  port="$("$PY" -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); print(s.getsockname()[1])' \
    "${REQ_PORT:-0}")" || die "port ${REQ_PORT} on 127.0.0.1 is not free"
  mkdir -p "$(dirname "$ENV_FILE")"
  # The launcher closes every inherited fd above 2 (our lock, a caller's $(...) pipe), then
  # setsid()s so the server leads its own process group (stop kills the group), then execs.
  INITIAL_NO_AUTH_ACTION_COUNT="$NO_AUTH_COUNT" "$PY" -c 'import os, sys
os.closerange(3, 65536); os.setsid(); os.execv(sys.argv[1], sys.argv[1:])' \
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$LOG_FILE" 2>&1 </dev/null &
  SERVER_PID=$!
  trap 'if [ -n "${SERVER_PID:-}" ]; then kill -KILL -- "-$SERVER_PID" 2>/dev/null || kill -KILL "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; fi' EXIT
  local deadline=$((SECONDS + 60))
  until TMO=10 moto_py wait "$port" 2>/dev/null; do
    alive "$SERVER_PID" || { tail -n 30 "$LOG_FILE" >&2; die "moto_server exited during startup"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 30 "$LOG_FILE" >&2; die "moto_server did not answer on port $port within 60 s"; }
    sleep 0.5
  done
  local lines
  lines="$(moto_py setup "$port")" || { tail -n 30 "$LOG_FILE" >&2; die "IAM/bucket setup or auth verification failed"; }
  { echo "S3DB_MOTO_PID=$SERVER_PID"; echo "$lines"; } >"$ENV_FILE.tmp"
  mv -f "$ENV_FILE.tmp" "$ENV_FILE"
  SERVER_PID=""   # success: keep the server running
  cat "$ENV_FILE"
}

cmd="${1:-}"
case "$cmd" in
  start|stop) mkdir -p "$CACHE"
    exec 9>"$CACHE/moto.lock"; flock -w 900 9 || die "timed out waiting for $CACHE/moto.lock"
    if [ "$cmd" = start ]; then start_server; else stop_server; fi ;;
  env) [ -f "$ENV_FILE" ] || die "no env file at $ENV_FILE (run: $0 start)"; cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
