"""Random bad frames over one connection: every frame gets an answer frame
with a status below 500, and the connection stays open.

Frames mix every action with malformed envelopes, headers and bodies
(wrong types, out-of-range numbers, unknown fields, broken JSON and
MessagePack), in text and binary. Seeded: a failure names a frame that
can be replayed.
"""

from __future__ import annotations

import json
import random
import uuid

import msgpack

from tests.functional.websocket.client import Client

FRAMES = 1000

ACTIONS = ["queue_create", "queue_delete", "queue_get", "queue_get_stats",
           "queue_list", "queue_purge", "message_post", "message_list",
           "message_get", "message_get_many", "message_delete",
           "message_delete_many", "claim_create", "claim_get", "claim_update",
           "claim_delete", "subscription_create", "subscription_get",
           "subscription_list", "subscription_delete", "ping_node",
           "get_home_doc", "check_node_health", "authenticate", "nope", ""]
FIELDS = ["queue_name", "message_id", "message_ids", "claim_id", "ttl",
          "grace", "limit", "marker", "echo", "include_claimed", "pop",
          "messages", "metadata", "subscriber", "options",
          "subscription_id", "detailed"]
VALUES = [None, True, False, 0, -1, 1, 2 ** 63, 2 ** 64, 1.5, "", "x",
          "x" * 300, "q1", "bad name", "a" * 65, str(uuid.UUID(int=3)), [],
          {}, [1], {"a": 1}, [[[[]]]], [{"body": 1}], [{"ttl": 60}],
          [{"body": "b", "ttl": "60"}], 60, 3600, "mailto:a@b.c",
          "http://127.0.0.1:1/", "ftp://x"]


class Frames:
    def __init__(self, seed: int):
        self.rnd = random.Random(seed)

    def frame(self) -> str | bytes:
        rnd = self.rnd
        kind = rnd.random()
        if kind < 0.05:
            return rnd.choice(["not json", "[]", "1", '{"action": ',
                               "\x00", ""])
        if kind < 0.1:
            return rnd.choice([b"\xc1", b"\x91\x01", b"\x80", b"\xff" * 8])
        frame: dict = {}
        if rnd.random() < 0.95:
            frame["action"] = rnd.choice(ACTIONS + [1, None, []])
        if rnd.random() < 0.9:
            headers = {"Client-ID": rnd.choice(
                [str(uuid.UUID(int=rnd.getrandbits(128)))] * 5
                + ["", "x", 7]), "X-Project-ID": rnd.choice(
                ["fz"] * 5 + ["", "p" * 300, None])}
            frame["headers"] = rnd.choice([headers] * 9 + ["x", [], None])
        if rnd.random() < 0.9:
            body = {rnd.choice(FIELDS): rnd.choice(VALUES)
                    for _ in range(rnd.randint(0, 5))}
            frame["body"] = rnd.choice([body] * 9 + ["x", [], 3])
        if rnd.random() < 0.5:
            try:
                return msgpack.packb(frame)
            except OverflowError:  # 2 ** 64 has no MessagePack form
                pass
        return json.dumps(frame)


def test_random_bad_frames_get_answers(server, project):
    frames = Frames(seed=1)
    with Client(server.url, project) as client:
        client.call("queue_create", {"queue_name": "q1"})
        broken = []
        for _ in range(FRAMES):
            frame = frames.frame()
            client.send(frame)
            answer, _ = client.receive()
            status = (answer.get("headers") or {}).get("status") \
                if isinstance(answer, dict) else None
            if not isinstance(status, int) or status >= 500:
                broken.append(f"{frame!r:.200} -> {answer!r:.300}")
        assert not broken, "\n".join(broken[:10])
        # The connection still serves normal requests.
        assert client.call("queue_get_stats",
                           {"queue_name": "q1"}).status == 200
