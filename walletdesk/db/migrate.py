"""Running the Alembic migrations from code (``walletdesk db upgrade``, tests, the demo)."""

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade_database(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; safe to run on an up-to-date database."""
    await _migrate(engine, lambda config: command.upgrade(config, revision))


async def downgrade_database(engine: AsyncEngine, revision: str) -> None:
    """Take the schema back down to ``revision`` (tests of a migration's round trip)."""
    await _migrate(engine, lambda config: command.downgrade(config, revision))


async def _migrate(engine: AsyncEngine, step: Callable[[Config], None]) -> None:
    async with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys
            # on, that drop would cascade-delete the child rows (a customer's identities, a
            # conversation's messages, an agent's sessions). The pragma only takes effect
            # outside a transaction.
            await _sqlite_foreign_keys(conn, on=False)
        try:
            async with conn.begin():
                await conn.run_sync(lambda connection: step(alembic_config(connection)))
        finally:
            if sqlite:
                await _sqlite_foreign_keys(conn, on=True)


async def _sqlite_foreign_keys(conn: AsyncConnection, *, on: bool) -> None:
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # aiosqlite, in autocommit mode (walletdesk.db.engine)
    assert driver is not None
    await driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
