"""Follow-up pages: the customer's link, the agents' call list, the programmes page, the API."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from walletdesk.accounts.models import Role
from walletdesk.followups.models import FollowUp, FollowUpStatus
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.tokens import followup_token


@pytest.fixture(autouse=True)
def awake_now(services):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    services.settings = services.settings.model_copy(update={
        "followup_quiet_start": (now + timedelta(hours=6)).strftime("%H:00"),
        "followup_quiet_end": (now + timedelta(hours=8)).strftime("%H:00")})


async def _setup(services, make_agent, sign_in):  # type: ignore[no-untyped-def]
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    headers = {"x-csrf-token": signed.csrf}
    made = await signed.http.post("/api/v1/followup-programmes", headers=headers, json={
        "name": "Big withdrawals", "trigger": "transaction", "delay_s": 0, "channel": "sms",
        "rule": {"type": "withdrawal", "min_amount": "10000", "asset": "USDT"}})
    assert made.status_code == 201, made.text
    event = await signed.http.post("/api/v1/events/transactions", headers=headers, json={
        "user_id": "u-77", "transaction_id": "tx-77", "type": "withdrawal", "amount": "12000.5",
        "asset": "USDT", "email": "li@example.com", "language": "zh-Hans",
        "phone": "+65 8123 4567", "name": "Li <script>alert(1)</script>"})
    assert event.status_code == 201, event.text
    [followup_id] = event.json()["followups"]
    for job_id, token in await claim_due(services, 10, 60):  # the invitation (console SMS)
        await run_job(services, job_id, token, "test")
    return signed, followup_id


async def test_the_customer_books_through_the_link(client, services, make_agent, sign_in):
    _, followup_id = await _setup(services, make_agent, sign_in)
    token = followup_token(services.settings, followup_id)
    page = await client.get(f"/followup/{token}")
    assert page.status_code == 200 and "请选择方便接听回访电话的时间" in page.text
    slot = re.search(r'name="slot" value="([^"]+)"', page.text)
    assert slot is not None
    booked = await client.post(f"/followup/{token}", data={"action": "book", "slot": slot.group(1)})
    assert booked.status_code == 303
    assert "已预约" in (await client.get(f"/followup/{token}")).text
    again = await client.post(f"/followup/{token}", data={"action": "book", "slot": slot.group(1)})
    assert again.status_code == 409
    bad = await client.post(f"/followup/{token}", data={"action": "book", "slot": "tomorrow"})
    assert bad.status_code == 422
    assert (await client.get(f"/followup/{token[:-2]}00")).status_code == 404
    weird = await client.post(f"/followup/{token}", data={"action": "hack"})
    assert weird.status_code == 422


async def test_opting_out_through_the_link(client, services, make_agent, sign_in):
    _, followup_id = await _setup(services, make_agent, sign_in)
    token = followup_token(services.settings, followup_id)
    assert (await client.post(f"/followup/{token}", data={"action": "opt_out"})).status_code == 303
    assert "以后不会再为您安排回访" in (await client.get(f"/followup/{token}")).text
    async with services.read() as session:
        assert (await session.get(FollowUp, followup_id)).status == FollowUpStatus.opted_out  # type: ignore[union-attr]


async def test_agents_work_the_call_list(services, make_agent, sign_in):
    signed, followup_id = await _setup(services, make_agent, sign_in)
    page = await signed.http.get("/app/followups")
    assert page.status_code == 200
    assert "Li &lt;script&gt;" in page.text and "+6581234567" in page.text
    saved = await signed.http.post(f"/app/followups/{followup_id}/call", data={
        "csrf_token": signed.csrf, "outcome": "reached", "satisfaction": "5", "notes": "fine"})
    assert saved.status_code == 303
    async with services.read() as session:
        done = await session.scalar(select(FollowUp))
    assert done is not None and (done.status, done.satisfaction) == (FollowUpStatus.completed, 5)
    assert "No calls for this day" in (await signed.http.get("/app/followups")).text
    refused = await signed.http.post(f"/api/v1/followups/{followup_id}/call",
                                     headers={"x-csrf-token": signed.csrf},
                                     json={"outcome": "reached"})
    assert refused.status_code == 409  # already completed


async def test_bad_events_and_programmes_are_refused_clearly(services, make_agent, sign_in):
    signed, _ = await _setup(services, make_agent, sign_in)
    headers = {"x-csrf-token": signed.csrf}
    for body in ({"user_id": "u", "transaction_id": "t", "type": "withdrawal", "amount": "-1",
                  "asset": "USDT"},
                 {"user_id": "u", "transaction_id": "t", "type": "withdrawal", "amount": "1",
                  "asset": "US DT"}):
        assert (await signed.http.post("/api/v1/events/transactions", headers=headers,
                                       json=body)).status_code == 422
    bad_phone = await signed.http.post("/api/v1/events/transactions", headers=headers, json={
        "user_id": "u", "transaction_id": "t9", "type": "withdrawal", "amount": "1",
        "asset": "USDT", "phone": "call me"})
    assert bad_phone.status_code == 422 and "international format" in bad_phone.text
    page = await signed.http.post("/admin/followups", data={
        "csrf_token": signed.csrf, "name": "Cohort", "trigger": "cohort", "rule": "{not json"})
    assert page.status_code == 422 and "check the form" in page.text


async def test_the_call_list_opens_on_today_where_the_calls_are_made(services, make_agent,
                                                                     sign_in):
    """The list's day is today in the follow-up time zone (not UTC's), and saving a call
    goes back to the day the agent was working on."""
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC)
    # +14 h or −11 h: at any moment one of them is on another date than UTC
    zone = next(name for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
                if now.astimezone(ZoneInfo(name)).date() != now.date())
    services.settings = services.settings.model_copy(update={"followup_timezone": zone})
    signed, followup_id = await _setup(services, make_agent, sign_in)
    local_day = datetime.now(ZoneInfo(zone)).date().isoformat()
    page = await signed.http.get("/app/followups")
    assert page.status_code == 200 and f"Follow-up calls · {local_day}" in page.text
    assert f'name="day" value="{local_day}"' in page.text  # kept by each call's form
    saved = await signed.http.post(f"/app/followups/{followup_id}/call", data={
        "csrf_token": signed.csrf, "outcome": "no_answer", "day": "2026-01-05"})
    assert saved.status_code == 303 and saved.headers["location"] == "/app/followups?day=2026-01-05"
    odd = await signed.http.post(f"/app/followups/{followup_id}/call", data={
        "csrf_token": signed.csrf, "outcome": "no_answer", "day": "<b>soon</b>"})
    assert odd.status_code == 303 and odd.headers["location"] == "/app/followups"
