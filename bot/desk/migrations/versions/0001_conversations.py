"""Desk conversations and their messages.

Revision ID: desk0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "desk0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_conversations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False, index=True),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("language", sa.String(2)),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("skill", sa.String(16)),
        sa.Column("priority", sa.String(8)),
        sa.Column("confidence", sa.Float),
        sa.Column("summary", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "desk_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("desk_conversations.id"), nullable=False, index=True),
        sa.Column("author", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2)),
        sa.Column("platform_message_id", sa.String(128)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "platform_message_id"),
    )


def downgrade() -> None:
    op.drop_table("desk_messages")
    op.drop_table("desk_conversations")
