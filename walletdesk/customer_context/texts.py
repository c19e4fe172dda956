"""What the bot tells a customer about their own account from the operator's context, in the
customer's language (English msgids, translated from the catalogs like the bot's other system
texts). Values the operator sent (a level's name, a transaction's kind) are shown as sent."""

from walletdesk.i18n import N_, translate

TEXTS: dict[str, str] = {
    "context_points": N_('You have {points} points.'),
    "context_account_level": N_('Your account level is {level}.'),
    "context_transactions": N_('Your most recent transactions:\n{transactions}'),
    "context_no_transactions": N_('There are no recent transactions on your account.'),
    "context_unavailable": N_("I can't see your account details right now. I'm passing you to "
                              "a person from our team; they'll see everything above."),
    "context_missing": N_("I don't have that detail of your account. I'm passing you to a "
                          "person from our team; they'll see everything above."),
}


def text(key: str, language: str | None, **values: object) -> str:
    """The text in the conversation's language (English when unknown)."""
    return translate(TEXTS[key], language, **values)
