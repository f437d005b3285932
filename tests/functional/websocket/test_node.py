"""ping_node, get_home_doc and check_node_health, which upstream cannot
answer (it drops the connection): here they have the HTTP semantics."""

from __future__ import annotations

import pytest

from tests.functional.websocket.client import Client, WebsocketServer

ADMIN_RELS = {"rel/pools", "rel/pool", "rel/flavors", "rel/flavor",
              "rel/health"}


def test_ping(client):
    answer = client.call("ping_node")
    assert (answer.status, answer.body) == (204, {})


def test_home_document(client):
    answer = client.call("get_home_doc")
    assert answer.status == 200
    resources = answer.body["resources"]
    assert resources["rel/queues"]["href-template"] == (
        "/v2/queues{?marker,limit,detailed}")
    assert {"rel/messages", "rel/claim", "rel/ping"} <= set(
        resources)
    # The server under test runs with admin_mode.
    assert ADMIN_RELS <= set(resources)


def test_health(client):
    answer = client.call("check_node_health")
    assert answer.status == 200
    assert answer.body["storage_reachable"] is True
    operations = answer.body["operation_status"]
    assert "create_queue" in operations and "delete_queue" in operations
    assert all(op["succeeded"] for op in operations.values())


@pytest.mark.parametrize("action", ["ping_node", "get_home_doc",
                                    "check_node_health"])
def test_identifying_headers_required(client, action):
    answer = client.call(action, headers={"Client-ID": "c"})
    assert (answer.status, answer.body) == (
        400, {"error": "Schema validation failed."})


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory):
    """Without admin_mode: no health, no admin entries in the home doc."""
    srv = WebsocketServer(tmp_path_factory.mktemp("ws-plain")).start()
    yield srv
    srv.stop()


def test_without_admin_mode(plain_server, project):
    with Client(plain_server.url, project) as client:
        answer = client.call("check_node_health")
        assert (answer.status, answer.body) == (
            400, {"error": "check_node_health is not a valid action"})
        home = client.call("get_home_doc").body
        assert not ADMIN_RELS & set(home["resources"])
        assert client.call("ping_node").status == 204
