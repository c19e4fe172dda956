"""Labels: defining them, putting them on conversations, the inbox filter and search, and
the category rules applied by the after-commit listener."""

import pytest
from sqlalchemy import select

from tests.labels.helpers import conversation_in
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import send_message
from walletdesk.conversations.queries import InboxFilter, InboxView, list_inbox
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.labels import actions
from walletdesk.labels.models import ConversationLabel, Label, LabelRule
from walletdesk.labels.rules import subscribe_label_rules


@pytest.fixture
async def desk(services, make_team, make_agent):  # type: ignore[no-untyped-def]
    support = await make_team("Support")
    admin = await make_agent("Ada", role=Role.admin)
    mei = await make_agent("Mei", teams=[support])
    return support, admin, mei


async def test_colours_are_validated_and_normalised(services, desk):
    _, admin, mei = desk
    refund = await actions.create_label(services, admin, name="  Refund ", color="#1A7F37")
    assert (refund.name, refund.color) == ("Refund", "#1a7f37")
    short = await actions.create_label(services, admin, name="VIP", color="#17c")
    assert short.color == "#1177cc"
    for bad in ("red", "#12345", "#gggggg", "1a7f37", "#1a7f37ff", ""):
        with pytest.raises(Invalid, match="hex colour"):
            await actions.create_label(services, admin, name=f"x{bad}", color=bad)
    with pytest.raises(Conflict):
        await actions.create_label(services, admin, name="REFUND", color="#000000")
    with pytest.raises(Invalid):
        await actions.create_label(services, admin, name=" " * 3, color="#000000")
    with pytest.raises(Forbidden):
        await actions.create_label(services, mei, name="Mine", color="#000000")
    renamed = await actions.update_label(services, admin, short.id, name="Key account",
                                         color="#FFD33D")
    assert (renamed.name, renamed.color) == ("Key account", "#ffd33d")
    with pytest.raises(Conflict):
        await actions.update_label(services, admin, short.id, name="refund")


async def test_agent_labels_a_conversation_and_the_inbox_filters_and_searches(services, desk,
                                                                              bus):
    support, admin, mei = desk
    first = await conversation_in(services, admin, support, "v1")
    second = await conversation_in(services, admin, support, "v2", text="Fee question")
    third = await conversation_in(services, admin, support, "v3", text="Another question")
    refund = await actions.create_label(services, admin, name="Refund", color="#cf222e")
    vip = await actions.create_label(services, admin, name="VIP", color="#8250df")

    bus.published.clear()
    labels = await actions.add_conversation_label(services, mei, first.id, refund.id)
    assert [label.name for label in labels] == ["Refund"]
    changed = bus.of_type("conversation")
    assert [e["conversation"]["id"] for e in changed] == [first.id]  # workspaces refresh
    again = await actions.add_conversation_label(services, mei, first.id, refund.id)
    assert [label.id for label in again] == [refund.id]  # idempotent
    await actions.add_conversation_label(services, mei, first.id, vip.id)
    await actions.add_conversation_label(services, mei, third.id, refund.id)

    async with services.read() as session:
        filtered = await list_inbox(session, mei, InboxFilter(InboxView.team, label_id=refund.id))
        only_vip = await list_inbox(session, mei, InboxFilter(InboxView.team, label_id=vip.id))
        searched = await list_inbox(session, mei, InboxFilter(InboxView.team, search="refund"))
        everything = await list_inbox(session, mei, InboxFilter(InboxView.team))
        row = await session.get(ConversationLabel, (first.id, refund.id))
    assert {c.id for c in filtered} == {first.id, third.id}
    assert [c.id for c in only_vip] == [first.id]
    assert {c.id for c in searched} == {first.id, third.id}
    assert {c.id for c in everything} == {first.id, second.id, third.id}
    assert row is not None and row.source == "agent" and row.added_by_agent_id == mei.id

    remaining = await actions.remove_conversation_label(services, mei, first.id, refund.id)
    assert [label.name for label in remaining] == ["VIP"]
    with pytest.raises(NotFound):
        await actions.remove_conversation_label(services, mei, first.id, refund.id)


