"""Real-browser fixtures: Debian's chromium driven by Playwright, against a live server.

The browser tests use their own SQLite database (the engines are covered by the other
tests); screenshots go to test-artifacts/ for people to look at.
"""

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

from tests.conftest import LiveServer, RecordingBus, make_settings, serving, wipe
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.services import Services
from walletdesk.web.app import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
# how long an expectation waits for the page: Playwright's 5 s failed a widget's first message
# (still "Sending…") with the suite's other workers loading the 2 cores to 14; a wait, not a
# duration under test (a passing expectation returns as soon as it holds)
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists(), "chromium is missing: `make test` installs Debian's chromium"
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                    args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


@pytest.fixture(scope="session")
async def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    database = Database(url)
    await upgrade_database(database.engine)
    await database.dispose()
    return url


@pytest.fixture
async def e2e_services(e2e_database: str) -> AsyncIterator[Services]:
    services = Services(make_settings(e2e_database), bus=RecordingBus())
    yield services
    await wipe(services.db)
    await services.stop()


@pytest.fixture
async def server(e2e_services: Services) -> AsyncIterator[LiveServer]:
    async with serving(create_app(e2e_services.settings, e2e_services)) as live:
        yield live


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
