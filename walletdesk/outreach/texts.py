"""What the desk itself writes to customers in proactive messages, in their language, and
the shipped safety tips (admins edit a campaign's copies, per locale)."""

from walletdesk.i18n import N_, customer_locales, translate

TEXTS: dict[str, str] = {
    "stop_line": N_('Stop these messages: {link}'),
    "stop_label": N_('Stop these messages'),
    "subject": N_('A message from {brand}'),
    "survey": N_('How satisfied are you with {brand} support? Rate us from 1 to 5: {link}'),
    "survey_in_app": N_('How satisfied are you with {brand} support lately? Rate us from 1 '
                        'to 5.'),
    "survey_subject": N_('{brand}: how are we doing?'),
    "safety_tip": N_(
        '{brand} will never ask for your recovery phrase (seed words), your private key or '
        'your password, in a chat, an e-mail, a call or a message. Anyone who asks is not '
        'us: do not share them, and check official channels at {verify}.'),
    "safety_tip_subject": N_('{brand} safety tip: we never ask for your recovery phrase'),
}


def text(key: str, language: str | None, **values: str) -> str:
    return translate(TEXTS[key], language, **values)


def per_locale(key: str, **values: str) -> dict[str, str]:
    """A shipped text in every customer locale (the defaults of a safety-tip campaign)."""
    return {locale: translate(TEXTS[key], locale, **values) for locale in customer_locales()}
