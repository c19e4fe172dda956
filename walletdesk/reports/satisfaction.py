"""Satisfaction: the CSAT ratings of the report's conversations — trend, distribution and the
written comments, lowest ratings first."""

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent
from walletdesk.cases.models import Survey
from walletdesk.conversations.models import Conversation
from walletdesk.reports.figures import Comment, DayRating, RatingCount, Satisfaction
from walletdesk.reports.filters import ReportFilter, cohort_ids, conversation_conditions
from walletdesk.reports.measures import (
    quarter_key,
    rate,
    utc_quarter_hour,
    utc_quarter_start,
)
from walletdesk.reports.rollups import fact_source
from walletdesk.reports.volume import period_of

MAX_COMMENTS = 500


def conversation_link(conversation_id: int) -> str:
    return f"/app#{conversation_id}"


async def satisfaction_report(session: AsyncSession, report: ReportFilter, *,
                              max_rating: int | None = None,
                              comments_limit: int = 100, live: bool = False,
                              survey_source: str = "conversation") -> Satisfaction:
    """``max_rating`` filters the comments (e.g. 2: only the unhappy ones). The counts come
    from the rollup where it covers the period (walletdesk.reports.rollups), else (or with
    ``live``) from the surveys; the comments always from the surveys. ``survey_source``
    "periodic": the periodic surveys sent in the period (walletdesk.outreach) instead."""
    if survey_source == "periodic":
        return await _periodic(session, report, max_rating, comments_limit)
    source = None if live else await fact_source(session, report)
    if source is not None:
        facts = source.facts
        in_report = Survey.conversation_id.in_(select(facts.c.conversation_id))
        view = await source.hourly(session)
        if view is not None:
            asked = view.total("surveys")
            distribution = {n: view.total(f"rating_{n}") for n in range(1, 6)
                            if view.total(f"rating_{n}")}
            per_bucket: Any = [(hour, c["ratings"], c["rating_sum"], c["happy"])
                               for hour, c in view.hours.items() if c["ratings"]]
            return await _satisfaction(session, report, in_report, asked, distribution,
                                       per_bucket, max_rating, comments_limit)
        asked = int(await session.scalar(select(func.count(case((facts.c.survey_asked, 1)))))
                    or 0)
        distribution = dict((await session.execute(
            select(facts.c.survey_rating, func.count())
            .where(facts.c.survey_rating.is_not(None)).group_by(facts.c.survey_rating))).all())
        bucket = utc_quarter_start(facts.c.created_at).label("bucket")
        per_bucket = await session.execute(
            select(bucket, func.count(), func.sum(facts.c.survey_rating),
                   func.count(case((facts.c.survey_rating >= 4, 1))))
            .where(facts.c.survey_rating.is_not(None)).group_by(bucket))
        return await _satisfaction(session, report, in_report, asked, distribution,
                                   per_bucket, max_rating, comments_limit)
    in_report = Survey.conversation_id.in_(cohort_ids(report))
    asked = int(await session.scalar(select(func.count()).select_from(Survey)
                                     .where(in_report)) or 0)
    distribution = dict((await session.execute(
        select(Survey.rating, func.count()).where(in_report, Survey.rating.is_not(None))
        .group_by(Survey.rating))).all())
    # the trend by the local day the conversation started (the report's cohort)
    bucket = utc_quarter_hour(Conversation.created_at).label("bucket")
    per_bucket = await session.execute(
        select(bucket, func.count(), func.sum(Survey.rating),
               func.count(case((Survey.rating >= 4, 1))))
        .join(Conversation, Conversation.id == Survey.conversation_id)
        .where(*conversation_conditions(report), Survey.rating.is_not(None))
        .group_by(bucket))
    return await _satisfaction(session, report, in_report, asked, distribution, per_bucket,
                               max_rating, comments_limit)


async def _periodic(session: AsyncSession, report: ReportFilter, max_rating: int | None,
                    comments_limit: int) -> Satisfaction:
    """Periodic surveys are about no conversation: counted by when they were asked."""
    in_report = and_(Survey.source == "periodic", Survey.asked_at >= report.start_utc,
                     Survey.asked_at < report.end_utc,
                     *([Survey.channel == report.channel] if report.channel else []))
    asked = int(await session.scalar(select(func.count()).select_from(Survey)
                                     .where(in_report)) or 0)
    distribution = dict((await session.execute(
        select(Survey.rating, func.count()).where(in_report, Survey.rating.is_not(None))
        .group_by(Survey.rating))).all())
    bucket = utc_quarter_hour(Survey.asked_at).label("bucket")
    per_bucket = await session.execute(
        select(bucket, func.count(), func.sum(Survey.rating),
               func.count(case((Survey.rating >= 4, 1))))
        .where(in_report, Survey.rating.is_not(None)).group_by(bucket))
    return await _satisfaction(session, report, in_report, asked, distribution, per_bucket,
                               max_rating, comments_limit)


async def _satisfaction(session: AsyncSession, report: ReportFilter, in_report: Any,
                        asked: int, distribution: dict[int, int], per_bucket: Any,
                        max_rating: int | None, comments_limit: int) -> Satisfaction:
    ratings = sum(distribution.values())
    total = sum(rating * count for rating, count in distribution.items())
    happy = distribution.get(4, 0) + distribution.get(5, 0)

    days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, count, summed, good in per_bucket:
        local = datetime.strptime(quarter_key(key), "%Y-%m-%d %H:%M").replace(tzinfo=UTC) \
            .astimezone(report.zone)
        cell = days[local.date()]
        cell[0] += int(count)
        cell[1] += int(summed or 0)
        cell[2] += int(good)

    comment_query = (
        select(Survey.conversation_id, Survey.rating, Survey.comment, Agent.display_name,
               Survey.channel, Survey.answered_at)
        .outerjoin(Agent, Agent.id == Survey.agent_id)
        .where(in_report, Survey.rating.is_not(None), Survey.comment != "")
        .order_by(Survey.rating, Survey.answered_at.desc(), Survey.id.desc())
        .limit(max(1, min(comments_limit, MAX_COMMENTS))))
    if max_rating is not None:
        comment_query = comment_query.where(Survey.rating <= max_rating)
    comments = [Comment(conversation_id=cid, rating=rating, comment=comment, agent=name or "",
                        channel=channel, answered_at=answered_at,
                        link=conversation_link(cid) if cid is not None else "")
                for cid, rating, comment, name, channel, answered_at
                in await session.execute(comment_query)]
    return Satisfaction(
        period=period_of(report), asked=asked, ratings=ratings,
        response_rate=rate(ratings, asked),
        average=round(total / ratings, 4) if ratings else None, csat=rate(happy, ratings),
        distribution=[RatingCount(rating=r, count=distribution.get(r, 0)) for r in range(1, 6)],
        by_day=[DayRating(day=day, ratings=days[day][0],
                          average=round(days[day][1] / days[day][0], 4) if days[day][0] else None,
                          csat=rate(days[day][2], days[day][0]))
                for day in report.days],
        comments=comments)
