"""The operator's privacy notice in the widget: set per language by an admin, shown until
the customer acknowledges it (recorded), shown again after a change."""

import re

import httpx
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.live.helpers import customer
from walletdesk.accounts.models import Role
from walletdesk.audit.models import AuditEvent
from walletdesk.customers.models import Customer


async def _admin(base_url: str, email: str) -> tuple[httpx.AsyncClient, str]:
    http = httpx.AsyncClient(base_url=base_url)
    assert (await http.post("/login", data={"email": email,
                                            "password": PASSWORD})).status_code == 303
    page = await http.get("/admin/privacy-notice")
    assert page.status_code == 200
    return http, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _form(csrf: str, **values: str) -> dict[str, str]:
    form = {"csrf_token": csrf}
    for locale in ("en", "zh-Hans", "zh-Hant", "es"):
        form[f"text_{locale}"] = values.get(f"text_{locale}", "")
        form[f"url_{locale}"] = values.get(f"url_{locale}", "")
    return form


async def test_notice_is_shown_until_acknowledged_and_again_after_a_change(
        services, live_server, make_team, make_agent):
    await make_team()
    boss = await make_agent("Boss", role=Role.admin)
    http, csrf = await _admin(live_server.url, boss.email)
    try:
        saved = await http.post("/admin/privacy-notice", data=_form(
            csrf, text_en="We keep your chats for 2 years.",
            url_en="https://wallet.example/privacy", **{"text_zh-Hans": "我们保存聊天记录两年。",
                                                         "url_zh-Hans": "/privacy"}))
        assert saved.status_code == 303
        bad = await http.post("/admin/privacy-notice", data=_form(
            csrf, text_en="x", url_en="javascript:alert(1)"))
        assert bad.status_code == 422 and "link must be" in bad.text

        visitor, welcome = await customer(live_server.ws_url, language="zh-Hans")
        assert welcome["privacy_notice"]["text"] == "我们保存聊天记录两年。"
        await visitor.close()
        visitor, welcome = await customer(live_server.ws_url, language="en")
        notice = welcome["privacy_notice"]
        assert notice["text"] == "We keep your chats for 2 years."
        assert notice["url"] == "https://wallet.example/privacy"
        await visitor.send({"type": "privacy_ack"})  # before the first message
        await visitor.expect_type("privacy_acknowledged")
        assert (await visitor.say("hello"))["type"] == "ack"
        token = welcome["visitor_token"]
        await visitor.close()
        async with services.read() as session:
            acked = await session.scalar(select(Customer.privacy_notice_ack_at))
            audit = (await session.scalars(select(AuditEvent.action))).all()
        assert acked is not None and "privacy_notice.acknowledged" in audit

        visitor, welcome = await customer(live_server.ws_url, token=token, language="en")
        assert welcome["privacy_notice"] is None  # acknowledged: not shown again
        await visitor.close()
        changed = await http.post("/admin/privacy-notice", data=_form(
            csrf, text_en="We now keep your chats for 1 year.",
            url_en="https://wallet.example/privacy"))
        assert changed.status_code == 303
        visitor, welcome = await customer(live_server.ws_url, token=token, language="en")
        assert welcome["privacy_notice"]["text"] == "We now keep your chats for 1 year."
        await visitor.close()
    finally:
        await http.aclose()


async def test_only_admins_set_the_notice(services, live_server, make_agent):
    lead = await make_agent("Lead", role=Role.supervisor)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        await http.post("/login", data={"email": lead.email, "password": PASSWORD})
        assert (await http.get("/admin/privacy-notice")).status_code == 403
        assert (await http.post("/admin/privacy-notice", data={})).status_code == 403
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        page = await http.get("/admin/privacy-notice")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
