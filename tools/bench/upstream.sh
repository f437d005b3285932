#!/usr/bin/env bash
# The upstream OpenStack Zaqar server, installed from PyPI into its own
# virtualenv and served on Redis under gunicorn, for comparisons only
# (nothing of it is part of this repository).
#
#   tools/bench/upstream.sh install
#   tools/bench/upstream.sh start|run [--port 8891] [--workers 2]
#       [--threads 4] [--worker-class gthread] [--keep-alive 5] [--timeout 30]
#   tools/bench/upstream.sh stop
#
# Environment: UPSTREAM_VENV (default /work/upstream-venv),
# UPSTREAM_VERSION (23.0.1), UPSTREAM_REDIS_DB (9; flushed at each start),
# BENCH_RUN_DIR (see common.sh).
set -euo pipefail
source "$(dirname "$0")/common.sh"

venv=${UPSTREAM_VENV:-/work/upstream-venv}
version=${UPSTREAM_VERSION:-23.0.1}
db=${UPSTREAM_REDIS_DB:-9}
dir=$BENCH_RUN_DIR/upstream
# Same gunicorn release as ours, so only the application differs.
gunicorn_version=$(/work/venv/bin/python -c \
    'import importlib.metadata as m; print(m.version("gunicorn"))' \
    2>/dev/null || echo 27.0.1)

install() {
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q "zaqar==$version" "gunicorn==$gunicorn_version" redis
    echo "installed zaqar $version with gunicorn $gunicorn_version in $venv"
}

# Upstream's WSGI module reads only oslo.config's default files; with HOME
# pointing here it finds ~/.zaqar/zaqar.conf and nothing of the machine's.
write_config() {
    mkdir -p "$dir/home/.zaqar"
    cat > "$dir/home/.zaqar/zaqar.conf" <<CONF
[DEFAULT]
auth_strategy =
pooling = False
log_file = $dir/zaqar.log

[drivers]
transport = wsgi
message_store = redis
management_store = redis

[drivers:message_store:redis]
uri = redis://127.0.0.1:6379?dbid=$db

[drivers:management_store:redis]
uri = redis://127.0.0.1:6379?dbid=$db
CONF
}

action=${1:-}; shift || true
PORT=8891
case $action in
    install) install ;;
    start|run)
        bench_parse_flags "$@"
        [ -x "$venv/bin/gunicorn" ] || bench_die "run '$0 install' first"
        case $db in ''|*[!0-9]*) bench_die "UPSTREAM_REDIS_DB must be a number" ;; esac
        mkdir -p "$dir"
        write_config
        bench_flush_redis "$db"
        bench_serve "$action" "$dir" "$venv/bin/gunicorn" \
            zaqar.transport.wsgi.app:app "HOME=$dir/home" PYTHONPATH= ;;
    stop) bench_stop "$dir" ;;
    *) bench_die "usage: $0 install | start|run [gunicorn flags] | stop" ;;
esac
