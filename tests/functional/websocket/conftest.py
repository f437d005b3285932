"""Websocket tests drive a real ``zaqar-server`` (``transport = websocket``)
with the ``websockets`` sync client.

The server runs once per storage backend (``ZAQAR_TEST_STORES``, as the
HTTP functional tests); every test gets its own project. Most tests run
twice, with JSON text frames and with MessagePack binary frames.
"""

from __future__ import annotations

import uuid

import pytest

from tests.functional.conftest import STORES, store_options
from tests.functional.websocket.client import Client, WebsocketServer


@pytest.fixture(scope="session", params=STORES)
def server(request, tmp_path_factory):
    options = store_options(request.param)
    options.setdefault("DEFAULT", {})["admin_mode"] = True
    srv = WebsocketServer(tmp_path_factory.mktemp(f"ws-{request.param}"),
                          options).start()
    yield srv
    srv.stop()


@pytest.fixture
def project() -> str:
    return "proj-" + uuid.uuid4().hex[:12]


@pytest.fixture(params=["text", "binary"])
def client(request, server, project):
    with Client(server.url, project, binary=request.param == "binary") as c:
        yield c


@pytest.fixture
def queue(client) -> str:
    """A fresh queue of the test's project."""
    name = "q-" + uuid.uuid4().hex[:8]
    assert client.call("queue_create", {"queue_name": name}).status == 201
    return name
