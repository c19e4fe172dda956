"""The staffing page's handling time is the agents' work on a conversation, not the time it
stays open: a conversation that waits overnight for the customer counts the minutes the agent
spent on it, and agents handling several chats at once share their time between them."""

from datetime import UTC, datetime, timedelta

from tests.conftest import make_agent_in
from walletdesk.accounts.models import Role
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.staffing.handle_time import HandleTime, handle_time, measure_handle_time
from walletdesk.staffing.queries import staffing_plan

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # a Monday
EVENING = datetime(2026, 12, 3, 17, 50, tzinfo=UTC)  # the Thursday before
SINCE = NOW - timedelta(weeks=8)
Said = tuple[SenderKind, datetime, int | None]  # who wrote when (the agent's id)


def customer(at: datetime) -> Said:
    return (SenderKind.customer, at, None)


def agent(at: datetime, agent_id: int | None = 1) -> Said:
    return (SenderKind.agent, at, agent_id)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


async def _measure(services, make_team, chats: list[tuple[datetime, list[Said]]]  # type: ignore[no-untyped-def]
                   ) -> tuple[float, float, int]:
    """The measure of these resolved conversations, each (last assignment, messages); agent
    ids 1 and 2 stand for the team's first and second agent."""
    team = await make_team("Measured", languages=["en"])
    agents = [await make_agent_in(services, name, teams=[team]) for name in ("Ann", "Bo")]
    ids = {1: agents[0].id, 2: agents[1].id}
    async with services.transaction() as session:
        person = Customer(display_name="Wu", language="en")
        session.add(person)
        await session.flush()
        for assigned_at, said in chats:
            last = said[-1][1]
            conversation = Conversation(
                customer_id=person.id, channel="web", status=Status.resolved, language="en",
                team_id=team.id, created_at=said[0][1], assigned_at=assigned_at,
                resolved_at=last + minutes(1), last_message_at=last, updated_at=last,
                last_seq=len(said))
            session.add(conversation)
            await session.flush()
            session.add_all([Message(
                conversation_id=conversation.id, seq=seq, created_at=at, sender_kind=kind,
                sender_agent_id=ids.get(agent_id) if agent_id else None,
                is_internal=False, text="…")
                for seq, (kind, at, agent_id) in enumerate(said, start=1)])
    async with services.read() as session:
        return await measure_handle_time(session, SINCE, team.id)


async def test_an_overnight_wait_for_the_customer_is_not_handling_time(services, make_team):  # type: ignore[no-untyped-def]
    night = [customer(EVENING), agent(EVENING + minutes(5)),  # 5 min to answer
             customer(EVENING + timedelta(hours=15)),  # the customer back the next morning
             agent(EVENING + timedelta(hours=15) + minutes(4))]  # 4 min
    assert await _measure(services, make_team, [(EVENING, night)]) == (9 * 60, 1.0, 1)


async def test_each_gap_is_capped(services, make_team):  # type: ignore[no-untyped-def]
    slow = [customer(EVENING), agent(EVENING + minutes(30))]  # away 20 of those 30 minutes
    assert await _measure(services, make_team, [(EVENING, slow)]) == (10 * 60, 1.0, 1)


async def test_the_queue_before_the_assignment_is_not_work(services, make_team):  # type: ignore[no-untyped-def]
    queued = [customer(EVENING), agent(EVENING + minutes(9))]  # 8 of them in the queue
    assert await _measure(services, make_team, [(EVENING + minutes(8), queued)]) \
        == (60, 1.0, 1)


async def test_notes_are_work_the_bots_messages_are_not(services, make_team):  # type: ignore[no-untyped-def]
    # an internal note is work too (an agent's message); the bot's and the customer's are not
    notes = [customer(EVENING), (SenderKind.bot, EVENING + minutes(1), None),
             agent(EVENING + minutes(3)), agent(EVENING + minutes(6))]
    assert await _measure(services, make_team, [(EVENING, notes)]) == (5 * 60, 1.0, 1)


