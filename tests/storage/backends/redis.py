"""The Redis data driver on the local Redis (``tests.services.REDIS_URI``),
database 5, emptied at the start of a run that has it to itself."""

from __future__ import annotations

import atexit
import os
import time
import urllib.parse
import uuid

import redis

from tests import services
from zaqar.storage.redis import control, driver
from zaqar.storage.redis import options

DB = 5


def uri() -> str:
    """The configured Redis server, database ``DB``."""
    parts = urllib.parse.urlsplit(services.REDIS_URI)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{DB}", query=""))


_SESSIONS = b"zaqar-tests:sessions"  # hash: session -> expiry (epoch s)
_SESSION_LIFETIME = 7200


def _flush_once(client: redis.Redis) -> None:
    """FLUSHDB at the start of a run, unless another run (another
    engineer's, or a crashed one less than two hours ago) is using the
    database: every test works in a project of its own, so sharing is
    safe, but wiping another run's data is not. pytest-xdist workers of
    one run share its run id, so only the first of them flushes."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid{os.getpid()}")
    me = f"{run}/{os.getpid()}".encode()
    with client.pipeline() as pipe:
        while True:
            try:
                pipe.watch(_SESSIONS)
                now = time.time()
                sessions = pipe.hgetall(_SESSIONS)
                others = [name for name, until in sessions.items()
                          if float(until) > now
                          and name.split(b"/")[0] != run.encode()]
                mine = [name for name in sessions
                        if name.split(b"/")[0] == run.encode()]
                pipe.multi()
                if not others and not mine:
                    pipe.flushdb()
                pipe.hset(_SESSIONS, me, now + _SESSION_LIFETIME)
                pipe.execute()
                break
            except redis.WatchError:
                continue
    atexit.register(_leave, me)


def _leave(me: bytes) -> None:
    try:
        client = redis.Redis.from_url(uri(), socket_timeout=2)
        client.hdel(_SESSIONS, me)
        client.close()
    except redis.RedisError:
        pass  # the entry expires by itself


def data_driver(conf):
    target = uri()
    try:
        client = redis.Redis.from_url(target, socket_connect_timeout=1,
                                      socket_timeout=5)
        client.ping()
    except redis.RedisError as exc:
        services.unavailable(f"Redis ({target})", str(exc))
    _flush_once(client)
    client.close()
    return driver.DataDriver(conf, uri=target)


def control_driver(conf):
    """The Redis control driver in the same database, under a key
    namespace of this session's own (other runs may share the database)."""
    target = uri()
    try:
        client = redis.Redis.from_url(target, socket_connect_timeout=1,
                                      socket_timeout=5)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        services.unavailable(f"Redis ({target})", str(exc))
    conf.set_override("uri", target, group=options.MANAGEMENT_STORE_GROUP)
    return control.ControlDriver(
        conf, namespace=f"zaqar-tests:ctl:{uuid.uuid4().hex}")
