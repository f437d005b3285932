"""End to end: a message posted over HTTP reaches a subscribed websocket
connection through the notifier (``[storage] message_pipeline =
zaqar.notification.notifier``) and the websocket server's listener.

An HTTP server and a websocket server share one SQLite database; the
notifier of the HTTP server posts to the subscriber URL the websocket
server stored for the connection.
"""

from __future__ import annotations

import uuid

import pytest

from tests.functional.conftest import CLIENT_ID
from tests.functional.conftest import Client as HttpClient
from tests.functional.server import Server
from tests.functional.websocket.client import Client, WebsocketServer

pytest.importorskip("zaqar.notification.notifier")

DELIVERY_SECONDS = 1.0


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    shared = tmp_path_factory.mktemp("notifier-state")
    options = {"DEFAULT": {"state_path": str(shared)},
               "storage": {"message_pipeline": "zaqar.notification.notifier"}}
    http = Server(tmp_path_factory.mktemp("notifier-http"), options)
    websocket = WebsocketServer(tmp_path_factory.mktemp("notifier-ws"),
                                options)
    # The first server creates the schema; start them one after the other.
    http.start()
    try:
        websocket.start()
    except Exception:
        http.stop()
        raise
    yield http, websocket
    websocket.stop()
    http.stop()


@pytest.mark.parametrize("binary", [False, True])
def test_message_posted_over_http_is_pushed(servers, binary):
    http, websocket = servers
    project = "proj-" + uuid.uuid4().hex[:12]
    with Client(websocket.url, project, binary=binary) as client:
        answer = client.call("subscription_create", {"queue_name": "live",
                                                     "ttl": 600})
        assert answer.status == 201, answer.body

        poster = HttpClient(http.url, project, client_id=CLIENT_ID)
        response = poster.post("/v2/queues/live/messages", json={
            "messages": [{"body": {"event": "one"}, "ttl": 120}]})
        assert response.status_code == 201, response.text

        document, was_binary = client.receive(timeout=DELIVERY_SECONDS)
        assert was_binary == binary
        assert document == {"ttl": 120, "body": {"event": "one"},
                            "Message_Type": "Notification",
                            "queue_name": "live"}


def test_message_posted_over_websocket_is_pushed(servers):
    _, websocket = servers
    project = "proj-" + uuid.uuid4().hex[:12]
    with Client(websocket.url, project) as client:
        client.call("subscription_create", {"queue_name": "echoed"})
        client.send(client.encode({
            "action": "message_post", "headers": client.headers,
            "body": {"queue_name": "echoed",
                     "messages": [{"body": "a"}, {"body": "b"}]}}))
        # The reply and the two pushed frames come in any order.
        frames = [client.receive(timeout=DELIVERY_SECONDS)[0]
                  for _ in range(3)]
        [reply] = [f for f in frames if "request" in f]
        assert reply["headers"] == {"status": 201}
        pushed = sorted((f for f in frames if "request" not in f),
                        key=lambda f: f["body"])
        assert pushed == [
            {"ttl": 3600, "body": "a", "Message_Type": "Notification",
             "queue_name": "echoed"},
            {"ttl": 3600, "body": "b", "Message_Type": "Notification",
             "queue_name": "echoed"}]
