"""Texts in the interface and customer languages, from gettext catalogs.

The catalogs live in ``walletdesk/locale/<locale>/LC_MESSAGES/messages.po`` (compiled to
``messages.mo`` beside them, ``make catalogs``); the msgids are the English texts. A locale is
available when its directory has a compiled catalog, so adding a language means adding a
catalog, not changing code (docs/decisions/0017-babel-catalogs.md).

Languages are BCP-47-ish tags: zh-Hans, zh-Hant, en, es. ``customer_language`` maps what a
browser or channel reports (zh-CN, zh-TW, es-MX …) onto the customer languages (``SUPPORTED``:
the languages of the knowledge base and the bot); ``interface_locale`` maps an
Accept-Language header onto the available catalogs (the agents' interface).
"""

import gettext as gettext_module
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
SOURCE_LOCALE = "en"  # the msgids are English: English needs no translation
# the customer languages: the knowledge base, the bot and the widget serve these
SUPPORTED = ("zh-Hans", "zh-Hant", "en", "es")


def N_(message: str) -> str:
    """Marks a text for extraction (``pybabel extract``); it is translated where it is used."""
    return message


class Phrase(str):
    """An English text that remembers its msgid and values: it is the English wherever a
    string is (an API's JSON, a log, a case note), and a page can show it translated
    (``Phrase.translated``). A value may be a Phrase itself (a stage's name), translated
    with it."""

    msgid: str
    values: dict[str, object]

    def __new__(cls, msgid: str, **values: object) -> "Phrase":
        phrase = super().__new__(cls, msgid.format(**values))
        phrase.msgid, phrase.values = msgid, values
        return phrase

    def translated(self, locale: str | None) -> str:
        values = {key: value.translated(locale) if isinstance(value, Phrase) else value
                  for key, value in self.values.items()}
        try:
            return translations(locale).gettext(self.msgid).format(**values)
        except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder:
            return self.msgid.format(**values)  # the English, never an error about an error

    def as_meta(self) -> dict[str, object]:
        """The msgid and values as JSON, for a page to translate (``{"msgid", "values"}``)."""
        return {"msgid": self.msgid,
                "values": {key: value.as_meta() if isinstance(value, Phrase) else value
                           for key, value in self.values.items()}}


def agent_note(phrase: Phrase, detail: str = "") -> tuple[str, dict[str, object]]:
    """A system note for agents: the text stored (English: what the API, search and e-mail
    see) and the message meta with which each agent's workspace shows it in the agent's
    language (static/workspace.js). ``detail``, someone's own words (an agent's reason, a
    customer's comment, a mail server's error), follows the phrase in the text only, never in
    the meta: what outsourced agents may not see is masked in the text, and the page then
    shows the text as it is."""
    text = f"{phrase} {detail}" if detail else str(phrase)
    meta: dict[str, object] = {"phrase": phrase.as_meta()}
    if detail:
        meta["detail"] = True
    return text, meta


