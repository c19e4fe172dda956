"""The labels API and admin page: each role's access, bad input, the inbox filter."""

from tests.labels.helpers import bearer, conversation_in, detail
from walletdesk.accounts.models import Role
from walletdesk.labels import actions

XSS = '<img src=x onerror="window.__xss=1">'


async def test_each_role_and_team_gets_its_label_access(services, client, make_team,
                                                        make_agent):
    support = await make_team("Support")
    other = await make_team("Other")
    admin = await make_agent("Ada", role=Role.admin)
    roles = {
        "admin": admin,
        "supervisor": await make_agent("Li Na", role=Role.supervisor),
        "agent": await make_agent("Mei", teams=[support]),
        "outsourced": await make_agent("Ravi", role=Role.outsourced, teams=[support]),
        "other team": await make_agent("Sam", teams=[other]),
    }
    auth = {name: await bearer(services, agent) for name, agent in roles.items()}
    conversation = await conversation_in(services, admin, support, "v1")
    created = await client.post("/api/v1/labels", headers=auth["supervisor"],
                                json={"name": "Refund", "color": "#CF222E"})
    assert created.status_code == 201, created.text
    label = created.json()
    assert label["color"] == "#cf222e" and label["text_color"] == "#ffffff"

    for name in ("agent", "outsourced", "other team"):
        refused = await client.post("/api/v1/labels", headers=auth[name],
                                    json={"name": "Mine", "color": "#000000"})
        assert refused.status_code == 403, name
        assert (await client.delete(f"/api/v1/labels/{label['id']}",
                                    headers=auth[name])).status_code == 403
        assert (await client.get("/api/v1/label-rules", headers=auth[name])).status_code == 403
        listed = await client.get("/api/v1/labels", headers=auth[name])
        assert [row["name"] for row in listed.json()] == ["Refund"]

    path = f"/api/v1/conversations/{conversation.id}/labels/{label['id']}"
    hidden = await client.put(path, headers=auth["other team"])
    assert hidden.status_code == 404  # another team's conversation does not exist for Sam
    assert (await client.get(f"/api/v1/conversations/{conversation.id}/labels",
                             headers=auth["other team"])).status_code == 404
    added = await client.put(path, headers=auth["outsourced"])
    assert added.status_code == 200 and [row["name"] for row in added.json()] == ["Refund"]
    assert (await client.delete(path, headers=auth["other team"])).status_code == 404
    removed = await client.delete(path, headers=auth["agent"])
    assert removed.status_code == 200 and removed.json() == []
    assert (await client.delete(path, headers=auth["agent"])).status_code == 404


async def test_bad_label_input_gets_a_clear_4xx(services, client, make_agent):
    admin = await make_agent("Ada", role=Role.admin)
    auth = await bearer(services, admin)
    bad_colour = await client.post("/api/v1/labels", headers=auth,
                                   json={"name": "Refund", "color": "red!"})
    assert bad_colour.status_code == 422 and "hex colour" in detail(bad_colour)
    assert (await client.post("/api/v1/labels", headers=auth,
                              json={"name": "", "color": "#000"})).status_code == 422
    await client.post("/api/v1/labels", headers=auth, json={"name": "VIP", "color": "#000"})
    duplicate = await client.post("/api/v1/labels", headers=auth,
                                  json={"name": "vip", "color": "#000"})
    assert duplicate.status_code == 409 and "exists" in detail(duplicate)
    assert (await client.patch("/api/v1/labels/999999", headers=auth,
                               json={"color": "#fff"})).status_code == 404
    assert (await client.post("/api/v1/label-rules", headers=auth,
                              json={"category": "fees", "label_id": 999_999})).status_code == 404
    too_big = await client.get("/api/v1/conversations?label_id=99999999999", headers=auth)
    assert too_big.status_code == 422


async def test_the_inbox_api_filters_and_shows_labels(services, client, make_team, make_agent):
    support = await make_team("Support")
    admin = await make_agent("Ada", role=Role.admin)
    mei = await make_agent("Mei", teams=[support])
    auth = await bearer(services, mei)
    labelled = await conversation_in(services, admin, support, "v1")
    await conversation_in(services, admin, support, "v2")
    refund = await actions.create_label(services, admin, name="Refund", color="#cf222e")
    await actions.add_conversation_label(services, mei, labelled.id, refund.id)

    rows = (await client.get(f"/api/v1/conversations?view=team&label_id={refund.id}",
                             headers=auth)).json()
    assert [row["id"] for row in rows] == [labelled.id]
    assert rows[0]["labels"] == [{"id": refund.id, "name": "Refund", "color": "#cf222e",
                                  "text_color": "#ffffff", "description": ""}]
    everything = (await client.get("/api/v1/conversations?view=team", headers=auth)).json()
    assert len(everything) == 2
    by_search = (await client.get("/api/v1/conversations?view=team&q=REFUND",
                                  headers=auth)).json()
    assert [row["id"] for row in by_search] == [labelled.id]
    schema = (await client.get("/openapi.json")).json()
    assert "/api/v1/conversations/{conversation_id}/labels/{label_id}" in schema["paths"]


async def test_admin_page_creates_labels_and_rules_and_escapes_names(services, make_agent,
                                                                     sign_in):
    await make_agent("Ada", role=Role.admin)
    mei = await make_agent("Mei")
    admin_client = await sign_in("ada@example.com")
    created = await admin_client.http.post("/admin/labels", data={
        "csrf_token": admin_client.csrf, "name": XSS, "color": "#1a7f37"})
    assert created.status_code == 303
    page = await admin_client.http.get("/admin/labels")
    assert XSS not in page.text and "&lt;img src=x" in page.text
    assert 'data-color="#1a7f37"' in page.text
    label_id = (await admin_client.http.get("/api/v1/labels")).json()[0]["id"]
    rule = await admin_client.http.post("/admin/labels/rules", data={
        "csrf_token": admin_client.csrf, "category": "transfers", "label_id": str(label_id)})
    assert rule.status_code == 303
    assert "transfers" in (await admin_client.http.get("/admin/labels")).text
    bad = await admin_client.http.post("/admin/labels", data={
        "csrf_token": admin_client.csrf, "name": "Bad", "color": "blue"})
    assert bad.status_code == 422 and "hex colour" in bad.text and "<html" in bad.text.lower()
    bad_rule = await admin_client.http.post("/admin/labels/rules", data={
        "csrf_token": admin_client.csrf, "category": "x", "label_id": "99999999999"})
    assert bad_rule.status_code == 422 and "pick a label" in bad_rule.text
    agent_client = await sign_in(mei.email)
    assert (await agent_client.http.get("/admin/labels")).status_code == 403
