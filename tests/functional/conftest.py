"""Functional tests drive a real zaqar-server over HTTP.

The server runs once per storage backend (``store`` parameter); every test
gets its own project, so tests never see each other's queues. Choose the
backends with ``ZAQAR_TEST_STORES`` (comma-separated, default: all).
"""

from __future__ import annotations

import os
import uuid

import pytest
import requests
from stevedore import ExtensionManager

from tests import services
from tests.functional.receivers import WebhookReceiver
from tests.functional.server import Server

ALL_STORES = ("sqlite", "redis", "mongodb")
STORES = [s for s in os.environ.get("ZAQAR_TEST_STORES",
                                    ",".join(ALL_STORES)).split(",") if s]

CLIENT_ID = "3381af92-2b9e-11e3-b191-71861300734c"


def store_options(store: str) -> dict:
    """Server options for a backend; fails or skips when it is absent."""
    drivers = ExtensionManager("zaqar.data.storage").names()
    if store == "sqlite":
        return {}
    if store == "redis":
        if "redis" not in drivers:
            pytest.skip("the redis driver is not installed")
        host, port = "127.0.0.1", 6379
        if not services.port_open(host, port):
            services.unavailable("Redis", f"nothing listens on {host}:{port}")
        return {"drivers": {"message_store": "redis"},
                "drivers:message_store:redis": {
                    "uri": services.REDIS_URI + "/7"}}
    if store == "mongodb":
        if "mongodb" not in drivers:
            pytest.skip("the mongodb driver is not installed")
        from tests.storage.mongodb import server as mongodb
        # database() starts mongod if needed and names a database of this
        # session's own, dropped at exit.
        return {"drivers": {"message_store": "mongodb"},
                "drivers:message_store:mongodb": {
                    "uri": mongodb.URI, "database": mongodb.database()}}
    raise ValueError(store)


class Client:
    """requests with the headers every Zaqar call needs."""

    def __init__(self, base_url: str, project: str,
                 client_id: str = CLIENT_ID):
        self.base_url = base_url
        self.session = requests.Session()
        self.headers = {"Client-ID": client_id, "X-Project-ID": project}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = dict(self.headers)
        headers.update(kwargs.pop("headers", {}) or {})
        headers = {k: v for k, v in headers.items() if v is not None}
        return self.session.request(method, self.base_url + path,
                                    headers=headers, timeout=30, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def options(self, path, **kw):
        return self.request("OPTIONS", path, **kw)


@pytest.fixture(scope="session", params=STORES)
def server(request, tmp_path_factory):
    options = store_options(request.param)
    options.setdefault("DEFAULT", {})["admin_mode"] = True
    srv = Server(tmp_path_factory.mktemp(f"server-{request.param}"),
                 options).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session", params=STORES)
def legacy_server(request, tmp_path_factory):
    """A server per store that also speaks v1 and v1.1."""
    options = store_options(request.param)
    options.setdefault("DEFAULT", {}).update(
        admin_mode=True, enable_deprecated_api_versions="1,1.1")
    srv = Server(tmp_path_factory.mktemp(f"legacy-{request.param}"),
                 options).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def receiver():
    """A webhook receiver (a real HTTP server) for one test module."""
    rcv = WebhookReceiver().start()
    yield rcv
    rcv.stop()


@pytest.fixture
def project():
    return "proj-" + uuid.uuid4().hex[:12]


@pytest.fixture
def client(server, project):
    return Client(server.url, project)
