"""Every route's access rule, for no login and for each role.

The table below must name every route of the app: a new route without an access rule here
fails ``test_every_route_has_a_rule``.
"""

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Mount

from walletdesk.accounts.models import Role

PUBLIC, AGENT, STAFF, MANAGER, ADMIN = "public", "agent", "staff", "manager", "admin"
# a token of scope "metrics" (tests/web/test_sessions_and_2fa.py), not a signed-in role
METRICS = "metrics token"
# the widget's own signed token (the socket's files_token), not a signed-in role
WIDGET = "widget token"
ALLOWED = {
    AGENT: {Role.admin, Role.supervisor, Role.agent, Role.outsourced},
    STAFF: {Role.admin, Role.supervisor, Role.agent},  # not outsourced
    MANAGER: {Role.admin, Role.supervisor},
    ADMIN: {Role.admin},
}
RULES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC, ("GET", "/metrics"): METRICS,
    ("GET", "/login"): PUBLIC, ("POST", "/login"): PUBLIC, ("POST", "/logout"): AGENT,
    # the second login step answers only with a pending-login cookie (else back to /login)
    ("GET", "/login/code"): PUBLIC, ("POST", "/login/code"): PUBLIC,
    ("GET", "/login/enrol"): PUBLIC, ("POST", "/login/enrol"): PUBLIC,
    ("GET", "/account/security"): AGENT, ("POST", "/account/security/enrol"): AGENT,
    ("POST", "/account/security/confirm"): AGENT,
    ("POST", "/account/security/recovery-codes"): AGENT,
    ("POST", "/account/security/off"): AGENT,
    ("GET", "/"): PUBLIC, ("GET", "/widget"): PUBLIC, ("GET", "/widget.js"): PUBLIC,
    ("GET", "/widget/texts"): PUBLIC,
    ("GET", "/embed-example"): PUBLIC, ("GET", "/app"): AGENT,
    ("POST", "/app/interface-locale"): AGENT,
    ("GET", "/app/attachments/{attachment_id}"): AGENT,
    ("GET", "/app/attachments/{attachment_id}/view"): AGENT,
    ("POST", "/api/v1/conversations/{conversation_id}/attachments"): AGENT,
    ("POST", "/api/widget/attachments"): WIDGET,
    ("GET", "/api/widget/attachments/{attachment_id}"): WIDGET,
    ("GET", "/followup/{token}"): PUBLIC, ("POST", "/followup/{token}"): PUBLIC,
    ("GET", "/app/followups"): STAFF, ("POST", "/app/followups/{followup_id}/call"): STAFF,
    ("GET", "/admin/followups"): MANAGER, ("POST", "/admin/followups"): MANAGER,
    ("POST", "/admin/followups/{programme_id}"): MANAGER,
    ("POST", "/api/v1/events/transactions"): MANAGER, ("GET", "/api/v1/followups"): STAFF,
    ("POST", "/api/v1/followups/{followup_id}/call"): STAFF,
    ("GET", "/api/v1/followup-programmes"): MANAGER,
    ("POST", "/api/v1/followup-programmes"): MANAGER,
    ("PUT", "/api/v1/followup-programmes/{programme_id}"): MANAGER,
    ("GET", "/app/complaints"): AGENT, ("GET", "/app/complaints/new"): AGENT,
    ("POST", "/app/complaints"): AGENT, ("GET", "/app/complaints/{complaint_id}"): AGENT,
    ("POST", "/app/complaints/{complaint_id}/stage"): AGENT,
    ("GET", "/api/v1/complaints"): AGENT, ("GET", "/api/v1/complaints/report"): MANAGER,
    ("POST", "/api/v1/conversations/{conversation_id}/complaints"): AGENT,
    ("GET", "/api/v1/complaints/{complaint_id}"): AGENT,
    ("POST", "/api/v1/complaints/{complaint_id}/stage"): AGENT,
    ("GET", "/admin/customers/{customer_id}"): MANAGER,
    ("GET", "/admin/customers/{customer_id}/export"): MANAGER,
    ("POST", "/admin/customers/{customer_id}/erase"): ADMIN,
    ("GET", "/admin/audit/export"): MANAGER, ("GET", "/api/v1/audit"): MANAGER,
    ("GET", "/admin/sla"): MANAGER, ("POST", "/admin/sla"): MANAGER,
    ("POST", "/admin/sla/{policy_id}"): MANAGER,
    ("GET", "/api/v1/sla-policies"): AGENT, ("POST", "/api/v1/sla-policies"): MANAGER,
    ("PUT", "/api/v1/sla-policies/{policy_id}"): MANAGER,
    ("GET", "/survey/{token}"): PUBLIC, ("POST", "/survey/{token}"): PUBLIC,
    ("GET", "/help"): PUBLIC, ("GET", "/help/articles/{slug}"): PUBLIC,
    ("POST", "/help/articles/{slug}/feedback"): PUBLIC,
    ("GET", "/admin"): MANAGER, ("GET", "/admin/agents/{agent_id}"): MANAGER,
    ("POST", "/admin/agents"): ADMIN, ("POST", "/admin/agents/{agent_id}"): MANAGER,
    ("GET", "/admin/teams/{team_id}"): MANAGER, ("POST", "/admin/teams"): MANAGER,
    ("POST", "/admin/teams/{team_id}"): MANAGER, ("POST", "/admin/teams/{team_id}/delete"): ADMIN,
    ("GET", "/admin/audit"): MANAGER,
    ("GET", "/admin/kb"): MANAGER, ("GET", "/admin/kb/new"): MANAGER,
    ("GET", "/admin/kb/{article_id}"): MANAGER, ("POST", "/admin/kb"): MANAGER,
    ("POST", "/admin/kb/{article_id}/status"): MANAGER,
    ("GET", "/admin/bot"): MANAGER, ("POST", "/admin/bot"): ADMIN,
    ("GET", "/admin/channels"): MANAGER, ("POST", "/admin/channels"): MANAGER,
    ("POST", "/admin/channels/{channel_id}/delete"): MANAGER,
    ("GET", "/admin/privacy-notice"): ADMIN, ("POST", "/admin/privacy-notice"): ADMIN,
    ("GET", "/verify"): PUBLIC, ("GET", "/verify/check"): PUBLIC,
    ("POST", "/verify/report"): PUBLIC,
    ("GET", "/api/v1/official-channels"): AGENT, ("POST", "/api/v1/official-channels"): MANAGER,
    ("DELETE", "/api/v1/official-channels/{channel_id}"): MANAGER,
    ("GET", "/api/v1/me"): AGENT, ("PUT", "/api/v1/me/presence"): AGENT,
    ("POST", "/api/v1/me/tokens"): AGENT, ("DELETE", "/api/v1/me/tokens/{token_id}"): AGENT,
    ("GET", "/api/v1/conversations"): AGENT,
    ("GET", "/api/v1/conversations/{conversation_id}"): AGENT,
    ("GET", "/api/v1/conversations/{conversation_id}/transfer-targets"): AGENT,
    ("POST", "/api/v1/conversations/{conversation_id}/accept"): AGENT,
    ("GET", "/api/v1/conversations/{conversation_id}/suggestions"): AGENT,
    ("GET", "/api/v1/conversations/{conversation_id}/messages"): AGENT,
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): AGENT,
    ("POST", "/api/v1/conversations/{conversation_id}/assign"): AGENT,
    ("POST", "/api/v1/conversations/{conversation_id}/resolve"): AGENT,
    ("POST", "/api/v1/conversations/{conversation_id}/reopen"): AGENT,
    ("POST", "/api/v1/inbound"): MANAGER,
    ("GET", "/api/v1/customers/{customer_id}"): AGENT,
    ("GET", "/api/v1/customers/{customer_id}/export"): MANAGER,
    ("POST", "/api/v1/customers/{customer_id}/erase"): ADMIN,
    ("GET", "/api/v1/agents"): AGENT, ("POST", "/api/v1/agents"): ADMIN,
    ("GET", "/api/v1/agents/{agent_id}"): AGENT, ("PATCH", "/api/v1/agents/{agent_id}"): MANAGER,
    ("POST", "/api/v1/agents/{agent_id}/two-factor/reset"): ADMIN,
    ("GET", "/api/v1/teams"): AGENT, ("POST", "/api/v1/teams"): MANAGER,
    ("GET", "/api/v1/teams/{team_id}"): AGENT, ("PATCH", "/api/v1/teams/{team_id}"): MANAGER,
    ("DELETE", "/api/v1/teams/{team_id}"): ADMIN,
    ("POST", "/api/v1/conversations/{conversation_id}/snooze"): AGENT,
    ("POST", "/api/v1/conversations/{conversation_id}/unsnooze"): AGENT,
    ("POST", "/api/v1/conversations/bulk"): AGENT,
    ("GET", "/api/v1/me/notification-preferences"): AGENT,
    ("PUT", "/api/v1/me/notification-preferences"): AGENT,
    ("GET", "/api/v1/me/mentions"): AGENT, ("POST", "/api/v1/me/mentions/read"): AGENT,
    ("GET", "/api/v1/conversations/{conversation_id}/mentionable"): AGENT,
    ("PATCH", "/api/v1/customers/{customer_id}"): STAFF,
    ("GET", "/openapi.json"): PUBLIC,
    ("WS", "/ws/widget"): PUBLIC, ("WS", "/ws/app"): AGENT,  # tested in tests/live
    ("MOUNT", "/static"): PUBLIC,
    # labels (tests/labels) and canned replies (tests/macros)
    ("GET", "/api/v1/labels"): AGENT, ("POST", "/api/v1/labels"): MANAGER,
    ("PATCH", "/api/v1/labels/{label_id}"): MANAGER,
    ("DELETE", "/api/v1/labels/{label_id}"): MANAGER,
    ("GET", "/api/v1/conversations/{conversation_id}/labels"): AGENT,
    ("PUT", "/api/v1/conversations/{conversation_id}/labels/{label_id}"): AGENT,
    ("DELETE", "/api/v1/conversations/{conversation_id}/labels/{label_id}"): AGENT,
    ("GET", "/api/v1/label-rules"): MANAGER, ("POST", "/api/v1/label-rules"): MANAGER,
    ("DELETE", "/api/v1/label-rules/{rule_id}"): MANAGER,
    ("GET", "/admin/labels"): MANAGER, ("POST", "/admin/labels"): MANAGER,
    ("POST", "/admin/labels/rules"): MANAGER,
    ("POST", "/admin/labels/rules/{rule_id}/delete"): MANAGER,
    ("POST", "/admin/labels/{label_id}"): MANAGER,
    ("POST", "/admin/labels/{label_id}/delete"): MANAGER,
    ("GET", "/api/v1/canned-replies"): AGENT, ("POST", "/api/v1/canned-replies"): AGENT,
    ("GET", "/api/v1/canned-replies/{reply_id}"): AGENT,
    ("PUT", "/api/v1/canned-replies/{reply_id}"): AGENT,
    ("DELETE", "/api/v1/canned-replies/{reply_id}"): AGENT,
    ("GET", "/api/v1/conversations/{conversation_id}/canned-replies"): AGENT,
    ("GET", "/app/canned-replies"): AGENT, ("POST", "/app/canned-replies"): AGENT,
    ("POST", "/app/canned-replies/{reply_id}"): AGENT,
    ("POST", "/app/canned-replies/{reply_id}/delete"): AGENT,
    # reports (tests/reports): supervisors, admins and their read-scoped API tokens
    ("GET", "/reports"): MANAGER, ("GET", "/reports/panels/{panel}"): MANAGER,
    ("GET", "/api/v1/reports/summary"): MANAGER,
    ("GET", "/api/v1/reports/volume"): MANAGER, ("GET", "/api/v1/reports/speed"): MANAGER,
    ("GET", "/api/v1/reports/outcome"): MANAGER,
    ("GET", "/api/v1/reports/satisfaction"): MANAGER,
    ("GET", "/api/v1/reports/agents"): MANAGER,
    ("GET", "/api/v1/reports/contact-reasons"): MANAGER,
    ("GET", "/api/v1/reports/contact-reasons/product-team"): MANAGER,
    ("GET", "/api/v1/reports/export/{table}"): MANAGER,
    ("GET", "/api/v1/reports/complaints"): MANAGER, ("GET", "/api/v1/reports/followups"): MANAGER,
    ("GET", "/api/v1/reports/points"): MANAGER, ("GET", "/api/v1/reports/points/credits"): MANAGER,
    ("GET", "/api/v1/reports/first-contact"): MANAGER,
    ("GET", "/api/v1/reports/presence"): MANAGER, ("GET", "/api/v1/reports/teams"): MANAGER,
    ("GET", "/api/v1/reports/comments"): MANAGER,
    ("GET", "/api/v1/reports/contact-reasons/trend"): MANAGER,
    # the reasons an agent may choose when resolving (tests/reports/test_contact_reason_at_resolve.py)
    ("GET", "/api/v1/contact-reasons"): AGENT,
    # cursor lists and streamed bulk exports (tests/reports/test_bulk_api.py)
    ("GET", "/api/v1/conversations/export"): MANAGER, ("GET", "/api/v1/messages"): MANAGER,
    ("GET", "/api/v1/messages/export"): MANAGER,
    # the customer's context beside a conversation, masked for outsourced agents
    # (tests/customer_context/test_context_panel_api.py)
    ("GET", "/api/v1/conversations/{conversation_id}/customer-context"): AGENT,
    # transfers looked up on chain beside a conversation the agent sees; addresses masked for
    # outsourced agents (tests/chains/test_lookup_routes.py)
    ("GET", "/api/v1/conversations/{conversation_id}/chain-lookups"): AGENT,
    ("POST", "/api/v1/conversations/{conversation_id}/chain-lookups/{lookup_id}/refresh"): AGENT,
    # staffing and overflow (tests/staffing/test_staffing_pages.py)
    ("GET", "/staffing"): MANAGER, ("POST", "/staffing/shifts/{agent_id}"): MANAGER,
    ("POST", "/staffing/overflow/{team_id}"): MANAGER,
    ("GET", "/api/v1/staffing/plan"): MANAGER, ("GET", "/api/v1/staffing/shifts"): MANAGER,
    ("PUT", "/api/v1/staffing/shifts/{agent_id}"): MANAGER,
    ("PUT", "/api/v1/staffing/overflow/{team_id}"): MANAGER,
    # proactive messages (tests/outreach): supervisors and admins manage them; the customer's
    # preferences also the operator's own agents; the opt-out link and the SMS webhook public
    ("GET", "/admin/outreach"): MANAGER, ("POST", "/admin/outreach/segments"): MANAGER,
    ("GET", "/admin/outreach/segments/{segment_id}"): MANAGER,
    ("POST", "/admin/outreach/segments/{segment_id}"): MANAGER,
    ("POST", "/admin/outreach/campaigns"): MANAGER,
    ("GET", "/admin/outreach/campaigns/{campaign_id}"): MANAGER,
    ("POST", "/admin/outreach/campaigns/{campaign_id}"): MANAGER,
    ("POST", "/admin/outreach/campaigns/{campaign_id}/launch"): MANAGER,
    ("POST", "/admin/outreach/campaigns/{campaign_id}/cancel"): MANAGER,
    ("POST", "/admin/outreach/customers"): MANAGER,
    ("GET", "/outreach/stop/{token}"): PUBLIC, ("POST", "/outreach/stop/{token}"): PUBLIC,
    ("POST", "/outreach/sms/twilio"): PUBLIC,
    ("PUT", "/api/widget/outreach"): WIDGET,
    ("GET", "/api/v1/outreach/segments"): MANAGER, ("POST", "/api/v1/outreach/segments"): MANAGER,
    ("PUT", "/api/v1/outreach/segments/{segment_id}"): MANAGER,
    ("GET", "/api/v1/outreach/segments/{segment_id}/preview"): MANAGER,
    ("GET", "/api/v1/outreach/campaigns"): MANAGER,
    ("POST", "/api/v1/outreach/campaigns"): MANAGER,
    ("GET", "/api/v1/outreach/campaigns/{campaign_id}"): MANAGER,
    ("PUT", "/api/v1/outreach/campaigns/{campaign_id}"): MANAGER,
    ("POST", "/api/v1/outreach/campaigns/{campaign_id}/launch"): MANAGER,
    ("POST", "/api/v1/outreach/campaigns/{campaign_id}/cancel"): MANAGER,
    ("GET", "/api/v1/outreach/customers/{customer_id}/preferences"): STAFF,
    ("PUT", "/api/v1/outreach/customers/{customer_id}/preferences"): STAFF,
    # incidents (tests/incidents): supervisors and admins run announcements and spike alerts;
    # an agent links a conversation they see; the status page and the banners' data public
    ("GET", "/api/v1/announcements"): MANAGER, ("POST", "/api/v1/announcements"): MANAGER,
    ("GET", "/api/v1/announcements/{announcement_id}"): MANAGER,
    ("PUT", "/api/v1/announcements/{announcement_id}"): MANAGER,
    ("POST", "/api/v1/announcements/{announcement_id}/status"): MANAGER,
    ("POST", "/api/v1/conversations/{conversation_id}/announcements/{announcement_id}"): AGENT,
    ("GET", "/api/v1/spike-alerts"): MANAGER, ("POST", "/api/v1/spike-alerts/{alert_id}"): MANAGER,
    ("GET", "/admin/incidents"): MANAGER, ("GET", "/admin/incidents/badge"): MANAGER,
    ("POST", "/admin/incidents/announcements"): MANAGER,
    ("GET", "/admin/incidents/announcements/{announcement_id}"): MANAGER,
    ("POST", "/admin/incidents/announcements/{announcement_id}"): MANAGER,
    ("POST", "/admin/incidents/announcements/{announcement_id}/status"): MANAGER,
    ("POST", "/admin/incidents/alerts/{alert_id}"): MANAGER,
    ("GET", "/status"): PUBLIC, ("GET", "/status/active"): PUBLIC,
}
HTTP_RULES = {k: v for k, v in RULES.items() if k[0] not in ("WS", "MOUNT")}


