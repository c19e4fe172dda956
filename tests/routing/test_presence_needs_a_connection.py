"""An online agent is offered conversations only while connected (decision 0059): seen by
their workspace socket or a presence call within WALLETDESK_PRESENCE_GRACE_S. Times are set
on the rows, never waited for."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from walletdesk.accounts.actions import set_presence
from walletdesk.accounts.models import Agent, Presence, Role
from walletdesk.conversations.actions import (
    InboundMessage,
    assign_conversation,
    receive_message,
    send_message,
)
from walletdesk.conversations.models import Conversation, Message, Status
from walletdesk.db.base import utcnow
from walletdesk.reports.filters import parse_filter
from walletdesk.reports.models import PresenceChange
from walletdesk.reports.presence import (
    NOT_CONNECTED,
    presence_report,
    subscribe_presence_history,
)
from walletdesk.routing.actions import agent_seen, drain_queues, mark_seen
from walletdesk.routing.presence import RETURN_WORK_AFTER
from walletdesk.routing.queries import queue_overview, transfer_targets


def msg(visitor: str, text: str = "help please") -> InboundMessage:
    return InboundMessage(channel="web", external_id=visitor, text=text, language="en")


async def set_times(services, agent_id: int, **times: datetime | None) -> None:  # type: ignore[no-untyped-def]
    async with services.transaction() as session:
        await session.execute(update(Agent).where(Agent.id == agent_id).values(**times))


async def load(services, model, row_id):  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return await session.get(model, row_id, populate_existing=True)


async def sweep(services) -> None:  # type: ignore[no-untyped-def]
    """One round of every process's 30-second queue sweep (walletdesk.web.app)."""
    async with services.transaction() as session:
        await drain_queues(session, services.settings)


def grace(services) -> timedelta:  # type: ignore[no-untyped-def]
    return timedelta(seconds=services.settings.presence_grace_s)


