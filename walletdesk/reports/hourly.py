"""The rollup's hourly counts (``report_hourly``, ``report_hourly_messages``): the facts of
the conversations started in each UTC hour, counted for all of them and per value of a
filter or breakdown, so a period of 28 days is 672 rows instead of a row per conversation.

The rows are always recounted from the facts, hour by hour, with one grouping query per
dimension (``hourly_counts``); the same query over the newest conversations (the facts of
the last, still open hour and those computed live) gives what the rows do not hold yet.

The hours are UTC hours: a report reads them hour by hour (its local days and hours of day)
in a time zone whose offset is a whole number of hours during its period (UTC,
Asia/Shanghai, Europe/Berlin with its summer time, …). In a zone such as Asia/Kolkata
(+05:30) or Asia/Kathmandu (+05:45) the local days and hours do not start on UTC hours: a
report without filters there reads the ``quarter`` rows, all conversations counted per UTC
quarter hour (every zone's offset is a whole number of quarter hours), 96 a day; with a
filter it counts the facts per quarter hour. The reports that need only the period's totals
sum the whole UTC hours inside it in any zone and count the two partial hours at its ends
from the facts (decision 0046).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from walletdesk.db.base import UTCDateTime
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.rollup_models import (
    HOURLY_COUNTS,
    ConversationFacts,
    ConversationMessageQuarters,
    HourlyCounts,
    HourlyMessages,
)

HOURLY = HourlyCounts.__table__
HOURLY_MESSAGES = HourlyMessages.__table__
HOUR = timedelta(hours=1)
# the filters a report can read from the hourly rows, and the breakdowns beside them
FILTERS = {"channel": "channel", "team": "team_id", "language": "language",
           "category": "category"}
# "survey_team": the team the survey names (CSAT per team; migration 0032)
BREAKDOWNS = {**FILTERS, "handoff": "handoff_reason", "reason": None,
              "survey_team": "survey_team_id"}
ALL = "all"
# all conversations per UTC quarter hour: a report without filters in a zone whose offset
# has minutes (its ``hour`` column holds the quarter's start; ``message_hour`` the quarter
# written, 'YYYY-MM-DD HH:MM')
QUARTER = "quarter"
QUARTER_HOUR = timedelta(minutes=15)
RANGES = 200  # hour ranges per rebuilding query
WRITTEN = 2000  # rows per insert of a recount
COUNTED = ("value", "hour", *HOURLY_COUNTS)  # the columns of hourly_counts, in order
MESSAGES_COUNTED = ("value", "hour", "message_hour", "messages")  # of hourly_messages


class _UTCStart(FunctionElement[datetime]):
    """The start of the UTC hour or day a timestamp falls in, as a timestamp of the rollup's
    type: ``unit`` for PostgreSQL's date_bin, ``sqlite_start`` for SQLite's strftime (the
    form SQLAlchemy stores)."""

    type = UTCDateTime()
    inherit_cache = True
    unit = ""
    sqlite_start = ""


class utc_hour(_UTCStart):  # noqa: N801 (an SQL function's name)
    inherit_cache = True
    unit = "1 hour"
    sqlite_start = "%Y-%m-%d %H:00:00.000000"


class utc_day(_UTCStart):  # noqa: N801 (an SQL function's name)
    inherit_cache = True
    unit = "1 day"
    sqlite_start = "%Y-%m-%d 00:00:00.000000"


class utc_quarter(_UTCStart):  # noqa: N801 (an SQL function's name)
    inherit_cache = True
    unit = "15 minutes"


def _utc_start_sqlite(element: _UTCStart, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    if isinstance(element, utc_quarter):
        return (f"(strftime('%Y-%m-%d %H:', {column}) || printf('%02d:00.000000', "
                f"(CAST(strftime('%M', {column}) AS INTEGER) / 15) * 15))")
    return f"strftime('{element.sqlite_start}', {column})"


def _utc_start_postgresql(element: _UTCStart, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"date_bin('{element.unit}', {column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"


for _start in (utc_hour, utc_day, utc_quarter):
    compiles(_start, "sqlite")(_utc_start_sqlite)
    compiles(_start, "postgresql")(_utc_start_postgresql)


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def quarter_of(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0)


def _start_of(dimension: str) -> type[_UTCStart]:
    """How a dimension's rows group the facts by start: per UTC hour, or quarter hour."""
    return utc_quarter if dimension == QUARTER else utc_hour


def step_of(dimension: str) -> timedelta:
    """The time a dimension's row counts: an hour, or a quarter hour."""
    return QUARTER_HOUR if dimension == QUARTER else HOUR


