#!/usr/bin/env bash
# This repository's Zaqar served by gunicorn with the same flags as the
# other benchmark servers, on Redis, MongoDB or the embedded SQLite store.
#
#   tools/bench/ours.sh start|run redis|mongodb|sqlite [--port P]
#       [--workers 2] [--threads 4] [--worker-class gthread]
#       [--keep-alive 5] [--timeout 30]
#   tools/bench/ours.sh stop redis|mongodb|sqlite
#
# Ports default to 8892 (redis), 8893 (sqlite) and 8895 (mongodb).
# Environment: BENCH_VENV (default /work/venv, with this checkout
# installed), OURS_REDIS_DB (10; flushed at each start), BENCH_MONGODB_URI
# (see common.sh; databases ours_bench_*, dropped at each start),
# BENCH_RUN_DIR (see common.sh). The SQLite file is new at each start.
set -euo pipefail
source "$(dirname "$0")/common.sh"

action=${1:-}; store=${2:-}
usage="usage: $0 start|run|stop redis|mongodb|sqlite [gunicorn flags]"
shift 2 2>/dev/null || bench_die "$usage"
venv=${BENCH_VENV:-/work/venv}
db=${OURS_REDIS_DB:-10}
case $store in
    redis) PORT=8892 ;;
    sqlite) PORT=8893 ;;
    mongodb) PORT=8895 ;;
    *) bench_die "store must be redis, mongodb or sqlite, not '$store'" ;;
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
        elif [ "$store" = mongodb ]; then
            echo "[drivers]"
            echo "message_store = mongodb"
            echo "management_store = mongodb"
            for group in message_store management_store; do
                echo
                echo "[drivers:$group:mongodb]"
                echo "uri = $BENCH_MONGODB_URI"
                echo "database = ours_bench_${group%_store}"
            done
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
        elif [ "$store" = mongodb ]; then
            bench_reset_mongodb "$venv/bin/python" ours_bench_
        else
            rm -f "$dir"/zaqar.sqlite*
        fi
        write_config
        bench_serve "$action" "$dir" "$venv/bin/gunicorn" \
            zaqar.transport.wsgi.app:app "ZAQAR_CONFIG_FILE=$dir/zaqar.conf" ;;
    stop) bench_stop "$dir" ;;
    *) bench_die "$usage" ;;
esac
