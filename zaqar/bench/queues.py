"""The queues of one run: unique names, created before the clock starts
and deleted afterwards."""

from __future__ import annotations

import uuid

from zaqar.bench import client as bench_client
from zaqar.bench.settings import Settings


class SetupError(Exception):
    """The server could not be prepared for the run."""


def names(count: int, run_id: str | None = None) -> list[str]:
    run_id = run_id or uuid.uuid4().hex[:10]
    return [f"bench-{run_id}-{index}" for index in range(count)]


def create(settings: Settings, queues: list[str]) -> None:
    _each(settings, queues, "PUT", (201, 204), "create")


def delete(settings: Settings, queues: list[str]) -> None:
    _each(settings, queues, "DELETE", (204,), "delete")


def _each(settings: Settings, queues: list[str], method: str,
          expect: tuple[int, ...], what: str) -> None:
    client = settings.client()
    try:
        for name in queues:
            path = f"{client.prefix}/v2/queues/{name}"
            try:
                response = client.request(method, path, b"{}"
                                          if method == "PUT" else None)
            except bench_client.RequestFailed as exc:
                raise SetupError(f"cannot {what} queue {name} at "
                                 f"{settings.server_url}: {exc}") from None
            if response.status not in expect:
                raise SetupError(f"cannot {what} queue {name} at "
                                 f"{settings.server_url}: "
                                 f"{response.describe()}")
    finally:
        client.close()
