"""Fixtures of the Redis-specific tests: a driver on the contract suite's
database (5) whose keys expire without the safety margin, and a raw
client to look at the keys themselves."""

from __future__ import annotations

import pytest
import redis
from oslo_config import cfg

from tests.storage.backends import redis as backend
from zaqar.common import configs
from zaqar.storage.redis import driver
from zaqar.storage.redis import keys


def make_conf() -> cfg.ConfigOpts:
    conf = configs.register(cfg.ConfigOpts())
    conf([], project="zaqar", default_config_files=[])
    return conf


@pytest.fixture(scope="session")
def redis_conf():
    return make_conf()


@pytest.fixture(scope="session")
def redis_driver(redis_conf):
    # backend.data_driver checks reachability and empties the database
    # once per run; the driver used here expires keys with no margin.
    backend.data_driver(redis_conf).close()
    drv = driver.DataDriver(redis_conf, uri=backend.uri(),
                            options={"key_expiry_margin": 0})
    yield drv
    drv.close()


@pytest.fixture(scope="session")
def raw(redis_driver):
    client = redis.Redis.from_url(backend.uri())
    yield client
    client.close()


def project_keys(client: redis.Redis, project: str | None) -> list[bytes]:
    """Every key of ``project`` (glob characters in the id escaped)."""
    prefix = keys.project_prefix(project)
    pattern = b"".join(b"\\" + bytes([c]) if c in b"*?[]\\" else bytes([c])
                       for c in prefix) + b":*"
    found = sorted(client.scan_iter(match=pattern, count=1000))
    return [k for k in found if k.startswith(prefix + b":")]
