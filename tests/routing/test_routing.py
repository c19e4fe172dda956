"""Routing: offer to a free online agent with the language, else queue with positions."""

from datetime import datetime, timedelta

from sqlalchemy import select

from walletdesk.accounts.actions import set_presence, update_agent
from walletdesk.accounts.models import Presence, Role
from walletdesk.conversations.actions import (
    InboundMessage,
    assign_conversation,
    receive_message,
    resolve_conversation,
)
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.db.base import utcnow


def msg(visitor: str, text: str = "help please", language: str | None = "en") -> InboundMessage:
    return InboundMessage(channel="web", external_id=visitor, text=text, language=language)


async def load(services, conversation_id):  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return await session.get(Conversation, conversation_id)


async def test_offered_to_the_least_loaded_online_agent_with_capacity(services, make_team,
                                                                      make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], capacity=2, online=True)
    bob = await make_agent("Bob", teams=[team], capacity=2, online=True)
    await make_agent("Carol", teams=[team], capacity=2, online=False)

    assignees = [(await receive_message(services, msg(f"v{i}"))).conversation.assignee_id
                 for i in range(4)]
    assert sorted(assignees) == sorted([alice.id, bob.id, alice.id, bob.id])

    fifth = await receive_message(services, msg("v5"))
    assert fifth.conversation.status == Status.queued  # both at capacity; Carol is offline


async def test_language_decides_team_and_agent(services, make_team, make_agent):
    chinese = await make_team("Chinese", languages=["zh-Hans", "zh-Hant"])
    english = await make_team("English", languages=["en"], is_default=True)
    await make_agent("EnOnly", teams=[chinese, english], languages=["en"], online=True)
    zh_agent = await make_agent("Mei", teams=[chinese], languages=["zh-Hans", "zh-Hant"],
                                online=True)

    zh = await receive_message(services, msg("zh-visitor", "我的币没到账", language="zh-TW"))
    assert zh.conversation.team_id == chinese.id
    assert zh.conversation.language == "zh-Hant"
    assert zh.conversation.assignee_id == zh_agent.id

    es = await receive_message(services, msg("es-visitor", "hola", language="es-MX"))
    assert es.conversation.team_id == english.id  # nobody serves Spanish: the default team
    assert es.conversation.status == Status.queued  # and no agent there speaks Spanish


async def test_queue_positions_are_published_and_move_up(services, bus, make_team, make_agent):
    team = await make_team()
    agent = await make_agent("Alice", teams=[team], capacity=1)
    first = await receive_message(services, msg("a"))
    second = await receive_message(services, msg("b"))
    positions = {e["conversation_id"]: e["position"] for e in bus.of_type("queue")}
    assert positions == {first.conversation.id: 1, second.conversation.id: 2}
    latest = bus.of_type("queue")[-1]
    assert latest["eta_s"] is None and latest["agents_online"] == 0

    bus.published.clear()
    await set_presence(services, agent.id, Presence.online)  # takes the first in line
    assert (await load(services, first.conversation.id)).assignee_id == agent.id
    moved = [e for e in bus.of_type("queue") if e["conversation_id"] == second.conversation.id]
    assert moved and moved[-1]["position"] == 1
    assert moved[-1]["eta_s"] == services.settings.average_handle_s

    # resolving frees capacity: the next one is assigned at once
    await resolve_conversation(services, agent, first.conversation.id)
    assert (await load(services, second.conversation.id)).assignee_id == agent.id


async def test_after_hours_tells_when_the_team_is_back_and_waits_as_a_case(services, bus,
                                                                           make_team, make_agent):
    now = utcnow()
    closed_today = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    tomorrow = (now + timedelta(days=1)).strftime("%a").lower()
    closed_today[tomorrow] = [["09:00", "17:00"]]
    team = await make_team("Weekday team", weekly_hours=closed_today, timezone="UTC")
    await make_agent("Alice", teams=[team], online=True)

    received = await receive_message(services, msg("late-visitor"))
    conversation = received.conversation
    assert conversation.status == Status.queued and conversation.after_hours
    notices = [e["message"]["text"] for e in bus.of_type("message")
               if e["message"]["sender_kind"] == "system"]
    assert any("We're back" in text and "09:00" in text for text in notices)
    queue = bus.of_type("queue")[-1]
    assert queue["after_hours"] is True and queue["opens_at"].startswith(
        (now + timedelta(days=1)).date().isoformat())

    # a second message does not repeat the notice
    bus.published.clear()
    await receive_message(services, msg("late-visitor", "still there?"))
    assert not [e for e in bus.of_type("message") if e["message"]["sender_kind"] == "system"]


