"""Customers, channel identities, accounts and orders.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("preferred_language", sa.String(2), nullable=False),
    )
    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.UniqueConstraint("channel", "external_id"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(8), nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance", sa.Numeric(14, 2), nullable=False),
        sa.Column("secret_salt", sa.String(32), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("letter", sa.String(1), nullable=False),
        sa.Column("number", sa.Integer, nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("carrier", sa.String(32)),
        sa.Column("tracking_number", sa.String(40)),
        sa.Column("ordered_on", sa.Date, nullable=False),
        sa.Column("expected_on", sa.Date),
        sa.Column("closed_on", sa.Date),
        sa.Column("items", sa.JSON, nullable=False),
    )
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
    op.create_index("ix_accounts_customer_id", "accounts", ["customer_id"])


def downgrade() -> None:
    for table in ("orders", "accounts", "channel_identities", "customers"):
        op.drop_table(table)
