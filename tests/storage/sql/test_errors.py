"""Failures reach callers as storage errors; is_alive never raises."""

from __future__ import annotations

import pytest

from tests import services
from zaqar.storage import errors
from zaqar.storage.sqlalchemy import driver
from zaqar.storage.sqlalchemy.database import Database


def unreachable(kind: str) -> str:
    port = services.free_port()  # nothing listens there
    if kind == "postgresql":
        return f"postgresql+psycopg2://postgres@127.0.0.1:{port}/test"
    return f"mysql+pymysql://root@127.0.0.1:{port}/test"


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_unreachable_server_at_start(sql_conf, kind):
    with pytest.raises(errors.ConnectionError):
        driver.DataDriver(sql_conf, uri=unreachable(kind))


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_unreachable_server_later(sql_conf, kind):
    data = driver.DataDriver(sql_conf, uri=unreachable(kind),
                             options={"auto_migrate": False})
    try:
        assert data.is_alive() is False
        with pytest.raises(errors.ConnectionError):
            data.queue_controller.create("q", "p")
        with pytest.raises(errors.ConnectionError):
            data.message_controller.list("q", "p")
        with pytest.raises(errors.ConnectionError):
            data.gc()
    finally:
        data.close()


def test_unwritable_sqlite_file(sql_conf, tmp_path):
    folder = tmp_path / "file-not-folder"
    folder.write_text("")
    with pytest.raises(errors.ConnectionError):
        driver.DataDriver(sql_conf, uri=f"sqlite:///{folder}/zaqar.sqlite")


@pytest.mark.parametrize("uri", ["oracle://scott@host/db", "not a uri"])
def test_unsupported_uri(uri):
    with pytest.raises(ValueError):
        Database(uri)


@pytest.mark.parametrize("options", [{"pool_size": 0}, {"pool_size": "5"},
                                     {"busy_timeout": True},
                                     {"auto_migrate": "yes"}])
def test_bad_pool_options(sql_conf, options):
    with pytest.raises(ValueError, match="pool option"):
        driver.DataDriver(sql_conf, options=options)


def test_pool_options_override_and_unknown_keys_are_ignored(sql_conf):
    data = driver.DataDriver(sql_conf, options={"pool_size": 2,
                                                "database": "zaqar"})
    try:
        assert data.database.engine.pool.size() == 2
    finally:
        data.close()
