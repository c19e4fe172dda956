"""Signed session cookies, CSRF tokens, widget visitor tokens and login rate limiting."""

import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from hashlib import sha256

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

SESSION_COOKIE = "wd_session"


@dataclass
class SessionData:
    agent_id: int
    session_version: int
    csrf_seed: str


class Signer:
    def __init__(self, secret_key: str, session_max_age_s: int) -> None:
        self._secret = secret_key.encode()
        self._sessions = URLSafeTimedSerializer(secret_key, salt="walletdesk-session")
        self._visitors = URLSafeSerializer(secret_key, salt="walletdesk-visitor")
        self._max_age = session_max_age_s

    def session_cookie(self, agent_id: int, session_version: int) -> str:
        return self._sessions.dumps({"a": agent_id, "v": session_version,
                                     "c": secrets.token_urlsafe(16)})

    def read_session(self, cookie: str | None) -> SessionData | None:
        if not cookie:
            return None
        try:
            data = self._sessions.loads(cookie, max_age=self._max_age)
            return SessionData(int(data["a"]), int(data["v"]), str(data["c"]))
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

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        hits = self._hits[key]
        while hits and now - hits[0] > self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True
