"""Bring a database to the latest schema with Alembic, no alembic.ini needed.

The actions' tables and the desk gateway's tables may share one database, so each set
keeps its own Alembic version table.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ACTIONS_MIGRATIONS = Path(__file__).parent / "migrations"


def upgrade(url: str, script_location: Path, version_table: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("version_table", version_table)
    command.upgrade(config, "head")


def migrate(url: str) -> None:
    """The actions' schema (customers, accounts, orders)."""
    upgrade(url, ACTIONS_MIGRATIONS, "alembic_version")
