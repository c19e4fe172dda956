"""A transfer tells the customer once: never to the agent who has the conversation already,
one notice per transfer, a team transfer goes to someone else in the team when it can, and a
customer is promised "an agent will be with you shortly" only when an agent is online."""

import pytest
from sqlalchemy import func, select

from walletdesk.accounts.models import Role
from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.actions import (
    InboundMessage,
    accept_conversation,
    assign_conversation,
    receive_message,
)
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.errors import Invalid
from walletdesk.i18n import text


def msg(visitor: str, words: str = "help please") -> InboundMessage:
    return InboundMessage(channel="web", external_id=visitor, text=words, language="en")


async def system_texts(services, conversation_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return list((await session.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id,
                                       Message.sender_kind == SenderKind.system)
            .order_by(Message.seq))).all())


async def load(services, conversation_id: int) -> Conversation:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation


async def audit_count(services) -> int:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.action == "conversation.assign")))


@pytest.mark.parametrize("holder_online", [True, False])
async def test_a_transfer_to_the_agent_who_has_it_is_refused_and_changes_nothing(
        services, bus, make_team, make_agent, holder_online):
    team = await make_team()
    lead = await make_agent("Lead", role=Role.supervisor, teams=[team])
    alice = await make_agent("Alice", teams=[team], online=True)
    bob = await make_agent("Bob", teams=[team], online=holder_online)
    conversation_id = (await receive_message(services, msg("v"))).conversation.id
    await assign_conversation(services, lead, conversation_id, agent_id=bob.id)
    before = await load(services, conversation_id)
    notices = await system_texts(services, conversation_id)
    audited = await audit_count(services)
    bus.published.clear()

    for actor in (lead, alice, bob):  # a supervisor, a colleague, the holder ("Take")
        with pytest.raises(Invalid, match="Bob already has this conversation"):
            await assign_conversation(services, actor, conversation_id, agent_id=bob.id)

    after = await load(services, conversation_id)
    assert (after.assignee_id, after.status, after.assigned_at, after.assignee_joined_at) == \
        (bob.id, before.status, before.assigned_at, before.assignee_joined_at)
    assert await system_texts(services, conversation_id) == notices
    assert await audit_count(services) == audited
    assert not bus.of_type("message") and not bus.of_type("conversation")


async def test_one_transfer_to_an_online_agent_is_one_notice(services, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    bob = await make_agent("Bob", teams=[team], online=True)
    conversation_id = (await receive_message(services, msg("v"))).conversation.id
    first = await system_texts(services, conversation_id)
    await assign_conversation(services, alice, conversation_id, agent_id=bob.id)
    assert await system_texts(services, conversation_id) == \
        [*first, "Bob joined the conversation."]
    await accept_conversation(services, bob, conversation_id)  # opening it: nothing more
    assert await system_texts(services, conversation_id) == \
        [*first, "Bob joined the conversation."]


async def test_one_transfer_to_an_away_agent_is_one_notice_then_one_join(
        services, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    bob = await make_agent("Bob", teams=[team])
    conversation_id = (await receive_message(services, msg("v"))).conversation.id
    first = await system_texts(services, conversation_id)
    await assign_conversation(services, alice, conversation_id, agent_id=bob.id)
    waiting = text("transferred_waiting", "en")
    assert await system_texts(services, conversation_id) == [*first, waiting]
    for _ in range(2):
        await accept_conversation(services, bob, conversation_id)
    assert await system_texts(services, conversation_id) == \
        [*first, waiting, "Bob joined the conversation."]


async def test_a_transfer_to_the_holders_team_goes_to_someone_else(services, make_team,
                                                                   make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    bob = await make_agent("Bob", teams=[team], online=True, capacity=1)
    conversation_id = (await receive_message(services, msg("v"))).conversation.id
    assert (await load(services, conversation_id)).assignee_id == alice.id
    first = await system_texts(services, conversation_id)

    moved = await assign_conversation(services, alice, conversation_id, team_id=team.id)
    assert moved.assignee_id == bob.id
    assert await system_texts(services, conversation_id) == \
        [*first, "Bob joined the conversation."]

    # Bob hands it back to the team: Alice, the only one free besides him, gets it
    back = await assign_conversation(services, bob, conversation_id, team_id=team.id)
    assert back.assignee_id == alice.id
    assert (await system_texts(services, conversation_id))[-1] == \
        "Alice joined the conversation."


async def test_a_transfer_to_the_holders_team_with_nobody_else_free_changes_nothing(
        services, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    await make_agent("Bob", teams=[team])  # offline
    conversation_id = (await receive_message(services, msg("v"))).conversation.id
    before = await load(services, conversation_id)
    first = await system_texts(services, conversation_id)

    kept = await assign_conversation(services, alice, conversation_id, team_id=team.id)
    assert (kept.assignee_id, kept.status, kept.assignee_joined_at) == \
        (alice.id, Status.assigned, before.assignee_joined_at)
    assert await system_texts(services, conversation_id) == first  # not "Alice joined" again


async def test_nobody_online_the_customer_is_told_the_team_is_away_not_shortly(
        services, bus, make_team, make_agent):
    team = await make_team()
    await make_agent("Alice", teams=[team])  # offline: the team is open, nobody answers
    received = await receive_message(services, msg("v"))
    assert received.conversation.status == Status.queued
    notices = await system_texts(services, received.conversation.id)
    assert notices == [text("after_hours_unknown", "en")]
    assert text("queued", "en") not in notices
    # what the widget's header reads ("away"): the same fact
    queue = [e for e in bus.of_type("queue")
             if e["conversation_id"] == received.conversation.id][-1]
    assert queue["eta_s"] is None and queue["agents_online"] == 0


async def test_agents_online_but_busy_the_customer_is_told_shortly(services, bus, make_team,
                                                                   make_agent):
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True, capacity=1)
    await receive_message(services, msg("first"))  # Alice's one slot
    received = await receive_message(services, msg("second"))
    assert received.conversation.status == Status.queued
    assert await system_texts(services, received.conversation.id) == [text("queued", "en")]
    queue = [e for e in bus.of_type("queue")
             if e["conversation_id"] == received.conversation.id][-1]
    assert queue["eta_s"] is not None and queue["agents_online"] == 1


async def test_a_transfer_to_a_team_with_nobody_online_says_so(services, make_team, make_agent):
    # it said "we're waiting for them to join" while the widget's header said "away"
    first, second = await make_team("Front"), await make_team("Back")
    alice = await make_agent("Alice", teams=[first], online=True)
    await make_agent("Bob", teams=[second])  # offline: the team is open, nobody answers
    conversation_id = (await receive_message(services, msg("v"))).conversation.id
    before = await system_texts(services, conversation_id)
    await assign_conversation(services, alice, conversation_id, team_id=second.id)
    assert (await load(services, conversation_id)).status == Status.queued
    assert await system_texts(services, conversation_id) == [
        *before, text("transferred_away", "en")]
