"""Real subscribers for notification tests: an HTTP server that records
the webhook requests it receives and an SMTP server that keeps the mail.

Both listen on free loopback ports, in threads of the test process.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import email
import email.message
import email.policy
import http.server
import ipaddress
import json
import pathlib
import ssl
import sys
import threading
import time
import typing

from aiosmtpd import controller as smtp_controller
from aiosmtpd import smtp as smtp_server

from tests import services


@dataclasses.dataclass
class Request:
    """One webhook request as received."""

    path: str
    headers: dict[str, str]
    body: bytes
    time: float  # time.monotonic() on arrival
    status: int  # what the receiver answered

    def json(self) -> typing.Any:
        return json.loads(self.body)


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that vanished (a killed server) is not news."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class WebhookReceiver:
    """Records every POST; answers 200, or a programmed status per path.

    ``fail(path, status, times)`` makes the next ``times`` requests to
    ``path`` answer ``status`` (``times=None``: until told otherwise).
    """

    def __init__(self):
        self.port = services.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[Request] = []
        self._failures: dict[str, list] = {}
        self._lock = threading.Condition()
        self._server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._answer(self.path)
                with receiver._lock:
                    receiver.requests.append(Request(
                        self.path, dict(self.headers.items()), body,
                        time.monotonic(), status))
                    receiver._lock.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = _QuietServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever,
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail(self, path: str, status: int, times: int | None) -> None:
        with self._lock:
            self._failures[path] = [status, times]

    def heal(self, path: str) -> None:
        with self._lock:
            self._failures.pop(path, None)

    def _answer(self, path: str) -> int:
        with self._lock:
            failure = self._failures.get(path)
            if failure is None:
                return 200
            status, times = failure
            if times is not None:
                if times <= 0:
                    del self._failures[path]
                    return 200
                failure[1] = times - 1
            return status

    def received(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, path: str, count: int,
                 timeout: float = 20) -> list[Request]:
        """The first ``count`` requests to ``path``; fails after
        ``timeout`` seconds with what arrived."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [r for r in self.requests if r.path == path]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(got)} of {count} requests to {path} arrived "
                        f"in {timeout} s: {[r.body for r in got]}")
                self._lock.wait(left)


class _Mailbox:
    """aiosmtpd handler keeping each message with its envelope."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.Message]] = []
        self.condition = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content,
                                          policy=email.policy.default)
        with self.condition:
            self.messages.append((envelope.mail_from,
                                  list(envelope.rcpt_tos), parsed))
            self.condition.notify_all()
        return "250 OK"


def tls_files(directory: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path,
                                                pathlib.Path]:
    """PEM files of a test CA and of a certificate it issued for
    127.0.0.1: ``(ca, certificate, key)``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def build(subject, issuer, public_key, signing_key, ca: bool):
        builder = (x509.CertificateBuilder()
                   .subject_name(subject).issuer_name(issuer)
                   .public_key(public_key)
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca,
                                                        path_length=None),
                                  critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                            "zaqar test CA")])
    ca = build(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                               "127.0.0.1")]),
                 ca_name, key.public_key(), ca_key, ca=False)
    paths = (directory / "ca.pem", directory / "cert.pem",
             directory / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return paths


class SMTPReceiver:
    """A real SMTP server (aiosmtpd) on a free port; optionally requires
    a login (``credentials``) and STARTTLS (``tls``: certificate and key
    files)."""

    def __init__(self, credentials: tuple[str, str] | None = None,
                 tls: tuple[pathlib.Path, pathlib.Path] | None = None):
        self.port = services.free_port()
        self.mailbox = _Mailbox()
        self.logins: collections.Counter = collections.Counter()
        self._credentials = credentials
        self._tls = tls
        self._controller: smtp_controller.Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism,
                      auth_data):
        ok = self._credentials is not None and isinstance(
            auth_data, smtp_server.LoginPassword) and (
            auth_data.login.decode(), auth_data.password.decode()
        ) == self._credentials
        if ok:
            self.logins[auth_data.login.decode()] += 1
        return smtp_server.AuthResult(success=ok)

    def start(self) -> "SMTPReceiver":
        kwargs: dict[str, typing.Any] = {}
        if self._credentials is not None:
            kwargs.update(authenticator=self._authenticate,
                          auth_required=True,
                          auth_require_tls=self._tls is not None)
        if self._tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self._tls)
            kwargs.update(tls_context=context, require_starttls=True)
        self._controller = smtp_controller.Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages_to(self, address: str) -> list:
        with self.mailbox.condition:
            return [m for m in self.mailbox.messages if address in m[1]]

    def wait_for(self, address: str, count: int,
                 timeout: float = 20) -> list:
        """``(mail_from, rcpt_tos, message)`` of the first ``count``
        e-mails to ``address``."""
        deadline = time.monotonic() + timeout
        with self.mailbox.condition:
            while True:
                got = [m for m in self.mailbox.messages if address in m[1]]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(got)} of {count} e-mails to {address} "
                        f"arrived in {timeout} s")
                self.mailbox.condition.wait(left)
