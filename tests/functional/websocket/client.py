"""A real zaqar-server serving websockets, and a client speaking its
frames (used by the fixtures in conftest.py and by tests needing more
connections)."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import typing

import msgpack
from websockets.sync.client import connect

from tests import services
from tests.functional.conftest import CLIENT_ID
from tests.functional.server import Server

TIMEOUT = 10


class WebsocketServer(Server):
    """``zaqar-server`` serving websockets on ``port``, its notification
    listener on ``notification_port`` (both on 127.0.0.1)."""

    def __init__(self, workdir: pathlib.Path,
                 options: dict[str, dict[str, typing.Any]] | None = None):
        super().__init__(workdir)
        self.notification_port = services.free_port()
        self.url = f"ws://127.0.0.1:{self.port}/"
        self.options = {
            "drivers": {"transport": "websocket"},
            "drivers:transport:websocket": {
                "bind": "127.0.0.1", "port": self.port,
                "notification_bind": "127.0.0.1",
                "notification_port": self.notification_port},
        }
        for group, values in (options or {}).items():
            self.options.setdefault(group, {}).update(values)

    @property
    def listener_url(self) -> str:
        return f"http://127.0.0.1:{self.notification_port}"

    def ready(self) -> bool:
        return services.port_open("127.0.0.1", self.port)


@dataclasses.dataclass
class Answer:
    status: int
    body: typing.Any
    request: dict
    binary: bool


class Client:
    """One websocket connection speaking Zaqar frames.

    ``binary`` chooses MessagePack frames; ``call`` sends one request and
    returns the reply, checking its envelope and request echo.
    """

    def __init__(self, url: str, project: str, binary: bool = False,
                 client_id: str = CLIENT_ID, timeout: float = TIMEOUT):
        self.timeout = timeout
        self._opened = connect(url, open_timeout=timeout, max_size=None,
                               compression=None)
        self.connection = self._opened.__enter__()
        self.binary = binary
        self.headers = {"Client-ID": client_id, "X-Project-ID": project}

    def close(self) -> None:
        self._opened.__exit__(None, None, None)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: typing.Any) -> None:
        self.close()

    def encode(self, frame: typing.Any, binary: bool | None = None
               ) -> str | bytes:
        binary = self.binary if binary is None else binary
        return msgpack.packb(frame) if binary else json.dumps(frame)

    def send(self, data: str | bytes) -> None:
        self.connection.send(data)

    def receive(self, timeout: float | None = None
                ) -> tuple[typing.Any, bool]:
        """The next frame, decoded, and whether it was binary."""
        data = self.connection.recv(
            timeout=self.timeout if timeout is None else timeout)
        if isinstance(data, bytes):
            return msgpack.unpackb(data), True
        return json.loads(data), False

    def reply(self, binary: bool | None = None) -> Answer:
        document, was_binary = self.receive()
        assert was_binary == (self.binary if binary is None else binary)
        assert set(document) == {"request", "body", "headers"}, document
        assert set(document["headers"]) == {"status"}
        return Answer(document["headers"]["status"], document["body"],
                      document["request"], was_binary)

    def call(self, action: str, body: typing.Any = None,
             headers: dict | None = None, binary: bool | None = None,
             **extra: typing.Any) -> Answer:
        frame: dict[str, typing.Any] = {"action": action}
        frame["headers"] = self.headers if headers is None else headers
        if body is not None:
            frame["body"] = body
        frame.update(extra)
        self.send(self.encode(frame, binary))
        answer = self.reply(binary)
        assert answer.request == {"action": action,
                                  "body": body if body is not None else {},
                                  "headers": frame["headers"], "api": "v2"}
        return answer


def post(client: Client, queue: str, *bodies: typing.Any) -> list[str]:
    """Post one message per body; their ids."""
    answer = client.call("message_post", {
        "queue_name": queue, "messages": [{"body": b} for b in bodies]})
    assert answer.status == 201, answer.body
    return answer.body["message_ids"]
