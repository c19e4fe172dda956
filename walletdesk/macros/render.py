"""A canned reply's text for one conversation: the language variant, then the placeholders."""

import re

from walletdesk.kb.text import CHINESE, convert_chinese
from walletdesk.macros.models import CannedReply

PLACEHOLDERS = ("customer_name", "agent_name", "conversation_id")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_SINGLE = re.compile(r"(?<!\{)\{\s*([A-Za-z_]+)\s*\}(?!\})")
# "Hi {{customer_name}}," for a customer without a name: "Hi,", not "Hi ,"
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([,.!?;:，。！？；：、])")
_SPACES = re.compile(r"[ \t]{2,}")


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def single_braced(text: str) -> list[str]:
    """Placeholders written with one pair of braces ("{customer_name}"): inserted as they
    stand, never filled — the writer meant the placeholder."""
    return sorted({name for name in _SINGLE.findall(text) if name in PLACEHOLDERS})


def pick_text(reply: CannedReply, language: str | None,
              default_language: str) -> tuple[str, str] | None:
    """(language, text) for a conversation in ``language``: that variant, else the other
    Chinese script converted, else the desk's default language, English, any."""
    by_language = {t.language: t.text for t in reply.texts}
    if language and language in by_language:
        return language, by_language[language]
    if language in CHINESE:
        other = CHINESE[1 - CHINESE.index(language)]
        if other in by_language:
            return language, convert_chinese(by_language[other], language)
    for fallback in (default_language, "en", *sorted(by_language)):
        if fallback in by_language:
            return fallback, by_language[fallback]
    return None


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    if any(not values.get(name) for name in PLACEHOLDERS):
        filled = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", filled)
        filled = _SPACES.sub(" ", filled)
    return filled.strip()
