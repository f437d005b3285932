"""Fixtures of the MongoDB-specific tests: drivers on the session's
private database of the real replica-set mongod, and a throw-away
standalone mongod for the deployment checks."""

from __future__ import annotations

import pytest
from oslo_config import cfg

from tests import services
from tests.storage.mongodb import server
from zaqar.common import configs
from zaqar.storage.mongodb import driver
from zaqar.storage.mongodb import options


def make_conf(uri: str, database: str, **defaults) -> cfg.ConfigOpts:
    conf = configs.register(cfg.ConfigOpts())
    conf([], project="zaqar", default_config_files=[])
    for group in (options.MESSAGE_STORE_GROUP,
                  options.MANAGEMENT_STORE_GROUP):
        conf.set_override("uri", uri, group=group)
        conf.set_override("database", database, group=group)
    for name, value in defaults.items():
        conf.set_override(name, value)
    return conf


@pytest.fixture(scope="session")
def mongo_conf():
    return make_conf(server.URI, server.database())


@pytest.fixture(scope="session")
def mongo_driver(mongo_conf):
    drv = driver.DataDriver(mongo_conf)
    yield drv
    drv.close()


@pytest.fixture(scope="session")
def mongo_control(mongo_conf):
    ctl = driver.ControlDriver(mongo_conf)
    yield ctl
    ctl.close()


class Standalone:
    """A standalone mongod (no replica set) on a free port of its own."""

    def __init__(self, home):
        self.home = home
        self.port = services.free_port()
        self.uri = (f"mongodb://127.0.0.1:{self.port}/"
                    "?serverSelectionTimeoutMS=2000")

    def start(self) -> None:
        result = server.script("start", self.port, "", home=self.home)
        if result.returncode != 0:
            services.unavailable("standalone mongod",
                                 (result.stderr or result.stdout)[-2000:])

    def stop(self) -> None:
        result = server.script("stop", self.port, "", home=self.home)
        assert result.returncode == 0, result.stderr


@pytest.fixture
def standalone(tmp_path):
    server.ensure_running()  # installs the shared mongod binary if needed
    mongod = Standalone(tmp_path / "standalone")
    mongod.start()
    yield mongod
    mongod.stop()