# the system texts sent to customers, by the keys their callers use
TEXTS: dict[str, str] = {
    "agent_joined": N_('{name} joined the conversation.'),
    "queued": N_('Thanks for your message. An agent will be with you shortly.'),
    "transferred_waiting": N_("You have been transferred to another agent. Please stay here: we're waiting for them to join, and they will see everything above."),
    "transferred_away": N_("You have been transferred to another team. Nobody there is online right now: leave your message here and they will reply as soon as they're back, seeing everything above."),
    "after_hours": N_("Our team is away right now. We're back {opens}. Leave your message here and we'll reply as soon as we're back."),
    "after_hours_unknown": N_("Our team is away right now. Leave your message here and we'll reply as soon as we're back."),
    "resolved": N_('This conversation was marked as resolved. Write again any time if you need more help.'),
    "secret_removed": N_('For your safety we removed what looked like a recovery phrase or private key from your message. Support will never ask for it. If you shared it anywhere, treat the wallet as compromised and move your funds to a new wallet.'),
    # a bare 64-hex value removed for its shape alone: a transaction id or a private key
    "hex_removed": N_('For your safety we removed a 64-character code from your message: a private key looks exactly like a transaction ID. If it is a transaction ID, send the link to the transfer on a block explorer instead (for example tronscan.org or mempool.space). If it was a private key, never share it: treat the wallet as compromised and move your funds to a new wallet.'),
    "bot_handoff": N_("I'm passing you to a person from our support team. They'll see everything above."),
    "verify_ask_email": N_("Before we look at your account or funds, please verify it's you: reply with the email address registered with your {brand} account and we'll send you a code. Never share your recovery phrase or private key — we will never ask for them."),
    "verify_code_sent": N_("We've sent a 6-digit code to {email}. Type it here (it is valid for 10 minutes)."),
    "verify_wrong_code": N_('That code is not right or has expired. Check the email, or send your address again for a new code.'),
    "verify_done": N_("Thank you, your email is verified. I'm passing you to a person from our team."),
    "verify_failed": N_("We couldn't send a code right now. A person from our team will help you verify."),
    "verify_code_expired": N_("That code has expired. Send your email address again and we'll send you a new one."),
    "verify_no_code": N_("We haven't sent you a code yet. Reply with the email address registered with your {brand} account first."),
    "verify_by_person": N_("To look at your account, a person from our team needs to check it's you. I'm passing you to them now; they'll see everything above. Never share your recovery phrase or private key: we will never ask for them."),
    "verify_code_subject": N_('{brand}: your verification code'),
    "verify_code_body": N_('Your {brand} support verification code is {code}. It is valid for 10 minutes. Support will never ask for your recovery phrase or private key.'),
    "bot_suggest": N_("I'm not completely sure I understood. Do any of these help?"),
    # Translators: two article titles the customer picks from, as buttons below the question
    "bot_choose_two": N_('Do you mean “{first}” or “{second}”?'),
    # Translators: an article title the customer confirms with the button below the question
    "bot_choose_one": N_('Do you mean “{first}”?'),
    "bot_rephrase": N_('Sorry that didn\'t help. Could you describe the problem in other words, or tap "Talk to a person"?'),
    "bot_solved": N_('Glad that helped! Write again any time.'),
    "bot_empty": N_('Could you tell me a bit more about your question?'),
    "verify_official": N_('✅ This is an official {brand} channel.'),
    "verify_lookalike": N_('⚠️ Not official. This imitates our {channel}. It is very likely a scam: do not click its links, do not send funds, and never share your recovery phrase or private key.'),
    "verify_not_official": N_('❌ This is not one of our official channels. Be careful: {brand} support never contacts you first and never asks for your recovery phrase.'),
    # Translators: said before the bot's answer when a customer tells that "support" contacted
    # them (a DM, a call, an e-mail): the most common opening of a wallet scam
    "support_reached_out": N_('⚠️ If someone contacted you saying they are {brand} support: we never ask for your recovery phrase, private key or a code, and never ask you to send funds or to “verify” or “sync” your wallet on a website. Do not reply to them or open their links. To check a link, handle or number, paste it in this chat.'),
    "verify_invalid": N_('This does not look like a link, handle, e-mail address or phone number.'),
    # Translators: one of several links or handles a customer pasted ({value}), and what the
    # check found about it ({verdict}: one of the texts above)
    "verify_which": N_('{value}: {verdict}'),
    "csat_ask": N_('How did we do? Please rate this conversation from 1 to 5.'),
    "csat_thanks": N_('Thank you for your rating! {points} points have been added to your account.'),
    "csat_thanks_anonymous": N_('Thank you for your rating!'),
    "csat_low_anonymous": N_("Thank you, and sorry we fell short. If you still need help, just write here and we'll pick it up again."),
    "email_footer": N_('Reply to this email to continue the conversation. {brand} staff will never ask for your recovery phrase (seed words) or private key.'),
    "email_rate": N_('Rate us: {links}'),
    "csat_low": N_("Thank you, and sorry we fell short. If you still need help, just write here and we'll pick it up again. {points} points have been added to your account."),
}


