"""README's "Using it" examples, run as a reader would run them: each
curl command of the block, against a real server on every store."""

from __future__ import annotations

import pathlib
import re
import shlex
import uuid

import requests

README = pathlib.Path(__file__).parents[2] / "README.rst"
EXAMPLE_URL = "http://127.0.0.1:8888"


def _block() -> str:
    """The literal block under the "Using it" heading."""
    text = README.read_text()
    section = text.split("\nUsing it\n========\n", 1)[1]
    section = re.split(r"\n\S[^\n]*\n=+\n", section, maxsplit=1)[0]
    body = section.split("::\n\n", 1)[1]
    return "\n".join(line[4:] for line in body.splitlines())


def _commands(block: str) -> tuple[list[str], list[list[str]]]:
    """The shell words of $H and of every curl command (continuation
    lines joined, comments dropped)."""
    joined = re.sub(r"\\\n\s*", " ", block)
    headers: list[str] = []
    commands = []
    for line in _statements(joined):
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0].startswith("H="):
            headers = shlex.split(words[0][2:])
        else:
            assert words[0] == "curl", line
            commands.append(words[1:])
    return headers, commands


def _statements(text: str) -> list[str]:
    """Lines, with quoted strings that span lines kept whole."""
    out, current = [], ""
    for line in text.splitlines():
        current = f"{current}\n{line}" if current else line
        try:
            shlex.split(current, comments=True)
        except ValueError:  # an open quote: the statement goes on
            continue
        out.append(current)
        current = ""
    assert current == "", current
    return out


def _request(words: list[str], headers: list[str], url: str,
             found: dict) -> requests.Response:
    method, data, target, sent = "GET", None, None, {}
    args = iter(words)
    for word in args:
        if word == "-i":
            continue
        if word == "-X":
            method = next(args)
        elif word == "-d":
            data = next(args)
            method = method if method != "GET" else "POST"
        elif word == "$H":
            pairs = iter(headers)
            for flag in pairs:
                assert flag == "-H"
                name, _, value = next(pairs).partition(":")
                sent[name] = value
        else:
            target = word
    assert target is not None and target.startswith(EXAMPLE_URL), words
    target = url + target[len(EXAMPLE_URL):]
    target = target.replace("<id>", found.get("id", "<id>"))
    target = target.replace("<claim>", found.get("claim", "<claim>"))
    if data is not None and "Content-Type" not in sent:
        # What curl sends with -d unless told otherwise.
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    return requests.request(method, target, headers=sent,
                            data=data.encode() if data else None, timeout=10)


def test_using_it_examples_work_as_written(server):
    headers, commands = _commands(_block())
    project = "readme-" + uuid.uuid4().hex[:8]
    headers = [h.replace("X-Project-ID:demo", f"X-Project-ID:{project}")
               for h in headers]
    found: dict[str, str] = {}
    statuses = []
    for words in commands:
        resp = _request(words, headers, server.url, found)
        statuses.append(resp.status_code)
        assert resp.status_code < 400, (words, resp.status_code, resp.text)
        if "/claims" in resp.request.url and resp.status_code == 201:
            first = resp.json()["messages"][0]["href"]
            found["id"] = first.split("/messages/")[1].split("?")[0]
            found["claim"] = first.split("claim_id=")[1]
    # create, post, list, claim, delete, stats
    assert statuses == [201, 201, 200, 201, 204, 200]
    stats = resp.json()["messages"]
    assert (stats["total"], stats["claimed"]) == (1, 1)
