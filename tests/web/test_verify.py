"""/verify: official, look-alike and unknown channels; scam reports become cases."""

import re

from sqlalchemy import select

from walletdesk.accounts.models import Role
from walletdesk.conversations.models import Conversation, Message


async def register(signed, kind, value):  # type: ignore[no-untyped-def]
    return await signed.http.post("/api/v1/official-channels",
                                  json={"kind": kind, "value": value, "label": kind},
                                  headers={"x-csrf-token": signed.csrf})


async def test_check_and_report(services, client, make_team, make_agent, sign_in):
    await make_team()
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    assert (await register(signed, "telegram", "@DemoWalletSupport")).status_code == 201
    assert (await register(signed, "domain", "https://demowallet.com")).status_code == 201
    assert (await register(signed, "domain", "demowallet.com")).status_code == 409
    assert (await register(signed, "fax", "123")).status_code == 422

    ours = (await client.get("/verify/check", params={"value": "t.me/DemoWalletSupport"})).json()
    assert ours["status"] == "official"
    fake = (await client.get("/verify/check", params={"value": "@DemoWallet_Support_Team"})).json()
    assert fake["status"] == "lookalike" and fake["official"]["value"] == "@DemoWalletSupport"

    page = await client.get("/verify", params={"value": "dеmowallet.com", "lang": "zh-Hans"})
    assert page.status_code == 200 and "非官方" in page.text and "举报诈骗" in page.text
    xss = await client.get("/verify", params={"value": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in xss.text

    report = await client.post("/verify/report", data={
        "value": "@DemoWallet_Support_Team", "details": "asked me for my 12 words", "lang": "en"})
    assert report.status_code == 200 and "case #" in report.text
    case_id = int(re.search(r"case #(\d+)", report.text).group(1))
    async with services.read() as session:
        case = await session.get(Conversation, case_id)
        texts = (await session.scalars(select(Message.text).where(
            Message.conversation_id == case_id))).all()
    assert case.category == "scam" and case.status == "queued"
    assert "looks like the official telegram @DemoWalletSupport" in texts[0]

    evil = await client.post("/verify/report", data={"value": "x"},
                             headers={"origin": "https://evil.example"})
    assert evil.status_code == 403


async def test_checks_are_rate_limited(app, client):
    app.state.check_limiter.limit = 2
    codes = [(await client.get("/verify/check", params={"value": "a.com"})).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


async def test_admin_page_adds_and_removes(services, make_agent, sign_in):
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    page = await signed.http.get("/admin/channels")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    added = await signed.http.post("/admin/channels", data={
        "csrf_token": csrf, "kind": "email", "value": "support@demowallet.com"})
    assert added.status_code == 303
    listed = (await signed.http.get("/api/v1/official-channels")).json()
    assert [c["value"] for c in listed] == ["support@demowallet.com"]
    bad = await signed.http.post("/admin/channels", data={
        "csrf_token": csrf, "kind": "phone", "value": "12"})
    assert bad.status_code == 422 and "not a usable phone" in bad.text
    removed = await signed.http.post(f"/admin/channels/{listed[0]['id']}/delete",
                                     data={"csrf_token": csrf})
    assert removed.status_code == 303
    assert (await signed.http.get("/api/v1/official-channels")).json() == []
