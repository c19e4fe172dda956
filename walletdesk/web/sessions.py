"""Signed session cookies, CSRF tokens, widget visitor tokens and rate limiting.

The session cookie carries a random token whose row in ``agent_sessions`` is the truth
(walletdesk.accounts.sessions): the signature only keeps forged cookies off the database.
"""

import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from hashlib import sha256

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

SESSION_COOKIE = "wd_session"
# between a right password and the second factor (or its set-up): who, for a few minutes
PENDING_LOGIN_COOKIE = "wd_pending_login"
PENDING_LOGIN_MAX_AGE_S = 5 * 60


@dataclass
class SessionData:
    token: str
    csrf_seed: str
    session_id: int = 0  # the agent_sessions row, filled in once looked up


@dataclass
class PendingLogin:
    agent_id: int
    stage: str  # "code" or "enrol"
    next: str


class Signer:
    def __init__(self, secret_key: str, session_max_age_s: int) -> None:
        self._secret = secret_key.encode()
        self._sessions = URLSafeTimedSerializer(secret_key, salt="walletdesk-session")
        self._visitors = URLSafeSerializer(secret_key, salt="walletdesk-visitor")
        self._pending = URLSafeTimedSerializer(secret_key, salt="walletdesk-pending-login")
        self._max_age = session_max_age_s

    def session_cookie(self, token: str) -> str:
        return self._sessions.dumps({"t": token, "c": secrets.token_urlsafe(16)})

    def read_session(self, cookie: str | None) -> SessionData | None:
        if not cookie or len(cookie) > 1000:
            return None
        try:
            data = self._sessions.loads(cookie, max_age=self._max_age)
            return SessionData(str(data["t"]), str(data["c"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def pending_login_cookie(self, agent_id: int, stage: str, next_path: str) -> str:
        return self._pending.dumps({"a": agent_id, "s": stage, "n": next_path})

    def read_pending_login(self, cookie: str | None) -> PendingLogin | None:
        if not cookie or len(cookie) > 1000:
            return None
        try:
            data = self._pending.loads(cookie, max_age=PENDING_LOGIN_MAX_AGE_S)
            return PendingLogin(int(data["a"]), str(data["s"]), str(data["n"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def csrf_token(self, session: SessionData) -> str:
        return hmac.new(self._secret, f"csrf:{session.csrf_seed}".encode(), sha256).hexdigest()

    def csrf_valid(self, session: SessionData, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(session), token or "")

    def visitor_token(self, visitor_id: str) -> str:
        return self._visitors.dumps({"v": visitor_id})

    def read_visitor(self, token: object) -> str | None:
        if not isinstance(token, str) or len(token) > 500:
            return None
        try:
            return str(self._visitors.loads(token)["v"])
        except (BadSignature, KeyError, TypeError):
            return None


class RateLimiter:
    """A sliding-window counter per key (e.g. login attempts per client address).

    Per process: the account lockout, stored on the agent row, is the limit shared by all
    processes; this one only slows a single client down.
    """

    MAX_KEYS = 100_000  # past this, keys whose window has passed are forgotten

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        if len(self._hits) > self.MAX_KEYS:
            for stale in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window_s]:
                del self._hits[stale]
        hits = self._hits[key]
        while hits and now - hits[0] > self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


class WidgetMessageLimits:
    """Anonymous widget messages per visitor and per client address (per process)."""

    def __init__(self, per_visitor_per_min: int, per_address_per_min: int) -> None:
        self.visitor = RateLimiter(per_visitor_per_min, 60)
        self.address = RateLimiter(per_address_per_min, 60)
