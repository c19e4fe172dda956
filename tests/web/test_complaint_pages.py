"""Complaints in the workspace and the API: open, advance, approvals, report, escaping."""

from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message


async def _conversation(services, agent):  # type: ignore[no-untyped-def]
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="我的提现丢了", language="zh-Hans"))
    await assign_conversation(services, agent, delivered.conversation.id, agent_id=agent.id)
    return delivered.conversation


async def test_a_complaint_through_the_pages(services, make_agent, make_team, sign_in):
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])
    boss = await make_agent("Boss", role=Role.supervisor, teams=[team])
    conversation = await _conversation(services, mei)
    agent = await sign_in(mei.email)
    form = await agent.http.get(f"/app/complaints/new?conversation_id={conversation.id}")
    assert form.status_code == 200 and "Register a complaint" in form.text
    opened = await agent.http.post("/app/complaints", data={
        "csrf_token": agent.csrf, "conversation_id": str(conversation.id),
        "category": "withdrawal", "summary": "<img src=x onerror=alert(1)> 500 USDT lost"})
    assert opened.status_code == 303
    detail_url = opened.headers["location"]
    page = await agent.http.get(detail_url)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "Next: investigating" in page.text

    async def move(signed, stage: str, **fields: str):  # type: ignore[no-untyped-def]
        return await signed.http.post(f"{detail_url}/stage", data={
            "csrf_token": signed.csrf, "stage": stage, **fields})

    assert (await move(agent, "approved")).status_code == 422  # skipping is refused
    assert (await move(agent, "investigating", summary="checked the chain")).status_code == 303
    assert (await move(agent, "resolution_proposed", kind="refund", amount="500",
                       asset="USDT")).status_code == 303
    refused = await move(agent, "approved")  # above the threshold: a supervisor approves
    assert refused.status_code == 403 and "supervisor" in refused.text
    lead = await sign_in(boss.email)
    assert (await move(lead, "approved")).status_code == 303
    assert (await move(agent, "customer_notified")).status_code == 303
    listed = await agent.http.get("/app/complaints?stage=customer_notified")
    assert detail_url.rsplit("/", 1)[1] in listed.text
    assert "Time in each stage" not in listed.text  # the report is for supervisors
    report = await lead.http.get("/app/complaints")
    assert "Time in each stage" in report.text


async def test_complaints_through_the_api(services, make_agent, make_team, sign_in):
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])
    boss = await make_agent("Boss", role=Role.supervisor, teams=[team])
    conversation = await _conversation(services, mei)
    agent = await sign_in(mei.email)
    headers = {"x-csrf-token": agent.csrf}
    created = await agent.http.post(f"/api/v1/conversations/{conversation.id}/complaints",
                                    headers=headers, json={"category": "fees", "summary": "x"})
    assert created.status_code == 201
    complaint_id = created.json()["id"]
    again = await agent.http.post(f"/api/v1/conversations/{conversation.id}/complaints",
                                  headers=headers, json={"category": "fees", "summary": "y"})
    assert again.status_code == 409
    bad = await agent.http.post(f"/api/v1/complaints/{complaint_id}/stage", headers=headers,
                                json={"stage": "investigating", "amount": "-5"})
    assert bad.status_code == 422
    moved = await agent.http.post(f"/api/v1/complaints/{complaint_id}/stage", headers=headers,
                                  json={"stage": "investigating", "summary": "looked"})
    assert moved.status_code == 200 and moved.json()["stage"] == "investigating"
    closed = await agent.http.post(f"/api/v1/complaints/{complaint_id}/stage", headers=headers,
                                   json={"stage": "closed", "reason": "withdrawn by customer"})
    assert closed.status_code == 200 and closed.json()["close_reason"] == "withdrawn by customer"
    detail = (await agent.http.get(f"/api/v1/complaints/{complaint_id}")).json()
    assert [e["stage"] for e in detail["history"]] == ["received", "investigating", "closed"]
    assert (await agent.http.get("/api/v1/complaints/report")).status_code == 403
    lead = await sign_in(boss.email)
    report = (await lead.http.get("/api/v1/complaints/report?days=7")).json()
    assert report["received"]["count"] == 1
    assert (await agent.http.get("/api/v1/complaints/999999")).status_code == 404
