"""Pooling end to end: a real zaqar-server with ``pooling`` on (SQLite
management store), real Redis servers of the test's own as pools, and a
SQLite database as a pool of another kind.

Where a queue's data is, is checked by reading each Redis server (and the
SQLite files) directly, never through the API.
"""

from __future__ import annotations

import json
import pathlib
import sqlite3

import pytest
import redis

from tests.functional.conftest import Client
from tests.functional.exchanges import (
    JSON_PATCH, bad_body, created, dumps, expect, expect_error, invalid,
    no_content, not_found)
from tests.functional.server import Server
from tests.storage.redis import server as redis_server
from zaqar.storage.redis import control, keys

ADMIN = {"X-Roles": "admin"}
NOT_AUTHORIZED = ("Not authorized",
                  "You are not authorized to complete this action.")
REDIS_CAPABILITIES = ["FIFO", "CLAIMS", "AOD", "HIGH_THROUGHPUT"]
SQL_CAPABILITIES = ["FIFO", "CLAIMS", "DURABILITY", "AOD"]


# -- services -----------------------------------------------------------------

class RedisServer:
    """A redis-server of this test module's own (tests/storage/redis's),
    with a client of its own to look inside."""

    def __init__(self, home: pathlib.Path):
        self.server = redis_server.Server(home)
        self.port = self.server.port
        self.uri = f"redis://127.0.0.1:{self.port}"

    def start(self) -> "RedisServer":
        self.server.start()
        self.client = redis.Redis(port=self.port, socket_timeout=5)
        return self

    def stop(self) -> None:
        self.client.close()
        self.server.stop()


@pytest.fixture(scope="module")
def redis_servers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("redis-pools")
    started: list[RedisServer] = []
    try:
        for n in range(3):
            started.append(RedisServer(workdir / f"r{n}").start())
        yield started
    finally:
        for server in started:
            server.stop()


def _server(tmp_path_factory, groups: dict | None = None,
            **default) -> Server:
    options = {"DEFAULT": {"pooling": True, "admin_mode": True, **default},
               **(groups or {})}
    return Server(tmp_path_factory.mktemp("pooled"), options).start()


@pytest.fixture
def server(tmp_path_factory):
    """A pooled server with an empty catalogue of its own (conftest's
    ``client`` fixture talks to it)."""
    srv = _server(tmp_path_factory)
    yield srv
    srv.stop()


def catalogue(server: Server, project: str) -> dict[str, str]:
    """queue -> pool, read from the server's management store."""
    with sqlite3.connect(server.workdir / "zaqar.sqlite") as db:
        return dict(db.execute(
            "SELECT queue, pool FROM catalogue WHERE project = ?",
            (project,)))


def holder(servers: dict[str, RedisServer], project: str,
           queue: str) -> str:
    """The one Redis server (by pool name) that has the queue."""
    base = keys.queue_base(project, queue)
    found = [name for name, srv in servers.items()
             if srv.client.exists(base)]
    assert len(found) == 1, (queue, found)
    return found[0]


def with_options(pool: dict, options: dict) -> dict:
    """The detailed representation: ``options`` before ``href``."""
    shown = {key: value for key, value in pool.items() if key != "href"}
    return {**shown, "options": options, "href": pool["href"]}


def page_through(client: Client, path: str) -> list[dict]:
    items: list[dict] = []
    while True:
        document = client.get(path).json()
        if not document["queues"]:
            assert document["links"] == []
            return items
        items.extend(document["queues"])
        path = document["links"][0]["href"]


# -- queues spread over three Redis pools -------------------------------------

WEIGHTS = {"r1": 60, "r2": 30, "r3": 10}


