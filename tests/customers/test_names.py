"""Customers' names on messages: encrypted at rest and masked for outsourced agents in every
payload they receive (REST, socket snapshots and live events)."""

import subprocess
import sys

import httpx
from sqlalchemy import text

from tests.conftest import make_settings
from tests.live.helpers import agent as agent_socket
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.services import Services

NAME = "Li Wei"


async def test_names_are_encrypted_and_masked_for_outsourced_agents(
        services, make_team, make_agent, live_server):
    team = await make_team("Support")
    staff = await make_agent("Alice", teams=[team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    first = await receive_message(services, InboundMessage(
        channel="api", external_id="vip-1", text="hello", customer_name=NAME))
    cid = first.conversation.id
    async with services.read() as session:
        stored = (await session.execute(text("SELECT sender_name FROM messages"))).scalars().all()
    assert stored and all(value.startswith("enc1:") for value in stored)

    partner_ws = await agent_socket(live_server.url, live_server.ws_url, partner.email)
    staff_ws = await agent_socket(live_server.url, live_server.ws_url, staff.email)
    try:
        for ws in (partner_ws, staff_ws):
            await ws.send({"type": "inbox", "on": True})
            await ws.send({"type": "subscribe", "conversation_id": cid})
        snapshot = await partner_ws.expect_type("subscribed")
        assert [m["sender_name"] for m in snapshot["messages"]
                if m["sender_kind"] == "customer"] == ["L***"]
        staff_snapshot = await staff_ws.expect_type("subscribed")
        assert [m["sender_name"] for m in staff_snapshot["messages"]
                if m["sender_kind"] == "customer"] == [NAME]

        await receive_message(services, InboundMessage(
            channel="api", external_id="vip-1", text="again", customer_name=NAME))
        live = await partner_ws.expect(lambda f: f.get("type") == "message"
                                       and f["message"]["text"] == "again")
        assert live["message"]["sender_name"] == "L***"
        assert NAME not in str(partner_ws.frames)
        staff_live = await staff_ws.expect(lambda f: f.get("type") == "message"
                                           and f["message"]["text"] == "again")
        assert staff_live["message"]["sender_name"] == NAME
    finally:
        await partner_ws.close()
        await staff_ws.close()

    async with httpx.AsyncClient(base_url=live_server.url) as http:
        login = await http.post("/login", data={"email": partner.email,
                                                "password": "correct-horse-battery"})
        assert login.status_code == 303
        messages = (await http.get(f"/api/v1/conversations/{cid}/messages")).json()
        opened = (await http.get(f"/api/v1/conversations/{cid}")).text
    assert [m["sender_name"] for m in messages
            if m["sender_kind"] == "customer"] == ["L***", "L***"]
    assert NAME not in opened


async def test_upgrade_encrypts_names_already_stored(blank_database_url: str) -> None:
    url = blank_database_url
    database = Database(url)
    await upgrade_database(database.engine, "0020")
    async with database.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO customers (display_name, language, created_at, last_seen_at, "
            "points) VALUES ('', 'en', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"))
        await conn.execute(text(
            "INSERT INTO conversations (customer_id, channel, status, priority, subject, "
            "last_seq, last_message_preview, after_hours, has_secret_redaction, created_at, "
            "updated_at, last_message_at) VALUES (1, 'web', 'resolved', 0, '', 1, "
            "'hi', false, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        await conn.execute(text(
            "INSERT INTO messages (conversation_id, seq, sender_kind, sender_name, text, "
            "is_internal, created_at) VALUES (1, 1, 'customer', 'Old Li', 'hi', false, "
            "CURRENT_TIMESTAMP)"))
    await database.dispose()
    secret = "test-secret-key-" + "x" * 32
    done = subprocess.run(
        [sys.executable, "-m", "walletdesk.cli", "db", "upgrade"],
        env={"WALLETDESK_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "COLUMNS": "200",
             "WALLETDESK_SECRET_KEY": secret}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    services = Services(make_settings(url, secret_key=secret))
    try:
        async with services.read() as session:
            stored = (await session.execute(text(
                "SELECT sender_name FROM messages"))).scalar_one()
            from walletdesk.conversations.models import Message
            message = await session.get(Message, 1)
        assert stored.startswith("enc1:") and message is not None
        assert message.sender_name == "Old Li"
    finally:
        await services.stop()
