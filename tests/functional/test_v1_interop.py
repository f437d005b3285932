"""v1, v1.1 and v2 over the same storage: what one version posts, claims
or deletes, the others see (every store); and the clients users of the
old versions have: python-zaqarclient's v1 client (``version=1`` and
``version=1.1``), which its releases since 4.0 no longer ship, so the last
release with it runs in a process of its own."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
import requests

from tests import services
from tests.functional import conftest
from tests.functional.exchanges import OTHER_CLIENT_ID, expect, no_content

OLD_ZAQARCLIENT = "python-zaqarclient==3.0.1"
SCRIPT = pathlib.Path(__file__).with_name("legacy_zaqarclient.py")


@pytest.fixture
def client(legacy_server, project):
    return conftest.Client(legacy_server.url, project)


@pytest.fixture
def other(legacy_server, project):
    return conftest.Client(legacy_server.url, project, OTHER_CLIENT_ID)


def ids_of(resp, prefix: str) -> list[str]:
    assert resp.status_code == 201, resp.text
    return [href[len(prefix):] for href in resp.json()["resources"]]


def test_one_queue_three_versions(client, other):
    created = client.put("/v1/queues/x-q")
    assert created.status_code == 201
    expect(client.get("/v1.1/queues/x-q"), 200, "{}")
    assert client.get("/v2/queues/x-q").json()["_default_message_ttl"] == 3600

    v1, = ids_of(client.post("/v1/queues/x-q/messages",
                             json=[{"ttl": 300, "body": "from v1"}]),
                 "/v1/queues/x-q/messages/")
    v11, = ids_of(client.post("/v1.1/queues/x-q/messages",
                              json={"messages": [{"body": "from v1.1"}]}),
                  "/v1.1/queues/x-q/messages/")
    v2, = ids_of(client.post("/v2/queues/x-q/messages",
                             json={"messages": [{"body": "from v2"}]}),
                 "/v2/queues/x-q/messages/")
    bodies = ["from v1", "from v1.1", "from v2"]
    assert [m["body"] for m in other.get(
        "/v1/queues/x-q/messages").json()["messages"]] == bodies
    assert [m["id"] for m in other.get(
        "/v1.1/queues/x-q/messages").json()["messages"]] == [v1, v11, v2]
    assert [m["id"] for m in other.get(
        "/v2/queues/x-q/messages").json()["messages"]] == [v1, v11, v2]
    shown = client.get(f"/v1/queues/x-q/messages/{v2}").json()
    assert (list(shown), shown["href"], shown["ttl"], shown["body"]) == (
        ["href", "ttl", "age", "body"], f"/v1/queues/x-q/messages/{v2}",
        3600, "from v2")

    # a claim made through v1.1 holds for v1 and v2
    resp = client.post("/v1.1/queues/x-q/claims?limit=1",
                       json={"ttl": 60, "grace": 60})
    assert resp.status_code == 201, resp.text
    cid = resp.headers["location"].rsplit("/", 1)[1]
    claim = client.get(f"/v2/queues/x-q/claims/{cid}").json()
    assert [m["id"] for m in claim["messages"]] == [v1]
    assert [m["href"] for m in client.get(
        f"/v1/queues/x-q/claims/{cid}").json()["messages"]] == [
        f"/v1/queues/x-q/messages/{v1}?claim_id={cid}"]
    assert client.delete(f"/v2/queues/x-q/messages/{v1}").status_code == 403
    stats = client.get("/v1/queues/x-q/stats").json()["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (1, 2, 3)
    no_content(client.delete(
        f"/v1/queues/x-q/messages/{v1}?claim_id={cid}"))
    no_content(client.delete(f"/v2/queues/x-q/claims/{cid}"))

    # deletions through one version are seen by the others
    no_content(client.delete(f"/v1/queues/x-q/messages?ids={v11}"))
    assert [m["body"] for m in client.get(
        "/v2/queues/x-q/messages?echo=true").json()["messages"]] == [
        "from v2"]
    no_content(client.delete("/v1.1/queues/x-q"))
    assert client.get("/v1/queues/x-q").status_code == 404
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


def test_versions_not_enabled_are_not_routed(server):
    answer = json.loads(requests.get(server.url + "/", timeout=30).content)
    assert [v["id"] for v in answer["versions"]] == ["2"]
    for path in ("/v1/", "/v1/queues", "/v1/health", "/v1.1/",
                 "/v1.1/queues", "/v1.1/ping"):
        expect(conftest.Client(server.url, "p").get(path), 404,
               '{"title": "404 Not Found"}')


def test_v1_with_a_project_header_is_that_project(client, project):
    client.put("/v2/queues/x-p")
    expect(client.get("/v1/queues"), 200,
           '{"queues": [{"name": "x-p", "href": "/v1/queues/x-p"}], '
           '"links": [{"rel": "next", "href": "/v1/queues?marker=x-p"}]}')
    unscoped = conftest.Client(client.base_url, None)
    assert unscoped.get("/v1/queues/x-p").status_code == 404


# -- python-zaqarclient's v1 client -------------------------------------------

@pytest.fixture(scope="session")
def old_zaqarclient() -> pathlib.Path:
    """A folder holding the last python-zaqarclient with the v1 client,
    installed beside this virtualenv on first use."""
    target = pathlib.Path(sys.prefix) / "legacy-clients" / "zaqarclient-3"
    if not (target / "zaqarclient/queues/v1/client.py").exists():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
             "--target", str(target), OLD_ZAQARCLIENT],
            capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            services.unavailable(f"PyPI ({OLD_ZAQARCLIENT})",
                                 done.stderr[-2000:])
    return target


@pytest.mark.parametrize("version", ["1", "1.1"])
def test_python_zaqarclient_v1(old_zaqarclient, client, project, version):
    queue = "x-zc" + version.replace(".", "")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), client.base_url, version, project,
         queue], capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=str(old_zaqarclient)))
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    if version == "1":
        assert seen["exists"] is True
        assert seen["metadata"] == {"description": "legacy"}
    assert seen["queues"] == [queue]
    assert seen["listed"] == [[{"k": 1}, 300], ["two", 60], ["three", 120]]
    assert seen["by_id"] == "two"
    counts = [(s["claimed"], s["free"], s["total"]) for s in (
        seen["stats"], seen["claimed_stats"], seen["final_stats"])]
    assert counts == [(0, 3, 3), (1, 2, 3), (0, 1, 1)]
    assert seen["stats"]["oldest"]["href"].startswith(
        f"/v{version}/queues/{queue}/messages/")
    assert seen["claimed"] == [{"k": 1}] and seen["claim_ids"] == [True]
    assert seen["claim_ttl"] == 120
    assert seen["left"] == ["three"]
    assert seen["after_delete"] == []
    # what the client did is what v2 sees
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')
