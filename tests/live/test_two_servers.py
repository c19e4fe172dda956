"""Two `walletdesk serve` processes on PostgreSQL + Redis: a customer on one, an agent on the
other, exchange messages live."""

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.conftest import PASSWORD
from tests.live.helpers import TwoServers, agent, customer
from walletdesk.accounts.actions import create_agent, create_team, set_presence
from walletdesk.accounts.models import Presence

pytestmark = pytest.mark.multiprocess


@pytest.fixture
async def staff_email(two_servers: TwoServers) -> AsyncIterator[str]:
    """An online agent of this test's own team, the one a customer writing in English is
    routed to: the desk's default team, speaking English (other tests' teams and agents are on
    the shared desk too). Offline at the end: offered none of the later tests' conversations."""
    tag = uuid.uuid4().hex[:10]
    async with two_servers.services() as services:
        async with services.transaction() as session:
            team = await create_team(session, None, name=f"Support {tag}", languages=["en"],
                                     is_default=True)
            staff = await create_agent(session, email=f"multi-{tag}@example.com",
                                       display_name="Multi", password=PASSWORD,
                                       team_ids=[team.id])
        await set_presence(services, staff.id, Presence.online)
    yield staff.email
    async with two_servers.services() as services:
        await set_presence(services, staff.id, Presence.offline)


async def test_customer_on_one_process_and_agent_on_another(two_servers, staff_email):
    url_a, url_b, email = two_servers.url_a, two_servers.url_b, staff_email
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
