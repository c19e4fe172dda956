"""The sign-in counts' rows: keyed hashes only (never the e-mail or address, nor a customer's
e-mail hash), and removed once they count nothing."""

from datetime import timedelta

from sqlalchemy import select, update

from tests.conftest import PASSWORD
from walletdesk.accounts.actions import authenticate
from walletdesk.accounts.login_throttle import TRUSTED_FOR, attempt_keys, prune_login_throttles
from walletdesk.accounts.models import LoginThrottle
from walletdesk.crypto import keyed_hash
from walletdesk.db.base import utcnow


async def test_rows_hold_keyed_hashes_and_are_pruned_when_they_count_nothing(services,
                                                                           make_agent):
    await make_agent("Mei")
    await authenticate(services, "mei@example.com", PASSWORD, "198.51.100.20")
    await authenticate(services, "who@example.com", "guess", "203.0.113.7")
    async with services.read() as session:
        rows = (await session.scalars(select(LoginThrottle))).all()
    stored = str([(row.account_key, row.source_key) for row in rows])
    assert "example.com" not in stored and "203.0.113" not in stored
    assert keyed_hash("who@example.com") not in stored  # not a customer's e-mail hash
    assert attempt_keys(" Who@Example.com", "203.0.113.7")[0] in stored
    assert len(rows) == 3  # Mei's place, the unknown e-mail's pair and its account row

    async with services.transaction() as session:
        assert await prune_login_throttles(session, services.settings) == 0  # all count
        long_ago = utcnow() - TRUSTED_FOR - timedelta(days=1)
        await session.execute(update(LoginThrottle).values(
            last_failure_at=long_ago, last_success_at=long_ago))
        assert await prune_login_throttles(session, services.settings) == 3
