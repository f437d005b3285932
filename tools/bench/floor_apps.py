"""Falcon apps that answer 204 to every request, after zero or one Redis
round trip made in different ways: what one blocking round trip costs the
server under the benchmark's gunicorn settings (``floor.sh``).

``bare``: no round trip (bare_falcon.py's app). ``socket``: ``PING`` on a
plain socket per thread, the least a round trip can cost. ``link``: our
Redis driver's command path (``connection.Link``). ``redis_py``:
redis-py's ``Redis.ping()``.
"""

import os
import socket as sockets
import threading

import falcon
import redis

from zaqar.storage.redis import connection

REDIS_URI = os.environ.get("FLOOR_REDIS_URI", "redis://127.0.0.1:6379/3")


def _app(before_answer) -> falcon.App:
    def answer(req: falcon.Request, resp: falcon.Response, **_) -> None:
        before_answer()
        resp.status = falcon.HTTP_204

    app = falcon.App()
    app.add_sink(answer, prefix="/")
    return app


_target = connection.parse_uri(REDIS_URI)
_local = threading.local()


def _socket_ping() -> None:
    sock = getattr(_local, "sock", None)
    if sock is None:
        sock = _local.sock = sockets.create_connection(_target.hosts[0])
        sock.setsockopt(sockets.IPPROTO_TCP, sockets.TCP_NODELAY, 1)
    sock.sendall(b"PING\r\n")
    sock.recv(64)


_client = connection.make_client(_target, connection.Settings())
_link = connection.Link(_client)

bare = _app(lambda: None)
socket = _app(_socket_ping)
link = _app(lambda: _link.execute(b"PING"))
redis_py = _app(redis.Redis.from_url(REDIS_URI).ping)
