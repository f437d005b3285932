"""Fixtures of the SQL driver's own tests: empty databases of each kind."""

from __future__ import annotations

import pytest
from oslo_config import cfg

from tests.storage import sqldb
from zaqar.common import configs

KINDS = ("sqlite", "postgresql", "mysql")


@pytest.fixture(params=KINDS)
def empty_uri(request, tmp_path) -> str:
    """The URI of a database with no tables at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/zaqar.sqlite"
    if request.param == "postgresql":
        return sqldb.private_postgresql().uri()
    return sqldb.private_mysql().uri()


@pytest.fixture
def sql_conf(tmp_path):
    """A configuration whose state_path is a fresh folder."""
    conf = configs.register(cfg.ConfigOpts())
    conf([], project="zaqar", default_config_files=[])
    conf.set_override("state_path", str(tmp_path / "state"))
    yield conf
    conf.reset()