async def test_agents_of_another_team_cannot_label_the_conversation(services, desk, make_team,
                                                                   make_agent):
    support, admin, _ = desk
    other_team = await make_team("Other")
    sam = await make_agent("Sam", teams=[other_team])
    conversation = await conversation_in(services, admin, support, "v1")
    label = await actions.create_label(services, admin, name="Refund", color="#cf222e")
    with pytest.raises(NotFound):
        await actions.add_conversation_label(services, sam, conversation.id, label.id)
    with pytest.raises(NotFound):
        await actions.add_conversation_label(services, admin, conversation.id, 999_999)


async def test_deleting_a_label_takes_it_off_conversations_and_rules(services, desk):
    support, admin, mei = desk
    conversation = await conversation_in(services, admin, support, "v1")
    label = await actions.create_label(services, admin, name="Refund", color="#cf222e")
    await actions.add_conversation_label(services, mei, conversation.id, label.id)
    await actions.add_label_rule(services, admin, category="fees", label_id=label.id)
    with pytest.raises(Forbidden):
        await actions.delete_label(services, mei, label.id)
    await actions.delete_label(services, admin, label.id)
    async with services.read() as session:
        assert (await session.scalars(select(ConversationLabel))).all() == []
        assert (await session.scalars(select(LabelRule))).all() == []
        assert (await session.scalars(select(Label))).all() == []


async def test_a_category_rule_labels_the_conversation_once_after_commit(services, desk):
    support, admin, mei = desk
    scam = await actions.create_label(services, admin, name="Scam report", color="#a40e26")
    await actions.add_label_rule(services, admin, category="scam", label_id=scam.id)
    with pytest.raises(Conflict):
        await actions.add_label_rule(services, admin, category="scam", label_id=scam.id)
    with pytest.raises(Forbidden):
        await actions.add_label_rule(services, mei, category="fees", label_id=scam.id)
    unsubscribe = subscribe_label_rules(services)
    try:
        reported = await conversation_in(services, admin, support, "v1", category="scam",
                                         text="@DemoWalletSupp0rt asked for my seed words")
        plain = await conversation_in(services, admin, support, "v2")
        async with services.read() as session:
            rows = (await session.scalars(select(ConversationLabel))).all()
        assert [(r.conversation_id, r.label_id, r.source) for r in rows] == [
            (reported.id, scam.id, "rule")]
        assert plain.id not in {r.conversation_id for r in rows}

        # an agent takes it off: later events of the conversation do not put it back
        await actions.remove_conversation_label(services, mei, reported.id, scam.id)
        await send_message(services, mei, reported.id, "Thanks, we are looking into it")
        async with services.read() as session:
            assert await session.get(ConversationLabel, (reported.id, scam.id)) is None
    finally:
        unsubscribe()


async def test_the_rules_listener_ignores_events_without_a_ruled_category(services, desk):
    support, admin, _ = desk
    label = await actions.create_label(services, admin, name="Fees", color="#bf8700")
    unsubscribe = subscribe_label_rules(services)
    try:
        # the rule is added after the listener has cached "no rules": the change reaches it
        first = await conversation_in(services, admin, support, "v1", category="fees")
        await actions.add_label_rule(services, admin, category="fees", label_id=label.id)
        second = await conversation_in(services, admin, support, "v2", category="fees")
        other = await conversation_in(services, admin, support, "v3", category="complaint")
    finally:
        unsubscribe()
    async with services.read() as session:
        labelled = {r.conversation_id for r in (await session.scalars(
            select(ConversationLabel))).all()}
    assert labelled == {second.id}
    assert first.id not in labelled and other.id not in labelled
