"""Fixtures of the chain tests: a chain client closed after each test."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from walletdesk.chains.lookup import ChainClient
from walletdesk.config import Settings


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., ChainClient]]:
    made: list[ChainClient] = []

    def _make(endpoints: dict[str, str], **overrides: Any) -> ChainClient:
        values: dict[str, Any] = {"environment": "test", "chain_endpoints": endpoints,
                                  "chain_timeout_s": 2.0, "chain_retries": 1,
                                  "chain_requests_per_s": 1000.0}
        values.update(overrides)
        client = ChainClient(Settings(**values))
        made.append(client)
        return client

    yield _make
    for client in made:
        await client.close()
