"""Subscriptions on Redis: one hash per subscription that Redis expires
itself (its TTL plus the key expiry margin), indexed per project and
queue by id (ordered listing) and by subscriber (uniqueness). Index
entries of expired subscriptions are ignored on read and removed by the
scripts that meet them and by gc()."""

from __future__ import annotations

import typing
import uuid

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.redis import connection
from zaqar.storage.redis import keys
from zaqar.storage.redis import records

_UPDATABLE = ("subscriber", "ttl", "options")


def _ttl(value: typing.Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("subscription ttl must be a non-negative integer, "
                         f"not {value!r}")
    return value


def _options(value: typing.Any) -> bytes:
    if not isinstance(value, dict):
        raise ValueError("subscription options must be an object, not "
                         f"{type(value).__name__}")
    return records.dump_json(value)


def _subscriber(value: typing.Any) -> bytes:
    if not isinstance(value, str) or not value:
        raise ValueError("a subscriber must be a non-empty string")
    return keys.to_bytes(value)


class SubscriptionController(base.SubscriptionBase):

    def _run(self, name: str, queue: str, project: str | None,
             args: list, now: int | None = None) -> typing.Any:
        return self.driver.subscription_script(name, project, queue, args,
                                               now=now)

    @connection.guarded
    def list(self, queue: str, project: str | None,
             marker: str | None = None, limit: int = 10) -> list[dict]:
        if limit <= 0:
            return []
        now = records.now_ms()
        rows = self._run("subscription_list", queue, project,
                         [keys.to_bytes(marker or ""), int(limit)], now=now)
        found = (records.subscription(row[0], row[1:], now) for row in rows)
        return [sub for sub in found if sub is not None]

    @connection.guarded
    def get(self, queue: str, subscription_id: str,
            project: str | None) -> dict:
        now = records.now_ms()
        fields = self.driver.link.execute(
            b"HMGET", keys.subscription_key(project, queue, subscription_id),
            *records.SUB_FIELDS)
        sub = records.subscription(subscription_id, fields, now)
        if sub is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return sub

    def create(self, queue: str, subscriber: str, ttl: int, options: dict,
               project: str | None) -> str:
        # The id is chosen outside the retry loop: a retry of a create
        # that went through finds its own id and succeeds.
        sid = str(uuid.uuid4())
        args = [sid, keys.to_bytes(queue), _subscriber(subscriber),
                _ttl(ttl), _options(options)]
        code, _ = connection.call(
            self.driver.settings,
            lambda: self._run("subscription_create", queue, project, args))
        if code != 0:
            raise errors.SubscriptionAlreadyExists(subscriber)
        return sid

    @connection.guarded
    def update(self, queue: str, subscription_id: str, project: str | None,
               **fields: typing.Any) -> None:
        # None means "unchanged" (no field may be set to None).
        fields = {k: v for k, v in fields.items() if v is not None}
        unknown = set(fields) - set(_UPDATABLE)
        if unknown:
            raise ValueError("subscriptions have no field(s) "
                             f"{', '.join(sorted(unknown))}")
        args: list = [keys.to_bytes(subscription_id)]
        args += ([1, _subscriber(fields["subscriber"])]
                 if "subscriber" in fields else [0, b""])
        args += [1, _ttl(fields["ttl"])] if "ttl" in fields else [0, 0]
        args += ([1, _options(fields["options"])]
                 if "options" in fields else [0, b""])
        code = self._run("subscription_update", queue, project, args)
        if code == 1:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        if code == 2:
            raise errors.SubscriptionAlreadyExists(fields["subscriber"])

    @connection.guarded
    def delete(self, queue: str, subscription_id: str,
               project: str | None) -> None:
        self._run("subscription_delete", queue, project,
                  [keys.to_bytes(subscription_id)])

    @connection.guarded
    def exists(self, queue: str, subscription_id: str,
               project: str | None) -> bool:
        expires = self.driver.link.execute(
            b"HGET", keys.subscription_key(project, queue, subscription_id),
            b"expires")
        return expires is not None and int(expires) > records.now_ms()

    @connection.guarded
    def get_with_subscriber(self, queue: str, subscriber: str,
                            project: str | None) -> dict | None:
        now = records.now_ms()
        row = self._run("subscription_find", queue, project,
                        [_subscriber(subscriber)], now=now)
        if row is None:
            return None
        return records.subscription(row[0], row[1:], now)

    @connection.guarded
    def confirm(self, queue: str, subscription_id: str, project: str | None,
                confirmed: bool = True) -> None:
        args = [keys.to_bytes(subscription_id), int(bool(confirmed))]
        code = self._run("subscription_confirm", queue, project, args)
        if code != 0:
            raise errors.SubscriptionDoesNotExist(subscription_id)

    @connection.guarded
    def purge(self, queue: str, project: str | None) -> None:
        self._run("subscription_purge", queue, project, [])
