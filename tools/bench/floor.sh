#!/usr/bin/env bash
# Server CPU per request (user and system, ms) of the floor_apps.py apps
# under the benchmark's gunicorn settings, during a zaqar-bench ping run
# (18 threads, PING_TIME seconds, default 10): what gunicorn and Falcon
# cost alone, and what one blocking Redis round trip adds.
#
#   tools/bench/floor.sh [gunicorn flags] [-- app...]
#
# Apps: bare socket link redis_py (default: all). Port 8894.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

venv=${BENCH_VENV:-/work/venv}
ping_time=${PING_TIME:-10}
flags=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
[ $# -gt 0 ] && shift
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(bare socket link redis_py)
PORT=8894
bench_parse_flags "${flags[@]+"${flags[@]}"}"
dir=$BENCH_RUN_DIR/floor
mkdir -p "$dir"

for app in "${apps[@]}"; do
    (bench_serve start "$dir" "$venv/bin/gunicorn" "floor_apps:$app" \
        "PYTHONPATH=$here") >/dev/null
    master=$(cat "$dir/gunicorn.pid")
    pids=("$master" $(pgrep -P "$master"))
    read -r user0 system0 < <(bench_cpu_ticks "${pids[@]}")
    "$venv/bin/zaqar-bench" --server-url "http://127.0.0.1:$PORT" --json \
        --time "$ping_time" --producer-processes 0 --consumer-processes 0 \
        --observer-processes 0 --pinger-processes 3 --pinger-workers 6 \
        > "$dir/$app.json" 2>/dev/null
    read -r user1 system1 < <(bench_cpu_ticks "${pids[@]}")
    bench_stop "$dir" >/dev/null
    "$venv/bin/python" - "$dir/$app.json" "$app" "$(getconf CLK_TCK)" \
        "$((user1 - user0))" "$((system1 - system0))" <<'PY'
import json, sys
path, app, hz, user, system = sys.argv[1:]
run = json.load(open(path))
n, ms = run["total"]["requests"], 1000 / int(hz)
user, system = int(user) * ms / n, int(system) * ms / n
print(f"{app:9s} {n / run['duration']:8.0f} req/s "
      f"errors {run['total']['errors']}  server CPU ms/req: "
      f"user {user:.3f} system {system:.3f} total {user + system:.3f}")
PY
done
