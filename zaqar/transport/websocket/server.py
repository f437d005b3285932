"""The event loop side: connections, their frames, pushed notifications.

Each connection is one coroutine reading frames and sending replies in
order; the work on a frame (decoding, storage, encoding) runs in a shared
thread pool, so slow storage never stalls other connections and an idle
connection costs a coroutine, not a thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import typing

import msgpack
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from zaqar.transport.websocket import auth
from zaqar.transport.websocket.dispatch import Dispatcher
from zaqar.transport.websocket.session import Session

LOG = logging.getLogger(__name__)

PUSH_TIMEOUT = 10


class ConnectionHandler:
    """``listener_url`` (the notification listener's base URL) must be set
    before the first connection is served."""

    def __init__(self, dispatcher: Dispatcher,
                 executor: concurrent.futures.Executor):
        self._dispatcher = dispatcher
        self._executor = executor
        self.listener_url = ""
        self._open: dict[str, tuple[Session, ServerConnection]] = {}

    async def serve(self, websocket: ServerConnection) -> None:
        """The websockets handler of one connection."""
        loop = asyncio.get_running_loop()
        session = Session(self.listener_url)
        self._open[session.id] = (session, websocket)
        expiry = auth.ExpiryWatch(websocket)
        try:
            async for data in websocket:
                answer = await loop.run_in_executor(
                    self._executor, self._dispatcher.answer, data, session)
                await websocket.send(answer, text=isinstance(data, str))
                expiry.follow(session.identity)
        except ConnectionClosed:
            pass
        finally:
            expiry.cancel()
            del self._open[session.id]
            if session.subscriptions:
                await loop.run_in_executor(
                    self._executor, self._dispatcher.close, session)

    async def push(self, connection_id: str, text: str,
                   document: typing.Any) -> bool:
        """Send a notification to an open connection, in the encoding of
        its subscription; False when it is not open (anymore)."""
        found = self._open.get(connection_id)
        if found is None:
            return False
        session, websocket = found
        if session.push_binary:
            data: str | bytes = msgpack.packb(document, use_bin_type=True)
        else:
            data = text
        try:
            await asyncio.wait_for(websocket.send(data), PUSH_TIMEOUT)
        except (ConnectionClosed, asyncio.TimeoutError):
            return False
        return True
