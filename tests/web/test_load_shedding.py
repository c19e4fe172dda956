"""Load shedding: an exhausted pool or too many requests in flight answer "busy, retry" at
once (HTTP 503 + Retry-After, a busy socket frame), and the retry succeeds once there is room."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.conftest import RecordingBus, make_agent_in, make_settings, serving, wipe
from tests.live.helpers import customer
from walletdesk.accounts.actions import create_api_token, create_team
from walletdesk.conversations.models import Message
from walletdesk.db.engine import DatabaseBusy
from walletdesk.services import Services
from walletdesk.web.app import create_app
from walletdesk.web.load_shedding import SHED, ConcurrencyLimit, busy_frame


@pytest.fixture
async def tiny_pool(database_url: str) -> AsyncIterator[Services]:
    """One connection, and a short wait for it: holding it makes the process "overloaded"."""
    settings = make_settings(database_url, database_pool_size=1, database_max_overflow=0,
                             database_pool_timeout_s=1.0, busy_retry_after_s=2)
    services = Services(settings, bus=RecordingBus())
    await services.start()
    yield services
    await wipe(services.db)
    await services.stop()


@contextlib.asynccontextmanager
async def held_connection(services: Services) -> AsyncIterator[None]:
    """Takes the pool's only connection (as a long transaction elsewhere would), once the
    desk's own background work (the message's listeners) has given it back: on a loaded
    machine that can take longer than the pool's one-second wait."""
    while True:
        try:
            connection = await services.db.engine.connect()
            break
        except PoolTimeout:
            continue
    try:
        await connection.execute(text("SELECT 1"))
        yield
    finally:
        await connection.close()


async def test_http_and_socket_answer_busy_then_succeed(tiny_pool: Services) -> None:
    services = tiny_pool
    async with services.transaction() as session:
        await create_team(session, None, name="Support")
    staff = await make_agent_in(services, "Olga")
    _, token = await create_api_token(services, staff, "ops", "read")
    async with serving(create_app(services.settings, services)) as server:
        visitor, _ = await customer(server.ws_url)
        assert (await visitor.say("before the rush"))["type"] == "ack"
        async with httpx.AsyncClient(base_url=server.url,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            async with held_connection(services):
                api = await http.get("/api/v1/me")
                assert api.status_code == 503
                assert api.headers["retry-after"] == "2"
                assert api.json()["code"] == "busy"
                page = await http.get("/help", headers={"Accept": "text/html"})
                assert page.status_code == 503 and page.headers["retry-after"] == "2"
                assert "busy" in page.text
                shed = await visitor.say("during the rush", client_id="shed-me")
                assert shed == {"type": "error", "code": "busy", "client_id": "shed-me",
                                "detail": shed["detail"], "retry": True, "retry_after": 2}
            assert (await http.get("/api/v1/me")).status_code == 200
        ok = await visitor.say("during the rush", client_id="shed-me")  # the client's retry
        assert ok["type"] == "ack" and ok["duplicate"] is False

        frames = server.app.state.frame_limit  # as if that many frames were being handled
        frames.in_flight = frames.limit
        full = await visitor.say("still busy", client_id="full")
        assert (full["code"], full["retry"], full["retry_after"]) == ("busy", True, 2)
        frames.in_flight = 0
        assert (await visitor.say("still busy", client_id="full"))["type"] == "ack"
        await visitor.close()
    async with services.read() as session:
        stored = await session.scalar(select(func.count()).select_from(Message).where(
            Message.client_id == "shed-me"))
    assert stored == 1 and frames.in_flight == 0


async def test_requests_beyond_the_concurrency_limit_are_shed() -> None:
    release = asyncio.Event()

    async def slow(request: Request) -> PlainTextResponse:
        await release.wait()
        return PlainTextResponse("done")

    inner = Starlette(routes=[Route("/api/v1/slow", slow), Route("/healthz", slow)])
    limited = ConcurrencyLimit(inner, limit=1, retry_after_s=0.5)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limited),
                                 base_url="http://desk") as http:
        first = asyncio.create_task(http.get("/api/v1/slow"))
        while limited.in_flight == 0:
            await asyncio.sleep(0)
        refused = await http.get("/api/v1/slow")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"  # whole seconds, never 0
        assert refused.json() == {"detail": "the desk is busy; retry shortly", "code": "busy"}
        # probes are never shed: refused, it would have its 503 at once
        probe = asyncio.create_task(http.get("/healthz"))
        release.set()
        assert (await first).status_code == 200
        assert (await probe).status_code == 200
        assert (await http.get("/api/v1/slow")).status_code == 200
        assert limited.in_flight == 0


async def test_a_person_gets_the_busy_page(tmp_path: Path) -> None:
    # no database is reached: refused before any work
    services = Services(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"))
    app = create_app(services.settings, services)
    app.middleware_stack = layer = app.build_middleware_stack()
    while not isinstance(layer, ConcurrencyLimit):
        layer = layer.app  # type: ignore[attr-defined]
    layer.in_flight = layer.limit  # as if that many requests were being served
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://desk") as http:
        page = await http.get("/login", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.headers["retry-after"] == "1"
    assert page.headers["content-type"].startswith("text/html") and "busy" in page.text
    assert "Content-Security-Policy" in page.headers  # inside the security headers


def test_a_busy_frame_is_counted_by_its_reason() -> None:
    """The shed metric says why: no pool connection in time, or a race lost twice; the
    frame limit's refusals are counted where they happen, not again."""
    def shed(reason: str) -> float:
        return SHED.labels(reason)._value.get()

    before = {reason: shed(reason) for reason in ("pool", "race", "frames")}
    for reason in ("pool", "race", "race", "frames"):
        frame = busy_frame(DatabaseBusy(reason, 2.0), {"client_id": "c1"})
        assert frame["code"] == "busy" and frame["client_id"] == "c1"
    assert {reason: shed(reason) - before[reason] for reason in before} == {
        "pool": 1, "race": 2, "frames": 0}
