"""Agents: per agent, the report's conversations they hold, how fast they answered and
resolved, and how customers rated them."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import FromClause, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent
from walletdesk.cases.models import Survey
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.reports.figures import AgentRow, Agents
from walletdesk.reports.filters import ReportFilter, cohort_ids, conversation_conditions
from walletdesk.reports.measures import median
from walletdesk.reports.rollups import FactSource, fact_source
from walletdesk.reports.speed import RESOLVED, timelines
from walletdesk.reports.volume import period_of

Counted = dict[int, tuple[int, int]]


async def agent_pass(session: AsyncSession, facts: FromClause, names: Sequence[str],
                     counts: bool = False
                     ) -> tuple[dict[str, dict[int, float | None]], Counted, Counted]:
    """Per duration the median per assignee, exact: the values of each assignee in one
    pass over the period's facts, unsorted (one array per assignee and duration on
    PostgreSQL: an aggregate by ~300 keys, no sort, no second read), sorted here per agent
    (a few hundred to a few thousand values each: milliseconds). It replaced the count per
    agent and bucket and the read of the middle buckets' values (two passes, decision 0043).
    ``counts``: in the same pass (PostgreSQL) the assignees' conversations and resolved ones
    and the rated agents' ratings and their sum (else two empty dicts)."""
    c = facts.c
    values: dict[str, dict[int, list[float]]] = {name: {} for name in names}
    handled: Counted = {}
    rated: Counted = {}

    def count(assignee_id: int | None, rater_id: int | None, total: int, done: int,
              ratings: int, rating_sum: int | None) -> None:
        if assignee_id is not None:
            before = handled.get(assignee_id, (0, 0))
            handled[assignee_id] = (before[0] + int(total), before[1] + int(done))
        if rater_id is not None and ratings:
            before = rated.get(rater_id, (0, 0))
            rated[rater_id] = (before[0] + int(ratings), before[1] + int(rating_sum or 0))

    numbers = [func.count(), func.count(case((c.status.in_(RESOLVED), 1))),
               func.count(c.survey_rating), func.sum(c.survey_rating)]
    connection = await session.connection()  # Core rows, no ORM processing
    if session.bind.dialect.name == "postgresql":
        keys = [c.assignee_id, c.survey_agent_id] if counts else [c.assignee_id]
        query = select(*keys, *(numbers if counts else []),
                       *(func.array_agg(c[name]).filter(c[name].is_not(None),
                                                        c.assignee_id.is_not(None))
                         for name in names)).group_by(*keys)
        for row in await connection.execute(
                query if counts else query.where(c.assignee_id.is_not(None))):
            if counts:
                count(*row[:6])
            for name, found in zip(names, row[-len(names):], strict=True):
                if found:
                    values[name].setdefault(row[0], []).extend(found)
    else:  # SQLite, the embedded case: the rows themselves
        for agent_id, *row in await connection.execute(
                select(c.assignee_id, *(c[name] for name in names))
                .where(c.assignee_id.is_not(None))):
            for name, value in zip(names, row, strict=True):
                if value is not None:
                    values[name].setdefault(agent_id, []).append(value)
        if counts:
            for row in await connection.execute(
                    select(c.assignee_id, c.survey_agent_id, *numbers)
                    .group_by(c.assignee_id, c.survey_agent_id)):
                count(*row)
    return ({name: {agent_id: median(found) for agent_id, found in per_agent.items()}
             for name, per_agent in values.items()}, handled, rated)