async def test_chats_handled_at_once_share_the_agents_time(services, make_team):  # type: ignore[no-untyped-def]
    # agent 1 answers two customers in the same five minutes; agent 2 one, alone
    both = [(EVENING, [customer(EVENING), agent(EVENING + minutes(5))]),
            (EVENING, [customer(EVENING), agent(EVENING + minutes(5))]),
            (EVENING, [customer(EVENING + minutes(20)), agent(EVENING + minutes(25), 2)]),
            (EVENING, [customer(EVENING + minutes(40))])]  # nobody answered: not measured
    active_s, concurrency, measured = await _measure(services, make_team, both)
    assert measured == 3 and active_s == 300
    assert concurrency == 1.5  # 15 min of chats in 10 min of agents' time
    assert HandleTime(active_s, concurrency, measured, True).agent_s == 200


async def _conversations(services, team_id: int, agent_id: int, *, overnight: int,  # type: ignore[no-untyped-def]
                         quick: int) -> None:
    """``overnight`` conversations answered in 5 minutes, the customer back 15 hours later
    and answered in 4 more, resolved the morning after (~15 h open); ``quick`` ones answered
    in 3 minutes and resolved at once; one after the other, so never two at once."""
    async with services.transaction() as session:
        person = Customer(display_name="Wu", language="en")
        session.add(person)
        await session.flush()
        start = EVENING - timedelta(days=1)
        for index in range(overnight + quick):
            opened = start - timedelta(days=index) if index < overnight \
                else start + timedelta(hours=1, minutes=10 * index)
            said = [(SenderKind.customer, opened), (SenderKind.agent, opened + minutes(5))]
            if index < overnight:
                back = opened + timedelta(hours=15)
                said += [(SenderKind.customer, back), (SenderKind.agent, back + minutes(4))]
            else:
                said[1] = (SenderKind.agent, opened + minutes(3))
            conversation = Conversation(
                customer_id=person.id, channel="web", status=Status.resolved, language="en",
                team_id=team_id, created_at=opened, queued_at=opened, assigned_at=opened,
                resolved_at=said[-1][1] + minutes(1), last_message_at=said[-1][1],
                updated_at=said[-1][1], last_seq=len(said))
            session.add(conversation)
            await session.flush()
            session.add_all([Message(
                conversation_id=conversation.id, seq=seq, created_at=at, sender_kind=kind,
                sender_agent_id=agent_id if kind == SenderKind.agent else None, text="…")
                for seq, (kind, at) in enumerate(said, start=1)])


async def test_the_plan_reads_the_agents_time_not_the_nights(services, make_team, sign_in):
    team = await make_team("Support", languages=["en"])
    ann = await make_agent_in(services, "Ann", teams=[team])
    await _conversations(services, team.id, ann.id, overnight=10, quick=10)
    async with services.read() as session:
        measured = await handle_time(session, services.settings, SINCE, team.id)
        plan = await staffing_plan(session, services.settings, team.id, now=NOW)
    # 9 minutes for each overnight one, 3 for each quick one: 6 on average, not ~7.5 hours
    assert measured == HandleTime(360.0, 1.0, 20, True)
    assert plan.handle_from_history and plan.handle_s == 360 and plan.active_s == 360
    assert plan.handled_conversations == 20 and plan.concurrency == 1

    lead = await make_agent_in(services, "Lead", role=Role.supervisor)
    page = await (await sign_in(lead.email)).http.get(f"/staffing?team_id={team.id}")
    assert page.status_code == 200
    assert 'data-figure="handling"' in page.text and "360 s on average over the last 20" \
        in page.text


async def test_too_few_answered_conversations_fall_back_to_the_settings(services, make_team):
    team = await make_team("Support", languages=["en"])
    ann = await make_agent_in(services, "Ann", teams=[team])
    await _conversations(services, team.id, ann.id, overnight=3, quick=3)
    async with services.read() as session:
        measured = await handle_time(session, services.settings, SINCE, team.id)
    assert measured == HandleTime(float(services.settings.average_handle_s),
                                  float(services.settings.staffing_chat_concurrency), 6, False)
