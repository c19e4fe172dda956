"""Every report table as CSV: the same figures as the JSON endpoints, flattened to rows.

Cells that a spreadsheet would run as a formula (starting with = + - @ or a tab / carriage
return) get a leading apostrophe: comments and messages are customers' text."""

import csv
import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.reports.agents import agents_report
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.reasons import product_export, reasons_report
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.summary import summary_report
from walletdesk.reports.volume import volume_report

Table = tuple[list[str], list[Sequence[Any]]]
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def _summary(session: AsyncSession, report: ReportFilter) -> Table:
    summary = await summary_report(session, report)
    return (["figure", "current", "previous", "change"],
            [(f.key, f.current, f.previous, f.change) for f in summary.figures])


async def _by_day(session: AsyncSession, report: ReportFilter) -> Table:
    volume = await volume_report(session, report)
    return (["day", "conversations", "messages"],
            [(d.day.isoformat(), d.conversations, d.messages) for d in volume.by_day])


async def _by_hour(session: AsyncSession, report: ReportFilter) -> Table:
    volume = await volume_report(session, report)
    return (["weekday", "hour", "conversations"],
            [(WEEKDAY_NAMES[c.weekday], c.hour, c.conversations) for c in volume.by_hour])


def _breakdown(attribute: str) -> Callable[[AsyncSession, ReportFilter], Awaitable[Table]]:
    async def table(session: AsyncSession, report: ReportFilter) -> Table:
        volume = await volume_report(session, report)
        return ([attribute.removeprefix("by_"), "conversations"],
                [(c.key, c.count) for c in getattr(volume, attribute)])
    return table


async def _speed(session: AsyncSession, report: ReportFilter) -> Table:
    speed = await speed_report(session, report)
    return (["measure", "count", "median_s", "p90_s", "business_median_s", "business_p90_s"],
            [(name, d.count, d.median_s, d.p90_s, d.business_median_s, d.business_p90_s)
             for name, d in (("first_response", speed.first_response),
                             ("resolution", speed.resolution), ("handling", speed.handling))])


async def _handoffs(session: AsyncSession, report: ReportFilter) -> Table:
    outcome = await outcome_report(session, report)
    return (["handoff_reason", "conversations"],
            [(c.key, c.count) for c in outcome.handoff_reasons])


async def _ratings(session: AsyncSession, report: ReportFilter) -> Table:
    satisfaction = await satisfaction_report(session, report, comments_limit=1)
    return (["rating", "count"], [(r.rating, r.count) for r in satisfaction.distribution])


async def _comments(session: AsyncSession, report: ReportFilter) -> Table:
    satisfaction = await satisfaction_report(session, report, comments_limit=500)
    return (["conversation_id", "rating", "comment", "agent", "channel", "answered_at", "link"],
            [(c.conversation_id, c.rating, c.comment, c.agent, c.channel,
              c.answered_at.isoformat() if c.answered_at else "", c.link)
             for c in satisfaction.comments])


async def _agents(session: AsyncSession, report: ReportFilter) -> Table:
    agents = await agents_report(session, report)
    return (["agent_id", "agent", "handled", "resolved", "replies", "first_response_median_s",
             "resolution_median_s", "ratings", "csat_average"],
            [(a.agent_id, a.agent, a.handled, a.resolved, a.replies, a.first_response_median_s,
              a.resolution_median_s, a.ratings, a.csat_average) for a in agents.agents])


async def _reasons(session: AsyncSession, report: ReportFilter) -> Table:
    reasons = await reasons_report(session, report)
    return (["reason", "source", "conversations", "share"],
            [(r.reason, r.source, r.count, r.share) for r in reasons.reasons])


async def _product(session: AsyncSession, report: ReportFilter) -> Table:
    rows = await product_export(session, report)
    return (["reason", "source", "conversations", "sample_messages", "links"],
            [(r.reason, r.source, r.count, "\n---\n".join(r.samples), " ".join(r.links))
             for r in rows])


TABLES: dict[str, Callable[[AsyncSession, ReportFilter], Awaitable[Table]]] = {
    "summary": _summary, "volume-by-day": _by_day, "volume-by-hour": _by_hour,
    "volume-by-channel": _breakdown("by_channel"), "volume-by-category": _breakdown("by_category"),
    "volume-by-language": _breakdown("by_language"), "speed": _speed,
    "handoff-reasons": _handoffs, "ratings": _ratings, "comments": _comments,
    "agents": _agents, "contact-reasons": _reasons, "product-team": _product,
}


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def as_csv(table: Table) -> str:
    header, rows = table
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


async def report_table(session: AsyncSession, name: str, report: ReportFilter) -> Table:
    return await TABLES[name](session, report)
