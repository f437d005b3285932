#!/usr/bin/env bash
# Serve tools/bench/bare_falcon.py (204 to everything) under gunicorn.
#
#   tools/bench/bare.sh start|stop|run [--port 8890] [--workers 2]
#       [--threads 4] [--worker-class gthread] [--keep-alive 5] [--timeout 30]
#
# Uses the gunicorn of $BENCH_VENV (default /work/venv).
set -euo pipefail
source "$(dirname "$0")/common.sh"

action=${1:-}; shift || true
PORT=8890
bench_parse_flags "$@"
dir=$BENCH_RUN_DIR/bare
mkdir -p "$dir"
venv=${BENCH_VENV:-/work/venv}

case $action in
    start|run)
        bench_serve "$action" "$dir" "$venv/bin/gunicorn" bare_falcon:app \
            "PYTHONPATH=$BENCH_TOOLS_DIR" ;;
    stop) bench_stop "$dir" ;;
    *) bench_die "usage: $0 start|stop|run [gunicorn flags]" ;;
esac
