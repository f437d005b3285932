"""Retries after dropped connections and mapping of MongoDB errors.

Every public controller method is wrapped: ``AutoReconnect`` (a dropped
socket, a primary stepping down) is retried with a growing, jittered pause
up to ``max_reconnect_attempts`` times; a server that cannot be selected at
all, or retries that ran out, become ``errors.ConnectionError``; any other
driver failure becomes ``errors.StorageError`` so the transport answers 503.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import random
import time
import typing

from pymongo import errors as mongo_errors

from zaqar.storage import errors

LOG = logging.getLogger(__name__)

_FIRST_SLEEP = 0.01


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 10
    max_sleep: float = 1.0
    max_jitter: float = 0.05

    def pause(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        base = min(self.max_sleep, _FIRST_SLEEP * 2 ** (attempt - 1))
        return base + random.uniform(0, self.max_jitter)


def call(policy: RetryPolicy, fn: typing.Callable[[], typing.Any]
         ) -> typing.Any:
    """Run ``fn`` under ``policy``, mapping errors as described above."""
    attempt = 0
    while True:
        try:
            return fn()
        except mongo_errors.ServerSelectionTimeoutError as exc:
            # pymongo already waited serverSelectionTimeoutMS for a server.
            raise errors.ConnectionError(
                f"MongoDB is not reachable: {exc}") from exc
        except mongo_errors.AutoReconnect as exc:
            attempt += 1
            if attempt > policy.attempts:
                raise errors.ConnectionError(
                    f"MongoDB connection lost {attempt} times, giving up: "
                    f"{exc}") from exc
            pause = policy.pause(attempt)
            LOG.warning("MongoDB connection lost (%s); retry %d/%d in "
                        "%.3f s", exc, attempt, policy.attempts, pause)
            time.sleep(pause)
        except mongo_errors.ConnectionFailure as exc:
            raise errors.ConnectionError(
                f"MongoDB connection failed: {exc}") from exc
        except mongo_errors.PyMongoError as exc:
            raise errors.StorageError(f"MongoDB error: {exc}") from exc


F = typing.TypeVar("F", bound=typing.Callable[..., typing.Any])


def retried(method: F) -> F:
    """Decorate a controller method (``self.driver.retry_policy`` used)."""

    @functools.wraps(method)
    def wrapper(self: typing.Any, *args: typing.Any,
                **kwargs: typing.Any) -> typing.Any:
        return call(self.driver.retry_policy,
                    lambda: method(self, *args, **kwargs))

    return typing.cast(F, wrapper)
