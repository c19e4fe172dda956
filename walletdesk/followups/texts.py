"""What the customer reads about a follow-up, in their language."""

from walletdesk.i18n import N_, translate

TEXTS: dict[str, str] = {
    "invite": N_(
        '{brand} would like to call you about {reason}. Pick a time that suits you, ask for a '
        'chat instead, or say no thanks: {link}'),
    "subject": N_('{brand}: may we call you?'),
    "chat_instead": N_('I would rather chat than take a call (follow-up: {reason}).'),
}


# Why the operator would like to call, as the customer reads it (in the invitation, and in the
# chat when they ask for one instead); stored with the task in the customer's language
REASONS: dict[str, str] = {
    # Translators: {kind} is a transaction kind below: "your withdrawal of 25000 USDT"
    "transaction": N_('your {kind} of {amount} {asset}'),
    "complaint": N_('your complaint'),
    "cohort": N_('your first {days} days with us'),
}
# the kinds of transaction an operator's backend commonly reports; another is shown as sent
KINDS: dict[str, str] = {
    "withdrawal": N_('withdrawal'),
    "deposit": N_('deposit'),
    "transfer": N_('transfer'),
    "payment": N_('payment'),
    "purchase": N_('purchase'),
    "swap": N_('swap'),
}


def text(key: str, language: str | None, **values: str) -> str:
    return translate(TEXTS[key], language, **values)


def reason(key: str, language: str | None, **values: str) -> str:
    """A follow-up's reason in the customer's language (``REASONS``)."""
    if "kind" in values and values["kind"] in KINDS:
        values["kind"] = translate(KINDS[values["kind"]], language)
    return translate(REASONS[key], language, **values)
