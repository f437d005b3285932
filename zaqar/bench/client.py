"""A small keep-alive HTTP client for one worker thread.

``http.client`` directly (no requests): the benchmark shares the machine's
cores with the server, so the client must spend as little CPU per request
as it can.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.parse
import uuid

# A reused keep-alive connection that the server closed meanwhile fails
# with one of these before any byte of the request was handled.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError,
          BrokenPipeError)


class RequestFailed(Exception):
    """The request got no HTTP answer (refused, reset, timed out...)."""


class Response:
    __slots__ = ("status", "body", "latency")

    def __init__(self, status: int, body: bytes, latency: float):
        self.status = status
        self.body = body
        self.latency = latency

    def describe(self) -> str:
        """Short text for error reports: status and start of the body."""
        text = self.body[:160].decode("utf-8", "replace")
        return f"HTTP {self.status} {text}".strip()


def parse_server_url(url: str) -> urllib.parse.SplitResult:
    """Check ``--server-url`` (http or https, a host, no query)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"server URL must look like http://host:port, not {url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"server URL must have no query or fragment: {url!r}")
    try:
        parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in server URL {url!r}: {exc}") from None
    return parts


class Client:
    """One persistent connection with the Zaqar headers of one client."""

    def __init__(self, server_url: str, project_id: str,
                 timeout: float = 30.0, client_id: str | None = None):
        parts = parse_server_url(server_url)
        cls = (http.client.HTTPSConnection if parts.scheme == "https"
               else http.client.HTTPConnection)
        self._conn = cls(parts.hostname, parts.port, timeout=timeout)
        self.prefix = parts.path.rstrip("/")
        self._used = False
        self.headers = {
            "Client-ID": client_id or str(uuid.uuid4()),
            "X-Project-ID": project_id,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def request(self, method: str, path: str,
                body: bytes | None = None) -> Response:
        """Send one request and read the whole answer; latency covers
        sending the request to reading the last byte."""
        try:
            return self._attempt(method, path, body)
        except _STALE:
            if not self._used:
                self.close()
                raise RequestFailed("connection closed by the server")
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise RequestFailed(_reason(exc)) from None
        # The server closed an idle keep-alive connection: one new try.
        self.close()
        try:
            return self._attempt(method, path, body)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise RequestFailed(_reason(exc)) from None

    def _attempt(self, method: str, path: str,
                 body: bytes | None) -> Response:
        start = time.perf_counter()
        self._conn.request(method, path, body=body, headers=self.headers)
        answer = self._conn.getresponse()
        data = answer.read()
        latency = time.perf_counter() - start
        self._used = not answer.will_close
        if answer.will_close:
            self.close()
        return Response(answer.status, data, latency)

    def connect(self) -> None:
        """Open the connection now rather than on the first request (the
        server may close it while idle: the first request then retries)."""
        self._conn.connect()
        self._used = True

    def close(self) -> None:
        self._conn.close()
        self._used = False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