async def test_an_online_agent_not_seen_within_the_grace_is_offered_nothing_until_back(
        services, bus, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    boss = await make_agent("Boss", role=Role.supervisor)
    alice = await make_agent("Alice", teams=[team], online=True)  # the call marks her seen
    first = await receive_message(services, msg("v1"))
    assert first.conversation.assignee_id == alice.id

    await set_times(services, alice.id, last_seen_at=utcnow() - grace(services)
                    - timedelta(seconds=1))
    bus.published.clear()
    second = await receive_message(services, msg("v2"))
    assert second.conversation.status == Status.queued and second.conversation.assignee_id is None
    queue = [e for e in bus.of_type("queue") if e["conversation_id"] == second.conversation.id]
    assert queue[-1]["agents_online"] == 0 and queue[-1]["eta_s"] is None  # nobody to promise
    async with services.read() as session:
        figures = {f.team.id: f for f in await queue_overview(session, services.settings)}
        targets, teams = await transfer_targets(session, services.settings, boss,
                                                second.conversation)
    assert figures[team.id].agents_online == 0 and teams[0].agents_online == 0
    # supervisors see her "online, not connected"
    assert [(t.agent.id, t.agent.presence, t.connected) for t in targets] == [
        (alice.id, "online", False)]

    # her workspace connects again: she is back, and the queue drains to her at once
    assert await agent_seen(services, alice.id) is True
    assert (await load(services, Conversation, second.conversation.id)).assignee_id == alice.id
    assert await agent_seen(services, alice.id) is False  # seen just now: nothing written


async def test_a_heartbeat_writes_at_most_once_per_interval(services, make_agent) -> None:  # type: ignore[no-untyped-def]
    bob = await make_agent("Bob", online=True)
    before = (await load(services, Agent, bob.id)).last_seen_at
    async with services.transaction() as session:
        assert await mark_seen(session, services.settings, bob.id) is None
    assert (await load(services, Agent, bob.id)).last_seen_at == before  # not written again
    older = utcnow() - timedelta(seconds=services.settings.presence_grace_s / 3)
    await set_times(services, bob.id, last_seen_at=older)
    async with services.transaction() as session:
        # a heartbeat later: written; still connected, so nothing to drain
        assert await mark_seen(session, services.settings, bob.id) is None
    assert (await load(services, Agent, bob.id)).last_seen_at > older


async def test_the_sweep_notices_a_lost_agent_once_and_the_report_counts_it_apart(
        services, bus, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    unsubscribe = subscribe_presence_history(services)
    try:
        cai = await make_agent("Cai", teams=[team], online=True)
        now = utcnow()
        went_online = now - timedelta(minutes=10)
        last_seen = went_online + timedelta(minutes=1)
        async with services.transaction() as session:  # she went online ten minutes ago
            await session.execute(update(PresenceChange).where(PresenceChange.agent_id == cai.id)
                                  .values(changed_at=went_online))
        await set_times(services, cai.id, presence_changed_at=went_online, last_seen_at=last_seen)
        bus.published.clear()
        await sweep(services)
        await sweep(services)  # a second process's sweep (or the next round): no second notice
        lost = [e for e in bus.of_type("presence") if e["agent_id"] == cai.id]
        lost_at = last_seen + grace(services)  # when routing stopped offering her work
        assert lost == [{"type": "presence", "agent_id": cai.id, "presence": "online",
                         "connected": False, "changed_at": lost_at.isoformat()}]
        assert (await load(services, Agent, cai.id)).connection_lost_at == lost_at

        bus.published.clear()
        assert await agent_seen(services, cai.id) is True
        back = bus.of_type("presence")
        assert [(e["agent_id"], e["connected"]) for e in back] == [(cai.id, True)]
        back_at = datetime.fromisoformat(back[0]["changed_at"])
        assert (await load(services, Agent, cai.id)).connection_lost_at is None

        async with services.read() as session:
            rows = (await session.execute(
                select(PresenceChange.presence, PresenceChange.changed_at)
                .where(PresenceChange.agent_id == cai.id).order_by(PresenceChange.changed_at)
            )).all()
            assert [(p, at) for p, at in rows] == [
                ("online", went_online), (NOT_CONNECTED, lost_at), ("online", back_at)]
            until = back_at + timedelta(minutes=2)
            today = until.date()
            report = await presence_report(session, parse_filter(
                start=(today - timedelta(days=1)).isoformat(), end=today.isoformat()), now=until)
        row = next(r for r in report.agents if r.agent_id == cai.id)
        # online means what routing means: online and connected; the gap is counted apart
        assert row.online_s == pytest.approx(
            ((lost_at - went_online) + (until - back_at)).total_seconds(), abs=1e-3)
        assert row.not_connected_s == pytest.approx((back_at - lost_at).total_seconds(), abs=1e-3)
        assert row.away_s == 0
    finally:
        unsubscribe()


async def test_unanswered_work_of_an_agent_gone_a_while_goes_back_to_the_queue(
        services, bus, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    boss = await make_agent("Boss", role=Role.supervisor, teams=[team])
    dan = await make_agent("Dan", teams=[team], online=True)
    untouched = (await receive_message(services, msg("u1"))).conversation
    answered = (await receive_message(services, msg("u2"))).conversation
    await send_message(services, dan, answered.id, "Looking into it now")
    assert {untouched.assignee_id, answered.assignee_id} == {dan.id}

    gone_since = utcnow() - RETURN_WORK_AFTER - grace(services) - timedelta(minutes=1)
    place = gone_since - timedelta(minutes=3)  # both came to him before he went
    async with services.transaction() as session:
        await session.execute(update(Conversation).where(
            Conversation.id.in_([untouched.id, answered.id])).values(
            queued_at=place, assigned_at=place + timedelta(seconds=1)))
    await set_times(services, dan.id, last_seen_at=gone_since,
                    presence_changed_at=gone_since - timedelta(hours=1))
    await sweep(services)  # noticed gone, long ago: the next round gives his work back
    lost_at = (await load(services, Agent, dan.id)).connection_lost_at
    assert lost_at == gone_since + grace(services)
    # a supervisor gives him one more while he is gone (warned, "online, not connected")
    given = (await receive_message(services, msg("u3"))).conversation
    assert given.status == Status.queued
    await assign_conversation(services, boss, given.id, agent_id=dan.id)
    async with services.read() as session:
        told = (await session.scalars(select(Message.text).where(
            Message.conversation_id == given.id).order_by(Message.seq.desc()).limit(1))).one()
    assert "joined" not in told  # he is not there: the customer waits for him

    await sweep(services)
    back = await load(services, Conversation, untouched.id)
    assert back.status == Status.queued and back.assignee_id is None
    assert back.queued_at == place  # its old place in line, not the back of it
    assert (await load(services, Conversation, answered.id)).assignee_id == dan.id
    assert (await load(services, Conversation, given.id)).assignee_id == dan.id

    # a colleague who is there takes it from the queue
    eve = await make_agent("Eve", teams=[team], online=True)
    assert (await load(services, Conversation, untouched.id)).assignee_id == eve.id


async def test_a_presence_call_is_the_heartbeat_of_an_api_client(
        services, bus, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    fay = await make_agent("Fay", teams=[team], online=True)
    await set_times(services, fay.id, last_seen_at=utcnow() - grace(services) * 2)
    waiting = (await receive_message(services, msg("api1"))).conversation
    assert waiting.status == Status.queued
    bus.published.clear()
    await set_presence(services, fay.id, Presence.online)  # the same presence, repeated
    assert bus.of_type("presence") == []  # not a change: no event, no history row
    assert (await load(services, Conversation, waiting.id)).assignee_id == fay.id
    assert (await load(services, Agent, fay.id)).last_seen_at > utcnow() - grace(services)


async def test_a_grace_of_zero_lets_presence_alone_decide(services, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    gus = await make_agent("Gus", teams=[team], capacity=0, online=True)
    waiting = (await receive_message(services, msg("z1"))).conversation
    await set_times(services, gus.id, last_seen_at=None, capacity=1)
    async with services.transaction() as session:
        await drain_queues(session, services.settings, [team.id])
    assert (await load(services, Conversation, waiting.id)).assignee_id is None  # not seen
    off = services.settings.model_copy(update={"presence_grace_s": 0})
    async with services.transaction() as session:
        await drain_queues(session, off, [team.id])
    assert (await load(services, Conversation, waiting.id)).assignee_id == gus.id
