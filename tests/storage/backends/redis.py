"""The Redis data driver on the local Redis (``tests.services.REDIS_URI``),
database 5, emptied once per test run. Redis has no control plane here."""

from __future__ import annotations

import os
import urllib.parse

import redis

from tests import services
from zaqar.storage.redis import driver

DB = 5


def uri() -> str:
    """The configured Redis server, database ``DB``."""
    parts = urllib.parse.urlsplit(services.REDIS_URI)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{DB}", query=""))


def _flush_once(client: redis.Redis) -> None:
    """FLUSHDB at the start of a run; with pytest-xdist only the first
    worker to arrive flushes (the run id marks it), so workers never wipe
    each other's data."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
    marker = b"zaqar-tests:run"
    with client.pipeline() as pipe:
        while True:
            try:
                pipe.watch(marker)
                if pipe.get(marker) == run.encode():
                    return
                pipe.multi()
                pipe.flushdb()
                pipe.set(marker, run)
                pipe.execute()
                return
            except redis.WatchError:
                continue


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
    return None
