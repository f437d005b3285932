# Sourced by the benchmark server scripts (bare.sh, upstream.sh, ours.sh):
# one set of gunicorn flags for every server, start/stop by pid file.
#
# Flags (all optional): --port P --workers N --threads N
#   --worker-class C --keep-alive S --timeout S
# Environment: BENCH_RUN_DIR (default /tmp/zaqar-bench-servers) holds one
# folder per server with its config, pid file and logs.

BENCH_RUN_DIR=$(realpath -m "${BENCH_RUN_DIR:-/tmp/zaqar-bench-servers}")
BENCH_TOOLS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_REPO_DIR=$(cd "$BENCH_TOOLS_DIR/../.." && pwd)
BENCH_CLIENT_ID=3381af92-2b9e-11e3-b191-71861300734c

GUNICORN_WORKERS=2
GUNICORN_THREADS=4
GUNICORN_WORKER_CLASS=gthread
GUNICORN_KEEPALIVE=5
GUNICORN_TIMEOUT=30

bench_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# Reads the flags above into PORT and GUNICORN_*; PORT keeps the calling
# script's default when --port is not given.
bench_parse_flags() {
    while [ $# -gt 0 ]; do
        [ $# -ge 2 ] || bench_die "flag $1 needs a value"
        case $1 in
            --port) PORT=$2 ;;
            --workers) GUNICORN_WORKERS=$2 ;;
            --threads) GUNICORN_THREADS=$2 ;;
            --worker-class) GUNICORN_WORKER_CLASS=$2 ;;
            --keep-alive) GUNICORN_KEEPALIVE=$2 ;;
            --timeout) GUNICORN_TIMEOUT=$2 ;;
            *) bench_die "unknown flag $1 (known: --port --workers --threads --worker-class --keep-alive --timeout)" ;;
        esac
        shift 2
    done
    for value in "$PORT" "$GUNICORN_WORKERS" "$GUNICORN_THREADS" \
                 "$GUNICORN_KEEPALIVE" "$GUNICORN_TIMEOUT"; do
        case $value in ''|*[!0-9]*) bench_die "not a number: '$value'" ;; esac
    done
}

# The gunicorn command line shared by every server (without the app).
bench_gunicorn_args() {  # run_dir
    GUNICORN_ARGS=(--bind "127.0.0.1:$PORT" --workers "$GUNICORN_WORKERS"
        --threads "$GUNICORN_THREADS" --worker-class "$GUNICORN_WORKER_CLASS"
        --keep-alive "$GUNICORN_KEEPALIVE" --timeout "$GUNICORN_TIMEOUT"
        --no-control-socket --log-level warning
        --error-logfile "$1/gunicorn.log" --pid "$1/gunicorn.pid")
}

# MongoDB for the mongodb targets: tools/mongodb.sh's one-node replica set.
BENCH_MONGODB_URI=${BENCH_MONGODB_URI:-mongodb://127.0.0.1:27017/?replicaSet=rs0}

# Drops every database whose name starts with prefix (upstream spreads
# messages over several), so that each start begins empty.
bench_reset_mongodb() {  # python prefix
    "$1" - "$BENCH_MONGODB_URI" "$2" <<'PY' \
        || bench_die "cannot reach MongoDB at $BENCH_MONGODB_URI (tools/mongodb.sh start)"
import sys
import pymongo
client = pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=5000)
for name in client.list_database_names():
    if name.startswith(sys.argv[2]):
        client.drop_database(name)
PY
}

bench_flush_redis() {  # db
    redis-cli -h 127.0.0.1 -p 6379 -n "$1" flushdb >/dev/null \
        || bench_die "cannot flush Redis db $1 on 127.0.0.1:6379"
}

# Runs gunicorn in the foreground (action run) or as a daemon, waiting
# until GET /v2/ping answers 204 (action start).
bench_serve() {  # action run_dir gunicorn app [env assignments...]
    local action=$1 dir=$2 gunicorn=$3 app=$4
    shift 4
    bench_gunicorn_args "$dir"
    # gunicorn puts the directory it was started from on sys.path before
    # it applies --chdir: started from a checkout of this repository, the
    # upstream server would import our zaqar package instead of its own.
    cd "$dir"
    if [ "$action" = run ]; then
        exec env "$@" "$gunicorn" "${GUNICORN_ARGS[@]}" --chdir "$dir" "$app"
    fi
    if bench_running "$dir"; then
        bench_die "already running (pid $(cat "$dir/gunicorn.pid")); stop it first"
    fi
    : > "$dir/gunicorn.log"
    env "$@" "$gunicorn" "${GUNICORN_ARGS[@]}" --chdir "$dir" --daemon "$app" \
        || bench_die "gunicorn did not start; see $dir/gunicorn.log"
    local code
    for _ in $(seq 1 300); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
            -H "Client-ID: $BENCH_CLIENT_ID" -H "X-Project-ID: bench" \
            "http://127.0.0.1:$PORT/v2/ping" || true)
        if [ "$code" = 204 ]; then
            echo "serving on http://127.0.0.1:$PORT (pid $(cat "$dir/gunicorn.pid"), ${GUNICORN_WORKERS} x $GUNICORN_WORKER_CLASS, $GUNICORN_THREADS threads)"
            return 0
        fi
        sleep 0.1
    done
    tail -n 30 "$dir/gunicorn.log" >&2
    bench_stop "$dir"
    bench_die "no 204 from http://127.0.0.1:$PORT/v2/ping within 30 s"
}

bench_running() {  # run_dir
    [ -s "$1/gunicorn.pid" ] && kill -0 "$(cat "$1/gunicorn.pid")" 2>/dev/null
}

# Stops the gunicorn master recorded in the pid file (it stops its workers).
bench_stop() {  # run_dir
    local dir=$1 pid
    if ! bench_running "$dir"; then
        echo "not running"
        return 0
    fi
    pid=$(cat "$dir/gunicorn.pid")
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || { echo "stopped (pid $pid)"; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    echo "killed (pid $pid)"
}

# "user system": clock ticks of CPU used so far by the given processes
# (all their threads); missing processes count nothing.
bench_cpu_ticks() {  # pid...
    local user=0 system=0 pid fields
    for pid in "$@"; do
        fields=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || continue
        user=$((user + ${fields% *})); system=$((system + ${fields#* }))
    done
    echo "$user $system"
}
