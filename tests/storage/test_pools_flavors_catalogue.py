"""Control plane: pools, flavors and the catalogue."""

from __future__ import annotations

import pytest

from zaqar.storage import errors

URI = "redis://127.0.0.1:6379/{}"


@pytest.fixture
def pools(control):
    return control.pools_controller


@pytest.fixture
def flavors(control):
    return control.flavors_controller


@pytest.fixture
def catalogue(control):
    return control.catalogue_controller


def names(items):
    return [item["name"] for item in items]


def test_control_driver_is_alive(control):
    assert control.is_alive() is True


def test_pool_create_get(pools):
    pools.create("p1", 100, URI.format(1), options={"a": 1})
    assert pools.exists("p1") and not pools.exists("p2")
    assert pools.get("p1") == {"name": "p1", "uri": URI.format(1),
                               "weight": 100, "flavor": None}
    detailed = pools.get("p1", detailed=True)
    assert detailed["options"] == {"a": 1}
    with pytest.raises(errors.PoolDoesNotExist):
        pools.get("p2")


def test_pool_create_replaces(pools):
    pools.create("p1", 100, URI.format(1), flavor="f", options={"a": 1})
    pools.create("p1", 5, URI.format(2))
    assert pools.get("p1", detailed=True) == {
        "name": "p1", "uri": URI.format(2), "weight": 5, "flavor": None,
        "options": {}}


def test_pool_uri_is_unique(pools):
    pools.create("p1", 1, URI.format(1))
    with pytest.raises(errors.PoolAlreadyExists):
        pools.create("p2", 1, URI.format(1))
    assert not pools.exists("p2")
    pools.create("p2", 1, URI.format(2))
    with pytest.raises(errors.PoolAlreadyExists):
        pools.update("p2", uri=URI.format(1))
    assert pools.get("p2")["uri"] == URI.format(2)


def test_pool_update(pools):
    pools.create("p1", 1, URI.format(1))
    pools.update("p1", weight=7, flavor="gold", options={"x": True})
    pools.update("p1", uri=URI.format(9))
    assert pools.get("p1", detailed=True) == {
        "name": "p1", "uri": URI.format(9), "weight": 7, "flavor": "gold",
        "options": {"x": True}}
    with pytest.raises(errors.PoolDoesNotExist):
        pools.update("nope", weight=1)


def test_pool_list_by_name_after_marker(pools):
    for i, name in enumerate(("c", "a", "b", "d")):
        pools.create(name, i, URI.format(i), options={"i": i})
    assert names(pools.list()) == ["a", "b", "c", "d"]
    assert names(pools.list(marker="a", limit=2)) == ["b", "c"]
    assert names(pools.list(marker="bb")) == ["c", "d"]
    assert pools.list(marker="z") == []
    assert "options" not in pools.list()[0]
    assert pools.list(detailed=True)[0]["options"] == {"i": 1}


def test_pools_by_flavor(pools):
    pools.create("a", 1, URI.format(1), flavor="gold")
    pools.create("b", 1, URI.format(2))
    pools.create("c", 1, URI.format(3), flavor="gold")
    assert names(pools.get_pools_by_flavor("gold")) == ["a", "c"]
    assert pools.get_pools_by_flavor("silver") == []
    assert sorted(names(pools.get_pools_by_flavor(None))) == ["a", "b", "c"]
    detailed = pools.get_pools_by_flavor("gold", detailed=True)
    assert detailed[0]["options"] == {}


def test_pool_delete(pools):
    pools.create("p1", 1, URI.format(1))
    pools.delete("p1")
    assert not pools.exists("p1")
    pools.delete("p1")
    pools.create("p2", 1, URI.format(1))  # the URI is free again


def test_pool_in_use_by_flavor_cannot_be_deleted(pools, flavors):
    pools.create("p1", 1, URI.format(1), flavor="gold")
    flavors.create("gold", "proj", {})
    with pytest.raises(errors.PoolInUseByFlavor):
        pools.delete("p1")
    assert pools.exists("p1")
    flavors.delete("gold", "proj")
    pools.delete("p1")
    assert not pools.exists("p1")


