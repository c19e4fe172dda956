"""The one pair of `walletdesk serve` processes the multiprocess tests of tests/live share.

A server process takes seconds of CPU to start (a minute on a loaded machine), so the tests
that need two of them on one desk (PostgreSQL + Redis) share one pair per test process: the
``two_servers`` fixture. They carry the xdist group ``redis-event-channel`` (added below),
which pytest 9 ignores (docs/development.md). Each test makes its own agents (unique
e-mails), teams, tokens and conversations on the shared desk (``TwoServers.services``), so
none depends on another or on their order.
"""

from collections.abc import AsyncIterator

import pytest

from tests.live.helpers import TwoServers, two_server_processes

# the tests on the shared server pair (server processes talking through Redis)
TWO_SERVERS_GROUP = "redis-event-channel"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "two_servers" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(TWO_SERVERS_GROUP))


@pytest.fixture(scope="session")
async def two_servers() -> AsyncIterator[TwoServers]:
    """Two `walletdesk serve` processes on a new migrated PostgreSQL database, sharing Redis,
    for the whole run (on the session's event loop: pyproject's asyncio loop scopes)."""
    async with two_server_processes() as servers:
        yield servers
