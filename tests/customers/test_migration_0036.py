"""Migration 0036 carries the codes of the last hour into the new per-customer and
per-address counts (so the limits hold across the upgrade), and goes down and up again.
Both engines, on a database of its own."""

import uuid
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import Connection, select

from tests.conftest import create_pg_database, drop_pg_database, make_settings
from walletdesk.conversations.models import Conversation
from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import Customer, EmailCode, EmailCodeQuota
from walletdesk.db.base import utcnow
from walletdesk.db.migrate import alembic_config, upgrade_database
from walletdesk.services import Services


async def _downgrade(services: Services, revision: str) -> None:
    def _down(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), revision)

    async with services.db.engine.begin() as conn:
        await conn.run_sync(_down)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_the_codes_of_the_last_hour_are_counted_after_the_upgrade(engine, tmp_path):
    name = None
    if engine == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    else:
        name = f"wd_0036_{uuid.uuid4().hex[:10]}"
        url = await create_pg_database(name)
    services = Services(make_settings(url))  # configures the keys, as `walletdesk db upgrade`
    try:
        await upgrade_database(services.db.engine)
        now = utcnow()
        async with services.transaction() as session:
            customers = [Customer(display_name=n) for n in ("a", "b")]
            session.add_all(customers)
            await session.flush()
            conversations = [Conversation(customer_id=c.id, channel="web") for c in customers]
            session.add_all(conversations)
            await session.flush()
            made = [(0, "Victim@Example.com", 5), (1, "victim@example.com", 30),
                    (1, "other@example.com", 61), (0, "old@example.com", 90)]
            codes = [EmailCode(customer_id=customers[i].id, conversation_id=conversations[i].id,
                               email=address, created_at=now - timedelta(minutes=minutes))
                     for i, address, minutes in made]
            session.add_all(codes)
            await session.flush()
            ids = [code.id for code in codes]
            a, b = str(customers[0].id), str(customers[1].id)
        await _downgrade(services, "0035")
        await upgrade_database(services.db.engine)
        async with services.read() as session:
            counted = {(q.scope, q.key): sorted(q.code_ids)
                       for q in (await session.scalars(select(EmailCodeQuota))).all()}
        assert counted == {("customer", a): [ids[0]], ("customer", b): [ids[1]],
                           ("address", keyed_hash("victim@example.com")): ids[:2]}
    finally:
        await services.stop()
        if name is not None:
            await drop_pg_database(name)
