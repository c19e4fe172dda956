"""Which articles the bot offers as a choice when it is unsure ("Do you mean A or B?").

The bot's "suggest" decision (walletdesk.bot.engine) means the top answer is likely but not
sure. The customer is then asked to pick: the top candidate and the next ones whose score is
close to it, at most ``LIMIT``. The same rule serves the chat (walletdesk.bot.actions) and the
evaluation (walletdesk.bot.evaluate's ``resolved_with_choice``), so the figure measures what
customers are shown. Pure functions: no database, no engine.
"""

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