def walk(routes, prefix: str = ""):  # type: ignore[no-untyped-def]
    """Every route, looking inside included routers (FastAPI includes them lazily)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            yield prefix, route


def app_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found: set[tuple[str, str]] = set()
    for prefix, route in walk(app.routes):
        if isinstance(route, APIWebSocketRoute):
            found.add(("WS", prefix + route.path))
        elif isinstance(route, Mount):
            found.add(("MOUNT", prefix + route.path))
        elif isinstance(route, APIRoute) or hasattr(route, "methods"):
            for method in route.methods - {"HEAD"}:
                found.add((method, prefix + route.path))
    return found


def test_every_route_has_a_rule(app):
    assert app_routes(app) == set(RULES)


def concrete(path: str) -> str:
    return (path.replace("{slug}", "no-such-article").replace("{agent_id}", "999999")
            .replace("{team_id}", "999999").replace("{attachment_id}", "999999")
            .replace("{policy_id}", "999999").replace("{followup_id}", "999999")
            .replace("{programme_id}", "999999").replace("{complaint_id}", "999999")
            .replace("{token}", "s1-000000000000000000000000").replace("{article_id}", "999999")
            .replace("{conversation_id}", "999999").replace("{customer_id}", "999999")
            .replace("{token_id}", "999999").replace("{channel_id}", "999999")
            .replace("{label_id}", "999999").replace("{rule_id}", "999999")
            .replace("{reply_id}", "999999").replace("{table}", "summary")
            .replace("{announcement_id}", "999999").replace("{alert_id}", "999999")
            .replace("{segment_id}", "999999").replace("{campaign_id}", "999999")
            .replace("{lookup_id}", "999999").replace("{panel}", "summary"))


async def call(http, method: str, path: str, csrf: str | None = None):  # type: ignore[no-untyped-def]
    url = concrete(path)
    headers = {"x-csrf-token": csrf} if csrf else {}
    if path.startswith("/api/"):
        return await http.request(method, url, json={}, headers=headers)
    data = {"csrf_token": csrf} if csrf else {}
    return await http.request(method, url, data=data if method != "GET" else None)


@pytest.mark.parametrize("method, path", sorted(k for k, v in HTTP_RULES.items()
                                                if v not in (PUBLIC, METRICS, WIDGET)))
async def test_no_login_is_refused(client, method, path):
    response = await call(client, method, path)
    if path.startswith("/api/"):
        assert response.status_code == 401, (method, path, response.status_code)
    else:
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/login")


async def test_each_role_gets_exactly_its_routes(services, make_agent, sign_in):
    clients = {}
    for role in Role:
        agent = await make_agent(f"{role.value} person", role=role)
        clients[role] = await sign_in(agent.email)
    for (method, path), rule in sorted(HTTP_RULES.items()):
        if rule in (PUBLIC, METRICS, WIDGET) or path == "/logout":
            continue
        for role, signed in clients.items():
            response = await call(signed.http, method, path, signed.csrf)
            if role in ALLOWED[rule]:
                assert response.status_code not in (401, 403), (role, method, path)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)


async def test_public_routes_need_no_login(client):
    for (method, path), rule in HTTP_RULES.items():
        if rule == PUBLIC and method == "GET":
            response = await client.get(concrete(path))
            # 422: a public endpoint that needs a parameter answered without it
            assert response.status_code in (200, 303, 404, 422), (path, response.status_code)
    assert (await client.get("/help/articles/no-such-article")).status_code == 404


@pytest.mark.parametrize("method, path", sorted(k for k, v in HTTP_RULES.items() if v == WIDGET))
async def test_widget_routes_need_the_widget_token(client, sign_in, make_agent, method, path):
    """Neither no login nor an agent's session opens the widget's file routes."""
    assert (await call(client, method, path)).status_code == 401
    agent = await sign_in((await make_agent("widget outsider", role=Role.admin)).email)
    assert (await call(agent.http, method, path, agent.csrf)).status_code == 401
