"""Satisfaction surveys: asked once on resolution, answered once by the right customer."""

import pytest
from sqlalchemy import select

from tests.live.helpers import customer
from walletdesk.cases.models import Survey
from walletdesk.cases.surveys import satisfaction_by, submit_rating
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    reopen_conversation,
    resolve_conversation,
)
from walletdesk.conversations.models import SenderKind
from walletdesk.conversations.queries import messages_after
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Invalid, NotFound


async def resolved(services, make_team, make_agent, visitor="s1"):  # type: ignore[no-untyped-def]
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text="help", language="zh-CN"))
    await resolve_conversation(services, alice, delivered.conversation.id)
    async with services.read() as session:
        survey = await session.scalar(select(Survey))
    return alice, delivered.conversation, survey


async def test_resolution_asks_once_and_rating_credits_points(services, bus, make_team,
                                                              make_agent):
    alice, conversation, survey = await resolved(services, make_team, make_agent)
    assert survey is not None and survey.agent_id == alice.id and survey.rating is None
    ask = [e for e in bus.of_type("message") if (e["message"]["meta"] or {}).get("kind") == "csat"]
    assert ask and "打分" in ask[0]["message"]["text"]
    # resolving again after a reopen does not ask twice
    await reopen_conversation(services, alice, conversation.id)
    await resolve_conversation(services, alice, conversation.id)
    async with services.read() as session:
        assert len((await session.scalars(select(Survey))).all()) == 1

    await submit_rating(services, customer_id=conversation.customer_id, survey_id=survey.id,
                        rating=5, comment="fast and kind")
    async with services.read() as session:
        stored = await session.get(Survey, survey.id)
        who = await session.get(Customer, conversation.customer_id)
        figures = await satisfaction_by(session, "agent", utcnow().replace(year=2000))
    assert stored.rating == 5 and stored.comment == "fast and kind"
    assert who.points == services.settings.csat_points == stored.points
    assert figures[alice.id] == (5.0, 1)
    with pytest.raises(Conflict):
        await submit_rating(services, customer_id=conversation.customer_id, survey_id=survey.id,
                            rating=1)


@pytest.mark.parametrize("rating", [0, 6, "5", None, True, 2.5])
async def test_bad_ratings_are_refused(services, make_team, make_agent, rating):
    _, conversation, survey = await resolved(services, make_team, make_agent)
    with pytest.raises(Invalid):
        await submit_rating(services, customer_id=conversation.customer_id,
                            survey_id=survey.id, rating=rating)


async def test_someone_elses_or_unknown_survey_is_not_found(services, make_team, make_agent):
    _, conversation, survey = await resolved(services, make_team, make_agent)
    with pytest.raises(NotFound):
        await submit_rating(services, customer_id=conversation.customer_id + 1000,
                            survey_id=survey.id, rating=4)
    with pytest.raises(NotFound):
        await submit_rating(services, customer_id=conversation.customer_id,
                            survey_id=survey.id + 1000, rating=4)


async def test_rating_over_the_widget_socket(services, live_server, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    visitor, _ = await customer(live_server.ws_url)
    ack = await visitor.say("hello")
    await visitor.expect_type("resume")  # the socket now follows its conversation
    await resolve_conversation(services, alice, ack["conversation_id"])
    card = await visitor.expect(lambda f: f.get("type") == "message"
                                and (f["message"]["meta"] or {}).get("kind") == "csat")
    survey_id = card["message"]["meta"]["survey_id"]
    await visitor.send({"type": "rating", "survey_id": survey_id, "rating": 2})
    low = await visitor.expect(lambda f: f.get("type") == "message"
                               and "still need help" in f["message"]["text"])
    assert low  # published at commit, so before the "rated" answer
    assert (await visitor.expect_type("rated"))["survey_id"] == survey_id
    await visitor.send({"type": "rating", "survey_id": survey_id, "rating": 5})
    assert (await visitor.expect_type("error"))["code"] == "conflict"
    back = await visitor.say("still broken")
    assert back["conversation_id"] == ack["conversation_id"]  # reopened
    await visitor.close()


async def test_the_agents_see_the_rating_in_the_thread_and_the_customer_does_not(
        services, bus, make_team, make_agent):
    _, conversation, survey = await resolved(services, make_team, make_agent)
    await submit_rating(services, customer_id=conversation.customer_id, survey_id=survey.id,
                        rating=4, comment="quick <b>answer</b>")
    async with services.read() as session:
        agents = await messages_after(session, conversation.id, 0, include_internal=True)
        customers = await messages_after(session, conversation.id, 0, include_internal=False)
    notes = [m for m in agents if (m.meta or {}).get("kind") == "csat_rating"]
    assert len(notes) == 1 and notes[0].is_internal
    assert notes[0].sender_kind == SenderKind.system
    assert notes[0].text == "Customer rating: ★★★★☆ 4/5 — “quick <b>answer</b>”"
    assert not [m for m in customers if (m.meta or {}).get("kind") == "csat_rating"]
    live = [e for e in bus.of_type("message")
            if (e["message"]["meta"] or {}).get("kind") == "csat_rating"]
    assert live and live[0]["message"]["internal"] is True
