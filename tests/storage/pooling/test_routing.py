"""The pooled data driver over real stores: SQLite files as pools and an
SQLite management store, two driver instances standing for two API nodes
that share the catalogue."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from oslo_config import cfg

from tests.storage import helpers
from zaqar.common import configs
from zaqar.storage import errors, pool_catalog, pooling
from zaqar.storage.sqlalchemy import driver as sql
from zaqar.storage.sqlalchemy import tables

PROJECT = "proj"


def _conf(tmp_path, **pooling_catalog) -> cfg.ConfigOpts:
    conf = configs.register(cfg.ConfigOpts())
    conf([], project="zaqar", default_config_files=[])
    conf.set_override("state_path", str(tmp_path))
    conf.set_override("pooling", True)
    for key, value in pooling_catalog.items():
        conf.set_override(key, value, group="pooling:catalog")
    return conf


@pytest.fixture
def conf(tmp_path):
    return _conf(tmp_path)


@pytest.fixture
def uris(tmp_path):
    return {name: f"sqlite:///{tmp_path}/pool-{name}.sqlite"
            for name in ("p1", "p2", "p3")}


@pytest.fixture
def control(conf):
    ctl = sql.ControlDriver(conf)
    yield ctl
    ctl.close()


@pytest.fixture
def nodes(conf, control):
    """Two API nodes: each has its own control connection and cache."""
    other_control = sql.ControlDriver(conf)
    first = pooling.DataDriver(conf, control)
    second = pooling.DataDriver(conf, other_control)
    yield first, second
    first.close()
    second.close()
    other_control.close()


@pytest.fixture
def node(nodes):
    return nodes[0]


@pytest.fixture
def direct(conf, uris):
    """Plain SQL drivers on each pool's database, to look behind the
    pooled driver."""
    drivers = {name: sql.DataDriver(conf, uri=uri)
               for name, uri in uris.items()}
    yield drivers
    for drv in drivers.values():
        drv.close()


def _pool(control, name, uri, weight=1, flavor=None):
    control.pools_controller.create(name, weight, uri, flavor=flavor)


def _where(control, queue):
    return control.catalogue_controller.get(PROJECT, queue)["pool"]


def test_queue_goes_to_a_pool_of_its_flavor(node, control, uris, direct):
    _pool(control, "p1", uris["p1"], flavor="gold")
    _pool(control, "p2", uris["p2"], weight=1000)
    control.flavors_controller.create("gold", PROJECT)
    for i in range(5):
        assert node.queue_controller.create(f"g{i}", PROJECT,
                                            {"_flavor": "gold"})
        assert _where(control, f"g{i}") == "p1"
        assert direct["p1"].queue_controller.get_metadata(
            f"g{i}", PROJECT) == {"_flavor": "gold"}
        assert not direct["p2"].queue_controller.exists(f"g{i}", PROJECT)
    assert not node.queue_controller.create("g0", PROJECT,
                                            {"_flavor": "gold"})


def test_unknown_flavor_and_missing_pools(node, control, uris):
    with pytest.raises(errors.FlavorDoesNotExist) as failure:
        node.queue_controller.create("q", PROJECT, {"_flavor": "nosuch"})
    assert str(failure.value) == "Flavor nosuch does not exist"
    with pytest.raises(errors.NoPoolFound):
        node.queue_controller.create("q", PROJECT, {})
    with pytest.raises(errors.NoPoolFound):
        helpers.post(node.message_controller, "q", PROJECT)
    _pool(control, "p1", uris["p1"], weight=0)
    with pytest.raises(errors.NoPoolFound):
        node.queue_controller.create("q", PROJECT, {})
    control.flavors_controller.create("gold", "another-project")
    with pytest.raises(errors.FlavorDoesNotExist):  # flavors are per project
        node.queue_controller.create("q", PROJECT, {"_flavor": "gold"})
    assert not control.catalogue_controller.exists(PROJECT, "q")


def test_zero_weight_pools_take_no_new_queues(node, control, uris):
    _pool(control, "p1", uris["p1"], weight=0)
    _pool(control, "p2", uris["p2"], weight=5)
    for i in range(20):
        helpers.post(node.message_controller, f"q{i}", PROJECT)
        assert _where(control, f"q{i}") == "p2"


def test_operations_reach_the_queues_pool(node, control, uris, direct):
    _pool(control, "p1", uris["p1"], weight=1)
    _pool(control, "p2", uris["p2"], weight=0)
    ids = helpers.post(node.message_controller, "q", PROJECT, count=3)
    assert helpers.ids(direct["p1"].message_controller.list(
        "q", PROJECT, echo=True)) == ids
    claim_id, claimed = node.claim_controller.create(
        "q", {"ttl": 60, "grace": 60}, PROJECT, limit=2)
    assert helpers.ids(claimed) == ids[:2]
    assert direct["p1"].claim_controller.get("q", claim_id, PROJECT)
    node.message_controller.delete("q", ids[0], PROJECT, claim=claim_id)
    assert node.queue_controller.stats("q", PROJECT)["total"] == 2
    node.queue_controller.set_metadata("q", {"a": 1}, PROJECT)
    assert direct["p1"].queue_controller.get_metadata("q", PROJECT) == {
        "a": 1}
    sid = node.subscription_controller.create(
        "q", "http://example.invalid/x", 60, {}, PROJECT)
    assert direct["p1"].subscription_controller.exists("q", sid, PROJECT)
    node.queue_controller.delete("q", PROJECT)
    assert not direct["p1"].queue_controller.exists("q", PROJECT)
    assert not control.catalogue_controller.exists(PROJECT, "q")
    assert not direct["p2"].queue_controller.exists("q", PROJECT)
    control.pools_controller.delete("p1")  # holds no queue any more


def test_stale_cache_on_another_node(nodes, control, uris, direct):
    a, b = nodes
    _pool(control, "p1", uris["p1"], weight=1)
    _pool(control, "p2", uris["p2"], weight=0)
    a.queue_controller.create("q", PROJECT, {"v": 1})
    assert a.queue_controller.get_metadata("q", PROJECT) == {"v": 1}
    assert helpers.post(a.message_controller, "q", PROJECT)
    # Node b deletes the queue and creates it again on the other pool.
    b.queue_controller.delete("q", PROJECT)
    control.pools_controller.update("p1", weight=0)
    control.pools_controller.update("p2", weight=1)
    b.queue_controller.create("q", PROJECT, {"v": 2})
    assert _where(control, "q") == "p2"
    # Node a still caches p1: its writes never go there ...
    ids = helpers.post(a.message_controller, "q", PROJECT)
    assert not direct["p1"].queue_controller.exists("q", PROJECT)
    a.queue_controller.set_metadata("q", {"v": 3}, PROJECT)
    assert direct["p2"].queue_controller.get_metadata("q", PROJECT) == {
        "v": 3}
    # ... and its reads find the queue on p2.
    b.queue_controller.set_metadata("q", {"v": 2}, PROJECT)
    a.catalog._remember(PROJECT, "q", "p1")  # as stale as it was
    assert a.queue_controller.get_metadata("q", PROJECT) == {"v": 2}
    a.catalog._remember(PROJECT, "q", "p1")
    assert a.queue_controller.exists("q", PROJECT)
    assert helpers.ids(direct["p2"].message_controller.list(
        "q", PROJECT, echo=True)) == ids
    assert helpers.ids(a.message_controller.list("q", PROJECT,
                                                 echo=True)) == ids
    # A queue deleted through b: a's cached route answers "missing".
    b.queue_controller.delete("q", PROJECT)
    assert a.message_controller.list("q", PROJECT, echo=True) == []
    with pytest.raises(errors.QueueDoesNotExist):
        a.queue_controller.stats("q", PROJECT)
    assert not a.queue_controller.exists("q", PROJECT)


def test_listing_spans_pools_in_name_order(node, control, uris):
    for name, weight in (("p1", 3), ("p2", 2), ("p3", 1)):
        _pool(control, name, uris[name], weight=weight)
    names = [f"q{i:02d}" for i in range(30)]
    for name in names:
        node.queue_controller.create(name, PROJECT,
                                     {"n": int(name[1:]) % 3})
    assert len({_where(control, name) for name in names}) > 1
    for detailed in (False, True):
        seen, marker = [], None
        while True:
            page = node.queue_controller.list(PROJECT, marker=marker,
                                              limit=7, detailed=detailed)
            if not page:
                break
            seen.extend(page)
            marker = page[-1]["name"]
        assert [item["name"] for item in seen] == names
        if detailed:
            assert seen[4]["metadata"] == {"n": 1}
    assert [q["name"] for q in node.queue_controller.list(
        PROJECT, name="q1", limit=20)] == [f"q1{i}" for i in range(10)]
    assert [q["name"] for q in node.queue_controller.list(
        PROJECT, filters={"n": 2}, limit=5, marker="q10")] == [
        "q11", "q14", "q17", "q20", "q23"]
    assert node.queue_controller.list(PROJECT, marker="zzz") == []
    assert node.queue_controller.list("nobody") == []
    assert node.queue_controller.count(PROJECT) == 30


def test_detailed_listing_reads_the_catalogue_a_window_at_a_time(
        node, control, uris, direct, monkeypatch):
    """Windows of four catalogue names: pools are asked for their queues
    within each window only; stale copies (a queue a pool holds that the
    catalogue places elsewhere) are left out."""
    monkeypatch.setattr(pooling.QueueController, "LISTING_PAGE", 4)
    for name, weight in (("p1", 3), ("p2", 2), ("p3", 1)):
        _pool(control, name, uris[name], weight=weight)
    names = [f"q{i:02d}" for i in range(23)]
    for name in names:
        node.queue_controller.create(name, PROJECT, {"n": int(name[1:]) % 3})
    # a stale copy of each queue on a pool that does not hold it
    for name in names[::5]:
        elsewhere = next(pool for pool in ("p1", "p2", "p3")
                         if pool != _where(control, name))
        direct[elsewhere].queue_controller.create(name, PROJECT,
                                                  {"stale": True})

    def pages(limit, **kwargs):
        seen, marker = [], None
        while True:
            page = node.queue_controller.list(
                PROJECT, marker=marker, limit=limit, detailed=True, **kwargs)
            if not page:
                return seen
            assert len(page) <= limit
            seen.extend(page)
            marker = page[-1]["name"]
    for limit in (1, 3, 7, 20):
        listed = pages(limit)
        assert [q["name"] for q in listed] == names
        assert all("stale" not in q["metadata"] for q in listed)
        assert [q["name"] for q in pages(limit, filters={"n": 2})] == [
            n for n in names if int(n[1:]) % 3 == 2]
        assert [q["name"] for q in pages(limit, name="q1")] == [
            n for n in names if "q1" in n]


def test_plain_listing_reads_the_catalogue_a_page_at_a_time(node, control,
                                                          uris):
    """Without details or metadata filters the catalogue answers alone,
    so names it holds are listed whether or not a pool has the queue."""
    _pool(control, "p1", uris["p1"])
    names = [f"x{i:03d}" for i in range(250)]
    for name in names:
        control.catalogue_controller.insert(PROJECT, name, "p1")

    def listed(**kwargs):
        return [q["name"] for q in node.queue_controller.list(PROJECT,
                                                              **kwargs)]
    assert listed(limit=20, marker="x100") == names[101:121]
    # the name filter reads on through catalogue pages until the page
    # is full
    assert listed(name="x1", limit=20) == names[100:120]
    nines = [n for n in names if "9" in n]
    assert listed(name="9", limit=20) == nines[:20]
    assert listed(name="9", limit=20, marker=nines[19]) == nines[20:40]
    assert listed(name="nothing", limit=20) == []


def test_dead_letter_queue_on_another_pool(node, control, uris, direct):
    _pool(control, "p1", uris["p1"], weight=1)
    _pool(control, "p2", uris["p2"], weight=0)
    node.queue_controller.create("src", PROJECT, {
        "_max_claim_count": 1, "_dead_letter_queue": "dlq",
        "_dead_letter_queue_messages_ttl": 120})
    control.pools_controller.update("p1", weight=0)
    control.pools_controller.update("p2", weight=1)
    node.queue_controller.create("dlq", PROJECT, {})
    assert _where(control, "dlq") == "p2"
    ids = helpers.post(node.message_controller, "src", PROJECT, count=2,
                       client="c1")
    claim_id, claimed = node.claim_controller.create(
        "src", {"ttl": 60, "grace": 60}, PROJECT)
    assert helpers.ids(claimed) == ids
    node.claim_controller.delete("src", claim_id, PROJECT)
    assert node.claim_controller.create(
        "src", {"ttl": 60, "grace": 60}, PROJECT) == (None, [])
    moved = node.message_controller.list("dlq", PROJECT, echo=True)
    assert [m["body"] for m in moved] == [0, 1]
    assert all(m["ttl"] == 120 and m["claim_id"] is None for m in moved)
    assert moved[0]["client_uuid"] == "c1"
    assert direct["p2"].queue_controller.stats("dlq", PROJECT)["total"] == 2
    # The local copy on the source pool is empty and stays unlisted.
    assert direct["p1"].message_controller.list(
        "dlq", PROJECT, echo=True, include_claimed=True) == []
    assert [q["name"] for q in node.queue_controller.list(
        PROJECT, detailed=True)] == ["dlq", "src"]
    assert node.queue_controller.stats("src", PROJECT)["total"] == 0


def test_dead_letter_queue_created_on_demand_joins_the_source_pool(
        node, control, uris, direct):
    _pool(control, "p1", uris["p1"], weight=1)
    _pool(control, "p2", uris["p2"], weight=1000)
    control.pools_controller.update("p2", weight=0)
    node.queue_controller.create("src", PROJECT, {
        "_max_claim_count": 1, "_dead_letter_queue": "dlq"})
    control.pools_controller.update("p2", weight=1000)
    helpers.post(node.message_controller, "src", PROJECT)
    claim_id, _ = node.claim_controller.create(
        "src", {"ttl": 60, "grace": 60}, PROJECT)
    node.claim_controller.delete("src", claim_id, PROJECT)
    node.claim_controller.create("src", {"ttl": 60, "grace": 60}, PROJECT)
    assert _where(control, "dlq") == "p1"
    assert len(node.message_controller.list("dlq", PROJECT, echo=True)) == 1


def test_a_leftover_queue_takes_the_new_metadata(node, control, uris,
                                                 direct):
    _pool(control, "p1", uris["p1"], weight=1)
    direct["p1"].queue_controller.create("q", PROJECT, {"old": True})
    assert node.queue_controller.create("q", PROJECT, {"new": True})
    assert node.queue_controller.get_metadata("q", PROJECT) == {"new": True}


def test_health_lists_every_pool(node, control, uris):
    _pool(control, "p1", uris["p1"])
    _pool(control, "p2", "redis://127.0.0.1:1", weight=0)
    document = node.health()
    assert list(document) == ["catalog_reachable", "p1", "p2"]
    assert document["catalog_reachable"] is True
    assert document["p1"]["storage_reachable"] is True
    assert all(op["succeeded"] for op in
               document["p1"]["operation_status"].values())
    assert document["p2"] == {"storage_reachable": False}
    assert node.is_alive()


def test_pool_changes_reach_every_node(nodes, control, uris, direct,
                                       monkeypatch):
    a, b = nodes
    _pool(control, "p1", uris["p1"])
    helpers.post(a.message_controller, "q", PROJECT)
    first = a.catalog.driver("p1")
    assert a.catalog.driver("p1") is first
    # The pool now points at another database (moved by the operator).
    b.queue_controller.delete("q", PROJECT)
    control.pools_controller.update("p1", uri=uris["p3"])
    monkeypatch.setattr(pool_catalog, "POOL_REFRESH_SECONDS", 0.0)
    helpers.post(a.message_controller, "q2", PROJECT)
    assert a.catalog.driver("p1") is not first
    assert direct["p3"].queue_controller.exists("q2", PROJECT)
    assert not direct["p1"].queue_controller.exists("q2", PROJECT)


def test_gc_runs_on_every_pool(node, control, uris, direct):
    _pool(control, "p1", uris["p1"])
    helpers.post(node.message_controller, "q", PROJECT, ttl=1)
    helpers.sleep_past(1)
    node.gc()
    assert direct["p1"].queue_controller.stats("q", PROJECT)["total"] == 0


def test_virtual_pool_serves_queues_from_before_pooling(tmp_path, uris):
    conf = _conf(tmp_path, enable_virtual_pool=True)
    legacy = sql.DataDriver(conf)  # the [drivers] message store
    legacy.queue_controller.create("old", PROJECT, {"legacy": 1})
    helpers.post(legacy.message_controller, "old", PROJECT)
    control = sql.ControlDriver(conf)
    node = pooling.DataDriver(conf, control)
    try:
        assert node.queue_controller.get_metadata("old", PROJECT) == {
            "legacy": 1}
        assert len(node.message_controller.list("old", PROJECT,
                                                echo=True)) == 1
        # With no pool registered, new queues go to the virtual pool too.
        node.queue_controller.create("new", PROJECT, {})
        assert legacy.queue_controller.exists("new", PROJECT)
        _pool(control, "p1", uris["p1"])
        node.queue_controller.create("newer", PROJECT, {})
        assert _where(control, "newer") == "p1"
        # An old queue stays where it is when posted to.
        helpers.post(node.message_controller, "old", PROJECT)
        assert _where(control, "old") == pool_catalog.VIRTUAL_POOL
        assert [q["name"] for q in node.queue_controller.list(
            PROJECT, detailed=True)] == ["new", "newer", "old"]
        assert list(node.health()) == ["catalog_reachable", "p1",
                                       pool_catalog.VIRTUAL_POOL]
    finally:
        node.close()
        control.close()
        legacy.close()


def test_virtual_pool_listing_in_windows(tmp_path, uris, monkeypatch):
    """Queues from before pooling (not in the catalogue, or placed on the
    virtual pool when used) interleave with pooled ones by name, across
    catalogue windows and after the catalogue's last name."""
    monkeypatch.setattr(pooling.QueueController, "LISTING_PAGE", 3)
    conf = _conf(tmp_path, enable_virtual_pool=True)
    legacy = sql.DataDriver(conf)
    old = [f"q{i:02d}" for i in range(1, 20, 2)] + ["z1", "z2"]
    for name in old:
        legacy.queue_controller.create(name, PROJECT, {"old": 1})
    control = sql.ControlDriver(conf)
    node = pooling.DataDriver(conf, control)
    try:
        _pool(control, "p1", uris["p1"])
        new = [f"q{i:02d}" for i in range(0, 20, 2)]
        for name in new:
            node.queue_controller.create(name, PROJECT, {})
        helpers.post(node.message_controller, "q05", PROJECT)
        assert _where(control, "q05") == pool_catalog.VIRTUAL_POOL
        everything = sorted(old + new)
        for limit in (1, 4, 20):
            seen, marker = [], None
            while True:
                page = node.queue_controller.list(
                    PROJECT, marker=marker, limit=limit, detailed=True)
                if not page:
                    break
                seen.extend(page)
                marker = page[-1]["name"]
            assert [q["name"] for q in seen] == everything
            assert [q["name"] for q in seen if q["metadata"]] == old
        assert node.queue_controller.count(PROJECT) == len(everything)
    finally:
        node.close()
        control.close()
        legacy.close()


