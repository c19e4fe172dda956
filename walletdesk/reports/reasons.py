"""Why customers contact us: one contact reason per conversation, and the "for the product
team" export (reasons with counts, sample messages and links).

The reason is, in this order: the reason the agent chose when resolving it; else the
conversation's category (chosen in the widget or set by an agent); else the category of the
article the bot first matched (its first answered or suggested turn, a suggestion the customer
picked from included); else the conversation's
first label by name; else none (docs/reports.md).

A row is a reason, not a code: the codes that name one reason (the category "security" and
the label "Security", walletdesk.conversations.reasons) are summed into one row, shown by the
category's code. Every conversation has one reason, so none is counted twice. The rollup
stores its counts per code and source; they are merged here, when read.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.conversations.reasons import shown_codes
from walletdesk.reports.figures import ProductRow, ReasonRow, Reasons
from walletdesk.reports.filters import (
    ReportFilter,
    bot_category_and_first_label,
    conversation_conditions,
)
from walletdesk.reports.measures import rate
from walletdesk.reports.rollups import fact_source
from walletdesk.reports.satisfaction import conversation_link
from walletdesk.reports.volume import period_of

SAMPLES = 3
MAX_REASONS = 200  # the export's rows; the rest are in the reasons report
SAMPLE_CHARS = 300
# a row's main source when two have as many conversations: the order a reason is taken in
SOURCES = ("resolve", "category", "bot", "label", "none")


def reason_shown(counts: Mapping[str, int]) -> dict[str, str]:
    """{code: the code its reason is shown by} for the codes counted (conversations per
    code): the knowledge base's category where the reason is one (counted or not: the
    label "Security" alone is the reason "security" too), else its code with the most
    conversations (then the first in code-point order)."""
    others = sorted((code for code in counts if code not in i18n.CATEGORY_NAMES),
                    key=lambda code: (-counts[code], code))
    shown = shown_codes([*sorted(i18n.CATEGORY_NAMES), *others])
    return {code: shown[code] for code in counts}


@dataclass
class MergedReason:
    """One reason's row: its conversations per source, and per code."""

    reason: str
    sources: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.sources.values())

    @property
    def source(self) -> str:
        """Where most of its conversations' reason came from."""
        return min(self.sources, key=lambda s: (-self.sources[s],
                                                SOURCES.index(s) if s in SOURCES else 99, s))


def merge_reasons(counts: Mapping[tuple[str, str], int]) -> list[MergedReason]:
    """(code, source) counts as one row per reason, the most frequent first (then by the
    reason's code, in code-point order)."""
    per_code: Counter[str] = Counter()
    for (code, _), count in counts.items():
        per_code[code] += count
    shown = reason_shown(per_code)
    merged: dict[str, MergedReason] = {}
    for (code, origin), count in counts.items():
        if count:
            row = merged.setdefault(shown[code], MergedReason(shown[code]))
            row.sources[origin] += count
            row.codes[code] += count
    return sorted(merged.values(), key=lambda row: (-row.count, row.reason))


def reason_rows(report: ReportFilter):  # type: ignore[no-untyped-def]
    """A subquery: per conversation of the report, its reason and where the reason came from."""
    bot_category, first_label = bot_category_and_first_label()
    inner = select(Conversation.id.label("cid"), Conversation.created_at.label("created_at"),
                   func.nullif(Conversation.contact_reason, "").label("chosen"),
                   func.nullif(Conversation.category, "").label("category"),
                   func.nullif(bot_category, "").label("bot"),
                   first_label.label("label")).where(*conversation_conditions(report)).subquery()
    reason = func.coalesce(inner.c.chosen, inner.c.category, inner.c.bot, inner.c.label,
                           literal(""))
    source = case((inner.c.chosen.is_not(None), "resolve"),
                  (inner.c.category.is_not(None), "category"), (inner.c.bot.is_not(None), "bot"),
                  (inner.c.label.is_not(None), "label"), else_="none")
    return select(inner.c.cid.label("cid"), inner.c.created_at.label("created_at"),
                  reason.label("reason"), source.label("source")).subquery("reasons")


