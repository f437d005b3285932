"""The one place that decides whether a frame may proceed.

``Gate.admit`` sees every decoded frame before its action is looked up
or validated, with the connection's ``Session`` (whose ``identity``
attribute is free for the gate to remember who authenticated). It
returns None to let the frame through, or the ``Reply`` to answer
instead (e.g. 403 ``{"error": "Not authentified."}``).

Without an auth strategy (``[DEFAULT] auth_strategy`` empty) there is no
authentication: ``X-Project-ID`` and ``Client-ID`` are taken as given,
every frame proceeds, and ``authenticate`` is not an action (400
``"authenticate is not a valid action"``).

The keystone strategy belongs here (``doc/websocket.rst``): token checks
for ``authenticate`` (an action the gate answers itself), the per-frame
project check once authenticated, and signed requests (``URL-*``
headers) for the message actions. Until it exists, a server configured
with a strategy this transport cannot enforce refuses to start rather
than serve unauthenticated.
"""

from __future__ import annotations

import typing

from zaqar.transport.websocket.frames import Reply, Request


class UnsupportedStrategy(RuntimeError):
    pass


class Gate:
    def __init__(self, conf: typing.Any):
        self.strategy = conf.auth_strategy or None
        if self.strategy is not None:
            raise UnsupportedStrategy(
                f"auth_strategy {self.strategy!r} is not supported by the "
                "websocket transport; leave it empty or serve HTTP")

    def admit(self, session: typing.Any, request: Request) -> Reply | None:
        """None: the frame proceeds; a Reply: answered instead."""
        return None
