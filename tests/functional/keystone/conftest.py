"""Functional tests against a real Keystone (``tools/keystone.sh``).

One keystone for the session (started when it does not answer; fails or
skips through ``tests.services.unavailable`` when it cannot be), and
zaqar-servers with ``auth_strategy = keystone`` validating tokens as
service user ``zaqar`` with keystonemiddleware's cache off, so revoked
tokens are refused at once. Auth does not depend on the store: these
servers use the embedded SQLite store.
"""

from __future__ import annotations

import pytest

from tests import keystone
from tests.functional.conftest import Client
from tests.functional.server import Server
from tests.functional.websocket.client import WebsocketServer

SECRET = "keystone-suite-secret"


@pytest.fixture(scope="session")
def identity() -> keystone.Identity:
    return keystone.ensure_running()


def keystone_options(identity: keystone.Identity) -> dict:
    return {"DEFAULT": {"auth_strategy": "keystone", "admin_mode": True},
            "signed_url": {"secret_key": SECRET},
            "keystone_authtoken": keystone.authtoken_options(identity)}


@pytest.fixture(scope="session")
def ks_server(identity, tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("ks-http"),
                 keystone_options(identity)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def ks_websocket(identity, tmp_path_factory):
    srv = WebsocketServer(tmp_path_factory.mktemp("ks-ws"),
                          keystone_options(identity)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def demo_token(identity) -> keystone.Token:
    return identity.token("demo")


@pytest.fixture(scope="session")
def admin_token(identity) -> keystone.Token:
    return identity.token("admin")


class TokenClient(Client):
    """A Client that authenticates with a token instead of naming the
    project."""

    def __init__(self, base_url: str, token: str | None):
        super().__init__(base_url, "unused")
        del self.headers["X-Project-ID"]
        if token is not None:
            self.headers["X-Auth-Token"] = token


@pytest.fixture
def demo(ks_server, demo_token) -> TokenClient:
    return TokenClient(ks_server.url, demo_token.id)


@pytest.fixture
def admin(ks_server, admin_token) -> TokenClient:
    return TokenClient(ks_server.url, admin_token.id)
