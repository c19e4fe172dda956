"""Access (issue 11): server-side sessions, atomic lockout, two-factor login, customer reads,
/metrics, the widget's frame-ancestors and the development server's start check."""

import asyncio
import os
import re
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from walletdesk.accounts import totp
from walletdesk.accounts.actions import create_api_token, update_agent
from walletdesk.accounts.login_throttle import ACCOUNT
from walletdesk.accounts.models import Agent, AgentSession, LoginThrottle, Role
from walletdesk.audit.models import AuditEvent
from walletdesk.config import DEV_SECRET_KEY
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message
from walletdesk.web.app import create_app
from walletdesk.web.sessions import PENDING_LOGIN_COOKIE, SESSION_COOKIE

WRONG = "Wrong e-mail or password."
LOCKED = "is locked for a while"


def _client(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk.test")


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'data-csrf="([^"]+)"', page)
    assert match, "the page carries a CSRF token"
    return match.group(1)


# --- sessions ---------------------------------------------------------------------------------

async def test_a_copied_cookie_dies_with_a_plain_logout(services, make_agent, sign_in, client):
    agent = await make_agent("Alice")
    laptop = await sign_in(agent.email)
    other = await sign_in(agent.email)
    copied = laptop.http.cookies[SESSION_COOKIE]
    response = await laptop.http.post("/logout", data={"csrf_token": laptop.csrf})
    assert response.status_code == 303
    client.cookies.set(SESSION_COOKIE, copied)
    assert (await client.get("/api/v1/me")).status_code == 401
    # only that browser's session ended
    assert (await other.http.get("/api/v1/me")).status_code == 200
    async with services.read() as session:
        rows = (await session.scalars(select(AgentSession).where(
            AgentSession.agent_id == agent.id))).all()
    assert sorted(r.revoked_at is None for r in rows) == [False, True]


async def test_deactivation_and_password_change_revoke_every_session(services, make_agent,
                                                                     sign_in):
    admin = await make_agent("Boss", role=Role.admin)
    alice = await make_agent("Alice")
    signed = await sign_in(alice.email)
    await update_agent(services, admin, alice.id, {"password": "another-long-password"})
    assert (await signed.http.get("/api/v1/me")).status_code == 401
    bob = await make_agent("Bob")
    signed = await sign_in(bob.email)
    await update_agent(services, admin, bob.id, {"is_active": False})
    assert (await signed.http.get("/api/v1/me")).status_code == 401


# --- lockout ----------------------------------------------------------------------------------

async def test_sixty_parallel_wrong_passwords_lock_after_exactly_the_limit(services, app,
                                                                           make_agent):
    await make_agent("Alice")
    app.state.login_limiter.limit = 1000  # the per-address limit is not what is tested here
    limit = services.settings.login_max_failures
    async with _client(app) as http:
        answers = await asyncio.gather(*[
            http.post("/login", data={"email": "alice@example.com", "password": f"guess-{i}"})
            for i in range(60)])
        assert all(a.status_code == 401 for a in answers)
        checked = sum(WRONG in a.text for a in answers)
        locked = sum(LOCKED in a.text for a in answers)
        assert (checked, locked) == (limit, 60 - limit)
        right = await http.post("/login", data={"email": "alice@example.com",
                                                "password": PASSWORD})
        assert right.status_code == 401 and LOCKED in right.text
    async with services.read() as session:
        lock_audits = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "agent.locked"))
    assert lock_audits == 1


async def test_a_right_password_resets_the_count(services, app, client, make_agent):
    await make_agent("Alice")
    limit = services.settings.login_max_failures
    for _ in range(limit - 1):
        await client.post("/login", data={"email": "alice@example.com", "password": "bad"})
    assert (await client.post("/login", data={"email": "alice@example.com",
                                              "password": PASSWORD})).status_code == 303
    client.cookies.clear()  # without the device cookie: the failures count for the address
    for _ in range(limit - 1):
        await client.post("/login", data={"email": "alice@example.com", "password": "bad"})
    async with services.read() as session:
        pair = await session.scalar(select(LoginThrottle).where(
            LoginThrottle.source_key != ACCOUNT))
    assert pair is not None and pair.locked_until is None
    assert pair.failures == limit - 1


