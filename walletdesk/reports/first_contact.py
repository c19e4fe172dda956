"""First-contact resolution: the conversations solved at their first resolve, for good.

Of the period's conversations resolved at least once, a conversation is resolved at first
contact when it was not reopened (walletdesk.reports.outcome: after its first resolve no agent
wrote, the customer wrote no more than a "thanks", "ok" or goodbye, and it was not resolved
again) and its customer did not start another conversation within ``REPEAT_WINDOW`` after
that first resolve (the same matter, back through another door). The reopen rate is beside it
(docs/reports.md)."""

from datetime import timedelta

from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from walletdesk.conversations.models import Conversation
from walletdesk.reports.figures import Period
from walletdesk.reports.filters import ReportFilter, cohort_ids
from walletdesk.reports.measures import rate
from walletdesk.reports.outcome import reopened_ids, resolve_marks
from walletdesk.reports.rollups import fact_source
from walletdesk.reports.volume import period_of

REPEAT_WINDOW = timedelta(days=7)


class FirstContact(BaseModel):
    period: Period
    ever_resolved: int = Field(description="conversations resolved at least once")
    reopened: int
    reopen_rate: float | None
    came_back: int = Field(description="not reopened, but the customer started another "
                                       "conversation within 7 days of the resolve")
    first_contact_resolved: int
    first_contact_resolution_rate: float | None = Field(
        description="first-contact resolved ÷ resolved at least once")


async def first_contact_report(session: AsyncSession, report: ReportFilter, *,
                               live: bool = False) -> FirstContact:
    """From the rollup where it covers the period (its hourly counts, or its facts with an
    agent, a label or two filters), else (or with ``live``) from the messages."""
    source = None if live else await fact_source(session, report)
    if source is not None:
        view = await source.hourly(session, totals=True)
        if view is not None:
            ever, reopened, back = (view.total(name)
                                    for name in ("ever_resolved", "reopened", "came_back"))
        else:
            facts = source.facts
            ever, reopened, back = (int(v or 0) for v in (await session.execute(select(
                *(func.count(case((facts.c[name], 1)))
                  for name in ("ever_resolved", "reopened", "came_back"))))).one())
        return _first_contact(report, ever, reopened, back)
    marks = resolve_marks(cohort_ids(report))
    ever = int(await session.scalar(select(func.count()).select_from(marks)) or 0)
    reopened = await reopened_ids(session, report)
    # the resolved, not reopened, whose customer came back within the window: in Python, as
    # adding an interval to a timestamp is written differently in every engine
    first_at = {cid: at for cid, at in (await session.execute(
        select(marks.c.cid, marks.c.first_at))).all() if cid not in reopened}
    later = aliased(Conversation)
    came_back = set()
    if first_at:
        rows = await session.execute(
            select(Conversation.id, later.created_at)
            .join(later, and_(later.customer_id == Conversation.customer_id,
                              later.id != Conversation.id,
                              later.created_at > Conversation.created_at))
            .where(Conversation.id.in_(select(marks.c.cid))))
        for cid, started in rows:
            resolved = first_at.get(cid)
            if resolved is not None and resolved <= started <= resolved + REPEAT_WINDOW:
                came_back.add(cid)
    return _first_contact(report, ever, len(reopened), len(came_back))


def _first_contact(report: ReportFilter, ever: int, reopened: int,
                   came_back: int) -> FirstContact:
    solved = ever - reopened - came_back
    return FirstContact(period=period_of(report), ever_resolved=ever, reopened=reopened,
                        reopen_rate=rate(reopened, ever), came_back=came_back,
                        first_contact_resolved=solved,
                        first_contact_resolution_rate=rate(solved, ever))
