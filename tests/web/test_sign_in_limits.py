"""Sign-in limits (decision 0058): an unknown e-mail is answered exactly as a known one; failed
attempts lock the e-mail for the address they came from, not for everyone; a guess spread over
many addresses slows the places the account was not used from, never the owner's."""

import re

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from walletdesk.accounts import actions, login_throttle, totp
from walletdesk.accounts.actions import authenticate
from walletdesk.accounts.login_throttle import ACCOUNT, source_network
from walletdesk.accounts.models import LoginThrottle
from walletdesk.audit.models import AuditEvent
from walletdesk.web.sessions import PENDING_LOGIN_COOKIE, SESSION_COOKIE

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"
ERROR = re.compile(r'class="error"[^>]*>(.*?)<', re.S)


def _from(app, address: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50000)),
                             base_url="http://desk.test")


def _answer(response: httpx.Response) -> tuple[int, str]:
    found = ERROR.search(response.text)
    return response.status_code, found.group(1).strip() if found else ""


async def test_an_unknown_email_is_answered_exactly_as_a_known_one(services, app, make_agent):
    await make_agent("Mei")
    app.state.login_limiter.limit = 1000
    attempts = services.settings.login_max_failures + 2
    answers = {}
    for email in ("mei@example.com", "nobody@example.com"):
        async with _from(app, ATTACKER) as http:
            answers[email] = [_answer(await http.post("/login", data={
                "email": email, "password": f"wrong-{i}"})) for i in range(attempts)]
    assert answers["mei@example.com"] == answers["nobody@example.com"]
    assert [status for status, _ in answers["mei@example.com"]] == [401] * attempts
    texts = [text for _, text in answers["mei@example.com"]]
    limit = services.settings.login_max_failures
    assert texts[:limit] == ["Wrong e-mail or password."] * limit
    assert all("locked for a while" in text for text in texts[limit:])


async def test_unknown_and_known_emails_do_the_same_work(services, make_agent, monkeypatch):
    """The same checks of a hash (a dummy one for an unknown e-mail) and the same answers."""
    await make_agent("Mei")
    checked: list[bool] = []
    real = actions.verify_password_off_loop

    async def counting(password_hash: str | None, password: str) -> bool:
        checked.append(password_hash is None)
        return await real(password_hash, password)

    monkeypatch.setattr(actions, "verify_password_off_loop", counting)
    limit = services.settings.login_max_failures
    known = [(await authenticate(services, "mei@example.com", "bad", ATTACKER)).error
             for _ in range(limit + 1)]
    known_checks, checked[:] = list(checked), []
    unknown = [(await authenticate(services, "NoBody@example.com ", "bad", ATTACKER)).error
               for _ in range(limit + 1)]
    assert known == unknown == ["invalid"] * limit + ["locked"]
    assert known_checks == [False] * limit and checked == [True] * limit  # none when locked
    async with services.read() as session:
        rows = (await session.scalars(select(LoginThrottle))).all()
        audits = sorted((await session.scalars(select(AuditEvent.action))).all())
    assert len(rows) == 4 and {row.failures for row in rows} == {limit}  # pairs and accounts
    assert audits == ["agent.create", "agent.locked", "sign_in.locked"]


async def test_the_owner_signs_in_from_elsewhere_while_the_attacker_is_locked(services, app,
                                                                              make_agent):
    await make_agent("Mei")
    app.state.login_limiter.limit = 1000
    async with _from(app, ATTACKER) as attacker, _from(app, OWNER) as owner:
        for i in range(services.settings.login_max_failures):
            await attacker.post("/login", data={"email": "mei@example.com", "password": f"g{i}"})
        refused = await attacker.post("/login", data={"email": "mei@example.com",
                                                      "password": PASSWORD})
        assert refused.status_code == 401 and "locked" in refused.text
        signed_in = await owner.post("/login", data={"email": "mei@example.com",
                                                     "password": PASSWORD})
        assert signed_in.status_code == 303 and SESSION_COOKIE in signed_in.cookies
        # the owner's sign-in frees nobody else: the attacker is still refused, unchecked
        again = await attacker.post("/login", data={"email": "mei@example.com",
                                                    "password": PASSWORD})
        assert again.status_code == 401 and "locked" in again.text
        assert SESSION_COOKIE not in again.cookies