def test_zaqar_gc_collects_on_every_pool(tmp_path, control, node, uris,
                                         direct):
    """``zaqar-gc`` with ``pooling = True`` walks the registered pools."""
    _pool(control, "p1", uris["p1"], weight=1)
    _pool(control, "p2", uris["p2"], weight=0)
    helpers.post(node.message_controller, "q", PROJECT, ttl=1)
    control.pools_controller.update("p1", weight=0)
    control.pools_controller.update("p2", weight=1)
    helpers.post(node.message_controller, "r", PROJECT, ttl=1)
    helpers.sleep_past(1)
    config = tmp_path / "gc.conf"
    config.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n"
                      "pooling = True\n")
    done = subprocess.run(
        [sys.executable, "-m", "zaqar.cmd.gc", "--config-file",
         str(config)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for pool in ("p1", "p2"):
        rows = direct[pool].database.read(lambda conn: conn.execute(
            sa.select(sa.func.count()).select_from(tables.messages))
            .scalar())
        assert rows == 0


def test_cached_route_to_a_deleted_pool(nodes, control, uris):
    a, b = nodes
    _pool(control, "p1", uris["p1"], weight=1)
    _pool(control, "p2", uris["p2"], weight=0)
    a.queue_controller.create("q", PROJECT, {"v": 1})
    assert a.queue_controller.get_metadata("q", PROJECT) == {"v": 1}
    b.queue_controller.delete("q", PROJECT)
    control.pools_controller.delete("p1")
    control.pools_controller.update("p2", weight=1)
    b.queue_controller.create("q", PROJECT, {"v": 2})
    a.catalog.drop_driver("p1")  # as after POOL_REFRESH_SECONDS
    assert a.queue_controller.get_metadata("q", PROJECT) == {"v": 2}
