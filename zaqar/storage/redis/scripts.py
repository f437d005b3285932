"""The Lua scripts (``scripts/*.lua``), run by their SHA-1.

Each script is ``common.lua`` followed by the script's own file, and is
run with EVALSHA through a ``connection.Link`` (one round trip); a server
that does not know the script (new or restarted) gets it with EVAL,
which also caches it there. See ``common.lua`` for the calling
convention.
"""

from __future__ import annotations

import functools
import hashlib
import pathlib
import typing

from redis import exceptions as redis_errors

from zaqar.storage.redis import connection

_DIR = pathlib.Path(__file__).with_name("scripts")

NAMES = (
    "queue_create", "queue_set_metadata", "queue_delete", "queue_purge",
    "queue_stats", "gc_queue",
    "message_post", "message_list", "message_delete", "message_bulk_delete",
    "message_pop",
    "claim_create", "claim_get", "claim_renew", "claim_release",
    "subscription_create", "subscription_update", "subscription_confirm",
    "subscription_delete", "subscription_purge", "subscription_list",
    "subscription_find", "gc_subscriptions",
)


@functools.lru_cache(maxsize=None)
def source(name: str) -> str:
    """The full text of a script as sent to Redis (read once per
    process: the pooling layer builds a driver per pool)."""
    common = (_DIR / "common.lua").read_text(encoding="utf-8")
    own = (_DIR / f"{name}.lua").read_text(encoding="utf-8")
    return f"{common}\n-- {name}.lua\n{own}"


class Scripts:
    """Every script, run on one ``Link``."""

    def __init__(self, link: connection.Link):
        self._link = link
        self._text = {name: source(name).encode("utf-8") for name in NAMES}
        self._sha = {name: hashlib.sha1(text).hexdigest().encode("ascii")
                     for name, text in self._text.items()}

    def run(self, name: str, keys: typing.Sequence[bytes],
            args: typing.Sequence[typing.Any]) -> typing.Any:
        try:
            return self._link.execute(b"EVALSHA", self._sha[name],
                                      len(keys), *keys, *args)
        except redis_errors.NoScriptError:
            return self._link.execute(b"EVAL", self._text[name],
                                      len(keys), *keys, *args)

    def run_many(self, name: str,
                 calls: typing.Sequence[tuple[typing.Sequence[bytes],
                                              typing.Sequence[typing.Any]]]
                 ) -> list:
        """The same script once per ``(keys, args)``, in one pipeline;
        raises the first error reply."""
        replies = self._link.pipeline(
            [(b"EVALSHA", self._sha[name], len(k), *k, *a)
             for k, a in calls])
        missing = [i for i, reply in enumerate(replies)
                   if isinstance(reply, redis_errors.NoScriptError)]
        if missing:
            # The server forgot the script: run those calls with its text.
            again = self._link.pipeline(
                [(b"EVAL", self._text[name], len(calls[i][0]),
                  *calls[i][0], *calls[i][1]) for i in missing])
            for i, reply in zip(missing, again):
                replies[i] = reply
        for reply in replies:
            if isinstance(reply, redis_errors.ResponseError):
                raise reply
        return replies
