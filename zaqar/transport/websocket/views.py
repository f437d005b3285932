"""Websocket representations: the HTTP ones without ``href``/``links``,
messages carrying ``id`` and ``claim_id``."""

from __future__ import annotations

import time


def _iso_utc(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def queue(item: dict, detailed: bool) -> dict:
    view = {"name": item["name"]}
    if detailed:
        view["metadata"] = item.get("metadata") or {}
    return view


def message(record: dict, claim_id: str | None = None) -> dict:
    """``claim_id`` is shown only in claim answers (null in listings)."""
    return {"id": record["id"], "claim_id": claim_id, "ttl": record["ttl"],
            "age": record["age"], "body": record["body"]}


def popped(record: dict) -> dict:
    return {"id": record["id"], "age": record["age"], "ttl": record["ttl"],
            "body": record["body"], "claim_id": record.get("claim_id"),
            "claim_count": record.get("claim_count", 0)}


def _stats_message(record: dict) -> dict:
    return {"id": record["id"], "age": record["age"], "ttl": record["ttl"],
            "body": record["body"], "claim_id": record.get("claim_id"),
            "claim_count": record.get("claim_count", 0),
            "created": _iso_utc(record["created"])}


def stats(stats: dict) -> dict:
    messages = {"claimed": stats["claimed"], "free": stats["free"],
                "total": stats["total"]}
    for key in ("newest", "oldest"):
        if stats.get(key):
            messages[key] = _stats_message(stats[key])
    return {"messages": messages}


def subscription(record: dict) -> dict:
    return {"id": record["id"], "source": record["source"],
            "subscriber": record["subscriber"], "ttl": record["ttl"],
            "age": record["age"], "options": record["options"],
            "confirmed": record["confirmed"]}
