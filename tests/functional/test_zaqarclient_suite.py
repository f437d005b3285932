"""python-zaqarclient's own functional tests, against a real server of ours.

The client ships them as mixins (``zaqarclient.tests.queues``); its
authors run them against upstream Zaqar. Here they run unchanged over the
client's HTTP transport, as a third-party check of wire compatibility.

Three expect what upstream 23.0.1 no longer does, so they are strict
xfails here (the contract is the bar, not the client's older tests):

* ``test_queue_exists_functional`` wants ``HEAD /v2/queues/{q}`` to make
  ``queue.exists()`` raise; upstream answers 405, which the client
  ignores, so ``exists()`` returns True (contract v2.md, "HEAD on a queue
  is 405").
* the two metadata tests expect the reserved attributes without
  ``_enable_encrypt_messages``, which upstream 23.0.1 adds (contract
  v2.md, "GET /v2/queues/{q}").

The admin tests (health, pools, flavors) run with a policy file that opens
the admin rules: the client's noauth mode sends no roles, and upstream's
own gate runs them as a Keystone admin.
"""

from __future__ import annotations

import pytest
from zaqarclient.tests import base as zc_base
from zaqarclient.tests.queues import (claims, flavor, health, pool, queues,
                                      subscriptions)
from zaqarclient.transport import http

from tests.functional import notifying
from tests.functional.conftest import STORES
from tests.functional.server import Server
from tests.storage.mongodb import server as mongodb

ADMIN_RULES = ("health:get", "pools:get_all", "pools:get", "pools:create",
               "pools:update", "pools:delete", "flavors:create",
               "flavors:update", "flavors:delete")

STALE_METADATA = pytest.mark.xfail(
    strict=True, reason="upstream 23.0.1 adds _enable_encrypt_messages")


def _start(workdir, options: dict) -> Server:
    policy = workdir / "policy.yaml"
    policy.write_text("".join(f'"{rule}": "@"\n' for rule in ADMIN_RULES))
    options.setdefault("DEFAULT", {})["admin_mode"] = True
    options["oslo_policy"] = {"policy_file": str(policy)}
    options["signed_url"] = {"secret_key": "zaqarclient-suite"}
    return Server(workdir, options).start()


class _Servers:
    """One server per store (started when first asked for) and one with
    pooling, all stopped when the module ends."""

    def __init__(self, tmp_path_factory):
        self._tmp = tmp_path_factory
        self._running: dict[str, Server] = {}

    def url(self, store: str) -> str:
        if store not in self._running:
            workdir = self._tmp.mktemp(f"zc-suite-{store}")
            if store == "pooling":
                # The client's pool tests register mongodb://127.0.0.1:27017,
                # which the server checks it can reach.
                mongodb.ensure_running()
                options = {"DEFAULT": {"pooling": True}}
            else:
                # The suite's queue names and project are fixed: storage of
                # this test process alone.
                options = notifying.private_store_options(
                    store, notifying.CLIENT_SUITE_REDIS_DB)
            self._running[store] = _start(workdir, options)
        return self._running[store].url

    def stop(self) -> None:
        for srv in self._running.values():
            srv.stop()


@pytest.fixture(scope="module")
def suite_servers(tmp_path_factory):
    servers = _Servers(tmp_path_factory)
    yield servers
    servers.stop()


@pytest.fixture
def on_server(request, suite_servers, monkeypatch):
    monkeypatch.setattr(zc_base, "_RUN_FUNCTIONAL", True)
    monkeypatch.setattr(zc_base, "_USE_AUTHENTICATION", False)
    request.instance.url = suite_servers.url(request.instance.store)


class _Http:
    is_functional = True
    transport_cls = http.HttpTransport
    version = 2


class _Queues(queues.QueuesV2QueueFunctionalTest):
    __test__ = False  # only its per-store subclasses run

    @pytest.mark.xfail(strict=True, reason="HEAD on a queue is 405")
    def test_queue_exists_functional(self):
        super().test_queue_exists_functional()

    @STALE_METADATA
    def test_queue_metadata_functional(self):
        super().test_queue_metadata_functional()

    @STALE_METADATA
    def test_queue_metadata_reload_functional(self):
        super().test_queue_metadata_reload_functional()


DATA_SUITES = {"Queues": _Queues,
               "Claims": claims.QueuesV2ClaimFunctionalTest,
               "Subscriptions":
                   subscriptions.QueuesV2SubscriptionFunctionalTest,
               "Health": health.QueuesV2HealthFunctionalTest}
POOLING_SUITES = {"Pools": pool.QueuesV2PoolFunctionalTest,
                  "Flavors": flavor.QueuesV2FlavorFunctionalTest}


def _suite(name: str, mixin: type, store: str) -> type:
    # unittest-style classes take no parametrized fixtures: one class per
    # store instead.
    return pytest.mark.usefixtures("on_server")(
        type(name, (_Http, mixin), {"store": store, "__test__": True}))


for _store in STORES:
    for _name, _mixin in DATA_SUITES.items():
        _cls = f"Test{_name}{_store.capitalize()}"
        globals()[_cls] = _suite(_cls, _mixin, _store)
for _name, _mixin in POOLING_SUITES.items():
    globals()[f"Test{_name}"] = _suite(f"Test{_name}", _mixin, "pooling")
del _store, _name, _mixin, _cls
