"""The operator's context endpoint: what the operator's backend wants agents (and the bot) to
know about a verified customer — account level, points balance, recent transactions, app
version, and any other fields it chooses (docs/configure.md, "The customer's context").

The desk POSTs ``{"user_id": …, "email": …, "verified_by": …}`` for a customer whose identity
is verified (the operator signed their user id in the widget, or they proved their e-mail
with a one-time code), signed as walletdesk.customer_context.signing says. A timeout, a
connection error, an answer that is not 200, not a JSON object, or larger than
``customer_context_max_bytes`` makes the context "unavailable" (never an error page, never a
stuck panel). Answers are kept in this process for ``customer_context_cache_s`` (failures for
a few seconds), and one request at a time goes out per customer however many ask.
"""

import asyncio
import math
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import httpx
import orjson
import structlog

from walletdesk import __version__
from walletdesk.config import Settings
from walletdesk.customer_context.signing import signed_headers
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow

log = structlog.get_logger(__name__)

State = Literal["ok", "unavailable", "unverified", "not_configured"]
FAILURE_CACHE_S = 5.0  # an endpoint that is down is not asked again by every panel at once
MIN_REFRESH_S = 2.0  # a refresh within this of the last answer gets that answer
CACHE_ENTRIES = 5000
MAX_TRANSACTIONS = 20
MAX_EXTRA_FIELDS = 20
TEXT_LIMITS = {"account_level": 60, "app_version": 40}
TRANSACTION_FIELDS = {"id": 100, "type": 40, "amount": 40, "asset": 20, "status": 40,
                      "at": 40, "hash": 128, "address": 128, "network": 40}
KNOWN = frozenset({"account_level", "points", "app_version", "recent_transactions"})
MAX_POINTS = 10**15
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,16}")  # ASCII digits ("²" is a digit to isdigit)
EXTRA_VALUE_CHARS = 200
FIELD_NAME_CHARS = 60


@dataclass(frozen=True)
class Subject:
    """Whom to ask about: the operator's own user id, else the e-mail proved with a code."""

    user_id: str | None
    email: str | None

    @property
    def verified_by(self) -> str:
        return "identity" if self.user_id else "email"

    @property
    def key(self) -> str:
        return f"user:{self.user_id}" if self.user_id else f"email:{self.email}"


def subject_of(customer: Customer | None) -> Subject | None:
    """None for a customer whose identity is not verified: nothing is asked about them."""
    if customer is None or customer.erased_at is not None:
        return None
    if customer.verified_user_id:
        return Subject(customer.verified_user_id, None)
    if customer.email_verified_at is not None and customer.email:
        return Subject(None, customer.email)
    return None


@dataclass(frozen=True)
class Transaction:
    values: dict[str, str]


@dataclass(frozen=True)
class OperatorContext:
    state: State
    reason: str | None = None  # why unavailable: timeout, connection, http_503, bad_json, too_large
    account_level: str | None = None
    points: int | None = None
    app_version: str | None = None
    # None: the operator sent no list (the bot cannot say there are none)
    transactions: tuple[Transaction, ...] | None = None
    # the operator's other fields, as (name, text) for display
    extra: tuple[tuple[str, str], ...] = ()
    fetched_at: datetime | None = None
    cached: bool = False


def not_asked(state: State) -> OperatorContext:
    return OperatorContext(state=state)


@dataclass
class _Cache:
    entries: "OrderedDict[tuple[str, str], tuple[float, float, OperatorContext]]" = field(
        default_factory=OrderedDict)  # key → (expires, fetched, context)
    inflight: dict[tuple[str, str], "asyncio.Task[OperatorContext]"] = field(
        default_factory=dict)


_cache = _Cache()


def clear_cache() -> None:
    _cache.entries.clear()


async def operator_context(settings: Settings, subject: Subject | None,
                           refresh: bool = False) -> OperatorContext:
    """The operator's context of a verified customer (from the cache unless ``refresh``)."""
    if not settings.customer_context_url or not settings.customer_context_secret:
        return not_asked("not_configured")
    if subject is None:
        return not_asked("unverified")
    key = (settings.customer_context_url, subject.key)
    now = time.monotonic()
    cached = _cache.entries.get(key)
    if cached is not None:
        expires, fetched, context = cached
        if now < expires and (not refresh or now - fetched < MIN_REFRESH_S):
            return replace(context, cached=True)
    task = _cache.inflight.get(key)
    if task is None:  # one request per customer however many ask; a caller that goes away
        # (a closed panel) does not cancel it, its answer still fills the cache
        task = asyncio.create_task(_fetch_and_remember(settings, subject, key))
        _cache.inflight[key] = task
    return await asyncio.shield(task)


