"""The bot's admin page: settings (admins only) and the content gaps."""

import re

from walletdesk.accounts.models import Role
from walletdesk.bot.models import BotConfig, BotTurn
from walletdesk.conversations.actions import InboundMessage, receive_message


async def test_settings_are_saved_and_validated(services, make_agent, sign_in, bus):
    boss = await make_agent("Boss", role=Role.admin)
    signed = await sign_in(boss.email)
    page = await signed.http.get("/admin/bot")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = await signed.http.post("/admin/bot", data={
        "csrf_token": csrf, "enabled": "on", "sensitive_categories": "incident, kyc",
        "sensitive_phrases": "stolen\n被盗", "max_failed_answers": "3"})
    assert saved.status_code == 303
    async with services.read() as session:
        config = await session.get(BotConfig, 1)
    assert config.sensitive_categories == ["incident", "kyc"]
    assert config.sensitive_phrases == ["stolen", "被盗"] and config.max_failed_answers == 3
    assert bus.of_type("bot.config_changed")
    bad = await signed.http.post("/admin/bot", data={"csrf_token": csrf,
                                                    "max_failed_answers": "99"})
    assert bad.status_code == 422 and "between 1 and 10" in bad.text


async def test_content_gaps_group_similar_unanswered_questions(services, make_team, make_agent,
                                                              sign_in):
    await make_team()
    lead = await make_agent("Lead", role=Role.supervisor)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="gap", text="hi"))
    async with services.transaction() as session:
        for query in ("how do I stake ATOM", "how to stake atom?", "staking ATOM how",
                      "<b>where is my NFT</b>"):
            session.add(BotTurn(conversation_id=delivered.conversation.id, query=query,
                                language="en", outcome="handed_off", reason="low_confidence"))
        session.add(BotTurn(conversation_id=delivered.conversation.id, query="answered fine",
                            language="en", outcome="answered"))
    signed = await sign_in(lead.email)
    page = await signed.http.get("/admin/bot")
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", page.text)
    assert rows[0][0] == "3" and "atom" in rows[0][1].lower()
    assert "&lt;b&gt;where is my NFT&lt;/b&gt;" in page.text  # escaped
    assert "answered fine" not in page.text


async def test_custody_and_account_articles_are_saved_and_audited(services, make_agent, sign_in):
    from sqlalchemy import select

    from walletdesk.audit.models import AuditEvent
    from walletdesk.kb.actions import TranslationIn, save_article
    from walletdesk.kb.models import Article

    boss = await make_agent("Boss", role=Role.admin)
    async with services.transaction() as session:
        for slug in ("withdrawal-review", "transfer-pending"):
            await save_article(session, None, slug=slug, category="transfers",
                               translations={"en": TranslationIn(f"<i>{slug}</i>")})
    signed = await sign_in(boss.email)
    page = await signed.http.get("/admin/bot")
    assert "Self-custody" in page.text and "&lt;i&gt;withdrawal-review&lt;/i&gt;" in page.text
    assert "Outgoing mail is not configured" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = await signed.http.post("/admin/bot", data={
        "csrf_token": csrf, "enabled": "on", "max_failed_answers": "2", "custody": "custodial",
        "account_articles_listed": "1", "needs_account": ["withdrawal-review"]})
    assert saved.status_code == 303
    async with services.read() as session:
        config = await session.get(BotConfig, 1)
        flags = dict((await session.execute(select(Article.slug, Article.needs_account))).all())
        audit = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "bot.config"))).all()
    assert config.custody == "custodial"
    assert flags == {"withdrawal-review": True, "transfer-pending": False}
    assert audit[-1].detail["custody"] == "custodial"
    assert audit[-1].detail["account_articles"]["flagged"] == ["withdrawal-review"]
    page = await signed.http.get("/admin/bot")
    assert re.search(r'value="custodial" checked', page.text)
    # a form without the list (an older page) leaves the flags alone; a bad mode is refused
    await signed.http.post("/admin/bot", data={"csrf_token": csrf, "max_failed_answers": "2"})
    bad = await signed.http.post("/admin/bot", data={"csrf_token": csrf, "max_failed_answers": "2",
                                                    "custody": "both"})
    assert bad.status_code == 422 and "custody must be one of" in bad.text
    async with services.read() as session:
        assert await session.scalar(select(Article.needs_account).where(
            Article.slug == "withdrawal-review")) is True


async def test_every_changed_setting_is_in_the_audit_log_before_and_after(services, make_agent,
                                                                         sign_in):
    from sqlalchemy import select

    from walletdesk.audit.models import AuditEvent

    boss = await make_agent("Boss", role=Role.admin)
    signed = await sign_in(boss.email)
    page = await signed.http.get("/admin/bot")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": csrf, "enabled": "on", "sensitive_categories": "incident",
            "sensitive_phrases": "stolen", "max_failed_answers": "2"}
    assert (await signed.http.post("/admin/bot", data=form)).status_code == 303
    form |= {"sensitive_phrases": "stolen\n退款, <b>reembolso</b>", "max_failed_answers": "3"}
    assert (await signed.http.post("/admin/bot", data=form)).status_code == 303
    async with services.read() as session:
        audit = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "bot.config").order_by(AuditEvent.id))).all()
    detail = audit[-1].detail
    assert detail["phrases"] == ["<b>reembolso</b>", "stolen", "退款"]
    assert detail["max_failed_answers"] == 3 and detail["enabled"] is True
    assert detail["changed"] == {
        "phrases": [["stolen"], ["<b>reembolso</b>", "stolen", "退款"]],
        "max_failed_answers": [2, 3]}  # what did not change is not listed as changed
    shown = await signed.http.get("/admin/audit")
    assert "Phrases that always go to a person" in shown.text
    assert "&lt;b&gt;reembolso&lt;/b&gt;" in shown.text and "<b>reembolso" not in shown.text
    assert "Unhelpful answers in a row before a hand-off" in shown.text
    assert "2 → 3" in shown.text
