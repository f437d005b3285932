"""Authentication: none without a strategy; an unknown strategy stops
the server instead of serving unauthenticated (keystone: see
tests/functional/keystone/test_websocket.py)."""

from __future__ import annotations

import pytest

from tests.functional.websocket.client import WebsocketServer


def test_headers_are_taken_as_given(client):
    other = dict(client.headers, **{"X-Project-ID": "someone-else"})
    client.call("queue_create", {"queue_name": "mine"})
    assert client.call("queue_list", headers=other).body == {"queues": []}
    assert client.call("queue_list").body == {"queues": [{"name": "mine"}]}


def test_unsupported_strategy_refuses_to_start(tmp_path):
    server = WebsocketServer(tmp_path, {"DEFAULT": {
        "auth_strategy": "ldap"}})
    with pytest.raises(RuntimeError) as info:
        server.start(timeout=30)
    assert "Unknown auth_strategy 'ldap'" in str(info.value)
