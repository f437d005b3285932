"""Talking to Redis: URI forms, the client, retries and error mapping.

A driver owns one ``redis.Redis`` client, hence one connection pool per
process. redis-py's own retries are switched off: ``guarded`` retries an
operation after a connection failure (``max_reconnect_attempts`` times,
``reconnect_sleep`` apart), which is safe because every write script is
idempotent for the ids the driver chose before calling it. Failures become
``zaqar.storage.errors`` exceptions, never redis-py ones.

The hot paths send commands through ``Link``: redis-py's connections
(connecting, AUTH, SELECT, TLS, Sentinel discovery) without its
per-command layers (retry wrappers, pool bookkeeping, reply callbacks).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import select
import time
import typing
import urllib.parse
import weakref

import redis
from redis import exceptions as redis_errors
from redis import sentinel as redis_sentinel
from redis.backoff import NoBackoff
from redis.retry import Retry

from zaqar.storage import errors

LOG = logging.getLogger(__name__)

DEFAULT_PORT = 6379
DEFAULT_SENTINEL_PORT = 26379

# scheme -> (kind, TLS)
_SCHEMES = {
    "redis": ("tcp", False),
    "rediss": ("tcp", True),
    "unix": ("unix", False),
    "redis+sentinel": ("sentinel", False),
}

_FLOAT_PARAMS = ("socket_timeout", "socket_connect_timeout")
_TLS_PARAMS = ("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile",
               "ssl_keyfile")
_KNOWN_PARAMS = frozenset(("dbid", "db", "master", "password",
                           "sentinel_password") + _FLOAT_PARAMS
                          + _TLS_PARAMS)


@dataclasses.dataclass(frozen=True)
class Target:
    """Where and how to connect, as parsed from a URI."""

    kind: str  # "tcp", "unix" or "sentinel"
    hosts: tuple[tuple[str, int], ...] = ()
    path: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: bool = False
    master: str | None = None
    sentinel_password: str | None = None
    socket_timeout: float | None = None
    socket_connect_timeout: float | None = None
    tls_options: tuple[tuple[str, str], ...] = ()


def _bad(uri: str, why: str) -> ValueError:
    # Never echo a password: show the scheme and host part only.
    shown = uri.split("@", 1)[-1] if "@" in uri else uri
    return ValueError(f"Invalid Redis URI ...{shown!r}: {why}")


def _parse_int(uri: str, what: str, text: str, low: int,
               high: int | None = None) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise _bad(uri, f"{what} {text!r} is not an integer") from None
    if value < low or (high is not None and value > high):
        raise _bad(uri, f"{what} {value} is out of range")
    return value


def _parse_host(uri: str, text: str, default_port: int) -> tuple[str, int]:
    if text.startswith("["):  # [IPv6]:port
        host, sep, rest = text[1:].partition("]")
        if not sep or not host:
            raise _bad(uri, f"malformed IPv6 host {text!r}")
        if rest and not rest.startswith(":"):
            raise _bad(uri, f"malformed host {text!r}")
        port_text = rest[1:]
    else:
        host, _, port_text = text.partition(":")
        if not host:
            raise _bad(uri, "a host name is required")
    port = (_parse_int(uri, "port", port_text, 1, 65535)
            if port_text else default_port)
    return urllib.parse.unquote(host), port


def _userinfo(text: str) -> tuple[str | None, str | None]:
    user, sep, password = text.partition(":")
    user = urllib.parse.unquote(user) or None
    password = urllib.parse.unquote(password) if sep else None
    return user, password or None


def parse_uri(uri: str) -> Target:
    """Parse any of the URI forms in the module and option docs.

    Raises ValueError with a readable reason for anything else.
    """
    if not isinstance(uri, str) or "://" not in uri:
        raise ValueError(f"Invalid Redis URI {uri!r}: expected "
                         "redis://, rediss://, unix:// or "
                         "redis+sentinel://")
    scheme, rest = uri.split("://", 1)
    scheme = scheme.lower()
    if scheme not in _SCHEMES:
        raise _bad(uri, f"unsupported scheme {scheme!r}")
    kind, tls = _SCHEMES[scheme]
    rest, _, _fragment = rest.partition("#")
    rest, _, query_text = rest.partition("?")

    params: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(query_text,
                                             keep_blank_values=True):
        if key not in _KNOWN_PARAMS:
            raise _bad(uri, f"unknown parameter {key!r}")
        if key in _TLS_PARAMS and not tls:
            raise _bad(uri, f"{key} needs the rediss:// scheme")
        params[key] = value

    fields: dict[str, typing.Any] = {"kind": kind, "tls": tls}
    if kind == "unix":
        userinfo, sep, path = rest.rpartition("@")
        if sep:
            fields["username"], fields["password"] = _userinfo(userinfo)
        path = urllib.parse.unquote(path)
        if not path.startswith("/") or path == "/":
            raise _bad(uri, "unix:// needs an absolute socket path, e.g. "
                            "unix:///run/redis/redis.sock")
        fields["path"] = path
        db_text = None
    else:
        netloc, _, db_text = rest.partition("/")
        userinfo, sep, hostlist = netloc.rpartition("@")
        if sep:
            fields["username"], fields["password"] = _userinfo(userinfo)
        if "master" in params and kind == "tcp":
            if tls:
                raise _bad(uri, "Sentinel over TLS is not supported")
            kind = fields["kind"] = "sentinel"
        default_port = (DEFAULT_SENTINEL_PORT if kind == "sentinel"
                        else DEFAULT_PORT)
        if not hostlist:
            raise _bad(uri, "a host is required")
        hosts = tuple(_parse_host(uri, item, default_port)
                      for item in hostlist.split(","))
        if len(hosts) > 1 and kind != "sentinel":
            raise _bad(uri, "several hosts are only valid with Sentinel "
                            "(redis+sentinel:// or ?master=NAME)")
        fields["hosts"] = hosts

    db = None
    if db_text:
        db = _parse_int(uri, "database", db_text.rstrip("/"), 0)
    for key in ("dbid", "db"):
        if key in params:
            value = _parse_int(uri, "database", params.pop(key), 0)
            if db is not None and value != db:
                raise _bad(uri, "the database is given twice with "
                                "different values")
            db = value
    fields["db"] = db or 0

    if kind == "sentinel":
        master = params.pop("master", "")
        if not master:
            raise _bad(uri, "Sentinel needs ?master=NAME")
        fields["master"] = master
        if "sentinel_password" in params:
            fields["sentinel_password"] = (params.pop("sentinel_password")
                                           or None)
    elif "sentinel_password" in params or "master" in params:
        raise _bad(uri, "master and sentinel_password are only valid with "
                        "Sentinel")
    if "password" in params:
        fields["password"] = params.pop("password") or None
    for key in _FLOAT_PARAMS:
        if key in params:
            try:
                value = float(params.pop(key))
            except ValueError:
                raise _bad(uri, f"{key} is not a number") from None
            if not value > 0:
                raise _bad(uri, f"{key} must be positive")
            fields[key] = value
    fields["tls_options"] = tuple(
        (key, params.pop(key)) for key in _TLS_PARAMS if key in params)
    return Target(**fields)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Connection behaviour from the driver options."""

    max_reconnect_attempts: int = 10
    reconnect_sleep: float = 1.0
    socket_timeout: float = 5.0
    socket_connect_timeout: float = 2.0


