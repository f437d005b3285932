"""Alembic migrations of the SQL schema (run by zaqar-sql-db-manage and,
with ``auto_migrate``, by the driver on start-up)."""
