"""The Redis catalogue's name index (``N:catnames:<project>``), which
lets queue listings page through the catalogue by name."""

from __future__ import annotations

import pytest

from tests.storage.backends import redis as backend
from tests.storage.redis.conftest import make_conf


@pytest.fixture
def control():
    ctl = backend.control_driver(make_conf())
    yield ctl
    ctl.catalogue_controller.drop_all()
    ctl.close()


def _index(control, project):
    return control.catalogue_controller._keys.catalogue_names(project)


def test_insert_and_delete_keep_the_index(control, raw):
    catalogue = control.catalogue_controller
    catalogue.insert("proj", "b", "p1")
    catalogue.insert("proj", "a", "p1")
    catalogue.insert("proj", "a", "p2")  # kept: the first insert wins
    assert raw.zrange(_index(control, "proj"), 0, -1) == [b"a", b"b"]
    catalogue.update("proj", "a", "p2")
    catalogue.delete("proj", "b")
    assert raw.zrange(_index(control, "proj"), 0, -1) == [b"a"]
    catalogue.delete("proj", "a")
    assert not raw.exists(_index(control, "proj"))
    catalogue.insert("proj", "c", "p1")
    catalogue.drop_all()
    assert not raw.exists(_index(control, "proj"))


def test_a_catalogue_without_index_gets_one_when_listed(control, raw):
    """Catalogues written before the index existed list as before, and
    from then on page by name."""
    catalogue = control.catalogue_controller
    names = [f"q{i:04d}" for i in range(1500)]  # more than one HMGET batch
    for name in names:
        catalogue.insert("proj", name, "p1" if name < "q0700" else "p2")
    raw.delete(_index(control, "proj"))
    catalogue.insert("proj", "q9999", "p1")  # indexed alone
    names.append("q9999")

    assert [e["queue"] for e in catalogue.list("proj", marker="q0100",
                                               limit=3)] == names[101:104]
    assert raw.zcard(_index(control, "proj")) == 1501
    listed = catalogue.list("proj")
    assert [e["queue"] for e in listed] == names
    assert [e["pool"] for e in listed[699:701]] == ["p1", "p2"]
    catalogue.insert("proj", "a", "p1")
    assert catalogue.list("proj", limit=1)[0]["queue"] == "a"
