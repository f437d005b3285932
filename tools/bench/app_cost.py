"""CPU per request of the mix's operations through our WSGI app alone, in
one thread, with no HTTP server: what the application costs, apart from
gunicorn (compare with ``floor.sh`` and the mix's server CPU per request).

    /work/venv/bin/python tools/bench/app_cost.py [redis|mongodb|sqlite] [N]

On Redis it uses database 4 of 127.0.0.1:6379 (flushed first); on MongoDB
the databases zaqar_app_cost_* at BENCH_MONGODB_URI (default
tools/mongodb.sh's replica set; dropped first); on SQLite a new database
under /tmp. Each line is the process CPU time (user and
system) per request, averaged over N requests (default 2000; claims N/10).
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
import typing
import uuid

CLIENT_ID = str(uuid.uuid4())


def _configure(store: str) -> None:
    state = tempfile.mkdtemp(prefix="zaqar-app-cost-")
    conf = os.path.join(state, "zaqar.conf")
    lines = ["[DEFAULT]", f"state_path = {state}"]
    if store == "redis":
        import redis
        redis.Redis(db=4).flushdb()
        uri = "redis://127.0.0.1:6379/4"
        # As tools/bench/ours.sh: both stores on Redis.
        lines += ["[drivers]", "message_store = redis",
                  "management_store = redis",
                  "[drivers:message_store:redis]", f"uri = {uri}",
                  "[drivers:management_store:redis]", f"uri = {uri}"]
    elif store == "mongodb":
        import pymongo
        uri = os.environ.get("BENCH_MONGODB_URI",
                             "mongodb://127.0.0.1:27017/?replicaSet=rs0")
        client = pymongo.MongoClient(uri)
        lines += ["[drivers]", "message_store = mongodb",
                  "management_store = mongodb"]
        for group in ("message", "management"):
            client.drop_database(f"zaqar_app_cost_{group}")
            lines += [f"[drivers:{group}_store:mongodb]", f"uri = {uri}",
                      f"database = zaqar_app_cost_{group}"]
    with open(conf, "w") as out:
        out.write("\n".join(lines) + "\n")
    os.environ["ZAQAR_CONFIG_FILE"] = conf


def _caller(app: typing.Callable) -> typing.Callable:
    def call(method: str, path: str, body: typing.Any = None,
             query: str = "") -> tuple[str, bytes]:
        raw = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path,
            "QUERY_STRING": query, "SERVER_NAME": "bench",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(raw),
            "wsgi.errors": sys.stderr, "REMOTE_ADDR": "127.0.0.1",
            "HTTP_CLIENT_ID": CLIENT_ID, "HTTP_X_PROJECT_ID": "bench",
            "HTTP_ACCEPT": "application/json"}
        if raw:
            environ["CONTENT_LENGTH"] = str(len(raw))
            environ["CONTENT_TYPE"] = "application/json"
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = status

        content = b"".join(app(environ, start_response))
        return answer["status"], content

    return call


def _timed(name: str, operation: typing.Callable[[], None], n: int) -> None:
    started = time.process_time()
    for _ in range(n):
        operation()
    micros = (time.process_time() - started) / n * 1e6
    print(f"{name:7s} {micros:8.1f} us/request ({n} requests)")


def main() -> None:
    store = sys.argv[1] if len(sys.argv) > 1 else "redis"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    if store not in ("redis", "mongodb", "sqlite"):
        sys.exit("store must be redis, mongodb or sqlite")
    _configure(store)
    from zaqar.transport.wsgi.app import app
    call = _caller(app)

    def expect(status: str, answer: tuple[str, bytes]) -> bytes:
        if not answer[0].startswith(status):
            sys.exit(f"expected {status}, got {answer[0]}: {answer[1][:200]}")
        return answer[1]

    expect("201", call("PUT", "/v2/queues/cost"))
    posted = {"messages": [{"body": "x" * 100, "ttl": 300}] * 10}
    claimed: list[str] = []

    def claim() -> None:
        body = expect("201", call("POST", "/v2/queues/cost/claims",
                                  {"ttl": 60, "grace": 60}, "limit=10"))
        claimed.extend(m["href"] for m in json.loads(body)["messages"])

    def delete() -> None:
        path, _, query = claimed.pop().partition("?")
        expect("204", call("DELETE", path, query=query))

    _timed("ping", lambda: expect("204", call("GET", "/v2/ping")), n)
    _timed("post", lambda: expect("201", call(
        "POST", "/v2/queues/cost/messages", posted)), n)
    _timed("list", lambda: expect("200", call(
        "GET", "/v2/queues/cost/messages", query="limit=10&echo=true")), n)
    _timed("claim", claim, max(1, n // 10))
    _timed("delete", delete, min(n, len(claimed)))


if __name__ == "__main__":
    main()
