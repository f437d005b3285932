"""The state of one websocket connection.

A connection is served one frame at a time, so only its own handler
changes this state; the notification listener only reads it.
"""

from __future__ import annotations

import dataclasses
import uuid


@dataclasses.dataclass(frozen=True)
class OwnSubscription:
    """A subscription whose subscriber is this connection."""

    project: str | None
    queue: str
    subscription_id: str


class Session:
    """``subscriber`` is the internal URL the notifier posts to for this
    connection; ``push_binary`` whether pushed notifications are sent as
    MessagePack (the encoding of the last successful subscribing frame)."""

    def __init__(self, listener_url: str):
        self.id = str(uuid.uuid4())
        self.subscriber = f"{listener_url}/{self.id}"
        self.push_binary = False
        self.subscriptions: list[OwnSubscription] = []
        # Free for the authentication gate (who authenticated, until when).
        self.identity: object | None = None

    def subscribed(self, project: str | None, queue: str,
                   subscription_id: str, binary: bool) -> None:
        self.subscriptions.append(
            OwnSubscription(project, queue, subscription_id))
        self.push_binary = binary
