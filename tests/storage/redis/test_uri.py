"""Redis URI forms: parsing, and real connections through each form
(TCP with /db and ?dbid=, TLS, a unix socket, Sentinel)."""

from __future__ import annotations

import re

import pytest
import redis

from tests.storage import helpers
from tests.storage.backends import redis as backend
from tests.storage.redis import server
from tests.storage.redis.conftest import make_conf
from zaqar.storage.redis import connection
from zaqar.storage.redis import driver
from zaqar.storage.redis import keys

parse = connection.parse_uri


def test_tcp_forms():
    t = parse("redis://127.0.0.1:6380/3")
    assert (t.kind, t.hosts, t.db, t.tls) == ("tcp", (("127.0.0.1", 6380),),
                                              3, False)
    assert parse("redis://localhost").hosts == (("localhost", 6379),)
    assert parse("redis://localhost/").db == 0
    assert parse("redis://h:1?dbid=7").db == 7
    assert parse("redis://h:1/7?dbid=7").db == 7
    assert parse("redis://h:1?db=2").db == 2
    assert parse("redis://[::1]:7000/1").hosts == (("::1", 7000),)
    assert parse("REDIS://h").kind == "tcp"


def test_credentials():
    t = parse("redis://user:p%40ss@h:1")
    assert (t.username, t.password) == ("user", "p@ss")
    t = parse("redis://:secret@h")
    assert (t.username, t.password) == (None, "secret")
    t = parse("redis://h?password=x")
    assert t.password == "x"


def test_tls_form():
    t = parse("rediss://h:6390/2?ssl_cert_reqs=none&ssl_ca_certs=/ca.pem")
    assert (t.kind, t.tls, t.db) == ("tcp", True, 2)
    assert dict(t.tls_options) == {"ssl_cert_reqs": "none",
                                   "ssl_ca_certs": "/ca.pem"}


def test_unix_forms():
    t = parse("unix:///run/redis/redis.sock")
    assert (t.kind, t.path, t.db) == ("unix", "/run/redis/redis.sock", 0)
    assert parse("unix:///tmp/r.sock?db=4").db == 4
    assert parse("unix:///tmp/r.sock?dbid=4").db == 4
    t = parse("unix://:pw@/tmp/r.sock")
    assert (t.password, t.path) == ("pw", "/tmp/r.sock")


def test_sentinel_forms():
    t = parse("redis+sentinel://s1:26380,s2,[::1]:26381/2?master=mymaster"
              "&sentinel_password=sp&socket_timeout=0.5")
    assert t.kind == "sentinel"
    assert t.hosts == (("s1", 26380), ("s2", 26379), ("::1", 26381))
    assert (t.db, t.master, t.sentinel_password) == (2, "mymaster", "sp")
    assert t.socket_timeout == 0.5
    # Upstream's form: redis:// with ?master= means Sentinel.
    t = parse("redis://s1:26379,s2:26379?master=m")
    assert (t.kind, t.master, len(t.hosts)) == ("sentinel", "m", 2)


