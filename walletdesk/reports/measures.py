"""Shared building blocks of the reports: local-time buckets counted in SQL, percentiles,
working-time durations and the per-conversation message facts.

Local time: neither engine can be trusted to know every time zone (SQLite knows none), so
the database counts rows per UTC quarter hour and Python moves each quarter hour into the
report's zone (quarter hours, so zones such as +05:30 and +05:45 land on the right hour).
"""

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, String, and_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from walletdesk.accounts.models import Team, default_weekly_hours
from walletdesk.conversations.models import Message, SenderKind
from walletdesk.reports.filters import ReportFilter
from walletdesk.routing.hours import business_seconds_between

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class utc_quarter_hour(FunctionElement[str]):  # noqa: N801 (an SQL function's name)
    """``'YYYY-MM-DD HH:MM'`` of the UTC quarter hour a timestamp falls in."""

    type = String()
    inherit_cache = True


@compiles(utc_quarter_hour, "sqlite")
def _quarter_hour_sqlite(element: utc_quarter_hour, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return (f"(strftime('%Y-%m-%d %H:', {column}) || "
            f"printf('%02d', (CAST(strftime('%M', {column}) AS INTEGER) / 15) * 15))")


@compiles(utc_quarter_hour, "postgresql")
def _quarter_hour_postgresql(element: utc_quarter_hour, compiler: SQLCompiler,
                             **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (f"to_char(date_trunc('hour', {utc}) + "
            f"floor(extract(minute FROM {utc}) / 15) * interval '15 minutes', "
            "'YYYY-MM-DD HH24:MI')")


class utc_quarter_start(FunctionElement[Any]):  # noqa: N801 (an SQL function's name)
    """The UTC quarter hour a timestamp falls in, for grouping: on PostgreSQL the moment
    (``date_bin``, several times cheaper per row than formatting it as text), on SQLite the
    text of ``utc_quarter_hour``; ``quarter_key`` makes both the same text."""

    inherit_cache = True


@compiles(utc_quarter_start, "sqlite")
def _quarter_start_sqlite(element: utc_quarter_start, compiler: SQLCompiler, **kw: Any) -> str:
    return _quarter_hour_sqlite(element, compiler, **kw)  # type: ignore[arg-type]


@compiles(utc_quarter_start, "postgresql")
def _quarter_start_postgresql(element: utc_quarter_start, compiler: SQLCompiler,
                              **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"date_bin('15 minutes', {column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"


def quarter_key(value: str | datetime) -> str:
    """``'YYYY-MM-DD HH:MM'`` (UTC) of a quarter hour from either engine."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return value


async def local_counts(session: AsyncSession, column: Any,
                       conditions: Sequence[ColumnElement[bool]], report: ReportFilter,
                       *joins: Any) -> Counter[datetime]:
    """Rows per local hour (the hour's start, in the report's zone), counted in SQL."""
    bucket = utc_quarter_start(column).label("bucket")
    query = select(bucket, func.count()).select_from(column.table)
    for target, on in joins:
        query = query.join(target, on)
    rows = await session.execute(query.where(*conditions).group_by(bucket))
    return quarters_to_local(rows, report)


def quarters_to_local(rows: Iterable[Any], report: ReportFilter) -> Counter[datetime]:
    """(UTC quarter hour as text, count) rows summed per local hour of the report's zone."""
    counts: Counter[datetime] = Counter()
    zone = report.zone
    for key, count in rows:
        if isinstance(key, datetime):
            local = key.astimezone(zone)
        else:
            local = datetime.strptime(key, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).astimezone(zone)
        counts[local.replace(minute=0, second=0, microsecond=0)] += int(count or 0)
    return counts


def _position_shares(count: int) -> list[float]:
    """The shares whose percentile_disc is the row at each position ``median`` and
    ``percentile`` read (the lower and upper middle, the p90's nearest rank): PostgreSQL
    takes the row at ceil(share × n), and (k − ½) / n lands on k whatever the rounding."""
    lower = math.ceil(count / 2)
    upper = count - lower + 1
    p90 = max(1, math.ceil(0.9 * count))
    return [(k - 0.5) / count for k in (lower, upper, p90)]


async def duration_figures(session: AsyncSession, relation: Any, names: Sequence[str],
                           counts: dict[str, int] | None = None
                           ) -> dict[str, tuple[int, float | None, float | None]]:
    """Per column of ``relation``: (count, median, p90) of its non-null values, exactly as
    ``median`` and ``percentile`` define them. PostgreSQL sorts in SQL: percentile_disc
    takes the row at ceil(share × n) as ``percentile`` does, and the mean of the lower
    middles of both orders is the median; with the ``counts`` of non-null values known
    (the hourly rollup holds them), one sort a column gives all three rows. SQLite (the
    embedded, small case) in Python."""
    out: dict[str, tuple[int, float | None, float | None]] = {}
    if session.bind.dialect.name == "postgresql" and counts is not None:
        asked = [name for name in names if counts[name]]
        if asked:
            row = (await session.execute(select(*(
                func.percentile_disc(literal(_position_shares(counts[name]), ARRAY(Float)))
                .within_group(relation.c[name].asc()) for name in asked)))).one()
            found = dict(zip(asked, row, strict=True))
        for name in names:
            if not counts[name]:
                out[name] = (0, None, None)
                continue
            low, high, p90 = found[name]
            out[name] = (counts[name], (low + high) / 2, float(p90))
        return out
    if session.bind.dialect.name == "postgresql":
        parts: list[Any] = []
        for name in names:
            column = relation.c[name]
            parts += [func.count(column),
                      func.percentile_disc(0.5).within_group(column.asc()),
                      func.percentile_disc(0.5).within_group(column.desc()),
                      func.percentile_disc(0.9).within_group(column.asc())]
        row = (await session.execute(select(*parts).select_from(relation))).one()
        for n, name in enumerate(names):
            count, low, high, p90 = row[4 * n:4 * n + 4]
            out[name] = (int(count), None if not count else (low + high) / 2,
                         None if not count else float(p90))
        return out
    for name in names:
        column = relation.c[name]
        values = list((await session.scalars(select(column).where(column.is_not(None)))).all())
        out[name] = (len(values), median(values), percentile(values, 0.9))
    return out


async def grouped_medians(session: AsyncSession, relation: Any, key: str,
                          names: Sequence[str]) -> dict[str, dict[Any, float]]:
    """Per column: the median of its non-null values per value of ``key``."""
    out: dict[str, dict[Any, float]] = {}
    group = relation.c[key]
    for name in names:
        column = relation.c[name]
        found: dict[Any, float] = {}
        if session.bind.dialect.name == "postgresql":
            for group_value, low, high in await session.execute(
                    select(group, func.percentile_disc(0.5).within_group(column.asc()),
                           func.percentile_disc(0.5).within_group(column.desc()))
                    .where(column.is_not(None), group.is_not(None)).group_by(group)):
                found[group_value] = (low + high) / 2
        else:
            values: dict[Any, list[float]] = {}
            for group_value, value in await session.execute(
                    select(group, column).where(column.is_not(None), group.is_not(None))):
                values.setdefault(group_value, []).append(value)
            found = {k: median(v) for k, v in values.items()}  # type: ignore[misc]
        out[name] = found
    return out


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle values for an even count."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(share * len(ordered)) - 1)])


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class WorkingHours:
    """The teams' working hours, for durations "in business hours" (walletdesk.routing.hours,
    as the SLA clocks count them: a conversation without a team runs around the clock)."""

    def __init__(self, teams: Iterable[Team]) -> None:
        self._hours = {team.id: (team.weekly_hours, team.holidays, team.timezone)
                       for team in teams}
        self._always: tuple[dict[str, Any], list[str], str] = (default_weekly_hours(), [], "UTC")

    @classmethod
    async def load(cls, session: AsyncSession) -> "WorkingHours":
        return cls((await session.scalars(select(Team))).all())

    def seconds(self, team_id: int | None, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        hours = self._hours.get(team_id, self._always) if team_id else self._always
        if hours is self._always:
            return (end - start).total_seconds()
        return float(business_seconds_between(*hours, start, end))


def first_customer_message(conversation_ids: Any) -> Any:
    """Per conversation: when the customer first wrote (a subquery: cid, at)."""
    return (select(Message.conversation_id.label("cid"), func.min(Message.created_at).label("at"))
            .where(Message.sender_kind == SenderKind.customer,
                   Message.conversation_id.in_(conversation_ids))
            .group_by(Message.conversation_id).subquery("first_customer"))


def first_agent_reply(conversation_ids: Any, first_customer: Any) -> Any:
    """Per conversation: the first public agent message after the customer's first message."""
    return (select(Message.conversation_id.label("cid"), func.min(Message.created_at).label("at"))
            .join(first_customer, and_(first_customer.c.cid == Message.conversation_id,
                                       Message.created_at >= first_customer.c.at))
            .where(Message.sender_kind == SenderKind.agent, Message.is_internal.is_(False),
                   Message.conversation_id.in_(conversation_ids))
            .group_by(Message.conversation_id).subquery("first_reply"))


def weekday_name(moment: datetime) -> str:
    return WEEKDAYS[moment.weekday()]
