"""Signing in: passwords, lockout, rate limit, session expiry, logout, CSRF, API tokens."""

import hashlib
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from tests.conftest import PASSWORD
from walletdesk.accounts.models import ApiToken, Role
from walletdesk.accounts.sessions import start_session
from walletdesk.web.sessions import SESSION_COOKIE


async def test_login_sets_an_httponly_signed_cookie(client, make_agent):
    agent = await make_agent("Alice")
    response = await client.post("/login", data={"email": "ALICE@example.com ",
                                                 "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/app"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert (await client.get("/api/v1/me")).json()["id"] == agent.id


async def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_agent):
    await make_agent("Alice")
    wrong = await client.post("/login", data={"email": "alice@example.com", "password": "nope"})
    unknown = await client.post("/login", data={"email": "who@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password." in wrong.text and "Wrong e-mail or password." in unknown.text
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")


async def test_lockout_after_repeated_failures_refuses_even_the_right_password(
        services, client, make_agent):
    await make_agent("Alice")
    for _ in range(services.settings.login_max_failures):
        await client.post("/login", data={"email": "alice@example.com", "password": "bad"})
    locked = await client.post("/login", data={"email": "alice@example.com",
                                               "password": PASSWORD})
    assert locked.status_code == 401 and "locked" in locked.text


async def test_too_many_attempts_from_one_address_are_slowed_down(services, app, client):
    app.state.login_limiter.limit = 3
    codes = [(await client.post("/login", data={"email": "x@example.com", "password": "y"}))
             .status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


async def test_expired_or_forged_session_is_refused(services, client, make_agent):
    agent = await make_agent("Alice")
    payload = {"t": await start_session(services, agent.id), "c": "x"}
    fresh = URLSafeTimedSerializer(services.settings.secret_key, salt="walletdesk-session")
    client.cookies.set(SESSION_COOKIE, fresh.dumps(payload))
    assert (await client.get("/api/v1/me")).status_code == 200

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - services.settings.session_max_age_s - 60

    expired = URLSafeTimedSerializer(services.settings.secret_key, salt="walletdesk-session",
                                     signer=SignedLongAgo)
    client.cookies.set(SESSION_COOKIE, expired.dumps(payload))
    assert (await client.get("/api/v1/me")).status_code == 401
    forged = URLSafeTimedSerializer("not-our-key", salt="walletdesk-session").dumps(payload)
    client.cookies.set(SESSION_COOKIE, forged)
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_logout_everywhere_ends_other_sessions(make_agent, sign_in):
    agent = await make_agent("Alice")
    laptop = await sign_in(agent.email)
    phone = await sign_in(agent.email)
    response = await laptop.http.post("/logout", data={"csrf_token": laptop.csrf,
                                                       "everywhere": "true"})
    assert response.status_code == 303
    assert (await phone.http.get("/api/v1/me")).status_code == 401
    without_csrf = await phone.http.post("/logout", data={})
    assert without_csrf.status_code == 303  # signed out already: sent to the login page


@pytest.mark.parametrize("target, expected", [
    ("/admin", "/admin"), ("https://evil.example/", "/app"), ("//evil.example", "/app"),
    ("javascript:alert(1)", "/app"),
])
async def test_next_never_leaves_the_site(client, make_agent, target, expected):
    await make_agent("Alice")
    response = await client.post("/login", data={"email": "alice@example.com",
                                                 "password": PASSWORD, "next": target})
    assert response.headers["location"] == expected


async def test_csrf_is_required_for_cookie_authenticated_changes(make_agent, sign_in):
    agent = await make_agent("Boss", role=Role.admin)
    signed = await sign_in(agent.email)
    no_header = await signed.http.put("/api/v1/me/presence", json={"presence": "online"})
    assert no_header.status_code == 403
    wrong = await signed.http.put("/api/v1/me/presence", json={"presence": "online"},
                                  headers={"x-csrf-token": "0" * 64})
    assert wrong.status_code == 403
    ok = await signed.http.put("/api/v1/me/presence", json={"presence": "online"},
                               headers={"x-csrf-token": signed.csrf})
    assert ok.status_code == 200 and ok.json()["presence"] == "online"
    form = await signed.http.post("/admin/teams", data={"name": "No token"})
    assert form.status_code == 403


async def test_api_tokens_are_hashed_scoped_to_their_agent_and_revocable(
        services, client, make_agent, sign_in):
    agent = await make_agent("Integrator", role=Role.supervisor)
    signed = await sign_in(agent.email)
    created = await signed.http.post("/api/v1/me/tokens", json={"name": "backend"},
                                     headers={"x-csrf-token": signed.csrf})
    assert created.status_code == 201
    token = created.json()["token"]
    async with services.read() as session:
        row = await session.scalar(select(ApiToken))
    assert row is not None and row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash

    bearer = {"authorization": f"Bearer {token}"}
    me = await client.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["id"] == agent.id
    # no CSRF needed with a bearer token
    assert (await client.put("/api/v1/me/presence", json={"presence": "away"},
                             headers=bearer)).status_code == 200
    # the token carries its agent's role: a supervisor's token cannot create agents
    refused = await client.post("/api/v1/agents", headers=bearer, json={
        "email": "new@example.com", "display_name": "New", "password": "long-enough-pw"})
    assert refused.status_code == 403

    revoked = await client.delete(f"/api/v1/me/tokens/{created.json()['id']}", headers=bearer)
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    assert (await client.get("/api/v1/me", headers={"authorization": "Bearer wdk_made-up"})
            ).status_code == 401
