"""Dropped connections are retried (max_reconnect_attempts) and then
reported as ConnectionError.

The driver talks to the real mongod through a small TCP relay on loopback
that, when told to, closes the connection instead of passing on the next
data commands: pymongo then sees exactly what a failing network or a
primary stepping down looks like (``AutoReconnect``).
"""

from __future__ import annotations

import socket
import struct
import threading
import uuid

import bson
import pytest

from tests.storage.mongodb import server
from tests.storage.mongodb.conftest import make_conf
from zaqar.storage import errors
from zaqar.storage.mongodb import driver

OP_MSG = 2013
DATA_COMMANDS = {"find", "insert", "update", "delete", "findAndModify",
                 "aggregate", "count"}


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _command_name(message: bytes) -> str | None:
    """The command of an OP_MSG request (its first body key)."""
    (opcode,) = struct.unpack_from("<i", message, 12)
    if opcode != OP_MSG:
        return None
    offset = 20  # header (16) + flag bits (4)
    while offset < len(message):
        kind = message[offset]
        offset += 1
        (size,) = struct.unpack_from("<i", message, offset)
        if kind == 0:
            body = bson.decode(message[offset:offset + size])
            return next(iter(body), None)
        offset += size
    return None


class Relay:
    """Forwards 127.0.0.1:<port> to mongod; ``cut(n)`` drops the
    connections carrying the next ``n`` data commands."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.to_cut = 0
        self.cuts = 0
        self.sockets: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, count: int) -> None:
        with self.lock:
            self.to_cut = count
            self.cuts = 0

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._requests, args=(client, upstream),
                             daemon=True).start()
            threading.Thread(target=self._replies, args=(upstream, client),
                             daemon=True).start()

    def _requests(self, client: socket.socket,
                  upstream: socket.socket) -> None:
        try:
            while True:
                header = _read_exactly(client, 16)
                (length,) = struct.unpack_from("<i", header)
                message = header + _read_exactly(client, length - 16)
                with self.lock:
                    drop = self.to_cut > 0 and \
                        _command_name(message) in DATA_COMMANDS
                    if drop:
                        self.to_cut -= 1
                        self.cuts += 1
                if drop:
                    break
                upstream.sendall(message)
        except (OSError, ConnectionError):
            pass
        for sock in (client, upstream):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    @staticmethod
    def _replies(upstream: socket.socket, client: socket.socket) -> None:
        try:
            while chunk := upstream.recv(65536):
                client.sendall(chunk)
        except OSError:
            pass

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.close()
                except OSError:
                    pass


@pytest.fixture
def relay():
    server.ensure_running()
    proxy = Relay(server.host_port(server.URI))
    yield proxy
    proxy.close()


def _driver_through(relay: Relay, attempts: int) -> driver.DataDriver:
    uri = f"mongodb://127.0.0.1:{relay.port}/?directConnection=true"
    conf = make_conf(uri, server.database())
    conf.set_override("max_reconnect_attempts", attempts,
                      group="drivers:message_store:mongodb")
    conf.set_override("max_retry_sleep", 0.05,
                      group="drivers:message_store:mongodb")
    return driver.DataDriver(conf)


def test_dropped_connections_are_retried(relay):
    drv = _driver_through(relay, attempts=10)
    project = "rc-" + uuid.uuid4().hex[:8]
    try:
        assert drv.connection.kind == "replicaset"
        drv.queue_controller.create("q", project)
        # pymongo retries a read once by itself; more drops than that
        # reach the driver's own retries.
        relay.cut(4)
        assert drv.queue_controller.exists("q", project)
        assert relay.cuts == 4
        relay.cut(3)
        ids = drv.message_controller.post(
            "q", [{"body": "kept", "ttl": 60, "delay": 0}], project, None)
        assert relay.cuts == 3
        listed = drv.message_controller.list("q", project)
        assert [m["id"] for m in listed] == ids
    finally:
        drv.close()


def test_retries_run_out_as_connection_error(relay):
    drv = _driver_through(relay, attempts=2)
    project = "rc-" + uuid.uuid4().hex[:8]
    try:
        relay.cut(1000)
        with pytest.raises(errors.ConnectionError) as info:
            drv.queue_controller.exists("q", project)
        assert "giving up" in str(info.value)
        # Each of the 1 + 2 attempts was really sent (and dropped).
        assert relay.cuts >= 3
        relay.cut(0)
        assert drv.queue_controller.exists("q", project) is False
    finally:
        drv.close()
