"""Follow-up calls (回访) of a period: what became of the tasks — reached, no answer, declined,
opted out — how satisfied the reached customers were, and the new cases the calls found.

A task belongs to the period its window opened in (``due_from``, the report's time zone).
Follow-ups are the customer's, not a conversation's: the conversation filters do not apply."""

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.followups.models import CallOutcome, FollowUp, FollowUpProgramme, FollowUpStatus
from walletdesk.reports.figures import Count, Period, RatingCount
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.measures import rate
from walletdesk.reports.scope import in_period
from walletdesk.reports.volume import period_of

OPEN = (FollowUpStatus.scheduled, FollowUpStatus.notified, FollowUpStatus.booked)


class ProgrammeRow(BaseModel):
    programme: str
    tasks: int
    reached: int


class FollowUpsReport(BaseModel):
    period: Period
    tasks: int = Field(description="follow-ups whose window opened in the period")
    calls: int = Field(description="call attempts made on them")
    reached: int
    no_answer: int = Field(description="unreachable after every attempt")
    declined: int = Field(description="declined through the link or on the call")
    wrong_number: int
    opted_out: int = Field(description="the customer opted out of follow-ups for good")
    chat_instead: int
    open: int = Field(description="still waiting for the customer or a call")
    reach_rate: float | None = Field(description="reached ÷ tasks no longer open")
    satisfaction_average: float | None = Field(description="1–5, of the reached")
    satisfaction: list[RatingCount]
    new_cases: int = Field(description="problems found on a call, opened as conversations")
    by_status: list[Count]
    by_programme: list[ProgrammeRow]


async def followups_report(session: AsyncSession, report: ReportFilter) -> FollowUpsReport:
    conditions = in_period(FollowUp.due_from, report)
    completed = FollowUp.status == FollowUpStatus.completed
    row = (await session.execute(select(
        func.count(), func.coalesce(func.sum(FollowUp.attempts), 0),
        func.count(case(((completed & (FollowUp.outcome == CallOutcome.reached)), 1))),
        func.count(case((FollowUp.status == FollowUpStatus.unreachable, 1))),
        func.count(case(((FollowUp.status == FollowUpStatus.declined)
                         | (completed & (FollowUp.outcome == CallOutcome.declined)), 1))),
        func.count(case(((completed & (FollowUp.outcome == CallOutcome.wrong_number)), 1))),
        func.count(case((FollowUp.status == FollowUpStatus.opted_out, 1))),
        func.count(case((FollowUp.status == FollowUpStatus.chat_requested, 1))),
        func.count(case((FollowUp.status.in_(OPEN), 1))),
        func.count(case(((completed & FollowUp.conversation_id.is_not(None)), 1))),
    ).where(*conditions))).one()
    tasks, calls, reached, no_answer, declined, wrong, opted_out, chat, still_open, new = (
        int(v or 0) for v in row)
    scores = dict((await session.execute(
        select(FollowUp.satisfaction, func.count())
        .where(*conditions, FollowUp.satisfaction.is_not(None))
        .group_by(FollowUp.satisfaction))).all())
    scored = sum(scores.values())
    by_status = await session.execute(
        select(FollowUp.status, func.count()).where(*conditions).group_by(FollowUp.status)
        .order_by(func.count().desc(), FollowUp.status))
    programmes = await session.execute(
        select(FollowUpProgramme.name, func.count(),
               func.count(case(((completed & (FollowUp.outcome == CallOutcome.reached)), 1))))
        .join(FollowUpProgramme, FollowUpProgramme.id == FollowUp.programme_id)
        .where(*conditions).group_by(FollowUpProgramme.name)
        .order_by(func.count().desc(), FollowUpProgramme.name))
    return FollowUpsReport(
        period=period_of(report), tasks=tasks, calls=calls, reached=reached,
        no_answer=no_answer, declined=declined, wrong_number=wrong, opted_out=opted_out,
        chat_instead=chat, open=still_open, reach_rate=rate(reached, tasks - still_open),
        satisfaction_average=(round(sum(k * v for k, v in scores.items()) / scored, 4)
                              if scored else None),
        satisfaction=[RatingCount(rating=r, count=int(scores.get(r, 0))) for r in range(1, 6)],
        new_cases=new, by_status=[Count(key=str(k), count=c) for k, c in by_status],
        by_programme=[ProgrammeRow(programme=name, tasks=t, reached=r)
                      for name, t, r in programmes])
