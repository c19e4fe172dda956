"""Migration 0036 carries the codes of the last hour into the new per-customer and
per-address counts (so the limits hold across the upgrade), and goes down and up again.
Both engines, on a database of its own."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import make_settings
from walletdesk.conversations.models import Conversation
from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import Customer, EmailCode, EmailCodeQuota
from walletdesk.db.base import utcnow
from walletdesk.db.migrate import downgrade_database, upgrade_database
from walletdesk.services import Services


async def test_the_codes_of_the_last_hour_are_counted_after_the_upgrade(
        blank_database_url: str) -> None:
    services = Services(make_settings(blank_database_url))  # configures the keys, as `walletdesk db upgrade`
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
        await downgrade_database(services.db.engine, "0035")
        await upgrade_database(services.db.engine)
        async with services.read() as session:
            counted = {(q.scope, q.key): sorted(q.code_ids)
                       for q in (await session.scalars(select(EmailCodeQuota))).all()}
        assert counted == {("customer", a): [ids[0]], ("customer", b): [ids[1]],
                           ("address", keyed_hash("victim@example.com")): ids[:2]}
    finally:
        await services.stop()
