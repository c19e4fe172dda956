"""GDPR export and erasure: all their data out; personal data and texts gone, counts kept."""

import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.models import Conversation, Message
from walletdesk.customers.models import Customer, CustomerIdentity
from walletdesk.customers.privacy import ERASED, erase_customer, export_customer


async def a_customer(services, make_team, make_agent):  # type: ignore[no-untyped-def]
    team = await make_team()
    agent = await make_agent("Alice", teams=[team], online=True)
    first = await receive_message(services, InboundMessage(
        channel="web", external_id="visitor-gdpr", text="I am Li Wei, phone 13800001234",
        customer_name="Li Wei", customer_email="li.wei@example.com"))
    await send_message(services, agent, first.conversation.id, "Thanks Li Wei")
    await send_message(services, agent, first.conversation.id, "staff only", internal=True)
    return first.conversation.customer_id, first.conversation.id


async def test_export_has_everything_but_staff_notes(services, make_team, make_agent):
    customer_id, conversation_id = await a_customer(services, make_team, make_agent)
    data = await export_customer(services, None, customer_id)
    assert data["customer"]["name"] == "Li Wei"
    assert data["customer"]["identities"] == [{"channel": "web", "id": "visitor-gdpr"}]
    texts = [m["text"] for m in data["conversations"][0]["messages"]]
    assert "I am Li Wei, phone 13800001234" in texts and "Thanks Li Wei" in texts
    assert "staff only" not in texts
    json.dumps(data)  # all JSON


async def test_erase_removes_personal_data_and_keeps_aggregates(services, make_team, make_agent):
    customer_id, conversation_id = await a_customer(services, make_team, make_agent)
    async with services.read() as session:
        before = await session.scalar(select(func.count()).select_from(Message))
    await erase_customer(services, None, customer_id)
    async with services.read() as session:
        customer = await session.get(Customer, customer_id)
        texts = (await session.scalars(select(Message.text))).all()
        identity = await session.scalar(select(CustomerIdentity))
        conversation = await session.get(Conversation, conversation_id)
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert customer.display_name == "" and customer.email is None
    assert identity.external_id.startswith("erased:")
    assert len(texts) == before and set(texts) == {ERASED}
    assert conversation.subject == ERASED and conversation.status is not None
    assert "customer.erase" in actions
    # the same visitor writing again starts afresh, with nothing of the old history
    again = await receive_message(services, InboundMessage(channel="web",
                                                           external_id="visitor-gdpr",
                                                           text="hello again"))
    assert again.conversation.customer_id != customer_id


async def test_cli_export_and_missing_customer(services, make_team, make_agent):
    customer_id, _ = await a_customer(services, make_team, make_agent)
    env = {**os.environ, "WALLETDESK_DATABASE_URL": services.settings.database_url,
           "WALLETDESK_SECRET_KEY": services.settings.secret_key,  # the same derived keys
           "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "walletdesk.cli", "customer", "export",
                           str(customer_id)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["customer"]["email"] == "li.wei@example.com"
    missing = subprocess.run([sys.executable, "-m", "walletdesk.cli", "customer", "erase",
                              "999999", "--yes"], env=env, capture_output=True, text=True)
    assert missing.returncode == 2 and "customer not found" in missing.stdout
    async with services.read() as session:
        exports = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "customer.export"))
    assert exports == 1
