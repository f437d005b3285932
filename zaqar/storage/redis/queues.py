"""Queues on Redis: a metadata hash per queue and a name index per
project (a sorted set whose members all score 0, so ZRANGEBYLEX walks
names in byte order and positions any marker, stored or not)."""

from __future__ import annotations

import typing

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.redis import connection
from zaqar.storage.redis import keys
from zaqar.storage.redis import records

_SCAN_BATCH = 100


def _whole_number(value: typing.Any) -> int | None:
    """``value`` as an int when it is a non-zero whole number (a JSON
    ``true`` counts as 1), else None."""
    if isinstance(value, bool):
        return 1 if value else None
    if isinstance(value, int):
        return value or None
    if isinstance(value, float) and value.is_integer() and value:
        return int(value)
    return None


def metadata_args(metadata: base.Metadata | None) -> list[bytes]:
    """Arguments of ``set_metadata`` in common.lua: the JSON plus the
    dead-letter settings in force (both _max_claim_count and
    _dead_letter_queue set, as Python truth values)."""
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ValueError("queue metadata must be a JSON object, not "
                         f"{type(metadata).__name__}")
    max_count = _whole_number(metadata.get(base.MAX_CLAIM_COUNT))
    dlq = metadata.get(base.DEAD_LETTER_QUEUE)
    if max_count is None or not isinstance(dlq, str) or not dlq:
        return [records.dump_json(metadata), b"", b"", b""]
    dlq_ttl = _whole_number(metadata.get(base.DEAD_LETTER_QUEUE_MESSAGES_TTL))
    return [records.dump_json(metadata), b"%d" % max_count,
            keys.to_bytes(dlq), b"" if dlq_ttl is None else b"%d" % dlq_ttl]


def _same(a: typing.Any, b: typing.Any) -> bool:
    """JSON equality: true is not 1, unlike in Python."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _candidates(wanted: typing.Any) -> list[typing.Any]:
    """Filter values come from query strings: "5" also means 5."""
    if isinstance(wanted, str):
        try:
            return [wanted, int(wanted)]
        except ValueError:
            pass
    return [wanted]


def _matches(metadata: base.Metadata, filters: base.Metadata) -> bool:
    return all(key in metadata
               and any(_same(metadata[key], c) for c in _candidates(value))
               for key, value in filters.items())


class QueueController(base.QueueBase):

    @connection.guarded
    def list(self, project: str | None, marker: str | None = None,
             limit: int = 10, detailed: bool = False,
             name: str | None = None,
             filters: base.Metadata | None = None) -> list[dict]:
        client = self.driver.client
        index = keys.queue_index(project)
        start = b"(" + keys.to_bytes(marker) if marker else b"-"
        need_meta = detailed or bool(filters)
        filtering = bool(name) or bool(filters)
        batch = max(limit, _SCAN_BATCH) if filtering else limit
        out: list[dict] = []
        while len(out) < limit:
            names = client.zrangebylex(index, start, b"+", 0, batch)
            if not names:
                break
            start = b"(" + names[-1]
            decoded = [keys.from_bytes(n) for n in names]
            if name:
                decoded = [n for n in decoded if name in n]
            metas: list[bytes | None] = [None] * len(decoded)
            if need_meta and decoded:
                pipe = client.pipeline(transaction=False)
                for queue in decoded:
                    pipe.hget(keys.queue_base(project, queue), b"meta")
                metas = pipe.execute()
            for queue, raw in zip(decoded, metas):
                item: dict[str, typing.Any] = {"name": queue}
                if need_meta:
                    if raw is None:  # deleted meanwhile
                        continue
                    metadata = records.load_json(raw)
                    if filters and not _matches(metadata, filters):
                        continue
                    if detailed:
                        item["metadata"] = metadata
                out.append(item)
                if len(out) == limit:
                    break
            if len(names) < batch:
                break
        return out

    @connection.guarded
    def count(self, project: str | None) -> int:
        return self.driver.client.zcard(keys.queue_index(project))

    @connection.guarded
    def create(self, name: str, project: str | None,
               metadata: base.Metadata | None = None) -> bool:
        args = [keys.to_bytes(name)] + metadata_args(metadata)
        created = self.driver.queue_script("queue_create", project, name,
                                           args)
        return created == 1

    @connection.guarded
    def exists(self, name: str, project: str | None) -> bool:
        return self.driver.link.execute(
            b"EXISTS", keys.queue_base(project, name)) == 1

    @connection.guarded
    def get_metadata(self, name: str, project: str | None) -> base.Metadata:
        raw = self.driver.link.execute(b"HGET",
                                       keys.queue_base(project, name),
                                       b"meta")
        if raw is None:
            raise errors.QueueDoesNotExist(name, project)
        return records.load_json(raw)

    @connection.guarded
    def set_metadata(self, name: str, metadata: base.Metadata,
                     project: str | None) -> None:
        if not self.driver.queue_script("queue_set_metadata", project,
                                        name, metadata_args(metadata)):
            raise errors.QueueDoesNotExist(name, project)

    @connection.guarded
    def delete(self, name: str, project: str | None) -> None:
        self.driver.queue_script("queue_delete", project, name,
                                 [keys.to_bytes(name)])

    @connection.guarded
    def stats(self, name: str, project: str | None) -> dict:
        now = records.now_ms()
        res = self.driver.queue_script("queue_stats", project, name, [],
                                       now=now)
        if res is None:
            raise errors.QueueDoesNotExist(name, project)
        total, claimed = int(res[0]), int(res[1])
        out: dict[str, typing.Any] = {"claimed": claimed,
                                      "free": total - claimed,
                                      "total": total}
        if total > 0:
            out["oldest"] = records.message(*res[2], now)
            out["newest"] = records.message(*res[3], now)
        return out
