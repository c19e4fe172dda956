"""The web fixtures (the app in-process, signed-in clients) for the customer-context tests."""

from tests.web.conftest import app, client, sign_in  # noqa: F401
