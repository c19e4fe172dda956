"""The language a page is rendered in, and the translated texts its templates and scripts use.

An agent's page follows the agent's ``interface_locale`` (set by ``deps``), else the browser's
Accept-Language; a customer page sets ``request.state.locale`` to the customer's language.
Templates translate with ``jinja2.ext.i18n`` (``{{ _("…") }}``, ``{% trans %}``): each
request gets the gettext callables of its locale (made by ``install_gettext_translations``),
so concurrent requests in different languages never share them. Scripts get their texts as a
JSON dictionary rendered into the page (``script_texts``), read from the same catalogs.
"""

from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_file
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment

from walletdesk import i18n

STATIC_DIR = Path(__file__).parent / "static"
GETTEXT_NAMES = ("gettext", "ngettext", "pgettext", "npgettext")


@lru_cache(maxsize=32)
def _gettext_callables(locale: str) -> dict[str, Callable[..., str]]:
    """The i18n extension's callables bound to one locale's catalog (autoescaping, newstyle)."""
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        i18n.translations(locale), newstyle=True)
    return {name: environment.globals[name] for name in GETTEXT_NAMES}


@lru_cache(maxsize=32)
def script_messages(script: str) -> tuple[str, ...]:
    """The texts a static script marks with ``gettext("…")``, found by Babel's extractor (the
    same one ``make catalogs`` runs), so the page sends exactly what the script asks for."""
    path = STATIC_DIR / script
    if path.parent != STATIC_DIR or not path.is_file():
        raise ValueError(f"no script {script!r} in {STATIC_DIR}")
    found = (message for _line, message, _comments, _context
             in extract_from_file("javascript", str(path)))
    return tuple(dict.fromkeys(message for message in found if isinstance(message, str)))


def script_texts(locale: str, *scripts: str) -> dict[str, str]:
    """``{English text: translation}`` for every text of the given static scripts."""
    catalog = i18n.translations(locale)
    return {message: catalog.gettext(message)
            for script in scripts for message in script_messages(script)}


def request_locale(request: Request) -> str:
    """The locale chosen for this request, else the best match for Accept-Language."""
    chosen = getattr(request.state, "locale", None)
    if chosen in i18n.available_locales():
        return chosen
    return i18n.interface_locale(request.headers.get("accept-language"))


@lru_cache(maxsize=1)
def locale_choices() -> tuple[tuple[str, str], ...]:
    """(locale, its name in itself) for every available catalog: the language picker."""
    return tuple((locale, i18n.locale_name(locale)) for locale in i18n.available_locales())


# domain values a table shows (an agent's role, an article's status): their words, by value
TERMS: dict[str, str] = {
    "admin": i18n.N_("admin"), "supervisor": i18n.N_("supervisor"), "agent": i18n.N_("agent"),
    "outsourced": i18n.N_("outsourced"),
    "draft": i18n.N_("draft"), "published": i18n.N_("published"), "retired": i18n.N_("retired"),
    "online": i18n.N_("online"), "away": i18n.N_("away"), "offline": i18n.N_("offline"),
    # complaints: stages and resolutions
    "received": i18n.N_("received"), "investigating": i18n.N_("investigating"),
    "resolution_proposed": i18n.N_("resolution proposed"), "approved": i18n.N_("approved"),
    "customer_notified": i18n.N_("customer notified"), "followed_up": i18n.N_("followed up"),
    "closed": i18n.N_("closed"), "refund": i18n.N_("refund"),
    "compensation": i18n.N_("compensation"), "explanation": i18n.N_("explanation"),
    # follow-up programmes: triggers and channels
    "transaction": i18n.N_("transaction"), "complaint_resolved": i18n.N_("complaint resolved"),
    "cohort": i18n.N_("cohort"), "email": i18n.N_("e-mail"), "sms": i18n.N_("SMS"),
    "in_app": i18n.N_("in-app"), "team": i18n.N_("team"),
}


def term(locale: str, value: object) -> str:
    """A role or status value in the page's language (an unknown value readably as it is)."""
    key = str(value)
    return i18n.translations(locale).gettext(TERMS[key]) if key in TERMS else \
        key.replace("_", " ")


@lru_cache(maxsize=1)
def customer_language_choices() -> dict[str, str]:
    """{locale: its name in itself} for the customer pages' language links (the knowledge
    base's languages and every catalog)."""
    return {locale: i18n.locale_name(locale) for locale in i18n.customer_locales()}


@lru_cache(maxsize=64)
def language_name(locale: str, in_locale: str) -> str:
    """A language's name as a reader of ``in_locale`` says it ("Chinese (Simplified)",
    "chino (simplificado)"); the tag itself when Babel does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(i18n.locale_dir_name(locale)).get_display_name(
            i18n.locale_dir_name(in_locale)) or locale
    except (ValueError, UnknownLocaleError):
        return locale


def use_customer_locale(request: Request, tag: str | None) -> str:
    """A customer's page renders in the customer's language (a conversation's, a ``lang``
    parameter), never a signed-in agent's; without one, the browser's. Sets the request's
    locale and returns it."""
    browser = i18n.interface_locale(request.headers.get("accept-language"),
                                    i18n.customer_locales())
    locale = i18n.customer_locale(tag, browser)
    request.state.locale = locale
    return locale


def template_context(request: Request) -> dict[str, Any]:
    """A context processor: every template renders in its request's locale."""
    locale = request_locale(request)
    return {**_gettext_callables(locale), "interface_locale": locale,
            "interface_locales": locale_choices(), "script_texts": partial(script_texts, locale),
            "term": partial(term, locale)}


def install(templates: Jinja2Templates) -> None:
    """Adds the i18n extension (English by default, for renders without a request)."""
    templates.env.add_extension("jinja2.ext.i18n")
    templates.env.install_gettext_translations(  # type: ignore[attr-defined]
        i18n.translations(i18n.SOURCE_LOCALE), newstyle=True)
    templates.context_processors.append(template_context)
