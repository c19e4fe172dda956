"""Load shedding: an overloaded process answers "busy, retry" at once instead of queueing.

Admission is decided at the door, per process, so that what is let in is finished (its
after-commit listeners included) instead of timing out half-way:

- ``ConcurrencyLimit``: an HTTP request beyond ``max_concurrent_requests`` in flight is
  answered 503 with ``Retry-After`` before any work is done;
- ``InFlightLimit.admit()`` around each socket frame (walletdesk.web.routes.sockets): a frame
  beyond ``max_concurrent_frames`` in flight gets ``busy_frame`` (``{"type": "error", "code":
  "busy", "retry": true, "retry_after": seconds}``, docs/api.md) without being handled;
- the backstop: a transaction that got no pool connection within ``database_pool_timeout_s``
  raises ``DatabaseBusy`` (walletdesk.services), answered the same way. Code that decides
  elsewhere that the process is overloaded (a full queue) raises ``DatabaseBusy`` too.

Nothing is lost: the client resends the same request after ``retry_after``, and a message
resent with the same ``client_id`` is stored once.
"""

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from walletdesk import i18n
from walletdesk.config import Settings
from walletdesk.db.engine import DatabaseBusy
from walletdesk.i18n import N_
from walletdesk.web.error_pages import is_customer_page, wants_json
from walletdesk.web.localization import request_locale

# counted, not logged: under overload a log line per refusal would add to the load
SHED = Counter("walletdesk_requests_shed_total", "Requests and frames answered busy",
               # concurrency (HTTP), frames (sockets), pool (no connection in time), race
               # (a transaction lost to another twice: rolled back)
               ["reason"])
BUSY_CODE = "busy"
BUSY_DETAIL = "the desk is busy; retry shortly"
BUSY_HEADING = N_("The desk is busy right now")
BUSY_EXPLANATION = N_("Too many requests at once. Try again in a few seconds.")
# cheap answers that must keep working under load: probes, scrapers, the pages' files
EXEMPT_PREFIXES = ("/healthz", "/metrics", "/static/")


def retry_after_header(seconds: float) -> str:
    """Retry-After takes whole seconds; never 0 (that would invite an instant stampede)."""
    return str(max(1, math.ceil(seconds)))


def _count_database_busy(busy: BaseException) -> None:
    """A busy answer for the database's sake: ``race`` (a transaction lost to another
    twice), else ``pool`` (no connection in time)."""
    SHED.labels("race" if str(busy) == "race" else "pool").inc()


def busy_frame(busy: DatabaseBusy, frame: dict[str, Any] | None = None) -> dict[str, Any]:
    """The socket's answer to a frame shed under load; the client resends it after
    ``retry_after`` seconds (same ``client_id``: stored once)."""
    if str(busy) != "frames":  # the frame limit counts its own refusals
        _count_database_busy(busy)
    error: dict[str, Any] = {"type": "error", "code": BUSY_CODE, "detail": BUSY_DETAIL,
                             "retry": True, "retry_after": busy.retry_after_s}
    if frame is not None and isinstance(frame.get("client_id"), str):
        error["client_id"] = frame["client_id"]
    return error


def busy_response(request: Request, retry_after_s: float) -> Response:
    """503 + Retry-After: JSON for machines, the error page for people (no database lookup:
    the database is what is short)."""
    headers = {"Retry-After": retry_after_header(retry_after_s)}
    if wants_json(request):
        return JSONResponse({"detail": BUSY_DETAIL, "code": BUSY_CODE}, status_code=503,
                            headers=headers)
    catalog = i18n.translations(request_locale(request))
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {
        "status_code": 503, "heading": catalog.gettext(BUSY_HEADING),
        "explanation": catalog.gettext(BUSY_EXPLANATION), "detail": "", "agent": None,
        "csrf_token": "", "customer_page": is_customer_page(request.url.path),
    }, status_code=503, headers=headers)


class InFlightLimit:
    """At most ``limit`` socket frames being handled at once in this process."""

    def __init__(self, limit: int, retry_after_s: float) -> None:
        self.limit = limit
        self.retry_after_s = retry_after_s
        self.in_flight = 0

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Raises DatabaseBusy (answered with ``busy_frame``) when the process is full."""
        if self.in_flight >= self.limit:
            SHED.labels("frames").inc()
            raise DatabaseBusy("frames", self.retry_after_s)
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1


class ConcurrencyLimit:
    """At most ``limit`` HTTP requests in flight in this process; the rest are answered busy
    at once. WebSockets are long-lived and pass (their frames have ``InFlightLimit``)."""

    def __init__(self, app: ASGIApp, limit: int, retry_after_s: float) -> None:
        self.app = app
        self.limit = limit
        self.retry_after_s = retry_after_s
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            SHED.labels("concurrency").inc()
            await busy_response(Request(scope, receive), self.retry_after_s)(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def install_load_shedding(app: FastAPI, settings: Settings) -> None:
    """The concurrency limit (as a middleware at this point of the stack), the sockets' frame
    limit and the 503 answer for a request that found the pool exhausted."""
    app.state.frame_limit = InFlightLimit(settings.max_concurrent_frames,
                                          settings.busy_retry_after_s)
    app.add_middleware(ConcurrencyLimit, limit=settings.max_concurrent_requests,
                       retry_after_s=settings.busy_retry_after_s)

    async def _database_busy(request: Request, exc: Exception) -> Response:
        _count_database_busy(exc)
        retry_after = exc.retry_after_s if isinstance(exc, DatabaseBusy) else 1.0
        return busy_response(request, retry_after)

    app.add_exception_handler(DatabaseBusy, _database_busy)
