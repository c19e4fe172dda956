"""Domain errors, mapped to HTTP statuses and socket error frames by the web layer.

An error's message is an English msgid with named placeholders and its values as keywords:
``Invalid("a title of 1 to {max} characters is required", max=TITLE_MAX)``. ``make catalogs``
extracts the first argument of every call of these classes (pybabel keywords, Makefile), so
the message is a plain literal, never an f-string. ``detail`` is the English text with the
values filled (logs, the CLI, tests); the web layer answers ``translated(locale)``, the text
in the reader's language (docs/configure.md, "Languages").
"""

from walletdesk.i18n import Phrase


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, /, **values: object) -> None:
        # a Phrase (a text built elsewhere with its msgid) keeps its msgid and values
        self.detail = message if isinstance(message, Phrase) and not values \
            else Phrase(message, **values)
        super().__init__(str(self.detail))

    def translated(self, locale: str | None) -> str:
        """The detail in a locale's words (English without a catalog for it)."""
        return self.detail.translated(locale)


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Invalid(DomainError):
    code = "invalid"


class Conflict(DomainError):
    code = "conflict"
