"""The inbox previews what people said and orders by it: a handed-off conversation showed the
bot's "passing you to a person" instead of the customer's question, and "Newest" put the
priority first (a complaint last active at 15:53 above a chat of 16:00). SQLite and
PostgreSQL."""

from datetime import UTC, datetime

import httpx
from sqlalchemy import update

from tests.conftest import PASSWORD
from walletdesk import i18n
from walletdesk.accounts.actions import set_presence
from walletdesk.accounts.models import Presence, Role
from walletdesk.bot.actions import hand_off
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    resolve_conversation,
    send_message,
)
from walletdesk.conversations.messages import lock_conversation
from walletdesk.conversations.models import Conversation
from walletdesk.conversations.queries import InboxFilter, InboxSort, InboxView
from walletdesk.conversations.workspace import inbox
from walletdesk.web.app import create_app

QUESTION = "我的USDT提现卡住了，邮箱 wu.lei@example.com"


async def _row(services, agent, conversation_id: int) -> dict:  # type: ignore[no-untyped-def]
    rows = await inbox(services, agent, InboxFilter(view=InboxView.team))
    return next(row for row in rows if row["id"] == conversation_id)


async def test_the_preview_is_the_customers_words_or_the_agents_reply(
        services, bus, make_team, make_agent) -> None:
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])  # offline: the conversation waits
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="wu", text=QUESTION, language="zh-CN"))
    cid = delivered.conversation.id
    asked = (await _row(services, mei, cid))["last_message_at"]

    async with services.transaction() as session:  # the bot hands the conversation over
        conversation = await lock_conversation(session, cid)
        assert conversation is not None
        await hand_off(session, services, conversation, "asked_for_human")
    said = [e["message"] for e in bus.of_type("message") if e["conversation_id"] == cid]
    assert [m["sender_kind"] for m in said] == ["customer", "system", "bot"]
    assert said[-1]["text"] == i18n.text("bot_handoff", "zh-Hans")  # "正在为您转接人工客服…"
    row = await _row(services, mei, cid)
    assert row["preview"] == QUESTION and row["last_message_at"] == asked
    # the live update agents' inboxes get says the same
    changed = [e for e in bus.of_type("conversation") if e["conversation"]["id"] == cid][-1]
    assert changed["conversation"]["preview"] == QUESTION
    masked = (await _row(services, partner, cid))["preview"]  # masked as before
    assert masked.startswith("我的USDT提现卡住了") and "wu.lei" not in masked \
        and "example.com" not in masked

    await set_presence(services, mei.id, Presence.online)  # takes it: "Mei joined"
    row = await _row(services, mei, cid)
    assert row["assignee_id"] == mei.id and row["preview"] == QUESTION
    await send_message(services, mei, cid, "我来帮您查一下")
    await send_message(services, mei, cid, "VIP, be careful", internal=True)
    row = await _row(services, mei, cid)
    assert row["preview"] == "我来帮您查一下" and row["last_message_at"] > asked
    replied = row["last_message_at"]
    await resolve_conversation(services, mei, cid)  # "marked as resolved", a survey maybe
    async with services.read() as session:
        conversation = await session.get(Conversation, cid)
        assert conversation is not None
        assert conversation.last_message_preview == "我来帮您查一下"
        assert conversation.last_message_at.isoformat() == replied


async def test_newest_is_the_latest_activity_and_priority_is_its_own_order(
        services, make_team, make_agent) -> None:
    team = await make_team("Support")
    lead = await make_agent("Lead", role=Role.supervisor, teams=[team])
    ids = {}
    for name, priority, at in (("complaint", 2, "15:53"), ("chat", 0, "16:00"),
                               ("older", 0, "15:55")):
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id=name, text=f"{name} here"))
        ids[name] = delivered.conversation.id
        hour, minute = (int(part) for part in at.split(":"))
        async with services.transaction() as session:
            await session.execute(update(Conversation).where(
                Conversation.id == delivered.conversation.id).values(
                priority=priority,
                last_message_at=datetime(2026, 12, 7, hour, minute, tzinfo=UTC)))

    async def order(sort: InboxSort | None = None) -> list[str]:
        flt = InboxFilter(view=InboxView.all) if sort is None \
            else InboxFilter(view=InboxView.all, sort=sort)
        by_id = {cid: name for name, cid in ids.items()}
        return [by_id[row["id"]] for row in await inbox(services, lead, flt)]

    assert await order() == ["chat", "older", "complaint"]  # the default: newest
    assert await order(InboxSort.recent) == ["chat", "older", "complaint"]
    assert await order(InboxSort.priority) == ["complaint", "chat", "older"]

    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://desk.test") as http:
        login = await http.post("/login", data={"email": lead.email, "password": PASSWORD})
        assert login.status_code == 303
        listed = {}
        for sort in (None, "recent", "priority"):
            params = {"view": "all"} | ({"sort": sort} if sort else {})
            rows = (await http.get("/api/v1/conversations", params=params)).json()
            listed[sort] = [row["preview"] for row in rows]
        page = (await http.get("/app")).text
    assert listed[None] == listed["recent"] == ["chat here", "older here", "complaint here"]
    assert listed["priority"] == ["complaint here", "chat here", "older here"]
    assert '<option value="recent">Newest</option><option value="priority">Priority first' \
        in page
