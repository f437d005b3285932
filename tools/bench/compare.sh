#!/usr/bin/env bash
# The whole comparison of doc/benchmarks.rst: every server in turn under
# the same gunicorn flags, the same zaqar-bench mix against each, results
# as JSON (and wrk's text) in $BENCH_RESULTS (default
# /tmp/zaqar-bench-results). Then: tools/bench/summarize.py $BENCH_RESULTS
#
#   tools/bench/compare.sh [--workers 2] [--threads 4]
#       [--worker-class gthread] [--keep-alive 5] [--timeout 30]
#
# Environment: MIX_TIME (25 s), PING_TIME (10 s), TARGETS (default
# "bare upstream ours-redis ours-sqlite upstream-mongodb ours-mongodb"; the
# last two need MongoDB: tools/mongodb.sh start), BENCH_VENV (/work/venv).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

out=${BENCH_RESULTS:-/tmp/zaqar-bench-results}
venv=${BENCH_VENV:-/work/venv}
mix_time=${MIX_TIME:-25}
ping_time=${PING_TIME:-10}
targets=${TARGETS:-bare upstream ours-redis ours-sqlite upstream-mongodb ours-mongodb}
mkdir -p "$out"
rm -f "$out/load.txt"
flags=("$@")
PORT=0
bench_parse_flags "$@"   # checks the flags once, before anything starts
case " $targets " in
    *-mongodb\ *)
        "$venv/bin/python" - "$BENCH_MONGODB_URI" <<'PY' \
            || bench_die "MongoDB targets need MongoDB at $BENCH_MONGODB_URI: tools/mongodb.sh start (or leave them out of TARGETS)"
import sys
import pymongo
pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=5000).admin.command("ping")
PY
        ;;
esac

MIX=(--producer-processes 2 --producer-workers 4
     --consumer-processes 2 --consumer-workers 4
     --observer-processes 1 --observer-workers 2
     --messages-per-post 10 --messages-per-claim 10 --messages-per-list 10
     --num-queues 4 --message-size 100 --time "$mix_time")
# The same 18 client threads, all sending GET /v2/ping.
PING=(--producer-processes 0 --consumer-processes 0 --observer-processes 0
      --pinger-processes 3 --pinger-workers 6 --time "$ping_time")

server() {  # action target
    case $2 in
        bare) "$here/bare.sh" "$1" "${flags[@]}" ;;
        upstream) "$here/upstream.sh" "$1" "${flags[@]}" ;;
        ours-redis) "$here/ours.sh" "$1" redis "${flags[@]}" ;;
        ours-sqlite) "$here/ours.sh" "$1" sqlite "${flags[@]}" ;;
        upstream-mongodb) "$here/upstream.sh" "$1" mongodb "${flags[@]}" ;;
        ours-mongodb) "$here/ours.sh" "$1" mongodb "${flags[@]}" ;;
        *) bench_die "unknown target $2" ;;
    esac
}

port_of() {
    case $1 in bare) echo 8890 ;; upstream) echo 8891 ;;
        ours-redis) echo 8892 ;; ours-sqlite) echo 8893 ;;
        upstream-mongodb) echo 8894 ;; ours-mongodb) echo 8895 ;; esac
}

# CPU ticks used so far by a gunicorn master, its workers, and the store's
# server: CPU per request does not depend on what else the machine is doing.
cpu_ticks() {  # pid...
    local user system
    read -r user system < <(bench_cpu_ticks "$@")
    echo $((user + system))
}
server_pids() {  # target
    local master
    master=$(cat "$BENCH_RUN_DIR/$1/gunicorn.pid")
    echo "$master" $(pgrep -P "$master")
}

# The server's own log, to explain errors after the fact.
keep_log() {  # target
    cp "$BENCH_RUN_DIR/$1/gunicorn.log" "$out/$1-gunicorn.log" \
        2>/dev/null || true
}
# A server that died during a run leaves only "connection refused" in the
# results: stop there, with its log, rather than measure nothing.
still_serving() {  # target phase
    bench_running "$BENCH_RUN_DIR/$1" && return 0
    keep_log "$1"
    tail -n 30 "$out/$1-gunicorn.log" >&2 || true
    bench_die "$1 stopped serving during the $2 run; its log: $out/$1-gunicorn.log"
}

{
    echo "date: $(date -u +%FT%TZ)"
    echo "gunicorn flags: ${flags[*]:-(defaults of common.sh)} -> workers=$GUNICORN_WORKERS threads=$GUNICORN_THREADS class=$GUNICORN_WORKER_CLASS keep-alive=$GUNICORN_KEEPALIVE"
    echo "mix: ${MIX[*]}"
    echo "ping: ${PING[*]}"
    echo "cpus: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
} > "$out/setup.txt"

for target in $targets; do
    url=http://127.0.0.1:$(port_of "$target")
    echo "== $target ($url)" >&2
    server start "$target"
    # Other work on the machine skews the numbers: keep a trace of it.
    echo "$target start: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
    trap 'server stop "$target" >/dev/null 2>&1 || true' EXIT
    if [ "$target" != bare ]; then
        pids=$(server_pids "$target")
        case $target in
            *mongodb) store_pid=$(pgrep -x mongod | head -n 1 || true) ;;
            *sqlite) store_pid= ;;
            *) store_pid=$(pgrep -x redis-server | head -n 1 || true) ;;
        esac
        before=$(cpu_ticks $pids); store_before=$(cpu_ticks $store_pid)
        "$venv/bin/zaqar-bench" --server-url "$url" --json "${MIX[@]}" \
            > "$out/$target-mix.json"
        after=$(cpu_ticks $pids); store_after=$(cpu_ticks $store_pid)
        echo "{\"server_cpu_seconds\": $(( (after - before) * 100 / $(getconf CLK_TCK) ))e-2, \"store_cpu_seconds\": $(( (store_after - store_before) * 100 / $(getconf CLK_TCK) ))e-2}" \
            > "$out/$target-mix-cpu.json"
        still_serving "$target" mix
    fi
    "$venv/bin/zaqar-bench" --server-url "$url" --json "${PING[@]}" \
        > "$out/$target-ping.json"
    still_serving "$target" ping
    if command -v wrk >/dev/null; then
        wrk -t 2 -c 18 -d "${ping_time}s" --latency \
            -H "Client-ID: $BENCH_CLIENT_ID" -H "X-Project-ID: bench" \
            "$url/v2/ping" > "$out/$target-wrk.txt"
    fi
    echo "$target end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
    server stop "$target"
    trap - EXIT
    keep_log "$target"
done
echo "results in $out; summary: $venv/bin/python $here/summarize.py $out" >&2
