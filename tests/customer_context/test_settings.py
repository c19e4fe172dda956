"""WALLETDESK_CUSTOMER_CONTEXT_URL: the request names a verified customer and the answer is
their personal data, so the endpoint is https:// (plain http:// only on the machine itself)."""

import pytest

from tests.conftest import make_settings

SECRET = "s" * 32


def _settings(url: str):  # type: ignore[no-untyped-def]
    return make_settings("sqlite+aiosqlite:///:memory:", customer_context_url=url,
                         customer_context_secret=SECRET)


@pytest.mark.parametrize("url", [
    "http://backend.example.com/support/context",
    "http://10.0.0.5:8080/context",
    "http://[2001:db8::1]/context",
    "http://localhost.example.com/context",
    "http://128.0.0.1/context",
])
def test_plain_http_to_another_machine_is_refused(url):
    with pytest.raises(ValueError, match="must use https://"):
        _settings(url)


@pytest.mark.parametrize("url", [
    "https://backend.example.com/support/context",
    "https://10.0.0.5:8443/context",
    "http://127.0.0.1:8081/context",
    "http://127.9.9.9/context",
    "http://[::1]:8081/context",
    "http://localhost:8081/context",
    "http://LOCALHOST/context",
])
def test_https_or_loopback_is_accepted(url):
    assert _settings(url).customer_context_url == url
