"""The staffing page's handling time is computed by the database (one aggregate query) and
gives the figures the desk computed before in Python, message by message, on a known
history: agents sharing their time between chats, a removed agent, internal notes, the bot's
and system messages, an assignment after the first replies, conversations nobody answered,
times with microseconds."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from tests.conftest import make_agent_in
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.staffing import handle_time as handle_time_module
from walletdesk.staffing.handle_time import HandleTime, handle_time

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(weeks=8)
# what the desk's Python measure (before the aggregate query) gave for this history
BEFORE = {"active_s": 1116.5450796545456, "concurrency": 1.2909613841020677, "measured": 55}
# and of its newest 30 resolved conversations
BEFORE_30 = {"active_s": 1374.2215747666667, "concurrency": 1.2288166507663596, "measured": 30}


async def write_known_history(services, team_id: int, other_team_id: int,  # type: ignore[no-untyped-def]
                              agent_ids: list[int]) -> None:
    """70 conversations of the team in one afternoon (so the agents' chats overlap), 3 of
    another team, 2 resolved before ``SINCE`` and 1 never assigned."""
    rng = random.Random(20261207)
    kinds = ([SenderKind.customer] * 10 + [SenderKind.agent] * 7 + [SenderKind.bot]
             + [SenderKind.system])
    async with services.transaction() as session:
        person = Customer(display_name="Wu", language="en")
        session.add(person)
        await session.flush()
        plans = [(team_id, NOW - timedelta(days=2), True)] * 70 + \
            [(other_team_id, NOW - timedelta(days=2), True)] * 3 + \
            [(team_id, SINCE - timedelta(days=3), True)] * 2 + \
            [(team_id, NOW - timedelta(days=2), False)]
        for team, day, assigned in plans:
            opened = day + timedelta(seconds=rng.uniform(0, 4 * 3600))
            at, said = opened, []
            for _ in range(rng.randint(0, 12)):
                kind = rng.choice(kinds)
                agent = (None if rng.random() < 0.08 else rng.choice(agent_ids)) \
                    if kind == SenderKind.agent else None
                said.append((kind, agent, kind == SenderKind.agent and rng.random() < 0.2, at))
                at += timedelta(seconds=rng.uniform(5, 2400), microseconds=rng.randint(0, 999999))
                if rng.random() < 0.1:  # just before a whole second (SQLite rounds to ms)
                    at = at.replace(microsecond=rng.randint(999500, 999999))
            assigned_at = opened + timedelta(seconds=rng.uniform(-60, 1800)) if assigned else None
            conversation = Conversation(
                customer_id=person.id, channel="web", status=Status.resolved, language="en",
                team_id=team, created_at=opened, queued_at=opened, assigned_at=assigned_at,
                resolved_at=at + timedelta(seconds=30), last_message_at=at, updated_at=at,
                last_seq=len(said))
            session.add(conversation)
            await session.flush()
            session.add_all([Message(
                conversation_id=conversation.id, seq=seq, created_at=moment, sender_kind=kind,
                sender_agent_id=agent, is_internal=internal, text="…")
                for seq, (kind, agent, internal, moment) in enumerate(said, start=1)])


@pytest.fixture
async def history(services, make_team):  # type: ignore[no-untyped-def]
    team = await make_team("Support", languages=["en"])
    other = await make_team("Other", languages=["en"])
    agents = [await make_agent_in(services, name, teams=[team])
              for name in ("Ann", "Bo", "Cy", "Di")]
    await write_known_history(services, team.id, other.id, [a.id for a in agents])
    return team.id


async def test_the_handling_time_is_the_figure_it_was(services, history):  # type: ignore[no-untyped-def]
    async with services.read() as session:
        measured = await handle_time(session, services.settings, SINCE, history)
    assert measured.from_history and measured.conversations == BEFORE["measured"]
    assert measured.active_s == pytest.approx(BEFORE["active_s"], rel=1e-9)
    assert measured.concurrency == pytest.approx(BEFORE["concurrency"], rel=1e-9)


async def test_the_sample_is_the_newest_resolved(services, history, monkeypatch):  # type: ignore[no-untyped-def]
    """Only the newest HANDLE_SAMPLE resolved conversations are read."""
    monkeypatch.setattr(handle_time_module, "HANDLE_SAMPLE", 30)
    async with services.read() as session:
        measured = await handle_time(session, services.settings, SINCE, history)
    assert measured.from_history and measured.conversations == BEFORE_30["measured"]
    assert measured.active_s == pytest.approx(BEFORE_30["active_s"], rel=1e-9)
    assert measured.concurrency == pytest.approx(BEFORE_30["concurrency"], rel=1e-9)


async def test_python_receives_one_row_whatever_the_messages(services, history):  # type: ignore[no-untyped-def]
    """The measure is one aggregate query: the messages stay in the database (reading them
    all into Python held the event loop ~200 ms at 80,000 messages)."""
    rows: list[int] = []

    def count_rows(state):  # type: ignore[no-untyped-def]
        result = state.invoke_statement().freeze()
        rows.append(len(result.data))
        return result()

    async with services.read() as session:
        event.listen(session.sync_session, "do_orm_execute", count_rows)
        measured = await handle_time(session, services.settings, SINCE, history)
    assert measured.conversations == BEFORE["measured"]
    assert rows == [1]


async def test_nothing_to_measure_falls_back_to_the_settings(services, make_team):  # type: ignore[no-untyped-def]
    team = await make_team("Empty", languages=["en"])
    async with services.read() as session:
        measured = await handle_time(session, services.settings, SINCE, team.id)
    assert measured == HandleTime(float(services.settings.average_handle_s),
                                  float(services.settings.staffing_chat_concurrency), 0, False)