# --- two-factor login -------------------------------------------------------------------------

def test_totp_matches_rfc_6238_test_vectors():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp.code_at(secret, 59) == "287082"
    assert totp.code_at(secret, 1111111109) == "081804"
    assert totp.code_at(secret, 2000000000) == "279037"
    assert totp.matching_step(secret, "287 082", 59) == 1
    assert totp.matching_step(secret, "287083", 59) is None
    uri = totp.provisioning_uri(secret, "alice@example.com", "DemoWallet")
    assert uri.startswith("otpauth://totp/DemoWallet:alice@example.com?secret=" + secret)


async def _enrol_from_account_page(signed) -> tuple[str, str, list[str]]:  # type: ignore[no-untyped-def]
    page = await signed.http.post("/account/security/enrol", data={"csrf_token": signed.csrf})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert "data:image/svg+xml" in page.text  # the QR code
    wrong = await signed.http.post("/account/security/confirm",
                                   data={"csrf_token": signed.csrf, "code": "000000"})
    assert wrong.status_code == 422 and secret in wrong.text
    first_code = totp.code_at(secret)
    done = await signed.http.post("/account/security/confirm", data={
        "csrf_token": signed.csrf, "code": first_code})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", done.text)
    assert len(codes) == totp.RECOVERY_CODE_COUNT
    return secret, first_code, codes


async def _password_step(app, email: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    http = _client(app)
    response = await http.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/login/code"
    assert SESSION_COOKIE not in response.cookies and PENDING_LOGIN_COOKIE in response.cookies
    assert (await http.get("/api/v1/me")).status_code == 401  # no session yet
    return http


async def test_enrol_then_log_in_with_a_code_and_recovery_codes_once(services, app, make_agent,
                                                                     sign_in):
    agent = await make_agent("Alice")
    _, first_code, codes = await _enrol_from_account_page(await sign_in(agent.email))
    async with services.read() as session:
        stored = await session.scalar(select(Agent).where(Agent.id == agent.id))
    assert stored is not None and stored.totp_enabled_at is not None

    http = await _password_step(app, agent.email)
    wrong = await http.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    # the code used to turn two-factor on was spent: it does not sign in again
    replay = await http.post("/login/code", data={"code": first_code})
    assert replay.status_code == 401
    await http.aclose()

    http = await _password_step(app, agent.email)
    used = await http.post("/login/code", data={"code": codes[0].upper()})
    assert used.status_code == 303 and (await http.get("/api/v1/me")).json()["id"] == agent.id
    await http.aclose()
    http = await _password_step(app, agent.email)
    again = await http.post("/login/code", data={"code": codes[0]})
    assert again.status_code == 401
    assert (await http.post("/login/code", data={"code": codes[1]})).status_code == 303
    await http.aclose()
    async with services.read() as session:
        actions = set((await session.scalars(select(AuditEvent.action).where(
            AuditEvent.target_id == str(agent.id)))).all())
    assert {"agent.two_factor_on", "agent.recovery_code_used", "agent.login"} <= actions


async def test_wrong_codes_count_towards_the_lockout(services, app, make_agent, sign_in):
    agent = await make_agent("Alice")
    secret, _, _ = await _enrol_from_account_page(await sign_in(agent.email))
    http = await _password_step(app, agent.email)
    for _ in range(services.settings.login_max_failures):
        assert (await http.post("/login/code", data={"code": "000000"})).status_code == 401
    locked = await http.post("/login/code", data={"code": totp.code_at(secret, None)})
    assert locked.status_code == 401 and LOCKED in locked.text
    await http.aclose()


async def test_admins_must_set_up_two_factor_before_their_first_session(services, app,
                                                                        make_agent):
    services.settings.two_factor_roles = ["admin"]
    admin = await make_agent("Boss", role=Role.admin)
    async with _client(app) as http:
        response = await http.post("/login", data={"email": admin.email, "password": PASSWORD,
                                                   "next": "/admin"})
        assert response.status_code == 303 and response.headers["location"] == "/login/enrol"
        assert (await http.get("/admin")).status_code == 303  # not signed in yet
        page = await http.get("/login/enrol")
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)  # type: ignore[union-attr]
        bad = await http.post("/login/enrol", data={"code": "000000"})
        assert bad.status_code == 422 and SESSION_COOKIE not in bad.cookies
        done = await http.post("/login/enrol", data={"code": totp.code_at(secret)})
        assert done.status_code == 200 and 'href="/admin"' in done.text
        assert (await http.get("/api/v1/me")).json()["role"] == "admin"
        # a sign-in like any other: audited, and the place it came from trusted
        from sqlalchemy import select

        from walletdesk.accounts.models import LoginThrottle
        from walletdesk.audit.models import AuditEvent
        async with services.read() as session:
            logins = (await session.scalars(select(AuditEvent).where(
                AuditEvent.action == "agent.login",
                AuditEvent.actor_agent_id == admin.id))).all()
            trusted = (await session.scalars(select(LoginThrottle.last_success_at).where(
                LoginThrottle.source_key != "*"))).all()
        assert [event.detail for event in logins] == [{"second_factor": "enrolled"}]
        assert trusted and all(at is not None for at in trusted)
        # without a code an admin cannot sign in from now on
        http.cookies.clear()
        again = await http.post("/login", data={"email": admin.email, "password": PASSWORD})
        assert again.headers["location"] == "/login/code"
    # and cannot turn it off, while another admin can reset it (a lost phone)
    other = await make_agent("Other", role=Role.admin)
    from walletdesk.accounts import two_factor
    with pytest.raises(Exception, match="requires"):
        await two_factor.turn_off(services, admin, admin.id)
    await two_factor.turn_off(services, other, admin.id)
    async with _client(app) as http:
        reset = await http.post("/login", data={"email": admin.email, "password": PASSWORD})
        assert reset.headers["location"] == "/login/enrol"


