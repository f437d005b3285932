"""The driver's command path (``connection.Link`` and ``scripts``):
idle connections the server closed are replaced without an error or a
retry pause, scripts the server forgot are sent again, pipelines keep
replies in order, and arguments are encoded exactly."""

from __future__ import annotations

import gc
import os
import resource
import time

import pytest
from redis import exceptions as redis_errors

from tests import services
from tests.storage import helpers
from tests.storage.backends import redis as backend
from tests.storage.redis.conftest import make_conf
from zaqar.storage.redis import connection
from zaqar.storage.redis import driver


@pytest.fixture
def slow_retry_driver(redis_driver):
    # A retry would pause 30 s: a test that finishes quickly saw none.
    drv = driver.DataDriver(make_conf(), uri=backend.uri(),
                            options={"reconnect_sleep": 30,
                                     "max_reconnect_attempts": 1})
    yield drv
    drv.close()


def _kill_clients(raw, name: bytes) -> int:
    killed = 0
    for client in raw.client_list():
        if client.get("name") == name.decode():
            raw.client_kill_filter(_id=client["id"])
            killed += 1
    return killed


def test_idle_connections_closed_by_the_server_are_replaced(
        slow_retry_driver, raw, project):
    drv = slow_retry_driver
    posted = helpers.post(drv.message_controller, "q", project, count=3)
    # Name the driver's idle connections, then have the server drop them.
    for _ in range(3):
        drv.link.execute(b"CLIENT", b"SETNAME", b"zaqar-link-test")
    assert _kill_clients(raw, b"zaqar-link-test") >= 1
    started = time.monotonic()
    assert helpers.ids(drv.message_controller.list("q", project)) == posted
    assert drv.queue_controller.get_metadata("q", project) == {}
    assert time.monotonic() - started < 10


def test_forgotten_scripts_are_sent_again(slow_retry_driver, raw, project):
    drv = slow_retry_driver
    raw.script_flush()
    started = time.monotonic()
    posted = helpers.post(drv.message_controller, "q", project, count=2)
    assert helpers.ids(drv.message_controller.list("q", project)) == posted
    raw.script_flush()
    drv.gc()  # the gc scripts run in a pipeline
    assert helpers.ids(drv.message_controller.list("q", project)) == posted
    assert time.monotonic() - started < 10


def test_pipeline_keeps_order_and_returns_error_replies(redis_driver, raw,
                                                        project):
    key = f"zaqar-link-test:{project}".encode()
    raw.set(key, b"text")
    try:
        replies = redis_driver.link.pipeline([
            (b"GET", key), (b"HGET", key, b"f"), (b"STRLEN", key)])
        assert replies[0] == b"text"
        assert isinstance(replies[1], redis_errors.ResponseError)
        assert replies[2] == 4
        # The connection is still usable after the error reply.
        assert redis_driver.link.execute(b"GET", key) == b"text"
        with pytest.raises(redis_errors.ResponseError):
            redis_driver.link.execute(b"HGET", key, b"f")
        assert redis_driver.link.execute(b"STRLEN", key) == 4
    finally:
        raw.delete(key)


def test_arguments_are_encoded_exactly():
    assert connection.pack([b"SET", "k\u00e9", 12, -3, 0.5]) == (
        b"*5\r\n$3\r\nSET\r\n$3\r\nk\xc3\xa9\r\n$2\r\n12\r\n$2\r\n-3\r\n"
        b"$3\r\n0.5\r\n")
    # Lone surrogates pass, as everywhere in the driver's keys.
    assert connection.pack(["\ud800"]) == b"*1\r\n$3\r\n\xed\xa0\x80\r\n"
    for bad in (True, None, [1], {"a": 1}):
        with pytest.raises(TypeError):
            connection.pack([b"SET", bad])


def test_unreachable_server_fails_every_path():
    drv = driver.DataDriver(
        make_conf(), uri=f"redis://127.0.0.1:{services.free_port()}",
        options={"max_reconnect_attempts": 0})
    try:
        with pytest.raises(redis_errors.ConnectionError):
            drv.link.execute(b"PING")
        with pytest.raises(redis_errors.ConnectionError):
            drv.link.pipeline([(b"PING",), (b"PING",)])
    finally:
        drv.close()


def test_connections_numbered_past_select_limit(redis_driver, project):
    """The idle check works for any descriptor number (select() stops
    at 1024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1100
    if soft < wanted + 100:
        if hard != resource.RLIM_INFINITY and hard < wanted + 100:
            pytest.skip(f"the file descriptor limit ({hard}) is too low")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted + 100, hard))
    fillers: list[int] = []

    def take_low_numbers() -> None:
        # os.open hands out the lowest free number: fill up to 1024.
        fillers.append(os.open(os.devnull, os.O_RDONLY))
        while fillers[-1] < 1024:
            fillers.append(os.open(os.devnull, os.O_RDONLY))

    try:
        # Earlier tests' sockets, closed by the collector or by their
        # threads meanwhile, can hand a low number back to the driver's
        # socket: then fill again and start over.
        for attempt in range(3):
            queue = f"q{attempt}"
            gc.collect()
            take_low_numbers()
            drv = driver.DataDriver(make_conf(), uri=backend.uri())
            try:
                posted = helpers.post(drv.message_controller, queue, project)
                # The second command reuses the idle connection, checked
                # first.
                assert helpers.ids(drv.message_controller.list(
                    queue, project)) == posted
                number = drv.link._idle[0]._sock.fileno()
            finally:
                drv.close()
            if number >= 1024:
                break
        assert number >= 1024
    finally:
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
