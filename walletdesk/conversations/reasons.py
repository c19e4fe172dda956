"""Contact reasons: one name, one reason.

The reasons are the knowledge base's categories (shown by their translated headings,
``i18n.CATEGORY_NAMES``) and the labels' names (shown as named): the category "security" and
the demo's label "Security" are both "Security" on the page, "transfer" and "transfers" both
"Transfers". Codes that some language of the desk names alike (case aside) stand for one
reason: a form lists it once (the first code: a category before a label), and whatever is
about any of them — an outreach segment, a report's reason row or filter, an incident — is
about the conversations that carry any of them, so the pickers' choices and the stored codes
never disagree about who asked about what.
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


def _categories_named(code: str) -> list[str]:
    """The knowledge base's categories ``code`` names in some language (case aside): the
    category itself, or those a label is named as."""
    names = reason_names(code)
    return [key for key, lowered in _category_names().items() if lowered & names]


@lru_cache(maxsize=1024)  # spike detection asks once per conversation of weeks of history
def reason_key(code: str) -> str:
    """The one code ``code``'s reason is counted under: the knowledge base's category it
    names in some language (the label "Security" counts as "security"), else itself."""
    return next(iter(_categories_named(code)), code)


def shown_codes(codes: Iterable[str]) -> dict[str, str]:
    """{code: the code its reason is shown by}, for ``codes`` (in their order): the first code
    of each reason, a code named like an earlier one in some language (directly or through
    another code) standing for it."""
    groups: list[tuple[list[str], set[str]]] = []  # (its codes, the first shown; its names)
    for code in codes:
        names = set(reason_names(code))
        joined = [group for group in groups if group[1] & names]
        if not joined:
            groups.append(([code], names))
            continue
        first = joined[0]
        for other in joined[1:]:  # the code names two reasons alike: they are one
            first[0].extend(other[0])
            first[1].update(other[1])
            groups.remove(other)
        first[0].append(code)
        first[1].update(names)
    return {code: members[0] for members, _ in groups for code in members}


def merged_reasons(codes: Iterable[str]) -> list[str]:
    """``codes`` (in their order) with each reason once: a code named like an earlier one in
    some language (directly or through another code) is left out."""
    return list(dict.fromkeys(shown_codes(codes).values()))


def category_first(codes: Iterable[str]) -> list[str]:
    """``codes`` with the knowledge base's categories first (each part in its order): the
    code a reason is shown by is a category's where it has one."""
    listed = list(dict.fromkeys(codes))
    return sorted(listed, key=lambda code: code not in i18n.CATEGORY_NAMES)


def shares_reason(codes: Iterable[str], others: Iterable[str]) -> bool:
    """Whether a code of ``codes`` and one of ``others`` stand for one reason (a category
    and a label named as it in some language, case aside)."""
    names = {name for code in codes for name in reason_names(code)}
    return any(reason_names(other) & names for other in others)


def same_reason_codes(reason: str) -> list[str]:
    """The codes a conversation may carry for ``reason``, as written (a category's key, a
    label named as one of its headings, the code itself); :func:`lower_reason_names` adds the
    names a label may carry in another case."""
    codes = {reason}
    for key in _categories_named(reason):
        codes.add(key)
        codes.update(_category_headings()[key])
    return sorted(codes)


def lower_reason_names(reason: str) -> list[str]:
    """The names of ``reason`` in lower case: a label "SECURITY" is the reason "security"."""
    names = set(reason_names(reason))
    for key in _categories_named(reason):
        names.update(_category_names()[key])
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