def test_queues_spread_by_weight_and_stay_on_their_pool(
        redis_servers, server, client, project):
    pools = dict(zip(WEIGHTS, redis_servers))
    for name, weight in WEIGHTS.items():
        created(client.put(f"/v2/pools/{name}", headers=ADMIN, json={
            "uri": pools[name].uri, "weight": weight}), f"/v2/pools/{name}")
    names = [f"q{i:03d}" for i in range(100)]
    for name in names:
        created(client.put(f"/v2/queues/{name}"), f"/v2/queues/{name}")

    placed = {name: holder(pools, project, name) for name in names}
    assert catalogue(server, project) == placed
    counts = {pool: list(placed.values()).count(pool) for pool in WEIGHTS}
    # Chi-square against the weights (2 degrees of freedom): 27.6 is
    # exceeded by chance once in a million runs; placement ignoring the
    # weights (a third each) scores about 65.
    total = sum(WEIGHTS.values())
    chi2 = sum((counts[p] - 100 * w / total) ** 2 / (100 * w / total)
               for p, w in WEIGHTS.items())
    assert chi2 < 27.6, counts
    assert all(counts.values()), counts

    for index, name in enumerate(names):
        redis_client = pools[placed[name]].client
        others = [srv.client for pool, srv in pools.items()
                  if pool != placed[name]]
        base = keys.queue_base(project, name)
        resp = client.post(f"/v2/queues/{name}/messages", json={
            "messages": [{"body": {"n": index}, "ttl": 300},
                         {"body": "second", "ttl": 300}]})
        assert resp.status_code == 201, resp.text
        assert redis_client.zcard(base + b":msgs") == 2
        assert not any(other.exists(base + b":msgs") for other in others)
        listed = client.get(f"/v2/queues/{name}/messages?echo=true").json()
        assert [m["body"] for m in listed["messages"]] == [{"n": index},
                                                          "second"]
        resp = client.post(f"/v2/queues/{name}/claims?limit=1",
                           json={"ttl": 60, "grace": 60})
        assert resp.status_code == 201, resp.text
        claimed = resp.json()["messages"][0]
        assert redis_client.hlen(base + b":claims") == 1
        no_content(client.delete(claimed["href"]))
        assert redis_client.zcard(base + b":msgs") == 1
        stats = client.get(f"/v2/queues/{name}/stats").json()["messages"]
        assert (stats["total"], stats["claimed"], stats["free"]) == (1, 0, 1)
        resp = client.patch(
            f"/v2/queues/{name}", data=json.dumps(
                [{"op": "add", "path": "/metadata/n", "value": index}]),
            headers={"Content-Type": JSON_PATCH})
        assert resp.status_code == 200, resp.text
        assert json.loads(redis_client.hget(base, "meta")) == {"n": index}
        assert client.get(f"/v2/queues/{name}").json()["n"] == index
        assert not any(other.exists(base) for other in others)

    listed = page_through(client, "/v2/queues?limit=7")
    assert [item["name"] for item in listed] == names
    detailed = page_through(client, "/v2/queues?limit=20&detailed=true")
    assert [item["metadata"]["n"] for item in detailed] == list(range(100))
    counted = client.get("/v2/queues?with_count=true&limit=1").json()
    assert counted["count"] == 100

    # A pool cannot go while it holds queues; deleted queues leave it.
    expect_error(client.delete("/v2/pools/r3", headers=ADMIN), 409,
                 "Unable to delete", "Pool r3 still holds queues; move or "
                 "delete them before deleting the pool.")
    for name in names:
        no_content(client.delete(f"/v2/queues/{name}"))
    assert catalogue(server, project) == {}
    for name, srv in pools.items():
        assert srv.client.zcard(keys.queue_index(project)) == 0
        no_content(client.delete(f"/v2/pools/{name}", headers=ADMIN))
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


# -- pools of different kinds, chosen through flavors -------------------------

