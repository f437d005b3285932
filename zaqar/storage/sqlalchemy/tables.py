"""The schema, as SQLAlchemy Core tables.

Migrations (``migrations/versions``) create exactly this; a test compares
the two. ``project`` is never NULL: the ``None`` namespace is stored as the
empty string (the transport rejects empty project ids), which keeps unique
constraints working on every database.
"""

from __future__ import annotations

import typing

import sqlalchemy as sa

from zaqar.storage.sqlalchemy import columns as col

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# Options for MySQL/MariaDB tables (ignored elsewhere).
MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

metadata = sa.MetaData(naming_convention=NAMING)

queues = sa.Table(
    "queues", metadata,
    sa.Column("id", col.sequence(), primary_key=True, autoincrement=True),
    sa.Column("project", col.ident(256), nullable=False),
    sa.Column("name", col.ident(255), nullable=False),
    sa.Column("meta", col.long_text(), nullable=False),
    sa.UniqueConstraint("project", "name"),
    sqlite_autoincrement=True, **MYSQL)

# ``id`` is the FIFO sequence and, as a decimal string, the message id.
messages = sa.Table(
    "messages", metadata,
    sa.Column("id", col.sequence(), primary_key=True, autoincrement=True),
    sa.Column("queue_id", col.sequence(),
              sa.ForeignKey("queues.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created", col.epoch(), nullable=False),
    sa.Column("ttl", sa.Integer(), nullable=False),
    sa.Column("expires", col.epoch(), nullable=False),
    sa.Column("delay_until", col.epoch(), nullable=False),
    sa.Column("body", col.long_text(), nullable=False),
    sa.Column("client_uuid", col.ident(255), nullable=True),
    sa.Column("claim_id", col.ident(36), nullable=True),
    sa.Column("claim_expires", col.epoch(), nullable=True),
    sa.Column("claim_count", sa.Integer(), nullable=False,
              server_default="0"),
    sa.Index(None, "queue_id", "id"),
    sa.Index(None, "expires"),
    sa.Index(None, "claim_id"),
    sqlite_autoincrement=True, **MYSQL)

claims = sa.Table(
    "claims", metadata,
    sa.Column("id", col.ident(36), primary_key=True),
    sa.Column("queue_id", col.sequence(),
              sa.ForeignKey("queues.id", ondelete="CASCADE"), nullable=False),
    sa.Column("ttl", sa.Integer(), nullable=False),
    sa.Column("updated", col.epoch(), nullable=False),
    sa.Column("expires", col.epoch(), nullable=False),
    sa.Index(None, "queue_id"),
    sa.Index(None, "expires"),
    **MYSQL)

# Subscriptions outlive their queue (deleting a queue keeps them), so they
# name it instead of referencing it. ``subscriber_key`` (SHA-256 of the
# subscriber URI) makes long URIs indexable.
subscriptions = sa.Table(
    "subscriptions", metadata,
    sa.Column("id", col.ident(36), primary_key=True),
    sa.Column("project", col.ident(256), nullable=False),
    sa.Column("queue", col.ident(255), nullable=False),
    sa.Column("subscriber", col.long_text(), nullable=False),
    sa.Column("subscriber_key", col.ident(64), nullable=False),
    sa.Column("ttl", sa.BigInteger(), nullable=False),
    sa.Column("created", col.epoch(), nullable=False),
    sa.Column("expires", col.epoch(), nullable=False),
    sa.Column("options", col.long_text(), nullable=False),
    sa.Column("confirmed", sa.Boolean(), nullable=False),
    sa.UniqueConstraint("project", "queue", "subscriber_key"),
    sa.Index(None, "expires"),
    **MYSQL)

pools = sa.Table(
    "pools", metadata,
    sa.Column("name", col.ident(255), primary_key=True),
    sa.Column("uri", col.ident(255), nullable=False),
    sa.Column("weight", sa.BigInteger(), nullable=False),
    sa.Column("flavor", col.ident(255), nullable=True),
    sa.Column("options", col.long_text(), nullable=False),
    sa.UniqueConstraint("uri"),
    sa.Index(None, "flavor"),
    **MYSQL)

flavors = sa.Table(
    "flavors", metadata,
    sa.Column("project", col.ident(256), primary_key=True),
    sa.Column("name", col.ident(255), primary_key=True),
    sa.Column("capabilities", col.long_text(), nullable=False),
    **MYSQL)

catalogue = sa.Table(
    "catalogue", metadata,
    sa.Column("project", col.ident(256), primary_key=True),
    sa.Column("queue", col.ident(255), primary_key=True),
    sa.Column("pool", col.ident(255), nullable=False),
    sa.Index(None, "pool"),
    **MYSQL)


def project_key(project: str | None) -> str:
    """The stored form of a project id (``None`` -> ``""``)."""
    return "" if project is None else project


def project_of(key: str) -> str | None:
    return None if key == "" else key


# A queue by its (project, name) as the bound parameters :project and
# :name (``named`` gives them): hot statements are built once with these
# instead of at every call.
QUEUE_NAMED = sa.and_(queues.c.project == sa.bindparam("project"),
                      queues.c.name == sa.bindparam("name"))
# The queue's row id inside another statement (NULL when there is none).
QUEUE_ID = sa.select(queues.c.id).where(QUEUE_NAMED).scalar_subquery()


def named(name: str, project: str | None) -> dict[str, typing.Any]:
    """The parameters of QUEUE_NAMED and QUEUE_ID."""
    return {"project": project_key(project), "name": name}
