"""Issue 10, "broken on first use": the parts that are not visual (errors in the caller's
language, transfers, ratings, the audit log, the inbox views, the demo's port, the call list)."""

from datetime import timedelta

import httpx
from sqlalchemy import select

from tests.conftest import make_agent_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.audit.actions import record_audit
from walletdesk.cases.models import Survey
from walletdesk.cases.surveys import submit_rating
from walletdesk.conversations.actions import (
    InboundMessage,
    accept_conversation,
    assign_conversation,
    receive_message,
    resolve_conversation,
    send_message,
)
from walletdesk.conversations.models import Conversation, Message
from walletdesk.db.base import utcnow
from walletdesk.i18n import text
from walletdesk.routing.actions import queue_state

# open one minute a week: closed whenever these tests run, with a known next opening
MONDAY_MINUTE = {"mon": [["09:00", "09:01"]]}


async def _messages(services, conversation_id: int) -> list[Message]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return list((await session.scalars(select(Message).where(
            Message.conversation_id == conversation_id).order_by(Message.seq))).all())


async def _two_teams(services):  # type: ignore[no-untyped-def]
    async with services.transaction() as session:
        chinese = await create_team(session, None, name="Chinese", languages=["zh-Hans"])
        global_team = await create_team(session, None, name="Global", languages=["en"],
                                        is_default=True)
    sam = await make_agent_in(services, "Sam", teams=[global_team], languages=["en"],
                              online=True)
    mei = await make_agent_in(services, "Mei", teams=[chinese], languages=["en", "zh-Hans"])
    return chinese, global_team, sam, mei


# --- errors: pages get pages, the API gets JSON -------------------------------------------

async def test_an_agent_opening_admin_gets_the_desks_403_page_not_json(make_agent, sign_in):
    sam = await make_agent("Sam")
    signed = await sign_in(sam.email)
    page = await signed.http.get("/admin", headers={"accept": "text/html"})
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "You don&#39;t have access to this page" in page.text or \
        "You don't have access to this page" in page.text
    assert "Back to the inbox" in page.text and '{"detail"' not in page.text
    # same rule, same client, through the API: JSON, as integrations expect
    refused = await signed.http.post("/api/v1/inbound", json={"external_id": "x", "text": "t"},
                                      headers={"x-csrf-token": signed.csrf})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "your role may not do this"}


async def test_unknown_pages_and_api_paths_answer_in_their_own_format(client):
    page = await client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text and "Sign in" in page.text
    api = await client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    wants_json = await client.get("/no-such-page", headers={"accept": "application/json"})
    assert wants_json.json() == {"detail": "Not Found"}


async def test_a_bad_id_in_a_page_gets_a_422_page(make_agent, sign_in):
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    page = await signed.http.get("/admin/customers/not-a-number")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "Some of the input was not valid" in page.text


async def test_an_unexpected_failure_is_a_500_page_or_json_without_internals(app):
    async def boom() -> None:
        raise RuntimeError("secret internal state")

    app.add_api_route("/app/boom", boom)
    app.add_api_route("/api/v1/boom", boom)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://desk.test") as http:
        page = await http.get("/app/boom")
        api = await http.get("/api/v1/boom")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in page.text
    assert "secret internal state" not in page.text
    assert api.status_code == 500 and api.json() == {"detail": "internal error"}


# --- transfers ---------------------------------------------------------------------------

async def test_a_transfer_to_an_offline_agent_tells_the_customer_to_wait_until_she_opens_it(
        services):
    _, _, sam, mei = await _two_teams(services)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="my transfer is stuck", language="en"))
    conversation_id = delivered.conversation.id
    async with services.read() as session:
        assert (await session.get(Conversation, conversation_id)).assignee_id == sam.id

    await assign_conversation(services, sam, conversation_id, agent_id=mei.id)
    texts = [m.text for m in await _messages(services, conversation_id)]
    assert texts[-1] == text("transferred_waiting", "en")
    assert not any("Mei joined" in t for t in texts)
    async with services.read() as session:
        conversation = await session.get(Conversation, conversation_id)
    assert conversation.assignee_id == mei.id and conversation.assignee_joined_at is None

    await accept_conversation(services, mei, conversation_id)  # she opens it
    await accept_conversation(services, mei, conversation_id)  # and again: said once
    texts = [m.text for m in await _messages(services, conversation_id)]
    assert texts.count("Mei joined the conversation.") == 1
    async with services.read() as session:
        assert (await session.get(Conversation, conversation_id)).assignee_joined_at is not None


