"""The access rules of the incident routes (tests/web/test_access.py RULES), for no login
and for every role, on both engines."""

from tests.web.test_access import (
    ALLOWED,
    HTTP_RULES,
    PUBLIC,
    RULES,
    app_routes,
    call,
    concrete,
)
from walletdesk.accounts.models import Role

MINE = ("/api/v1/announcements", "/api/v1/spike-alerts", "/admin/incidents", "/status",
        "/api/v1/conversations/{conversation_id}/announcements")
OURS = {key: rule for key, rule in HTTP_RULES.items() if key[1].startswith(MINE)}


def test_every_incident_route_has_a_rule(app):
    routes = {key for key in app_routes(app) if key[1].startswith(MINE)}
    assert routes == {key for key in RULES if key[1].startswith(MINE)}
    assert len(routes) == 17


async def test_no_login_and_each_role(client, make_agent, sign_in):
    for (method, path), rule in sorted(OURS.items()):
        response = await call(client, method, path)
        if rule == PUBLIC:
            assert response.status_code in (200, 404, 422), (method, path)
        elif path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 303, (method, path)
    clients = {}
    for role in Role:
        agent = await make_agent(f"{role.value} person", role=role)
        clients[role] = await sign_in(agent.email)
    for (method, path), rule in sorted(OURS.items()):
        if rule == PUBLIC:
            continue
        for role, signed in clients.items():
            response = await call(signed.http, method, path, signed.csrf)
            if role in ALLOWED[rule]:
                assert response.status_code not in (401, 403), (role, method, path)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
    assert concrete("/admin/incidents/alerts/{alert_id}") == "/admin/incidents/alerts/999999"


async def test_the_api_is_described_in_openapi(client):
    schema = (await client.get("/openapi.json")).json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/announcements"])
    assert "put" in paths["/api/v1/announcements/{announcement_id}"]
    assert "post" in paths["/api/v1/announcements/{announcement_id}/status"]
    assert "get" in paths["/api/v1/spike-alerts"]
    assert paths["/api/v1/announcements"]["get"]["tags"] == ["incidents"]
    assert "AnnouncementOut" in schema["components"]["schemas"]
    assert not any(path.startswith(("/admin/incidents", "/status")) for path in paths)
