"""Incentive points credited to customers, and the export for the operator's loyalty system.

Points are credited when a customer answers a satisfaction survey (walletdesk.cases.surveys:
``Survey.points``, added to ``Customer.points`` in the same transaction), so each answered
survey with points is one credit, dated by its answer. The export names each credit by a
stable id (``survey:<id>``) so the loyalty system can import it twice without paying twice,
and the customer by the operator's own user id when the widget proved it (signed identity).
Credits are the customer's: only the period applies, not the conversation filters."""

from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.cases.models import Survey
from walletdesk.customers.models import Customer
from walletdesk.reports.figures import Period
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.scope import as_utc, in_period, local_day
from walletdesk.reports.tables import as_csv
from walletdesk.reports.volume import period_of
from walletdesk.services import Services

CREDIT_REASON = "csat_survey"
BATCH = 500


class DayPoints(BaseModel):
    day: date
    credits: int
    points: int


class PointsReport(BaseModel):
    period: Period
    credits: int = Field(description="surveys answered with points credited")
    points: int
    customers: int
    identified_customers: int = Field(
        description="of them, known to the operator by a signed identity (user id)")
    by_day: list[DayPoints]


class PointsCredit(BaseModel):
    credit_id: str = Field(description="stable: survey:<id>")
    customer_id: int
    operator_user_id: str | None = Field(description="the operator's user id, if proved")
    points: int
    reason: str
    credited_at: datetime


def _conditions(report: ReportFilter) -> list:  # type: ignore[type-arg]
    return [*in_period(Survey.answered_at, report), Survey.points > 0]


async def points_report(session: AsyncSession, report: ReportFilter) -> PointsReport:
    conditions = _conditions(report)
    credits, points, customers = (int(v or 0) for v in (await session.execute(
        select(func.count(), func.sum(Survey.points), func.count(Survey.customer_id.distinct()))
        .where(*conditions))).one())
    identified = int(await session.scalar(
        select(func.count(Survey.customer_id.distinct()))
        .join(Customer, Customer.id == Survey.customer_id)
        .where(*conditions, Customer.verified_user_hash.is_not(None))) or 0)
    day_credits: Counter[date] = Counter()
    day_points: Counter[date] = Counter()
    for answered_at, value in await session.execute(
            select(Survey.answered_at, Survey.points).where(*conditions)):
        day = local_day(answered_at, report)
        day_credits[day] += 1
        day_points[day] += int(value)
    return PointsReport(period=period_of(report), credits=credits, points=points,
                        customers=customers, identified_customers=identified,
                        by_day=[DayPoints(day=d, credits=day_credits[d], points=day_points[d])
                                for d in report.days])


async def points_credits(session: AsyncSession, report: ReportFilter
                         ) -> AsyncIterator[PointsCredit]:
    """Every credit of the period, oldest first, read in batches (keyset on the survey id)."""
    last_id = 0
    while True:
        rows = (await session.execute(
            select(Survey.id, Survey.customer_id, Survey.points, Survey.answered_at, Customer)
            .join(Customer, Customer.id == Survey.customer_id)
            .where(*_conditions(report), Survey.id > last_id)
            .order_by(Survey.id).limit(BATCH))).all()
        if not rows:
            return
        for survey_id, customer_id, value, answered_at, customer in rows:
            yield PointsCredit(credit_id=f"survey:{survey_id}", customer_id=customer_id,
                               operator_user_id=customer.verified_user_id or None,
                               points=int(value), reason=CREDIT_REASON,
                               credited_at=as_utc(answered_at))
        last_id = rows[-1][0]
        session.expunge_all()  # constant memory over a long export


LOYALTY_COLUMNS = ["credit_id", "customer_id", "operator_user_id", "points", "reason",
                   "credited_at"]


async def loyalty_export(services: Services, report: ReportFilter,
                         fmt: str) -> AsyncIterator[str]:
    """The credits as CSV (one header row) or JSON lines, streamed: for a StreamingResponse."""
    async with services.read() as session:
        if fmt == "csv":
            yield as_csv((LOYALTY_COLUMNS, []))
        async for credit in points_credits(session, report):
            if fmt == "csv":
                row = (credit.credit_id, credit.customer_id, credit.operator_user_id,
                       credit.points, credit.reason, credit.credited_at.isoformat())
                yield as_csv((LOYALTY_COLUMNS, [row])).split("\r\n", 1)[1]
            else:
                yield credit.model_dump_json() + "\n"
