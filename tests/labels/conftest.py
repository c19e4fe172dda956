"""The HTTP fixtures of tests/web (the app in-process) for the labels API tests."""

from tests.web.conftest import app, client, sign_in  # noqa: F401
