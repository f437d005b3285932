"""The real mongod the MongoDB tests use.

``ZAQAR_TEST_MONGODB_URI`` (default a one-node replica set ``rs0`` on
127.0.0.1:27017) names it; when nothing answers there and the host is this
machine, ``tools/mongodb.sh start`` installs and starts it. Each test
session works in a database of its own, created fresh and dropped at exit;
databases left by sessions whose process is gone are dropped at start.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import pathlib
import re
import subprocess
import sys
import urllib.parse
import uuid

import pymongo

from tests import services

URI = os.environ.get("ZAQAR_TEST_MONGODB_URI",
                     "mongodb://127.0.0.1:27017/?replicaSet=rs0")

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tools" / "mongodb.sh"
HOME = ROOT / ".services" / "mongodb"
PKG = HOME / "pkg"

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_DB_NAME = re.compile(r"zaqar_test_(\d+)_[0-9a-f]{8}")


def host_port(uri: str) -> tuple[str, int]:
    """The first host of a mongodb:// URI."""
    netloc = urllib.parse.urlsplit(uri).netloc.rsplit("@", 1)[-1]
    first = netloc.split(",")[0]
    if first.startswith("["):
        host, _, rest = first[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = first.partition(":")
    return host, int(port or 27017)


def replica_set(uri: str) -> str:
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(uri).query))
    return query.get("replicaSet", "")


def script(action: str, port: int, replset: str,
           home: pathlib.Path | None = None
           ) -> subprocess.CompletedProcess:
    """Run tools/mongodb.sh; the wheel is shared between all servers."""
    env = dict(os.environ, MONGODB_PORT=str(port), MONGODB_REPLSET=replset,
               MONGODB_HOME=str(home or HOME), MONGODB_PKG=str(PKG),
               PYTHON=sys.executable)
    return subprocess.run(["bash", str(SCRIPT), action], env=env,
                          capture_output=True, text=True, timeout=300)


@contextlib.contextmanager
def _start_lock():
    """One starter at a time (pytest-xdist workers share the server)."""
    HOME.mkdir(parents=True, exist_ok=True)
    with open(HOME / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_running(uri: str = URI) -> None:
    """Start the server named by ``uri`` unless it answers already; calls
    ``services.unavailable`` when that is impossible."""
    host, port = host_port(uri)
    with _start_lock():
        if services.port_open(host, port):
            return
        if host not in _LOCAL_HOSTS:
            services.unavailable("MongoDB", f"nothing answers on {host}:{port}")
        try:
            result = script("start", port, replica_set(uri))
        except (OSError, subprocess.SubprocessError) as exc:
            services.unavailable("MongoDB", f"tools/mongodb.sh failed: {exc}")
        if result.returncode != 0:
            services.unavailable(
                "MongoDB", "tools/mongodb.sh start failed: "
                + (result.stderr or result.stdout).strip()[-2000:])


_database: str | None = None


def database(uri: str = URI) -> str:
    """The name of this session's private database (made on first use)."""
    global _database
    if _database is not None:
        return _database
    ensure_running(uri)
    name = f"zaqar_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000)
    try:
        for old in client.list_database_names():
            match = _DB_NAME.fullmatch(old)
            if match and not services.pid_alive(int(match.group(1))):
                client.drop_database(old)
        client.drop_database(name)
    except pymongo.errors.PyMongoError as exc:
        services.unavailable("MongoDB", str(exc))
    finally:
        client.close()
    atexit.register(_drop, uri, name)
    _database = name
    return name


def _drop(uri: str, name: str) -> None:
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=2000)
    try:
        client.drop_database(name)
    except pymongo.errors.PyMongoError:
        pass  # dropped by the next session (this process is gone)
    finally:
        client.close()
