"""The widget's header says "Online" only when someone who could take the conversation is there
(an outside review saw "Online" with every agent offline): an agent routing would offer it
to (online and connected, decision 0059) of the team it goes to, speaking its language, in
the team's working hours. Otherwise away, or closed with when the team is back."""

from datetime import timedelta

from sqlalchemy import update

from tests.live.helpers import customer
from walletdesk.accounts.models import Agent
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Status
from walletdesk.db.base import utcnow
from walletdesk.routing.availability import widget_availability

MONDAY_MINUTE = {"mon": [["09:00", "09:01"]]}  # closed whenever the tests run


async def availability(services, language, conversation_id=None):  # type: ignore[no-untyped-def]
    async with services.read() as session:
        conversation = (await session.get(Conversation, conversation_id)
                        if conversation_id is not None else None)
        return await widget_availability(session, services.settings, language, conversation)


async def not_connected(services, agent_id: int) -> None:  # type: ignore[no-untyped-def]
    """Online, but their workspace went away past the grace."""
    gone = utcnow() - timedelta(seconds=services.settings.presence_grace_s + 60)
    async with services.transaction() as session:
        await session.execute(update(Agent).where(Agent.id == agent_id).values(last_seen_at=gone))


async def test_online_only_while_an_agent_of_the_language_is_connected(
        services, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team(languages=["en", "es"])
    assert (await availability(services, "en"))["state"] == "away"  # nobody at all
    offline = await make_agent("Olga", teams=[team])
    assert offline.presence != "online"
    assert (await availability(services, "en"))["state"] == "away"

    alice = await make_agent("Alice", teams=[team], languages=["en"], online=True)
    now = await availability(services, "en")
    assert now == {"state": "online", "agents_online": 1, "opens_at": None, "opens_label": None}
    # a Spanish-speaking customer: Alice cannot take it
    assert (await availability(services, "es"))["state"] == "away"

    await not_connected(services, alice.id)  # online, but not connected: not there
    assert (await availability(services, "en"))["state"] == "away"


async def test_closed_says_when_the_team_is_back_in_the_customers_words(
        services, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team(weekly_hours=MONDAY_MINUTE, timezone="Asia/Singapore")
    await make_agent("Alice", teams=[team], online=True)  # online, but the team is closed
    closed = await availability(services, "es")
    assert closed["state"] == "closed" and closed["agents_online"] == 0
    assert closed["opens_at"] and closed["opens_label"].startswith("lun ")
    assert closed["opens_label"].endswith("09:00 +08")
    assert (await availability(services, "en"))["opens_label"].startswith("Mon ")


async def test_a_conversation_counts_its_own_team_and_agent(
        services, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    await make_team("Global", is_default=True)
    chinese = await make_team("Chinese", languages=["zh-Hans"])
    mei = await make_agent("Mei", teams=[chinese], languages=["zh-Hans"], online=True)
    result = await receive_message(services, InboundMessage(
        channel="web", external_id="visitor-1", text="转账没到账", language="zh-Hans"))
    async with services.transaction() as session:
        conversation = await session.get(Conversation, result.conversation.id)
        assert conversation is not None
        conversation.team_id, conversation.status = chinese.id, Status.assigned
        conversation.assignee_id = mei.id
    assert (await availability(services, "en", result.conversation.id))["state"] == "online"
    await not_connected(services, mei.id)
    # her team has nobody else: the conversation's language and team, not the browser's
    assert (await availability(services, "en", result.conversation.id))["state"] == "away"


async def test_the_socket_says_it_in_welcome_and_when_asked(
        services, live_server, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    visitor, welcome = await customer(live_server.ws_url)
    assert welcome["availability"]["state"] == "away"
    await make_agent("Alice", teams=[team], online=True)
    await visitor.send({"type": "availability"})
    answer = await visitor.expect_type("availability")
    assert answer["state"] == "online" and answer["agents_online"] == 1
    await visitor.close()
