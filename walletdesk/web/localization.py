"""The language a page is rendered in, and the translated texts its templates and scripts use.

An agent's page follows the agent's ``interface_locale`` (set by ``deps``), else the browser's
Accept-Language; a customer page sets ``request.state.locale`` to the customer's language.
Templates translate with ``jinja2.ext.i18n`` (``{{ _("…") }}``, ``{% trans %}``): each
request gets the gettext callables of its locale (made by ``install_gettext_translations``),
so concurrent requests in different languages never share them. Scripts get their texts as a
JSON dictionary rendered into the page (``script_texts``), read from the same catalogs; the
workspace also gets the texts of the system notes it shows in each agent's language
(``NOTE_MESSAGES``, walletdesk.i18n.agent_note). Durations read as Babel's locale data says
("26m", "26分钟", "1h 26min"): ``format_duration`` on the server, ``duration_patterns`` for
the scripts' countdowns.
"""

from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.messages.extract import extract_from_file
from babel.numbers import format_decimal
from babel.units import format_unit
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment

from walletdesk import code_names, i18n
from walletdesk.complaints import texts as complaint_texts

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


# the msgids of the system notes agents read in a conversation (stored in English with their
# msgid and values: walletdesk.i18n.agent_note), which workspace.js shows translated
NOTE_MESSAGES: tuple[str, ...] = (*i18n.AGENT_NOTES.values(),
                                  *complaint_texts.NOTES.values(),
                                  *complaint_texts.STAGE_NAMES.values())


def desk_texts(locale: str, *scripts: str) -> dict[str, str]:
    """The workspace's texts: its scripts' (``script_texts``) and the system notes'."""
    catalog = i18n.translations(locale)
    return {**script_texts(locale, *scripts),
            **{message: catalog.gettext(message) for message in NOTE_MESSAGES}}


# a duration's parts, largest first (walletdesk's countdowns and time-in-stage figures)
DURATION_UNITS = ("day", "hour", "minute")
_PLURAL_SAMPLES = range(200)  # a number of each plural form a language has is below 200


@lru_cache(maxsize=32)
def duration_patterns(locale: str) -> dict[str, Any]:
    """Babel's narrow duration units for a script's countdowns: ``{unit: {plural form:
    pattern}}`` for day, hour and minute ("{0}分钟"; the script picks the form with
    Intl.PluralRules) and ``list``, how two of them join ("{0} {1}", "{0}{1}")."""
    babel_locale = i18n.babel_locale(locale)
    patterns: dict[str, Any] = {}
    for unit in DURATION_UNITS:
        forms: dict[str, str] = {}
        for number in _PLURAL_SAMPLES:
            form = babel_locale.plural_form(number)
            if form not in forms:
                forms[form] = format_unit(number, f"duration-{unit}", length="narrow",
                                          locale=babel_locale).replace(
                    format_decimal(number, locale=babel_locale), "{0}", 1)
        patterns[unit] = forms
    patterns["list"] = _joining(babel_locale)
    return patterns


@lru_cache(maxsize=32)
def _joining(babel_locale: Any) -> str:
    """How two duration units join: the locale's narrow unit list ("{0} {1}", "{0}{1}"),
    with a space where its units hold one (zh-Hant's narrow units are "1 小時", its list
    glues them: "1 小時26 分鐘" reads as "1 小時 26 分鐘")."""
    joined = format_list(["{0}", "{1}"], style="unit-narrow", locale=babel_locale)
    spaced = " " in format_unit(1, "duration-hour", length="narrow", locale=babel_locale)
    return "{0} {1}" if joined == "{0}{1}" and spaced else joined


def format_duration(locale: str, seconds: float) -> str:
    """A duration in a locale's words, to the minute, in at most two units as the
    workspace's countdowns show them: "26m", "1h 26m", "2d 3h" (English), "1小时26分钟"."""
    minutes = round(abs(seconds) / 60)
    babel_locale = i18n.babel_locale(locale)
    if minutes < 60:
        parts = [(minutes, "minute")]
    elif minutes < 24 * 60:
        parts = [(minutes // 60, "hour"), (minutes % 60, "minute")]
    else:
        parts = [(minutes // (24 * 60), "day"), (minutes % (24 * 60) // 60, "hour")]
    said = [format_unit(number, f"duration-{unit}", length="narrow", locale=babel_locale)
            for index, (number, unit) in enumerate(parts) if number or index == 0]
    if len(said) == 1:
        return said[0]
    return _joining(babel_locale).replace("{0}", said[0], 1).replace("{1}", said[1], 1)


@lru_cache(maxsize=32)
def contact_reason_names(locale: str) -> dict[str, str]:
    """{knowledge-base category: its heading in the locale} for the resolve picker's contact
    reasons (a label, the other kind of reason, is shown as it is named)."""
    return {key: i18n.translations(locale).gettext(name)
            for key, name in i18n.CATEGORY_NAMES.items()}


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


# domain values a table shows (an agent's role, an article's status): their words, by value;
# the tables per domain live in walletdesk.code_names (``term(code, domain)`` in templates)
TERMS = code_names.TERMS


def complaint_detail_name(locale: str, key: str) -> str:
    """A complaint history detail's name in the page's language (an unknown one readably)."""
    return code_names.code_name(locale, key, "complaint_detail")


def term(locale: str, value: object, domain: str | None = None) -> str:
    """A code in the page's language: a role or status (``TERMS``), or with ``domain`` the
    code's name in that domain's table (walletdesk.code_names: "campaign_kind",
    "audit_action" …); an unknown code readably as it is."""
    return code_names.code_name(locale, value, domain)


def code_name_tables(locale: str, *domains: str) -> dict[str, dict[str, str]]:
    """``{domain: {code: name}}`` in the page's language, for a script that names the codes
    it receives (the workspace's statuses and channels: app.html renders them as JSON)."""
    return {domain: code_names.names(locale, domain) for domain in domains}


@lru_cache(maxsize=1)
def customer_language_choices() -> dict[str, str]:
    """{locale: its name in itself} for the customer pages' language links (the knowledge
    base's languages and every catalog)."""
    return {locale: i18n.locale_name(locale) for locale in i18n.customer_locales()}


@lru_cache(maxsize=64)
def language_name(locale: str, in_locale: str) -> str:
    """A language's name as a reader of ``in_locale`` says it ("Chinese (Simplified)",
    "chino (simplificado)"); the tag itself when Babel does not know it."""
    try:
        return Locale.parse(i18n.locale_dir_name(locale)).get_display_name(
            i18n.locale_dir_name(in_locale)) or locale
    except (ValueError, UnknownLocaleError):
        return locale


def _language_name_in(in_locale: str, locale: str) -> str:
    return language_name(locale, in_locale)


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
            "desk_texts": partial(desk_texts, locale),
            "duration_patterns": partial(duration_patterns, locale),
            "duration": partial(format_duration, locale),
            "contact_reason_names": partial(contact_reason_names, locale),
            "complaint_detail_name": partial(complaint_detail_name, locale),
            "language_name": partial(_language_name_in, locale),
            "term": partial(term, locale),
            "code_name_tables": partial(code_name_tables, locale),
            "audit_value_domain": code_names.audit_value_domain}


def install(templates: Jinja2Templates) -> None:
    """Adds the i18n extension (English by default, for renders without a request)."""
    templates.env.add_extension("jinja2.ext.i18n")
    templates.env.install_gettext_translations(  # type: ignore[attr-defined]
        i18n.translations(i18n.SOURCE_LOCALE), newstyle=True)
    templates.context_processors.append(template_context)
