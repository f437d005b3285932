"""The per-request context every layer below the transport receives."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(slots=True)
class RequestContext:
    """Who is asking: the project that scopes the data, the client, roles.

    ``client_id`` is the canonical (lower-case, dashed) form when the
    client sent a UUID, so echo filtering compares like with like.
    """

    project_id: str | None = None
    client_id: str | None = None
    roles: tuple[str, ...] = ()
    request_id: str | None = None
    auth_token: str | None = None
    user_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles
