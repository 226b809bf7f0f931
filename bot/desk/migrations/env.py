"""Alembic environment of the desk gateway's tables (see actions.migrate)."""

from actions.migrate import run_in_alembic_env
from bot.desk.storage import Base

run_in_alembic_env(Base.metadata)
