"""Contact reasons as a segment's form offers them: one name, one reason.

The reasons are the knowledge base's categories (shown by their translated headings,
``i18n.CATEGORY_NAMES``) and the labels' names (shown as named): the category "security" and
the demo's label "Security" are both "Security" on the page, "transfer" and "transfers" both
"Transfers". Codes that some language of the desk names alike (case aside) stand for one
reason: the form lists it once (the first code: a category before a label), and a segment about
any of them finds the conversations that carry any of them, so the two pickers' choices and the
stored codes never disagree about who asked about what.
"""

from collections.abc import Iterable
from functools import lru_cache

from walletdesk import i18n


@lru_cache(maxsize=1)
def _category_names() -> dict[str, frozenset[str]]:
    """{category: its names in every language of the desk, lower case}."""
    return {key: frozenset({name.strip().lower(), *(
                i18n.translations(locale).gettext(name).strip().lower()
                for locale in i18n.available_locales())})
            for key, name in i18n.CATEGORY_NAMES.items()}


@lru_cache(maxsize=1)
def _category_headings() -> dict[str, frozenset[str]]:
    """{category: its names in every language of the desk, as written}."""
    return {key: frozenset({name, *(i18n.translations(locale).gettext(name)
                                    for locale in i18n.available_locales())})
            for key, name in i18n.CATEGORY_NAMES.items()}


def reason_names(code: str) -> frozenset[str]:
    """What the pages call ``code`` in any language, lower case (a label: its own name)."""
    return _category_names().get(code) or frozenset({code.strip().lower()})


def merged_reasons(codes: Iterable[str]) -> list[str]:
    """``codes`` (in their order) with each reason once: a code named like an earlier one in
    some language (directly or through another code) is left out."""
    groups: list[tuple[str, set[str]]] = []  # (the code shown, the names of its reason)
    for code in codes:
        names = set(reason_names(code))
        joined = [group for group in groups if group[1] & names]
        if not joined:
            groups.append((code, names))
            continue
        first = joined[0]
        for other in joined[1:]:  # the code names two reasons alike: they are one
            first[1].update(other[1])
            groups.remove(other)
        first[1].update(names)
    return [code for code, _ in groups]


def same_reason_codes(reason: str) -> list[str]:
    """The codes a conversation may carry for ``reason``, as written (a category's key, a
    label named as one of its headings, the code itself); :func:`lower_reason_names` adds the
    names a label may carry in another case."""
    names = reason_names(reason)
    codes = {reason}
    for key, headings in _category_headings().items():
        if _category_names()[key] & names:
            codes.add(key)
            codes.update(headings)
    return sorted(codes)


def lower_reason_names(reason: str) -> list[str]:
    """The names of ``reason`` in lower case: a label "SECURITY" is the reason "security"."""
    own = reason_names(reason)
    names = set(own)
    for lowered in _category_names().values():
        if lowered & own:
            names.update(lowered)
    return sorted(names)


def chosen_reason(reasons: list[str], stored: str | None) -> tuple[list[str], str | None]:
    """The picker's options and the one standing for ``stored`` (a segment's saved reason,
    perhaps another code of an offered reason); a reason no longer offered (its label
    deleted) is added, so saving the form again keeps it."""
    if not stored:
        return reasons, None
    names = reason_names(stored)
    for code in reasons:
        if reason_names(code) & names or code == stored:
            return reasons, code
    return [*reasons, stored], stored
