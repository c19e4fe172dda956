"""Reading what the bot did: a conversation's turns, and the content gaps."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.bot.choices import CHOSEN, LIMIT
from walletdesk.bot.models import BotConfig, BotTurn


def _candidate(index: int, key: str) -> ColumnElement[Any]:
    return BotTurn.candidates[(index, key)].as_string()


def matched_category() -> ColumnElement[Any]:
    """In SQL, a matched turn's category: the picked article's for a choice the customer
    answered (``CHOSEN``: its ``article_slug``, one of the offered first candidates), else the
    top candidate's."""
    picked = [(and_(BotTurn.outcome == CHOSEN, _candidate(i, "slug") == BotTurn.article_slug),
               _candidate(i, "category")) for i in range(1, LIMIT)]
    return case(*picked, else_=_candidate(0, "category"))


async def conversation_turns(session: AsyncSession, conversation_id: int) -> list[BotTurn]:
    query = select(BotTurn).where(BotTurn.conversation_id == conversation_id).order_by(BotTurn.id)
    return list((await session.scalars(query)).all())


def turn_payload(turn: BotTurn) -> dict[str, object]:
    """A bot turn for the agent's panel and the API. Two different numbers: each candidate's
    ``score`` is how closely the question matches that article against the others (the
    classifier's probability, or the stand-in's text similarity); ``confidence`` is the
    decision's chance that the best match is right, which also weighs how near the other
    articles and the off-topic questions are. So a best match at 0.82 can come with a
    confidence of 0.10. ``judgement`` says what the confidence decided (``turn_judgement``)."""
    return {"id": turn.id, "query": turn.query, "language": turn.language,
            "candidates": turn.candidates, "confidence": turn.confidence,
            "judgement": turn_judgement(turn),
            "outcome": turn.outcome, "reason": turn.reason, "article_slug": turn.article_slug,
            "helpful": turn.helpful, "created_at": turn.created_at.isoformat()}


# the turns whose confidence is the decision's chance that the best match is right
JUDGED_OUTCOMES = ("answered", "suggested", CHOSEN, "verify_email")
UNSURE_REASONS = ("low_confidence", "repeated_failure")


def turn_judgement(turn: BotTurn) -> str | None:
    """What the bot concluded from its confidence: "sure" (it answered), "unsure" (it offered
    articles, or handed off for too little confidence), "off_topic" (the question looked
    outside the knowledge base); None when the confidence decided nothing (the customer asked
    for a person, a sensitive topic, small talk, a transfer's lookup …)."""
    if turn.outcome == "handed_off":
        if turn.reason == "out_of_scope":
            return "off_topic"
        return "unsure" if turn.reason in UNSURE_REASONS else None
    if turn.outcome not in JUDGED_OUTCOMES:
        return None
    return "sure" if turn.outcome in ("answered", "verify_email") else "unsure"


# the hand-offs whose question no article answered: what the knowledge base lacks. "Out of
# scope" is among them: the bot's judgement, on in-scope questions too when the operator's
# knowledge base lacks their article (the gap shows how many it judged so). A customer who
# asked for a person, a sensitive topic or a question about their own account is not a gap.
GAP_REASONS = ("low_confidence", "repeated_failure", "out_of_scope")
NOT_GAPS = ("asked_for_human", "sensitive_topic")


@dataclass
class GapGroup:
    """Similar questions the bot could not answer well: an article to write next."""

    example: str
    queries: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    last_seen: datetime | None = None
    out_of_scope: int = 0  # of its questions, those the bot handed off as out of scope

    @property
    def size(self) -> int:
        return len(self.queries)

    @property
    def wordings(self) -> list[str]:
        """Its questions once each, the example first: the same question asked several times
        (in other capitals or spacing) is one wording."""
        seen: set[str] = set()
        distinct = []
        for query in self.queries:
            key = _wording_key(query)
            if key not in seen:
                seen.add(key)
                distinct.append(query)
        return distinct


def _wording_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


async def content_gaps(session: AsyncSession, since: datetime | None = None,
                       limit: int = 2000) -> list[GapGroup]:
    """Handed-off (for lack of an answer) and disliked questions, grouped by similarity."""
    query = select(BotTurn).where(or_(
        BotTurn.reason.in_(GAP_REASONS),
        BotTurn.outcome == "suggested",
        BotTurn.helpful.is_(False)),
        BotTurn.reason.not_in(NOT_GAPS),
        BotTurn.outcome != "chain_lookup")  # a hash its lookup answered: no article missing
    if since is not None:
        query = query.where(BotTurn.created_at >= since)
    turns = (await session.scalars(query.order_by(BotTurn.id.desc()).limit(limit))).all()
    return group_similar([(t.query, t.language, t.created_at, t.reason == "out_of_scope")
                          for t in turns if asks_something(t.query)])


# what no article answers: the desk's placeholders ("[private key removed]"), hashes,
# addresses and other long runs of letters and digits
_NOT_WORDS = re.compile(r"\[[^\]]{0,80}\]|\b(?:0x)?[0-9A-Za-z]{20,}\b")
_WORD = re.compile(r"[^\W\d_]{2,}|[\u3400-\u9fff\uf900-\ufaff]")


def asks_something(query: str) -> bool:
    """Does the question hold words an article could answer? A content gap of "2" (a pick
    typed with no choice open), "[private key removed]" or a bare hash asks the operator to
    write an article about nothing (found in a walkthrough: they topped the list)."""
    return _WORD.search(_NOT_WORDS.sub(" ", query)) is not None


def _shingles(text: str) -> set[str]:
    folded = "".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace())
    compact = folded.replace(" ", "")
    grams = {compact[i:i + 2] for i in range(max(len(compact) - 1, 1))}
    return grams | set(folded.split())


def group_similar(rows: list[tuple[str, str, datetime, bool]],
                  threshold: float = 0.35) -> list[GapGroup]:
    """Greedy grouping by Jaccard similarity of character bigrams and words (any script);
    a row: the question, its language, when it was asked, and whether it was handed off as
    out of scope."""
    groups: list[tuple[set[str], GapGroup]] = []
    for text, language, seen, out_of_scope in rows:
        grams = _shingles(text)
        best, best_score = None, 0.0
        for shingles, group in groups:
            union = len(grams | shingles) or 1
            score = len(grams & shingles) / union
            if score > best_score:
                best, best_score = group, score
        if best is None or best_score < threshold:
            best = GapGroup(example=text)
            groups.append((grams, best))
        best.queries.append(text)
        best.languages.add(language)
        best.last_seen = max(best.last_seen, seen) if best.last_seen else seen
        best.out_of_scope += out_of_scope
    return sorted((g for _, g in groups), key=lambda g: -g.size)


async def outcome_counts(session: AsyncSession, since: datetime) -> dict[str, int]:
    """How the bot's turns ended since ``since``: answered, suggested, handed_off, clarify,
    answered_choice (an offered article the customer picked); and ``choice_resolved``: the
    picks the customer did not follow with "not solved" or "talk to a person"."""
    rows = await session.execute(
        select(BotTurn.outcome, func.count(),
               func.count(case((or_(BotTurn.helpful.is_(None), BotTurn.helpful.is_(True)), 1))))
        .where(BotTurn.created_at >= since).group_by(BotTurn.outcome))
    counts, resolved = {}, 0
    for outcome, count, not_unhelpful in rows.all():
        counts[outcome] = int(count)
        if outcome == CHOSEN:
            resolved = int(not_unhelpful)
    counts["choice_resolved"] = resolved
    return counts


async def bot_config(session: AsyncSession) -> BotConfig | None:
    return await session.get(BotConfig, 1)
