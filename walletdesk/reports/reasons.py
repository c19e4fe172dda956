"""Why customers contact us: one contact reason per conversation, and the "for the product
team" export (reasons with counts, sample messages and links).

The reason is, in this order: the reason the agent chose when resolving it; else the
conversation's category (chosen in the widget or set by an agent); else the category of the
article the bot first matched (its first answered or suggested turn, a suggestion the customer
picked from included); else the conversation's
first label by name; else none (docs/reports.md).
"""

from collections import Counter
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.bot.choices import MATCHED_OUTCOMES as BOT_MATCHED
from walletdesk.bot.models import BotTurn
from walletdesk.bot.queries import matched_category
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.labels.models import ConversationLabel, Label
from walletdesk.reports.figures import ProductRow, ReasonRow, Reasons
from walletdesk.reports.filters import ReportFilter, conversation_conditions
from walletdesk.reports.measures import rate
from walletdesk.reports.rollups import fact_source
from walletdesk.reports.satisfaction import conversation_link
from walletdesk.reports.volume import period_of

SAMPLES = 3
MAX_REASONS = 200  # the export's rows; the rest are in the reasons report
SAMPLE_CHARS = 300


def bot_category_and_first_label() -> tuple[Any, Any]:
    """Correlated on ``Conversation``: the category of the bot's first answer or suggestion
    (a choice's picked article), and the conversation's first label by name — two of the
    places a reason comes from."""
    bot_category = (
        select(matched_category())
        .where(BotTurn.conversation_id == Conversation.id,
               BotTurn.outcome.in_(BOT_MATCHED))
        .order_by(BotTurn.id).limit(1).scalar_subquery())
    first_label = (select(func.min(Label.name))
                   .join(ConversationLabel, ConversationLabel.label_id == Label.id)
                   .where(ConversationLabel.conversation_id == Conversation.id)
                   .scalar_subquery())
    return bot_category, first_label


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
                        live: bool = False) -> list[tuple[str, str, int]]:
    """(reason, source, conversations), the most frequent first (then by reason and
    source, in code-point order). From the rollup (its hourly rows without a filter, its
    facts with one) where it covers the period, else (or with ``live``) from the
    conversations, bot turns and labels."""
    source = None if live else await fact_source(session, report)
    if source is None:
        rows = reason_rows(report)
        return [(reason, origin, int(count)) for reason, origin, count in await session.execute(
            select(rows.c.reason, rows.c.source, func.count())
            .group_by(rows.c.reason, rows.c.source)
            .order_by(func.count().desc(), rows.c.reason, rows.c.source))]
    counts: Counter[tuple[str, str]] = Counter()
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
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
    return [(reason, origin, count) for (reason, origin), count in ordered if count]


async def reasons_report(session: AsyncSession, report: ReportFilter, *,
                         live: bool = False) -> Reasons:
    counted = await reason_counts(session, report, live=live)
    total = sum(count for _, _, count in counted)
    return Reasons(period=period_of(report), conversations=total,
                   reasons=[ReasonRow(reason=reason, source=source, count=count,
                                      share=rate(count, total))
                            for reason, source, count in counted])


async def product_export(session: AsyncSession, report: ReportFilter, *,
                         live: bool = False) -> list[ProductRow]:
    """Per reason: its count and the first messages of its latest conversations. The texts
    are as stored: protected on the way in (no seed phrase or key ever reaches this)."""
    summary = await reasons_report(session, report, live=live)
    source = None if live else await fact_source(session, report)
    if source is not None:
        return await _product_rows(session, summary, source.facts)
    rows = reason_rows(report)
    first_message = (select(Message.text)
                     .where(Message.conversation_id == rows.c.cid,
                            Message.sender_kind == SenderKind.customer)
                     .order_by(Message.seq).limit(1).scalar_subquery())
    result = []
    for reason in summary.reasons[:MAX_REASONS]:
        samples = (await session.execute(
            select(rows.c.cid, first_message)
            .where(rows.c.reason == reason.reason, rows.c.source == reason.source)
            .order_by(rows.c.created_at.desc(), rows.c.cid.desc()).limit(SAMPLES))).all()
        result.append(ProductRow(
            reason=reason.reason, source=reason.source, count=reason.count,
            samples=[(text or "")[:SAMPLE_CHARS] for _, text in samples],
            links=[conversation_link(cid) for cid, _ in samples]))
    return result


async def _product_rows(session: AsyncSession, summary: Reasons, facts: Any) -> list[ProductRow]:
    """The export from the rollup's facts: the latest conversations of every reason in one
    ranking, then their first customer messages."""
    rank = func.row_number().over(
        partition_by=(facts.c.reason, facts.c.reason_source),
        order_by=(facts.c.created_at.desc(), facts.c.conversation_id.desc())).label("rank")
    ranked = select(facts.c.conversation_id, facts.c.reason, facts.c.reason_source,
                    rank).subquery()
    latest: dict[tuple[str, str], list[int]] = {}
    for cid, reason, origin, _ in await session.execute(
            select(ranked).where(ranked.c.rank <= SAMPLES).order_by(ranked.c.rank)):
        latest.setdefault((reason, origin), []).append(cid)
    wanted = summary.reasons[:MAX_REASONS]
    ids = [cid for row in wanted for cid in latest.get((row.reason, row.source), [])]
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
                                for cid in latest.get((row.reason, row.source), [])],
                       links=[conversation_link(cid)
                              for cid in latest.get((row.reason, row.source), [])])
            for row in wanted]
