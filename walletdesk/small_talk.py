"""Small talk: a greeting, thanks, "ok" or "bye" is answered as such, not matched as a question.

Matched against the articles, "Hi", "thanks" or "在吗" looked off-topic and went to a person
(every greeting filled an agent's queue with an empty chat). So before the bot matches a
message (walletdesk.bot.actions) it asks here whether the whole message is small talk: one or
more phrases of the tables in walletdesk.small_talk_phrases, with punctuation, emoji and
repeated letters around them ("hiii!!", "ok thanks 🙏", "在吗？", "gracias!!"). A greeting in
front of a question ("hi, my USDT hasn't arrived") is taken off before matching
(``without_greeting``). And a "thanks", "ok" or "bye" to a conversation an agent resolved does
not reopen it (``only_courtesy``, read by the message path: walletdesk.conversations.actions).
Pure functions, outside the bot's package: no database, no engine.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from walletdesk.i18n import N_, translate
from walletdesk.small_talk_phrases import PHRASES

GREETING, THANKS, ACK, FAREWELL = "greeting", "thanks", "ack", "farewell"
FILLER = "filler"
OPENER = "opener"  # "I have a question", "请问": a greeting that asks nothing yet
NEUTRAL = "*"  # the table of what every language shares (emoji)
# what the message is, when it chains several kinds ("ok thanks bye"): the first found here
PRIORITY = (THANKS, FAREWELL, ACK, GREETING)
MAX_CHARS = 80  # a longer message has something to say: it is matched
REPLIES = {
    GREETING: N_("Hi! How can I help you with your wallet today?"),
    THANKS: N_("You're welcome! If you need anything else, just write here."),
    ACK: N_("All right. If you need anything else, just write here."),
    FAREWELL: N_("Goodbye! If you need anything else, just write here."),
}


@dataclass(frozen=True)
class SmallTalk:
    kind: str  # greeting | thanks | ack | farewell
    # the languages whose tables hold every phrase of the message (none: emoji only)
    languages: tuple[str, ...]

    def reply(self, language: str | None) -> str:
        return translate(REPLIES[self.kind], language)

    def language(self, text: str, current: str | None,
                 detect: Callable[[str, str | None], str | None]) -> str | None:
        """The conversation's language after it: its own when the phrases are of it too
        ("ok" in Spanish, "hello" to a Chinese widget), the one language they are of ("Hola",
        "哈囉", "唔該"), Chinese by its script (``detect``: "你好" is both), else as it was."""
        if not self.languages or current in self.languages:
            return current
        if len(self.languages) == 1:
            return self.languages[0]
        if all(language.startswith("zh") for language in self.languages):
            return detect(text, current)
        return current or self.languages[0]


@dataclass(frozen=True)
class _Unit:
    text: str  # folded: a word, one Chinese character or one emoji of the tables
    start: int  # where it is in the message
    end: int
    cjk: bool


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=1)
def _symbols() -> frozenset[str]:
    """The emoji of the tables: units of their own (other symbols separate words)."""
    return frozenset(ch for kinds in PHRASES.values() for phrases in kinds.values()
                     for phrase in phrases for ch in phrase
                     if not ch.isalnum() and not ch.isspace() and ch != "'")


def _fold(ch: str) -> str:
    """One character as compared: NFKC, lower case, without accents."""
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", ch).casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def _units(text: str) -> list[_Unit]:
    """Words (repeated letters folded: "hiii" → "hi", "hello" → "helo"), single Chinese
    characters and the tables' emoji, with their places in ``text``; a repeated unit counts
    once ("谢谢谢" → 谢, "bye bye" → bye)."""
    units: list[_Unit] = []
    symbols = _symbols()
    word, start = "", 0

    def flush(end: int) -> None:
        nonlocal word
        if word:
            collapsed = "".join(c for i, c in enumerate(word) if i == 0 or c != word[i - 1])
            units.append(_Unit(collapsed, start, end, False))
            word = ""

    for index, ch in enumerate(text):
        if _is_cjk(ch) or ch in symbols:
            flush(index)
            units.append(_Unit(_fold(ch) if _is_cjk(ch) else ch, index, index + 1, _is_cjk(ch)))
        elif ch.isalnum():
            if not word:
                start = index
            word += _fold(ch)
        else:
            flush(index)
    flush(len(text))
    return [unit for i, unit in enumerate(units) if i == 0 or unit.text != units[i - 1].text]


@lru_cache(maxsize=1)
def _index() -> tuple[dict[tuple[str, ...], list[tuple[str, str]]], int]:
    """Folded phrase → its (language, kind) entries; the longest phrase's length in units."""
    index: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for language, kinds in PHRASES.items():
        for kind, phrases in kinds.items():
            for phrase in phrases:
                key = tuple(unit.text for unit in _units(phrase))
                if key:
                    index.setdefault(key, []).append((language, kind))
    return index, max((len(key) for key in index), default=1)


