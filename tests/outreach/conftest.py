"""The web fixtures (the app in-process, signed-in clients) for the outreach pages and API."""

from tests.web.conftest import app, client, sign_in  # noqa: F401