def make_client(target: Target, settings: Settings) -> redis.Redis:
    """A client with its own connection pool for ``target``."""
    kwargs: dict[str, typing.Any] = {
        "db": target.db,
        "username": target.username,
        "password": target.password,
        "socket_timeout": target.socket_timeout or settings.socket_timeout,
        "socket_connect_timeout": (target.socket_connect_timeout
                                   or settings.socket_connect_timeout),
        # ``guarded`` retries whole operations; no hidden retries below it.
        "retry": Retry(NoBackoff(), 0),
    }
    if target.kind == "sentinel":
        sentinel_kwargs = {
            "socket_timeout": kwargs["socket_timeout"],
            "socket_connect_timeout": kwargs["socket_connect_timeout"],
            "password": target.sentinel_password,
        }
        manager = redis_sentinel.Sentinel(
            list(target.hosts), sentinel_kwargs=sentinel_kwargs, **kwargs)
        return manager.master_for(target.master)
    if target.kind == "unix":
        kwargs.pop("socket_connect_timeout")
        return redis.Redis(unix_socket_path=target.path, **kwargs)
    host, port = target.hosts[0]
    if target.tls:
        kwargs["ssl"] = True
        kwargs.update(dict(target.tls_options))
    return redis.Redis(host=host, port=port, **kwargs)


F = typing.TypeVar("F", bound=typing.Callable[..., typing.Any])

# Errors after which the same request may succeed on a new connection:
# dropped sockets, a server still loading, a replica promoted under us.
_TRANSIENT = (redis_errors.ConnectionError, redis_errors.ReadOnlyError)


def _retryable(exc: redis_errors.RedisError) -> bool:
    if isinstance(exc, redis_errors.AuthenticationError):
        return False
    if isinstance(exc, _TRANSIENT):
        return True
    # A connection that could not be opened in time (e.g. a master that
    # vanished during a failover) is retried; a command that timed out
    # may have run, so it is not repeated (nor is a slow server helped by
    # more load).
    return (isinstance(exc, redis_errors.TimeoutError)
            and "connecting" in str(exc).lower())


def _storage_error(exc: redis_errors.RedisError) -> errors.StorageError:
    if isinstance(exc, redis_errors.AuthenticationError):
        return errors.ConnectionError(f"Redis refused the credentials: {exc}")
    if isinstance(exc, _TRANSIENT + (redis_errors.TimeoutError,)):
        return errors.ConnectionError(f"Redis is not available: {exc}")
    return errors.StorageError(f"Redis error: {exc}")