async def test_a_reply_from_an_agent_not_yet_announced_announces_her_first(services):
    _, _, sam, mei = await _two_teams(services)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v2", text="hello", language="en"))
    await assign_conversation(services, sam, delivered.conversation.id, agent_id=mei.id)
    await send_message(services, mei, delivered.conversation.id, "Hi, Mei here")
    tail = [m.text for m in await _messages(services, delivered.conversation.id)][-2:]
    assert tail == ["Mei joined the conversation.", "Hi, Mei here"]


async def test_a_transfer_to_an_online_agent_says_she_joined_at_once(services):
    _, _, sam, _ = await _two_teams(services)
    async with services.transaction() as session:
        team = await create_team(session, None, name="Night", languages=["en"])
    nina = await make_agent_in(services, "Nina", teams=[team], online=True)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v3", text="hello", language="en"))
    await assign_conversation(services, sam, delivered.conversation.id, agent_id=nina.id)
    assert (await _messages(services, delivered.conversation.id))[-1].text == \
        "Nina joined the conversation."


async def test_transfer_targets_show_presence_load_and_closed_teams_but_never_yourself(
        services, sign_in):
    chinese, global_team, sam, mei = await _two_teams(services)
    async with services.transaction() as session:
        vip = await create_team(session, None, name="VIP", languages=["en"],
                                weekly_hours=MONDAY_MINUTE, timezone="Asia/Singapore")
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v4", text="hello", language="en"))
    signed = await sign_in(sam.email)
    answer = await signed.http.get(
        f"/api/v1/conversations/{delivered.conversation.id}/transfer-targets")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [a["name"] for a in body["agents"]] == ["Mei"]  # not Sam himself
    assert body["agents"][0] | {"team_ids": None} == {
        "id": mei.id, "name": "Mei", "presence": "offline", "connected": False, "load": 0,
        "capacity": 5, "speaks_language": True, "team_ids": None}
    teams = {t["name"]: t for t in body["teams"]}
    assert teams["Global"]["open_now"] and teams["Global"]["agents_online"] == 1
    assert not teams["VIP"]["open_now"]
    assert teams["VIP"]["opens_label"].startswith("Mon ")
    assert teams["VIP"]["opens_label"].endswith("09:00 +08")  # in the team's own clock
    # in the reader's language: a browser asking for Chinese, no language chosen
    chinese_page = await signed.http.get(
        f"/api/v1/conversations/{delivered.conversation.id}/transfer-targets",
        headers={"accept-language": "zh-CN,zh;q=0.9"})
    label = {t["name"]: t for t in chinese_page.json()["teams"]}["VIP"]["opens_label"]
    assert label.startswith("周一 ") and label.endswith("09:00 +08")
    assert vip.id in {t["id"] for t in body["teams"]} and chinese.id == teams["Chinese"]["id"]
    assert global_team.id == teams["Global"]["id"]
    # an agent who may not see the conversation learns nothing about it
    async with services.transaction() as session:
        other = await create_team(session, None, name="Other", languages=["es"])
    outsider = await make_agent_in(services, "Olga", teams=[other])
    olga = await sign_in(outsider.email)
    await assign_conversation(services, sam, delivered.conversation.id, team_id=chinese.id)
    hidden = await olga.http.get(
        f"/api/v1/conversations/{delivered.conversation.id}/transfer-targets")
    assert hidden.status_code == 404
    anonymous = await httpx.AsyncClient(transport=signed.http._transport,
                                        base_url="http://desk.test").get(
        f"/api/v1/conversations/{delivered.conversation.id}/transfer-targets")
    assert anonymous.status_code == 401


