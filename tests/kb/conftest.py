"""Fixtures of the knowledge-base tests."""

from collections.abc import AsyncIterator

import httpx
import pytest

from walletdesk.services import Services
from walletdesk.web.app import create_app


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The desk's web app, spoken to in process."""
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://desk.test") as c:
        yield c