async def test_a_team_can_require_two_factor(services, app, make_team, make_agent, sign_in):
    team = await make_team("Payments")
    agent = await make_agent("Alice", teams=[team])
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    admin = await sign_in((await make_agent("Boss", role=Role.admin)).email)
    path = f"/api/v1/teams/{team.id}"
    on = await lead.http.patch(path, json={"requires_two_factor": True},
                               headers={"x-csrf-token": lead.csrf})
    assert on.status_code == 200 and on.json()["requires_two_factor"] is True
    async with _client(app) as http:
        response = await http.post("/login", data={"email": agent.email, "password": PASSWORD})
        assert response.headers["location"] == "/login/enrol"
    # stricter is for managers; weaker is for admins
    off = await lead.http.patch(path, json={"requires_two_factor": False},
                                headers={"x-csrf-token": lead.csrf})
    assert off.status_code == 403
    off = await admin.http.patch(path, json={"requires_two_factor": False},
                                 headers={"x-csrf-token": admin.csrf})
    assert off.status_code == 200 and off.json()["requires_two_factor"] is False


async def test_the_code_step_needs_the_password_step_first(client):
    assert (await client.get("/login/code")).headers["location"] == "/login"
    refused = await client.post("/login/code", data={"code": "123456"})
    assert refused.status_code == 303 and refused.headers["location"] == "/login"


# --- customers --------------------------------------------------------------------------------