def test_pool_drop_all(pools):
    pools.create("a", 1, URI.format(1))
    pools.create("b", 1, URI.format(2))
    pools.drop_all()
    assert pools.list() == []


def test_flavor_create_get(flavors):
    flavors.create("gold", "proj", {"durable": True})
    assert flavors.exists("gold", "proj")
    assert flavors.get("gold", "proj")["name"] == "gold"
    assert flavors.get("gold", "proj", detailed=True)["capabilities"] == {
        "durable": True}
    with pytest.raises(errors.FlavorDoesNotExist):
        flavors.get("silver", "proj")


def test_flavors_are_per_project(flavors):
    flavors.create("gold", "a")
    assert not flavors.exists("gold", "b")
    assert not flavors.exists("gold", None)
    with pytest.raises(errors.FlavorDoesNotExist):
        flavors.get("gold", "b")
    flavors.create("gold", None, {"n": 1})
    assert flavors.exists("gold", None)
    assert flavors.get("gold", "a", detailed=True)["capabilities"] == {}
    assert names(flavors.list("b")) == []


def test_flavor_update_and_replace(flavors):
    flavors.create("gold", "proj", {"a": 1})
    flavors.update("gold", "proj", capabilities={"b": 2})
    assert flavors.get("gold", "proj", detailed=True)["capabilities"] == {
        "b": 2}
    flavors.create("gold", "proj", {"c": 3})
    assert flavors.get("gold", "proj", detailed=True)["capabilities"] == {
        "c": 3}
    with pytest.raises(errors.FlavorDoesNotExist):
        flavors.update("nope", "proj", capabilities={})


def test_flavor_list(flavors):
    for name in ("b", "c", "a"):
        flavors.create(name, "proj", {"name": name})
    assert names(flavors.list("proj")) == ["a", "b", "c"]
    assert names(flavors.list("proj", marker="a", limit=1)) == ["b"]
    assert flavors.list("proj", detailed=True)[2]["capabilities"] == {
        "name": "c"}


def test_flavor_delete(flavors):
    flavors.create("gold", "proj")
    flavors.delete("gold", "proj")
    assert not flavors.exists("gold", "proj")
    flavors.delete("gold", "proj")
    flavors.create("x", "proj")
    flavors.drop_all()
    assert flavors.list("proj") == []


def test_catalogue(catalogue):
    catalogue.insert("proj", "q2", "p1")
    catalogue.insert("proj", "q1", "p2")
    catalogue.insert("other", "q1", "p3")
    assert catalogue.exists("proj", "q1")
    assert not catalogue.exists("proj", "q3")
    assert catalogue.get("proj", "q1") == {"project": "proj", "queue": "q1",
                                           "pool": "p2"}
    assert [e["queue"] for e in catalogue.list("proj")] == ["q1", "q2"]
    assert catalogue.list("nobody") == []
    catalogue.update("proj", "q1", "p9")
    assert catalogue.get("proj", "q1")["pool"] == "p9"
    assert catalogue.get("other", "q1")["pool"] == "p3"
    catalogue.delete("proj", "q1")
    catalogue.delete("proj", "q1")
    with pytest.raises(errors.QueueNotMapped):
        catalogue.get("proj", "q1")
    with pytest.raises(errors.QueueNotMapped):
        catalogue.update("proj", "q1", "p1")


