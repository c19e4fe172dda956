"""The admin page's "A customer's preferences" form: the customer's number is one of its fields
(the page's policy runs no inline script that would put it in the address), so it works in
any browser, with or without scripts; the page says what was saved, or why not."""

import pytest
from sqlalchemy import select

from tests.outreach.helpers import widget_customer
from walletdesk.accounts.models import Role
from walletdesk.outreach.models import OutreachContact


@pytest.fixture
async def lead(make_agent, sign_in):  # type: ignore[no-untyped-def]
    return await sign_in((await make_agent("Lead", role=Role.supervisor)).email)


async def test_the_form_saves_the_customers_preferences(services, lead) -> None:  # type: ignore[no-untyped-def]
    alice = await widget_customer(services, "v-alice", language="en")
    page = (await lead.http.get("/admin/outreach")).text
    assert 'action="/admin/outreach/customers"' in page and "onsubmit" not in page

    saved = await lead.http.post("/admin/outreach/customers", data={
        "csrf_token": lead.csrf, "customer_id": str(alice), "opted_out": "on",
        "timezone": " Asia/Shanghai "})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/admin/outreach?saved={alice}#preferences"
    async with services.read() as session:
        contact = await session.scalar(select(OutreachContact).where(
            OutreachContact.customer_id == alice))
    assert contact is not None and contact.opted_out_at is not None
    assert contact.timezone == "Asia/Shanghai" and contact.opted_out_via == "staff"
    shown = (await lead.http.get(saved.headers["location"])).text
    assert f"Saved the preferences of customer #{alice}." in shown

    # unticked: opted back in; an empty time zone keeps the one saved
    await lead.http.post("/admin/outreach/customers", data={
        "csrf_token": lead.csrf, "customer_id": str(alice), "timezone": ""})
    async with services.read() as session:
        contact = await session.scalar(select(OutreachContact).where(
            OutreachContact.customer_id == alice))
    assert contact is not None and contact.opted_out_at is None
    assert contact.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(("number", "said"), [
    ("999999", "customer not found"), ("0", "customer not found"),
    ("99999999999999999999", "customer not found"), ("abc", "check the form: ")])
async def test_a_wrong_number_is_refused_on_the_page(services, lead, number, said) -> None:  # type: ignore[no-untyped-def]
    refused = await lead.http.post("/admin/outreach/customers", data={
        "csrf_token": lead.csrf, "customer_id": number, "opted_out": "on"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and said in refused.text
    async with services.read() as session:
        assert (await session.scalars(select(OutreachContact))).all() == []


async def test_a_wrong_time_zone_is_refused_on_the_page(services, lead) -> None:  # type: ignore[no-untyped-def]
    alice = await widget_customer(services, "v-alice", language="en")
    refused = await lead.http.post("/admin/outreach/customers", data={
        "csrf_token": lead.csrf, "customer_id": str(alice), "timezone": "Mars/Olympus"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text


async def test_agents_cannot_use_it(services, make_agent, sign_in) -> None:  # type: ignore[no-untyped-def]
    alice = await widget_customer(services, "v-alice", language="en")
    agent = await sign_in((await make_agent("Agent", role=Role.agent)).email)
    refused = await agent.http.post("/admin/outreach/customers", data={
        "csrf_token": agent.csrf, "customer_id": str(alice), "opted_out": "on"})
    assert refused.status_code == 403
