"""Alembic environment: migrate the connection zaqar hands over.

``zaqar.storage.sqlalchemy.migration`` opens the connection, takes the
migration lock and starts the transaction; this script only runs the
revisions on it. Offline (``--sql``) mode is not supported.
"""

from alembic import context

from zaqar.storage.sqlalchemy import tables

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise SystemExit(
        "Zaqar's migrations run on a live database: use "
        "'zaqar-sql-db-manage upgrade head' (it reads zaqar.conf).")

context.configure(connection=connection, target_metadata=tables.metadata,
                  render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