def stored_value(value: object) -> str:
    """A filter's value as the rows hold it: "" for none, else "=" and the value."""
    return "" if value is None else f"={value}"


def _value(facts: FromClause, dimension: str) -> ColumnElement[str]:
    if dimension in (ALL, QUARTER):
        return literal("", String)
    if dimension == "reason":
        return literal("=", String) + facts.c.reason_source + literal(":", String) \
            + facts.c.reason
    column = facts.c[BREAKDOWNS[dimension]]
    return case((column.is_(None), literal("", String)),
                else_=literal("=", String) + cast(column, String))


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


def count_columns(facts: FromClause) -> list[ColumnElement[Any]]:
    """The ``HOURLY_COUNTS`` of a group of facts rows, in that order."""
    f = facts.c
    rating = f.survey_rating
    return [func.count(), func.coalesce(func.sum(f.messages), 0), _count(f.is_resolved),
            _count(f.ever_resolved), _count(f.reopened), _count(f.with_bot),
            _count(f.bot_contained), func.count(f.handoff_reason), _count(f.first_response_due),
            _count(f.first_response_breached), _count(f.resolution_due),
            _count(f.resolution_breached), _count(f.survey_asked), func.count(rating),
            func.coalesce(func.sum(rating), 0), _count(rating >= 4),
            *(_count(rating == n) for n in range(1, 6)), func.count(f.first_response_s),
            func.count(f.resolution_s), func.count(f.handling_s), _count(f.came_back)]


def hourly_counts(facts: FromClause, dimension: str) -> Any:
    """(value, hour, *HOURLY_COUNTS) per value of the dimension and UTC hour of start (the
    ``quarter`` dimension: per UTC quarter hour)."""
    value = _value(facts, dimension).label("value")
    hour = _start_of(dimension)(facts.c.created_at).label("hour")
    return select(value, hour, *count_columns(facts)).group_by(value, hour)


def hourly_messages(facts: FromClause, quarters: FromClause, dimension: str) -> Any:
    """(value, hour, message_hour, messages): the facts' public messages per UTC hour
    written (``'YYYY-MM-DD HH'``, from the quarter hours); the ``quarter`` dimension: per
    UTC quarter hour of start and written (``'YYYY-MM-DD HH:MM'``)."""
    value = _value(facts, dimension).label("value")
    hour = _start_of(dimension)(facts.c.created_at).label("hour")
    written = (quarters.c.quarter if dimension == QUARTER
               else func.substr(quarters.c.quarter, 1, 13)).label("message_hour")
    return (select(value, hour, written, func.sum(quarters.c.messages))
            .join_from(quarters, facts, facts.c.conversation_id == quarters.c.conversation_id)
            .group_by(value, hour, written))


def _hour_ranges(hours: list[datetime]) -> list[tuple[datetime, datetime]]:
    ranges: list[tuple[datetime, datetime]] = []
    for hour in sorted(hours):
        if ranges and ranges[-1][1] == hour:
            ranges[-1] = (ranges[-1][0], hour + HOUR)
        else:
            ranges.append((hour, hour + HOUR))
    return ranges