async def test_customer_reads_follow_conversation_visibility(services, make_team, make_agent,
                                                             sign_in):
    vip, support = await make_team("VIP"), await make_team("Support")
    boss = await make_agent("Boss", role=Role.supervisor)
    inside = await make_agent("Inside", teams=[vip])
    outside = await make_agent("Outside", teams=[support])
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id="whale-1", text="hi", customer_name="Li Wei"))
    await assign_conversation(services, boss, delivered.conversation.id, team_id=vip.id)
    customer_id = delivered.conversation.customer_id
    path = f"/api/v1/customers/{customer_id}"
    assert (await (await sign_in(inside.email)).http.get(path)).status_code == 200
    assert (await (await sign_in(boss.email)).http.get(path)).status_code == 200
    outsider = (await sign_in(outside.email)).http
    hidden = await outsider.get(path)
    missing = await outsider.get(f"/api/v1/customers/{customer_id + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


# --- /metrics ---------------------------------------------------------------------------------

async def test_metrics_need_a_metrics_token(services, app, client, make_agent, sign_in):
    assert (await client.get("/metrics")).status_code == 401
    admin = await make_agent("Boss", role=Role.admin)
    lead = await make_agent("Lead", role=Role.supervisor)
    _, write_token = await create_api_token(services, admin, "ops", "write")
    _, metrics_token = await create_api_token(services, admin, "prometheus", "metrics")
    wrong = await client.get("/metrics", headers={"authorization": f"Bearer {write_token}"})
    assert wrong.status_code == 403
    forged = await client.get("/metrics", headers={"authorization": "Bearer wdk_nope"})
    assert forged.status_code == 401
    scraped = await client.get("/metrics", headers={"authorization": f"Bearer {metrics_token}"})
    assert scraped.status_code == 200 and "walletdesk" in scraped.text
    # the metrics token opens nothing else
    api = await client.get("/api/v1/me", headers={"authorization": f"Bearer {metrics_token}"})
    assert api.status_code == 403
    signed = await sign_in(lead.email)
    refused = await signed.http.post("/api/v1/me/tokens", headers={"x-csrf-token": signed.csrf},
                                     json={"name": "p", "scope": "metrics"})
    assert refused.status_code == 403
    assert (await signed.http.get("/metrics")).status_code == 401  # a session is not enough


async def test_metrics_from_loopback_when_the_setting_allows(services):
    services.settings.metrics_allow_loopback = True
    app = create_app(services.settings, services)
    local = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5000)),
                              base_url="http://desk.test")
    remote = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 5000)),
                               base_url="http://desk.test")
    async with local, remote:
        assert (await local.get("/metrics")).status_code == 200
        assert (await remote.get("/metrics")).status_code == 401


# --- the widget page's frame-ancestors --------------------------------------------------------

async def test_widget_frame_ancestors_follow_the_allowed_origins(services, client):
    assert "frame-ancestors *" in (await client.get("/widget")).headers["content-security-policy"]
    services.settings.widget_allowed_origins = ["https://wallet.example.com"]
    app = create_app(services.settings, services)
    async with _client(app) as http:
        csp = (await http.get("/widget")).headers["content-security-policy"]
        assert "frame-ancestors 'self' https://wallet.example.com" in csp
        assert "frame-ancestors *" not in csp
        assert "frame-ancestors 'self'" in (await http.get("/login")).headers[
            "content-security-policy"]


def test_origins_that_would_break_the_policy_are_refused():
    from walletdesk.config import Settings

    with pytest.raises(ValueError, match="not an origin"):
        Settings(widget_allowed_origins=["https://a.example.com; script-src *"])


# --- the development server -------------------------------------------------------------------

def test_serve_refuses_the_built_in_key_beyond_loopback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALLETDESK_")}
    env.update({"WALLETDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                "COLUMNS": "200"})
    result = subprocess.run([sys.executable, "-m", "walletdesk.cli", "serve", "--host", "0.0.0.0",
                             "--port", "1"], env=env, capture_output=True, text=True)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing to listen on 0.0.0.0" in result.stdout
    assert "WALLETDESK_SECRET_KEY" in result.stdout and DEV_SECRET_KEY not in result.stdout
