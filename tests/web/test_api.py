"""The REST API: administration, conversations, visibility, errors."""

from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message


async def admin_client(make_agent, sign_in):  # type: ignore[no-untyped-def]
    boss = await make_agent("Boss", role=Role.admin)
    signed = await sign_in(boss.email)
    signed.http.headers["x-csrf-token"] = signed.csrf
    return signed.http


async def test_teams_and_agents_are_managed_with_clear_errors(make_agent, sign_in):
    http = await admin_client(make_agent, sign_in)
    team = await http.post("/api/v1/teams", json={
        "name": "Night shift", "languages": ["zh-Hans"], "timezone": "Asia/Shanghai",
        "weekly_hours": {"mon": [["20:00", "24:00"]]}, "holidays": ["2027-02-17"]})
    assert team.status_code == 201, team.text
    team_id = team.json()["id"]
    assert (await http.post("/api/v1/teams", json={"name": "Night shift"})).status_code == 409
    bad_hours = await http.patch(f"/api/v1/teams/{team_id}",
                                 json={"weekly_hours": {"mon": [["18:00", "09:00"]]}})
    assert bad_hours.status_code == 422 and "not before" in bad_hours.json()["detail"]
    bad_zone = await http.patch(f"/api/v1/teams/{team_id}", json={"timezone": "Mars/Base"})
    assert bad_zone.status_code == 422 and "time zone" in bad_zone.json()["detail"]

    created = await http.post("/api/v1/agents", json={
        "email": "Night@Example.com", "display_name": "Night Owl", "password": "long-enough-pw",
        "languages": ["zh-Hans"], "capacity": 3, "team_ids": [team_id]})
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "night@example.com"
    assert created.json()["team_ids"] == [team_id]
    dup = await http.post("/api/v1/agents", json={
        "email": "night@example.com", "display_name": "Again", "password": "long-enough-pw"})
    assert dup.status_code == 409
    short = await http.post("/api/v1/agents", json={
        "email": "s@example.com", "display_name": "Short", "password": "short"})
    assert short.status_code == 422
    unknown_team = await http.post("/api/v1/agents", json={
        "email": "t@example.com", "display_name": "T", "password": "long-enough-pw",
        "team_ids": [424242]})
    assert unknown_team.status_code == 404

    updated = await http.patch(f"/api/v1/agents/{created.json()['id']}",
                               json={"capacity": 8, "role": "supervisor"})
    assert updated.json()["capacity"] == 8 and updated.json()["role"] == "supervisor"
    for path in ("/api/v1/agents/424242", "/api/v1/teams/424242",
                 "/api/v1/conversations/424242", "/api/v1/customers/424242"):
        missing = await http.get(path)
        assert missing.status_code == 404 and missing.json()["detail"], path


async def test_supervisors_cannot_change_roles_or_passwords(make_agent, sign_in):
    lead = await make_agent("Lead", role=Role.supervisor)
    plain = await make_agent("Plain")
    signed = await sign_in(lead.email)
    headers = {"x-csrf-token": signed.csrf}
    role = await signed.http.patch(f"/api/v1/agents/{plain.id}", json={"role": "admin"},
                                   headers=headers)
    assert role.status_code == 403
    capacity = await signed.http.patch(f"/api/v1/agents/{plain.id}", json={"capacity": 2},
                                       headers=headers)
    assert capacity.status_code == 200


async def test_conversation_work_through_the_api(services, make_team, make_agent, sign_in):
    team = await make_team("Support")
    other = await make_team("Other")
    alice = await make_agent("Alice", teams=[team], online=True)
    bob = await make_agent("Bob", teams=[team], online=True)
    http = (await sign_in(alice.email))
    headers = {"x-csrf-token": http.csrf}
    first = await receive_message(services, InboundMessage(
        channel="web", external_id="api-1", text="lost access to my wallet",
        customer_name="Wang Fang"))
    cid = first.conversation.id

    mine = (await http.http.get("/api/v1/conversations?view=mine")).json()
    everything = (await http.http.get("/api/v1/conversations?view=team")).json()
    assert cid in [c["id"] for c in mine + everything]
    # names are encrypted at rest: found whole (any case) by keyed hash, not by a fragment
    by_name = (await http.http.get("/api/v1/conversations?view=team&q=WANG fang")).json()
    fragment = (await http.http.get("/api/v1/conversations?view=team&q=wang")).json()
    assert fragment == []
    by_text = (await http.http.get("/api/v1/conversations?view=team&q=LOST ACCESS")).json()
    nothing = (await http.http.get("/api/v1/conversations?view=team&q=zzz%_")).json()
    assert [c["id"] for c in by_name] == [cid] == [c["id"] for c in by_text] and nothing == []

    reply = await http.http.post(f"/api/v1/conversations/{cid}/messages",
                                 json={"text": "Hello!", "client_id": "api-r1"}, headers=headers)
    again = await http.http.post(f"/api/v1/conversations/{cid}/messages",
                                 json={"text": "Hello!", "client_id": "api-r1"}, headers=headers)
    assert reply.status_code == 201 and again.json()["duplicate"] is True
    note = await http.http.post(f"/api/v1/conversations/{cid}/messages",
                                json={"text": "check KYC", "internal": True}, headers=headers)
    assert note.json()["message"]["internal"] is True

    handed = await http.http.post(f"/api/v1/conversations/{cid}/assign",
                                  json={"agent_id": bob.id}, headers=headers)
    assert handed.json()["assignee_id"] == bob.id
    taken = await http.http.post(f"/api/v1/conversations/{cid}/assign",
                                 json={"agent_id": alice.id}, headers=headers)
    assert taken.json()["assignee_id"] == alice.id
    resolved = await http.http.post(f"/api/v1/conversations/{cid}/resolve", headers=headers)
    assert resolved.json()["status"] == "resolved"
    reopened = await http.http.post(f"/api/v1/conversations/{cid}/reopen", headers=headers)
    assert reopened.json()["status"] == "assigned"
    detail = (await http.http.get(f"/api/v1/conversations/{cid}")).json()
    assert [m["seq"] for m in detail["messages"]] == sorted(m["seq"] for m in detail["messages"])
    assert detail["customer"]["display_name"] == "Wang Fang"
    empty = await http.http.post(f"/api/v1/conversations/{cid}/messages", json={"text": "  "},
                                 headers=headers)
    assert empty.status_code == 422

    moved = await http.http.post(f"/api/v1/conversations/{cid}/assign",
                                 json={"team_id": other.id}, headers=headers)
    assert moved.json()["team_id"] == other.id and moved.json()["status"] == "queued"
    # Alice is not in the other team: the conversation has left her view
    assert (await http.http.get(f"/api/v1/conversations/{cid}")).status_code == 404


