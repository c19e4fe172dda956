"""The announcement a spike alert drafts says what is affected, that the team is looking into
it and what customers should never do; it does not promise that funds are safe (a rise in
questions says nothing about that), in any of the customer languages."""

import pytest

from walletdesk import i18n
from walletdesk.incidents.texts import text

PROMISES = ("funds are safe", "资金是安全", "資金是安全", "fondos están seguros")


@pytest.mark.parametrize("locale", sorted(i18n.SUPPORTED))
def test_the_draft_makes_no_promise_about_funds(locale: str) -> None:
    body = text("draft_body", locale, subject="USDT (TRC20)")
    assert "USDT (TRC20)" in body
    assert not any(promise in body.lower() for promise in PROMISES), body
