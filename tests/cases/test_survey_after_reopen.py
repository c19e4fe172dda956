"""A reopened conversation's rating card waits (review: the old card stayed active after an
agent reopened it): an answer is refused while it is open, by the widget and the mail link;
once it is resolved again the same survey asks (once per conversation, no second card)."""

import pytest
from sqlalchemy import func, select

from tests.cases.test_surveys import resolved
from tests.live.helpers import customer
from walletdesk.cases.models import Survey
from walletdesk.cases.surveys import submit_rating
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    reopen_conversation,
    resolve_conversation,
)
from walletdesk.conversations.models import Message
from walletdesk.errors import Invalid


async def _cards(services, conversation_id: int) -> int:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        metas = (await session.scalars(select(Message.meta).where(
            Message.conversation_id == conversation_id))).all()
    return sum(1 for meta in metas if (meta or {}).get("kind") == "csat")


async def test_an_agent_reopening_withdraws_the_card_until_it_is_resolved_again(
        services, make_team, make_agent):
    alice, conversation, survey = await resolved(services, make_team, make_agent)
    await reopen_conversation(services, alice, conversation.id)
    with pytest.raises(Invalid, match="reopened"):
        await submit_rating(services, customer_id=conversation.customer_id,
                            survey_id=survey.id, rating=5)
    await resolve_conversation(services, alice, conversation.id)
    assert await _cards(services, conversation.id) == 1  # the same card asks again
    rated = await submit_rating(services, customer_id=conversation.customer_id,
                                survey_id=survey.id, rating=5)
    assert rated.rating == 5
    async with services.read() as session:
        assert await session.scalar(select(func.count()).select_from(Survey)) == 1


async def test_the_customer_writing_again_withdraws_it_too(services, make_team, make_agent):
    _, conversation, survey = await resolved(services, make_team, make_agent, visitor="s2")
    await receive_message(services, InboundMessage(
        channel="web", external_id="s2", text="the transfer still has not arrived"))
    with pytest.raises(Invalid, match="reopened"):
        await submit_rating(services, customer_id=conversation.customer_id,
                            survey_id=survey.id, rating=1)
    async with services.read() as session:
        assert (await session.get(Survey, survey.id)).rating is None  # type: ignore[union-attr]


async def test_the_widget_is_told_why(services, live_server, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    visitor, _ = await customer(live_server.ws_url)
    ack = await visitor.say("hello")
    await visitor.expect_type("resume")
    await resolve_conversation(services, alice, ack["conversation_id"])
    card = await visitor.expect(lambda f: f.get("type") == "message"
                                and (f["message"]["meta"] or {}).get("kind") == "csat")
    survey_id = card["message"]["meta"]["survey_id"]
    await reopen_conversation(services, alice, ack["conversation_id"])
    status = await visitor.expect(lambda f: f.get("type") == "status")
    assert status["status"] == "assigned"  # what the widget turns the card off with
    await visitor.send({"type": "rating", "survey_id": survey_id, "rating": 4})
    refused = await visitor.expect_type("error")
    assert refused["code"] == "invalid" and "reopened" in refused["detail"]
    await visitor.close()
