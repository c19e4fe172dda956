"""Two `walletdesk serve` processes on PostgreSQL + Redis: a customer on one, an agent on the
other, exchange messages live."""

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import pytest

from tests.conftest import create_pg_database, drop_pg_database, free_port, make_settings
from tests.live.helpers import agent, customer, stop_servers, wait_healthy
from walletdesk.accounts.actions import create_agent, create_team, set_presence
from walletdesk.accounts.models import Presence
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.services import Services

REDIS_URL = os.environ.get("WALLETDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.multiprocess



@pytest.fixture
async def two_servers() -> AsyncIterator[tuple[str, str, str]]:
    name = f"wd_multi_{uuid.uuid4().hex[:10]}"
    database_url = await create_pg_database(name)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        database = Database(database_url)
        await upgrade_database(database.engine)
        await database.dispose()
        services = Services(make_settings(database_url))
        async with services.transaction() as session:
            team = await create_team(session, None, name="Support")
            staff = await create_agent(session, email="multi@example.com", display_name="Multi",
                                       password="correct-horse-battery", team_ids=[team.id])
        await set_presence(services, staff.id, Presence.online)
        await services.stop()
        urls = []
        for _ in range(2):
            port = free_port()
            env = {**os.environ, "WALLETDESK_DATABASE_URL": database_url,
                   "WALLETDESK_REDIS_URL": REDIS_URL, "WALLETDESK_PORT": str(port),
                   "WALLETDESK_SECRET_KEY": "multi-process-test-secret-" + "y" * 20,
                   "WALLETDESK_LOG_LEVEL": "WARNING"}
            processes.append(subprocess.Popen([sys.executable, "-m", "walletdesk.cli", "serve"],
                                              env=env))
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            await wait_healthy(url, process, seconds=300)
        yield urls[0], urls[1], staff.email
    finally:
        stop_servers(processes)
        await drop_pg_database(name)


async def test_customer_on_one_process_and_agent_on_another(two_servers):
    url_a, url_b, email = two_servers
    ws_a, ws_b = url_a.replace("http", "ws"), url_b.replace("http", "ws")
    staff = await agent(url_b, ws_b, email)
    await staff.send({"type": "inbox", "on": True})
    visitor, _ = await customer(ws_a)
    ack = await visitor.say("hello from process A")
    conversation_id = ack["conversation_id"]

    seen = await staff.expect(lambda f: f["type"] == "message"
                              and f["message"]["text"] == "hello from process A")
    assert seen["conversation_id"] == conversation_id
    await staff.send({"type": "subscribe", "conversation_id": conversation_id, "last_seq": 0})
    await staff.expect_type("subscribed")

    await staff.send({"type": "message", "conversation_id": conversation_id, "client_id": "b1",
                      "text": "hello from process B"})
    reply = await visitor.expect(lambda f: f["type"] == "message"
                                 and f["message"]["text"] == "hello from process B")
    assert reply["message"]["sender_kind"] == "agent"

    await visitor.send({"type": "typing", "state": True})
    assert (await staff.expect_type("typing"))["conversation_id"] == conversation_id
    await visitor.say("and back to B")
    await staff.expect(lambda f: f["type"] == "message"
                       and f["message"]["text"] == "and back to B")
    await visitor.close()
    await staff.close()
