"""The Redis key layout (``doc/storage-redis.rst`` draws it).

Every project id and queue name enters a key as ``<byte length>:<bytes>``
(``-`` stands for the ``None`` project), so any character is allowed and no
key can be mistaken for another; names are never parsed back out of keys.
The Lua scripts derive a queue's sub-keys from its base key with the same
suffixes (``scripts/common.lua``), so the two lists must agree.
"""

from __future__ import annotations

import functools

ROOT = b"zaqar"
# Sets of base keys that gc() walks.
QUEUE_REGISTRY = ROOT + b":registry:queues"
SUBSCRIPTION_REGISTRY = ROOT + b":registry:subscriptions"

# Sub-keys of a queue base key (see common.lua ``queue_keys``).
QUEUE_SUFFIXES = (b":msgs", b":unclaimed", b":free", b":delayed",
                  b":expires", b":bodies", b":states", b":claims",
                  b":claim_expires", b":gone")
# Sub-keys of a subscription base key (per-subscription keys are
# ``<base>:sub:<id>``).
SUBSCRIPTION_SUFFIXES = (b":ids", b":subscribers")


def to_bytes(text: str) -> bytes:
    """UTF-8 that never fails, even on lone surrogates."""
    return text.encode("utf-8", "surrogatepass")


def from_bytes(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogatepass")


def component(text: str | None) -> bytes:
    """A length-prefixed key component; ``None`` is ``-``."""
    if text is None:
        return b"-"
    raw = to_bytes(text)
    return b"%d:%s" % (len(raw), raw)


# Pure functions of their arguments, called on every operation: cached.
@functools.lru_cache(maxsize=4096)
def project_prefix(project: str | None) -> bytes:
    return ROOT + b":p:" + component(project)


def queue_index(project: str | None) -> bytes:
    """Sorted set of the project's queue names (all scores 0)."""
    return project_prefix(project) + b":queues"


@functools.lru_cache(maxsize=4096)
def queue_base(project: str | None, queue: str) -> bytes:
    """Hash holding the queue's metadata; prefix of its other keys."""
    return project_prefix(project) + b":q:" + component(queue)


def queue_keys(project: str | None, queue: str) -> list[bytes]:
    """Every key a queue can own."""
    base = queue_base(project, queue)
    return [base] + [base + suffix for suffix in QUEUE_SUFFIXES]


def subscription_base(project: str | None, queue: str) -> bytes:
    return project_prefix(project) + b":s:" + component(queue)


def subscription_key(project: str | None, queue: str,
                     subscription_id: str) -> bytes:
    return (subscription_base(project, queue) + b":sub:"
            + to_bytes(subscription_id))