# the system notes agents read in a conversation (internal: the customer never sees them), by
# the keys their writers use; each agent's workspace shows them in the agent's language
# (``note``, ``agent_note``). A complaint's notes are walletdesk.complaints.texts.NOTES.
AGENT_NOTES: dict[str, str] = {
    "sla_warning_first_response": N_('SLA: the first reply is due in {minutes} min.'),
    "sla_warning_resolution": N_('SLA: the resolution is due in {minutes} min.'),
    # Translators: {due} is a date and time, e.g. 2026-12-02 14:30
    "sla_breach_first_response": N_('SLA breached: the first reply was due {due} UTC.'),
    "sla_breach_resolution": N_('SLA breached: the resolution was due {due} UTC.'),
    # Translators: {escalation} says what was done, e.g. "priority raised to 2"
    "sla_breach_first_response_escalated": N_(
        'SLA breached: the first reply was due {due} UTC. Escalated: {escalation}.'),
    "sla_breach_resolution_escalated": N_(
        'SLA breached: the resolution was due {due} UTC. Escalated: {escalation}.'),
    "sla_escalated_priority": N_('priority raised to {priority}'),
    "sla_escalated_team": N_('handed to team {team}'),
    "sla_escalated_priority_team": N_('priority raised to {priority}, handed to team {team}'),
    # Translators: {stars} are five stars (★★★★☆); the customer's comment may follow
    "csat_rating": N_('Customer rating: {stars} {rating}/5'),
    "reply_mailed_one": N_('The customer left the chat before reading 1 reply; emailed to their '
                           'address.'),
    "reply_mailed_other": N_('The customer left the chat before reading {count} replies; '
                             'emailed to their address.'),
    "email_bounced": N_('Our email to the customer was returned by their mail server. Check the '
                        'address or reach them another way.'),
    "email_bounced_status": N_('Our email to the customer was returned by their mail server '
                               '(status {status}). Check the address or reach them another '
                               'way.'),
    # Translators: the mail server's own (English) error follows
    "email_failed": N_('This reply could not be emailed to the customer:'),
}


def note_phrase(key: str, **values: object) -> Phrase:
    """One of the agents' notes (``AGENT_NOTES``) as a Phrase (to be a value of another)."""
    return Phrase(AGENT_NOTES[key], **values)


def note(key: str, detail: str = "", **values: object) -> tuple[str, dict[str, object]]:
    """One of the agents' notes (``AGENT_NOTES``): the text to store and the message meta
    (``agent_note``); ``detail`` (a customer's or a server's own words) follows it."""
    return agent_note(note_phrase(key, **values), detail)


def locale_dir_name(tag: str) -> str:
    """zh-Hans → zh_Hans (the catalog directory's name, as Babel spells locales)."""
    return tag.replace("-", "_")


def babel_locale(tag: str | None) -> "Locale":
    """Babel's locale for a language tag (zh-Hans → zh_Hans), for dates, units and names in
    that language; the source locale's for none or one Babel does not know."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(locale_dir_name(tag or SOURCE_LOCALE))
    except (ValueError, UnknownLocaleError):
        return Locale.parse(SOURCE_LOCALE)


def available_locales(locale_dir: Path | None = None) -> tuple[str, ...]:
    """Every locale with a compiled catalog, plus the source locale; sorted (read once: a new
    catalog is seen at the next start)."""
    return _locales_in(locale_dir or LOCALE_DIR)


@lru_cache(maxsize=8)
def _locales_in(locale_dir: Path) -> tuple[str, ...]:
    found = {SOURCE_LOCALE}
    if locale_dir.is_dir():
        found.update(path.parent.parent.name.replace("_", "-")
                     for path in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return tuple(sorted(found))


def translations(locale: str | None,
                 locale_dir: Path | None = None) -> gettext_module.NullTranslations:
    """The catalog of a locale; English (the msgids themselves) for the source or an unknown one."""
    return _catalog(locale, locale_dir or LOCALE_DIR)


@lru_cache(maxsize=64)
def _catalog(locale: str | None, locale_dir: Path) -> gettext_module.NullTranslations:
    if not locale or locale == SOURCE_LOCALE or locale not in available_locales(locale_dir):
        return gettext_module.NullTranslations()
    path = locale_dir / locale_dir_name(locale) / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as catalog:
        return gettext_module.GNUTranslations(catalog)


def locale_name(locale: str) -> str:
    """A locale's name in its own language (for the language pickers)."""
    from babel import Locale  # Babel's locale data is only needed for the pickers

    name = Locale.parse(locale_dir_name(locale)).get_display_name() or locale
    return name[:1].upper() + name[1:]


def _match(tag: str, available: tuple[str, ...]) -> str | None:
    lowered = tag.strip().lower().replace("_", "-")
    if not lowered or lowered == "*":
        return None
    by_lower = {locale.lower(): locale for locale in available}
    if lowered.startswith("zh"):
        traditional = ("hant", "-tw", "-hk", "-mo")
        lowered = "zh-hant" if any(mark in lowered for mark in traditional) else "zh-hans"
    if lowered in by_lower:
        return by_lower[lowered]
    return by_lower.get(lowered.split("-")[0])


def interface_locale(accept_language: str | None,
                     available: tuple[str, ...] | None = None) -> str:
    """The best available locale for an Accept-Language header (English when none fits)."""
    available = available or available_locales()
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag))
    for quality, _position, tag in sorted(ranked):
        if quality < 0 and (found := _match(tag, available)) is not None:
            return found
    return SOURCE_LOCALE


