"""``trust+http`` subscribers against a real Keystone (v2.md
"Subscriptions": "on creation the server creates a keystone trust for the
caller and later posts with a token from it").

A notifying zaqar-server with ``auth_strategy = keystone`` and a real
webhook receiver: the token a delivery carries is checked with Keystone
itself, and the trusts are looked up through the identity API.
"""

from __future__ import annotations

import datetime
import time
import uuid

import pytest

from tests.functional import notifying
from tests.functional.keystone.conftest import (
    SECRET, TokenClient, keystone_options)
from tests.functional.notifying import expect
from tests.functional.server import Server
from tests.functional.test_v2_share import signed_headers
from tests.functional.websocket.client import Client as WebsocketClient
from zaqar.common import urls
from zaqar.notification import trusts

RESERVED = f"The option {trusts.OPTION} is reserved for the server."
NO_TOKEN = ("A trust+ subscriber needs the caller's Keystone token "
            "(X-Auth-Token) to create its trust: it cannot be subscribed "
            "with a pre-signed URL or over the websocket transport.")


@pytest.fixture(scope="module")
def trust_server(identity, tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("ks-trust"), notifying.options(
        "sqlite", **keystone_options(identity))).start()
    yield srv
    srv.stop()


@pytest.fixture
def member(trust_server, demo_token) -> TokenClient:
    return TokenClient(trust_server.url, demo_token.id)


@pytest.fixture
def queue() -> str:
    return "trust-" + uuid.uuid4().hex[:8]


@pytest.fixture
def hook(receiver):
    """A fresh path of the receiver and its ``trust+`` subscriber URL."""
    path = f"/trust/{uuid.uuid4().hex[:8]}"
    return path, "trust+" + receiver.url + path


def keystone_get(identity, path: str, token: str, **headers):
    return identity.session.get(f"{identity.url}{path}", headers=dict(
        headers, **{"X-Auth-Token": token}), timeout=30)


def demo_trusts(identity, demo_token) -> dict[str, dict]:
    """The demo user's trusts (as trustor), by id."""
    resp = keystone_get(
        identity, f"/OS-TRUST/trusts?trustor_user_id={demo_token.user_id}",
        demo_token.id)
    assert resp.status_code == 200, resp.text
    return {trust["id"]: trust for trust in resp.json()["trusts"]}


def subscribe(client, queue: str, subscriber: str, **document) -> str:
    resp = client.post(f"/v2/queues/{queue}/subscriptions",
                       json=dict(document, subscriber=subscriber))
    expect(resp, 201)
    return resp.json()["subscription_id"]


def post(client, queue: str, body) -> None:
    expect(client.post(f"/v2/queues/{queue}/messages",
                       json={"messages": [{"body": body}]}), 201)


def new_trust(identity, demo_token, before: dict) -> dict:
    """The one trust of the demo user that is not in ``before``."""
    made = {key: value for key, value in
            demo_trusts(identity, demo_token).items() if key not in before}
    assert len(made) == 1, made
    resp = keystone_get(identity, f"/OS-TRUST/trusts/{next(iter(made))}",
                        demo_token.id)
    assert resp.status_code == 200, resp.text
    return resp.json()["trust"]


def expires_in(trust: dict) -> float:
    moment = datetime.datetime.fromisoformat(
        trust["expires_at"].replace("Z", "+00:00"))
    return moment.timestamp() - time.time()


def test_delivery_carries_a_token_of_the_members_trust(
        member, identity, demo_token, admin_token, receiver, hook, queue):
    path, subscriber = hook
    before = demo_trusts(identity, demo_token)
    sid = subscribe(member, queue, subscriber, ttl=600,
                    options={"post_headers": {"X-Auth-Token": "mine"}})
    trust = new_trust(identity, demo_token, before)
    assert trust["trustee_user_id"] == identity.account("zaqar", "USER_ID")
    assert trust["project_id"] == demo_token.project_id
    assert trust["impersonation"] is True
    assert sorted(role["name"] for role in trust["roles"]) == \
        sorted(demo_token.roles)
    assert 570 < expires_in(trust) <= 600

    post(member, queue, {"event": 1})
    [request] = receiver.wait_for(path, 1)
    assert request.json() == {"ttl": 3600, "body": {"event": 1},
                              "Message_Type": "Notification",
                              "queue_name": queue}
    sent = request.headers["X-Auth-Token"]
    assert sent != "mine"  # the trust's token replaces a client's header
    validated = keystone_get(identity, "/auth/tokens", admin_token.id,
                             **{"X-Subject-Token": sent})
    assert validated.status_code == 200, validated.text
    token = validated.json()["token"]
    assert token["OS-TRUST:trust"]["id"] == trust["id"]
    assert token["OS-TRUST:trust"]["impersonation"] is True
    assert token["project"]["id"] == demo_token.project_id
    assert token["user"]["id"] == demo_token.user_id  # impersonation

    # The trust id is in no representation.
    shown = member.get(f"/v2/queues/{queue}/subscriptions/{sid}")
    listed = member.get(f"/v2/queues/{queue}/subscriptions")
    for resp in (shown, listed):
        expect(resp, 200)
        assert trust["id"] not in resp.text
    assert shown.json()["options"] == {
        "post_headers": {"X-Auth-Token": "mine"}}
    assert [s["options"] for s in listed.json()["subscriptions"]] == [
        {"post_headers": {"X-Auth-Token": "mine"}}]

    # Deleting the subscription deletes the trust.
    expect(member.delete(f"/v2/queues/{queue}/subscriptions/{sid}"), 204)
    gone = keystone_get(identity, f"/OS-TRUST/trusts/{trust['id']}",
                        admin_token.id)
    assert gone.status_code == 404, gone.text


