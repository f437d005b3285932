"""A real zaqar-server process on a free port, for functional tests."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time
import typing

import requests

from tests import services


class Server:
    """Starts ``zaqar-server`` with a generated config file and stops it.

    ``options`` maps "group" -> {option: value} ("DEFAULT" for the default
    group); they are written to the config file as given.
    """

    def __init__(self, workdir: pathlib.Path,
                 options: dict[str, dict[str, typing.Any]] | None = None,
                 port: int | None = None):
        self.workdir = workdir
        self.port = port or services.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.options = options or {}
        self.process: subprocess.Popen | None = None
        self.config_file = workdir / "zaqar.conf"
        self.log_file = workdir / "server.log"

    def write_config(self) -> None:
        groups: dict[str, dict[str, typing.Any]] = {
            "DEFAULT": {"state_path": str(self.workdir)},
            "drivers:transport:wsgi": {"bind": "127.0.0.1",
                                       "port": self.port, "workers": 1,
                                       "threads": 4},
        }
        for group, values in self.options.items():
            groups.setdefault(group, {}).update(values)
        lines = []
        for group, values in groups.items():
            lines.append(f"[{group}]")
            for key, value in values.items():
                if isinstance(value, bool):
                    value = str(value)
                elif isinstance(value, (list, tuple)):
                    value = ",".join(str(v) for v in value)
                lines.append(f"{key} = {value}")
            lines.append("")
        self.config_file.write_text("\n".join(lines))

    def start(self, timeout: float = 30) -> "Server":
        self.write_config()
        log = open(self.log_file, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "zaqar.cmd.server", "--config-file",
             str(self.config_file)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        """Until the started process answers; stops it if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the server exited:\n" + self.log())
            if self.ready():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start:\n" + self.log())

    def ready(self) -> bool:
        """Whether the server answers yet (transports other than HTTP
        override it)."""
        try:
            return requests.get(self.url + "/", timeout=1).status_code == 300
        except (requests.ConnectionError, requests.Timeout):
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers)."""
        self.stop(signal.SIGKILL)

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-5000:]
        except OSError:
            return ""
