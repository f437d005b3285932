#!/usr/bin/env bash
# This repository's Zaqar served by gunicorn with the same flags as the
# other benchmark servers, on Redis or on the embedded SQLite store.
#
#   tools/bench/ours.sh start|run redis|sqlite [--port P] [--workers 2]
#       [--threads 4] [--worker-class gthread] [--keep-alive 5] [--timeout 30]
#   tools/bench/ours.sh stop redis|sqlite
#
# Ports default to 8892 (redis) and 8893 (sqlite). Environment: BENCH_VENV
# (default /work/venv, with this checkout installed), OURS_REDIS_DB (10;
# flushed at each start; the SQLite file is also new at each start),
# BENCH_RUN_DIR (see common.sh).
set -euo pipefail
source "$(dirname "$0")/common.sh"

action=${1:-}; store=${2:-}
shift 2 2>/dev/null || bench_die "usage: $0 start|run|stop redis|sqlite [gunicorn flags]"
venv=${BENCH_VENV:-/work/venv}
db=${OURS_REDIS_DB:-10}
case $store in
    redis) PORT=8892 ;;
    sqlite) PORT=8893 ;;
    *) bench_die "store must be redis or sqlite, not '$store'" ;;
esac
dir=$BENCH_RUN_DIR/ours-$store

has_plugin() {  # namespace name
    "$venv/bin/python" - "$1" "$2" <<'PY'
import sys
from importlib.metadata import entry_points
sys.exit(0 if sys.argv[2] in entry_points(group=sys.argv[1]).names else 1)
PY
}

write_config() {
    {
        echo "[DEFAULT]"
        echo "state_path = $dir"
        echo
        if [ "$store" = redis ]; then
            # Queues and messages both live in the data driver here; the
            # management store only serves pools and flavors (unused).
            management=sqlalchemy
            has_plugin zaqar.control.storage redis && management=redis
            echo "[drivers]"
            echo "message_store = redis"
            echo "management_store = $management"
            echo
            echo "[drivers:message_store:redis]"
            echo "uri = redis://127.0.0.1:6379?dbid=$db"
            if [ "$management" = redis ]; then
                echo
                echo "[drivers:management_store:redis]"
                echo "uri = redis://127.0.0.1:6379?dbid=$db"
            fi
        fi
    } > "$dir/zaqar.conf"
}

case $action in
    start|run)
        bench_parse_flags "$@"
        [ -x "$venv/bin/gunicorn" ] || bench_die "no gunicorn in $venv"
        mkdir -p "$dir"
        if [ "$store" = redis ]; then
            case $db in ''|*[!0-9]*) bench_die "OURS_REDIS_DB must be a number" ;; esac
            has_plugin zaqar.data.storage redis \
                || bench_die "the redis storage driver is not installed in $venv"
            bench_flush_redis "$db"
        else
            rm -f "$dir"/zaqar.sqlite*
        fi
        write_config
        bench_serve "$action" "$dir" "$venv/bin/gunicorn" \
            zaqar.transport.wsgi.app:app "ZAQAR_CONFIG_FILE=$dir/zaqar.conf" ;;
    stop) bench_stop "$dir" ;;
    *) bench_die "usage: $0 start|run|stop redis|sqlite [gunicorn flags]" ;;
esac