@dataclass
class Recount:
    """Rows counted again from the facts, to replace a table's rows of the same periods: a
    rollup run counts on a reading connection and writes them in a short transaction
    (walletdesk.reports.rollups)."""

    table: Table
    column: str  # the rows' period start: "hour", "day"
    ranges: list[tuple[datetime, datetime]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def write(self, session: AsyncSession) -> None:
        start_of = self.table.c[self.column]
        for start in range(0, len(self.ranges), RANGES):
            await session.execute(delete(self.table).where(or_(*(
                and_(start_of >= low, start_of < high)
                for low, high in self.ranges[start:start + RANGES]))))
        for start in range(0, len(self.rows), WRITTEN):
            await session.execute(insert(self.table), self.rows[start:start + WRITTEN])


async def count_hours(session: AsyncSession, hours: list[datetime]) -> list[Recount]:
    """These UTC hours counted again from the facts (a rollup run, after writing them)."""
    facts = ConversationFacts.__table__
    quarters = ConversationMessageQuarters.__table__
    ranges = _hour_ranges(hours)
    counts, messages = Recount(HOURLY, "hour", ranges), Recount(HOURLY_MESSAGES, "hour", ranges)
    for start in range(0, len(ranges), RANGES):
        chosen = or_(*(and_(facts.c.created_at >= low, facts.c.created_at < high)
                       for low, high in ranges[start:start + RANGES]))
        for dimension in (ALL, QUARTER, *BREAKDOWNS):
            counts.rows += [{"dimension": dimension, **dict(zip(COUNTED, row, strict=True))}
                            for row in await session.execute(
                                hourly_counts(facts, dimension).where(chosen))]
            if dimension in (ALL, QUARTER, *FILTERS):
                messages.rows += [
                    {"dimension": dimension, **dict(zip(MESSAGES_COUNTED, row, strict=True))}
                    for row in await session.execute(
                        hourly_messages(facts, quarters, dimension).where(chosen))]
    return [counts, messages]


@dataclass
class HourlyView:
    """A report's cohort in hourly counts: per UTC hour of start the ``HOURLY_COUNTS``,
    the messages per UTC hour written, and the breakdowns asked for."""

    hours: dict[datetime, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # 'YYYY-MM-DD HH' (the quarter rows: 'YYYY-MM-DD HH:MM') → messages
    messages: Counter[str] = field(default_factory=Counter)
    breakdowns: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return sum(counts[name] for counts in self.hours.values())


def measured(view: HourlyView | None, names: Iterable[str]) -> dict[str, int] | None:
    """Per duration column (``first_response_s``, ``resolution_business_s`` …) how many
    conversations were measured (the business durations with the calendar ones)."""
    if view is None:
        return None
    return {name: view.total(name.split("_business")[0].removesuffix("_s") + "_n")
            for name in names}


def cohort_scope(report: ReportFilter) -> tuple[str, str] | None:
    """The rows a report's cohort has in the rollup: all, or one filter's value; None when
    its filters are more (an agent, a label, a contact reason — any of its codes —, two at
    once). In any time zone: the totals of the hourly rows and the daily rows take the
    partial hours at the period's edges from the facts (decision 0039)."""
    chosen = [(dimension, value) for dimension, value in (
        ("channel", report.channel), ("team", report.team_id), ("language", report.language),
        ("category", report.category)) if value]
    if report.agent_id or report.label_id or report.reason or len(chosen) > 1:
        return None
    return (chosen[0][0], stored_value(chosen[0][1])) if chosen else (ALL, "")


def view_scope(report: ReportFilter) -> tuple[str, str] | None:
    """The rows a report reads bucket by bucket (its local days and hours from UTC hours or
    quarter hours): the ``cohort_scope`` where the zone's hours are UTC hours; the
    ``quarter`` rows without filters where they are not; else None (the facts)."""
    scope = cohort_scope(report)
    if whole_hours(report):
        return scope
    if scope == (ALL, "") and whole_hours(report, QUARTER_HOUR):
        return QUARTER, ""
    return None


def _floor(moment: datetime, step: timedelta) -> datetime:
    return quarter_of(moment) if step == QUARTER_HOUR else hour_of(moment)


def stored_hours(report: ReportFilter, cut: datetime, step: timedelta = HOUR
                 ) -> tuple[datetime, datetime]:
    """The UTC hours (or quarter hours: ``step``) ``[first, until)`` of a period the rows
    hold whole: from the first whole one of the period to the last, and before ``cut`` (an
    hour's start). The rest of the period (a half hour at each end in Asia/Kolkata, what is
    newer than ``cut``) comes from the facts."""
    start = report.start_utc
    floor = _floor(start, step)
    first = floor if floor == start else floor + step
    return first, max(first, min(_floor(report.end_utc, step), cut))


def whole_hours(report: ReportFilter, step: timedelta = HOUR) -> bool:
    """Whether every UTC hour (or quarter hour: ``step``) of the period is a whole local
    one of the report's zone."""
    zone, minutes = report.zone, int(step.total_seconds()) // 60
    moment, end = report.start_utc, report.end_utc
    if moment.minute % minutes or moment.second:
        return False
    while moment < end:
        if moment.astimezone(zone).minute % minutes:
            return False
        moment += HOUR
    return True


def _add(view: HourlyView, rows: Iterable[Any], step: timedelta = HOUR) -> None:
    hours = view.hours
    for row in rows:  # (an empty Counter takes a dict at C speed: most hours come once)
        hours[_floor(row[1], step)].update(
            {name: int(value) for name, value in zip(HOURLY_COUNTS, row[2:], strict=True)
             if value})


async def read_view(session: AsyncSession, report: ReportFilter, scope: tuple[str, str],
                    cut: datetime, tail: FromClause | None, tail_quarters: FromClause | None,
                    breakdowns: Iterable[str] = (), messages: bool = True) -> HourlyView:
    """The stored rows of the period's whole hours before ``cut`` (``stored_hours``) and
    the same counts of ``tail`` (the report's facts of the rest: started from ``cut`` on —
    the open hour's and those computed live —, and any partial hour at the period's
    edges). ``messages`` False: without the messages per hour written (``view.messages``
    stays empty; the total of messages is among the counts)."""
    dimension, value = scope
    view = HourlyView()
    step = step_of(dimension)
    first, until = stored_hours(report, cut, step)
    h = HOURLY.c
    stored = [h.dimension == dimension, h.value == value, h.hour >= first, h.hour < until]
    connection = await session.connection()  # Core rows: no ORM processing of each
    _add(view, await connection.execute(
        select(h.value, h.hour, *(h[name] for name in HOURLY_COUNTS)).where(*stored)), step)
    m = HOURLY_MESSAGES.c
    if messages:
        for written, count in await session.execute(
                select(m.message_hour, func.sum(m.messages))
                .where(m.dimension == dimension, m.value == value, m.hour >= first,
                       m.hour < until).group_by(m.message_hour)):
            view.messages[written] += int(count)
    if tail is not None:
        # the tail counted as the rows are: per hour, or per quarter hour
        grouped = QUARTER if dimension == QUARTER else ALL
        _add(view, await session.execute(hourly_counts(tail, grouped)), step)
        if tail_quarters is not None and messages:
            for _, _, written, messages in await session.execute(
                    hourly_messages(tail, tail_quarters, grouped)):
                view.messages[written] += int(messages)
    for breakdown in breakdowns if dimension == ALL else ():
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        rows = list(await session.execute(
            select(h.value, h.value, *(func.sum(h[name]) for name in HOURLY_COUNTS))
            .where(h.dimension == breakdown, h.hour >= first, h.hour < until)
            .group_by(h.value)))
        if tail is not None:
            rows += list(await session.execute(hourly_counts(tail, breakdown)))
        for row in rows:
            for name, number in zip(HOURLY_COUNTS, row[2:], strict=True):
                counts[row[0]][name] += int(number or 0)
        view.breakdowns[breakdown] = counts
    return view


def from_value(value: str) -> str | None:
    """The stored value back: None for none."""
    return value[1:] if value else None


def local_hours(view: HourlyView, report: ReportFilter, name: str = "conversations"
                ) -> Counter[datetime]:
    """A count per local hour of start (the hour's start in the report's zone)."""
    zone = report.zone
    out: Counter[datetime] = Counter()
    for hour, counts in view.hours.items():
        if counts[name]:
            out[hour.astimezone(zone)] += counts[name]
    return out


def message_local_hours(view: HourlyView, report: ReportFilter) -> Counter[datetime]:
    """The cohort's messages per local hour written."""
    zone = report.zone
    out: Counter[datetime] = Counter()
    for written, messages in view.messages.items():
        if messages:  # 'YYYY-MM-DD HH', or 'YYYY-MM-DD HH:MM' from the quarter rows
            moment = datetime.fromisoformat(written).replace(tzinfo=UTC)  # (30× strptime)
            out[moment.astimezone(zone)] += messages
    return out


def breakdown_counts(view: HourlyView, breakdown: str, name: str = "conversations"
                     ) -> dict[str | None, int]:
    """Per value of a breakdown (None: none) the count, without zeros."""
    return {from_value(value): counts[name]
            for value, counts in view.breakdowns[breakdown].items() if counts[name]}


async def read_breakdown_hours(session: AsyncSession, report: ReportFilter, breakdown: str,
                               cut: datetime, tail: FromClause | None, keep: set[str]
                               ) -> list[tuple[str | None, datetime, int]]:
    """(value, UTC hour of start, conversations) of a breakdown's values in ``keep``, and
    of all others summed (value None), for a report without filters: the stored rows
    before ``cut``, the tail's counted the same way."""
    h = HOURLY.c
    value = case((h.value.in_(keep or {""}), h.value), else_=None).label("kept")
    rows: list[tuple[str | None, datetime, int]] = [
        (kept, hour_of(hour), int(count)) for kept, hour, count in await session.execute(
            select(value, h.hour, func.sum(h.conversations))
            .where(h.dimension == breakdown, h.hour >= report.start_utc,
                   h.hour < min(report.end_utc, cut)).group_by(value, h.hour))]
    if tail is not None:
        rows += [(row[0] if row[0] in keep else None, hour_of(row[1]), int(row[2]))
                 for row in await session.execute(hourly_counts(tail, breakdown))]
    return rows
