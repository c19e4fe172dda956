"""The operator's "phrases that always go to a person", in the words customers use for them.

An operator lists 被盗, stolen, hacked, robado; a customer writes 我的币被偷了, 被盜 (Traditional),
me robaron or "my wallet was drained". A raw substring of the message finds none of them, and
the bot answered the stolen-funds article (or, on a knowledge base without one, handed the
message off as "out of scope", which the content gaps then offered as an article to write).
So a phrase is matched on the normalised message (NFKC, lower case, Simplified Chinese), and a
phrase that is one of the words of a wallet notion of the glossary (walletdesk.bot.glossary:
被盗 and stolen are both ``stolen``) stands for the whole notion, in every language: its other
words (被偷, 被人偷, 盜走, me robaron, robo, hacked, drained …) are sensitive as well. Other
words of the glossary are matched whole, so ``robo`` is not found in "robot".
"""

from functools import lru_cache

from walletdesk.bot.glossary import GLOSSARY, concepts
from walletdesk.bot.text import normalise

SENSITIVE_TOPIC = "sensitive_topic"  # the reason of the hand-off (BotTurn, Conversation)


@lru_cache(maxsize=8)
def _phrases_and_notions(phrases: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The phrases normalised, and the concept tokens (``§stolen``) of the notions they name."""
    normalised = tuple(n for n in (normalise(p) for p in phrases) if n)
    notions = frozenset(f"§{notion}" for notion, words in GLOSSARY.items()
                        if any(normalise(word) in normalised for word in words))
    return normalised, notions


def names_sensitive_topic(message: str, phrases: tuple[str, ...]) -> bool:
    """Does the message use one of the operator's sensitive phrases, or another word for the
    notion one of them names?"""
    if not phrases:
        return False
    normalised_phrases, notions = _phrases_and_notions(phrases)
    text = normalise(message)
    if any(phrase in text for phrase in normalised_phrases):
        return True
    return bool(notions) and not notions.isdisjoint(concepts(text))
