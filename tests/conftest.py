"""Test fixtures: every database test runs against SQLite and the machine's PostgreSQL.

Each test run creates its own PostgreSQL database (``wd_test_<random>``) and drops it at the
end; SQLite uses a file in pytest's temporary directory. Between tests all rows are deleted,
so tests never see each other's data and never assume an empty server.

`make test` runs the suite on two processes (pytest-xdist, ``--dist loadgroup``): each worker
has its own PostgreSQL and SQLite databases (above), its own data directory
(``WALLETDESK_DATA_DIR``, set below) and OS-chosen ports. Hypothesis runs derandomized (the
"deterministic" profile below): CI tests the same examples every time; ``make fuzz`` explores
random ones (docs/development.md).
"""

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import structlog
import uvicorn
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from tests import app_setup_cache
from walletdesk.accounts.actions import create_agent, create_team
from walletdesk.accounts.models import Agent, Presence, Role, Team
from walletdesk.accounts.passwords import configure_hashing
from walletdesk.config import Settings
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.events.bus import Event, EventBus
from walletdesk.models import Base
from walletdesk.services import Services
from walletdesk.web.hub_transport import HubWebSocketProtocol

POSTGRES_ADMIN_DSN = os.environ.get("WALLETDESK_TEST_POSTGRES_DSN",
                                    "postgresql://postgres@127.0.0.1:5432/test")
ENGINES = ["sqlite", "postgresql"]
PASSWORD = "correct-horse-battery"

# Hypothesis: the same examples on every run unless HYPOTHESIS_PROFILE=fuzz (`make fuzz`).
# No example database in the deterministic profile: a replayed failure from a developer's
# earlier run would make CI depend on the machine. Timing health checks and deadlines are off:
# the machine is shared, so a slow example is not a failure.
hypothesis_settings.register_profile(
    "deterministic", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile(
    "fuzz", derandomize=False, deadline=None, print_blob=True,
    max_examples=int(os.environ.get("WALLETDESK_FUZZ_EXAMPLES", "1000")),
    suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
# FastAPI's route set-up and Jinja's compiled templates, once per process instead of once per
# test app (tests/app_setup_cache.py)
app_setup_cache.install()
# Password hashes at argon2id's lowest cost in tests (production keeps 3 passes over 64 MiB,
# walletdesk/config.py): a shift of agents signing in per test is the suite's largest CPU cost.
# The environment carries it to the server processes the live tests start.
TEST_HASH_COST = {"time_cost": 1, "memory_kib": 1024}
os.environ.setdefault("WALLETDESK_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("WALLETDESK_PASSWORD_HASH_MEMORY_KIB", "1024")
configure_hashing(None, **TEST_HASH_COST)
_DATA_DIR = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """A data directory (attachments, bot engines) per test process, outside the work tree
    (also for the pytest-xdist workers, which inherit the controller's environment)."""
    if os.environ.get("WALLETDESK_DATA_DIR") and not os.environ.get("WALLETDESK_TEST_DATA_DIR"):
        return  # the developer's own choice
    data_dir = tempfile.mkdtemp(prefix="walletdesk-test-data-")
    os.environ["WALLETDESK_DATA_DIR"] = os.environ["WALLETDESK_TEST_DATA_DIR"] = data_dir
    config.stash[_DATA_DIR] = data_dir


def pytest_unconfigure(config: pytest.Config) -> None:
    data_dir = config.stash.get(_DATA_DIR, None)
    if data_dir is not None:
        shutil.rmtree(data_dir, ignore_errors=True)


# pytest-xdist groups (`--dist loadgroup`: a group's tests run on one worker, in turn):
# - the demo knowledge base's bot engine (tests/bot/test_bot_flow.py) takes a minute of CPU to
#   build, once per process: its tests share one worker so it is built once per run.
DEMO_ENGINE_GROUP = "bot-demo-engine"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "demo_engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(DEMO_ENGINE_GROUP))
    profile = config.getoption("hypothesis_profile", None) or os.environ.get("HYPOTHESIS_PROFILE")
    if profile == "fuzz":
        _fuzz_only(config, items)


def _fuzz_only(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make fuzz`: only the property tests, each with WALLETDESK_FUZZ_FACTOR times its own
    example count and random examples (their own ``@settings`` would otherwise fix both)."""
    factor = int(os.environ.get("WALLETDESK_FUZZ_FACTOR", "10"))
    kept, dropped = [], []
    for item in items:
        test = getattr(item, "obj", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is None or not getattr(test, "is_hypothesis_test", False):
            dropped.append(item)
            continue
        kept.append(item)
        test._hypothesis_internal_use_settings = hypothesis_settings(  # type: ignore[union-attr]
            own, derandomize=False, database=hypothesis_settings.default.database,
            max_examples=max(own.max_examples * factor, hypothesis_settings.default.max_examples))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _restore_logging_config() -> Iterator[None]:
    """A test that configures logging under capsys/capfd binds structlog to a stream closed
    after it; put back the configuration from before the test so the next test's logs (on
    another worker's order too) do not fail with "I/O operation on closed file"."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


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


@pytest.fixture(params=ENGINES)
async def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each engine, not migrated, for one test (a migration's tests)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}"
        return
    name = f"wd_blank_{uuid.uuid4().hex[:12]}"
    url = await create_pg_database(name)
    yield url
    await drop_pg_database(name)


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
    """Delete every row (children first), in one transaction and one round trip: the DELETEs
    go as one script (PostgreSQL's simple query protocol runs it as one transaction)."""
    async with database.engine.begin() as conn:
        quote = conn.dialect.identifier_preparer.format_table
        deletes = [f"DELETE FROM {quote(table)}" for table in reversed(Base.metadata.sorted_tables)]
        if conn.dialect.name == "postgresql":
            raw = await conn.get_raw_connection()
            await raw.driver_connection.execute(";\n".join(deletes))
            return
        for statement in deletes:
            await conn.exec_driver_sql(statement)
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
                              "two_factor_roles": [],
                              # a loaded test machine must not shed the suite's own bursts;
                              # tests/web/test_load_shedding.py sets a short one
                              "database_pool_timeout_s": 10,
                              "password_hash_time_cost": TEST_HASH_COST["time_cost"],
                              "password_hash_memory_kib": TEST_HASH_COST["memory_kib"]}
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
    def __init__(self, app: Any, port: int, server: uvicorn.Server) -> None:
        self.app = app
        self.port = port
        self.server = server
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"


@contextlib.asynccontextmanager
async def serving(app: Any, log_level: str = "warning") -> AsyncIterator[LiveServer]:
    """The app served by uvicorn on a free loopback port, in the test's own event loop."""
    port = free_port()
    # the WebSocket protocol `walletdesk serve` runs (walletdesk.web.hub_transport), without
    # compression as it runs by default (WALLETDESK_WS_PER_MESSAGE_DEFLATE)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level=log_level, ws_max_size=4 * 1024 * 1024,
                                           ws=HubWebSocketProtocol, ws_per_message_deflate=False))
    task = asyncio.create_task(server.serve())
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started, "test server did not start"
    try:
        yield LiveServer(app, port, server)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def live_server(services: Services) -> AsyncIterator[LiveServer]:
    """The real app for ``services``, served on loopback."""
    from walletdesk.web.app import create_app

    async with serving(create_app(services.settings, services)) as server:
        yield server
