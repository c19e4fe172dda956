"""The reports page, a panel at a time (GET /reports, GET /reports/panels/{panel}).

The page holds about fifteen reports of one period. Computed in one request they add up
(2–5 s at a million conversations on two cores, decision 0039), while each alone answers
in a fraction of it. So the page itself (``/reports``) renders only its filters and the
period at once, and the browser fetches each panel — one report — as its own HTML fragment,
several at a time: the first figures show as soon as their report is done, and no request
computes more than one report. The figures are those of the report's domain function (and
of its JSON endpoint under /api/v1/reports/…).
"""

from collections.abc import Awaitable, Callable
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.reports.agents import agents_report
from walletdesk.reports.comments import comments_report
from walletdesk.reports.complaints import complaints_report
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.first_contact import first_contact_report
from walletdesk.reports.followups import followups_report
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.points import points_report
from walletdesk.reports.presence import presence_report
from walletdesk.reports.reason_trend import reason_trend_report
from walletdesk.reports.reasons import reasons_report
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.summary import summary_report
from walletdesk.reports.teams import team_satisfaction_report
from walletdesk.reports.volume import volume_report

PanelName = Literal["summary", "volume", "speed", "outcome", "first-contact", "satisfaction",
                    "team-csat", "comments", "agents", "presence", "reasons", "reason-trend",
                    "complaints", "followups", "points"]
# in the page's order: the browser starts them in this order
PANELS: tuple[str, ...] = PanelName.__args__  # type: ignore[attr-defined]
# the comments the satisfaction panel asks for: it shows counts and charts (the comments
# have their own panel)
SATISFACTION_COMMENTS = 1


class PanelOptions(BaseModel):
    """The comments panel's own filter (the page's comment form)."""

    ratings: list[int] | None = None
    search: str | None = None


Compute = Callable[[AsyncSession, ReportFilter, PanelOptions], Awaitable[BaseModel]]
COMPUTE: dict[str, Compute] = {
    "summary": lambda s, r, o: summary_report(s, r),
    "volume": lambda s, r, o: volume_report(s, r),
    "speed": lambda s, r, o: speed_report(s, r),
    "outcome": lambda s, r, o: outcome_report(s, r),
    "first-contact": lambda s, r, o: first_contact_report(s, r),
    "satisfaction": lambda s, r, o: satisfaction_report(
        s, r, comments_limit=SATISFACTION_COMMENTS),
    "team-csat": lambda s, r, o: team_satisfaction_report(s, r),
    "comments": lambda s, r, o: comments_report(s, r, ratings=o.ratings, search=o.search),
    "agents": lambda s, r, o: agents_report(s, r),
    "presence": lambda s, r, o: presence_report(s, r),
    "reasons": lambda s, r, o: reasons_report(s, r),
    "reason-trend": lambda s, r, o: reason_trend_report(s, r),
    "complaints": lambda s, r, o: complaints_report(s, r),
    "followups": lambda s, r, o: followups_report(s, r),
    "points": lambda s, r, o: points_report(s, r),
}
assert set(COMPUTE) == set(PANELS)
# the panels with charts and the fields of their report the charts draw
CHARTED: dict[str, set[str]] = {"volume": {"by_day", "by_hour"},
                                "satisfaction": {"distribution", "by_day"},
                                "reasons": {"reasons"},
                                "reason-trend": {"bucket", "buckets", "series"}}


async def panel_report(session: AsyncSession, panel: str, report: ReportFilter,
                       options: PanelOptions | None = None) -> BaseModel:
    """The one report a panel of the page shows."""
    return await COMPUTE[panel](session, report, options or PanelOptions())
