"""What the customer reads about a follow-up, in their language."""

from walletdesk.i18n import N_, translate

TEXTS: dict[str, str] = {
    "invite": N_(
        '{brand} would like to call you about {reason}. Pick a time that suits you, ask for a '
        'chat instead, or say no thanks: {link}'),
    "subject": N_('{brand}: may we call you?'),
    "chat_instead": N_('I would rather chat than take a call (follow-up: {reason}).'),
}


def text(key: str, language: str | None, **values: str) -> str:
    return translate(TEXTS[key], language, **values)
