"""Complaints of a period: how many were opened and about what, how long they stayed in each
stage, and the amounts refunded or compensated per asset (docs/reports.md).

A complaint belongs to the period it was opened in (``opened_at``, the report's time zone);
the conversation filters apply to the conversation it was opened on."""

from collections import defaultdict
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.complaints.actions import STAGES
from walletdesk.complaints.models import Complaint
from walletdesk.complaints.queries import stage_events
from walletdesk.reports.figures import Count, Period
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.measures import median, percentile
from walletdesk.reports.scope import filtered_conversation_ids, has_conversation_filters, in_period
from walletdesk.reports.volume import period_of

COMPENSATING = ("refund", "compensation")
APPROVED = "approved"


class StageTime(BaseModel):
    stage: str
    stays: int = Field(description="finished stays in the stage (the complaint moved on)")
    median_s: float | None
    p90_s: float | None
    still_in_stage: int = Field(description="complaints in the stage now")


class Compensation(BaseModel):
    asset: str
    kind: str = Field(description="refund | compensation")
    complaints: int
    amount: str = Field(description="the sum, as a decimal string in the asset's units")


class ComplaintsReport(BaseModel):
    period: Period
    opened: int
    closed: int
    by_category: list[Count]
    by_stage: list[Count] = Field(description="the complaints' stage now")
    time_in_stage: list[StageTime]
    compensated: list[Compensation] = Field(
        description="approved refunds and compensations, per asset")


def _conditions(report: ReportFilter) -> list:  # type: ignore[type-arg]
    conditions = in_period(Complaint.opened_at, report)
    if has_conversation_filters(report):
        conditions.append(Complaint.conversation_id.in_(filtered_conversation_ids(report)))
    return conditions


async def complaints_report(session: AsyncSession, report: ReportFilter) -> ComplaintsReport:
    conditions = _conditions(report)
    opened, closed = (int(v or 0) for v in (await session.execute(
        select(func.count(), func.count(Complaint.closed_at)).where(*conditions))).one())

    async def counts(column: object) -> list[Count]:
        rows = await session.execute(select(column, func.count()).where(*conditions)
                                     .group_by(column).order_by(func.count().desc(), column))
        return [Count(key=key or "", count=count) for key, count in rows]

    in_report = select(Complaint.id).where(*conditions)
    spent: dict[str, list[float]] = defaultdict(list)
    approved: set[int] = set()
    for complaint_id, stays in (await stage_events(session, in_report)).items():
        for index, (stage, began) in enumerate(stays):
            if stage == APPROVED:
                approved.add(complaint_id)
            if index + 1 < len(stays):
                ended = stays[index + 1][1]
                spent[stage].append(max(0.0, (ended - began).total_seconds()))
    now_in = dict((await session.execute(
        select(Complaint.stage, func.count())
        .where(*conditions, Complaint.closed_at.is_(None)).group_by(Complaint.stage))).all())

    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for complaint_id, kind, amount, asset in await session.execute(
            select(Complaint.id, Complaint.resolution_kind, Complaint.amount, Complaint.asset)
            .where(*conditions, Complaint.resolution_kind.in_(COMPENSATING),
                   Complaint.amount.is_not(None))):
        if complaint_id in approved:
            sums[(asset or "", kind)].append(Decimal(amount))
    return ComplaintsReport(
        period=period_of(report), opened=opened, closed=closed,
        by_category=await counts(Complaint.category), by_stage=await counts(Complaint.stage),
        time_in_stage=[StageTime(stage=stage, stays=len(spent[stage]),
                                 median_s=median(spent[stage]),
                                 p90_s=percentile(spent[stage], 0.9),
                                 still_in_stage=int(now_in.get(stage, 0)))
                       for stage in STAGES if stage != "closed"],
        compensated=[Compensation(asset=asset, kind=kind, complaints=len(values),
                                  amount=format(sum(values, Decimal(0)).normalize(), "f"))
                     for (asset, kind), values in sorted(sums.items())])
