"""Device cookies (decision 0058): during a guess spread over many addresses, the owner's
browser signs in from a new place at once; without its cookie (or with a forged, expired,
another agent's, outdated or too often wrong one) a new place waits its turn as before.

The slow-down's next turn is set an hour ahead explicitly, so no attempt from a new place can
win a turn while a test runs, however slow the machine."""

import logging
from datetime import timedelta
from http.cookies import SimpleCookie

import httpx
from itsdangerous import URLSafeSerializer
from sqlalchemy import select, update

from tests.conftest import PASSWORD
from walletdesk.accounts import device_trust, totp, two_factor
from walletdesk.accounts.actions import authenticate, logout_everywhere, update_agent
from walletdesk.accounts.device_trust import issue_device_cookie
from walletdesk.accounts.login_throttle import (
    ACCOUNT,
    SLOW_AFTER_LOCKS,
    attempt_keys,
    device_key,
)
from walletdesk.accounts.models import Agent, LoginThrottle, Role
from walletdesk.audit.models import AuditEvent
from walletdesk.db.base import utcnow
from walletdesk.services import Services
from walletdesk.web.routes.auth import DEVICE_COOKIE
from walletdesk.web.sessions import PENDING_LOGIN_COOKIE, SESSION_COOKIE

HOME, CAFE, AIRPORT = "198.51.100.20", "192.0.2.44", "192.0.2.91"
NEW_PASSWORD = "violet harbour lantern 42"  # noqa: S105 - a test password


def _browser(app, address: str, scheme: str = "http") -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50000)),
                             base_url=f"{scheme}://desk.test")


def _carry(cookie: str, to: httpx.AsyncClient) -> httpx.AsyncClient:
    """The same browser on another network: its device cookie goes with it."""
    to.cookies.set(DEVICE_COOKIE, cookie, domain="desk.test", path="/login")
    return to


def _device_set_cookie(response: httpx.Response) -> SimpleCookie | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{DEVICE_COOKIE}="):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            return jar
    return None


async def _guess_from_many_addresses(services: Services, email: str = "mei@example.com") -> None:
    """A distributed guess: wrong passwords from many addresses, until the account slows new
    places; then the next turn for a new place is set an hour ahead."""
    for address in range(SLOW_AFTER_LOCKS + 1):
        for _ in range(services.settings.login_max_failures):
            result = await authenticate(services, email, "guess", f"10.0.0.{address}")
            assert result.error in ("invalid", "slow")
    async with services.transaction() as session:
        slowed = await session.execute(
            update(LoginThrottle).where(LoginThrottle.account_key == attempt_keys(email, "")[0],
                                        LoginThrottle.source_key == ACCOUNT)
            .values(next_attempt_at=utcnow() + timedelta(hours=1)))
        assert slowed.rowcount == 1  # type: ignore[attr-defined]


async def _agent(services: Services, agent_id: int) -> Agent:
    async with services.read() as session:
        agent = await session.scalar(select(Agent).where(Agent.id == agent_id))
    assert agent is not None
    return agent


async def test_the_owners_browser_signs_in_from_a_new_place_during_a_distributed_guess(
        services, app, make_agent, caplog):
    await make_agent("Mei")
    app.state.login_limiter.limit = 1000
    async with _browser(app, HOME) as home:
        signed_in = await home.post("/login", data={"email": "mei@example.com",
                                                    "password": PASSWORD})
        assert signed_in.status_code == 303
        cookie = signed_in.cookies[DEVICE_COOKIE]
    await _guess_from_many_addresses(services)

    caplog.set_level(logging.DEBUG)
    async with _carry(cookie, _browser(app, CAFE)) as cafe, _browser(app, AIRPORT) as airport:
        at_once = await cafe.post("/login", data={"email": "mei@example.com",
                                                  "password": PASSWORD})
        assert at_once.status_code == 303 and SESSION_COOKIE in at_once.cookies
        renewed = at_once.cookies[DEVICE_COOKIE]
        assert renewed != cookie  # a fresh nonce at each full sign-in
        # the same right password from a new place without the cookie waits, as before
        slowed = await airport.post("/login", data={"email": "mei@example.com",
                                                    "password": PASSWORD})
        assert slowed.status_code == 429 and SESSION_COOKIE not in slowed.cookies
        assert DEVICE_COOKIE not in slowed.cookies
    # the place it came from is trusted now too, without the cookie
    assert (await authenticate(services, "mei@example.com", PASSWORD, CAFE)).agent is not None
    async with services.read() as session:
        details = [str(d) for d in (await session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "agent.login"))).all()]
    assert any("trusted_device" in detail for detail in details)
    for secret in (cookie, renewed):  # never logged, never audited
        assert secret not in caplog.text and all(secret not in d for d in details)


