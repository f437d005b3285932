"""Assertions for the v2 functional tests, shaped after the recorded
exchanges of the wire contract.

Bodies are compared as exact text: the expected text is written as in the
contract with ``<name>`` placeholders for the ids the test got back, and
the response text is normalised only where values legitimately vary
(small ``age`` values, ``created`` dates). Raw HTTP helpers send what the
``requests`` library will not (lying Content-Length, no headers at all).
"""

from __future__ import annotations

import calendar
import json
import re
import socket
import time
import typing
import urllib.parse

import requests

REQUEST_ID = re.compile(
    r"req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
OTHER_CLIENT_ID = "5b6a6bd6-1f8a-4f6e-9c4c-2b1f6a0a0b01"
JSON = "application/json"
JSON_PATCH = "application/openstack-messaging-v2.0-json-patch"

# Ages a test may see for something it created moments ago.
MAX_FRESH_AGE = 5
_AGE = re.compile(r'"age": (\d+)')
_CREATED = re.compile(r'"created": "(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"')

RESERVED_DEFAULTS = (
    '"_max_messages_post_size": 262144, "_default_message_ttl": 3600, '
    '"_default_message_delay": 0, "_dead_letter_queue": null, '
    '"_dead_letter_queue_messages_ttl": null, "_max_claim_count": null, '
    '"_enable_encrypt_messages": false')
DEFAULT_METADATA = "{" + RESERVED_DEFAULTS + "}"


def dumps(document: typing.Any) -> str:
    """The server's serialisation (Python ``json.dumps`` style)."""
    return json.dumps(document, ensure_ascii=False)


def _fresh_age(match: re.Match) -> str:
    age = int(match.group(1))
    assert age <= MAX_FRESH_AGE, f"age {age} is not fresh"
    return '"age": 0'


def _recent_date(match: re.Match) -> str:
    stamp = calendar.timegm(time.strptime(match.group(1),
                                          "%Y-%m-%dT%H:%M:%SZ"))
    assert abs(stamp - time.time()) < 120, match.group(1)
    return '"created": "<created>"'


def normalise(text: str) -> str:
    """Fresh ages read as 0 and recent dates as ``<created>``."""
    return _CREATED.sub(_recent_date, _AGE.sub(_fresh_age, text))


def fill(template: str, subs: dict[str, str] | None) -> str:
    for name, value in (subs or {}).items():
        template = template.replace(f"<{name}>", value)
    assert not re.search(r"<[a-z][a-z0-9_]*>", template.replace(
        "<created>", "")), f"unfilled placeholder in {template}"
    return template


def expect(resp: requests.Response, status: int, body: str | None = None,
           subs: dict[str, str] | None = None,
           headers: dict[str, str | None] | None = None) -> None:
    """Status, the headers every answer carries, and the exact body.

    ``headers`` maps a header to its expected value (None: must be absent).
    """
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert REQUEST_ID.fullmatch(
        resp.headers.get("x-openstack-request-id", "")), resp.headers
    if status == 204:
        assert resp.content == b"", resp.content
        # Upstream's wsgiref added "Content-Length: 0"; RFC 9110 forbids
        # any Content-Length on a 204 and gunicorn drops it.
        assert "content-length" not in resp.headers, resp.headers
        assert "content-type" not in resp.headers, resp.headers
    if status >= 400:
        assert resp.headers.get("vary") == "Accept", resp.headers
    if body is not None:
        assert resp.headers.get("content-type") == JSON, resp.headers
        assert resp.headers.get("content-length") == str(
            len(resp.content)), resp.headers
        actual = normalise(resp.content.decode("utf-8"))
        wanted = fill(body, subs)
        assert actual == wanted, f"\n got: {actual}\nwant: {wanted}"
    for name, value in (headers or {}).items():
        assert resp.headers.get(name) == value, (name, resp.headers)


def expect_error(resp: requests.Response, status: int, title: str,
                 description: str | None = None,
                 headers: dict[str, str | None] | None = None) -> None:
    document = {"title": title}
    if description is not None:
        document["description"] = description
    expect(resp, status, dumps(document), headers=headers)


def invalid(resp, description: str) -> None:
    """400 "Invalid API request" (semantic validation)."""
    expect_error(resp, 400, "Invalid API request", description)


def bad_body(resp, description: str) -> None:
    """400 "Invalid request body" (unreadable or mistyped body)."""
    expect_error(resp, 400, "Invalid request body", description)


def not_found(resp, description: str) -> None:
    expect_error(resp, 404, "Not found", description)


def created(resp: requests.Response, location: str) -> None:
    """201 of a PUT: ``location``, empty JSON body."""
    expect(resp, 201, headers={"location": location,
                               "content-type": JSON,
                               "content-length": "0"})
    assert resp.content == b""


def no_content(resp: requests.Response, location: str | None = None) -> None:
    expect(resp, 204, headers={"location": location})


# -- common steps ------------------------------------------------------------

def post_messages(client, queue: str, *messages: dict) -> list[str]:
    """Post and return the new ids (checking the 201 shape)."""
    resp = client.post(f"/v2/queues/{queue}/messages",
                       json={"messages": list(messages)})
    assert resp.status_code == 201, resp.text
    hrefs = resp.json()["resources"]
    prefix = f"/v2/queues/{queue}/messages/"
    assert all(href.startswith(prefix) for href in hrefs)
    ids = [href[len(prefix):] for href in hrefs]
    assert resp.headers["location"] == (
        f"/v2/queues/{queue}/messages?ids=" + ",".join(ids))
    return ids


def claim(client, queue: str, limit: int | None = None,
          **terms: int) -> tuple[str | None, list[dict]]:
    """Create a claim; ``(claim id, messages)`` or ``(None, [])`` on 204."""
    path = f"/v2/queues/{queue}/claims"
    if limit is not None:
        path += f"?limit={limit}"
    resp = client.post(path, json=terms)
    if resp.status_code == 204:
        return None, []
    assert resp.status_code == 201, resp.text
    prefix = f"/v2/queues/{queue}/claims/"
    assert resp.headers["location"].startswith(prefix)
    return resp.headers["location"][len(prefix):], resp.json()["messages"]


def bodies(resp: requests.Response) -> list:
    return [m["body"] for m in resp.json()["messages"]]


# -- raw HTTP ----------------------------------------------------------------

class RawResponse(typing.NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def raw(url: str, data: bytes, half_close: bool = False,
        timeout: float = 20) -> RawResponse:
    """Send ``data`` as is on a new connection and read one answer.

    ``half_close`` shuts the sending side after the data (a client that
    stops short of what its Content-Length promised).
    """
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port),
                                  timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        head, _, rest = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = [tuple(part.strip() for part in line.split(":", 1))
                   for line in lines[1:] if ":" in line]
        length = next((int(v) for k, v in headers
                       if k.lower() == "content-length"), None)
        if length is not None:
            while len(rest) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                rest += chunk
    return RawResponse(status, headers, rest)


def raw_request(method: str, path: str, headers: dict[str, str],
                body: bytes = b"", host: str = "127.0.0.1") -> bytes:
    """The bytes of a request; ``Connection: close`` unless given."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    merged = {"Connection": "close"}
    merged.update(headers)
    lines += [f"{key}: {value}" for key, value in merged.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
