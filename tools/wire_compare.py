"""Replay one random sequence of v2 requests on two Zaqar servers and
print where their answers differ: status, and for errors the title and
description (message and claim ids, and the project, are replaced by
their place in the sequence, so that only behaviour is compared).

Meant for upstream Zaqar against this server, both on the same kind of
store (tools/bench/upstream.sh and tools/bench/ours.sh start them)::

    python tools/wire_compare.py http://127.0.0.1:8891 http://127.0.0.1:8892 \\
        --seed 1 --count 500

Every difference is either a fix to make here or a place where upstream
is wrong or where this server chose otherwise (doc/api-v2.rst lists
those; the contract marks upstream's bugs). Once two servers disagree on
whether a queue exists, later answers about it differ too: read the
first difference of a queue first.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import uuid

import requests

CLIENT_ID = "3381af92-2b9e-11e3-b191-71861300734c"
# UUIDs (Redis, claims) and ObjectIds (MongoDB messages) anywhere; any
# id (the SQL stores' are numbers) where an error text names one.
IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                 r"[0-9a-f]{12}|\b[0-9a-f]{24}\b")
NAMED = re.compile(r"(?<=Message )[^ ]+(?= does not exist)|"
                   r"(?<=Claim )[^ ]+(?= does not exist)|(?<=')[^' ]+(?=')")
QUEUES = ["a", "b", "c-1", "bad$", "x" * 65]
INTS = [None, -1, 0, 1, 2, 5, 10, 20, 21, 59, 60, 61, 300, 900, 901,
        43200, 43201, 1209600, 1209601, "x", "1", True, 1.5]
FLAGS = [None, "true", "false", "yes", "maybe", ""]


class Sequence:
    """Random requests; ``{msg}`` and ``{claim}`` stand for an id the
    server gave earlier for the same queue."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def pick(self, choices: list):
        return self.random.choice(choices)

    def query(self, **params) -> str:
        given = [f"{k}={v}" for k, v in params.items() if v is not None]
        return "?" + "&".join(given) if given else ""

    def messages(self) -> list:
        return [{"body": self.pick([1, "x", {"k": [1]}, None]),
                 **({"ttl": self.pick(INTS)}
                    if self.random.random() < 0.3 else {}),
                 **({"delay": self.pick([0, 1, 10, 900])}
                    if self.random.random() < 0.2 else {})}
                for _ in range(self.random.randrange(4))]

    def request(self) -> tuple[str, str, object, int]:
        pick, query = self.pick, self.query
        queue = f"/v2/queues/{pick(QUEUES)}"
        slot = self.random.randrange(1000)
        choices = [
            lambda: ("PUT", queue, pick([
                None, {}, {"d": 1}, {"_default_message_ttl": pick(INTS)},
                {"_max_messages_post_size": pick(INTS)},
                {"_default_message_delay": pick(INTS)}, [1], "x"])),
            lambda: ("GET", queue, None),
            lambda: ("DELETE", queue, None),
            lambda: ("GET", "/v2/queues" + query(
                limit=pick(INTS), marker=pick([None, "a", "b", "zz"]),
                detailed=pick(FLAGS), with_count=pick(FLAGS)), None),
            lambda: ("POST", queue + "/messages", pick([
                {"messages": self.messages()}, self.messages(), {}])),
            lambda: ("GET", queue + "/messages" + query(
                limit=pick(INTS), echo=pick(FLAGS),
                include_claimed=pick(FLAGS), include_delayed=pick(FLAGS)),
                None),
            lambda: ("POST", queue + "/claims" + query(limit=pick(INTS)),
                     pick([None, {}, {"ttl": pick(INTS)},
                           {"ttl": pick(INTS), "grace": pick(INTS)}, [1]])),
            lambda: ("DELETE", queue + "/messages/{msg}" + query(
                claim_id=pick([None, "{claim}", "abc",
                               str(uuid.UUID(int=0))])), None),
            lambda: ("DELETE", queue + "/messages" + query(
                pop=pick(INTS), ids=pick([None, "{msg}", "abc", ","])),
                None),
            lambda: ("PATCH", queue + "/claims/{claim}",
                     pick([{}, {"ttl": pick(INTS)},
                           {"ttl": pick(INTS), "grace": pick(INTS)}])),
            lambda: ("DELETE", queue + "/claims/{claim}", None),
            lambda: ("GET", queue + "/claims/{claim}", None),
            lambda: ("GET", queue + "/stats", None),
            lambda: ("POST", queue + "/purge", pick([
                None, {}, {"resource_types": pick([
                    ["messages"], ["subscriptions"], [], ["x"]])}])),
            lambda: ("GET", queue + "/messages/{msg}", None),
        ]
        return (*pick(choices)(), slot)


class Server:
    """One server, with its own project and the ids it handed out."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.project = "wire-" + uuid.uuid4().hex[:8]
        self.given: dict[str, dict[str, list[str]]] = {"msg": {}, "claim": {}}

    def _fill(self, path: str, queue: str, slot: int) -> str:
        for kind, known in self.given.items():
            ids = known.get(queue, [])
            path = path.replace("{" + kind + "}",
                                ids[slot % len(ids)] if ids else "no" + kind)
        return path

    def _names(self) -> dict[str, str]:
        names = {}
        for kind, known in self.given.items():
            for queue, ids in known.items():
                names.update({given: f"<{kind} {queue}#{n}>"
                              for n, given in enumerate(ids)})
        return names

    def send(self, method: str, path: str, body: object, slot: int) -> tuple:
        queue = path.split("?")[0].split("/")[3:4]
        queue = queue[0] if queue else ""
        path = self._fill(path, queue, slot)
        resp = self.session.request(
            method, self.url + path,
            headers={"Client-ID": CLIENT_ID, "X-Project-ID": self.project,
                     "Content-Type": "application/json"},
            data=None if body is None else json.dumps(body))
        try:
            document = resp.json()
        except ValueError:
            document = None
        if resp.status_code == 201 and path.endswith("/messages"):
            self.given["msg"].setdefault(queue, []).extend(
                href.rsplit("/", 1)[1] for href in document["resources"])
        if resp.status_code == 201 and "/claims" in path:
            self.given["claim"].setdefault(queue, []).append(
                resp.headers["Location"].rsplit("/", 1)[1])
        if resp.status_code < 400 or not isinstance(document, dict):
            return (resp.status_code,)
        names = self._names()
        text = json.dumps(document).replace(self.project, "<project>")
        text = NAMED.sub(lambda m: names.get(m.group(0), m.group(0)), text)
        return (resp.status_code,
                IDS.sub(lambda m: names.get(m.group(0), "<id>"), text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", help="URL of one server (e.g. upstream)")
    parser.add_argument("second", help="URL of the other (e.g. ours)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args(argv)
    sequence = Sequence(args.seed)
    first, second = Server(args.first), Server(args.second)
    differences = 0
    for n in range(args.count):
        method, path, body, slot = sequence.request()
        one = first.send(method, path, body, slot)
        other = second.send(method, path, body, slot)
        if one != other:
            differences += 1
            print(f"[{n}] {method} {path} {json.dumps(body)[:120]}")
            print(f"    {args.first}: {one}")
            print(f"    {args.second}: {other}")
    print(f"seed {args.seed}: {differences} of {args.count} answers differ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
