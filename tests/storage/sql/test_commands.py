"""zaqar-sql-db-manage and zaqar-gc, run as operators run them."""

from __future__ import annotations

import subprocess
import sys
import time

import sqlalchemy as sa

from zaqar.storage.sqlalchemy import driver, migration, tables
from zaqar.storage.sqlalchemy.database import Database


def run(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args],
                          capture_output=True, text=True, timeout=120)


def config_file(tmp_path, uri: str) -> str:
    path = tmp_path / "zaqar.conf"
    path.write_text(
        f"[DEFAULT]\nstate_path = {tmp_path}/state\n"
        f"[drivers:message_store:sqlalchemy]\nuri = {uri}\n"
        f"[drivers:management_store:sqlalchemy]\nuri = {uri}\n")
    return str(path)


def test_sql_db_manage(empty_uri, tmp_path):
    conf = config_file(tmp_path, empty_uri)
    manage = "zaqar.cmd.sql_db_manage"
    current = run(manage, "--config-file", conf, "current")
    assert current.returncode == 0, current.stderr
    assert current.stdout.strip().endswith(": <base>")
    upgraded = run(manage, "--config-file", conf, "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip().endswith(f": {migration.head()} (head)")
    assert "-> 0001" in upgraded.stdout + upgraded.stderr  # alembic log
    again = run(manage, "--config-file", conf, "upgrade")
    assert again.returncode == 0
    assert "-> 0001" not in again.stdout + again.stderr
    down = run(manage, "--config-file", conf, "downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert down.stdout.strip().endswith(": <base>")
    by_uri = run(manage, "--uri", empty_uri, "upgrade", "head")
    assert by_uri.returncode == 0, by_uri.stderr
    assert "(head)" in by_uri.stdout


def test_sql_db_manage_history_and_errors(tmp_path):
    history = run("zaqar.cmd.sql_db_manage", "history")
    assert history.returncode == 0
    assert f"-> {migration.head()} (head)" in history.stdout
    bad = run("zaqar.cmd.sql_db_manage", "--uri", "oracle://x@y/z",
              "current")
    assert bad.returncode == 1 and "unsupported database" in bad.stderr
    missing = run("zaqar.cmd.sql_db_manage", "frobnicate")
    assert missing.returncode != 0


def test_gc_removes_expired_rows_from_sqlite(sql_conf, tmp_path):
    uri = f"sqlite:///{tmp_path}/state/zaqar.sqlite"
    data = driver.DataDriver(sql_conf)
    try:
        assert data.database.uri == uri
        data.message_controller.post(
            "q", [{"body": i, "ttl": 1 if i < 4 else 600, "delay": 0}
                  for i in range(6)], "p", None)
        # A claim one second longer than the message always extends it
        # (expiries compare in whole seconds).
        data.claim_controller.create("q", {"ttl": 2, "grace": 600}, "p", 1)
        data.subscription_controller.create("q", "http://127.0.0.1:1/", 1,
                                            {}, "p")
    finally:
        data.close()
    time.sleep(2.3)
    done = run("zaqar.cmd.gc", "--config-file", config_file(tmp_path, uri))
    assert done.returncode == 0, done.stderr
    database = Database(uri)
    try:
        with database.engine.connect() as conn:
            def count(table):
                return conn.execute(sa.select(sa.func.count())
                                    .select_from(table)).scalar()
            # The claimed message lives on for its grace; the 600 s
            # ones and it stay, the rest is gone.
            assert count(tables.messages) == 3
            assert count(tables.claims) == 0
            assert count(tables.subscriptions) == 0
            assert conn.execute(sa.select(sa.func.count()).where(
                tables.messages.c.claim_id.is_not(None))).scalar() == 0
    finally:
        database.close()