async def test_the_cookie_is_httponly_lax_for_the_sign_in_pages_and_secure_over_https(
        services, app, make_agent):
    await make_agent("Mei")
    for scheme, secure in (("http", ""), ("https", True)):
        async with _browser(app, HOME, scheme) as browser:
            response = await browser.post("/login", data={"email": "mei@example.com",
                                                          "password": PASSWORD})
        jar = _device_set_cookie(response)
        assert jar is not None
        morsel = jar[DEVICE_COOKIE]
        assert morsel["httponly"] is True and morsel["samesite"].lower() == "lax"
        assert morsel["path"] == "/login" and morsel["secure"] == secure
        assert int(morsel["max-age"]) == services.settings.device_cookie_max_age_s == 90 * 86400


async def test_a_forged_expired_or_other_agents_cookie_does_not_help(services, make_agent):
    mei = await make_agent("Mei")
    bob = await make_agent("Bob")
    settings = services.settings
    await _guess_from_many_addresses(services)
    max_age = timedelta(seconds=settings.device_cookie_max_age_s)
    good = issue_device_cookie(settings, mei)
    assert good is not None
    other_key = settings.model_copy(update={"secret_key": "another-desk-secret-key-0123456789"})
    payload = URLSafeSerializer(settings.secret_key, salt="walletdesk-device").loads(good)
    refused = {
        "forged": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "another desk's": issue_device_cookie(other_key, mei),
        "unsigned": URLSafeSerializer("guessed", salt="walletdesk-device").dumps(payload),
        "expired": issue_device_cookie(settings, mei,
                                       now=utcnow() - max_age - timedelta(minutes=1)),
        "Bob's": issue_device_cookie(settings, bob),
        "issued in the future": issue_device_cookie(settings, mei,
                                                    now=utcnow() + timedelta(days=1)),
        "oversized": good + "x" * device_trust.MAX_COOKIE_CHARS,
    }
    answers = {name: (await authenticate(services, "mei@example.com", PASSWORD, f"192.0.2.{i}",
                                         cookie)).error
               for i, (name, cookie) in enumerate(refused.items())}
    assert answers == dict.fromkeys(refused, "slow")
    # the same right password with the good cookie, from yet another new place
    assert (await authenticate(services, "mei@example.com", PASSWORD, "192.0.2.200",
                               good)).agent is not None
    # almost expired is still good (times set explicitly, not waited for)
    nearly = issue_device_cookie(settings, mei, now=utcnow() - max_age + timedelta(minutes=5))
    assert (await authenticate(services, "mei@example.com", PASSWORD, "192.0.2.201",
                               nearly)).agent is not None
    # Mei's cookie does nothing for an e-mail no agent has, nor for Bob's account
    for email in ("nobody@example.com", "bob@example.com"):
        await _guess_from_many_addresses(services, email)
        assert (await authenticate(services, email, PASSWORD, "192.0.2.202",
                                   good)).error == "slow"