async def _agents_from_facts(session: AsyncSession, report: ReportFilter,
                             source: FactSource) -> Agents:
    facts, replies = source.facts, source.replies
    names = ["first_response_s", "resolution_s"]
    days = await source.agent_days(session)
    # without a filter the counts come from the daily rows, else in the medians' pass
    medians, handled, rated = await agent_pass(session, facts, names, counts=days is None)
    if days is not None:
        return await _agents(
            session, report, {agent_id: (numbers["handled"], numbers["resolved"])
                              for agent_id, numbers in days.items() if numbers["handled"]},
            {agent_id: numbers["replies"] for agent_id, numbers in days.items()
             if numbers["replies"]},
            {agent_id: (numbers["ratings"], float(numbers["rating_sum"]))
             for agent_id, numbers in days.items() if numbers["ratings"]},
            medians["first_response_s"], medians["resolution_s"])
    written = dict((await session.execute(
        select(replies.c.agent_id, func.sum(replies.c.replies))
        .group_by(replies.c.agent_id))).all())
    return await _agents(session, report, handled, written,
                         {agent_id: (count, float(total)) for agent_id, (count, total)
                          in rated.items()},
                         medians["first_response_s"], medians["resolution_s"])


async def _agents(session: AsyncSession, report: ReportFilter,
                  handled: dict[int, tuple[int, int]], replies: dict[int, int],
                  ratings: dict[int, tuple[int, float]],
                  first_median: Mapping[int, float | None],
                  resolution_median: Mapping[int, float | None]) -> Agents:
    everyone = set(handled) | set(replies) | set(ratings)
    # every agent's name (a desk has hundreds at most): an IN list of hundreds of ids cost
    # more to compile than this read
    names = dict((await session.execute(select(Agent.id, Agent.display_name))).all())
    rows = []
    for agent_id in everyone:
        total, done = handled.get(agent_id, (0, 0))
        count, summed = ratings.get(agent_id, (0, 0.0))
        rows.append(AgentRow(
            agent_id=agent_id, agent=names.get(agent_id, ""), handled=total, resolved=done,
            replies=int(replies.get(agent_id, 0)),
            first_response_median_s=first_median.get(agent_id),
            resolution_median_s=resolution_median.get(agent_id), ratings=count,
            csat_average=round(summed / count, 4) if count else None))
    rows.sort(key=lambda row: (-row.handled, -row.replies, row.agent))
    return Agents(period=period_of(report), agents=rows)


async def agents_report(session: AsyncSession, report: ReportFilter, *,
                        live: bool = False) -> Agents:
    """From the rollup where it covers the period (walletdesk.reports.rollups), else (or
    with ``live``) from the conversations, messages and surveys."""
    source = None if live else await fact_source(session, report)
    if source is not None:
        return await _agents_from_facts(session, report, source)
    ids = cohort_ids(report)
    counts = await session.execute(
        select(Conversation.assignee_id, func.count(),
               func.count(case((Conversation.status.in_(RESOLVED), 1))))
        .where(*conversation_conditions(report), Conversation.assignee_id.is_not(None))
        .group_by(Conversation.assignee_id))
    replies = dict((await session.execute(
        select(Message.sender_agent_id, func.count())
        .where(Message.conversation_id.in_(ids), Message.sender_kind == SenderKind.agent,
               Message.is_internal.is_(False), Message.sender_agent_id.is_not(None))
        .group_by(Message.sender_agent_id))).all())
    ratings = {agent_id: (int(count), float(total or 0)) for agent_id, count, total in
               await session.execute(
                   select(Survey.agent_id, func.count(), func.sum(Survey.rating))
                   .where(Survey.conversation_id.in_(ids), Survey.rating.is_not(None),
                          Survey.agent_id.is_not(None))
                   .group_by(Survey.agent_id))}
    first: dict[int, list[float]] = defaultdict(list)
    resolution: dict[int, list[float]] = defaultdict(list)
    for row in await timelines(session, report):
        if row.assignee_id is None:
            continue
        if row.first_reply_at is not None:
            first[row.assignee_id].append(_seconds(row.first_customer_at, row.first_reply_at))
        if row.resolved_at is not None and row.resolved_at >= row.first_customer_at:
            resolution[row.assignee_id].append(_seconds(row.first_customer_at, row.resolved_at))
    handled = {agent_id: (int(total), int(done)) for agent_id, total, done in counts}
    return await _agents(session, report, handled, replies, ratings,
                         {agent_id: median(v) for agent_id, v in first.items() if v},
                         {agent_id: median(v) for agent_id, v in resolution.items() if v})


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()