def test_catalogue_pages_by_queue_name(catalogue):
    queues = [f"q{i:03d}" for i in range(25)]
    for queue in reversed(queues):
        catalogue.insert("proj", queue, "p1")
    catalogue.insert("other", "q0000", "p2")
    catalogue.delete("proj", "q010")
    queues.remove("q010")

    def page(**kwargs):
        return [e["queue"] for e in catalogue.list("proj", **kwargs)]
    assert page() == queues
    assert page(limit=5) == queues[:5]
    assert page(marker="q004", limit=5) == queues[5:10]
    assert page(marker="q009", limit=2) == ["q011", "q012"]  # q010 is gone
    assert page(marker="q0045") == queues[5:]  # a marker need not exist
    assert page(marker="q024") == []
    assert catalogue.count("proj") == 24
    assert catalogue.count("other") == 1
    assert catalogue.count("nobody") == 0
    assert catalogue.list("proj", marker="q020", limit=1) == [
        {"project": "proj", "queue": "q021", "pool": "p1"}]
    catalogue.update("proj", "q021", "p2")
    assert catalogue.list("proj", marker="q020", limit=1)[0]["pool"] == "p2"
    assert catalogue.count("proj", pool="p2") == 1
    assert catalogue.count("proj", pool="p1") == 23
    assert catalogue.count("other", pool="p2") == 1
    assert catalogue.count("proj", pool="p3") == 0


def test_catalogue_project_none(catalogue):
    catalogue.insert(None, "q", "p1")
    assert catalogue.get(None, "q")["pool"] == "p1"
    assert catalogue.get(None, "q")["project"] is None
    assert not catalogue.exists("proj", "q")
    catalogue.drop_all()
    assert not catalogue.exists(None, "q")


def test_pool_create_replacing_the_uri_frees_the_old_one(pools):
    pools.create("p1", 1, URI.format(1))
    pools.create("p1", 1, URI.format(2))
    pools.create("p2", 1, URI.format(1))
    assert pools.get("p2")["uri"] == URI.format(1)
    pools.update("p2", uri=URI.format(3))
    pools.create("p3", 1, URI.format(1))


def test_pool_empty_flavor_and_no_flavor(pools):
    pools.create("p1", 1, URI.format(1), flavor="")
    assert pools.get("p1")["flavor"] in ("", None)
    pools.update("p1", flavor="gold")
    pools.update("p1", flavor=None)
    assert pools.get("p1")["flavor"] is None


def test_pool_holding_queues_cannot_be_deleted(pools, catalogue):
    pools.create("p1", 1, URI.format(1))
    pools.create("p2", 1, URI.format(2))
    catalogue.insert("proj", "q1", "p1")
    catalogue.insert("other", "q1", "p1")
    with pytest.raises(errors.PoolHasQueues) as failure:
        pools.delete("p1")
    assert "p1" in str(failure.value)
    assert pools.exists("p1")
    catalogue.delete("proj", "q1")
    with pytest.raises(errors.PoolHasQueues):
        pools.delete("p1")
    catalogue.update("other", "q1", "p2")  # the queue moved
    pools.delete("p1")
    assert not pools.exists("p1")
    with pytest.raises(errors.PoolHasQueues):
        pools.delete("p2")
    catalogue.delete("other", "q1")
    pools.delete("p2")


def test_catalogue_insert_keeps_the_first_pool(catalogue, pools):
    pools.create("p1", 1, URI.format(1))
    catalogue.insert("proj", "q", "p1")
    catalogue.insert("proj", "q", "p2")
    assert catalogue.get("proj", "q")["pool"] == "p1"
    catalogue.delete("proj", "q")
    pools.delete("p1")  # the second insert counted nothing


def test_flavor_delete_clears_its_pools(pools, flavors):
    pools.create("a", 1, URI.format(1), flavor="gold")
    pools.create("b", 1, URI.format(2), flavor="silver")
    flavors.create("gold", "p1")
    flavors.create("gold", "p2")
    flavors.create("silver", "p1")
    flavors.delete("gold", "p1")
    assert pools.get("a")["flavor"] == "gold"  # p2 still has gold
    with pytest.raises(errors.PoolInUseByFlavor):
        pools.delete("a")
    flavors.delete("gold", "p2")
    assert pools.get("a")["flavor"] is None
    assert pools.get("b")["flavor"] == "silver"
    pools.delete("a")


def test_flavor_list_after_unknown_marker(flavors):
    for name in ("a", "c"):
        flavors.create(name, "proj")
    assert names(flavors.list("proj", marker="b")) == ["c"]
    assert flavors.list("proj", marker="z") == []
    assert flavors.list("other") == []
