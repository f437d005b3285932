"""Throw-away redis-server processes (plain, unix socket, Sentinel) for
the tests that need a server of their own. Each runs daemonized with a
pid file in a temporary directory and is stopped by that pid."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import time

import redis

from tests import services


def binary() -> str:
    path = shutil.which("redis-server")
    if path is None:
        services.unavailable("redis-server", "not installed on this machine")
        raise AssertionError("unreachable")  # unavailable() raised
    return path


def _wait(check, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except redis.RedisError as exc:
            last = exc
        time.sleep(0.05)
    raise AssertionError(f"{what} did not come up: {last}")


class Server:
    """One redis-server; ``sentinel_for`` makes it a Sentinel watching
    another Server under the master name ``name``."""

    def __init__(self, home: pathlib.Path, unix_socket: bool = False,
                 sentinel_for: Server | None = None, name: str = "mymaster"):
        self.home = home
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = services.free_port()
        self.socket = str(home / "redis.sock") if unix_socket else None
        self.sentinel_for = sentinel_for
        self.name = name
        self.pidfile = home / "redis.pid"

    def _config(self) -> pathlib.Path:
        lines = [f"port {self.port}", "bind 127.0.0.1", 'save ""',
                 "appendonly no", f"dir {self.home}", "daemonize yes",
                 f"pidfile {self.pidfile}",
                 f"logfile {self.home / 'redis.log'}"]
        if self.socket:
            lines += [f"unixsocket {self.socket}", "unixsocketperm 700"]
        if self.sentinel_for is not None:
            master = self.sentinel_for
            lines += [f"sentinel monitor {self.name} 127.0.0.1 "
                      f"{master.port} 1",
                      f"sentinel down-after-milliseconds {self.name} 5000"]
        path = self.home / "redis.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self) -> None:
        command = [binary(), str(self._config())]
        if self.sentinel_for is not None:
            command.append("--sentinel")
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=30)
        if result.returncode != 0:
            services.unavailable("redis-server", result.stderr[-2000:])
        client = redis.Redis(host="127.0.0.1", port=self.port,
                             socket_timeout=1)
        if self.sentinel_for is None:
            _wait(client.ping, f"redis-server on port {self.port}")
        else:
            _wait(lambda: client.sentinel_get_master_addr_by_name(
                self.name), f"sentinel on port {self.port}")
        client.close()

    @property
    def pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        pid = self.pid
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