async def test_accept_needs_a_session_with_csrf_and_a_visible_conversation(services, sign_in):
    chinese, _, sam, mei = await _two_teams(services)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v5", text="hello", language="en"))
    await assign_conversation(services, sam, delivered.conversation.id, agent_id=mei.id)
    signed = await sign_in(mei.email)
    path = f"/api/v1/conversations/{delivered.conversation.id}/accept"
    assert (await signed.http.post(path)).status_code == 403  # no CSRF header
    accepted = await signed.http.post(path, headers={"x-csrf-token": signed.csrf})
    assert accepted.status_code == 200 and accepted.json()["assignee_joined"] is True
    sam_client = await sign_in(sam.email)
    assert (await sam_client.http.post(path, headers={"x-csrf-token": sam_client.csrf})
            ).status_code == 404  # it left his reach with the transfer
    assert chinese.id


async def _transferred_to_a_closed_team(services, agent, text: str, language: str,
                                       team_languages: list[str]):  # type: ignore[no-untyped-def]
    """A customer's conversation handed to a team closed until Monday: (its queue state, the
    last message the customer read)."""
    async with services.transaction() as session:
        vip = await create_team(session, None, name="VIP", languages=team_languages,
                                weekly_hours=MONDAY_MINUTE, timezone="Asia/Singapore")
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=f"v-{language}", text=text, language=language))
    await assign_conversation(services, agent, delivered.conversation.id, team_id=vip.id)
    async with services.read() as session:
        conversation = await session.get(Conversation, delivered.conversation.id)
        queue = await queue_state(session, services.settings, conversation)
    return queue, (await _messages(services, delivered.conversation.id))[-1].text


async def test_a_transfer_to_a_closed_team_and_the_banner_name_the_same_return_time(services):
    _, _, sam, _ = await _two_teams(services)
    queue, notice = await _transferred_to_a_closed_team(services, sam, "hello", "en", ["en"])
    assert queue is not None and queue["after_hours"]
    assert queue["opens_label"] and f"We're back {queue['opens_label']}." in notice


async def test_the_return_time_is_written_in_the_customers_language(services):
    # the weekday was English ("Mon") in a Chinese customer's notice and banner
    _, _, _, mei = await _two_teams(services)
    queue, notice = await _transferred_to_a_closed_team(services, mei, "你好", "zh-Hans", [])
    assert queue is not None and queue["opens_label"].startswith("周一 ")
    assert queue["opens_label"] in notice and "Mon" not in notice


# --- ratings -----------------------------------------------------------------------------

async def _rated(services, verified_user_id: str | None):  # type: ignore[no-untyped-def]
    _, _, sam, _ = await _two_teams(services)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=f"r-{verified_user_id}", text="hi", language="en",
        verified_user_id=verified_user_id))
    await resolve_conversation(services, sam, delivered.conversation.id)
    async with services.read() as session:
        survey = await session.scalar(select(Survey))
    await submit_rating(services, customer_id=delivered.conversation.customer_id,
                        survey_id=survey.id, rating=5)
    # the last message the customer sees (agents also get an internal note with the rating)
    shown = [m for m in await _messages(services, delivered.conversation.id) if not m.is_internal]
    return survey, shown[-1]


async def test_an_anonymous_visitor_is_not_told_points_went_to_an_account(services):
    survey, thanks = await _rated(services, None)
    assert thanks.text == "Thank you for your rating!"
    assert thanks.meta == {"kind": "csat_answer", "survey_id": survey.id, "rating": 5}


async def test_a_signed_in_user_hears_about_the_points(services):
    _, thanks = await _rated(services, "user-42")
    assert f"{services.settings.csat_points} points have been added" in thanks.text


# --- presentation: names, audit log, inbox views ---------------------------------------------

async def test_the_audit_log_names_people_and_shows_details_readably(services, sign_in):
    _, _, sam, mei = await _two_teams(services)
    lead = await make_agent_in(services, "Li Na", role=Role.supervisor)
    async with services.transaction() as session:
        record_audit(session, actor_agent_id=sam.id, action="conversation.assign",
                     target_type="conversation", target_id=7,
                     detail={"agent_id": mei.id, "team_id": None, "from_agent_id": sam.id})
    signed = await sign_in(lead.email)
    page = await signed.http.get("/admin/audit")
    assert page.status_code == 200
    row = page.text[page.text.index('data-action="conversation.assign"') - 400:]
    assert '<td class="actor">Sam</td>' in row
    assert ">conversation assigned</td>" in row
    assert "<dt>Agent</dt><dd>Mei</dd>" in row and "<dt>From agent</dt><dd>Sam</dd>" in row
    assert '{&#34;agent_id&#34;' not in page.text and '{"agent_id"' not in page.text
    assert "Li Na <small>(supervisor)</small>" in page.text


