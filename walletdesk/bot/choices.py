"""Which articles the bot offers as a choice when it is unsure ("Do you mean A or B?").

The bot's "suggest" decision (walletdesk.bot.engine) means the top answer is likely but not
sure. The customer is then asked to pick: the top candidate and the next ones whose score is
close to it, at most ``LIMIT``. A choice of one is no choice ("Do you mean “A”?" with one
button): when no other candidate is close, the top ``LIMIT`` are offered ("Do any of these
help?"), and with no second candidate at all the question goes to a person (``choice``). The
same rule serves the chat (walletdesk.bot.actions) and the evaluation
(walletdesk.bot.evaluate's ``resolved_with_choice``), so the figure measures what customers
are shown. Pure functions: no database, no engine.
"""

import re
from collections.abc import Sequence

CHOSEN = "answered_choice"  # a suggested turn's outcome once the customer picked an article
# the turns whose articles say what the conversation is about (reports' contact reason)
MATCHED_OUTCOMES = ("answered", "suggested", CHOSEN)
LIMIT = 3  # options at most (a phone's screen shows three buttons without scrolling)
CLOSE = 0.3  # a candidate is offered when its score is at least this share of the top one's


def offered(candidates: Sequence[tuple[str, float]], limit: int = LIMIT,
            close: float = CLOSE) -> list[str]:
    """The slugs to offer, best first: the top one, then the close ones (at most ``limit``)."""
    if not candidates or limit < 1:
        return []
    top = float(candidates[0][1])
    chosen = [candidates[0][0]]
    for slug, score in candidates[1:limit]:
        if top <= 0 or float(score) < close * top:
            break
        chosen.append(slug)
    return chosen


def choice(decision: str, reason: str, candidates: Sequence[tuple[str, float]]
           ) -> tuple[str, str, list[str]]:
    """(decision, reason, the slugs offered) as the customer meets them. A "suggest" offers
    the close candidates (``offered``), or the top ``LIMIT`` when only the top one is close,
    never a single one; with fewer than two candidates there is nothing to choose from and a
    person answers (``low_confidence``, as below the suggestion threshold). Any other
    decision is kept and offers nothing."""
    if decision != "suggest":
        return decision, reason, []
    close = offered(candidates)
    if len(close) > 1:
        return decision, reason, close
    if len(candidates) > 1:
        return decision, reason, [slug for slug, _ in candidates[:LIMIT]]
    return "handoff", "low_confidence", []


# a typed pick of the options: "2", "#2", "option 2", "the first one", "第二个", "la segunda"
_ORDINALS = {
    1: ("1", "first", "1st", "第一", "一", "primero", "primera", "uno"),
    2: ("2", "second", "2nd", "第二", "二", "segundo", "segunda", "dos"),
    3: ("3", "third", "3rd", "第三", "三", "tercero", "tercera", "tres"),
}
_FILLER = re.compile(
    r"^(?:(?:the|it'?s|its|is|i want|i mean|number|no\.|option|opción|opcion|choice|"
    r"la|el|es|quiero)\s+|[#选選是要]\s*)*|(?:\s*(?:one|option|opción|opcion|个|個|项|項|号|號|吧|啦|"
    r"please|pls|por favor))*\s*$")
_PUNCTUATION = re.compile(r"[\s.,!?;:。，！？、…]+$|^[\s.,!?;:。，！？、…]+")


def picked_option(text: str, options: int) -> int | None:
    """The option (0-based) a customer typed instead of pressing its button: "2", "the first
    one", "option 3", "第二个", "la segunda"; None for anything else (then the message is a
    question of its own)."""
    if len(text) > 40:
        return None
    word = _PUNCTUATION.sub("", text.strip().lower())
    word = _FILLER.sub("", word).strip()
    for number, forms in _ORDINALS.items():
        if word in forms and number <= options:
            return number - 1
    if word in ("last", "the last", "último", "ultimo", "última", "ultima", "最后", "最後") \
            and options:
        return options - 1
    return None
