"""Migration 0039 drops agents.failed_logins and agents.locked_until (unused since sign-in
failures are counted in login_throttles, decision 0058) without losing an agent or what
hangs on one (SQLite copies the table: its foreign keys must not cascade meanwhile), and a
downgrade brings the columns back empty."""


from sqlalchemy import inspect, text

from walletdesk.db.engine import Database
from walletdesk.db.migrate import downgrade_database, upgrade_database


async def _columns(database: Database, table: str) -> set[str]:
    async with database.engine.connect() as conn:
        return {c["name"] for c in await conn.run_sync(
            lambda sync: inspect(sync).get_columns(table))}


async def test_the_agents_lock_columns_go_and_the_agents_stay(blank_database_url: str) -> None:
    database = Database(blank_database_url)
    try:
        await upgrade_database(database.engine, "0038")
        assert {"failed_logins", "locked_until"} <= await _columns(database, "agents")
        async with database.engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO agents (email, display_name, password_hash, role, languages, "
                "capacity, presence, is_active, failed_logins, locked_until, session_version, "
                "totp_last_step, created_at, presence_changed_at) VALUES ('ann@example.com', "
                "'Ann', '!', 'agent', '[]', 5, 'offline', true, 4, CURRENT_TIMESTAMP, 1, 0, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            await conn.execute(text(
                "INSERT INTO agent_sessions (agent_id, token_hash, created_at, last_seen_at) "
                "SELECT id, 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM agents"))

        await upgrade_database(database.engine)  # head: 0039 and whatever follows
        columns = await _columns(database, "agents")
        assert not {"failed_logins", "locked_until"} & columns
        assert {"email", "session_version", "totp_last_step"} <= columns
        async with database.engine.connect() as conn:
            assert (await conn.execute(text("SELECT email FROM agents"))).scalars().all() \
                == ["ann@example.com"]
            assert (await conn.execute(text("SELECT count(*) FROM agent_sessions"))).scalar() \
                == 1  # the agent's session survived the table copy

        await downgrade_database(database.engine, "0038")
        assert {"failed_logins", "locked_until"} <= await _columns(database, "agents")
        async with database.engine.connect() as conn:
            assert (await conn.execute(text(
                "SELECT failed_logins, locked_until FROM agents"))).one() == (0, None)
            assert (await conn.execute(text("SELECT count(*) FROM agent_sessions"))).scalar() \
                == 1
    finally:
        await database.dispose()