def test_flavors_choose_between_redis_and_sql_pools(
        redis_servers, server, client, project, tmp_path):
    fast = redis_servers[0]
    sql_file = tmp_path / "durable.sqlite"
    created(client.put("/v2/pools/fast", headers=ADMIN, json={
        "uri": fast.uri, "weight": 10}), "/v2/pools/fast")
    created(client.put("/v2/pools/durable", headers=ADMIN, json={
        "uri": f"sqlite:///{sql_file}", "weight": 10,
        "options": {"busy_timeout": 10}}), "/v2/pools/durable")
    created(client.put("/v2/flavors/quick", headers=ADMIN,
                       json={"pool_list": ["fast"]}), "/v2/flavors/quick")
    created(client.put("/v2/flavors/safe", headers=ADMIN,
                       json={"pool_list": ["durable"]}), "/v2/flavors/safe")
    expect(client.get("/v2/flavors?detailed=true"), 200, dumps({
        "links": [{"rel": "next",
                   "href": "/v2/flavors?marker=safe&detailed=true"}],
        "flavors": [
            {"name": "quick", "href": "/v2/flavors/quick",
             "pool_list": ["fast"], "capabilities": REDIS_CAPABILITIES},
            {"name": "safe", "href": "/v2/flavors/safe",
             "pool_list": ["durable"], "capabilities": SQL_CAPABILITIES}]}))

    for i in range(5):
        for flavor in ("quick", "safe"):
            created(client.put(f"/v2/queues/{flavor}-{i}",
                               json={"_flavor": flavor}),
                    f"/v2/queues/{flavor}-{i}")
    mapping = catalogue(server, project)
    assert mapping == {**{f"quick-{i}": "fast" for i in range(5)},
                       **{f"safe-{i}": "durable" for i in range(5)}}
    with sqlite3.connect(sql_file) as db:
        stored = sorted(row[0] for row in db.execute(
            "SELECT name FROM queues WHERE project = ?", (project,)))
    assert stored == [f"safe-{i}" for i in range(5)]
    for i in range(5):
        assert fast.client.exists(keys.queue_base(project, f"quick-{i}"))
        assert not fast.client.exists(keys.queue_base(project, f"safe-{i}"))

    # Side by side: the same operations on both kinds of pool.
    for queue in ("quick-0", "safe-0"):
        resp = client.post(f"/v2/queues/{queue}/messages",
                           json={"messages": [{"body": queue}]})
        assert resp.status_code == 201, resp.text
        resp = client.post(f"/v2/queues/{queue}/claims",
                           json={"ttl": 60, "grace": 60})
        assert resp.status_code == 201, resp.text
        assert [m["body"] for m in resp.json()["messages"]] == [queue]
        no_content(client.delete(resp.json()["messages"][0]["href"]))
    with sqlite3.connect(sql_file) as db:
        assert db.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    listed = client.get("/v2/queues?detailed=true&limit=20").json()
    assert [(q["name"], q["metadata"]["_flavor"]) for q in listed["queues"]
            ] == sorted([(f"{f}-{i}", f) for f in ("quick", "safe")
                         for i in range(5)])
    health = client.get("/v2/health", headers=ADMIN).json()
    assert list(health) == ["catalog_reachable", "durable", "fast"]
    assert health["durable"]["storage_reachable"] is True
    # A pool of another kind cannot join a flavor it cannot live up to.
    expect_error(
        client.patch("/v2/pools/fast", headers=ADMIN,
                     json={"flavor": "safe"}), 400,
        "Unable to create pool", "The pool being added does not support "
        "the minimum set of capabilities")


# -- the admin API, as the contract records it --------------------------------