def _segments(units: list[_Unit], kinds: set[str] | None = None
              ) -> dict[int, list[tuple[int, list[tuple[str, str]]]]]:
    """Positions reachable from the start by whole phrases (of ``kinds``, fillers always):
    position → each phrase on the way, as (its length in units, its entries); longest
    phrases first."""
    index, longest = _index()
    words = [unit.text for unit in units]
    reached: dict[int, list[tuple[int, list[tuple[str, str]]]]] = {0: []}
    for position in range(len(words)):
        if position not in reached:
            continue
        for length in range(min(longest, len(words) - position), 0, -1):
            entries = index.get(tuple(words[position:position + length]))
            if entries is None:
                continue
            if kinds is not None:
                entries = [e for e in entries if e[1] in kinds or e[1] == FILLER]
            if entries and position + length not in reached:
                reached[position + length] = [*reached[position], (length, entries)]
    return reached


def small_talk(text: str) -> SmallTalk | None:
    """What the message is when all of it is small talk; None for anything else (a
    question, a word the tables lack, only fillers, a long message)."""
    if len(text) > MAX_CHARS:
        return None
    units = _units(text)
    if not units:
        return None
    path = _segments(units).get(len(units))
    if path is None:
        return None
    phrases = [entries for _, entries in path if any(kind != FILLER for _, kind in entries)]
    if not phrases:
        return None
    kinds = {GREETING if kind == OPENER else kind for entries in phrases for _, kind in entries}
    languages: set[str] | None = None
    for entries in phrases:
        own = {language for language, kind in entries if language != NEUTRAL and kind != FILLER}
        if own:
            languages = own if languages is None else (languages & own or own)
    order = list(PHRASES)
    return SmallTalk(next(kind for kind in PRIORITY if kind in kinds),
                     tuple(sorted(languages or (), key=order.index)))


def only_courtesy(text: str) -> bool:
    """Thanks, "ok" or a goodbye and nothing else: what a customer writes after an answer.
    It does not reopen a conversation an agent resolved; a greeting does (a question
    follows)."""
    talk = small_talk(text)
    return talk is not None and talk.kind != GREETING


def without_greeting(text: str) -> str:
    """The message without the greeting it starts with ("hi, my USDT hasn't arrived" → "my
    USDT hasn't arrived"); the message itself when it starts with none or is nothing else.
    A one-character Chinese greeting is only taken off before a break ("早，…", not
    "早上转的币…")."""
    units = _units(text)
    reached = _segments(units, {GREETING})
    if len(units) in _segments(units):
        return text  # nothing but small talk
    for position in sorted(reached, reverse=True):
        path = reached[position]
        if position == 0 or position >= len(units) \
                or not any(kind == GREETING for _, entries in path for _, kind in entries):
            continue
        last, following = units[position - 1], units[position]
        if path[-1][0] == 1 and last.cjk and following.cjk and last.end == following.start:
            continue  # 早 in 早上: a word of the question, not a greeting
        rest = text[following.start:]
        return rest if rest.strip() else text
    return text
