"""Random bad input against a real server: never a 5xx, never a traceback.

Requests mix every route of every API version with malformed identifiers,
parameters, headers and bodies (wrong JSON types, out-of-range numbers,
broken JSON, deep nesting, unknown patch operations...). The generator is
seeded per store, so a failure names a request that can be replayed.
"""

from __future__ import annotations

import json
import random
import uuid

import pytest
import requests

from tests.functional.conftest import STORES, store_options
from tests.functional.server import Server

REQUESTS = 1500

NAMES = ["fq", "fq2", "a" * 64, "a" * 65, "bad name", "%00", "q%2Fx", "ü",
         "..", "-"]
IDS = ["1", "0", "-1", "99999999999999999999999", "abc", str(uuid.UUID(int=7)),
       "6b0a00a66b789b1c791c1668", "%20", "a,b"]
VALUES = [None, True, False, 0, -1, 1, 2 ** 63, 2 ** 64, -2 ** 63 - 1, 1.5,
          1e308, "", "x", "x" * 300, "\x00", "é", [], {}, [1], {"a": 1},
          [[[[]]]], {"body": None}, {"ttl": "60"}, 60, 3600, 43200, 1209601,
          "60"]
RESERVED = ["_max_messages_post_size", "_default_message_ttl",
            "_default_message_delay", "_max_claim_count", "_dead_letter_queue",
            "_dead_letter_queue_messages_ttl", "_flavor", "_retry_policy", "x"]
PARAMS = ["limit", "marker", "echo", "include_claimed", "include_delayed",
          "ids", "claim_id", "pop", "claim_ids", "detailed", "name",
          "with_count", "ttl", "grace"]
PARAM_VALUES = ["", "1", "0", "-1", "21", "true", "maybe", "x" * 100,
                "99999999999999999999", IDS[5], "a,b,,c", "%00", "1.5", "10"]


