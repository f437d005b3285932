"""Subscribing a connection, pushed notification frames, and the internal
notification listener, driven with real HTTP requests (as the notifier
makes them)."""

from __future__ import annotations

import re
import socket
import time
import uuid

import pytest
import requests

from tests.functional.websocket.client import Client

NOTIFICATION = {"ttl": 60, "body": {"pushed": [1, "two"]},
                "Message_Type": "Notification", "queue_name": "wsq"}


def subscribe(client, queue, binary=None, **extra):
    """Subscribe the connection itself (``binary``: the frame's encoding,
    default the client's)."""
    answer = client.call("subscription_create",
                         {"queue_name": queue, **extra}, binary=binary)
    assert answer.status == 201, answer.body
    return answer.body["subscription_id"]


def own_subscriber(client, queue):
    [found] = client.call("subscription_list",
                          {"queue_name": queue}).body["subscriptions"]
    return found["subscriber"]


def raw_http(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


def wait_for_no_subscriptions(client, queue, deadline=10):
    end = time.monotonic() + deadline
    while True:
        found = client.call("subscription_list",
                            {"queue_name": queue}).body["subscriptions"]
        if not found or time.monotonic() > end:
            return found
        time.sleep(0.05)


def test_subscription_without_subscriber_is_the_connection(client, server):
    sid = subscribe(client, "wsq", ttl=600)
    answer = client.call("subscription_get", {"queue_name": "wsq",
                                              "subscription_id": sid})
    subscriber = answer.body["subscriber"]
    match = re.fullmatch(
        rf"{re.escape(server.listener_url)}/([0-9a-f-]{{36}})", subscriber)
    assert match, subscriber
    uuid.UUID(match.group(1))
    assert (answer.body["ttl"], answer.body["confirmed"]) == (600, False)
    assert client.call("queue_list").body == {"queues": [{"name": "wsq"}]}


def test_listener_forwards_to_the_connection(client):
    subscribe(client, "wsq")
    url = own_subscriber(client, "wsq")
    response = requests.post(url, json=NOTIFICATION, timeout=10)
    assert response.status_code == 200
    document, binary = client.receive()
    assert document == NOTIFICATION
    # In the encoding of the subscribing frame.
    assert binary == client.binary
    # The connection still serves requests afterwards.
    assert client.call("queue_list").status == 200


def test_push_encoding_follows_the_last_subscription(server, project):
    with Client(server.url, project) as client:
        subscribe(client, "text-q")
        subscribe(client, "binary-q", binary=True)
        url = own_subscriber(client, "text-q")
        assert requests.post(url, json=NOTIFICATION,
                             timeout=10).status_code == 200
        document, binary = client.receive()
        assert (document, binary) == (NOTIFICATION, True)


def test_second_subscription_on_the_same_connection_is_409(client):
    subscribe(client, "wsq")
    answer = client.call("subscription_create", {"queue_name": "wsq",
                                                 "ttl": 600})
    assert (answer.status, answer.body) == (
        409, "Subscription wsq not created.")


def test_two_connections_subscribe_separately(client, server, project):
    subscribe(client, "shared")
    with Client(server.url, project, client.binary) as other:
        subscribe(other, "shared")
        found = other.call("subscription_list", {"queue_name": "shared"})
        subscribers = {s["subscriber"] for s in
                       found.body["subscriptions"]}
        assert len(subscribers) == 2
        for url in subscribers:
            assert requests.post(url, json=NOTIFICATION,
                                 timeout=10).status_code == 200
        assert other.receive()[0] == NOTIFICATION
    assert client.receive()[0] == NOTIFICATION


def test_closing_deletes_own_subscriptions_only(server, project):
    with Client(server.url, project) as watcher:
        watcher.call("subscription_create", {
            "queue_name": "gone", "subscriber": "http://127.0.0.1:9/hook"})
        with Client(server.url, project, binary=True) as client:
            subscribe(client, "gone")
            subscribe(client, "gone-too")
            url = own_subscriber(client, "gone-too")
        left = wait_for_no_subscriptions(watcher, "gone-too")
        assert left == []
        remaining = watcher.call("subscription_list",
                                 {"queue_name": "gone"}).body
        assert [s["subscriber"] for s in remaining["subscriptions"]] == [
            "http://127.0.0.1:9/hook"]
        # Nobody listens for that connection anymore.
        assert requests.post(url, json=NOTIFICATION,
                             timeout=10).status_code == 404


def test_own_subscription_can_be_deleted(client):
    sid = subscribe(client, "wsq")
    answer = client.call("subscription_delete", {"queue_name": "wsq",
                                                 "subscription_id": sid})
    assert answer.status == 204
    assert client.call("subscription_list", {"queue_name": "wsq"}).body == {
        "subscriptions": []}
    # Subscribing again works (and is removed at close like the first).
    subscribe(client, "wsq")


def test_listener_refusals(client, server):
    subscribe(client, "wsq")
    url = own_subscriber(client, "wsq")
    path = url[len(server.listener_url):]
    port = server.notification_port

    assert requests.get(url, timeout=10).status_code == 405
    assert requests.put(url, json={}, timeout=10).status_code == 405
    reply = raw_http(port, f"POST {path} HTTP/1.0\r\n\r\n".encode())
    assert reply.startswith(b"HTTP/1.0 400 Bad Request\r\n")
    reply = raw_http(port, f"GET {path} HTTP/1.0\r\n\r\n".encode())
    assert reply.startswith(b"HTTP/1.0 405 Not Allowed\r\n")
    assert requests.post(url, data=b"not json",
                         timeout=10).status_code == 400
    unknown = f"{server.listener_url}/{uuid.uuid4()}"
    assert requests.post(unknown, json=NOTIFICATION,
                         timeout=10).status_code == 404
    reply = raw_http(port, b"garbage\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 400 Bad Request\r\n")

    body = b'{"ttl": 60, "body": "raw"}'
    reply = raw_http(port, f"POST {path} HTTP/1.0\r\nContent-Length: "
                           f"{len(body)}\r\n\r\n".encode() + body)
    assert reply.startswith(b"HTTP/1.0 200 OK\r\n")
    # Only the accepted POST was forwarded.
    assert client.receive()[0] == {"ttl": 60, "body": "raw"}
    with pytest.raises(TimeoutError):
        client.receive(timeout=0.3)