@pytest.mark.parametrize("uri, why", [
    ("127.0.0.1:6379", "expected"),
    ("http://h", "unsupported scheme"),
    ("redis://", "a host is required"),
    ("redis://h:port", "not an integer"),
    ("redis://h:70000", "out of range"),
    ("redis://h/x", "not an integer"),
    ("redis://h?dbid=-1", "out of range"),
    ("redis://h/1?dbid=2", "given twice"),
    ("redis://h?foo=1", "unknown parameter"),
    ("redis://h1,h2", "only valid with Sentinel"),
    ("redis+sentinel://h", "needs ?master"),
    ("redis://h?sentinel_password=x", "only valid with Sentinel"),
    ("redis://h?ssl_ca_certs=/x", "rediss://"),
    ("rediss://h?master=m", "TLS"),
    ("unix://relative.sock", "absolute socket path"),
    ("unix://", "absolute socket path"),
    ("redis://h?socket_timeout=abc", "not a number"),
    ("redis://h?socket_timeout=0", "positive"),
    ("redis://[::1", "malformed"),
])
def test_bad_uris_are_clear_errors(uri, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        parse(uri)


def test_errors_do_not_show_passwords():
    with pytest.raises(ValueError) as info:
        parse("redis://user:hunter2@h:bad")
    assert "hunter2" not in str(info.value)


def test_driver_rejects_bad_uri_and_options():
    conf = make_conf()
    with pytest.raises(ValueError, match="unsupported scheme"):
        driver.DataDriver(conf, uri="mysql://h")
    with pytest.raises(ValueError, match="socket_timeout"):
        driver.DataDriver(conf, uri=backend.uri(),
                          options={"socket_timeout": "soon"})


def test_configured_uri_is_used_unless_overridden(redis_driver):
    conf = make_conf()
    conf.set_override("uri", "redis://127.0.0.1:6399/9",
                      group="drivers:message_store:redis")
    drv = driver.DataDriver(conf)
    assert drv.target.hosts == (("127.0.0.1", 6399),)
    assert drv.target.db == 9
    drv.close()
    drv = driver.DataDriver(conf, uri=backend.uri())
    assert drv.target.db == backend.DB
    drv.close()


def test_path_and_dbid_reach_the_same_database(redis_driver, project):
    conf = make_conf()
    by_path = driver.DataDriver(conf, uri=f"redis://127.0.0.1:6379/"
                                          f"{backend.DB}")
    by_dbid = driver.DataDriver(conf, uri=f"redis://127.0.0.1:6379"
                                          f"?dbid={backend.DB}")
    try:
        posted = helpers.post(by_path.message_controller, "q", project)
        listed = by_dbid.message_controller.list("q", project)
        assert helpers.ids(listed) == posted
        # and the default database 0 does not see it
        other = driver.DataDriver(conf, uri="redis://127.0.0.1:6379/0")
        try:
            assert not other.queue_controller.exists("q", project)
        finally:
            other.close()
    finally:
        by_dbid.queue_controller.delete("q", project)
        by_path.close()
        by_dbid.close()


def test_unix_socket(tmp_path, project):
    srv = server.Server(tmp_path / "unix", unix_socket=True)
    srv.start()
    try:
        drv = driver.DataDriver(make_conf(),
                                uri=f"unix://{srv.socket}?db=2")
        try:
            assert drv.is_alive()
            posted = helpers.post(drv.message_controller, "q", project,
                                  count=2)
            listed = drv.message_controller.list("q", project)
            assert helpers.ids(listed) == posted
        finally:
            drv.close()
        raw = redis.Redis(unix_socket_path=srv.socket, db=2)
        assert raw.exists(keys.queue_base(project, "q"))
        raw.close()
    finally:
        srv.stop()


def test_sentinel(tmp_path, project):
    master = server.Server(tmp_path / "master")
    sentinel = server.Server(tmp_path / "sentinel", sentinel_for=master,
                             name="zaqar-master")
    master.start()
    try:
        sentinel.start()
        try:
            for uri in (f"redis+sentinel://127.0.0.1:{sentinel.port}/1"
                        "?master=zaqar-master",
                        f"redis://127.0.0.1:{sentinel.port}"
                        "?master=zaqar-master&dbid=1"):
                drv = driver.DataDriver(make_conf(), uri=uri)
                try:
                    assert drv.is_alive()
                    posted = helpers.post(drv.message_controller, "q",
                                          project)
                    assert helpers.ids(drv.message_controller.list(
                        "q", project)) == posted
                    drv.queue_controller.delete("q", project)
                finally:
                    drv.close()
            # The data went to the master the sentinel named.
            drv = driver.DataDriver(make_conf(), uri=(
                f"redis+sentinel://127.0.0.1:{sentinel.port}/1"
                "?master=zaqar-master"))
            raw = redis.Redis(port=master.port, db=1)
            try:
                helpers.post(drv.message_controller, "q", project)
                assert raw.exists(keys.queue_base(project, "q"))
            finally:
                drv.close()
                raw.close()
        finally:
            sentinel.stop()
    finally:
        master.stop()


def test_tls(tmp_path, project):
    cert, key = server.self_signed(tmp_path / "pki")
    srv = server.Server(tmp_path / "tls", tls=(cert, key))
    srv.start()
    try:
        drv = driver.DataDriver(make_conf(), uri=(
            f"rediss://127.0.0.1:{srv.port}/3?ssl_ca_certs={cert}"))
        try:
            assert drv.is_alive()
            posted = helpers.post(drv.message_controller, "q", project)
            assert helpers.ids(drv.message_controller.list(
                "q", project)) == posted
        finally:
            drv.close()
        # Plain TCP to the TLS port does not work.
        plain = driver.DataDriver(make_conf(),
                                  uri=f"redis://127.0.0.1:{srv.port}",
                                  options={"max_reconnect_attempts": 0,
                                           "socket_timeout": 1})
        assert plain.is_alive() is False
        plain.close()
    finally:
        srv.stop()


@pytest.mark.slow
def test_sentinel_failover(tmp_path, project):
    """The master dies; the sentinel promotes the replica and the driver,
    retrying, carries on against it with the replicated data."""
    master = server.Server(tmp_path / "master")
    master.start()
    replica = server.Server(tmp_path / "replica", replica_of=master)
    sentinel = server.Server(tmp_path / "sentinel", sentinel_for=master,
                             name="zaqar-master")
    drv = None
    try:
        replica.start()
        sentinel.start()
        drv = driver.DataDriver(make_conf(), uri=(
            f"redis+sentinel://127.0.0.1:{sentinel.port}"
            "?master=zaqar-master"),
            options={"max_reconnect_attempts": 300,
                     "reconnect_sleep": 0.1,
                     "socket_connect_timeout": 0.5})
        before = helpers.post(drv.message_controller, "q", project, count=2)
        raw = redis.Redis(port=master.port)
        raw.wait(1, 5000)  # the replica has both messages
        raw.close()
        master.stop()
        after = helpers.post(drv.message_controller, "q", project)
        listed = drv.message_controller.list("q", project)
        assert helpers.ids(listed) == before + after
        promoted = redis.Redis(port=replica.port)
        assert promoted.role()[0] == b"master"
        promoted.close()
    finally:
        if drv is not None:
            drv.close()
        sentinel.stop()
        replica.stop()
        master.stop()
