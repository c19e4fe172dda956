"""Outreach over HTTP and the real channels: the API and admin pages (who may use them), an
e-mail campaign through a real SMTP relay on loopback with its one-click opt-out, the SMS
provider's STOP webhook, and the periodic satisfaction survey to a sample, reported apart."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from tests.email.conftest import MailDesk, mail_desk  # noqa: F401
from tests.notify.test_sms import AUTH_TOKEN
from tests.outreach.helpers import (
    admin,
    awake_everywhere,
    campaign_to,
    run_jobs,
    sends,
    widget_customer,
)
from walletdesk.accounts.models import Role
from walletdesk.cases.models import Survey
from walletdesk.cases.surveys import submit_rating
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.outreach.actions import save_campaign
from walletdesk.outreach.models import OutreachContact, SendStatus
from walletdesk.outreach.rules import stop_token
from walletdesk.tokens import survey_token
from walletdesk.web.routes.chat_uploads import widget_file_token
from walletdesk.web.routes.outreach import twilio_signature

PHRASE = " ".join(["abandon"] * 11 + ["about"])  # a valid BIP-39 phrase


@pytest.fixture(autouse=True)
def _awake(services) -> None:  # type: ignore[no-untyped-def]
    awake_everywhere(services)


async def test_the_api_manages_segments_and_campaigns_for_managers_only(
        services, make_agent, sign_in):
    boss = await sign_in((await make_agent("Boss", role=Role.supervisor)).email)
    agent = await sign_in((await make_agent("Agent", role=Role.agent)).email)
    outsourced = await sign_in((await make_agent("Helper", role=Role.outsourced)).email)
    alice = await widget_customer(services, "v-alice", reason="withdrawal", language="en",
                                  email="alice@example.com")
    rule = {"reason": "withdrawal", "days": 30}
    for refused in (agent, outsourced):
        response = await refused.http.post("/api/v1/outreach/segments", json={
            "name": "x", "rule": rule}, headers={"x-csrf-token": refused.csrf})
        assert response.status_code == 403
    headers = {"x-csrf-token": boss.csrf}
    created = await boss.http.post("/api/v1/outreach/segments", json={
        "name": "Withdrawals", "rule": rule}, headers=headers)
    assert created.status_code == 201, created.text
    segment_id = created.json()["id"]
    shown = (await boss.http.get(f"/api/v1/outreach/segments/{segment_id}/preview")).json()
    assert shown["count"] == 1 and shown["sample"][0]["email"] == "a***@e***.com"
    bad = await boss.http.post("/api/v1/outreach/segments", json={
        "name": "Bad", "rule": {"days": "many"}}, headers=headers)
    assert bad.status_code == 422
    campaign = await boss.http.post("/api/v1/outreach/campaigns", json={
        "name": "Back to normal", "segment_id": segment_id,
        "texts": {"en": f"Withdrawals are back. {PHRASE} ok"}}, headers=headers)
    assert campaign.status_code == 201, campaign.text
    body = campaign.json()
    assert "abandon" not in body["texts"]["en"] and body["status"] == "draft"
    launched = await boss.http.post(f"/api/v1/outreach/campaigns/{body['id']}/launch",
                                    json={}, headers=headers)
    assert launched.json()["status"] == "scheduled"
    await run_jobs(services)
    figures = (await boss.http.get(f"/api/v1/outreach/campaigns/{body['id']}")).json()["figures"]
    assert (figures["targeted"], figures["sent"], figures["delivered"]) == (1, 1, 1)
    # the customer's preferences: the operator's own agents, not outsourced ones
    url = f"/api/v1/outreach/customers/{alice}/preferences"
    refused = await outsourced.http.put(url, json={"opted_out": True},
                                        headers={"x-csrf-token": outsourced.csrf})
    assert refused.status_code == 403
    changed = await agent.http.put(url, json={"opted_out": True, "timezone": "Asia/Shanghai"},
                                   headers={"x-csrf-token": agent.csrf})
    assert changed.json()["opted_out"] and changed.json()["timezone"] == "Asia/Shanghai"
    wrong = await agent.http.put(url, json={"timezone": "Mars/Olympus"},
                                 headers={"x-csrf-token": agent.csrf})
    assert wrong.status_code == 422
    schema = (await boss.http.get("/openapi.json")).json()
    assert "/api/v1/outreach/campaigns/{campaign_id}/launch" in schema["paths"]


async def test_the_admin_pages_make_a_segment_and_a_campaign(services, make_agent, sign_in):
    boss = await sign_in((await make_agent("Boss", role=Role.admin)).email)
    await widget_customer(services, "v-alice", reason="withdrawal", language="zh-Hans")
    page = await boss.http.get("/admin/outreach")
    assert page.status_code == 200 and "new-campaign" in page.text
    made = await boss.http.post("/admin/outreach/segments", data={
        "csrf_token": boss.csrf, "name": "Chinese <b>users</b>", "languages": "zh-CN",
        "days": "30", "verified": ""})
    assert made.status_code == 303
    segment_page = await boss.http.get(made.headers["location"])
    assert "1 customer in this segment now." in segment_page.text
    assert "<b>users</b>" not in segment_page.text  # escaped
    segment_id = made.headers["location"].rsplit("/", 1)[1]
    campaign = await boss.http.post("/admin/outreach/campaigns", data={
        "csrf_token": boss.csrf, "name": "Notice", "kind": "message", "channel": "in_app",
        "segment_id": segment_id, "text_zh-Hans": "提现已恢复。", "active_days": "30"})
    assert campaign.status_code == 303, campaign.text
    sent = await boss.http.post(campaign.headers["location"] + "/launch", data={
        "csrf_token": boss.csrf, "at": ""})
    assert sent.status_code == 303
    await run_jobs(services)
    shown = await boss.http.get(campaign.headers["location"])
    assert 'data-figure="sent">1<' in shown.text
    refused = await boss.http.post("/admin/outreach/campaigns", data={
        "csrf_token": boss.csrf, "name": "No text", "segment_id": segment_id})
    assert refused.status_code == 422 and "at least one language" in refused.text


async def test_an_email_campaign_goes_through_the_relay_with_a_one_click_opt_out(
        mail_desk: MailDesk, make_agent, client):  # noqa: F811
    services = mail_desk.services
    awake_everywhere(services)
    boss = await admin(services, make_agent)
    alice = await widget_customer(services, "v-alice", reason="withdrawal", language="en",
                                  email="alice@example.com")
    campaign = await campaign_to(services, boss, {"reason": "withdrawal"}, channel="email",
                                 subjects={"en": "Withdrawals are back"})
    await run_jobs(services)
    [mail] = mail_desk.relay.received
    link = f"{services.settings.public_url}/outreach/stop/{stop_token(services.settings, alice)}"
    assert mail["To"] == "alice@example.com" and mail["Subject"] == "Withdrawals are back"
    assert mail["List-Unsubscribe"].strip() == f"<{link}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail.get_content() and "back to normal" in mail.get_content()
    [send] = await sends(services, campaign.id)
    assert send.status == SendStatus.sent
    # a worker that died after the relay took it delivers again: the same Message-ID
    async with services.transaction() as session:
        await session.execute(update(type(send)).values(status=SendStatus.sending))
        await session.execute(update(Job).where(Job.kind == "outreach.send").values(
            status=JobStatus.pending))
    await run_jobs(services)
    assert [m["Message-ID"] for m in mail_desk.relay.received] == [mail["Message-ID"]] * 2
    assert len(await sends(services)) == 1
    # the mail client's one-click POST (RFC 8058)
    page = await client.get(link.removeprefix(services.settings.public_url))
    assert page.status_code == 200
    async with services.read() as session:  # opening the link opts nobody out
        assert await session.get(OutreachContact, alice) is None
    clicked = await client.post(link.removeprefix(services.settings.public_url),
                                data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200
    await campaign_to(services, boss, {"reason": "withdrawal"}, channel="email",
                      name="Second notice")
    await run_jobs(services)
    assert len(mail_desk.relay.received) == 2  # nothing more
    assert (await sends(services))[-1].status == SendStatus.skipped_opt_out
    assert (await client.get("/outreach/stop/o1-000000000000000000000000")).status_code == 404


async def test_a_stop_reply_through_the_sms_webhook_opts_out(services, client):
    services.settings = services.settings.model_copy(update={
        "sms_provider": "twilio", "twilio_auth_token": AUTH_TOKEN,
        "twilio_account_sid": "AC" + "0" * 32, "twilio_from_number": "+15005550006"})
    bob = await widget_customer(services, "v-bob", phone="+85291234567")
    form = {"From": "+85291234567", "Body": "STOP", "MessageSid": "SM123"}
    url = f"{services.settings.public_url}/outreach/sms/twilio"
    forged = await client.post("/outreach/sms/twilio", data=form,
                               headers={"x-twilio-signature": "bm90LXNpZ25lZA=="})
    assert forged.status_code == 403
    signed = await client.post("/outreach/sms/twilio", data=form, headers={
        "x-twilio-signature": twilio_signature(AUTH_TOKEN, url, form)})
    assert signed.status_code == 200 and "<Response>" in signed.text
    async with services.read() as session:
        contact = await session.get(OutreachContact, bob)
    assert contact is not None and contact.opted_out_via == "sms_reply"


async def test_a_periodic_survey_asks_a_sample_and_is_reported_apart(
        services, make_agent, sign_in, client):
    boss_agent = await admin(services, make_agent)
    boss = await sign_in(boss_agent.email)
    active = [await widget_customer(services, f"v-{n}") for n in range(10)]
    idle = [await widget_customer(services, f"v-idle-{n}", days_ago=90) for n in range(2)]
    survey = await save_campaign(services, boss_agent, name="Quarterly CSAT", kind="survey",
                                 sample_percent=30, active_days=30)
    assert survey.repeat_days == 30
    launched = await boss.http.post(f"/api/v1/outreach/campaigns/{survey.id}/launch", json={},
                                    headers={"x-csrf-token": boss.csrf})
    assert launched.status_code == 200
    await run_jobs(services)
    sampled = await sends(services, survey.id)
    assert len(sampled) == 3 and {s.customer_id for s in sampled} <= set(active)
    assert not {s.customer_id for s in sampled} & set(idle)
    first, second = sampled[0], sampled[1]
    # in the widget: the rating card, answered like a conversation's
    async with services.read() as session:
        asked = await session.get(Survey, first.survey_id)
    assert asked is not None and asked.source == "periodic" and asked.conversation_id is None
    await submit_rating(services, customer_id=first.customer_id, survey_id=asked.id, rating=5,
                        comment=f"great, my words {PHRASE}")
    # the same rating page as the e-mailed link
    token = survey_token(services.settings, second.survey_id or 0)
    assert (await client.get(f"/survey/{token}")).status_code == 200
    rated = await client.post(f"/survey/{token}", data={"rating": "2", "comment": "slow"})
    assert rated.status_code == 200
    today = date.today()
    params = {"start": (today - timedelta(days=1)).isoformat(),
              "end": (today + timedelta(days=1)).isoformat()}
    periodic = (await boss.http.get("/api/v1/reports/satisfaction",
                                    params={**params, "source": "periodic"})).json()
    assert (periodic["asked"], periodic["ratings"], periodic["average"]) == (3, 2, 3.5)
    assert all("abandon" not in c["comment"] for c in periodic["comments"])
    assert {c["conversation_id"] for c in periodic["comments"]} == {None}
    per_conversation = (await boss.http.get("/api/v1/reports/satisfaction",
                                            params=params)).json()
    assert per_conversation["asked"] == 0  # periodic ones are not the conversations' CSAT
    figures = (await boss.http.get(f"/api/v1/outreach/campaigns/{survey.id}")).json()["figures"]
    assert figures["answered"] == 2
    async with services.read() as session:
        next_run = await session.scalar(select(Job).where(
            Job.kind == "outreach.run", Job.status == JobStatus.pending))
    assert next_run is not None and next_run.payload["run"] == 2


async def test_the_widget_reports_the_time_zone_and_the_customer_opts_out(services, client):
    token = widget_file_token(services.settings, "v-alice", None)
    headers = {"authorization": f"Bearer {token}"}
    early = await client.put("/api/widget/outreach", json={"timezone": "Asia/Shanghai"},
                             headers=headers)
    assert early.status_code == 404  # no customer before the first message
    alice = await widget_customer(services, "v-alice")
    bad = await client.put("/api/widget/outreach", json={"timezone": "Nowhere/City"},
                           headers=headers)
    assert bad.status_code == 422
    done = await client.put("/api/widget/outreach", json={
        "timezone": "Asia/Shanghai", "opted_out": True}, headers=headers)
    assert done.json() == {"timezone": "Asia/Shanghai", "opted_out": True}
    async with services.read() as session:
        contact = await session.get(OutreachContact, alice)
    assert contact is not None and contact.opted_out_via == "widget"
    other = widget_file_token(services.settings, "v-mallory", None)
    assert (await client.put("/api/widget/outreach", json={"opted_out": False}, headers={
        "authorization": f"Bearer {other}"})).status_code == 404