async def test_a_password_change_sign_out_everywhere_or_deactivation_outdates_the_cookie(
        services, make_agent):
    mei = await make_agent("Mei")
    admin = await make_agent("Ada", role=Role.admin)
    await _guess_from_many_addresses(services)
    before = issue_device_cookie(services.settings, mei)
    await update_agent(services, admin, mei.id, {"password": NEW_PASSWORD})
    assert (await authenticate(services, "mei@example.com", NEW_PASSWORD, CAFE,
                               before)).error == "slow"
    after_change = issue_device_cookie(services.settings, await _agent(services, mei.id))
    assert (await authenticate(services, "mei@example.com", NEW_PASSWORD, "192.0.2.1",
                               after_change)).agent is not None

    await logout_everywhere(services, mei.id)
    assert (await authenticate(services, "mei@example.com", NEW_PASSWORD, "192.0.2.2",
                               after_change)).error == "slow"
    after_sign_out = issue_device_cookie(services.settings, await _agent(services, mei.id))

    await update_agent(services, admin, mei.id, {"is_active": False})
    assert (await authenticate(services, "mei@example.com", NEW_PASSWORD, "192.0.2.3",
                               after_sign_out)).error == "slow"
    await update_agent(services, admin, mei.id, {"is_active": True})  # back, but not the cookie
    assert (await authenticate(services, "mei@example.com", NEW_PASSWORD, "192.0.2.4",
                               after_sign_out)).error == "slow"


async def test_a_cookie_with_too_many_failures_stops_helping(services, make_agent):
    mei = await make_agent("Mei")
    limit = services.settings.login_max_failures
    await _guess_from_many_addresses(services)
    stolen = issue_device_cookie(services.settings, mei)
    assert stolen is not None
    # the cookie's failures count against the cookie: from any address, never slowed...
    wrong = [(await authenticate(services, "mei@example.com", f"guess-{i}", f"192.0.2.{i}",
                                 stolen)).error for i in range(limit)]
    assert wrong == ["invalid"] * limit
    # ...until it has too many: then it is an attempt like any other from a new place
    assert (await authenticate(services, "mei@example.com", PASSWORD, "192.0.2.100",
                               stolen)).error == "slow"
    async with services.read() as session:
        locks = (await session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "agent.locked"))).all()
        nonce = URLSafeSerializer(services.settings.secret_key,
                                  salt="walletdesk-device").loads(stolen)["n"]
        row = await session.scalar(select(LoginThrottle).where(
            LoginThrottle.source_key == device_key(nonce)))
    assert [lock["for"] for lock in locks].count("one device") == 1  # the others: addresses
    assert row is not None and row.failures == limit and row.locked_until is not None
    # trusted again once its lock is over (OWASP: locked out for a while), set explicitly
    async with services.transaction() as session:
        await session.execute(update(LoginThrottle).where(LoginThrottle.id == row.id)
                              .values(locked_until=utcnow() - timedelta(seconds=1)))
    assert (await authenticate(services, "mei@example.com", PASSWORD, "192.0.2.101",
                               stolen)).agent is not None


async def test_with_two_factor_both_steps_pass_from_a_new_place_and_only_then_the_cookie(
        services, app, make_agent):
    mei = await make_agent("Mei")
    app.state.login_limiter.limit = 1000
    enrolment = await two_factor.begin_enrolment(services, mei.id)
    codes = await two_factor.confirm_enrolment(services, mei.id, totp.code_at(enrolment.secret))
    async with _browser(app, HOME) as home:
        step = await home.post("/login", data={"email": "mei@example.com", "password": PASSWORD})
        assert step.headers["location"] == "/login/code" and PENDING_LOGIN_COOKIE in step.cookies
        assert DEVICE_COOKIE not in step.cookies  # not for a password alone
        done = await home.post("/login/code", data={"code": codes[0]})
        assert done.status_code == 303 and SESSION_COOKIE in done.cookies
        cookie = done.cookies[DEVICE_COOKIE]
    await _guess_from_many_addresses(services)
    async with _carry(cookie, _browser(app, CAFE)) as cafe, _browser(app, AIRPORT) as airport:
        step = await cafe.post("/login", data={"email": "mei@example.com", "password": PASSWORD})
        assert step.headers["location"] == "/login/code"
        done = await cafe.post("/login/code", data={"code": codes[1]})
        assert done.status_code == 303 and SESSION_COOKIE in done.cookies
        slowed = await airport.post("/login", data={"email": "mei@example.com",
                                                    "password": PASSWORD})
        assert slowed.status_code == 429 and PENDING_LOGIN_COOKIE not in slowed.cookies