def call(settings: Settings, fn: typing.Callable[[], typing.Any],
         retry: bool = True) -> typing.Any:
    """Run ``fn``, retrying transient failures and mapping errors."""
    attempt = 0
    while True:
        try:
            return fn()
        except redis_errors.RedisError as exc:
            attempt += 1
            if (not retry or not _retryable(exc)
                    or attempt > settings.max_reconnect_attempts):
                raise _storage_error(exc) from exc
            LOG.warning("Redis connection failed (%s); retry %d/%d in "
                        "%.3f s", exc, attempt,
                        settings.max_reconnect_attempts,
                        settings.reconnect_sleep)
            time.sleep(settings.reconnect_sleep)


def guarded(method: F) -> F:
    """Wrap a controller method: retries and error mapping."""

    @functools.wraps(method)
    def wrapper(self: typing.Any, *args: typing.Any,
                **kwargs: typing.Any) -> typing.Any:
        return call(self.driver.settings,
                    lambda: method(self, *args, **kwargs))

    return typing.cast(F, wrapper)


def guarded_once(method: F) -> F:
    """Like ``guarded`` but never repeats: for operations that are not
    idempotent (pop hands out what it removed exactly once)."""

    @functools.wraps(method)
    def wrapper(self: typing.Any, *args: typing.Any,
                **kwargs: typing.Any) -> typing.Any:
        return call(self.driver.settings,
                    lambda: method(self, *args, **kwargs), retry=False)

    return typing.cast(F, wrapper)


Arg = typing.Union[bytes, str, int, float]


def _encode(arg: Arg) -> bytes:
    if isinstance(arg, bytes):
        return arg
    if isinstance(arg, str):
        return arg.encode("utf-8", "surrogatepass")
    if isinstance(arg, int) and not isinstance(arg, bool):
        return b"%d" % arg
    if isinstance(arg, float):
        return repr(arg).encode("ascii")
    raise TypeError("a Redis command argument must be bytes, str, int or "
                    f"float, not {type(arg).__name__}")


def pack(args: typing.Sequence[Arg]) -> bytes:
    """One command in the Redis protocol (a RESP array of bulk strings)."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        # The exact types first: a post packs some fifty arguments, and
        # this test is half the cost of the isinstance chain in _encode.
        kind = type(arg)
        if kind is bytes:
            raw = arg
        elif kind is int:
            raw = b"%d" % arg
        elif kind is str:
            raw = arg.encode("utf-8", "surrogatepass")
        else:
            raw = _encode(arg)
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


_links: weakref.WeakSet[Link] = weakref.WeakSet()


def _after_fork() -> None:
    # A forked child must not share the parent's sockets.
    for link in list(_links):
        link.forget()


os.register_at_fork(after_in_child=_after_fork)


def _readable(sock: typing.Any) -> bool:
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class Link:
    """Commands and pipelines on connections made by ``client``'s pool,
    kept in an idle list of our own.

    A connection goes back to the list only after every reply was read, so
    the next user finds it clean; one that fails is disconnected (it
    reconnects on its next use) and every idle one is dropped too, since
    they all talk to the server that just failed. Errors are redis-py's;
    ``call`` maps and retries them.
    """

    def __init__(self, client: redis.Redis):
        self._pool = client.connection_pool
        self._idle: list = []
        _links.add(self)

    def _take(self) -> typing.Any:
        try:
            conn = self._idle.pop()
        except IndexError:
            conn = self._pool.make_connection()
        sock = conn._sock
        # Readable while idle means closed by the server (or stray data):
        # start again on a new socket rather than fail the command. (poll,
        # not select: descriptors may be numbered past select's limit.)
        if sock is not None and _readable(sock):
            conn.disconnect()
            sock = None
        if sock is None:
            try:
                # The connection's own connect(): a Sentinel-managed one
                # asks the sentinels for the master first.
                conn.connect()
            except BaseException:
                self._fail(conn)
                raise
        return conn

    def _fail(self, conn: typing.Any) -> None:
        conn.disconnect()
        while self._idle:
            try:
                self._idle.pop().disconnect()
            except IndexError:
                break

    def execute(self, *args: Arg) -> typing.Any:
        """One command, one reply (a Redis error reply is raised)."""
        conn = self._take()
        try:
            conn.send_packed_command([pack(args)], check_health=False)
            reply = conn.read_response()
        except redis_errors.ResponseError:
            self._idle.append(conn)  # the whole reply was read
            raise
        except BaseException:
            self._fail(conn)
            raise
        self._idle.append(conn)
        return reply

    def pipeline(self, commands: typing.Sequence[typing.Sequence[Arg]]
                 ) -> list:
        """Several commands in one round trip. Replies come back in
        order; an error reply is returned as its ResponseError, not
        raised."""
        if not commands:
            return []
        conn = self._take()
        replies: list = []
        try:
            conn.send_packed_command([b"".join(pack(c) for c in commands)],
                                     check_health=False)
            for _ in commands:
                try:
                    replies.append(conn.read_response())
                except redis_errors.ResponseError as exc:
                    replies.append(exc)
        except BaseException:
            self._fail(conn)
            raise
        self._idle.append(conn)
        return replies

    def forget(self) -> None:
        """Drop the idle connections without closing their sockets (after
        a fork, they belong to the parent)."""
        self._idle = []

    def close(self) -> None:
        while self._idle:
            try:
                self._idle.pop().disconnect()
            except IndexError:
                break
