"""Test fixtures: every database test runs against SQLite and the machine's PostgreSQL.

Each test run creates its own PostgreSQL database (``wd_test_<random>``) and drops it at the
end; SQLite uses a file in pytest's temporary directory. Between tests all rows are deleted,
so tests never see each other's data and never assume an empty server.
"""

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
import uvicorn
from sqlalchemy import text

from walletdesk.accounts.actions import create_agent, create_team
from walletdesk.accounts.models import Agent, Presence, Role, Team
from walletdesk.config import Settings
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.events.bus import Event, EventBus
from walletdesk.models import Base
from walletdesk.services import Services

POSTGRES_ADMIN_DSN = os.environ.get("WALLETDESK_TEST_POSTGRES_DSN",
                                    "postgresql://postgres@127.0.0.1:5432/test")
ENGINES = ["sqlite", "postgresql"]
PASSWORD = "correct-horse-battery"


async def create_pg_database(name: str) -> str:
    conn = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    host_part = POSTGRES_ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{host_part}/{name}"


async def drop_pg_database(name: str) -> None:
    conn = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session", params=ENGINES)
async def database_url(request: pytest.FixtureRequest,
                       tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A migrated, empty database of each engine, for the whole run."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'walletdesk.db'}"
        name = None
    else:
        name = f"wd_test_{uuid.uuid4().hex[:12]}"
        url = await create_pg_database(name)
    database = Database(url)
    await upgrade_database(database.engine)
    await database.dispose()
    yield url
    if name is not None:
        await drop_pg_database(name)


async def wipe(database: Database) -> None:
    async with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())
        if conn.dialect.name == "sqlite":
            with contextlib.suppress(Exception):
                await conn.execute(text("DELETE FROM sqlite_sequence"))


class RecordingBus(EventBus):
    """The in-process bus, remembering what was published (after commit) for assertions."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[Event] = []

    async def publish(self, event: Event) -> None:
        self.published.append(event)
        await super().publish(event)

    def of_type(self, kind: str) -> list[Event]:
        return [e for e in self.published if e["type"] == kind]


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"environment": "test", "database_url": database_url,
                              "secret_key": "test-secret-key-" + "x" * 32, "log_json": True,
                              "log_level": "WARNING", "redis_url": None,
                              "embedded_worker": False,
                              # admins sign in with a password here; two-factor login has its
                              # own tests (tests/web/test_sessions_and_2fa.py)
                              "two_factor_roles": []}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    settings = make_settings(database_url)
    svc = Services(settings, bus=RecordingBus())
    await svc.start()
    yield svc
    await wipe(svc.db)
    await svc.stop()


@pytest.fixture
def bus(services: Services) -> RecordingBus:
    assert isinstance(services.bus, RecordingBus)
    return services.bus


@pytest.fixture
def make_team(services: Services) -> Callable[..., Any]:
    async def _make(name: str = "Support", **fields: Any) -> Team:
        async with services.transaction() as session:
            return await create_team(session, None, name=name, **fields)
    return _make


async def make_agent_in(services: Services, name: str = "Alice", *, role: Role = Role.agent,
                        teams: list[Team] | None = None, languages: list[str] | None = None,
                        capacity: int = 5, online: bool = False) -> Agent:
    """An agent made with the real action; e-mail is <name>@example.com, password PASSWORD."""
    async with services.transaction() as session:
        agent = await create_agent(
            session, email=f"{name.lower().replace(' ', '.')}@example.com", display_name=name,
            password=PASSWORD, role=role, languages=languages or [], capacity=capacity,
            team_ids=[t.id for t in teams or []])
    if online:
        from walletdesk.accounts.actions import set_presence
        agent = await set_presence(services, agent.id, Presence.online)
    return agent


@pytest.fixture
def make_agent(services: Services) -> Callable[..., Any]:
    async def _make(name: str = "Alice", **kwargs: Any) -> Agent:
        return await make_agent_in(services, name, **kwargs)
    return _make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"


@contextlib.asynccontextmanager
async def serving(app: Any, log_level: str = "warning") -> AsyncIterator[LiveServer]:
    """The app served by uvicorn on a free loopback port, in the test's own event loop."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level=log_level, ws_max_size=4 * 1024 * 1024))
    task = asyncio.create_task(server.serve())
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started, "test server did not start"
    try:
        yield LiveServer(app, port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def live_server(services: Services) -> AsyncIterator[LiveServer]:
    """The real app for ``services``, served on loopback."""
    from walletdesk.web.app import create_app

    async with serving(create_app(services.settings, services)) as server:
        yield server
