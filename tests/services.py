"""Reaching the real services tests need, and failing or skipping clearly.

With ``ZAQAR_TEST_REQUIRE_SERVICES=1`` (CI) a missing service fails the test;
on a laptop without it the test is skipped with the reason.
"""

from __future__ import annotations

import os
import socket

import pytest

REQUIRE = os.environ.get("ZAQAR_TEST_REQUIRE_SERVICES", "") not in (
    "", "0", "false", "no")

POSTGRES_URI = os.environ.get(
    "ZAQAR_TEST_POSTGRES_URI", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
MYSQL_URI = os.environ.get(
    "ZAQAR_TEST_MYSQL_URI", "mysql+pymysql://root@127.0.0.1:3306/test")
REDIS_URI = os.environ.get("ZAQAR_TEST_REDIS_URI", "redis://127.0.0.1:6379")


def unavailable(what: str, why: str) -> None:
    """Fail (CI) or skip (laptop) a test whose service cannot be reached."""
    message = f"{what} is not reachable: {why}"
    if REQUIRE:
        pytest.fail(message + " (ZAQAR_TEST_REQUIRE_SERVICES is set)")
    pytest.skip(message)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pid_alive(pid: int) -> bool:
    """Whether a process of that id exists (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
