"""The workspace socket is what keeps an online agent offered work (decision 0059): seen when
it connects and every heartbeat while it stays open; closed and past the grace, the agent gets
nothing new; connected again, the queue drains to them. Also across two app instances
sharing the database and Redis. The grace is passed by setting ``last_seen_at``, never by
waiting for it."""

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from tests.conftest import make_settings, serving
from tests.live.helpers import agent, customer
from walletdesk.accounts.models import Agent
from walletdesk.conversations.models import Conversation, Status
from walletdesk.db.base import utcnow
from walletdesk.services import Services
from walletdesk.web.app import create_app

REDIS_URL = os.environ.get("WALLETDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WITHIN = 30  # seconds a condition may take on a loaded machine (a bound, not what is tested)


async def last_seen(services: Services, agent_id: int) -> Any:
    async with services.read() as session:
        row = await session.get(Agent, agent_id, populate_existing=True)
        assert row is not None
        return row.last_seen_at


async def not_seen_since(services: Services, agent_id: int, seconds: float) -> None:
    async with services.transaction() as session:
        await session.execute(update(Agent).where(Agent.id == agent_id).values(
            last_seen_at=utcnow() - timedelta(seconds=seconds)))


async def until(condition: Any) -> None:
    """Until ``condition()`` (sync or async) holds; fails after WITHIN seconds."""
    for _ in range(WITHIN * 50):
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never held")


async def conversation(services: Services, conversation_id: int) -> Conversation:
    async with services.read() as session:
        row = await session.get(Conversation, conversation_id, populate_existing=True)
        assert row is not None
        return row


def joined(name: str) -> Any:
    """A frame telling the customer ``name`` joined: live, or in the snapshot that follows a
    conversation's first message."""
    text = f"{name} joined the conversation."

    def match(frame: dict[str, Any]) -> bool:
        if frame.get("type") == "message":
            return bool(frame["message"]["text"] == text)
        return frame.get("type") == "resume" and any(
            m["text"] == text for m in frame.get("messages", []))
    return match


async def test_an_open_workspace_gets_work_a_closed_one_not_and_reconnecting_does(
        services, live_server, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    grace = services.settings.presence_grace_s
    await not_seen_since(services, alice.id, grace + 1)  # online, but no workspace open
    staff = await agent(live_server.url, live_server.ws_url, alice.email)
    welcome = staff.frames[-1]
    assert welcome["heartbeat_s"] == grace / 3  # how often the page pings
    assert await last_seen(services, alice.id) > utcnow() - timedelta(seconds=grace)

    first, _ = await customer(live_server.ws_url)
    ack = await first.say("my USDT has not arrived")
    await first.expect(joined("Alice"))
    assert (await conversation(services, ack["conversation_id"])).assignee_id == alice.id

    await staff.close()  # the browser closed
    hub = live_server.app.state.hub
    await until(lambda: alice.id not in hub.by_agent)
    await not_seen_since(services, alice.id, grace + 1)  # and the grace passed
    second, _ = await customer(live_server.ws_url)
    waiting = await second.say("is anyone there?")
    row = await conversation(services, waiting["conversation_id"])
    assert row.status == Status.queued and row.assignee_id is None
    assert [f for f in await second.quiet() if joined("Alice")(f)] == []

    # she opens the workspace again: the queue drains to her without touching her presence
    staff = await agent(live_server.url, live_server.ws_url, alice.email)
    await second.expect(joined("Alice"))
    assert (await conversation(services, waiting["conversation_id"])).assignee_id == alice.id
    for client in (first, second, staff):
        await client.close()


@pytest.fixture
async def short_grace(services: Services) -> AsyncIterator[tuple[Services, Any]]:
    """An app whose grace is 15 s: its sockets mark their agent every 5 s."""
    other = Services(make_settings(services.settings.database_url, presence_grace_s=15))
    async with serving(create_app(other.settings, other)) as server:
        yield other, server


async def test_an_open_socket_marks_its_agent_every_heartbeat_with_no_frame_sent(
        services, short_grace, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    _, server = short_grace
    bob = await make_agent("Bob", teams=[await make_team()], online=True)
    staff = await agent(server.url, server.ws_url, bob.email)
    assert staff.frames[-1]["heartbeat_s"] == 5
    await not_seen_since(services, bob.id, 3600)  # as if the last mark were an hour ago

    async def marked() -> bool:
        return bool(await last_seen(services, bob.id) > utcnow() - timedelta(seconds=15))

    await until(marked)  # the server's own heartbeat: the page sent nothing since hello
    await staff.close()


@pytest.fixture
async def two_instances(services: Services) -> AsyncIterator[tuple[Any, Any]]:
    """Two app instances, as two server processes: one database, events through Redis."""
    settings = make_settings(services.settings.database_url, redis_url=REDIS_URL)
    first, second = Services(settings), Services(settings)
    async with serving(create_app(settings, first)) as one, \
            serving(create_app(settings, second)) as two:
        yield one, two


async def test_last_seen_written_by_one_instance_is_honoured_by_the_others_routing(
        services, two_instances, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    one, two = two_instances
    team = await make_team()
    cai = await make_agent("Cai", teams=[team], online=True)
    grace = services.settings.presence_grace_s
    await not_seen_since(services, cai.id, grace + 1)
    staff = await agent(one.url, one.ws_url, cai.email)  # her workspace: on instance one
    await staff.send({"type": "inbox", "on": True})

    visitor, _ = await customer(two.ws_url)  # the customer: on instance two, which routes
    ack = await visitor.say("hello from instance two")
    await visitor.expect(joined("Cai"))
    await staff.expect(lambda f: f.get("type") == "message"
                       and f.get("conversation_id") == ack["conversation_id"])

    await staff.close()
    await until(lambda: cai.id not in one.app.state.hub.by_agent)
    await not_seen_since(services, cai.id, grace + 1)
    later, _ = await customer(two.ws_url)
    waiting = await later.say("still there?")
    assert (await conversation(services, waiting["conversation_id"])).status == Status.queued

    staff = await agent(one.url, one.ws_url, cai.email)  # back on instance one
    await later.expect(joined("Cai"))  # instance two's customer hears it through Redis
    assert (await conversation(services, waiting["conversation_id"])).assignee_id == cai.id
    for client in (visitor, later, staff):
        await client.close()