async def test_wrong_codes_lock_the_address_they_came_from_only(services, app, make_agent,
                                                                sign_in):
    agent = await make_agent("Mei")
    app.state.login_limiter.limit = 1000
    signed = await sign_in(agent.email)
    page = await signed.http.post("/account/security/enrol", data={"csrf_token": signed.csrf})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)  # type: ignore[union-attr]
    done = await signed.http.post("/account/security/confirm", data={
        "csrf_token": signed.csrf, "code": totp.code_at(secret)})
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", done.text)
    async with _from(app, ATTACKER) as attacker, _from(app, OWNER) as owner:
        # the attacker has the password: the code step is limited per address as well
        step = await attacker.post("/login", data={"email": agent.email, "password": PASSWORD})
        assert step.headers["location"] == "/login/code" and PENDING_LOGIN_COOKIE in step.cookies
        for _ in range(services.settings.login_max_failures):
            assert (await attacker.post("/login/code", data={"code": "000000"})
                    ).status_code == 401
        locked = await attacker.post("/login/code", data={"code": codes[0]})
        assert locked.status_code == 401 and "locked" in locked.text
        step = await owner.post("/login", data={"email": agent.email, "password": PASSWORD})
        assert step.headers["location"] == "/login/code"
        assert (await owner.post("/login/code", data={"code": codes[0]})).status_code == 303
        still = await attacker.post("/login/code", data={"code": codes[1]})
        assert still.status_code == 401 and "locked" in still.text


async def test_a_guess_from_many_addresses_slows_new_places_not_the_owners(
        services, make_agent, monkeypatch):
    await make_agent("Mei")
    monkeypatch.setattr(login_throttle, "_interval", lambda failures, settings:
                        login_throttle.MAX_INTERVAL * 60)  # no second slot during the test
    assert (await authenticate(services, "mei@example.com", PASSWORD, OWNER)).agent
    limit = services.settings.login_max_failures
    guesses = 0
    for address in range(login_throttle.SLOW_AFTER_LOCKS):
        for _ in range(limit):
            result = await authenticate(services, "mei@example.com", "guess", f"10.0.0.{address}")
            guesses += result.error == "invalid"
    assert guesses == login_throttle.slow_after(services.settings)
    # from a new address one attempt is let through, and then each waits its turn
    first = await authenticate(services, "mei@example.com", "guess", "10.0.1.1")
    then = [(await authenticate(services, "mei@example.com", PASSWORD, f"10.0.2.{i}")).error
            for i in range(3)]
    assert first.error == "invalid" and then == ["slow"] * 3
    # the owner, from where they signed in before, is not slowed
    assert (await authenticate(services, "mei@example.com", PASSWORD, OWNER)).agent
    # an unknown e-mail under the same guessing is slowed the same way
    for address in range(login_throttle.SLOW_AFTER_LOCKS):
        for _ in range(limit):
            await authenticate(services, "nobody@example.com", "guess", f"10.0.0.{address}")
    unknown = [(await authenticate(services, "nobody@example.com", "guess", f"10.0.3.{i}")).error
               for i in range(4)]
    assert unknown == ["invalid", "slow", "slow", "slow"]
    async with services.read() as session:
        account = await session.scalar(select(LoginThrottle).where(
            LoginThrottle.source_key == ACCOUNT, LoginThrottle.failures > 20))
        slowed = (await session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("%.slowed")))).all()
    assert account is not None
    assert sorted(slowed) == ["agent.slowed", "sign_in.slowed"]


async def test_a_slowed_address_gets_a_429_with_what_to_do(services, app, make_agent,
                                                           monkeypatch):
    await make_agent("Mei")
    app.state.login_limiter.limit = 1000
    monkeypatch.setattr(login_throttle, "_interval", lambda failures, settings:
                        login_throttle.MAX_INTERVAL * 60)
    for address in range(login_throttle.SLOW_AFTER_LOCKS + 1):
        for _ in range(services.settings.login_max_failures):
            await authenticate(services, "mei@example.com", "guess", f"10.0.0.{address}")
    async with _from(app, OWNER) as http:
        response = await http.post("/login", data={"email": "mei@example.com",
                                                   "password": PASSWORD})
    assert response.status_code == 429 and "sign in where you usually do" in response.text


@pytest.mark.parametrize(("address", "counted_as"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("unknown", "unknown"),
])
def test_an_ipv6_source_counts_by_its_64(address: str, counted_as: str) -> None:
    assert source_network(address) == counted_as