def test_admin_api_contract(redis_servers, server, client, project):
    uri1, uri2 = redis_servers[0].uri, redis_servers[1].uri
    expect_error(client.get("/v2/pools"), 403, *NOT_AUTHORIZED)
    expect(client.get("/v2/pools", headers=ADMIN), 200,
           '{"links": [], "pools": []}',
           headers={"content-location": "/v2/pools"})
    expect_error(client.put("/v2/queues/c-pq0"), 503,
                 "Service temporarily unavailable",
                 "Queue could not be created. Please try again in a few "
                 "seconds.")
    expect(client.post("/v2/queues/c-pq0/messages",
                       json={"messages": [{"body": 1}]}), 503)
    # Waiting for its first pool is no fault: a line that says what to
    # do, no traceback per request.
    log = server.log()
    assert "PUT /v2/queues/c-pq0: no storage pool is registered yet" in log
    assert "Traceback" not in log
    expect(client.get("/v2/flavors"), 200, '{"links": [], "flavors": []}')

    for _ in range(2):  # PUT again is still 201
        created(client.put("/v2/pools/p1", headers=ADMIN,
                           json={"weight": 100, "uri": uri1}),
                "/v2/pools/p1")
    created(client.put("/v2/pools/p2", headers=ADMIN, json={
        "weight": 50, "uri": uri2, "options": {"k": 1}}), "/v2/pools/p2")
    expect_error(client.put("/v2/pools/p3", headers=ADMIN,
                            json={"weight": 50, "uri": uri1}), 409,
                 "Resource conflict",
                 "The database URI is in use by another pool.")
    expect_error(client.put("/v2/pools/p2", headers={}, json={
        "weight": 1, "uri": uri2}), 403, *NOT_AUTHORIZED)

    def schema_error(resp, starts):
        assert resp.status_code == 400, resp.text
        document = resp.json()
        assert document["title"] == "Invalid request body"
        assert document["description"].startswith(starts), document

    schema_error(client.put("/v2/pools/bad", headers=ADMIN, json={
        "weight": -1, "uri": uri1}), "-1 is less than the minimum of 0")
    schema_error(client.put("/v2/pools/bad", headers=ADMIN,
                            json={"uri": uri1}),
                 "'weight' is a required property")
    schema_error(client.put("/v2/pools/bad", headers=ADMIN, json={
        "weight": 1, "uri": uri1, "x": 1}),
        "Additional properties are not allowed ('x' was unexpected)")
    schema_error(client.put("/v2/pools/bad", headers=ADMIN, json={
        "weight": 2 ** 32, "uri": uri1}), "4294967296 is greater than")
    schema_error(client.put("/v2/pools/bad", headers=ADMIN, json=[1]),
                 "[1] is not of type 'object'")
    for body in (b"{bad", b""):
        bad_body(client.put("/v2/pools/bad", headers=ADMIN, data=body),
                 "JSON could not be parsed.")
    bad_body(client.put("/v2/pools/bad", headers=ADMIN, json={
        "weight": 1, "uri": "redis://127.0.0.1:1"}),
        "cannot connect to redis://127.0.0.1:1")
    bad_body(client.put("/v2/pools/bad", headers=ADMIN, json={
        "weight": 1, "uri": "nosuch://127.0.0.1:1"}),
        "cannot connect to nosuch://127.0.0.1:1: no storage driver serves "
        "'nosuch' URIs")
    bad_body(client.put("/v2/pools/bad", headers=ADMIN, json={
        "weight": 1, "uri": uri1 + "?bogus=1"}),
        f"cannot connect to {uri1}?bogus=1: Invalid Redis URI ..."
        f"{uri1 + '?bogus=1'!r}: unknown parameter 'bogus'")
    invalid(client.put("/v2/pools/__virtual__", headers=ADMIN, json={
        "weight": 1, "uri": uri1}), "Pool name __virtual__ is reserved.")

    p1 = {"name": "p1", "uri": uri1, "weight": 100, "flavor": None,
          "href": "/v2/pools/p1"}
    p2 = {"name": "p2", "uri": uri2, "weight": 50, "flavor": None,
          "href": "/v2/pools/p2"}
    expect(client.get("/v2/pools", headers=ADMIN), 200, dumps({
        "links": [{"rel": "next", "href": "/v2/pools?marker=p2"}],
        "pools": [p1, p2]}), headers={"content-location": "/v2/pools"})
    expect(client.get("/v2/pools?detailed=true&limit=1", headers=ADMIN),
           200, dumps({"links": [{
               "rel": "next",
               "href": "/v2/pools?limit=1&detailed=true&marker=p1"}],
                       "pools": [with_options(p1, {})]}),
           headers={"content-location": "/v2/pools?detailed=true&limit=1"})
    expect(client.get("/v2/pools?marker=p1&limit=5", headers=ADMIN), 200,
           dumps({"links": [{"rel": "next",
                             "href": "/v2/pools?marker=p2&limit=5"}],
                  "pools": [p2]}))
    invalid(client.get("/v2/pools?limit=0", headers=ADMIN),
            "Limit must be at least 1 and no greater than 20.")
    expect(client.get("/v2/pools/p2?detailed=true", headers=ADMIN), 200,
           dumps(with_options(p2, {"k": 1})))
    not_found(client.get("/v2/pools/nosuch", headers=ADMIN),
              "Pool nosuch does not exist")
    for body in ({}, {"bogus": 1}):  # no field: said before the schema
        bad_body(client.patch("/v2/pools/p2", headers=ADMIN, json=body),
                 "One of `uri`, `weight`, `flavor`, or `options` needs to "
                 "be specified")
    schema_error(client.patch("/v2/pools/p2", headers=ADMIN,
                              json={"weight": "x"}),
                 "'x' is not of type 'integer'")
    expect(client.patch("/v2/pools/p2", headers=ADMIN,
                        json={"weight": 60, "options": {"k": 2}}), 200,
           dumps({**p2, "weight": 60}))
    not_found(client.patch("/v2/pools/nosuch", headers=ADMIN,
                           json={"weight": 60}),
              "Pool nosuch does not exist")
    expect_error(client.patch("/v2/pools/p2", headers=ADMIN,
                              json={"uri": uri1}), 409, "Resource conflict",
                 "The database URI is in use by another pool.")

    # flavors
    schema_error(client.put("/v2/flavors/gold", headers=ADMIN, json={}),
                 "'pool_list' is a required property")
    expect_error(client.put("/v2/flavors/gold", headers=ADMIN,
                            json={"pool_list": []}), 400,
                 "Unable to create", "Bad Request",
                 headers={"location": "/v2/flavors/gold"})
    expect_error(client.put("/v2/flavors/gold", headers=ADMIN,
                            json={"pool_list": ["nosuch"]}), 400,
                 "Unable to create", "Flavor gold could not be created, "
                 "error:Pool nosuch does not exist",
                 headers={"location": None})
    created(client.put("/v2/flavors/gold", headers=ADMIN, json={
        "pool_list": ["p1"], "capabilities": {"x": 1}}), "/v2/flavors/gold")
    expect_error(client.put("/v2/flavors/silver",
                            json={"pool_list": ["p2"]}), 403,
                 *NOT_AUTHORIZED)
    created(client.put("/v2/flavors/silver", headers=ADMIN,
                       json={"pool_list": ["p2"]}), "/v2/flavors/silver")
    expect(client.get("/v2/flavors"), 200, dumps({
        "links": [{"rel": "next", "href": "/v2/flavors?marker=silver"}],
        "flavors": [
            {"name": "gold", "href": "/v2/flavors/gold", "pool_list": ["p1"]},
            {"name": "silver", "href": "/v2/flavors/silver",
             "pool_list": ["p2"]}]}))
    expect(client.get("/v2/flavors?detailed=true&limit=1"), 200, dumps({
        "links": [{"rel": "next",
                   "href": "/v2/flavors?limit=1&marker=gold&detailed=true"}],
        "flavors": [{"name": "gold", "href": "/v2/flavors/gold",
                     "pool_list": ["p1"],
                     "capabilities": REDIS_CAPABILITIES}]}))
    invalid(client.get("/v2/flavors?limit=21"),
            "Limit must be at least 1 and no greater than 20.")
    gold = {"name": "gold", "capabilities": REDIS_CAPABILITIES,
            "pool_list": ["p1"], "href": "/v2/flavors/gold"}
    expect(client.get("/v2/flavors/gold"), 200, dumps(gold))
    not_found(client.get("/v2/flavors/nosuch"),
              "Flavor nosuch does not exist")
    # Flavors belong to the project that made them.
    not_found(client.get("/v2/flavors/gold",
                         headers={"X-Project-ID": project + "-other"}),
              "Flavor gold does not exist")
    expect(client.get("/v2/pools/p1", headers=ADMIN), 200,
           dumps({**p1, "flavor": "gold"}))
    bad_body(client.patch("/v2/flavors/gold", headers=ADMIN, json={}),
             "`pool_list` needs to be specified")
    expect_error(client.patch("/v2/flavors/gold", headers=ADMIN,
                              json={"pool_list": []}), 400,
                 "Unable to create", "Bad Request",
                 headers={"location": "/v2/flavors/gold"})
    expect_error(client.patch("/v2/flavors/gold", headers=ADMIN,
                              json={"pool_list": ["nosuch"]}), 400,
                 "updatefail", "Flavor gold cant be updated, error:Pool "
                 "nosuch does not exist")
    not_found(client.patch("/v2/flavors/nosuch", headers=ADMIN,
                           json={"pool_list": ["p1"]}),
              "Flavor nosuch does not exist")
    expect(client.patch("/v2/flavors/gold", headers=ADMIN,
                        json={"pool_list": ["p1"]}), 200, dumps(gold))

    # queues on a flavor
    created(client.put("/v2/queues/c-fq", json={"_flavor": "gold"}),
            "/v2/queues/c-fq")
    invalid(client.put("/v2/queues/c-fq2", json={"_flavor": "nosuch"}),
            "Flavor nosuch does not exist")
    resp = client.post("/v2/queues/c-fq/messages",
                       json={"messages": [{"body": "via pool", "ttl": 60}]})
    assert resp.status_code == 201, resp.text
    assert redis_servers[0].client.zcard(
        keys.queue_base(project, "c-fq") + b":msgs") == 1
    stats = client.get("/v2/queues/c-fq/stats").json()["messages"]
    assert stats["total"] == 1 and stats["newest"]["body"] == "via pool"
    listed = client.get("/v2/queues?detailed=true").json()
    assert [q["metadata"]["_flavor"] for q in listed["queues"]] == ["gold"]

    health = client.get("/v2/health", headers=ADMIN)
    expect(health, 200)
    document = health.json()
    assert list(document) == ["catalog_reachable", "p1", "p2"]
    assert document["catalog_reachable"] is True
    for pool in ("p1", "p2"):
        assert document[pool]["storage_reachable"] is True
        assert all(op["succeeded"] and op["ref"] is None for op in
                   document[pool]["operation_status"].values())
    expect_error(client.get("/v2/health"), 403, *NOT_AUTHORIZED)

    expect_error(client.delete("/v2/pools/p1", headers=ADMIN), 403,
                 "Unable to delete", "This pool is used by flavors gold; It "
                 "cannot be deleted.")
    no_content(client.delete("/v2/queues/c-fq"))
    for path in ("/v2/flavors/gold", "/v2/flavors/silver",
                 "/v2/flavors/nosuch"):
        no_content(client.delete(path, headers=ADMIN))
    expect(client.get("/v2/pools/p1", headers=ADMIN), 200, dumps(p1))
    for name in ("p1", "p2", "p3", "nosuch"):
        no_content(client.delete(f"/v2/pools/{name}", headers=ADMIN))
    expect(client.get("/v2/pools", headers=ADMIN), 200,
           '{"links": [], "pools": []}')