async def test_a_stale_after_hours_notice_is_said_again_with_the_next_opening(
        services, bus, make_team, make_agent):
    """The customer was told "we're back tomorrow 09:00"; the team opened and closed again and
    nobody took the conversation: writing again, they hear the next opening (the old notice
    promised a time already past). While the promise still stands, nothing is repeated."""
    now = utcnow()
    closed_today = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    closed_today[(now + timedelta(days=1)).strftime("%a").lower()] = [["09:00", "17:00"]]
    team = await make_team("Weekday team", weekly_hours=closed_today, timezone="UTC")
    await make_agent("Alice", teams=[team], online=True)
    received = await receive_message(services, msg("stale-visitor"))
    conversation_id = received.conversation.id

    def notices() -> list[dict]:  # type: ignore[type-arg]
        return [e["message"] for e in bus.of_type("message")
                if e["message"]["sender_kind"] == "system"
                and (e["message"].get("meta") or {}).get("kind") == "after_hours"]

    first = notices()
    assert len(first) == 1 and first[0]["meta"]["opens"].startswith(
        (now + timedelta(days=1)).date().isoformat())
    await receive_message(services, msg("stale-visitor", "still there?"))
    assert len(notices()) == 1  # the promise stands: not repeated

    # as if that opening had passed without anyone taking it
    async with services.transaction() as session:
        row = await session.scalar(select(Message).where(
            Message.conversation_id == conversation_id, Message.sender_kind == SenderKind.system)
            .order_by(Message.seq.desc()).limit(1))
        row.meta = {**row.meta, "opens": (now - timedelta(hours=2)).isoformat()}
    await receive_message(services, msg("stale-visitor", "hello?? anyone"))
    again = notices()
    assert len(again) == 2 and "09:00" in again[-1]["text"]
    assert datetime.fromisoformat(again[-1]["meta"]["opens"]) > now


async def test_capacity_change_drains_the_queue(services, make_team, make_agent):
    team = await make_team()
    admin = await make_agent("Boss", role=Role.admin)
    agent = await make_agent("Alice", teams=[team], capacity=0, online=True)
    waiting = await receive_message(services, msg("q"))
    assert waiting.conversation.status == Status.queued
    await update_agent(services, admin, agent.id, {"capacity": 1})
    assert (await load(services, waiting.conversation.id)).assignee_id == agent.id


async def test_transfer_to_a_team_routes_there(services, make_team, make_agent):
    first_line = await make_team("First line", is_default=True)
    experts = await make_team("Experts")
    alice = await make_agent("Alice", teams=[first_line], online=True)
    expert = await make_agent("Eve", teams=[experts], online=True)
    received = await receive_message(services, msg("x"))
    assert received.conversation.assignee_id == alice.id
    moved = await assign_conversation(services, alice, received.conversation.id,
                                      team_id=experts.id)
    assert moved.team_id == experts.id and moved.assignee_id == expert.id


async def test_a_transfer_to_an_agent_of_several_teams_goes_to_the_one_of_its_language(
        services, make_team, make_agent):
    """Found in an outside review: an English conversation transferred to Mei went to her
    first team, the Chinese one (counted there in reports and SLAs), not to Global support."""
    outsourced = await make_team("Outsourced", languages=["en"], is_outsourced=True)
    chinese = await make_team("中文客服", languages=["zh-Hans", "zh-Hant"])
    global_team = await make_team("Global support", languages=["en", "zh-Hans"])
    li = await make_agent("Li", teams=[outsourced], online=True, role=Role.outsourced)
    mei = await make_agent("Mei", teams=[chinese, global_team], online=True)
    received = await receive_message(services, msg("en-customer"))
    async with services.transaction() as session:  # Li, of the outsourced team, has it
        row = await session.get(Conversation, received.conversation.id)
        row.team_id, row.assignee_id, row.status = outsourced.id, li.id, Status.assigned
    moved = await assign_conversation(services, li, received.conversation.id, agent_id=mei.id)
    assert moved.assignee_id == mei.id and moved.team_id == global_team.id


async def test_customer_writing_again_reopens_a_resolved_conversation(services, make_team,
                                                                      make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    first = await receive_message(services, msg("r"))
    await resolve_conversation(services, alice, first.conversation.id)
    again = await receive_message(services, msg("r", "one more question"))
    assert again.conversation.id == first.conversation.id
    assert again.conversation.status == Status.assigned
    assert again.conversation.assignee_id == alice.id


async def test_thanks_to_a_resolved_conversation_is_kept_without_reopening_it(
        services, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    first = await receive_message(services, msg("t"))
    await resolve_conversation(services, alice, first.conversation.id)
    for courtesy in ("thanks!!", "ok 👍", "谢谢", "gracias, adiós"):
        said = await receive_message(services, msg("t", courtesy))
        assert said.conversation.id == first.conversation.id
        conversation = await load(services, first.conversation.id)
        assert conversation.status == Status.resolved, courtesy
        assert conversation.resolved_at is not None
    again = await receive_message(services, msg("t", "thanks, but one more question"))
    assert again.conversation.status == Status.assigned  # words beyond courtesy reopen it
    assert again.conversation.assignee_id == alice.id


async def test_queue_overview_counts_waiting_active_and_online(services, make_team, make_agent):
    from walletdesk.routing.queries import queue_overview

    team = await make_team("Overview team")
    await make_agent("Alice", teams=[team], capacity=1, online=True)
    await receive_message(services, msg("o1"))
    await receive_message(services, msg("o2"))
    async with services.read() as session:
        figures = {f.team.name: f for f in await queue_overview(session, services.settings)}
    row = figures["Overview team"]
    assert (row.waiting, row.active, row.agents_online, row.open_now) == (1, 1, 1, True)
    assert row.oldest_wait_s is not None and row.oldest_wait_s >= 0
