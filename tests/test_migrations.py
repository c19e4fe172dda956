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
                          capture_output=True, text=True)


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


async def test_upgrading_a_desk_with_customers_encrypts_them_and_keeps_them_findable(
        blank_database_url: str) -> None:
    """A desk from before SLAs and encryption (revision 0006) with a plain-text customer and a
    conversation upgrades without losing a row (SQLite re-creates altered tables: foreign keys
    must not cascade meanwhile), encrypts, and the same visitor is found again."""
    from sqlalchemy import text

    from tests.conftest import make_settings
    from walletdesk.conversations.actions import InboundMessage, receive_message
    from walletdesk.services import Services

    url = blank_database_url
    database = Database(url)
    await upgrade_database(database.engine, "0006")
    async with database.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO customers (display_name, email, language, created_at, last_seen_at, "
            "points) VALUES ('Old Li', 'old.li@example.com', 'zh-Hans', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP, 0)"))
        await conn.execute(text(
            "INSERT INTO customer_identities (customer_id, channel, external_id, created_at) "
            "VALUES (1, 'email', 'old.li@example.com', CURRENT_TIMESTAMP)"))
        await conn.execute(text(
            "INSERT INTO conversations (customer_id, channel, status, priority, subject, "
            "last_seq, last_message_preview, after_hours, has_secret_redaction, created_at, "
            "updated_at, last_message_at) VALUES (1, 'email', 'resolved', 0, 'old case', 1, "
            "'hi', false, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        await conn.execute(text(
            "INSERT INTO messages (conversation_id, seq, sender_kind, sender_name, text, "
            "is_internal, created_at) VALUES (1, 1, 'customer', 'Old Li', 'hi', false, "
            "CURRENT_TIMESTAMP)"))
    await database.dispose()
    env = {"WALLETDESK_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "COLUMNS": "200",
           "WALLETDESK_SECRET_KEY": "test-secret-key-" + "x" * 32}
    result = _cli("db", "upgrade", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    services = Services(make_settings(url))
    try:
        async with services.read() as session:
            stored = (await session.execute(text(
                "SELECT email, display_name FROM customers"))).one()
        assert all(value.startswith("enc1:") for value in stored)
        async with services.read() as session:
            kept = (await session.execute(text(
                "SELECT count(*) FROM messages"))).scalar()
        assert kept == 1  # the conversation's messages survived the table copies
        delivered = await receive_message(services, InboundMessage(
            channel="email", external_id="old.li@example.com", text="hello again"))
        assert delivered.conversation.customer_id == 1  # found by its new keyed hash
    finally:
        await services.stop()
