"""`walletdesk db upgrade` on empty databases of both engines, and the CLI's error path."""

import subprocess
import sys
import uuid

from sqlalchemy import inspect

from tests.conftest import create_pg_database, drop_pg_database
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.models import Base


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "walletdesk.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


async def test_upgrade_creates_every_table_and_is_repeatable_on_sqlite(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    await upgrade_database(database.engine)
    await upgrade_database(database.engine)
    assert set(Base.metadata.tables) <= await _tables(database)
    await database.dispose()


async def test_cli_upgrade_on_empty_postgresql(tmp_path):
    name = f"wd_mig_{uuid.uuid4().hex[:10]}"
    url = await create_pg_database(name)
    try:
        result = _cli("db", "upgrade", env={"WALLETDESK_DATABASE_URL": url,
                                            "PATH": "/usr/bin:/bin", "COLUMNS": "200"})
        assert result.returncode == 0, result.stdout + result.stderr
        assert "up to date" in result.stdout
        database = Database(url)
        assert set(Base.metadata.tables) <= await _tables(database)
        await database.dispose()
    finally:
        await drop_pg_database(name)


def test_cli_upgrade_reports_an_unreachable_database_without_its_password():
    url = "postgresql+asyncpg://walletdesk:s3cret-pw@127.0.0.1:1/nowhere"
    result = _cli("db", "upgrade", env={"WALLETDESK_DATABASE_URL": url, "PATH": "/usr/bin:/bin",
                                        "COLUMNS": "200"})
    assert result.returncode == 2
    assert "could not upgrade" in result.stdout
    assert "s3cret-pw" not in result.stdout + result.stderr


async def test_the_migrations_build_exactly_the_models(database_url):
    """A model changed without a migration (scripts/new_migration.py) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    database = Database(database_url)
    async with database.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={
                "compare_type": True}), Base.metadata))
    await database.dispose()
    assert diff == []
