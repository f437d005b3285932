"""The embedded default: a SQLite file that several processes share."""

from __future__ import annotations

import collections
import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa

from zaqar.storage import errors
from zaqar.storage.sqlalchemy import driver, tables
from zaqar.storage.sqlalchemy.database import Database


def _write(database, statement):
    database.write(lambda conn: conn.exec_driver_sql(statement))


def _column(database, query):
    """The first column of every row ``query`` reads."""
    return database.read(
        lambda conn: conn.exec_driver_sql(query).scalars().all())


def test_default_is_a_file_under_state_path(sql_conf):
    data = driver.DataDriver(sql_conf)
    try:
        path = os.path.join(sql_conf.state_path, "zaqar.sqlite")
        assert os.path.isfile(path)
        with data.database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == (
                "wal")
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == (
                sql_conf["drivers:message_store:sqlalchemy"].busy_timeout
                * 1000)
        assert data.is_alive()
    finally:
        data.close()


def test_control_driver_shares_the_file(sql_conf):
    data = driver.DataDriver(sql_conf)
    control = driver.ControlDriver(sql_conf)
    try:
        assert control.database.uri == data.database.uri
        control.pools_controller.create("p", 1, "redis://127.0.0.1:1")
        assert control.pools_controller.exists("p")
    finally:
        data.close()
        control.close()


@pytest.mark.parametrize("uri", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_database_is_refused(uri):
    with pytest.raises(ValueError, match="in-memory"):
        Database(uri)


_WORKER = """
import json, sys
from oslo_config import cfg
from zaqar.common import configs
from zaqar.storage.sqlalchemy import driver, tables
conf = configs.register(cfg.ConfigOpts())
conf([], project="zaqar", default_config_files=[])
data = driver.DataDriver(conf, uri=sys.argv[1])
me = sys.argv[2]
posted = []
for batch in range(10):
    posted += data.message_controller.post(
        "q", [{"body": [me, batch, i], "ttl": 300, "delay": 0}
              for i in range(5)], "p", None)
claimed = []
while True:
    _, got = data.claim_controller.create("q", {"ttl": 300, "grace": 60},
                                          "p", limit=4)
    if not got:
        break
    claimed += [m["id"] for m in got]
print(json.dumps({"posted": posted, "claimed": claimed}))
"""


def test_worker_processes_share_one_file(tmp_path):
    """Four processes post and claim on one file at the same time, as
    gunicorn workers do: nothing is lost, nothing is claimed twice."""
    uri = f"sqlite:///{tmp_path}/shared.sqlite"
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, uri, str(i)],
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
               for i in range(4)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    posted = [mid for r in results for mid in r["posted"]]
    claimed = collections.Counter(mid for r in results for mid in r["claimed"])
    assert len(set(posted)) == 200
    assert set(claimed) == set(posted)
    assert set(claimed.values()) == {1}
    # FIFO per poster: each process's messages kept their order.
    database = Database(uri)
    try:
        with database.engine.connect() as conn:
            rows = conn.execute(sa.select(tables.messages.c.body).order_by(
                tables.messages.c.id)).scalars().all()
    finally:
        database.close()
    by_worker = collections.defaultdict(list)
    for body in map(json.loads, rows):
        by_worker[body[0]].append((body[1], body[2]))
    assert all(seq == sorted(seq) for seq in by_worker.values())


