"""Alembic environment of the actions' tables (see actions.migrate)."""

from actions.db import Base
from actions.migrate import run_in_alembic_env

run_in_alembic_env(Base.metadata)