def test_admin_routes_need_admin_mode(tmp_path_factory, project):
    srv = _server(tmp_path_factory, admin_mode=False)
    try:
        client = Client(srv.url, project)
        for path in ("/v2/pools", "/v2/pools/p1", "/v2/flavors",
                     "/v2/flavors/gold"):
            expect(client.get(path, headers=ADMIN), 404,
                   '{"title": "404 Not Found"}')
    finally:
        srv.stop()


def test_redis_as_management_store(redis_servers, tmp_path_factory,
                                   project):
    """The catalogue, pools and flavors kept in Redis by a real server."""
    store = redis_servers[2]
    srv = _server(tmp_path_factory, groups={
        "drivers": {"management_store": "redis"},
        "drivers:management_store:redis": {"uri": store.uri + "/3"}})
    state = redis.Redis(port=store.port, db=3)
    names = control.Keys(control.NAMESPACE)
    try:
        client = Client(srv.url, project)
        created(client.put("/v2/pools/only", headers=ADMIN, json={
            "uri": redis_servers[0].uri, "weight": 1}), "/v2/pools/only")
        created(client.put("/v2/flavors/gold", headers=ADMIN,
                           json={"pool_list": ["only"]}), "/v2/flavors/gold")
        created(client.put("/v2/queues/q1", json={"_flavor": "gold"}),
                "/v2/queues/q1")
        resp = client.post("/v2/queues/q2/messages",
                           json={"messages": [{"body": 2}]})
        assert resp.status_code == 201, resp.text
        assert state.hgetall(names.catalogue(project)) == {
            b"q1": b"only", b"q2": b"only"}
        assert state.hget(names.pool("only"), "flavor") == b"gold"
        assert redis_servers[0].client.exists(keys.queue_base(project, "q2"))
        assert [q["name"] for q in client.get("/v2/queues").json()[
            "queues"]] == ["q1", "q2"]
        expect_error(client.delete("/v2/pools/only", headers=ADMIN), 403,
                     "Unable to delete", "This pool is used by flavors "
                     "gold; It cannot be deleted.")
        no_content(client.delete("/v2/flavors/gold", headers=ADMIN))
        expect_error(client.delete("/v2/pools/only", headers=ADMIN), 409,
                     "Unable to delete", "Pool only still holds queues; "
                     "move or delete them before deleting the pool.")
        for queue in ("q1", "q2"):
            no_content(client.delete(f"/v2/queues/{queue}"))
        assert state.hgetall(names.catalogue(project)) == {}
        no_content(client.delete("/v2/pools/only", headers=ADMIN))
        assert not state.exists(names.pool("only"))
    finally:
        state.close()
        srv.stop()