# knowledge-base category keys (as imported) → the heading a reader sees in the help centre
CATEGORY_NAMES: dict[str, str] = {
    "account": N_("Account"),
    "app": N_("Using the app"),
    "assets": N_("Assets"),
    "bridge": N_("Cross-chain bridge"),
    # not a KB category: a conversation with a complaint opened on it (the reports count it)
    "complaint": N_("Complaints"),
    "dapp": N_("DApps"),
    "deposit": N_("Deposits"),
    "fees": N_("Fees"),
    "general": N_("General"),
    "hardware": N_("Hardware wallets"),
    # a customer's own incident: funds stolen, a wallet drained or hacked (not the service's
    # status: that is the announcements' /status page)
    "incident": N_("Security incidents"),
    "nft": N_("NFTs"),
    "scam": N_("Scams and fraud"),
    "security": N_("Security"),
    "service": N_("Customer service"),
    "staking": N_("Staking"),
    "swap": N_("Swaps"),
    "token": N_("Tokens"),
    "transfer": N_("Transfers"),
    "transfers": N_("Transfers"),
    "withdrawal": N_("Withdrawals"),
}


# the help centre's sections: a category a customer looks for under a broader heading (stolen
# funds are a security matter; "transfer" and "transfers" are one topic)
HELP_SECTIONS: dict[str, str] = {"incident": "security", "transfer": "transfers"}


def help_section(category: str) -> str:
    """The category whose heading a KB category's articles are listed under in the help
    centre (its own, unless HELP_SECTIONS folds it into a broader one)."""
    key = category.strip().lower()
    return HELP_SECTIONS.get(key, key)


def category_name(category: str, language: str | None) -> str:
    """A help-centre heading for a KB category; a category without translations shows its
    key, readably ("cold_storage" → "Cold storage")."""
    name = CATEGORY_NAMES.get(category.strip().lower())
    if name is None:
        return category.replace("_", " ").replace("-", " ").strip().capitalize() or category
    return translate(name, language)


def customer_language(tag: str | None, default: str = "en") -> str:
    """Map a reported language tag onto a customer language: the knowledge base's languages
    and every catalog (``customer_locales``), so a catalog added for French serves French."""
    if not tag:
        return default
    return _match(tag, customer_locales()) or default


def kb_locale(tag: str) -> str:
    """A knowledge-base locale as a canonical BCP-47 tag (pt-br → pt-BR, EN → en); Chinese
    folds onto zh-Hans / zh-Hant, the two scripts the knowledge base serves. ValueError for
    what is not a known language (Babel's locale data decides)."""
    from babel import Locale, UnknownLocaleError

    cleaned = tag.strip().replace("_", "-")
    if not cleaned or len(cleaned) > 16:
        raise ValueError(f"{tag!r} is not a language tag")
    try:
        locale = Locale.parse(cleaned, sep="-")
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"{tag!r} is not a known language tag") from exc
    if locale.language == "zh":
        return "zh-Hant" if locale.script == "Hant" else "zh-Hans"
    # the script only where the tag named it (Babel adds the likely one: sr → sr-Cyrl)
    script = locale.script if locale.script and locale.script.lower() in cleaned.lower() else None
    return "-".join(part for part in (locale.language, script, locale.territory) if part)


def customer_locales() -> tuple[str, ...]:
    """The languages a customer's page (widget, help centre, links) can be shown in: the
    knowledge base's languages and every catalog, so a new catalog reaches customers too."""
    return tuple(dict.fromkeys((*SUPPORTED, *available_locales())))


def customer_locale(tag: str | None, default: str = SOURCE_LOCALE) -> str:
    """The language of a customer's page for a reported tag (a ``lang`` parameter, a
    browser's language, a conversation's language); ``default`` when none fits."""
    if not tag:
        return default
    return _match(tag, customer_locales()) or default


def verdict_text(status: str, language: str | None, brand: str, channel: str = "") -> str:
    """What a customer is told about a channel they asked us to check."""
    return text(f"verify_{status}", language, brand=brand, channel=channel)


def translate(message: str, language: str | None, **values: object) -> str:
    """A marked text in a customer's language (English when the language has no catalog)."""
    locale = customer_locale(language) if language else None
    return translations(locale).gettext(message).format(**values)


def text(key: str, language: str | None, **values: object) -> str:
    """One of the system texts (``TEXTS``), in a customer's language."""
    return translate(TEXTS[key], language, **values)