class Generator:
    def __init__(self, seed: int):
        self.rnd = random.Random(seed)

    def value(self):
        return self.rnd.choice(VALUES)

    def path(self) -> str:
        q, i = self.rnd.choice(NAMES), self.rnd.choice(IDS)
        version = self.rnd.choice(["/v2", "/v2", "/v2", "/v1.1", "/v1"])
        tail = self.rnd.choice([
            "", "/queues", f"/queues/{q}", f"/queues/{q}/messages",
            f"/queues/{q}/messages/{i}", f"/queues/{q}/claims",
            f"/queues/{q}/claims/{i}", f"/queues/{q}/stats",
            f"/queues/{q}/metadata", f"/queues/{q}/purge",
            f"/queues/{q}/share", f"/queues/{q}/subscriptions",
            f"/queues/{q}/subscriptions/{i}",
            f"/queues/{q}/subscriptions/{i}/confirm", "/pools", f"/pools/{q}",
            "/flavors", f"/flavors/{q}", "/health", "/health/detailed",
            "/ping", "/topics", f"/topics/{q}", f"/topics/{q}/messages",
            f"/topics/{q}/stats", f"/topics/{q}/purge",
            f"/topics/{q}/subscriptions", "/nope"])
        return version + tail

    def query(self) -> str:
        return "&".join(
            f"{self.rnd.choice(PARAMS)}={self.rnd.choice(PARAM_VALUES)}"
            for _ in range(self.rnd.randint(0, 4)))

    def body(self) -> bytes:
        v, k = self.value, self.rnd.random()
        if k < 0.1:
            return b"not json"
        if k < 0.15:
            return b"\xff\xfe\x00"
        if k < 0.2:
            return b""
        if k < 0.25:
            return b"[" * 2000 + b"]" * 2000
        if k < 0.3:
            return b'{"a": 1e999999}'
        if k < 0.4:
            document = {"messages": [
                {"body": v(), "ttl": v(), "delay": v()}
                for _ in range(self.rnd.randint(0, 25))]}
        elif k < 0.45:
            document = [{"body": v(), "ttl": v()}
                        for _ in range(self.rnd.randint(0, 3))]
        elif k < 0.55:
            document = {"ttl": v(), "grace": v(), "limit": v()}
        elif k < 0.65:
            document = {"subscriber": self.rnd.choice([
                "http://127.0.0.1:1/x", "mailto:a@b.c", "ftp://x",
                "trust+http://x", v()]), "ttl": v(), "options": v()}
        elif k < 0.75:
            document = [{"op": self.rnd.choice(
                ["add", "replace", "remove", "move", "test", "x"]),
                "path": self.rnd.choice(
                    ["/metadata/a", "/metadata/_max_messages_post_size",
                     "/metadata/_dead_letter_queue", "/metadata", "/x", "",
                     v()]),
                "value": v()}]
        elif k < 0.85:
            document = {"weight": v(), "uri": self.rnd.choice(
                ["redis://127.0.0.1:1/0", "bogus://", v()]),
                "options": v(), "flavor": v(), "group": v(),
                "pool_list": v(), "capabilities": v()}
        elif k < 0.92:
            document = {self.rnd.choice(RESERVED): v() for _ in range(3)}
        else:
            document = {"paths": v(), "methods": v(), "expires": v()}
        return json.dumps(document).encode()

    def headers(self) -> dict:
        rnd = self.rnd
        headers = {
            "Client-ID": rnd.choice([str(uuid.UUID(int=rnd.getrandbits(128)))]
                                    * 6 + ["", "x", "x" * 300, "a b"]),
            "X-Project-ID": rnd.choice(["fz"] * 6 + ["", "p" * 300, "a b"]),
            "Content-Type": rnd.choice(
                ["application/json"] * 5
                + ["application/x-www-form-urlencoded", "text/plain"]),
        }
        if rnd.random() < 0.1:
            del headers["Client-ID"]
        if rnd.random() < 0.1:
            del headers["X-Project-ID"]
        if rnd.random() < 0.1:
            headers["Accept"] = rnd.choice(
                ["text/html", "*/*", "application/xml"])
        if rnd.random() < 0.05:
            headers["X-Roles"] = "admin"
        if rnd.random() < 0.05:
            headers.update({
                "URL-Signature": "x", "URL-Methods": "GET",
                "URL-Expires": rnd.choice(["3600", "2030-01-01T00:00:00"]),
                "URL-Paths": "/v2/queues/fq/messages"})
        return headers

    def request(self) -> tuple[str, str, dict, bytes | None]:
        method = self.rnd.choice(["GET", "GET", "POST", "PUT", "PATCH",
                                  "DELETE", "HEAD", "OPTIONS"])
        path, query = self.path(), self.query()
        body = (self.body() if method in ("POST", "PUT", "PATCH")
                or self.rnd.random() < 0.05 else None)
        headers = self.headers()
        if method == "PATCH" and self.rnd.random() < 0.7:
            headers["Content-Type"] = (
                "application/openstack-messaging-v2.0-json-patch")
        return method, path + ("?" + query if query else ""), headers, body


@pytest.fixture(scope="module", params=STORES)
def fuzz_server(request, tmp_path_factory):
    """A server of its own: the fuzz creates pools and flavors, which are
    global, and must not show in other tests' listings."""
    options = store_options(request.param)
    options.setdefault("DEFAULT", {}).update(
        admin_mode=True, enable_deprecated_api_versions="1,1.1")
    srv = Server(tmp_path_factory.mktemp(f"fuzz-{request.param}"),
                 options).start()
    yield request.param, srv
    srv.stop()


def test_random_bad_input_never_breaks_the_server(fuzz_server):
    store, server = fuzz_server
    generator = Generator(seed=STORES.index(store) + 1)
    session = requests.Session()
    session.put(server.url + "/v2/queues/fq", json={},
                headers={"Client-ID": str(uuid.uuid4()), "X-Project-ID": "fz"})
    broken = []
    for _ in range(REQUESTS):
        method, target, headers, body = generator.request()
        answer = session.request(method, server.url + target, data=body,
                                 headers=headers, timeout=30)
        if answer.status_code >= 500 or "Traceback" in answer.text:
            broken.append(f"{answer.status_code} {method} {target} "
                          f"{headers} {body!r:.200} -> {answer.text:.300}")
    assert not broken, "\n".join(broken[:10])
    assert "Traceback" not in server.log()
    # The server still answers normally afterwards.
    stats = session.get(server.url + "/v2/queues/fq/stats", headers={
        "Client-ID": str(uuid.uuid4()), "X-Project-ID": "fz"})
    assert stats.status_code == 200
