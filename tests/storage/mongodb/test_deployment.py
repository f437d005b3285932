"""Production settings: replica sets only (unless unreliable), majority
writes, clear errors when the server is missing or goes away."""

from __future__ import annotations

import pytest

from tests import services
from tests.storage.mongodb import server
from tests.storage.mongodb.conftest import make_conf
from zaqar.storage import errors
from zaqar.storage import loader
from zaqar.storage.mongodb import driver


def test_standalone_mongod_is_refused(standalone):
    conf = make_conf(standalone.uri, "zaqar_standalone")
    with pytest.raises(driver.UnreliableDeployment) as info:
        driver.DataDriver(conf)
    text = str(info.value)
    assert "standalone" in text
    assert "unreliable" in text
    assert f"127.0.0.1:{standalone.port}" in text
    with pytest.raises(driver.UnreliableDeployment):
        driver.ControlDriver(conf)


def test_standalone_mongod_works_when_unreliable_is_set(standalone):
    conf = make_conf(standalone.uri, "zaqar_standalone", unreliable=True)
    drv = driver.DataDriver(conf)
    try:
        assert drv.connection.kind == "standalone"
        assert not drv.connection.transactions
        queues, messages, claims = (drv.queue_controller,
                                    drv.message_controller,
                                    drv.claim_controller)
        queues.create("dlq", "p")
        queues.create("q", "p", {"_max_claim_count": 1,
                                 "_dead_letter_queue": "dlq"})
        ids = messages.post("q", [{"body": i, "ttl": 60, "delay": 0}
                                  for i in range(4)], "p", None)
        assert [m["id"] for m in messages.list("q", "p")] == ids
        claim_id, taken = claims.create("q", {"ttl": 60, "grace": 60}, "p",
                                        limit=2)
        assert [m["id"] for m in taken] == ids[:2]
        claims.delete("q", claim_id, "p")
        # Claimed once already: the next claim moves them to the DLQ.
        assert claims.create("q", {"ttl": 60, "grace": 60}, "p",
                             limit=2) == (None, [])
        assert [m["id"] for m in messages.list("dlq", "p")] == ids[:2]
        popped = messages.pop("q", 5, "p")
        assert [m["id"] for m in popped] == ids[2:]
        messages.bulk_delete("dlq", ids[:2], "p")
        assert queues.stats("dlq", "p")["total"] == 0
        assert drv.health()["operation_status"]["delete_queue"]["succeeded"]
    finally:
        drv.connection.client.drop_database("zaqar_standalone")
        drv.close()


def test_lost_server_is_a_connection_error_and_recovers(standalone):
    conf = make_conf(standalone.uri, "zaqar_standalone", unreliable=True)
    drv = driver.DataDriver(conf)
    try:
        drv.queue_controller.create("q", "p")
        standalone.stop()
        assert drv.is_alive() is False
        with pytest.raises(errors.ConnectionError):
            drv.queue_controller.exists("q", "p")
        with pytest.raises(errors.ConnectionError):
            drv.message_controller.post(
                "q", [{"body": 1, "ttl": 60, "delay": 0}], "p", None)
        standalone.start()
        assert drv.is_alive() is True
        assert drv.queue_controller.exists("q", "p")
    finally:
        drv.connection.client.drop_database("zaqar_standalone")
        drv.close()


def test_nothing_listening_fails_start_up_with_connection_error():
    port = services.free_port()
    conf = make_conf(f"mongodb://127.0.0.1:{port}/"
                     "?serverSelectionTimeoutMS=300", "zaqar_nowhere")
    with pytest.raises(errors.ConnectionError) as info:
        driver.DataDriver(conf)
    assert "not reachable" in str(info.value)


def test_missing_or_malformed_uri_is_a_clear_error(mongo_conf):
    conf = make_conf(server.URI, "zaqar_x")
    conf.clear_override("uri", group="drivers:message_store:mongodb")
    with pytest.raises(errors.StorageError) as info:
        driver.DataDriver(conf)
    assert "[drivers:message_store:mongodb] uri is not set" in str(info.value)
    with pytest.raises(errors.StorageError) as info:
        driver.DataDriver(conf, uri="http://127.0.0.1:27017")
    assert "not a valid MongoDB URI" in str(info.value)


def test_majority_write_concern_unless_the_uri_says_otherwise(mongo_driver,
                                                              mongo_conf):
    assert mongo_driver.connection.kind == "replicaset"
    assert mongo_driver.connection.transactions
    assert mongo_driver.db.write_concern.document == {"w": "majority"}
    separator = "&" if "?" in server.URI else "?"
    drv = driver.DataDriver(mongo_conf, uri=server.URI + separator + "w=1")
    try:
        assert drv.db.write_concern.document == {"w": 1}
    finally:
        drv.close()


def test_drivers_are_registered_entry_points(mongo_conf):
    assert loader.data_driver_class("mongodb") is driver.DataDriver
    assert loader.control_driver_class("mongodb") is driver.ControlDriver
    assert loader.driver_name_for_uri(server.URI) == "mongodb"
    drv = loader.load_data_driver(mongo_conf, name="mongodb")
    try:
        assert drv.is_alive()
    finally:
        drv.close()


def test_pool_options_override_the_database(mongo_conf):
    name = server.database() + "_pool"
    drv = driver.DataDriver(mongo_conf, uri=server.URI,
                            options={"database": name})
    try:
        drv.queue_controller.create("q", "p")
        assert drv.db.name == name
        assert drv.connection.client[name]["queues"].count_documents({}) == 1
    finally:
        drv.connection.client.drop_database(name)
        drv.close()
