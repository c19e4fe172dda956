"""The GDPR export holds the customer's loyalty points: the balance on the customer and the
points each answered survey credited (SQLite and PostgreSQL)."""

import json

from sqlalchemy import select

from walletdesk.cases.models import Survey
from walletdesk.cases.surveys import submit_rating
from walletdesk.conversations.actions import InboundMessage, receive_message, resolve_conversation
from walletdesk.customers.privacy import export_customer


async def _rated(services, agent, visitor: str, rating: int) -> int:  # type: ignore[no-untyped-def]
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text="my swap failed"))
    await resolve_conversation(services, agent, delivered.conversation.id)
    async with services.read() as session:
        survey = await session.scalar(select(Survey).where(
            Survey.conversation_id == delivered.conversation.id))
    assert survey is not None
    await submit_rating(services, customer_id=delivered.conversation.customer_id,
                        survey_id=survey.id, rating=rating, comment="thanks")
    return delivered.conversation.customer_id


async def test_points_are_in_the_export(services, make_team, make_agent):
    services.settings.csat_points = 7
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    customer_id = await _rated(services, alice, "visitor-points", 5)
    unrated = await receive_message(services, InboundMessage(
        channel="web", external_id="someone-else", text="hello"))

    data = await export_customer(services, None, customer_id)
    assert data["customer"]["points"] == 7
    assert [(s["rating"], s["points"]) for s in data["surveys"]] == [(5, 7)]
    json.dumps(data)  # all JSON
    nothing = await export_customer(services, None, unrated.conversation.customer_id)
    assert nothing["customer"]["points"] == 0 and nothing["surveys"] == []
