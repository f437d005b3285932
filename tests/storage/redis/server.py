"""Throw-away redis-server processes (plain, TLS, unix socket, Sentinel) for
the tests that need a server of their own. Each runs daemonized with a
pid file in a temporary directory and is stopped by that pid."""

from __future__ import annotations

import datetime
import ipaddress
import os
import pathlib
import shutil
import signal
import subprocess
import time

import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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
                 sentinel_for: Server | None = None, name: str = "mymaster",
                 tls: tuple[pathlib.Path, pathlib.Path] | None = None,
                 replica_of: Server | None = None):
        """``tls`` = (certificate, key): serve TLS only."""
        self.home = home
        self.tls = tls
        self.replica_of = replica_of
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = services.free_port()
        self.socket = str(home / "redis.sock") if unix_socket else None
        self.sentinel_for = sentinel_for
        self.name = name
        self.pidfile = home / "redis.pid"

    def _config(self) -> pathlib.Path:
        if self.tls is None:
            lines = [f"port {self.port}"]
        else:
            cert, key = self.tls
            lines = ["port 0", f"tls-port {self.port}",
                     f"tls-cert-file {cert}", f"tls-key-file {key}",
                     f"tls-ca-cert-file {cert}", "tls-auth-clients no"]
        lines += ["bind 127.0.0.1", 'save ""',
                  "appendonly no", f"dir {self.home}", "daemonize yes",
                  f"pidfile {self.pidfile}",
                  f"logfile {self.home / 'redis.log'}"]
        if self.socket:
            lines += [f"unixsocket {self.socket}", "unixsocketperm 700"]
        if self.replica_of is not None:
            lines.append(f"replicaof 127.0.0.1 {self.replica_of.port}")
        if self.sentinel_for is not None:
            master = self.sentinel_for
            lines += [f"sentinel monitor {self.name} 127.0.0.1 "
                      f"{master.port} 1",
                      f"sentinel down-after-milliseconds {self.name} 1000",
                      f"sentinel failover-timeout {self.name} 5000"]
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
        tls = {} if self.tls is None else {
            "ssl": True, "ssl_ca_certs": str(self.tls[0])}
        client = redis.Redis(host="127.0.0.1", port=self.port,
                             socket_timeout=1, **tls)
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


def self_signed(home: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """A certificate (its own CA) for 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                           critical=True)
            .sign(key, hashes.SHA256()))
    home.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = home / "cert.pem", home / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert_path, key_path
