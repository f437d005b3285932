"""A small keep-alive HTTP/1.1 client for one worker thread.

The benchmark shares the machine's cores with the server it measures, so
the client must spend as little CPU per request as it can. ``http.client``
costs about as much per request as a fast server does (it parses every
answer's headers with the ``email`` package), so this client speaks the
little HTTP/1.1 a Zaqar answer needs over a plain socket: the request in
one ``send``, the answer framed by ``Content-Length`` or chunked encoding
(or by the server closing the connection), keep-alive unless the server
says ``Connection: close``.
"""

from __future__ import annotations

import socket
import ssl
import time
import urllib.parse
import uuid

_HEAD_END = b"\r\n\r\n"
_READ_SIZE = 65536
# The answer to these carries no body whatever its headers say.
_NO_BODY = frozenset((204, 304))


class RequestFailed(Exception):
    """The request got no HTTP answer (refused, reset, timed out...)."""


class _Stale(Exception):
    """A reused connection was closed by the server before it answered."""


class _BadAnswer(Exception):
    """The bytes received are not an HTTP/1.x answer this client reads."""


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
                 timeout: float = 30.0, client_id: str | None = None,
                 auth_token: str | None = None):
        parts = parse_server_url(server_url)
        self._tls = parts.scheme == "https"
        self._address = (parts.hostname,
                         parts.port or (443 if self._tls else 80))
        self._timeout = timeout
        self.prefix = parts.path.rstrip("/")
        host = parts.netloc.rpartition("@")[2]
        self._headers = (
            f"Host: {host}\r\n"
            f"Client-ID: {client_id or uuid.uuid4()}\r\n"
            f"X-Project-ID: {project_id}\r\n"
            "Accept: application/json\r\n"
            "Content-Type: application/json\r\n"
            + (f"X-Auth-Token: {auth_token}\r\n" if auth_token else "")
            ).encode("latin-1")
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._used = False

    def request(self, method: str, path: str,
                body: bytes | None = None) -> Response:
        """Send one request and read the whole answer; latency covers
        sending the request to reading the last byte."""
        message = self._message(method, path, body)
        try:
            return self._attempt(message, method)
        except _Stale:
            # The server closed an idle keep-alive connection: one new try.
            self.close()
        except (OSError, _BadAnswer) as exc:
            self.close()
            raise RequestFailed(_reason(exc)) from None
        try:
            return self._attempt(message, method)
        except _Stale:
            self.close()
            raise RequestFailed("connection closed by the server") from None
        except (OSError, _BadAnswer) as exc:
            self.close()
            raise RequestFailed(_reason(exc)) from None

    def _message(self, method: str, path: str, body: bytes | None) -> bytes:
        head = f"{method} {path} HTTP/1.1\r\n".encode("latin-1")
        if body is None:
            return head + self._headers + b"\r\n"
        return (head + self._headers
                + b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def _attempt(self, message: bytes, method: str) -> Response:
        reused = self._used
        if self._sock is None:
            self.connect()
        sock = self._sock
        start = time.perf_counter()
        try:
            sock.sendall(message)
            status, length, chunked, close = self._head(reused)
        except (ConnectionResetError, BrokenPipeError):
            if reused:
                raise _Stale() from None
            raise
        if status in _NO_BODY or method == "HEAD":
            data = b""
        elif chunked:
            data = self._chunks()
        elif length is not None:
            data = self._exactly(length)
        else:
            data = self._until_closed()
            close = True
        latency = time.perf_counter() - start
        if close:
            self.close()
        else:
            self._used = True
        return Response(status, data, latency)

    def _head(self, reused: bool) -> tuple[int, int | None, bool, bool]:
        """Read the status line and headers: (status, Content-Length,
        chunked, connection closes afterwards)."""
        buffer = self._buffer
        end = buffer.find(_HEAD_END)
        while end < 0:
            more = self._sock.recv(_READ_SIZE)
            if not more:
                if reused and not buffer:
                    raise _Stale()
                raise _BadAnswer("connection closed before the answer")
            buffer += more
            end = buffer.find(_HEAD_END, max(0, len(buffer) - len(more) - 3))
        self._buffer = buffer[end + 4:]
        lines = buffer[:end].decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
            raise _BadAnswer(f"not an HTTP answer: {lines[0][:80]!r}")
        status = int(rest[:3])
        length = None
        chunked = False
        close = version == "HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise _BadAnswer(f"bad Content-Length {value!r}") from None
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "connection":
                token = value.strip().lower()
                close = token == "close" or (close and token != "keep-alive")
        if 100 <= status < 200:
            # An interim answer (100 Continue): the real one follows.
            return self._head(False)
        return status, length, chunked, close

    def _fill(self, size: int) -> None:
        """Receive until the buffer holds at least ``size`` bytes."""
        parts = [self._buffer]
        have = len(self._buffer)
        while have < size:
            more = self._sock.recv(max(_READ_SIZE, size - have))
            if not more:
                raise _BadAnswer("connection closed in the middle of a body")
            parts.append(more)
            have += len(more)
        self._buffer = b"".join(parts)

    def _exactly(self, size: int) -> bytes:
        if len(self._buffer) < size:
            self._fill(size)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _line(self) -> bytes:
        end = self._buffer.find(b"\r\n")
        while end < 0:
            self._fill(len(self._buffer) + 1)
            end = self._buffer.find(b"\r\n")
        line, self._buffer = self._buffer[:end], self._buffer[end + 2:]
        return line

    def _chunks(self) -> bytes:
        parts = []
        while True:
            size_text = self._line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise _BadAnswer(f"bad chunk size {size_text!r}") from None
            if size == 0:
                while self._line():  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            parts.append(self._exactly(size))
            if self._exactly(2) != b"\r\n":
                raise _BadAnswer("chunk not followed by CRLF")

    def _until_closed(self) -> bytes:
        parts = [self._buffer]
        while more := self._sock.recv(_READ_SIZE):
            parts.append(more)
        self._buffer = b""
        return b"".join(parts)

    def connect(self) -> None:
        """Open the connection now rather than on the first request (the
        server may close it while idle: the first request then retries)."""
        self.close()
        sock = socket.create_connection(self._address, self._timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls:
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=self._address[0])
        self._sock = sock
        self._used = True

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None
        self._buffer = b""
        self._used = False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
