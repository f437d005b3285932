"""The embedded default: a SQLite file that several processes share."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from zaqar.storage.sqlalchemy import driver, tables
from zaqar.storage.sqlalchemy.database import Database


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
