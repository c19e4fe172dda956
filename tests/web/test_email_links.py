"""Rating links from emails, and attachments downloaded from the workspace."""

import re

from sqlalchemy import select

from walletdesk.accounts.models import Role
from walletdesk.cases.models import Survey
from walletdesk.conversations.actions import InboundMessage, receive_message, resolve_conversation
from walletdesk.conversations.attachments import AttachmentIn
from walletdesk.customers.models import Customer
from walletdesk.tokens import survey_token


async def _resolved_with_survey(services, make_agent, make_team):  # type: ignore[no-untyped-def]
    team = await make_team("Support")
    agent = await make_agent("Mei", teams=[team])
    delivered = await receive_message(services, InboundMessage(
        channel="widget", external_id="v-1", text="help", language="es"))
    await resolve_conversation(services, agent, delivered.conversation.id)
    async with services.read() as session:
        survey = await session.scalar(select(Survey))
    assert survey is not None
    return survey


async def test_a_rating_link_shows_the_choice_then_rates_once(client, services, make_agent,
                                                             make_team):
    survey = await _resolved_with_survey(services, make_agent, make_team)
    token = survey_token(services.settings, survey.id)
    page = await client.get(f"/survey/{token}?rating=4")
    assert page.status_code == 200 and "¿Qué tal lo hicimos?" in page.text  # its language
    assert re.search(r'value="4"\s+required\s+checked', page.text)
    async with services.read() as session:
        assert (await session.get(Survey, survey.id)).rating is None  # type: ignore[union-attr]

    answer = await client.post(f"/survey/{token}", data={"rating": "4", "comment": "<b>ok</b>"})
    assert answer.status_code == 200 and "Gracias" in answer.text
    again = await client.post(f"/survey/{token}", data={"rating": "1"})
    assert again.status_code == 409
    async with services.read() as session:
        rated = await session.get(Survey, survey.id)
        customer = await session.get(Customer, survey.customer_id)
    assert rated is not None and (rated.rating, rated.comment) == (4, "<b>ok</b>")
    assert customer is not None and customer.points == services.settings.csat_points
    assert "ya fue valorada" in (await client.get(f"/survey/{token}")).text


async def test_tampered_or_bad_rating_links_are_refused(client, services, make_agent, make_team):
    survey = await _resolved_with_survey(services, make_agent, make_team)
    token = survey_token(services.settings, survey.id)
    forged = f"s{survey.id + 1}-" + token.split("-")[1]
    for bad in (forged, token[:-1] + ("0" if token[-1] != "0" else "1"), "nonsense"):
        assert (await client.get(f"/survey/{bad}")).status_code == 404
        assert (await client.post(f"/survey/{bad}", data={"rating": "5"})).status_code == 404
    for rating in ("0", "6", "five"):
        assert (await client.post(f"/survey/{token}", data={"rating": rating})).status_code == 422
    async with services.read() as session:
        assert (await session.get(Survey, survey.id)).rating is None  # type: ignore[union-attr]


async def test_a_rating_link_of_a_reopened_conversation_says_why_it_waits(
        client, services, make_agent, make_team):
    from walletdesk.conversations.actions import reopen_conversation

    survey = await _resolved_with_survey(services, make_agent, make_team)
    lead = await make_agent("Lin", role=Role.supervisor)
    await reopen_conversation(services, lead, survey.conversation_id)  # type: ignore[arg-type]
    token = survey_token(services.settings, survey.id)
    answer = await client.post(f"/survey/{token}", data={"rating": "5"})
    assert answer.status_code == 422 and 'role="alert"' in answer.text
    async with services.read() as session:
        assert (await session.get(Survey, survey.id)).rating is None  # type: ignore[union-attr]


async def test_attachments_download_only_for_agents_who_see_the_conversation(
        client, services, make_agent, make_team, sign_in, tmp_path):
    services.settings.data_dir = str(tmp_path)
    support, partner = await make_team("Support"), await make_team("Partner", is_outsourced=True)
    mei = await make_agent("Mei", teams=[support])
    outsider = await make_agent("Olu", role=Role.outsourced, teams=[partner])
    delivered = await receive_message(services, InboundMessage(
        channel="email", external_id="alice@example.com", text="see file",
        attachments=[AttachmentIn("receipt.png", "image/png", b"\x89PNG-bytes")]))
    assert delivered.message.meta is not None
    attachment_id = delivered.message.meta["attachments"][0]["id"]
    from walletdesk.conversations.actions import assign_conversation

    await assign_conversation(services, mei, delivered.conversation.id, agent_id=mei.id)
    allowed = await (await sign_in(mei.email)).http.get(f"/app/attachments/{attachment_id}")
    assert allowed.status_code == 200 and allowed.content == b"\x89PNG-bytes"
    assert allowed.headers["content-type"] == "application/octet-stream"
    assert "attachment" in allowed.headers["content-disposition"]
    refused = await (await sign_in(outsider.email)).http.get(f"/app/attachments/{attachment_id}")
    assert refused.status_code == 404
    assert (await client.get(f"/app/attachments/{attachment_id}")).status_code == 303


async def test_sla_policies_through_the_admin_page_and_the_api(services, make_agent, sign_in):
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    created = await signed.http.post("/admin/sla", data={
        "csrf_token": signed.csrf, "name": "Scam <b>reports</b>", "first_response_minutes": "5",
        "resolution_hours": "4", "category": "scam", "warn_at_percent": "75",
        "escalate_priority": "on", "active": "on"})
    assert created.status_code == 303
    page = await signed.http.get("/admin/sla")
    assert "Scam &lt;b&gt;reports&lt;/b&gt;" in page.text  # escaped
    bad = await signed.http.post("/admin/sla", data={
        "csrf_token": signed.csrf, "name": "Bad", "first_response_minutes": "600",
        "resolution_hours": "1"})
    assert bad.status_code == 422 and "cannot be shorter" in bad.text
    listed = (await signed.http.get("/api/v1/sla-policies")).json()
    assert [(p["name"], p["first_response_s"], p["resolution_s"], p["warn_at_ratio"])
            for p in listed] == [("Scam <b>reports</b>", 300, 14400, 0.75)]
    changed = await signed.http.put(f"/api/v1/sla-policies/{listed[0]['id']}",
                                    headers={"x-csrf-token": signed.csrf},
                                    json={**listed[0], "active": False, "priority": 7})
    assert changed.status_code == 422  # priority out of range
    changed = await signed.http.put(f"/api/v1/sla-policies/{listed[0]['id']}",
                                    headers={"x-csrf-token": signed.csrf},
                                    json={**listed[0], "active": False})
    assert changed.status_code == 200 and changed.json()["active"] is False
