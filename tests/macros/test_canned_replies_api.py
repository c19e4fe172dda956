"""The canned replies API and page: each role's access (outsourced and another team's agent
included), bad input, masking in the picker, escaping on the page."""

from mnemonic import Mnemonic

from tests.labels.helpers import bearer, conversation_in, detail
from walletdesk.accounts.models import Role

PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
XSS = '<img src=x onerror="window.__xss=1">'


async def test_each_role_gets_its_canned_reply_access(services, client, make_team,
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
    team_reply = {"shortcut": "/hello", "title": "Hello", "scope": "team",
                  "team_id": support.id, "texts": {"en": "Hi {{customer_name}}"}}
    for name in ("agent", "outsourced", "other team"):
        refused = await client.post("/api/v1/canned-replies", headers=auth[name],
                                    json=team_reply)
        assert refused.status_code == 403, name
        assert "personal" in detail(refused)
    created = await client.post("/api/v1/canned-replies", headers=auth["supervisor"],
                                json=team_reply)
    assert created.status_code == 201, created.text
    reply = created.json()
    assert reply["shortcut"] == "hello" and reply["can_manage"] is True
    personal = await client.post("/api/v1/canned-replies", headers=auth["outsourced"], json={
        "shortcut": "mine", "title": "Mine", "texts": {"en": "Hello from {{agent_name}}"}})
    assert personal.status_code == 201 and personal.json()["scope"] == "personal"

    path = f"/api/v1/canned-replies/{reply['id']}"
    assert (await client.get(path, headers=auth["other team"])).status_code == 404
    assert (await client.get(path, headers=auth["outsourced"])).status_code == 200
    assert (await client.get(path, headers=auth["agent"])).json()["can_manage"] is False
    change = {**team_reply, "title": "Changed"}
    assert (await client.put(path, headers=auth["agent"], json=change)).status_code == 403
    assert (await client.put(path, headers=auth["other team"], json=change)).status_code == 404
    assert (await client.delete(path, headers=auth["outsourced"])).status_code == 403
    assert (await client.put(path, headers=auth["admin"], json=change)).json()["title"] == \
        "Changed"
    mine = f"/api/v1/canned-replies/{personal.json()['id']}"
    for name in ("admin", "supervisor", "agent"):  # personal: nobody else, not even admins
        assert (await client.get(mine, headers=auth[name])).status_code == 404
    listed = await client.get("/api/v1/canned-replies", headers=auth["other team"])
    assert listed.json() == []

    conversation = await conversation_in(services, admin, support, "v1", name="Daniel")
    picker = f"/api/v1/conversations/{conversation.id}/canned-replies?q=hel"
    as_agent = (await client.get(picker, headers=auth["agent"])).json()
    assert [row["text"] for row in as_agent] == ["Hi Daniel"]
    as_outsourced = (await client.get(picker, headers=auth["outsourced"])).json()
    # no name for outsourced (they see it masked); the shortcut starting with "hel" first
    assert [row["text"] for row in as_outsourced] == ["Hi", "Hello from Ravi"]
    assert "Daniel" not in str(as_outsourced)
    assert (await client.get(picker, headers=auth["other team"])).status_code == 404
    assert (await client.delete(path, headers=auth["supervisor"])).status_code == 204
    assert (await client.get(path, headers=auth["agent"])).status_code == 404


async def test_bad_canned_reply_input_gets_a_clear_4xx(services, client, make_agent):
    admin = await make_agent("Ada", role=Role.admin)
    auth = await bearer(services, admin)
    unknown = await client.post("/api/v1/canned-replies", headers=auth, json={
        "shortcut": "x", "title": "X", "texts": {"en": "Hi {{name}}"}})
    assert unknown.status_code == 422 and "{{name}}" in detail(unknown)
    assert (await client.post("/api/v1/canned-replies", headers=auth,
                              json={"shortcut": "x", "title": "X", "texts": {}})
            ).status_code == 422
    assert (await client.post("/api/v1/canned-replies", headers=auth, json={
        "shortcut": "x", "title": "X", "scope": "team", "team_id": 999_999,
        "texts": {"en": "Hi"}})).status_code == 404
    secret = await client.post("/api/v1/canned-replies", headers=auth, json={
        "shortcut": "x", "title": "X", "texts": {"en": f"words: {PHRASE}"}})
    assert secret.status_code == 201 and secret.json()["secrets_removed"] == 1
    assert PHRASE not in secret.text
    assert (await client.get("/api/v1/canned-replies/99999999999",
                             headers=auth)).status_code == 422
    schema = (await client.get("/openapi.json")).json()
    assert "/api/v1/conversations/{conversation_id}/canned-replies" in schema["paths"]


async def test_the_page_lists_creates_and_escapes(services, make_team, make_agent, sign_in):
    support = await make_team("Support")
    await make_agent("Mei", teams=[support])
    await make_agent("Li Na", role=Role.supervisor)
    mei = await sign_in("mei@example.com")
    created = await mei.http.post("/app/canned-replies", data={
        "csrf_token": mei.csrf, "shortcut": "xss", "title": XSS, "text_en": f"{XSS} {PHRASE}"})
    assert created.status_code == 303 and created.headers["location"].endswith("?protected=1")
    page = await mei.http.get(created.headers["location"])
    assert XSS not in page.text and "&lt;img src=x" in page.text
    assert PHRASE not in page.text and "seed phrase or private key was removed" in page.text
    assert 'value="team"' not in page.text  # agents are offered personal replies only
    refused = await mei.http.post("/app/canned-replies", data={
        "csrf_token": mei.csrf, "shortcut": "t", "title": "T", "scope": "everyone",
        "text_en": "Hi"})
    assert refused.status_code == 403 and "supervisors and admins" in refused.text
    empty = await mei.http.post("/app/canned-replies", data={
        "csrf_token": mei.csrf, "shortcut": "t", "title": "T"})
    assert empty.status_code == 422 and "at least one language" in empty.text
    no_csrf = await mei.http.post("/app/canned-replies", data={"shortcut": "t", "title": "T"})
    assert no_csrf.status_code == 403
    lead = await sign_in("li.na@example.com")
    shared = await lead.http.post("/app/canned-replies", data={
        "csrf_token": lead.csrf, "shortcut": "team-hi", "title": "Team hi", "scope": "team",
        "team_id": str(support.id), "text_zh-Hans": "{{customer_name}}您好"})
    assert shared.status_code == 303
    assert "/team-hi" in (await mei.http.get("/app/canned-replies")).text
