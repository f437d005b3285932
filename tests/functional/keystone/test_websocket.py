"""The websocket transport with ``auth_strategy = keystone`` against a
real Keystone (``examples/websocket-keystone.txt``, websocket.md
"Authentication" and "Signed requests over websocket")."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from websockets.exceptions import ConnectionClosed
from zaqarclient.transport import request, ws

from tests import services
from tests.functional.conftest import CLIENT_ID
from tests.functional.keystone.conftest import SECRET, keystone_options
from tests.functional.websocket.client import Answer, Client, WebsocketServer
from zaqar.common import urls

NOT_AUTHENTIFIED = {"error": "Not authentified."}
NOT_AUTHENTICATED = {"error": "Not authenticated."}
BARE_ECHO = {"action": "authenticate", "body": {}, "headers": {},
             "api": "v2"}


def send(client: Client, frame: dict) -> Answer:
    """One frame, its reply (the echo is the test's to check)."""
    client.send(client.encode(frame))
    return client.reply()


def authenticate(client: Client, token: str,
                 project: str | None = None) -> Answer:
    return send(client, {"action": "authenticate", "headers": {
        "X-Project-ID": project or client.headers["X-Project-ID"],
        "X-Auth-Token": token}})


@pytest.fixture(params=["text", "binary"])
def binary(request) -> bool:
    return request.param == "binary"


@pytest.fixture
def demo_ws(ks_websocket, demo_token, binary):
    with Client(ks_websocket.url, demo_token.project_id,
                binary=binary) as client:
        yield client


@pytest.fixture
def authed(demo_ws, demo_token) -> Client:
    assert authenticate(demo_ws, demo_token.id).status == 200
    return demo_ws


def test_every_action_needs_authentication(demo_ws):
    for action, body in [("queue_list", {}),
                         ("queue_create", {"queue_name": "x"}),
                         ("ping_node", None), ("get_home_doc", None),
                         ("no_such_action", {})]:
        answer = demo_ws.call(action, body)
        assert (answer.status, answer.body) == (403, NOT_AUTHENTIFIED)


def test_authenticate_schema(demo_ws):
    frame = {"action": "authenticate",
             "headers": {"X-Project-ID": demo_ws.headers["X-Project-ID"]}}
    answer = send(demo_ws, frame)
    assert (answer.status, answer.body) == (
        400, {"error": "Schema validation failed."})
    assert answer.request == {**frame, "body": {}, "api": "v2"}


def test_bad_token_then_good(demo_ws, demo_token):
    answer = authenticate(demo_ws, "bogus")
    assert (answer.status, answer.body) == (
        401, {"error": "Authentication failed."})
    assert answer.request == BARE_ECHO  # the token is not echoed
    assert demo_ws.call("queue_list", {}).status == 403
    answer = authenticate(demo_ws, demo_token.id)
    assert (answer.status, answer.body) == (200, {"message": "Authentified."})
    assert answer.request == BARE_ECHO
    assert demo_ws.call("queue_list", {}).status == 200


def test_authenticated_actions(authed):
    name = "ks-ws-" + uuid.uuid4().hex[:6]
    assert authed.call("queue_create", {"queue_name": name}).status == 201
    answer = authed.call("message_post", {
        "queue_name": name, "messages": [{"body": "hi"}]})
    assert answer.status == 201
    answer = authed.call("message_list", {"queue_name": name, "echo": True})
    assert [m["body"] for m in answer.body["messages"]] == ["hi"]
    assert authed.call("ping_node").status == 204
    assert authed.call("queue_delete", {"queue_name": name}).status == 204


def test_project_must_be_the_tokens(authed):
    other = dict(authed.headers, **{"X-Project-ID": "other"})
    answer = authed.call("queue_list", {}, headers=other)
    assert (answer.status, answer.body) == (403, NOT_AUTHENTICATED)
    missing = {"Client-ID": CLIENT_ID}
    answer = authed.call("queue_list", {}, headers=missing)
    assert (answer.status, answer.body) == (403, NOT_AUTHENTICATED)


def test_failed_reauthentication_logs_out(authed):
    assert authenticate(authed, "bogus").status == 401
    answer = authed.call("queue_list", {})
    assert (answer.status, answer.body) == (403, NOT_AUTHENTIFIED)


def test_reauthenticate_as_another_project(authed, admin_token, demo_token):
    name = "ks-ws-" + uuid.uuid4().hex[:6]
    authed.call("queue_create", {"queue_name": name})
    assert authenticate(authed, admin_token.id,
                        admin_token.project_id).status == 200
    as_admin = dict(authed.headers, **{"X-Project-ID": admin_token.project_id})
    listed = authed.call("queue_list", {}, headers=as_admin).body["queues"]
    assert {"name": name} not in listed
    # The earlier project is no longer this connection's.
    answer = authed.call("queue_list", {})
    assert (answer.status, answer.body) == (403, NOT_AUTHENTICATED)
    assert authenticate(authed, demo_token.id).status == 200
    assert {"name": name} in authed.call("queue_list", {}).body["queues"]
    authed.call("queue_delete", {"queue_name": name})


def test_revoked_token_cannot_authenticate(ks_websocket, identity):
    token = identity.token("demo")
    identity.revoke(token)
    with Client(ks_websocket.url, token.project_id) as client:
        assert authenticate(client, token.id).status == 401


def test_admin_action_needs_admin_role(authed, ks_websocket, admin_token):
    answer = authed.call("check_node_health")
    assert (answer.status, answer.body) == (403, {
        "exception": "You are not authorized to complete this action.",
        "error": None})
    with Client(ks_websocket.url, admin_token.project_id) as admin:
        assert authenticate(admin, admin_token.id).status == 200
        answer = admin.call("check_node_health")
        assert answer.status == 200
        assert answer.body["storage_reachable"] is True


def test_token_expiry_closes_the_connection(ks_websocket, identity):
    token = identity.short_token("demo", seconds=3)
    with Client(ks_websocket.url, token.project_id) as client:
        assert authenticate(client, token.id).status == 200
        assert client.call("queue_list", {}).status == 200
        with pytest.raises(ConnectionClosed):
            client.receive(timeout=15)
        assert client.connection.close_code == 4003
        assert client.connection.close_reason == "Authentication expired."


def test_keystone_unreachable(identity, tmp_path, demo_token):
    dead = f"http://127.0.0.1:{services.free_port()}/v3"
    options = keystone_options(identity)
    options["keystone_authtoken"].update({
        "www_authenticate_uri": dead, "auth_url": dead,
        "http_request_max_retries": 0})
    srv = WebsocketServer(tmp_path, options).start()
    try:
        with Client(srv.url, demo_token.project_id) as client:
            answer = authenticate(client, demo_token.id)
            assert (answer.status, answer.body) == (
                503, {"error": "Authentication failed."})
            assert client.call("queue_list", {}).status == 403
    finally:
        srv.stop()


# -- signed frames ---------------------------------------------------------

def sign(project: str, queue: str, methods=("GET", "POST"),
         expires: str = "2030-01-01T00:00:00", key: str = SECRET) -> dict:
    """The URL-* headers of a signed frame (lists, as websocket wants)."""
    paths = [f"/v2/queues/{queue}/messages"]
    return {"URL-Signature": urls.signature(key, paths, list(methods),
                                            project, expires),
            "URL-Methods": sorted(methods), "URL-Paths": paths,
            "URL-Expires": expires}


@pytest.fixture
def queue() -> str:
    return "ks-wsig-" + uuid.uuid4().hex[:6]


def test_signed_frames_need_no_authentication(demo_ws, queue, authed_other):
    headers = dict(demo_ws.headers, **sign(demo_ws.headers["X-Project-ID"],
                                           queue))
    answer = demo_ws.call("message_post", {
        "queue_name": queue, "messages": [{"body": "signed over ws"}]},
        headers=headers)
    assert answer.status == 201, answer.body
    answer = demo_ws.call("message_list", {"queue_name": queue,
                                           "echo": True}, headers=headers)
    assert [m["body"] for m in answer.body["messages"]] == ["signed over ws"]
    message_id = answer.body["messages"][0]["id"]
    answer = demo_ws.call("message_get", {"queue_name": queue,
                                          "message_id": message_id},
                          headers=headers)
    assert answer.status == 200
    # Still unauthenticated for anything unsigned.
    assert demo_ws.call("queue_list", {}).body == NOT_AUTHENTIFIED
    # The message is in the signed project.
    listed = authed_other.call("message_list", {"queue_name": queue,
                                                "echo": True})
    assert [m["body"] for m in listed.body["messages"]] == ["signed over ws"]


@pytest.fixture
def authed_other(ks_websocket, demo_token):
    """A second, authenticated connection of the demo project."""
    with Client(ks_websocket.url, demo_token.project_id) as client:
        assert authenticate(client, demo_token.id).status == 200
        yield client


def _refused(client: Client, action: str, body: dict, headers: dict) -> None:
    answer = client.call(action, body, headers=headers)
    assert (answer.status, answer.body) == (403, NOT_AUTHENTIFIED), action


def test_signed_frames_refused(demo_ws, queue):
    project = demo_ws.headers["X-Project-ID"]
    good = dict(demo_ws.headers, **sign(project, queue))
    post = {"queue_name": queue, "messages": [{"body": 1}]}
    # Not a message action.
    _refused(demo_ws, "queue_delete", {"queue_name": queue}, good)
    _refused(demo_ws, "queue_list", {}, good)
    # Method not signed.
    _refused(demo_ws, "message_delete_many",
             {"queue_name": queue, "message_ids": ["1"]}, good)
    # Another queue of the project (upstream lets this through).
    _refused(demo_ws, "message_post", dict(post, queue_name="elsewhere"),
             good)
    # Tampered values.
    for changes in ({"URL-Signature": "0" * 64},
                    {"URL-Methods": ["DELETE", "GET", "POST"]},
                    {"URL-Paths": ["/v2/queues/elsewhere/messages"]},
                    {"URL-Expires": "2099-01-01T00:00:00"},
                    {"X-Project-ID": "other"},
                    {"URL-Methods": "GET,POST"},          # not a list
                    {"URL-Paths": f"/v2/queues/{queue}/messages"}):
        _refused(demo_ws, "message_post", post, dict(good, **changes))
    # Expired.
    past = (datetime.datetime.now(datetime.timezone.utc)
            - datetime.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
    _refused(demo_ws, "message_post", post,
             dict(demo_ws.headers, **sign(project, queue, expires=past)))
    # Signed with another key.
    _refused(demo_ws, "message_post", post,
             dict(demo_ws.headers, **sign(project, queue, key="other")))


def test_signed_delete(demo_ws, authed_other, queue):
    project = demo_ws.headers["X-Project-ID"]
    ids = authed_other.call("message_post", {
        "queue_name": queue,
        "messages": [{"body": 1}, {"body": 2}]}).body["message_ids"]
    headers = dict(demo_ws.headers, **sign(project, queue, ("DELETE",)))
    answer = demo_ws.call("message_delete", {"queue_name": queue,
                                             "message_id": ids[0]},
                          headers=headers)
    assert answer.status == 204
    answer = demo_ws.call("message_delete_many", {"queue_name": queue,
                                                  "message_ids": ids[1:]},
                          headers=headers)
    assert answer.status == 204
    left = authed_other.call("message_list", {"queue_name": queue,
                                              "echo": True}).body
    assert left == {"messages": []}


def test_python_zaqarclient_websocket_transport(ks_websocket, demo_token):
    """python-zaqarclient's own websocket transport (which authenticates
    first, then sends every operation with its body) works unchanged."""
    transport = ws.WebsocketTransport({"auth_opts": {
        "backend": "keystone",
        "options": {"os_auth_token": demo_token.id,
                    "os_project_id": demo_token.project_id}}})

    def call(operation: str, **content) -> tuple[int, object]:
        answer = transport.send(request.Request(
            ks_websocket.url, operation, content=json.dumps(content)))
        return answer.status_code, answer.deserialized_content

    queue = "zc-ws-" + uuid.uuid4().hex[:8]
    try:
        assert call("queue_create", queue_name=queue,
                    metadata={"k": 1}) == (201, f"Queue {queue} created.")
        assert call("queue_get", queue_name=queue)[1]["k"] == 1
        status, posted = call("message_post", queue_name=queue,
                              messages=[{"body": "hi", "ttl": 60}])
        assert status == 201 and len(posted["message_ids"]) == 1
        status, claimed = call("claim_create", queue_name=queue, ttl=60,
                               grace=60)
        assert status == 201
        assert [m["body"] for m in claimed["messages"]] == ["hi"]
        assert call("message_delete", queue_name=queue,
                    message_id=posted["message_ids"][0],
                    claim_id=claimed["claim_id"])[0] == 204
        stats = call("queue_get_stats", queue_name=queue)[1]
        assert stats["messages"]["total"] == 0
        assert call("queue_delete", queue_name=queue) == (
            204, f"Queue {queue} removed.")
    finally:
        transport.cleanup()
