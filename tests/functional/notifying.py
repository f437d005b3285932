"""Servers that deliver notifications, and assertions the subscription,
notification and topic tests share.

A notifying server runs the notifier stage and looks for pending
deliveries often, so tests are quick. On Redis and MongoDB it uses a
database of its own (db 8, ``zaqar_notifications``): its internal delivery
queue then holds only the jobs of these tests.
"""

from __future__ import annotations

import atexit
import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
import typing
import uuid

import pymongo
import requests

from tests.functional.conftest import store_options
from tests.functional.server import Server
from tests import services

NOTIFIER = "zaqar.notification.notifier"
SECRET = "notification-tests-secret"
# Databases of the private Redis: one shared by the notifying servers that
# deliver alike, and one for each server that needs a store of its own.
SHARED_REDIS_DB = 8
CLIENT_SUITE_REDIS_DB, TEMPEST_REDIS_DB = 10, 11
COMMAND_REDIS_DB, TLS_REDIS_DB, CRASH_REDIS_DB, PAIR_REDIS_DB = 12, 13, 14, 15


def scratch_mongodb_database() -> str:
    """A database of its own for one server, dropped when the session
    ends (or by a later session: the name says whose it was)."""
    from tests.storage.mongodb import server as mongodb
    name = f"zaqar_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    def drop() -> None:
        client = pymongo.MongoClient(mongodb.URI,
                                     serverSelectionTimeoutMS=2000)
        try:
            client.drop_database(name)
        except pymongo.errors.PyMongoError:
            pass
        finally:
            client.close()

    atexit.register(drop)
    return name


class _PrivateRedis:
    """A redis-server of this test process alone (started on first use,
    stopped at exit), so that concurrent test runs and pytest-xdist
    workers never perform each other's deliveries."""

    def __init__(self):
        self.port: int | None = None

    def uri(self) -> str:
        if self.port is None:
            self._start()
        return f"redis://127.0.0.1:{self.port}"

    def _start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            services.unavailable("redis-server", "the binary is not installed")
        port = services.free_port()
        workdir = pathlib.Path(tempfile.mkdtemp(prefix="zaqar-notify-redis-"))
        pidfile = workdir / "redis.pid"
        result = subprocess.run(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "yes", "--pidfile",
             str(pidfile), "--dir", str(workdir), "--logfile",
             str(workdir / "redis.log")],
            capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            services.unavailable("redis-server", result.stderr.strip())
        deadline = time.monotonic() + 10
        while not services.port_open("127.0.0.1", port):
            if time.monotonic() > deadline:
                services.unavailable("redis-server", "it did not start")
            time.sleep(0.05)
        atexit.register(self._stop, pidfile, workdir)
        self.port = port

    @staticmethod
    def _stop(pidfile: pathlib.Path, workdir: pathlib.Path) -> None:
        try:
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
        except (OSError, ValueError):
            pass
        shutil.rmtree(workdir, ignore_errors=True)


_redis = _PrivateRedis()


def private_store_options(store: str, redis_db: int,
                          own_mongodb: bool = True) -> dict:
    """``store_options(store)`` on storage no other test process uses:
    database ``redis_db`` of this process's own Redis and, with
    ``own_mongodb``, a fresh MongoDB database (SQLite servers always have
    their own file)."""
    options = store_options(store)
    if store == "redis":
        options["drivers:message_store:redis"]["uri"] = \
            f"{_redis.uri()}/{redis_db}"
    if store == "mongodb" and own_mongodb:
        options["drivers:message_store:mongodb"]["database"] = \
            scratch_mongodb_database()
    return options


def options(store: str, own_store: int | None = None,
            **groups: dict) -> dict:
    """Options of a notifying server on ``store`` plus ``groups``.

    Any server of a store may perform any delivery recorded in it, so
    servers that share a store must deliver alike (same SMTP settings).
    A server that delivers differently, or whose own deliveries a test
    follows, gets a store of its own with ``own_store``: that Redis
    database number, or a fresh MongoDB database (SQLite servers always
    have their own file).
    """
    merged = private_store_options(store, own_store or SHARED_REDIS_DB,
                                   own_mongodb=own_store is not None)
    merged.setdefault("storage", {})["message_pipeline"] = NOTIFIER
    merged.setdefault("notification", {}).update(
        delivery_poll_interval=0.2, delivery_timeout=5)
    for group, values in groups.items():
        merged.setdefault(group, {}).update(values)
    return merged


def start(workdir: pathlib.Path, store: str, own_store: int | None = None,
          **groups: dict) -> Server:
    return Server(workdir, options(store, own_store, **groups)).start()


# -- assertions --------------------------------------------------------------

def expect(resp: requests.Response, status: int,
           body: typing.Any = None,
           headers: dict[str, str | None] | None = None) -> None:
    """Status, JSON body (exact text when a string, parsed otherwise) and
    headers (None: absent)."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    if status == 204:
        assert resp.content == b""
    if status >= 400:
        assert resp.headers.get("vary") == "Accept", resp.headers
    if body is not None:
        assert resp.headers.get("content-type") == "application/json"
        if isinstance(body, str):
            assert resp.text == body, f"\n got: {resp.text}\nwant: {body}"
        else:
            assert resp.json() == body
    for name, value in (headers or {}).items():
        assert resp.headers.get(name) == value, (name, resp.headers)


def expect_error(resp: requests.Response, status: int, title: str,
                 description: str, headers: dict | None = None) -> None:
    expect(resp, status, json.dumps({"title": title,
                                     "description": description},
                                    ensure_ascii=False), headers)


def invalid(resp: requests.Response, description: str) -> None:
    expect_error(resp, 400, "Invalid API request", description)


def quiet_for(seconds: float, check: typing.Callable[[], typing.Any],
              expected: typing.Any) -> None:
    """``check()`` keeps returning ``expected`` for ``seconds`` (nothing
    more arrives)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert check() == expected
        time.sleep(0.1)
