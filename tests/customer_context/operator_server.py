"""A stand-in for the operator's context endpoint, served on loopback: it checks each request's
signature exactly as docs/configure.md tells operators to (its own code, not the desk's), and
answers as the test says — a context, slowly, an error, bad JSON, too much."""

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.conftest import serving

SECRET = "operator-context-secret-0123456789"
CONTEXT = {
    "account_level": "Gold",
    "points": 1200,
    "app_version": "3.2.1",
    "recent_transactions": [
        {"id": "wd-981", "type": "withdrawal", "amount": "250.00", "asset": "USDT",
         "status": "completed", "at": "2026-11-28T09:15:00Z",
         "hash": "0x9fd2c1b7a3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddee"},
        {"id": "dp-77", "type": "deposit", "amount": "0.5", "asset": "ETH",
         "status": "pending", "at": "2026-11-29T18:40:00Z"},
    ],
    "kyc_status": "passed",
    "note_html": "<img src=x onerror=\"window.__xss=1\">",
}


@dataclass
class Operator:
    url: str = ""
    answer: Any = field(default_factory=lambda: dict(CONTEXT))
    # ok, hold, status, bad_json, not_object, oversize, oversize_chunked
    mode: str = "ok"
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0  # requests whose signature did not verify
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


def signature_ok(secret: str, headers: Any, body: bytes) -> bool:
    """What an operator's backend does (docs/configure.md, "Verifying the desk's requests")."""
    timestamp = headers.get("x-walletdesk-timestamp", "")
    given = headers.get("x-walletdesk-signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def operator_app(state: Operator) -> Starlette:
    async def context(request: Request) -> Response:
        body = await request.body()
        if not signature_ok(SECRET, request.headers, body):
            state.refused += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        state.requests.append(json.loads(body))
        state.arrived.set()
        if state.mode == "hold":  # answers once the test lets it (or at the end)
            await state.release.wait()
        if state.mode == "status":
            return JSONResponse({"error": "down"}, status_code=state.status)
        if state.mode == "bad_json":
            return Response(b'{"points": 12', media_type="application/json")
        if state.mode == "not_object":
            return JSONResponse([1, 2, 3])
        if state.mode == "oversize":
            return Response(b'{"pad": "' + b"x" * 200_000 + b'"}', media_type="application/json")
        if state.mode == "oversize_chunked":  # no Content-Length: the size shows as it streams
            async def chunks() -> AsyncIterator[bytes]:
                yield b'{"pad": "'
                for _ in range(100):
                    yield b"y" * 4096
                yield b'"}'
            return StreamingResponse(chunks(), media_type="application/json")
        return JSONResponse(state.answer)

    return Starlette(routes=[Route("/support/context", context, methods=["POST"])])


@asynccontextmanager
async def operator_endpoint() -> AsyncIterator[Operator]:
    state = Operator()
    async with serving(operator_app(state)) as live:
        state.url = f"{live.url}/support/context"
        try:
            yield state
        finally:
            state.release.set()


def configure(settings: Any, operator: Operator, **overrides: Any) -> None:
    """Point the desk's settings at the stand-in (settings are assigned, as tests do)."""
    settings.customer_context_url = operator.url
    settings.customer_context_secret = SECRET
    # a loaded test machine may be slow to answer even on loopback: no test here is about it
    settings.customer_context_timeout_s = 20.0
    for name, value in overrides.items():
        setattr(settings, name, value)
