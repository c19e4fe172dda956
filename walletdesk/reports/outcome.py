"""Outcome: resolution and reopen rates, bot containment and why the bot handed over.

A resolve (by an agent or the customer's "solved" with the bot) writes a message marked
``meta.kind = "resolved"``; a conversation is *reopened* when, after its first resolve, an
agent wrote again, the customer wrote more than a "thanks", "ok" or goodbye (which the desk
keeps in the thread without reopening: walletdesk.reports.reopens) or it was resolved a second
time (docs/reports.md)."""

from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from walletdesk.bot.models import BotTurn
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.reports.figures import Count, Outcome
from walletdesk.reports.filters import ReportFilter, cohort_ids, conversation_conditions
from walletdesk.reports.hourly import breakdown_counts
from walletdesk.reports.measures import rate
from walletdesk.reports.reopens import may_be_courtesy, reopened_by_words
from walletdesk.reports.rollups import FactSource, fact_source
from walletdesk.reports.volume import period_of

RESOLVED = (Status.resolved, Status.closed)
RESOLVE_MARK = "resolved"
COUNTS = ("conversations", "resolved", "with_bot", "bot_contained", "handed_off",
          "ever_resolved", "reopened")


def resolve_marks(conversation_ids: object) -> object:
    """Per conversation: its first resolve and how many resolves (cid, first_at, marks)."""
    return (select(Message.conversation_id.label("cid"),
                   func.min(Message.created_at).label("first_at"),
                   func.count().label("marks"))
            .where(Message.meta["kind"].as_string() == RESOLVE_MARK,
                   Message.conversation_id.in_(conversation_ids))
            .group_by(Message.conversation_id).subquery("resolves"))


async def reopened_ids(session: AsyncSession, report: ReportFilter) -> set[int]:
    """The report's conversations reopened after their first resolve: resolved again, an
    agent wrote in public, or the customer wrote more than a "thanks", "ok" or goodbye
    (walletdesk.reports.reopens: such a message does not reopen a conversation on the desk
    either). The courtesy is read in Python, from the short customer messages only."""
    marks = resolve_marks(cohort_ids(report))

    def wrote_after(kind: SenderKind, *conditions: Any) -> Any:
        later = aliased(Message)  # the short messages' query reads messages too
        return (select(later.id).where(
            later.conversation_id == marks.c.cid, later.created_at > marks.c.first_at,
            later.is_internal.is_(False), later.sender_kind == kind,
            *[condition(later) for condition in conditions]).exists())

    surely = or_(marks.c.marks > 1, wrote_after(SenderKind.agent),
                 wrote_after(SenderKind.customer, lambda m: ~may_be_courtesy(m.text)))
    reopened = set((await session.scalars(select(marks.c.cid).where(surely))).all())
    short = await session.execute(
        select(Message.conversation_id, Message.text)
        .join(marks, marks.c.cid == Message.conversation_id)
        .where(Message.created_at > marks.c.first_at, Message.is_internal.is_(False),
               Message.sender_kind == SenderKind.customer, may_be_courtesy(Message.text),
               ~surely))
    reopened.update(await reopened_by_words((cid, words) for cid, words in short))
    return reopened


def agent_replied(conversation_id: object) -> object:
    return (select(Message.id).where(Message.conversation_id == conversation_id,
                                     Message.sender_kind == SenderKind.agent,
                                     Message.is_internal.is_(False)).exists())


async def _outcome_from_facts(session: AsyncSession, report: ReportFilter,
                              source: FactSource) -> Outcome:
    facts = source.facts
    view = await source.hourly(session, "handoff", totals=True)
    if view is not None:
        total, resolved, bot, contained, handed, ever_resolved, reopened = (
            view.total(name) for name in COUNTS)
    else:
        total, resolved, bot, contained, handed, ever_resolved, reopened = (
            int(v or 0) for v in (await session.execute(select(
                func.count(), func.count(case((facts.c.is_resolved, 1))),
                func.count(case((facts.c.with_bot, 1))),
                func.count(case((facts.c.bot_contained, 1))),
                func.count(facts.c.handoff_reason),
                func.count(case((facts.c.ever_resolved, 1))),
                func.count(case((facts.c.reopened, 1)))))).one())
    if view is not None and view.breakdowns:
        # ordered as in SQL: count descending, then the reason (code-point order)
        reasons: Any = sorted(((key, count) for key, count
                               in breakdown_counts(view, "handoff").items() if key is not None),
                              key=lambda item: (-item[1], item[0]))
    else:
        reasons = await session.execute(
            select(facts.c.handoff_reason, func.count())
            .where(facts.c.handoff_reason.is_not(None)).group_by(facts.c.handoff_reason)
            .order_by(func.count().desc(), facts.c.handoff_reason))
    return _outcome(report, total, resolved, ever_resolved, reopened, bot, contained, handed,
                    [Count(key=key or "", count=count) for key, count in reasons])


def _outcome(report: ReportFilter, total: int, resolved: int, ever_resolved: int,
             reopened: int, bot: int, contained: int, handed: int,
             reasons: list[Count]) -> Outcome:
    return Outcome(
        period=period_of(report), conversations=total, resolved=resolved,
        resolution_rate=rate(resolved, total), ever_resolved=ever_resolved, reopened=reopened,
        reopen_rate=rate(reopened, ever_resolved), with_bot=bot, bot_contained=contained,
        bot_containment_rate=rate(contained, bot), handed_off=handed, handoff_reasons=reasons)


async def outcome_report(session: AsyncSession, report: ReportFilter, *,
                         live: bool = False) -> Outcome:
    """From the rollup where it covers the period (walletdesk.reports.rollups), else (or
    with ``live``) from the conversations, messages and bot turns."""
    source = None if live else await fact_source(session, report)
    if source is not None:
        return await _outcome_from_facts(session, report, source)
    conditions = conversation_conditions(report)
    is_resolved = and_(Conversation.status.in_(RESOLVED), Conversation.resolved_at.is_not(None))
    with_bot = Conversation.id.in_(select(BotTurn.conversation_id))
    total, resolved, bot, contained, handed = (int(v or 0) for v in (await session.execute(
        select(func.count(),
               func.count(case((is_resolved, 1))),
               func.count(case((with_bot, 1))),
               func.count(case((and_(is_resolved, with_bot,
                                     ~agent_replied(Conversation.id)), 1))),
               func.count(Conversation.handoff_reason))
        .where(*conditions))).one())
    marks = resolve_marks(cohort_ids(report))
    ever_resolved = int(await session.scalar(select(func.count()).select_from(marks)) or 0)
    reopened = len(await reopened_ids(session, report))
    reasons = await session.execute(
        select(Conversation.handoff_reason, func.count())
        .where(*conditions, Conversation.handoff_reason.is_not(None))
        .group_by(Conversation.handoff_reason)
        .order_by(func.count().desc(), Conversation.handoff_reason))
    return _outcome(report, total, resolved, ever_resolved, reopened, bot, contained, handed,
                    [Count(key=key or "", count=count) for key, count in reasons])
