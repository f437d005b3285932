#!/usr/bin/env bash
# The upstream OpenStack Zaqar server, installed from PyPI into its own
# virtualenv and served on Redis or MongoDB under gunicorn, for
# comparisons only (nothing of it is part of this repository).
#
#   tools/bench/upstream.sh install
#   tools/bench/upstream.sh start|run [redis|mongodb] [--port P]
#       [--workers 2] [--threads 4] [--worker-class gthread]
#       [--keep-alive 5] [--timeout 30]
#   tools/bench/upstream.sh stop [redis|mongodb]
#
# Ports default to 8891 (redis) and 8894 (mongodb). Environment:
# UPSTREAM_VENV (default /work/upstream-venv), UPSTREAM_VERSION (23.0.1),
# UPSTREAM_REDIS_DB (9; flushed at each start), BENCH_MONGODB_URI (see
# common.sh; databases upstream_bench*, dropped at each start),
# BENCH_RUN_DIR (see common.sh).
set -euo pipefail
source "$(dirname "$0")/common.sh"

venv=${UPSTREAM_VENV:-/work/upstream-venv}
version=${UPSTREAM_VERSION:-23.0.1}
db=${UPSTREAM_REDIS_DB:-9}
# The release of a package in our virtualenv (else the fallback given).
ours_version() {  # package fallback
    /work/venv/bin/python -c \
        'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))' \
        "$1" 2>/dev/null || echo "$2"
}
# Same gunicorn release as ours, so only the application differs.
gunicorn_version=$(ours_version gunicorn 27.0.1)
pymongo_version=$(ours_version pymongo 4.20.1)

install() {
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    # pymongo as ours has it. Upstream asks for no particular release.
    "$venv/bin/pip" install -q "zaqar==$version" "gunicorn==$gunicorn_version" \
        redis "pymongo==$pymongo_version"
    echo "installed zaqar $version with gunicorn $gunicorn_version in $venv"
}

# Upstream's WSGI module reads only oslo.config's default files; with HOME
# pointing here it finds ~/.zaqar/zaqar.conf and nothing of the machine's.
write_config() {
    mkdir -p "$dir/home/.zaqar"
    {
        echo "[DEFAULT]"
        echo "auth_strategy ="
        echo "pooling = False"
        echo "log_file = $dir/zaqar.log"
        if [ "$store" = mongodb ]; then
            # Upstream refuses a replica set of fewer than two members
            # unless told the store is "unreliable"; the flag changes
            # nothing else.
            echo "unreliable = True"
        fi
        echo
        echo "[drivers]"
        echo "transport = wsgi"
        echo "message_store = $store"
        echo "management_store = $store"
        for group in message_store management_store; do
            echo
            echo "[drivers:$group:$store]"
            if [ "$store" = redis ]; then
                echo "uri = redis://127.0.0.1:6379?dbid=$db"
            else
                # Upstream hands a URI naming a replica set to
                # pymongo.MongoReplicaSetClient, which pymongo 4 no longer
                # has; from the bare address pymongo finds the set itself.
                echo "uri = ${BENCH_MONGODB_URI%%\?*}"
                echo "database = upstream_bench_${group%_store}"
            fi
        done
    } > "$dir/home/.zaqar/zaqar.conf"
}

action=${1:-}; shift || true
store=redis
case ${1:-} in redis|mongodb) store=$1; shift ;; esac
case $store in
    redis) PORT=8891; dir=$BENCH_RUN_DIR/upstream ;;
    mongodb) PORT=8894; dir=$BENCH_RUN_DIR/upstream-mongodb ;;
esac
usage="usage: $0 install | start|run [redis|mongodb] [gunicorn flags] | stop [redis|mongodb]"
case $action in
    install) install ;;
    start|run)
        bench_parse_flags "$@"
        [ -x "$venv/bin/gunicorn" ] || bench_die "run '$0 install' first"
        mkdir -p "$dir"
        write_config
        if [ "$store" = redis ]; then
            case $db in ''|*[!0-9]*) bench_die "UPSTREAM_REDIS_DB must be a number" ;; esac
            bench_flush_redis "$db"
        else
            bench_reset_mongodb "$venv/bin/python" upstream_bench_
        fi
        bench_serve "$action" "$dir" "$venv/bin/gunicorn" \
            zaqar.transport.wsgi.app:app "HOME=$dir/home" PYTHONPATH= ;;
    stop) [ $# -eq 0 ] || bench_die "$usage"; bench_stop "$dir" ;;
    *) bench_die "$usage" ;;
esac
