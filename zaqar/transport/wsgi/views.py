"""JSON representations shared by the REST versions (they differ only in
the path prefix and in the few places their modules override)."""

from __future__ import annotations

import hashlib
import json
import time
import typing


def checksum(body: typing.Any) -> str:
    return "MD5:" + hashlib.md5(json.dumps(body).encode()).hexdigest()


def iso_utc(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


class Views:
    """Representations under one path prefix (``/v2``, ``/v1.1``...)."""

    def __init__(self, prefix: str, with_checksum: bool = False):
        self.prefix = prefix
        self.with_checksum = with_checksum

    def queue_href(self, queue: str) -> str:
        return f"{self.prefix}/queues/{queue}"

    def message_href(self, queue: str, message: dict) -> str:
        href = f"{self.prefix}/queues/{queue}/messages/{message['id']}"
        if message.get("claim_id"):
            href += f"?claim_id={message['claim_id']}"
        return href

    def message(self, queue: str, message: dict) -> dict:
        view = {"id": message["id"],
                "href": self.message_href(queue, message),
                "ttl": message["ttl"], "age": message["age"],
                "body": message["body"]}
        if self.with_checksum:
            view["checksum"] = checksum(message["body"])
        return view

    def claimed(self, queue: str, message: dict) -> dict:
        """A message in a claim's answer (v1 shows the claim only there)."""
        return self.message(queue, message)

    def popped(self, message: dict) -> dict:
        view = {"id": message["id"], "age": message["age"],
                "ttl": message["ttl"], "body": message["body"],
                "claim_id": message.get("claim_id"),
                "claim_count": message.get("claim_count", 0)}
        if self.with_checksum:  # last, as upstream
            view["checksum"] = checksum(message["body"])
        return view

    def stats_message(self, queue: str, message: dict) -> dict:
        view = {"age": message["age"], "ttl": message["ttl"],
                "body": message["body"], "claim_id": message.get("claim_id"),
                "claim_count": message.get("claim_count", 0)}
        if self.with_checksum:
            view["checksum"] = checksum(message["body"])
        view["created"] = iso_utc(message["created"])
        view["href"] = (f"{self.prefix}/queues/{queue}/messages/"
                        f"{message['id']}")
        return view

    def stats(self, queue: str, stats: dict) -> dict:
        messages = {"claimed": stats["claimed"], "free": stats["free"],
                    "total": stats["total"]}
        for key in ("newest", "oldest"):
            if stats.get(key):
                messages[key] = self.stats_message(queue, stats[key])
        return {"messages": messages}

    def claim_href(self, queue: str, claim_id: str) -> str:
        return f"{self.prefix}/queues/{queue}/claims/{claim_id}"