async def reason_counts(session: AsyncSession, report: ReportFilter, *,
                        live: bool = False) -> list[MergedReason]:
    """One row per reason, the most frequent first (``merge_reasons``). The conversations
    per code and source from the rollup (its hourly rows without a filter, its facts with
    one) where it covers the period, else (or with ``live``) from the conversations, bot
    turns and labels."""
    source = None if live else await fact_source(session, report)
    counts: Counter[tuple[str, str]] = Counter()
    if source is None:
        rows = reason_rows(report)
        for reason, origin, count in await session.execute(
                select(rows.c.reason, rows.c.source, func.count())
                .group_by(rows.c.reason, rows.c.source)):
            counts[(reason, origin)] += int(count)
        return merge_reasons(counts)
    view = await source.hourly(session, "reason", totals=True)
    if view is not None and view.breakdowns:
        for value, numbers in view.breakdowns["reason"].items():
            origin, reason = value[1:].split(":", 1)
            counts[(reason, origin)] += numbers["conversations"]
    else:
        facts = source.facts
        for reason, origin, count in await session.execute(
                select(facts.c.reason, facts.c.reason_source, func.count())
                .group_by(facts.c.reason, facts.c.reason_source)):
            counts[(reason, origin)] += int(count)
    return merge_reasons(counts)


def _ordered_sources(row: MergedReason) -> dict[str, int]:
    return {origin: row.sources[origin] for origin in sorted(
        row.sources, key=lambda s: (s != row.source, -row.sources[s], s))}


async def reasons_report(session: AsyncSession, report: ReportFilter, *,
                         live: bool = False) -> Reasons:
    counted = await reason_counts(session, report, live=live)
    total = sum(row.count for row in counted)
    return Reasons(period=period_of(report), conversations=total,
                   reasons=[ReasonRow(reason=row.reason, source=row.source, count=row.count,
                                      share=rate(row.count, total),
                                      sources=_ordered_sources(row))
                            for row in counted])


async def product_export(session: AsyncSession, report: ReportFilter, *,
                         live: bool = False) -> list[ProductRow]:
    """Per reason: its count and the first messages of its latest conversations (under any
    of its codes). The texts are as stored: protected on the way in (no seed phrase or key
    ever reaches this)."""
    wanted = (await reason_counts(session, report, live=live))[:MAX_REASONS]
    source = None if live else await fact_source(session, report)
    if source is not None:
        return await _product_rows(session, wanted, source.facts)
    rows = reason_rows(report)
    first_message = (select(Message.text)
                     .where(Message.conversation_id == rows.c.cid,
                            Message.sender_kind == SenderKind.customer)
                     .order_by(Message.seq).limit(1).scalar_subquery())
    result = []
    for reason in wanted:
        samples = (await session.execute(
            select(rows.c.cid, first_message)
            .where(rows.c.reason.in_(list(reason.codes)))
            .order_by(rows.c.created_at.desc(), rows.c.cid.desc()).limit(SAMPLES))).all()
        result.append(ProductRow(
            reason=reason.reason, source=reason.source, count=reason.count,
            samples=[(text or "")[:SAMPLE_CHARS] for _, text in samples],
            links=[conversation_link(cid) for cid, _ in samples]))
    return result


async def _product_rows(session: AsyncSession, wanted: list[MergedReason],
                        facts: Any) -> list[ProductRow]:
    """The export from the rollup's facts: the latest conversations of every code in one
    ranking, the latest of each reason's codes, then their first customer messages."""
    rank = func.row_number().over(
        partition_by=facts.c.reason,
        order_by=(facts.c.created_at.desc(), facts.c.conversation_id.desc())).label("rank")
    ranked = select(facts.c.conversation_id, facts.c.created_at, facts.c.reason,
                    rank).subquery()
    latest_of_code: dict[str, list[tuple[Any, int]]] = {}
    for cid, created_at, code, _ in await session.execute(
            select(ranked).where(ranked.c.rank <= SAMPLES).order_by(ranked.c.rank)):
        latest_of_code.setdefault(code, []).append((created_at, cid))
    latest = {row.reason: [cid for _, cid in sorted(
        (moment for code in row.codes for moment in latest_of_code.get(code, [])),
        reverse=True)[:SAMPLES]] for row in wanted}
    ids = [cid for row in wanted for cid in latest[row.reason]]
    first: dict[int, str] = {}
    if ids:
        for cid, text in await session.execute(
                select(Message.conversation_id, Message.text)
                .where(Message.conversation_id.in_(ids),
                       Message.sender_kind == SenderKind.customer)
                .order_by(Message.conversation_id, Message.seq.desc())):
            first[cid] = text  # the last written wins: the lowest seq
    return [ProductRow(reason=row.reason, source=row.source, count=row.count,
                       samples=[(first.get(cid) or "")[:SAMPLE_CHARS]
                                for cid in latest[row.reason]],
                       links=[conversation_link(cid) for cid in latest[row.reason]])
            for row in wanted]
