"""Settings refuse what cannot work, with the variable's name in the message."""

import pytest
from pydantic import ValidationError

from walletdesk.config import Settings


@pytest.mark.parametrize("fields, message", [
    ({"imap_url": "nonsense"}, "WALLETDESK_IMAP_URL"),
    ({"imap_url": "imap://imap.example.com/INBOX"}, "WALLETDESK_IMAP_URL"),
    ({"support_email": "support"}, "WALLETDESK_SUPPORT_EMAIL"),
    ({"environment": "production", "secret_key": "short"}, "at least 32"),
    ({"environment": "production", "secret_key": "s" * 40}, "WALLETDESK_ENCRYPTION_KEYS"),
    ({"imap_poll_s": 1}, "imap_poll_s"),
    ({"retention_days": 0}, "retention_days"),
])
def test_unusable_settings_are_refused(fields, message):
    with pytest.raises(ValidationError, match=message):
        Settings(**fields)


def test_a_good_imap_url_is_accepted():
    settings = Settings(imap_url="imaps://support%40x.com:pw@imap.x.com/INBOX")
    assert settings.imap_url is not None
