"""Command-line options of zaqar-bench and their checks."""

from __future__ import annotations

import argparse
import dataclasses
import os

from zaqar.bench import client

ROLES = ("producer", "consumer", "observer", "pinger")


@dataclasses.dataclass(frozen=True)
class Settings:
    server_url: str = "http://127.0.0.1:8888"
    time: float = 10.0
    producer_processes: int = 2
    producer_workers: int = 4
    consumer_processes: int = 2
    consumer_workers: int = 4
    observer_processes: int = 1
    observer_workers: int = 2
    pinger_processes: int = 0
    pinger_workers: int = 4
    messages_per_post: int = 10
    messages_per_claim: int = 10
    messages_per_list: int = 10
    num_queues: int = 4
    project_id: str = "zaqar-bench"
    # A Keystone token for servers with auth_strategy = keystone.
    auth_token: str | None = dataclasses.field(default=None, repr=False)
    message_size: int = 100
    message_ttl: int = 300
    claim_ttl: int = 60
    claim_grace: int = 60
    request_timeout: float = 30.0
    keep_queues: bool = False
    json: bool = False

    def processes(self, role: str) -> int:
        return getattr(self, f"{role}_processes")

    def workers(self, role: str) -> int:
        return getattr(self, f"{role}_workers")

    def needs_queues(self) -> bool:
        return any(self.processes(r) for r in ROLES if r != "pinger")

    def client(self) -> client.Client:
        """A new connection with this run's server, project and token."""
        return client.Client(self.server_url, self.project_id,
                             timeout=self.request_timeout,
                             auth_token=self.auth_token)


def _positive_int(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _count(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an integer: {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def _url(text: str) -> str:
    try:
        client.parse_server_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _project(text: str) -> str:
    if not text or not text.isprintable() or len(text) > 256:
        raise argparse.ArgumentTypeError(
            f"project id must be 1..256 printable characters: {text!r}")
    return text


def _token(text: str) -> str:
    if not text or not text.isascii() or not text.isprintable() \
            or " " in text or len(text) > 8192:
        raise argparse.ArgumentTypeError(
            "auth token must be 1..8192 printable ASCII characters without "
            "spaces")
    return text


def parser() -> argparse.ArgumentParser:
    d = Settings()
    p = argparse.ArgumentParser(
        prog="zaqar-bench",
        description="Load a Zaqar v2 HTTP endpoint with producers (post "
                    "batches), consumers (claim, then delete each claimed "
                    "message), observers (list, following 'next') and "
                    "pingers (GET /v2/ping), and report throughput and "
                    "latency percentiles per operation.")
    p.add_argument("--server-url", type=_url, default=d.server_url,
                   help="Base URL of the server (default %(default)s).")
    p.add_argument("--time", type=_seconds, default=d.time,
                   help="Duration of the run in seconds (default "
                        "%(default)s).")
    for role in ROLES:
        p.add_argument(f"--{role}-processes", type=_count,
                       default=d.processes(role),
                       help=f"{role.capitalize()} processes (default "
                            "%(default)s; 0 disables the role).")
        p.add_argument(f"--{role}-workers", type=_positive_int,
                       default=d.workers(role),
                       help=f"Threads per {role} process (default "
                            "%(default)s).")
    p.add_argument("--messages-per-post", type=_positive_int,
                   default=d.messages_per_post,
                   help="Messages in each POST (default %(default)s).")
    p.add_argument("--messages-per-claim", type=_positive_int,
                   default=d.messages_per_claim,
                   help="'limit' of each claim (default %(default)s).")
    p.add_argument("--messages-per-list", type=_positive_int,
                   default=d.messages_per_list,
                   help="'limit' of each listing (default %(default)s).")
    p.add_argument("--num-queues", type=_positive_int, default=d.num_queues,
                   help="Queues created for this run; each request picks "
                        "one at random (default %(default)s).")
    p.add_argument("--project-id", type=_project, default=d.project_id,
                   help="X-Project-ID of every request (default "
                        "%(default)s).")
    p.add_argument("--auth-token", type=_token,
                   default=os.environ.get("OS_AUTH_TOKEN") or None,
                   help="Keystone token sent as X-Auth-Token, for servers "
                        "with auth_strategy = keystone; their project is "
                        "the token's (default $OS_AUTH_TOKEN, else none).")
    p.add_argument("--message-size", type=_positive_int,
                   default=d.message_size,
                   help="Length of each message body, a JSON string, in "
                        "bytes (default %(default)s).")
    p.add_argument("--message-ttl", type=_positive_int, default=d.message_ttl,
                   help="TTL of posted messages (default %(default)s).")
    p.add_argument("--claim-ttl", type=_positive_int, default=d.claim_ttl,
                   help="TTL of claims (default %(default)s).")
    p.add_argument("--claim-grace", type=_positive_int, default=d.claim_grace,
                   help="Grace of claims (default %(default)s).")
    p.add_argument("--request-timeout", type=_seconds,
                   default=d.request_timeout,
                   help="Socket timeout of one request (default "
                        "%(default)s s).")
    p.add_argument("--keep-queues", action="store_true",
                   help="Do not delete this run's queues at the end.")
    p.add_argument("--json", action="store_true",
                   help="Print the results as JSON instead of a table.")
    return p


def parse(argv: list[str] | None = None) -> Settings:
    """Parse and check the command line (exits with status 2 on error)."""
    p = parser()
    args = p.parse_args(argv)
    settings = Settings(**vars(args))
    if not any(settings.processes(r) for r in ROLES):
        p.error("nothing to do: every --*-processes is 0")
    return settings