async def test_the_all_view_lists_open_conversations_only(services, sign_in):
    _, _, sam, _ = await _two_teams(services)
    lead = await make_agent_in(services, "Lead", role=Role.supervisor)
    open_one = await receive_message(services, InboundMessage(
        channel="web", external_id="o1", text="open", language="en"))
    done = await receive_message(services, InboundMessage(
        channel="web", external_id="o2", text="done", language="en"))
    await resolve_conversation(services, sam, done.conversation.id)
    signed = await sign_in(lead.email)
    rows = (await signed.http.get("/api/v1/conversations?view=all")).json()
    assert [r["id"] for r in rows] == [open_one.conversation.id]
    resolved = (await signed.http.get("/api/v1/conversations?view=resolved")).json()
    assert [r["id"] for r in resolved] == [done.conversation.id]


async def test_demo_logins_do_not_repeat_the_role_in_the_name():
    from walletdesk.demo import DEMO_LOGINS

    for login in DEMO_LOGINS:
        assert f"({login.role.value})" not in login.name, login.name


# --- the demo's port, the call list's hint ---------------------------------------------------

def test_the_demo_listens_where_walletdesk_port_says(monkeypatch):
    from walletdesk import cli
    from walletdesk.config import get_settings

    monkeypatch.setenv("WALLETDESK_PORT", "8765")
    monkeypatch.setenv("WALLETDESK_HOST", "127.0.0.2")
    get_settings.cache_clear()
    try:
        settings = cli.demo_settings()
        assert (settings.host, settings.port) == ("127.0.0.2", 8765)
        assert settings.public_url == "http://127.0.0.2:8765"
        assert cli.demo_settings(port=9001).port == 9001  # the option still wins
    finally:
        get_settings.cache_clear()


async def test_the_call_list_says_when_a_follow_up_held_by_quiet_hours_appears(
        services, sign_in):
    from decimal import Decimal

    from walletdesk.followups.actions import record_transaction, save_programme
    from walletdesk.followups.models import FollowUp

    boss = await make_agent_in(services, "Boss", role=Role.admin)
    await save_programme(services, boss, name="Large withdrawals", trigger="transaction",
                         rule={"type": "withdrawal", "min_amount": "10000", "asset": "USDT"},
                         channel="sms", delay_s=0, window_s=3 * 86400)
    await record_transaction(services, user_id="u-7", transaction_id="tx-7", kind="withdrawal",
                             amount=Decimal("25000"), asset="USDT", phone="+6591234567",
                             name="Chen", language="zh-Hans")
    async with services.transaction() as session:  # as if it was recorded in quiet hours
        followup = await session.scalar(select(FollowUp))
        followup.notify_at = utcnow() + timedelta(hours=9)
    signed = await sign_in(boss.email)
    page = await signed.http.get("/app/followups")
    assert 'id="waiting-followups"' in page.text
    assert "1 follow-up not on this list yet" in page.text and "quiet hours (21:00–09:00" in page.text


async def test_help_centre_category_headings_follow_the_readers_language(services, client):
    import json

    from walletdesk.kb.actions import import_articles

    article = {"id": "seed-safety", "category": "security",
               "title": {"en": "Never share your recovery phrase", "zh-Hans": "不要透露助记词",
                         "zh-Hant": "不要透露助記詞"},
               "answer": {"en": "Nobody from support asks for it.", "zh-Hans": "客服不会索要。",
                          "zh-Hant": "客服不會索取。"}}
    await import_articles(services, [json.dumps(article, ensure_ascii=False)])
    for lang, heading in (("zh-Hans", "安全"), ("zh-Hant", "安全"), ("en", "Security")):
        page = await client.get(f"/help?lang={lang}")
        assert f"<h2>{heading}</h2>" in page.text, lang
    assert "<h2>security</h2>" not in (await client.get("/help?lang=zh-Hans")).text
