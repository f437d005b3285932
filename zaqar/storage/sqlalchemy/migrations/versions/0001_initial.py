"""Initial schema.

Queues, messages, claims, subscriptions (data plane); pools, flavors,
catalogue (control plane).

Revision ID: 0001
Revises:
"""

from alembic import op
import sqlalchemy as sa

from zaqar.storage.sqlalchemy import columns as col

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    op.create_table(
        "queues",
        sa.Column("id", col.sequence(), autoincrement=True),
        sa.Column("project", col.ident(256), nullable=False),
        sa.Column("name", col.ident(255), nullable=False),
        sa.Column("meta", col.long_text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_queues"),
        sa.UniqueConstraint("project", "name",
                            name="uq_queues_project_name"),
        sqlite_autoincrement=True, **_MYSQL)

    op.create_table(
        "messages",
        sa.Column("id", col.sequence(), autoincrement=True),
        sa.Column("queue_id", col.sequence(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"],
                                name="fk_messages_queue_id_queues",
                                ondelete="CASCADE"),
        sqlite_autoincrement=True, **_MYSQL)
    op.create_index("ix_messages_queue_id_id", "messages", ["queue_id", "id"])
    op.create_index("ix_messages_expires", "messages", ["expires"])
    op.create_index("ix_messages_claim_id", "messages", ["claim_id"])

    op.create_table(
        "claims",
        sa.Column("id", col.ident(36), nullable=False),
        sa.Column("queue_id", col.sequence(), nullable=False),
        sa.Column("ttl", sa.Integer(), nullable=False),
        sa.Column("updated", col.epoch(), nullable=False),
        sa.Column("expires", col.epoch(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"],
                                name="fk_claims_queue_id_queues",
                                ondelete="CASCADE"),
        **_MYSQL)
    op.create_index("ix_claims_queue_id", "claims", ["queue_id"])
    op.create_index("ix_claims_expires", "claims", ["expires"])

    op.create_table(
        "subscriptions",
        sa.Column("id", col.ident(36), nullable=False),
        sa.Column("project", col.ident(256), nullable=False),
        sa.Column("queue", col.ident(255), nullable=False),
        sa.Column("subscriber", col.long_text(), nullable=False),
        sa.Column("subscriber_key", col.ident(64), nullable=False),
        sa.Column("ttl", sa.BigInteger(), nullable=False),
        sa.Column("created", col.epoch(), nullable=False),
        sa.Column("expires", col.epoch(), nullable=False),
        sa.Column("options", col.long_text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint(
            "project", "queue", "subscriber_key",
            name="uq_subscriptions_project_queue_subscriber_key"),
        **_MYSQL)
    op.create_index("ix_subscriptions_expires", "subscriptions", ["expires"])

    op.create_table(
        "pools",
        sa.Column("name", col.ident(255), nullable=False),
        sa.Column("uri", col.ident(255), nullable=False),
        sa.Column("weight", sa.BigInteger(), nullable=False),
        sa.Column("flavor", col.ident(255), nullable=True),
        sa.Column("options", col.long_text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_pools"),
        sa.UniqueConstraint("uri", name="uq_pools_uri"),
        **_MYSQL)
    op.create_index("ix_pools_flavor", "pools", ["flavor"])

    op.create_table(
        "flavors",
        sa.Column("project", col.ident(256), nullable=False),
        sa.Column("name", col.ident(255), nullable=False),
        sa.Column("capabilities", col.long_text(), nullable=False),
        sa.PrimaryKeyConstraint("project", "name", name="pk_flavors"),
        **_MYSQL)

    op.create_table(
        "catalogue",
        sa.Column("project", col.ident(256), nullable=False),
        sa.Column("queue", col.ident(255), nullable=False),
        sa.Column("pool", col.ident(255), nullable=False),
        sa.PrimaryKeyConstraint("project", "queue", name="pk_catalogue"),
        **_MYSQL)
    op.create_index("ix_catalogue_pool", "catalogue", ["pool"])


def downgrade() -> None:
    for table in ("catalogue", "flavors", "pools", "subscriptions",
                  "claims", "messages", "queues"):
        op.drop_table(table)
