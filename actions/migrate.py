"""Bring a database to the latest schema with Alembic, no alembic.ini needed.

The actions' tables and the desk gateway's tables may share one database, so each set
keeps its own Alembic version table.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, create_engine

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


def run_in_alembic_env(metadata: MetaData) -> None:
    """The body of a migrations folder's ``env.py``: the URL and the version table come
    from ``upgrade``'s configuration, not from a file."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=url.startswith("sqlite"),
            version_table=config.get_main_option("version_table"),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
