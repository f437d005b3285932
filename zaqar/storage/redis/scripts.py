"""The Lua scripts (``scripts/*.lua``), registered once per client.

Each script is ``common.lua`` followed by the script's own file, and is
run with EVALSHA (redis-py loads it again if the server forgot it). See
``common.lua`` for the calling convention.
"""

from __future__ import annotations

import functools
import pathlib
import typing

import redis
from redis.commands.core import Script

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
    """Every script, registered on one client; ``run`` executes one (on
    a pipeline when ``client`` is given)."""

    def __init__(self, client: redis.Redis):
        self._scripts: dict[str, Script] = {
            name: client.register_script(source(name)) for name in NAMES}

    def run(self, name: str, keys: typing.Sequence[bytes],
            args: typing.Sequence[typing.Any],
            client: typing.Any = None) -> typing.Any:
        return self._scripts[name](keys=list(keys), args=list(args),
                                   client=client)
