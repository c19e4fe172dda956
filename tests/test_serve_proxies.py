"""`walletdesk serve` believes X-Forwarded-For only from WALLETDESK_TRUSTED_PROXIES: the
client's address is what the sign-in and rate limits count by (decision 0058)."""

from typing import Any

import pytest

from tests.conftest import make_settings
from walletdesk import cli


@pytest.mark.parametrize(("configured", "passed"), [
    (None, "127.0.0.1,::1"),  # the default: a proxy on the same machine
    ("10.0.0.0/8", "10.0.0.0/8"),
])
def test_serve_hands_the_trusted_proxies_to_the_server(monkeypatch, tmp_path, configured,
                                                        passed):
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    overrides = {"trusted_proxies": configured} if configured else {}
    cli._serve(make_settings(f"sqlite+aiosqlite:///{tmp_path}/desk.db", **overrides))
    assert seen["proxy_headers"] is True
    assert seen["forwarded_allow_ips"] == passed
