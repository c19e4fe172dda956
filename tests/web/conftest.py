"""HTTP fixtures: the app in-process (httpx ASGI transport) and signed-in clients per role."""

import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from tests.conftest import PASSWORD
from walletdesk.web.app import create_app


@pytest.fixture
async def app(services):  # type: ignore[no-untyped-def]
    return create_app(services.settings, services)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://desk.test") as c:
        yield c


class SignedIn:
    def __init__(self, client: httpx.AsyncClient, csrf: str) -> None:
        self.http = client
        self.csrf = csrf


@pytest.fixture
def sign_in(app) -> Callable[[str], Awaitable[SignedIn]]:  # type: ignore[no-untyped-def]
    """A new client signed in as ``email``, with its CSRF token."""
    clients: list[httpx.AsyncClient] = []

    async def _sign_in(email: str) -> SignedIn:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://desk.test")
        clients.append(http)
        response = await http.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.text
        page = await http.get("/app")
        match = re.search(r'data-csrf="([^"]+)"', page.text)
        assert match, "the workspace page carries the CSRF token"
        return SignedIn(http, match.group(1))

    return _sign_in
