"""Everything the reports page shows, its reports computed side by side on separate
connections (GET /reports).

The page holds about twenty reports of one period; one after the other on one connection
they add up (the sum of their times), while each alone answers in a fraction of it. Here
each report runs in its own session, at most ``connections`` at a time, so the page takes
about as long as its slowest reports share the machine's cores — the figures are the same
as ``all_reports`` and ``page_extras`` give on one session (the reports only read). SQLite
keeps its one connection: there they run one after the other.
"""

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from walletdesk.reports.agents import agents_report
from walletdesk.reports.choices import FilterChoices, filter_choices
from walletdesk.reports.comments import comments_report
from walletdesk.reports.complaints import complaints_report
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.first_contact import first_contact_report
from walletdesk.reports.followups import followups_report
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.page_data import MoreReports
from walletdesk.reports.points import points_report
from walletdesk.reports.presence import presence_report
from walletdesk.reports.reason_trend import reason_trend_report
from walletdesk.reports.reasons import reasons_report
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.summary import (
    AllReports,
    headline_of,
    period_headline,
    summary_of,
)
from walletdesk.reports.teams import team_satisfaction_report
from walletdesk.reports.volume import volume_report

Opener = Callable[[], AbstractAsyncContextManager[AsyncSession]]
T = TypeVar("T")
# the page's reports at once on PostgreSQL: enough to keep this machine's cores and the
# server's busy, few beside the pool's 20 (+20) connections the rest of the app shares
PAGE_CONNECTIONS = 4


def page_connections(engine: AsyncEngine) -> int:
    """How many of the page's reports run at once on ``engine``: one on SQLite (its pool
    is one connection)."""
    return 1 if engine.dialect.name == "sqlite" else PAGE_CONNECTIONS


@dataclass
class PageReports:
    data: AllReports
    more: MoreReports
    choices: FilterChoices


async def reports_page_data(open_session: Opener, report: ReportFilter, *,
                            connections: int = PAGE_CONNECTIONS,
                            ratings: list[int] | None = None,
                            search: str | None = None) -> PageReports:
    """The page's reports, each in its own session from ``open_session``, at most
    ``connections`` at a time (the slowest started first)."""
    gate = asyncio.Semaphore(max(1, connections))

    async def run(compute: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with gate, open_session() as session:
            return await compute(session)

    previous = report.previous()
    # started in this order: the longest (measured at 1M conversations) first
    parts: dict[str, Callable[[AsyncSession], Awaitable[Any]]] = {
        "agents": lambda s: agents_report(s, report),
        "previous": lambda s: period_headline(s, previous, False),
        "volume": lambda s: volume_report(s, report),
        "speed": lambda s: speed_report(s, report),
        "reason_trend": lambda s: reason_trend_report(s, report),
        "reasons": lambda s: reasons_report(s, report),
        "outcome": lambda s: outcome_report(s, report),
        "satisfaction": lambda s: satisfaction_report(s, report, comments_limit=100),
        "first_contact": lambda s: first_contact_report(s, report),
        "teams": lambda s: team_satisfaction_report(s, report),
        "comments": lambda s: comments_report(s, report, ratings=ratings, search=search),
        "presence": lambda s: presence_report(s, report),
        "complaints": lambda s: complaints_report(s, report),
        "followups": lambda s: followups_report(s, report),
        "points": lambda s: points_report(s, report),
        "choices": filter_choices,
    }
    done = dict(zip(parts, await asyncio.gather(*(run(part) for part in parts.values())),
                    strict=True))
    now = headline_of(done["volume"], done["speed"], done["outcome"], done["satisfaction"])
    data = AllReports(summary=summary_of(report, now, done["previous"]), volume=done["volume"],
                      speed=done["speed"], outcome=done["outcome"],
                      satisfaction=done["satisfaction"], agents=done["agents"],
                      reasons=done["reasons"])
    more = MoreReports(**{name: done[name] for name in MoreReports.model_fields})
    return PageReports(data=data, more=more, choices=done["choices"])
