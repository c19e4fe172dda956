"""Device cookies: a browser an agent fully signed in with is trusted for that agent
(docs/decisions/0058-sign-in-limits-per-address-not-per-account.md; OWASP's "Slow Down Online
Guessing Attacks with Device Cookies").

After a full sign-in (password, and the second factor when the agent has one) the browser
gets a cookie signed with the desk's secret key naming the agent, a random nonce, when it was
issued, and a binding: a keyed hash of the agent's password hash and session version. A
sign-in attempt carrying a valid one for the typed e-mail's agent skips the account's
slow-down (walletdesk.accounts.login_throttle counts it against the nonce instead of the
address). The cookie stops being valid after ``device_cookie_max_age_s``, when its agent's
password changes, when they sign out everywhere (the session version moves), when the agent
is deactivated, and when the secret key changes. Stateless: nothing is stored but the
nonce's failure count (a keyed hash, in ``login_throttles``).

The cookie is a credential's companion: never logged, never in an audit detail.
"""

import hashlib
import hmac
import secrets
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from walletdesk.accounts.models import Agent
from walletdesk.config import Settings
from walletdesk.db.base import utcnow
from walletdesk.services import Services

MAX_COOKIE_CHARS = 1000
SALT = "walletdesk-device"


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=SALT)


def _binding(settings: Settings, agent: Agent) -> str:
    """Changes with the password and with every "who may sign in" change (session_version)."""
    message = f"device:{agent.id}:{agent.session_version}:{agent.password_hash}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def issue_device_cookie(settings: Settings, agent: Agent,
                        now: datetime | None = None) -> str | None:
    """The cookie for a browser ``agent`` has just fully signed in with (None: turned off)."""
    if settings.device_cookie_max_age_s <= 0:
        return None
    issued = int((now or utcnow()).timestamp())
    return str(_serializer(settings).dumps({
        "a": agent.id, "n": secrets.token_hex(16), "t": issued, "b": _binding(settings, agent)}))


def trusted_device(settings: Settings, cookie: str | None, agent: Agent | None,
                   now: datetime | None = None) -> str | None:
    """The device's nonce when ``cookie`` is a valid device cookie of ``agent`` (active, same
    password and session version, not expired), else None."""
    if not cookie or len(cookie) > MAX_COOKIE_CHARS or agent is None or not agent.is_active \
            or settings.device_cookie_max_age_s <= 0:
        return None
    try:
        data = _serializer(settings).loads(cookie)
        agent_id, nonce, issued, binding = int(data["a"]), str(data["n"]), int(data["t"]), \
            str(data["b"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    age = int((now or utcnow()).timestamp()) - issued
    if agent_id != agent.id or not 0 <= age < settings.device_cookie_max_age_s \
            or not hmac.compare_digest(binding, _binding(settings, agent)) or not nonce:
        return None
    return nonce


async def device_cookie_for(services: Services, agent_id: int) -> str | None:
    """The cookie for an agent known by id only (two-factor set up at sign-in)."""
    async with services.read() as session:
        agent = await session.scalar(select(Agent).where(Agent.id == agent_id))
    if agent is None or not agent.is_active:
        return None
    return issue_device_cookie(services.settings, agent)
