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

ticks() {  # pid... -> "user system" clock ticks of all their threads
    local user=0 system=0 pid fields
    for pid in "$@"; do
        fields=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || continue
        user=$((user + ${fields% *})); system=$((system + ${fields#* }))
    done
    echo "$user $system"
}

for app in "${apps[@]}"; do
    (bench_serve start "$dir" "$venv/bin/gunicorn" "floor_apps:$app" \
        "PYTHONPATH=$here") >/dev/null
    master=$(cat "$dir/gunicorn.pid")
    pids=("$master" $(pgrep -P "$master"))
    read -r user0 system0 < <(ticks "${pids[@]}")
    "$venv/bin/zaqar-bench" --server-url "http://127.0.0.1:$PORT" --json \
        --time "$ping_time" --producer-processes 0 --consumer-processes 0 \
        --observer-processes 0 --pinger-processes 3 --pinger-workers 6 \
        > "$dir/$app.json" 2>/dev/null
    read -r user1 system1 < <(ticks "${pids[@]}")
    bench_stop "$dir" >/dev/null
    "$venv/bin/python" - "$dir/$app.json" "$app" "$(getconf CLK_TCK)" \
        "$((user1 - user0))" "$((system1 - system0))" <<'PY'
import json, sys
path, app, hz, user, system = sys.argv[1:]
total = json.load(open(path))["total"]
n, hz = total["requests"], int(hz)
print(f"{app:9s} {n / json.load(open(path))['duration']:8.0f} req/s "
      f"errors {total['errors']}  server CPU ms/req: "
      f"user {int(user) * 1000 / hz / n:.3f} system {int(system) * 1000 / hz / n:.3f} "
      f"total {(int(user) + int(system)) * 1000 / hz / n:.3f}")
PY
done
