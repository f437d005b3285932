"""The driver contract suite runs every test against every backend.

A backend is a module in ``tests/storage/backends/`` that defines::

    def data_driver(conf) -> DataDriverBase      # may call services.unavailable
    def control_driver(conf) -> ControlDriverBase | None

Drivers are built once per session and backend; each test works in a
project of its own (``project`` fixture), so tests never see each other's
queues. Control-plane tests get the control driver emptied first.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid

import pytest
from oslo_config import cfg

from tests.storage import backends as _backends_pkg
from zaqar.common import configs

BACKENDS = sorted(m.name for m in pkgutil.iter_modules(_backends_pkg.__path__))


def _session_conf(tmp_path_factory) -> cfg.ConfigOpts:
    conf = configs.register(cfg.ConfigOpts())
    state = tmp_path_factory.mktemp("state")
    conf([], project="zaqar", default_config_files=[])
    conf.set_override("state_path", str(state))
    return conf


@pytest.fixture(scope="session")
def storage_conf(tmp_path_factory):
    return _session_conf(tmp_path_factory)


_built: dict[str, tuple] = {}


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, storage_conf):
    """The backend module under test (session-wide, one param per backend)."""
    return importlib.import_module(f"tests.storage.backends.{request.param}")


@pytest.fixture
def driver(backend, storage_conf):
    name = backend.__name__
    if name not in _built or _built[name][0] is None:
        _built[name] = (backend.data_driver(storage_conf), None)
    return _built[name][0]


@pytest.fixture
def control(backend, storage_conf):
    key = backend.__name__ + ":control"
    if key not in _built:
        ctl = backend.control_driver(storage_conf)
        if ctl is None:
            pytest.skip(f"{backend.__name__} has no control plane")
        _built[key] = (ctl, None)
    ctl = _built[key][0]
    ctl.catalogue_controller.drop_all()
    ctl.flavors_controller.drop_all()
    ctl.pools_controller.drop_all()
    return ctl


@pytest.fixture
def project():
    return "proj-" + uuid.uuid4().hex[:12]


@pytest.fixture
def queues(driver):
    return driver.queue_controller


@pytest.fixture
def messages(driver):
    return driver.message_controller


@pytest.fixture
def claims(driver):
    return driver.claim_controller


@pytest.fixture
def subscriptions(driver):
    return driver.subscription_controller


def pytest_sessionfinish(session, exitstatus):
    for drv, _ in _built.values():
        if drv is not None:
            drv.close()
