"""Two-factor login required per role through WALLETDESK_TWO_FACTOR_ROLES with a value other
than the default: supervisors without a second factor are sent to enrol before they get a
session; roles not listed sign in with a password (SQLite and PostgreSQL)."""

import re

import httpx

from tests.conftest import PASSWORD
from walletdesk.accounts import totp
from walletdesk.accounts.models import Role
from walletdesk.config import Settings
from walletdesk.web.sessions import PENDING_LOGIN_COOKIE, SESSION_COOKIE


def _client(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk.test")


def test_the_roles_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WALLETDESK_TWO_FACTOR_ROLES", '["supervisor"]')
    assert Settings().two_factor_roles == ["supervisor"]
    monkeypatch.delenv("WALLETDESK_TWO_FACTOR_ROLES")
    assert Settings().two_factor_roles == ["admin"]  # the default the test above overrides


async def test_a_supervisor_without_two_factor_is_sent_to_enrol(services, app, make_agent):
    services.settings.two_factor_roles = ["supervisor"]
    lead = await make_agent("Lead", role=Role.supervisor)
    agent = await make_agent("Alice")
    admin = await make_agent("Boss", role=Role.admin)

    async with _client(app) as http:
        response = await http.post("/login", data={"email": lead.email, "password": PASSWORD})
        assert response.status_code == 303 and response.headers["location"] == "/login/enrol"
        assert SESSION_COOKIE not in response.cookies and PENDING_LOGIN_COOKIE in response.cookies
        assert (await http.get("/api/v1/me")).status_code == 401  # no session yet
        assert (await http.get("/api/v1/conversations?view=all")).status_code == 401
        page = await http.get("/login/enrol")
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)  # type: ignore[union-attr]
        done = await http.post("/login/enrol", data={"code": totp.code_at(secret)})
        assert done.status_code == 200
        me = await http.get("/api/v1/me")
        assert me.status_code == 200 and me.json()["role"] == "supervisor"
        http.cookies.clear()
        again = await http.post("/login", data={"email": lead.email, "password": PASSWORD})
        assert again.headers["location"] == "/login/code"  # from now on with a code

    # roles the setting does not list (admins too, here) sign in with the password alone
    for who in (agent, admin):
        async with _client(app) as http:
            response = await http.post("/login", data={"email": who.email, "password": PASSWORD})
            assert response.status_code == 303
            assert response.headers["location"] not in ("/login/enrol", "/login/code")
            assert (await http.get("/api/v1/me")).json()["id"] == who.id
