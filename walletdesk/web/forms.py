"""Small helpers for the pages' forms: reading admin form fields, and showing a refused form
again as it was typed.

A refused form comes back open, filled in as it was sent, with the refusal beside it (not at
the top of a long page with the typing gone): the route hands the template ``typed(form,
which)``; the template takes the form it renders with ``draft.of(which)`` and reads each field
with ``value``/``checked``/``selected``, giving the saved value as ``shown`` (what the form
holds when it was not the refused one). Password fields and the CSRF token are never kept.
The refusal's markup is the ``refusal`` macro of templates/_refusal.html.
"""

from collections.abc import Hashable, Iterable
from typing import Any

NOT_KEPT = ("csrf_token",)
SECRET_PARTS = ("password",)  # a field whose name holds one of these is never shown again


def split_list(value: str) -> list[str]:
    """"a, b\nc" → ["a", "b", "c"]: comma- or line-separated form fields."""
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


class Draft:
    """What was typed in a refused form (``which``: the form among the page's, e.g. None for
    the "new" form, or the id of the row edited). ``NO_DRAFT`` (falsy) stands for "no refused
    form here": its readers give back ``shown``, so one template serves both cases."""

    def __init__(self, which: Hashable = None,
                 fields: dict[str, list[str]] | None = None) -> None:
        self.which = which
        self._fields = fields
        self._active = fields is not None

    def __bool__(self) -> bool:
        return self._active

    def of(self, which: Hashable) -> "Draft":
        """This draft if it is the form ``which``'s, else ``NO_DRAFT``."""
        return self if self._active and self.which == which else NO_DRAFT

    def among(self, forms: Iterable[Hashable]) -> "Draft":
        """This draft if its form is one the page shows, else ``NO_DRAFT`` (a row gone or
        out of reach: the page then says the refusal at its top)."""
        return self if self._active and self.which in set(forms) else NO_DRAFT

    def value(self, name: str, shown: Any = "") -> Any:
        """The field as typed (its last value; "" when it was not sent), or ``shown``."""
        if self._fields is None:
            return shown
        sent = self._fields.get(name)
        return sent[-1] if sent else ""

    def values(self, name: str, shown: Iterable[Any] = ()) -> list[Any]:
        """Every value sent under ``name`` (ticked boxes of a group), or ``shown``."""
        return list(self._fields.get(name, [])) if self._fields is not None else list(shown)

    def checked(self, name: str, shown: bool = False) -> bool:
        """A lone checkbox: ticked in the refused form (browsers send it only then), or
        ``shown``."""
        return bool(self._fields.get(name)) if self._fields is not None else bool(shown)

    def selected(self, name: str, option: Any, shown: bool = False) -> bool:
        """An option of a select, radio group or box group: the one (or among those) sent,
        or ``shown``."""
        if self._fields is None:
            return bool(shown)
        return str(option) in self._fields.get(name, [])


NO_DRAFT = Draft()


def typed(form: Any, which: Hashable = None) -> Draft:
    """The refused ``form`` (a request's form data) as a Draft of the form ``which``: its text
    fields, without the CSRF token and password fields (never sent back to the browser)."""
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if name in NOT_KEPT or any(part in name.lower() for part in SECRET_PARTS):
            continue
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return Draft(which, fields)
