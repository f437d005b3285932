"""The real Keystone of ``tools/keystone.sh``, as tests use it.

``ensure_running()`` starts it when it does not answer (about 50 s the
first time, when its virtualenv is made; 2 s later) and calls
``tests.services.unavailable`` when it cannot. ``Identity`` gets tokens,
revokes them and makes short-lived ones through the identity API.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fcntl
import os
import pathlib
import subprocess
import typing
import uuid

import requests

from tests import services

REPO = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = REPO / "tools" / "keystone.sh"
DEFAULT_PORT = 5001  # tools/keystone.sh's own default
START_TIMEOUT = 600  # a first start installs keystone from PyPI


def _accounts() -> dict[str, str]:
    out = subprocess.run([str(SCRIPT), "env"],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        return {}
    return dict(line.split("=", 1) for line in out.stdout.splitlines()
                if "=" in line)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@dataclasses.dataclass
class Token:
    id: str
    project_id: str | None
    user_id: str
    roles: list[str]
    expires_at: datetime.datetime


class Identity:
    """Calls to the identity API (v3) of the test keystone."""

    def __init__(self, accounts: dict[str, str]):
        self.accounts = accounts
        self.url = accounts["KEYSTONE_URL"]
        self.session = requests.Session()

    def account(self, who: str, key: str) -> str:
        return self.accounts[f"KEYSTONE_{who.upper()}_{key}"]

    def token(self, who: str) -> Token:
        """A project-scoped token of ``admin``, ``demo`` or ``zaqar``."""
        return self._issue({
            "identity": {"methods": ["password"], "password": {"user": {
                "name": self.account(who, "USER"),
                "domain": {"id": "default"},
                "password": self.account(who, "PASSWORD")}}},
            "scope": {"project": {"id": self.account(who, "PROJECT_ID")}}})

    def short_token(self, who: str, seconds: int) -> Token:
        """A token expiring in ``seconds``: keystone caps a token made
        from an application credential at the credential's expiry."""
        user_token = self.token(who)
        expires = (datetime.datetime.now(datetime.timezone.utc)
                   + datetime.timedelta(seconds=seconds))
        answer = self.session.post(
            f"{self.url}/users/{user_token.user_id}/application_credentials",
            headers={"X-Auth-Token": user_token.id},
            json={"application_credential": {
                "name": "short-" + uuid.uuid4().hex[:8],
                "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%f")}},
            timeout=30)
        answer.raise_for_status()
        credential = answer.json()["application_credential"]
        return self._issue({"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": credential["id"],
                                       "secret": credential["secret"]}}})

    def revoke(self, token: Token) -> None:
        answer = self.session.delete(
            f"{self.url}/auth/tokens",
            headers={"X-Auth-Token": self.token("admin").id,
                     "X-Subject-Token": token.id}, timeout=30)
        assert answer.status_code == 204, answer.text

    def admin(self, method: str, path: str, **kw) -> dict:
        """An identity API call as the admin user."""
        answer = self.session.request(
            method, self.url + path, timeout=30,
            headers={"X-Auth-Token": self.token("admin").id}, **kw)
        answer.raise_for_status()
        return answer.json() if answer.content else {}

    @contextlib.contextmanager
    def messaging_region(self, prefix: str,
                         url: str) -> typing.Iterator[str]:
        """A catalogue region of its own (named ``prefix`` plus a random
        part) where the ``messaging`` service's endpoint is ``url``:
        clients that look Zaqar up in the catalogue by region find that
        server and no other run's.

        Every run adds its endpoint to one ``messaging`` service: tempest
        looks only at the first service of a type, so a service per run
        would hide the others' endpoints.
        """
        name = prefix + uuid.uuid4().hex[:8]
        self.admin("POST", "/regions", json={"region": {"id": name}})
        endpoint = self.admin("POST", "/endpoints", json={"endpoint": {
            "service_id": self._messaging_service(), "interface": "public",
            "region_id": name, "url": url}})["endpoint"]["id"]
        try:
            yield name
        finally:
            self.admin("DELETE", f"/endpoints/{endpoint}")
            self.admin("DELETE", f"/regions/{name}")

    def _messaging_service(self) -> str:
        """The id of the one ``messaging`` service (made once, kept)."""
        # pytest-xdist workers share this keystone: one creator at a time.
        lock_file = REPO / ".services" / "messaging-service.lock"
        lock_file.parent.mkdir(exist_ok=True)
        with open(lock_file, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            found = self.admin("GET", "/services",
                               params={"type": "messaging"})["services"]
            for stale in found[1:]:  # left by an older or a killed run
                self.admin("DELETE", f"/services/{stale['id']}")
            if found:
                return found[0]["id"]
            return self.admin("POST", "/services", json={"service": {
                "type": "messaging", "name": "zaqar"}})["service"]["id"]

    def _issue(self, auth: dict) -> Token:
        answer = self.session.post(f"{self.url}/auth/tokens",
                                   json={"auth": auth}, timeout=30)
        answer.raise_for_status()
        body = answer.json()["token"]
        return Token(
            id=answer.headers["X-Subject-Token"],
            project_id=(body.get("project") or {}).get("id"),
            user_id=body["user"]["id"],
            roles=[role["name"] for role in body.get("roles", [])],
            expires_at=datetime.datetime.fromisoformat(
                body["expires_at"].replace("Z", "+00:00")))


def ensure_running() -> Identity:
    """The test keystone, started if needed (or the test is failed or
    skipped through ``services.unavailable``)."""
    accounts = _accounts()
    if accounts and _answers(accounts["KEYSTONE_URL"]):
        identity = Identity(accounts)
        _check_ours(identity)
        return identity
    env = dict(os.environ)
    if "KEYSTONE_PORT" not in env and services.port_open(
            "127.0.0.1", DEFAULT_PORT):
        # Another checkout's keystone (or anything else) holds the usual
        # port: ours takes a free one.
        env["KEYSTONE_PORT"] = str(services.free_port())
    try:
        started = subprocess.run([str(SCRIPT), "start"],
                                 capture_output=True, text=True,
                                 timeout=START_TIMEOUT, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        services.unavailable("Keystone", f"tools/keystone.sh start: {exc}")
    if started.returncode != 0:
        services.unavailable("Keystone", "tools/keystone.sh start failed:\n"
                             + started.stderr[-3000:])
    accounts = _accounts()
    if not accounts or not _answers(accounts["KEYSTONE_URL"]):
        services.unavailable("Keystone", "started, but does not answer")
    return Identity(accounts)


def _check_ours(identity: Identity) -> None:
    """A keystone answering at our URL may be another checkout's, started
    there while ours was stopped: its projects have other ids, and every
    test would fail with 401. Say so once, clearly."""
    try:
        identity.token("demo")
    except requests.RequestException as exc:
        services.unavailable(
            "Keystone", f"{identity.url} answers but refuses this checkout's "
            f"accounts ({exc}); another checkout's keystone probably holds "
            "the port: run tools/keystone.sh stop in that checkout")


def authtoken_options(identity: Identity, cache: bool = False) -> dict:
    """``[keystone_authtoken]`` of a zaqar-server validating tokens with
    the test keystone as service user ``zaqar``."""
    options = {
        "www_authenticate_uri": identity.url,
        "auth_url": identity.url,
        "auth_type": "password",
        "username": identity.account("zaqar", "USER"),
        "password": identity.account("zaqar", "PASSWORD"),
        "project_name": identity.account("zaqar", "PROJECT"),
        "user_domain_id": "default",
        "project_domain_id": "default",
    }
    if not cache:
        options["token_cache_time"] = -1  # revocations take effect at once
    return options
