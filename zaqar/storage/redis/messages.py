"""Messages on Redis: every change is one Lua script (one round trip);
reads by id are one pipelined round trip. Ids are UUID4 strings, looked
up only inside the queue's own hashes, so they are scoped to queue and
project."""

from __future__ import annotations

import typing

from zaqar.common import ids as common_ids
from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.redis import connection
from zaqar.storage.redis import keys
from zaqar.storage.redis import records


def _whole(message: dict, field: str, default: int | None) -> int:
    value = message.get(field)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"message {field} must be an integer, not "
                         f"{value!r}")
    return value


def _post_args(ids: list[str], messages: list[dict]) -> list:
    args: list = []
    for mid, message in zip(ids, messages):
        if not isinstance(message, dict) or "body" not in message:
            raise ValueError("each message must be an object with a body")
        args += [mid, records.dump_json(message["body"]),
                 _whole(message, "ttl", None),
                 max(0, _whole(message, "delay", 0))]
    return args


def _replies(replies: list) -> list:
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    return replies


class MessageController(base.MessageBase):

    def post(self, queue: str, messages: list[dict], project: str | None,
             client_uuid: str | None) -> list[str]:
        # Ids are chosen once, outside the retry loop: a retried post
        # finds its first id stored and stores nothing twice.
        ids = common_ids.new_uuid4s(len(messages))
        client = b"" if client_uuid is None else keys.to_bytes(
            str(client_uuid))
        args = [keys.to_bytes(queue), client] + _post_args(ids, messages)
        connection.call(
            self.driver.settings,
            lambda: self.driver.queue_script("message_post", project, queue,
                                             args))
        return ids

    @connection.guarded
    def list(self, queue: str, project: str | None,
             client_uuid: str | None = None, marker: str | None = None,
             limit: int = 10, echo: bool = False,
             include_claimed: bool = False,
             include_delayed: bool = False) -> list[base.Message]:
        if limit <= 0:
            return []
        now = records.now_ms()
        skip = b"" if echo or client_uuid is None else keys.to_bytes(
            str(client_uuid))
        flat = self.driver.queue_script(
            "message_list", project, queue,
            [keys.to_bytes(marker or ""), int(limit), skip,
             int(bool(include_claimed)), int(bool(include_delayed))],
            now=now)
        return records.messages(flat, now)

    @connection.guarded
    def get(self, queue: str, message_id: str,
            project: str | None) -> base.Message:
        now = records.now_ms()
        qbase = keys.queue_base(project, queue)
        mid = keys.to_bytes(message_id)
        exists, state, body = _replies(self.driver.link.pipeline([
            (b"EXISTS", qbase), (b"HGET", qbase + b":states", mid),
            (b"HGET", qbase + b":bodies", mid)]))
        if not exists:
            raise errors.QueueDoesNotExist(queue, project)
        if not records.is_live(state, now) or body is None:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return records.message(message_id, state, body, now)

    @connection.guarded
    def bulk_get(self, queue: str, message_ids: list[str],
                 project: str | None) -> list[base.Message]:
        if not message_ids:
            return []
        now = records.now_ms()
        qbase = keys.queue_base(project, queue)
        mids = [keys.to_bytes(m) for m in message_ids]
        states, bodies = _replies(self.driver.link.pipeline([
            (b"HMGET", qbase + b":states", *mids),
            (b"HMGET", qbase + b":bodies", *mids)]))
        return [records.message(mid, state, body, now)
                for mid, state, body in zip(message_ids, states, bodies)
                if body is not None and records.is_live(state, now)]

    @connection.guarded
    def delete(self, queue: str, message_id: str, project: str | None,
               claim: str | None = None) -> None:
        code = self.driver.queue_script(
            "message_delete", project, queue,
            [keys.to_bytes(message_id), keys.to_bytes(claim or "")])
        if code == 1:
            raise errors.MessageIsClaimed(message_id)
        if code == 2:
            raise errors.MessageIsClaimedBy(message_id, typing.cast(str,
                                                                    claim))
        if code == 3:
            raise errors.ClaimDoesNotExist(typing.cast(str, claim), queue,
                                           project)
        if code == 4:
            raise errors.MessageNotClaimed(message_id)

    @connection.guarded
    def bulk_delete(self, queue: str, message_ids: list[str],
                    project: str | None,
                    claim_ids: list[str] | None = None) -> None:
        if not message_ids:
            return
        checked = claim_ids is not None
        args = ([len(message_ids), int(checked)]
                + [keys.to_bytes(m) for m in message_ids]
                + [keys.to_bytes(c) for c in claim_ids or ()])
        res = self.driver.queue_script("message_bulk_delete", project, queue,
                                       args)
        code = int(res[0])
        if code == 4:
            raise errors.MessageNotClaimed(keys.from_bytes(res[1]))
        if code == 2:
            raise errors.MessageIsClaimedBy(keys.from_bytes(res[1]),
                                            ",".join(claim_ids or ()))

    @connection.guarded_once
    def pop(self, queue: str, limit: int,
            project: str | None) -> list[base.Message]:
        if limit <= 0:
            return []
        now = records.now_ms()
        flat = self.driver.queue_script("message_pop", project, queue,
                                        [int(limit)], now=now)
        popped = records.messages(flat, now)
        if popped:
            claim_id = common_ids.new_uuid4()
            for message in popped:
                message["claim_id"] = claim_id
        return popped

    @connection.guarded
    def purge(self, queue: str, project: str | None) -> None:
        self.driver.queue_script("queue_purge", project, queue, [])