def _writing_on_a_new_file(path) -> sqlite3.Connection:
    """A connection of another process's kind, inside a write on a file
    still in rollback-journal mode: while it holds its lock, SQLite
    refuses any switch to WAL at once ("database is locked"), without
    waiting in the busy handler. Two gunicorn workers opening a new
    database together meet exactly this."""
    other = sqlite3.connect(path, isolation_level=None,
                            check_same_thread=False)
    other.execute("CREATE TABLE t (x INTEGER)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    return other


def test_opening_waits_for_a_writer_on_a_new_file(tmp_path):
    path = str(tmp_path / "new.sqlite")
    other = _writing_on_a_new_file(path)
    committer = threading.Timer(0.3, other.commit)
    committer.start()
    database = Database(f"sqlite:///{path}", busy_timeout=10)
    try:
        assert _column(database, "PRAGMA journal_mode") == ["wal"]
        assert _column(database, "SELECT x FROM t") == [1]
    finally:
        committer.join()
        database.close()
        other.close()


def test_opening_gives_up_after_busy_timeout(tmp_path):
    path = str(tmp_path / "held.sqlite")
    other = _writing_on_a_new_file(path)
    database = Database(f"sqlite:///{path}", busy_timeout=1)
    try:
        with pytest.raises(errors.ConnectionError, match="locked"):
            _column(database, "SELECT x FROM t")
        other.commit()
        assert _column(database, "SELECT x FROM t") == [1]
    finally:
        database.close()
        other.close()


@pytest.mark.parametrize("mode, pragma", [("FULL", 2), ("NORMAL", 1)])
def test_synchronous_setting(sql_conf, mode, pragma):
    group = "drivers:message_store:sqlalchemy"
    sql_conf.set_override("sqlite_synchronous", mode, group=group)
    try:
        data = driver.DataDriver(sql_conf)
    finally:
        sql_conf.clear_override("sqlite_synchronous", group=group)
    try:
        with data.database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == (
                pragma)
    finally:
        data.close()


def test_unknown_synchronous_setting_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        Database(f"sqlite:///{tmp_path}/x.sqlite", synchronous="OFF")


def test_writers_take_turns_on_a_lock_file(tmp_path):
    path = tmp_path / "turns.sqlite"
    database = Database(f"sqlite:///{path}")
    try:
        assert os.path.isfile(f"{path}-writers")
        # While one process holds the writers' lock, another's write waits
        # for it (and completes once it is released).
        holder = os.open(f"{path}-writers", os.O_RDWR)
        fcntl.flock(holder, fcntl.LOCK_EX)
        done = []
        writer = threading.Thread(target=lambda: done.append(
            _write(database, "CREATE TABLE t (x INTEGER)")))
        writer.start()
        writer.join(0.5)
        assert writer.is_alive() and not done
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
        writer.join(10)
        assert done
    finally:
        database.close()


def test_a_writers_lock_held_past_busy_timeout_is_an_error(tmp_path):
    # A process frozen while holding the writers' turn must not stall the
    # others for ever.
    path = tmp_path / "frozen.sqlite"
    database = Database(f"sqlite:///{path}", busy_timeout=1)
    holder = os.open(f"{path}-writers", os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        with pytest.raises(errors.ConnectionError, match="write turn"):
            _write(database, "CREATE TABLE t (x INTEGER)")
        fcntl.flock(holder, fcntl.LOCK_UN)
        _write(database, "CREATE TABLE t (x INTEGER)")
    finally:
        os.close(holder)
        database.close()


def test_a_failed_transaction_leaves_a_usable_connection(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/reuse.sqlite")
    try:
        _write(database, "CREATE TABLE t (x INTEGER PRIMARY KEY)")

        def fails(conn):
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            raise errors.MessageIsClaimed("1")
        with pytest.raises(errors.MessageIsClaimed):
            database.write(fails)
        with pytest.raises(errors.StorageError):
            _write(database, "INSERT INTO nowhere VALUES (1)")
        # Rolled back, and the kept connections still work.
        _write(database, "INSERT INTO t VALUES (2)")
        assert _column(database, "SELECT x FROM t") == [2]
    finally:
        database.close()


def test_a_forked_child_opens_its_own_connections(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/fork.sqlite")
    try:
        _write(database, "CREATE TABLE t (x INTEGER)")
        pid = os.fork()
        if pid == 0:  # the child: write through its own connections
            code = 1
            try:
                # Nothing of the parent's is reused ...
                assert not any(database._idle.values())
                # ... and the writers' lock is this process's own: taking
                # it while the parent's stays free proves it.
                fcntl.flock(database._turn._fd, fcntl.LOCK_EX)
                fcntl.flock(database._turn._fd, fcntl.LOCK_UN)
                _write(database, "INSERT INTO t VALUES (1)")
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        _write(database, "INSERT INTO t VALUES (2)")
        assert sorted(_column(database, "SELECT x FROM t")) == [1, 2]
    finally:
        database.close()


def test_a_writer_that_cannot_begin_gets_a_connection_error(tmp_path):
    path = tmp_path / "locked.sqlite"
    database = Database(f"sqlite:///{path}", busy_timeout=1)
    try:
        _write(database, "CREATE TABLE t (x INTEGER)")
        # Another program holds SQLite's write lock (without our lock
        # file): BEGIN IMMEDIATE gives up after busy_timeout.
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(errors.ConnectionError,
                               match="database unavailable"):
                _write(database, "INSERT INTO t VALUES (1)")
        finally:
            other.execute("ROLLBACK")
            other.close()
        _write(database, "INSERT INTO t VALUES (2)")
        assert _column(database, "SELECT x FROM t") == [2]
    finally:
        database.close()


def test_a_post_larger_than_one_insert_keeps_its_order(sql_conf,
                                                       monkeypatch):
    """Posts go in as multi-row INSERTs of at most _SQLITE_CHUNK rows;
    the ids returned follow the posted order across the chunks."""
    from zaqar.storage.sqlalchemy import messages as sql_messages
    monkeypatch.setattr(sql_messages, "_SQLITE_CHUNK", 3)
    data = driver.DataDriver(sql_conf)
    try:
        controller = data.message_controller
        controller.post("q", [{"body": "before", "ttl": 60}], "p", None)
        posted = [{"body": n, "ttl": 60 + n} for n in range(8)]
        ids = controller.post("q", posted, "p", None)
        assert len(ids) == len(set(ids)) == 8
        assert [int(i) for i in ids] == sorted(int(i) for i in ids)
        found = controller.bulk_get("q", ids, "p")
        assert [(m["id"], m["body"], m["ttl"]) for m in found] == [
            (ids[n], n, 60 + n) for n in range(8)]
        listed = controller.list("q", "p", limit=20, echo=True)
        assert [m["body"] for m in listed] == ["before"] + list(range(8))
    finally:
        data.close()


def test_posts_without_returning_still_store_in_order(sql_conf,
                                                      monkeypatch):
    """SQLite before 3.35 has no RETURNING: posts take SQLAlchemy's
    row-by-row path instead of the multi-row INSERT."""
    data = driver.DataDriver(sql_conf)
    try:
        dialect = data.database.engine.dialect
        monkeypatch.setattr(dialect, "insert_returning", False)
        monkeypatch.setattr(
            dialect, "insert_executemany_returning_sort_by_parameter_order",
            False)
        controller = data.message_controller
        ids = controller.post("q", [{"body": n, "ttl": 60} for n in range(4)],
                              "p", None)
        found = controller.bulk_get("q", ids, "p")
        assert [(m["id"], m["body"]) for m in found] == [
            (ids[n], n) for n in range(4)]
    finally:
        data.close()
