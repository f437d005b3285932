"""Connection failures: is_alive never raises, failures surface as
zaqar.storage.errors.ConnectionError, and operations retried across a
server restart succeed (scripts are loaded again on the new server)."""

from __future__ import annotations

import threading

import pytest

from tests import services
from tests.storage import helpers
from tests.storage.backends import redis as backend
from tests.storage.redis import server
from tests.storage.redis.conftest import make_conf
from zaqar.storage import errors
from zaqar.storage.redis import driver


def _closed_port_uri() -> str:
    return f"redis://127.0.0.1:{services.free_port()}"


def test_is_alive_is_false_when_unreachable():
    drv = driver.DataDriver(make_conf(), uri=_closed_port_uri(),
                            options={"max_reconnect_attempts": 0})
    assert drv.is_alive() is False
    drv.close()


@pytest.mark.parametrize("attempts", [0, 2])
def test_unreachable_server_is_a_connection_error(attempts):
    drv = driver.DataDriver(make_conf(), uri=_closed_port_uri(),
                            options={"max_reconnect_attempts": attempts,
                                     "reconnect_sleep": 0.01})
    with pytest.raises(errors.ConnectionError):
        drv.queue_controller.create("q", "p")
    with pytest.raises(errors.ConnectionError):
        drv.message_controller.post("q", [{"body": 1, "ttl": 60}], "p", None)
    with pytest.raises(errors.ConnectionError):
        drv.message_controller.pop("q", 1, "p")
    with pytest.raises(errors.ConnectionError):
        drv.gc()
    drv.close()


def test_wrong_password_is_a_connection_error(redis_driver):
    uri = backend.uri().replace("redis://", "redis://nobody:wrong@")
    drv = driver.DataDriver(make_conf(), uri=uri,
                            options={"max_reconnect_attempts": 3,
                                     "reconnect_sleep": 0.01})
    with pytest.raises(errors.ConnectionError, match="credentials"):
        drv.queue_controller.count("p")
    drv.close()


def test_operations_survive_a_server_restart(tmp_path, project):
    srv = server.Server(tmp_path / "restart")
    srv.start()
    drv = driver.DataDriver(make_conf(),
                            uri=f"redis://127.0.0.1:{srv.port}",
                            options={"max_reconnect_attempts": 100,
                                     "reconnect_sleep": 0.05})
    try:
        helpers.post(drv.message_controller, "q", project)
        assert drv.is_alive()
        srv.stop()
        assert drv.is_alive() is False
        restarter = threading.Timer(0.3, srv.start)
        restarter.start()
        # Retried until the server is back; the new server has neither
        # the data (nothing is saved) nor the scripts.
        posted = helpers.post(drv.message_controller, "q", project,
                              count=2)
        restarter.join()
        assert helpers.ids(drv.message_controller.list("q", project)) \
            == posted
        assert drv.queue_controller.stats("q", project)["total"] == 2
    finally:
        drv.close()
        srv.stop()