async def test_agents_outside_the_team_cannot_see_and_outsourced_see_masked(
        services, make_team, make_agent, sign_in):
    team = await make_team("Support")
    partner_team = await make_team("Partner", is_outsourced=True)
    await make_agent("Alice", teams=[team], online=True)
    outsider = await make_agent("Outsider", teams=[partner_team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id="vip-1", text="hi", customer_name="Li Wei",
        customer_email="li.wei@gmail.com"))
    cid = delivered.conversation.id
    assert (await (await sign_in(outsider.email)).http.get(
        f"/api/v1/conversations/{cid}")).status_code == 404
    seen = (await (await sign_in(partner.email)).http.get(
        f"/api/v1/conversations/{cid}")).json()["customer"]
    assert seen["email"] == "l***@g***.com" and "Li Wei" not in seen["display_name"]


async def test_inbound_api_is_idempotent_on_client_id(services, make_team, make_agent, client):
    await make_team("Support")
    lead = await make_agent("Lead", role=Role.supervisor)
    from walletdesk.accounts.actions import create_api_token

    _, token = await create_api_token(services, lead, "backend")
    headers = {"authorization": f"Bearer {token}"}
    body = {"external_id": "user-42", "text": "withdrawal of 2 ETH pending", "client_id": "evt-1"}
    first = await client.post("/api/v1/inbound", json=body, headers=headers)
    second = await client.post("/api/v1/inbound", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["duplicate"] is True
    assert first.json()["message"]["id"] == second.json()["message"]["id"]


async def test_openapi_lists_the_api(client):
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/conversations" in spec["paths"] and "/api/v1/teams" in spec["paths"]
    assert not any(path.startswith("/admin") for path in spec["paths"])


async def test_every_unmasked_view_of_personal_data_is_audited(services, make_team, make_agent,
                                                               sign_in):
    from sqlalchemy import select

    from walletdesk.audit.models import AuditEvent

    team = await make_team("Support")
    alice = await make_agent("Alice", teams=[team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id="pii-1", text="hi", customer_name="Zhang San",
        customer_email="zhang@example.com"))
    for who in (alice, partner):
        signed = await sign_in(who.email)
        assert (await signed.http.get(
            f"/api/v1/conversations/{delivered.conversation.id}")).status_code == 200
        assert (await signed.http.get(
            f"/api/v1/customers/{delivered.conversation.customer_id}")).status_code == 200
    async with services.read() as session:
        views = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "customer.view"))).all()
    assert [v.actor_agent_id for v in views] == [alice.id, alice.id]  # masked views are not
    assert all(v.target_id == str(delivered.conversation.customer_id) for v in views)


async def test_read_only_tokens_can_read_but_not_change(services, make_agent, client, sign_in):
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    made = await signed.http.post("/api/v1/me/tokens", headers={"x-csrf-token": signed.csrf},
                                  json={"name": "reporting", "scope": "read"})
    assert made.status_code == 201 and made.json()["scope"] == "read"
    headers = {"authorization": f"Bearer {made.json()['token']}"}
    assert (await client.get("/api/v1/teams", headers=headers)).status_code == 200
    refused = await client.post("/api/v1/teams", headers=headers, json={"name": "X"})
    assert refused.status_code == 403 and "read-only" in refused.text
    bad = await signed.http.post("/api/v1/me/tokens", headers={"x-csrf-token": signed.csrf},
                                 json={"name": "x", "scope": "admin"})
    assert bad.status_code == 422
