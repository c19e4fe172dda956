"""The HTTP fixtures of tests/web (the app in-process, signed-in clients) for the audit log."""

from tests.web.conftest import app, client, sign_in

__all__ = ["app", "client", "sign_in"]