def test_clients_cannot_set_the_trust_id(member, identity, demo_token,
                                         hook, queue):
    _, subscriber = hook
    for chosen in ("http://127.0.0.1:1/x", subscriber):
        notifying.invalid(member.post(
            f"/v2/queues/{queue}/subscriptions",
            json={"subscriber": chosen,
                  "options": {trusts.OPTION: "f00d"}}), RESERVED)
    before = demo_trusts(identity, demo_token)
    sid = subscribe(member, queue, subscriber)
    trust = new_trust(identity, demo_token, before)
    item = f"/v2/queues/{queue}/subscriptions/{sid}"
    notifying.invalid(member.patch(item, json={
        "options": {trusts.OPTION: "f00d"}}), RESERVED)

    # Options replaced by the client keep the server's trust.
    expect(member.patch(item, json={"options": {"k": "v"}}), 204)
    assert demo_trusts(identity, demo_token).keys() == \
        before.keys() | {trust["id"]}
    shown = member.get(item)
    assert shown.json()["options"] == {"k": "v"}
    assert trust["id"] not in shown.text

    # A new ttl gets a trust expiring with it; the old one is deleted.
    expect(member.patch(item, json={"ttl": 300}), 204)
    renewed = new_trust(identity, demo_token, before)
    assert renewed["id"] != trust["id"]
    assert 270 < expires_in(renewed) <= 300

    # No longer a trust+ subscriber: no trust.
    expect(member.patch(item, json={"subscriber": "http://127.0.0.1:1/x"}),
           204)
    assert demo_trusts(identity, demo_token).keys() == before.keys()
    assert member.get(item).json()["options"] == {"k": "v"}


def test_purging_subscriptions_deletes_their_trusts(member, identity,
                                                   demo_token, hook, queue):
    _, subscriber = hook
    before = demo_trusts(identity, demo_token)
    subscribe(member, queue, subscriber)
    first = new_trust(identity, demo_token, before)
    subscribe(member, queue, subscriber + "/other")
    subscribe(member, queue, "http://127.0.0.1:1/plain")
    made = demo_trusts(identity, demo_token).keys() - before.keys()
    assert len(made) == 2 and first["id"] in made

    # A purge of messages only keeps the subscriptions and their trusts.
    expect(member.post(f"/v2/queues/{queue}/purge",
                       json={"resource_types": ["messages"]}), 204)
    assert demo_trusts(identity, demo_token).keys() == before.keys() | made

    expect(member.post(f"/v2/queues/{queue}/purge",
                       json={"resource_types": ["subscriptions"]}), 204)
    listed = member.get(f"/v2/queues/{queue}/subscriptions")
    assert listed.json()["subscriptions"] == []
    assert demo_trusts(identity, demo_token).keys() == before.keys()


def test_a_deleted_trust_ends_the_delivery(member, identity, demo_token,
                                           trust_server, receiver, hook,
                                           queue):
    path, subscriber = hook
    before = demo_trusts(identity, demo_token)
    subscribe(member, queue, subscriber)
    trust = new_trust(identity, demo_token, before)
    deleted = identity.session.delete(
        f"{identity.url}/OS-TRUST/trusts/{trust['id']}",
        headers={"X-Auth-Token": demo_token.id}, timeout=30)
    assert deleted.status_code == 204, deleted.text

    post(member, queue, "never delivered")
    deadline = time.monotonic() + 15
    while not (ours := [line for line in trust_server.log().splitlines()
                        if path in line and "failed for good" in line]):
        assert time.monotonic() < deadline, trust_server.log()
        time.sleep(0.1)
    assert "was the trust deleted, or has it expired?" in ours[0]
    assert not [line for line in trust_server.log().splitlines()
                if path in line and "retry" in line]
    assert receiver.received(path) == []


def test_a_signed_request_cannot_make_a_trust(trust_server, identity, hook,
                                             queue):
    """A pre-signed request carries no token to delegate from."""
    _, subscriber = hook
    path = f"/v2/queues/{queue}/subscriptions"
    signed = urls.create_signed_url(
        SECRET, [path], project=identity.account("demo", "PROJECT_ID"),
        methods=["POST"])
    resp = TokenClient(trust_server.url, None).post(
        path, json={"subscriber": subscriber},
        headers=signed_headers(signed))
    notifying.invalid(resp, NO_TOKEN)


def test_websocket_cannot_make_a_trust(ks_websocket, demo_token, hook,
                                       queue):
    """The websocket transport keeps no token to delegate from."""
    _, subscriber = hook
    with WebsocketClient(ks_websocket.url, demo_token.project_id) as client:
        client.send(client.encode({"action": "authenticate", "headers": {
            "X-Project-ID": demo_token.project_id,
            "X-Auth-Token": demo_token.id}}))
        assert client.reply().status == 200
        answer = client.call("subscription_create", {
            "queue_name": queue, "subscriber": subscriber})
    assert answer.status == 400, answer.body
    assert answer.body["exception"] == NO_TOKEN
