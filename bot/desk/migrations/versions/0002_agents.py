"""Agents, their sessions, canned responses; who owns a conversation and its CSAT.

Revision ID: desk0002
Revises: desk0001
"""
import sqlalchemy as sa
from alembic import op

revision = "desk0002"
down_revision = "desk0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_agents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("skills", sa.JSON, nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("supervisor", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "desk_agent_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("desk_agents.id"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "desk_canned_responses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("shortcut", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("language", "shortcut"),
    )
    with op.batch_alter_table("desk_conversations") as table:
        table.add_column(sa.Column("scores", sa.JSON))
        table.add_column(sa.Column("agent_id", sa.Integer, index=True))
        table.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("csat", sa.Integer))
        table.add_column(sa.Column("csat_requested_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("desk_conversations") as table:
        for column in ("csat_requested_at", "csat", "claimed_at", "agent_id", "scores"):
            table.drop_column(column)
    op.drop_table("desk_canned_responses")
    op.drop_table("desk_agent_sessions")
    op.drop_table("desk_agents")
