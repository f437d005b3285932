"""Migrations: head equals tables.py, round trips, concurrent start-up."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from zaqar.storage.sqlalchemy import migration, tables
from zaqar.storage.sqlalchemy.database import Database


def table_names(database: Database) -> set[str]:
    with database.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def test_head_matches_the_tables(empty_uri):
    database = Database(empty_uri)
    try:
        assert migration.current(database) is None
        migration.upgrade(database)
        assert migration.current(database) == migration.head()
        with database.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True})
            assert compare_metadata(context, tables.metadata) == []
    finally:
        database.close()


def test_downgrade_and_upgrade_again(empty_uri):
    database = Database(empty_uri)
    try:
        migration.upgrade(database)
        assert set(tables.metadata.tables) <= table_names(database)
        migration.downgrade(database, "base")
        assert migration.current(database) is None
        assert table_names(database) & set(tables.metadata.tables) == set()
        migration.upgrade(database)
        assert migration.current(database) == migration.head()
    finally:
        database.close()


def test_history_lists_head():
    revisions = [rev for rev, _, _ in migration.history()]
    assert revisions[0] == migration.head()
    assert revisions[-1] == "0001"


_START = """
import sys
from oslo_config import cfg
from zaqar.common import configs
from zaqar.storage.sqlalchemy import driver
conf = configs.register(cfg.ConfigOpts())
conf([], project="zaqar", default_config_files=[])
data = driver.DataDriver(conf, uri=sys.argv[1])
data.message_controller.post(
    "q", [{"body": sys.argv[2], "ttl": 60, "delay": 0}], None, None)
data.close()
"""


def test_processes_starting_together_migrate_once(empty_uri):
    """Four fresh processes start on an empty database at once: the
    migration lock lets one migrate and the others use the result."""
    workers = [subprocess.Popen([sys.executable, "-c", _START, empty_uri,
                                 str(i)], stderr=subprocess.PIPE, text=True)
               for i in range(4)]
    failures = [w.stderr.read() for w in workers if w.wait(120) != 0]
    assert failures == []
    database = Database(empty_uri)
    try:
        assert migration.current(database) == migration.head()
        with database.engine.connect() as conn:
            bodies = conn.execute(sa.select(tables.messages.c.body)).scalars()
            assert sorted(bodies) == ['"0"', '"1"', '"2"', '"3"']
    finally:
        database.close()
