"""The contact reason an agent chooses when resolving, made with the real actions, and the
presence history written by its after-commit listener."""

from sqlalchemy import func, select

from tests.reports.test_rollups import refresh
from walletdesk.accounts.actions import set_presence
from walletdesk.accounts.models import Presence
from walletdesk.bot.choices import CHOSEN
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.actions import InboundMessage, receive_message, resolve_conversation
from walletdesk.conversations.contact_reasons import contact_reason_choices
from walletdesk.conversations.models import Conversation
from walletdesk.db.base import utcnow
from walletdesk.labels.models import Label
from walletdesk.reports.filters import parse_filter
from walletdesk.reports.models import PresenceChange
from walletdesk.reports.presence import record_presence_change, subscribe_presence_history
from walletdesk.reports.reasons import reasons_report


async def test_the_reason_chosen_at_resolve_is_the_conversations_reason(
        services, make_team, make_agent, sign_in) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    async with services.transaction() as session:
        session.add(Label(name="kyc", color="#00aa00"))
    chosen = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="my documents?", language="en"))
    plain = await receive_message(services, InboundMessage(
        channel="web", external_id="v2", text="hello", language="en"))
    signed = await sign_in(alice.email)
    http, headers = signed.http, {"x-csrf-token": signed.csrf}
    assert 'id="resolve-reason"' in (await http.get("/app")).text
    assert "kyc" in (await http.get("/api/v1/contact-reasons")).json()
    path = f"/api/v1/conversations/{chosen.conversation.id}/resolve"
    refused = await http.post(path, json={"contact_reason": "not a reason"}, headers=headers)
    assert refused.status_code == 422 and "contact reason" in refused.text
    assert (await http.post(path, json={"contact_reason": "kyc"}, headers=headers)).json()[
        "status"] == "resolved"
    await resolve_conversation(services, alice, plain.conversation.id)  # no reason: as before
    today = utcnow().date().isoformat()
    async with services.read() as session:
        stored = await session.get(Conversation, chosen.conversation.id)
        assert stored is not None and stored.contact_reason == "kyc"
        assert "kyc" in await contact_reason_choices(session)
        reasons = await reasons_report(session, parse_filter(start=today, end=today))
    assert {(r.reason, r.source, r.count) for r in reasons.reasons} >= {("kyc", "resolve", 1)}


async def test_presence_changes_are_recorded_once(services, make_agent) -> None:  # type: ignore[no-untyped-def]
    ann = await make_agent("Ann")
    unsubscribe = subscribe_presence_history(services)
    try:
        await set_presence(services, ann.id, Presence.online)
        await set_presence(services, ann.id, Presence.away)
        # a second server process receives the same event: still one row per change
        await record_presence_change(services, {"type": "presence", "agent_id": ann.id})
    finally:
        unsubscribe()
    async with services.read() as session:
        stored = (await session.execute(
            select(PresenceChange.presence, func.count()).where(PresenceChange.agent_id == ann.id)
            .group_by(PresenceChange.presence))).all()
    assert sorted(stored) == [("away", 1), ("online", 1)]


async def test_a_picked_article_gives_its_category_not_the_top_ones(services) -> None:  # type: ignore[no-untyped-def]
    """A choice the customer answered (the bot's turn "answered_choice") names the picked
    article's category as the contact reason, in the live recount and in the rollup."""
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="fee or stuck?", language="en"))
    candidates = [{"slug": slug, "title": slug, "score": score, "category": category}
                  for slug, score, category in (("locked-account", 0.5, "security"),
                                                ("network-fees", 0.45, "fees"),
                                                ("stuck-withdrawal", 0.4, "withdrawals"))]
    async with services.transaction() as session:
        session.add(BotTurn(conversation_id=delivered.conversation.id, query="fee or stuck?",
                            language="en", candidates=candidates, confidence=0.5,
                            outcome=CHOSEN, article_slug="network-fees"))
    await refresh(services)
    today = utcnow().date().isoformat()
    async with services.read() as session:
        for live in (True, False):
            reasons = await reasons_report(session, parse_filter(start=today, end=today),
                                           live=live)
            assert [(r.reason, r.source) for r in reasons.reasons] == [("fees", "bot")], live


async def test_each_reason_is_offered_once_and_any_of_its_codes_is_accepted(
        services, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    """The Resolve "Reason" list had "Security" twice (the category and the label, review)."""
    from walletdesk.kb.models import Article, ArticleStatus

    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    async with services.transaction() as session:
        session.add(Article(slug="scams", category="security", status=ArticleStatus.published))
        session.add(Label(name="Security", color="#aa0000"))
        session.add(Label(name="kyc", color="#00aa00"))
    async with services.read() as session:
        choices = await contact_reason_choices(session)
    assert choices.count("security") == 1 and "Security" not in choices and "kyc" in choices
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v9", text="a scam?", language="en"))
    await resolve_conversation(services, alice, delivered.conversation.id,
                               contact_reason="Security")  # an integration's label code
    async with services.read() as session:
        stored = await session.get(Conversation, delivered.conversation.id)
    assert stored is not None and stored.contact_reason == "Security"
