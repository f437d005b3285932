"""The internal notification listener: how notifications reach subscribed
connections.

A connection that subscribes itself is stored with the subscriber
``http://<host>:<port>/<connection id>``, an ordinary webhook URL, so the
notifier delivers to it like to any webhook: ``POST /<connection id>``
with a JSON body and a ``Content-Length``. The listener answers
``HTTP/1.0 200 OK`` once the body was handed to the connection, ``404``
when no such connection is open here, ``405`` for other methods, ``400``
without a length or a JSON body, and closes every exchange. It is plain
asyncio (no thread, no framework): this is not a public API.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import typing

LOG = logging.getLogger(__name__)

# deliver(connection id, JSON text, parsed document) -> delivered?
Deliver = typing.Callable[[str, str, typing.Any], typing.Awaitable[bool]]

READ_TIMEOUT = 30
MAX_HEAD = 16384

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found",
            405: "Not Allowed", 413: "Request Entity Too Large"}


def advertised_host(bind: str | None) -> str:
    """The host part of subscriber URLs: the bind address, or the host
    name when the listener binds every interface."""
    host = bind or socket.gethostname()
    return f"[{host}]" if ":" in host else host


class Listener:
    def __init__(self, deliver: Deliver, max_body: int):
        self._deliver = deliver
        self._max_body = max_body
        self._server: asyncio.Server | None = None

    async def start(self, bind: str | None, port: int) -> int:
        """Listen; returns the port. ``bind`` None means every IPv4
        interface (one socket, so a free port picked with 0 is the same
        for every address)."""
        self._server = await asyncio.start_server(
            self._serve, bind or "0.0.0.0", port, limit=MAX_HEAD)
        return self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        try:
            status = await asyncio.wait_for(self._exchange(reader),
                                            READ_TIMEOUT)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError, ValueError, ConnectionError):
            status = 400
        try:
            writer.write(f"HTTP/1.0 {status} {_REASONS[status]}\r\n"
                         "Content-Length: 0\r\n"
                         "Connection: close\r\n\r\n".encode())
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader) -> int:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return 400
        method, target, _ = parts
        if method != "POST":
            return 405
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = value.strip()
        if length is None or not length.isdigit():
            return 400
        if int(length) > self._max_body:
            return 413
        data = await reader.readexactly(int(length))
        try:
            text = data.decode("utf-8")
            document = json.loads(text)
        except ValueError:
            return 400
        connection_id = target.split("?", 1)[0].strip("/")
        if await self._deliver(connection_id, text, document):
            return 200
        return 404