async def _fetch_and_remember(settings: Settings, subject: Subject,
                              key: tuple[str, str]) -> OperatorContext:
    try:
        context = await _fetch(settings, subject)
        ttl = settings.customer_context_cache_s if context.state == "ok" \
            else min(FAILURE_CACHE_S, settings.customer_context_cache_s)
        _remember(key, context, ttl)
        return context
    finally:
        _cache.inflight.pop(key, None)


def _remember(key: tuple[str, str], context: OperatorContext, ttl: float) -> None:
    if ttl <= 0:
        return
    now = time.monotonic()
    _cache.entries[key] = (now + ttl, now, context)
    _cache.entries.move_to_end(key)
    while len(_cache.entries) > CACHE_ENTRIES:
        _cache.entries.popitem(last=False)


def request_body(subject: Subject) -> bytes:
    return orjson.dumps({"user_id": subject.user_id, "email": subject.email,
                         "verified_by": subject.verified_by})


async def _fetch(settings: Settings, subject: Subject) -> OperatorContext:
    assert settings.customer_context_url and settings.customer_context_secret
    body = request_body(subject)
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "User-Agent": f"walletdesk/{__version__}",
               **signed_headers(settings.customer_context_secret, int(time.time()), body)}
    limit = settings.customer_context_max_bytes
    timeout = settings.customer_context_timeout_s
    try:
        # the whole exchange within the timeout, however slowly the answer trickles in
        async with asyncio.timeout(timeout), httpx.AsyncClient(
                timeout=timeout, follow_redirects=False, trust_env=False) as client, \
                client.stream("POST", settings.customer_context_url, content=body,
                              headers=headers) as response:
            if response.status_code != 200:
                return _unavailable(f"http_{response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return _unavailable("too_large")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    return _unavailable("too_large")
                chunks.append(chunk)
    except TimeoutError:
        return _unavailable("timeout")
    except httpx.TimeoutException:
        return _unavailable("timeout")
    except (httpx.HTTPError, OSError):
        return _unavailable("connection")
    try:
        answer = orjson.loads(b"".join(chunks))
    except orjson.JSONDecodeError:
        return _unavailable("bad_json")
    if not isinstance(answer, dict):
        return _unavailable("bad_json")
    try:
        return parse_answer(answer)
    except (ValueError, TypeError, OverflowError):  # a shape the checks below let through
        return _unavailable("bad_json")


def _unavailable(reason: str) -> OperatorContext:
    # the reason only: never the customer's id or what the endpoint said
    log.warning("customer_context_unavailable", reason=reason)
    return OperatorContext(state="unavailable", reason=reason, fetched_at=utcnow())


def _text(value: object, limit: int) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())  # no line breaks or tabs inside a value
    return value[:limit] or None


def _points(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        value = int(value.strip())
    return value if isinstance(value, int) and abs(value) <= MAX_POINTS else None


def _transactions(value: object) -> tuple[Transaction, ...] | None:
    if not isinstance(value, list):
        return None
    found = []
    for item in value[:MAX_TRANSACTIONS]:
        if not isinstance(item, dict):
            continue
        values = {name: text for name, limit in TRANSACTION_FIELDS.items()
                  if (text := _text(item.get(name), limit)) is not None}
        if values:
            found.append(Transaction(values))
    return tuple(found)


def _extra_value(value: object) -> str | None:
    simple = _text(value, EXTRA_VALUE_CHARS)
    if simple is not None or value is None or isinstance(value, str):
        return simple
    if isinstance(value, bool):
        return "true" if value else "false"
    try:  # an object or a list: shown as compact JSON text (escaped where it is shown)
        return orjson.dumps(value).decode()[:EXTRA_VALUE_CHARS]
    except (TypeError, orjson.JSONEncodeError):
        return None


def parse_answer(answer: dict[str, Any]) -> OperatorContext:
    """The documented fields where they have the documented types (others ignored), and up
    to ``MAX_EXTRA_FIELDS`` other fields as text."""
    extra = []
    for name, value in answer.items():
        if name in KNOWN or not isinstance(name, str) or len(extra) >= MAX_EXTRA_FIELDS:
            continue
        label = _text(name, FIELD_NAME_CHARS)
        shown = _extra_value(value)
        if label and shown is not None:
            extra.append((label, shown))
    return OperatorContext(
        state="ok",
        account_level=_text(answer.get("account_level"), TEXT_LIMITS["account_level"]),
        points=_points(answer.get("points")),
        app_version=_text(answer.get("app_version"), TEXT_LIMITS["app_version"]),
        transactions=_transactions(answer.get("recent_transactions")),
        extra=tuple(extra),
        fetched_at=utcnow(),
    )
