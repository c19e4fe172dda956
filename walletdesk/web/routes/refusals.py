"""What a page says when it shows a form again with a refusal: in the language the page
itself renders in (``localization.request_locale``: the agent's saved language, else the
browser's; a customer page's, the customer's), so the page and its error always agree.
The error handlers answer the errors a route lets through the same way (error_pages)."""

from fastapi import Request

from walletdesk.errors import DomainError
from walletdesk.i18n import N_, Phrase
from walletdesk.web.localization import request_locale

# Translators: {problem} is the software's own English words about a value it could not read
UNREADABLE = N_("check the form: {problem}")


def said(request: Request, message: str, **values: object) -> str:
    """A page's own message (a msgid marked with ``N_``) with its values, in the page's
    language."""
    return Phrase(message, **values).translated(request_locale(request))


def refusal(request: Request, exc: Exception, unreadable: str = UNREADABLE) -> str:
    """A domain error's message in the page's language; for a form value that could not be
    read (a ValueError), ``unreadable`` (a msgid; ``{problem}`` gets the exception's words)."""
    if isinstance(exc, DomainError):
        return exc.translated(request_locale(request))
    return said(request, unreadable, problem=str(exc))
