"""The rollup's daily rows (``report_daily``): per UTC day, for all conversations and per
value of one filter (channel, team, language, category), what the hourly counts cannot
sum: the distinct customers, and a histogram of every duration. They give a period's
distinct customers and its exact medians and p90 without reading the period's facts.

**Durations.** Every duration in the facts has its bucket beside it (``*_bucket``:
``bucket_of``, about 19 % wide: 2^(k/4) seconds). A period's histogram, summed from its days,
tells in which bucket the value of a rank (the lower and upper middle, the p90's nearest
rank) lies and how many smaller values come before it; the value itself is then read from
the facts of that bucket alone (an index on the bucket and the start: a few thousand rows
instead of the period's 190,000). The figures are exact: the same values as a sort of all.

**Customers.** The ids of a day's distinct customers, and (for all conversations) of those
whose first conversation started that day; a period's are the union of its days'.

A period reads the days that lie wholly inside it and before the rollup's cut; the hours
at its edges (a local day in Asia/Shanghai starts at 16:00 UTC) and the newest ones come
from the facts, as the hourly counts' tail does.
"""

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from walletdesk.conversations.models import Status
from walletdesk.reports.hourly import ALL, FILTERS, Recount, _value, from_value, utc_day
from walletdesk.reports.rollup_models import (
    BUCKET_EDGES,
    DURATIONS,
    ConversationAgentReplies,
    ConversationFacts,
    DailyAgents,
    DailyRows,
    bucket_name,
)

DAILY = DailyRows.__table__
AGENTS = DailyAgents.__table__
FACTS = ConversationFacts.__table__
REPLIES = ConversationAgentReplies.__table__
RESOLVED = (str(Status.resolved), str(Status.closed))
AGENT_COUNTS = ("handled", "resolved", "replies", "ratings", "rating_sum")
DAY = timedelta(days=1)
RANGES = 100  # day ranges per rebuilding query


def bucket_of(seconds: float | None) -> int | None:
    """The histogram bucket of a duration: how many of ``BUCKET_EDGES`` are at or below
    it (the migration's ``width_bucket`` and SQL ``CASE`` say the same)."""
    return None if seconds is None else bisect_right(BUCKET_EDGES, seconds)


class joined(FunctionElement[str]):  # noqa: N801 (an SQL function's name)
    """The texts of a group joined with commas (``string_agg`` / ``group_concat``)."""

    type = String()
    inherit_cache = True


class joined_distinct(FunctionElement[str]):  # noqa: N801 (an SQL function's name)
    """The distinct texts of a group joined with commas."""

    type = String()
    inherit_cache = True


@compiles(joined, "sqlite")
def _joined_sqlite(element: joined, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat({compiler.process(list(element.clauses)[0], **kw)}, ',')"


@compiles(joined_distinct, "sqlite")
def _joined_distinct_sqlite(element: joined_distinct, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's DISTINCT takes one argument: the separator is the default comma
    return f"group_concat(DISTINCT {compiler.process(list(element.clauses)[0], **kw)})"


@compiles(joined, "postgresql")
def _joined_postgresql(element: joined, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg({compiler.process(list(element.clauses)[0], **kw)}, ',')"


@compiles(joined_distinct, "postgresql")
def _joined_distinct_postgresql(element: joined_distinct, compiler: SQLCompiler,
                                **kw: Any) -> str:
    return f"string_agg(DISTINCT {compiler.process(list(element.clauses)[0], **kw)}, ',')"


def day_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _day_ranges(days: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    ranges: list[tuple[datetime, datetime]] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] == day:
            ranges[-1] = (ranges[-1][0], day + DAY)
        else:
            ranges.append((day, day + DAY))
    return ranges


def _text(value: Any) -> ColumnElement[str]:
    return cast(value, String)


def _row(rows: dict[tuple[str, str, datetime], dict[str, Any]], dimension: str, value: str,
         at: datetime) -> dict[str, Any]:
    key = (dimension, value, day_of(at))
    if key not in rows:
        rows[key] = {"dimension": dimension, "value": value, "day": key[2], "customers": "",
                     "new_customers": "", **{name: "" for name in DURATIONS}}
    return rows[key]


async def count_days(session: AsyncSession, days: Iterable[datetime]) -> list[Recount]:
    """These UTC days counted again from the facts (a rollup run, after writing them)."""
    f = FACTS.c
    ranges = _day_ranges(days)
    daily, agents = Recount(DAILY, "day", ranges), Recount(AGENTS, "day", ranges)
    for start in range(0, len(ranges), RANGES):
        part = ranges[start:start + RANGES]
        chosen = or_(*(and_(f.created_at >= low, f.created_at < high) for low, high in part))
        day = utc_day(f.created_at).label("day")
        rows: dict[tuple[str, str, datetime], dict[str, Any]] = {}
        for dimension in (ALL, *FILTERS):
            value = _value(FACTS, dimension).label("value")
            for found, at, ids in await session.execute(
                    select(value, day, joined_distinct(_text(f.customer_id)))
                    .where(chosen).group_by(value, day)):
                _row(rows, dimension, found, at)["customers"] = ids or ""
            if dimension == ALL:  # the customers whose first conversation started that day
                for at, ids in await session.execute(
                        select(day, joined_distinct(_text(f.customer_id)))
                        .where(chosen, f.customer_first_at >= utc_day(f.created_at))
                        .group_by(day)):
                    _row(rows, ALL, "", at)["new_customers"] = ids or ""
            for name in DURATIONS:
                bucket = f[bucket_name(name)]
                counted = (select(value, day, bucket.label("bucket"),
                                  func.count().label("n"))
                           .where(chosen, bucket.is_not(None))
                           .group_by(value, day, bucket).subquery())
                pair = _text(counted.c.bucket) + literal(":", String) + _text(counted.c.n)
                for found, at, histogram in await session.execute(
                        select(counted.c.value, counted.c.day,
                               joined(pair))
                        .group_by(counted.c.value, counted.c.day)):
                    _row(rows, dimension, found, at)[name] = histogram or ""
        daily.rows += rows.values()
        agents.rows += await _count_agent_days(session, part, chosen, day)
    return [daily, agents]


async def _count_agent_days(session: AsyncSession, part: list[tuple[datetime, datetime]],
                            chosen: ColumnElement[bool], day: Any) -> list[dict[str, Any]]:
    f, r = FACTS.c, REPLIES.c
    rows: dict[tuple[datetime, int], dict[str, Any]] = {}

    def add(at: datetime, agent_id: int, **counts: int) -> None:
        key = (day_of(at), agent_id)
        row = rows.setdefault(key, {"day": key[0], "agent_id": agent_id,
                                    **dict.fromkeys(AGENT_COUNTS, 0)})
        for name, count in counts.items():
            row[name] += int(count or 0)

    for at, agent_id, handled, resolved in await session.execute(
            select(day, f.assignee_id, func.count(),
                   func.count(case((f.status.in_(RESOLVED), 1))))
            .where(chosen, f.assignee_id.is_not(None)).group_by(day, f.assignee_id)):
        add(at, agent_id, handled=handled, resolved=resolved)
    written = utc_day(r.created_at).label("day")
    for at, agent_id, replies in await session.execute(
            select(written, r.agent_id, func.sum(r.replies))
            .where(or_(*(and_(r.created_at >= low, r.created_at < high) for low, high in part)))
            .group_by(written, r.agent_id)):
        add(at, agent_id, replies=replies)
    for at, agent_id, ratings, total in await session.execute(
            select(day, f.survey_agent_id, func.count(), func.sum(f.survey_rating))
            .where(chosen, f.survey_rating.is_not(None), f.survey_agent_id.is_not(None))
            .group_by(day, f.survey_agent_id)):
        add(at, agent_id, ratings=ratings, rating_sum=total)
    return list(rows.values())


def _histogram(text: str | None, into: Counter[int]) -> None:
    for part in text.split(",") if text else ():
        bucket, count = part.split(":")
        into[int(bucket)] += int(count)


@dataclass
class DailyView:
    """A report's cohort read from the daily rows (days ``[first_day, last_day)``) and
    the facts of the rest of its period (``edges``)."""

    scope: tuple[str, str]
    first_day: datetime
    last_day: datetime
    # the ids as texts, joined with commas, split only if asked (customer_counts)
    customers: list[str] = field(default_factory=list)
    new_customers: list[str] = field(default_factory=list)
    histograms: dict[str, Counter[int]] = field(default_factory=dict)
    # the customers whose first conversation is in an edge, seen there
    edge_firsts: set[int] = field(default_factory=set)
    stored_days: int = 0  # the first of ``new_customers`` are the days' (for "all")
    # the edges' durations: per name, (bucket, seconds)
    edge_values: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    durations: bool = True  # False: read for the customers alone (no histograms)
    customers_read: bool = True  # False: ``customers`` not read (only the new customers)


def _scope_conditions(scope: tuple[str, str]) -> list[ColumnElement[bool]]:
    dimension, value = scope
    if dimension == ALL:
        return []
    column = FACTS.c[FILTERS[dimension]]
    chosen = from_value(value)
    if chosen is None:
        return [column.is_(None)]
    return [column == (int(chosen) if dimension == "team" else chosen)]


async def read_daily(session: AsyncSession, start: datetime, end: datetime, cut: datetime,
                     scope: tuple[str, str], facts: FromClause, *, customers: bool = True,
                     durations: bool = True) -> DailyView:
    """The cohort of ``[start, end)`` (whole UTC hours) in ``scope``: the daily rows of the
    days wholly inside it and before ``cut``, and ``facts`` (the report's facts relation)
    for the rest. ``durations`` False: no histograms. ``customers`` False: not the days'
    distinct customers' ids, the largest texts (but with a filter, which counts its new
    customers among them: ``customer_counts``)."""
    first_day = day_of(start) if day_of(start) == start else day_of(start) + DAY
    last_day = max(first_day, min(day_of(end), day_of(cut)))
    names = DURATIONS if durations else ()
    dimension, value = scope
    ids = customers or dimension != ALL
    view = DailyView(scope=scope, first_day=first_day, last_day=last_day,
                     histograms={name: Counter() for name in names},
                     edge_values={name: [] for name in names}, durations=durations,
                     customers_read=ids)
    d = DAILY.c
    if first_day < last_day:
        for seen, new, *histograms in await _rows(session,
                select(d.customers if ids else literal(""), d.new_customers,
                       *(d[name] for name in names))
                .where(d.dimension == dimension, d.value == value, d.day >= first_day,
                       d.day < last_day)):
            view.customers.append(seen)
            view.new_customers.append(new)
            view.stored_days += 1
            for name, text in zip(names, histograms, strict=True):
                _histogram(text, view.histograms[name])
        if dimension != ALL:
            # the new customers among this scope's are those whose first conversation is in
            # the period: the days' firsts of all conversations, and those of the leading edge
            # (a later edge cannot hold the first of a customer seen on these days)
            for new in (await _scalars(session,
                    select(d.new_customers).where(d.dimension == ALL, d.day >= first_day,
                                                  d.day < last_day))).all():
                view.new_customers.append(new)
            if start < first_day:
                f = FACTS.c
                view.new_customers.append(_joined_ids((await _scalars(session,
                    select(f.customer_id).where(f.created_at >= start,
                                                f.created_at < first_day,
                                                f.customer_first_at >= start))).all()))
    c = facts.c
    edge_customers: list[int] = []
    edge_new: list[int] = []
    days = first_day < last_day
    for row in await _rows(session, _edges(
            select(c.customer_id, c.customer_first_at, c.created_at,
                   *(c[bucket_name(name)] for name in names), *(c[name] for name in names)),
            c.created_at, first_day, last_day)):
        edge_customers.append(row[0])
        if row[1] >= start:
            edge_new.append(row[0])
            # the first conversation in this edge itself (not on the days between)
            if not days or row[1] >= last_day or row[2] < first_day:
                view.edge_firsts.add(row[0])
        for n, name in enumerate(names):
            bucket, seconds = row[3 + n], row[3 + len(names) + n]
            if bucket is not None:
                view.histograms[name][bucket] += 1
                view.edge_values[name].append((bucket, seconds))
    view.customers.append(_joined_ids(edge_customers))
    view.new_customers.append(_joined_ids(edge_new))
    return view


def _edges(query: Any, created_at: Any, first_day: datetime, last_day: datetime) -> Any:
    """``query`` of the rows outside the days ``[first_day, last_day)``: two ranges, so
    the database reads two index ranges rather than the period with a filter."""
    if first_day >= last_day:
        return query
    return union_all(query.where(created_at < first_day), query.where(created_at >= last_day))


async def _rows(session: AsyncSession, statement: Any) -> Any:
    """The rows of a read, through the session's connection: Core rows, without the ORM's
    processing of each (thousands of rows here)."""
    return await (await session.connection()).execute(statement)


async def _scalars(session: AsyncSession, statement: Any) -> Any:
    return (await _rows(session, statement)).scalars()


def _joined_ids(ids: Iterable[int]) -> str:
    return ",".join(map(str, ids))


def _id_set(texts: list[str]) -> set[str]:
    out: set[str] = set()
    for text in texts:
        if text:
            out.update(text.split(","))
    return out


def new_customer_count(view: DailyView) -> int:
    """The customers whose first conversation started in the period. Without a filter each
    is in one day's ids or one edge's (no union needed)."""
    if view.scope != (ALL, ""):
        return customer_counts(view)[1]
    return len(view.edge_firsts) + sum(text.count(",") + 1 for text in view.new_customers[
        :view.stored_days] if text)


def customer_counts(view: DailyView) -> tuple[int, int]:
    """(distinct customers, of them new: their first conversation started in the period)."""
    if not view.customers_read:
        raise ValueError("the daily rows were read without the customers")
    customers = _id_set(view.customers)
    if view.scope == (ALL, ""):
        return len(customers), new_customer_count(view)
    return len(customers), len(customers & _id_set(view.new_customers))


def _ranks(count: int) -> tuple[int, int, int]:
    """The lower and upper middle and the p90's nearest rank (1-based), as
    ``measures.median`` and ``measures.percentile`` take them (the same float arithmetic)."""
    lower = (count + 1) // 2
    return lower, count - lower + 1, max(1, math.ceil(0.9 * count))


async def daily_duration_figures(session: AsyncSession, view: DailyView, names: Sequence[str]
                                 ) -> dict[str, tuple[int, float | None, float | None]] | None:
    """Per duration: (count, median, p90), exact. The buckets that hold the ranks are read
    in one query. None when the facts of a bucket do not hold what the daily rows counted
    (the worker wrote between the two reads): then the caller sorts the facts."""
    out: dict[str, tuple[int, float | None, float | None]] = {}
    places: dict[str, dict[int, tuple[int, int]]] = {}  # rank → (bucket, rank in it)
    for name in names:
        histogram = view.histograms[name]
        count = sum(histogram.values())
        if not count:
            out[name] = (0, None, None)
            continue
        places[name] = _places(histogram, _ranks(count))
    asks: dict[tuple[int, Any], Ask] = {}
    wanted = sorted({(name, bucket) for name, where in places.items()
                     for bucket, _ in where.values()})
    for n, (name, bucket) in enumerate(wanted):
        ask = asks[(n, None)] = Ask(expected=view.histograms[name][bucket], edges=sorted(
            seconds for b, seconds in view.edge_values[name] if b == bucket))
        ask.ranks = {rank for b, rank in places[name].values() if b == bucket}
    f = FACTS.c
    parts = []
    if view.first_day < view.last_day:
        period = [f.created_at >= view.first_day, f.created_at < view.last_day,
                  *_scope_conditions(view.scope)]
        parts = [select(literal(n, Integer).label("part"), literal(0, Integer).label("key"),
                        f[name].label("seconds"))
                 .where(f[bucket_name(name)] == bucket, *period)
                 for n, (name, bucket) in enumerate(wanted)]
    found = await _values_at_ranks(session, parts, asks, keyed=False)
    if found is None:
        return None
    for name, where in places.items():
        count = sum(view.histograms[name].values())
        low, high, p90 = (found[(wanted.index((name, where[rank][0])), None)][where[rank][1]]
                          for rank in _ranks(count))
        out[name] = (count, (low + high) / 2, float(p90))
    return out


def _places(histogram: dict[int, int], ranks: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per rank of the whole: the bucket it falls in and its rank within the bucket."""
    where: dict[int, tuple[int, int]] = {}
    below = 0
    for bucket in sorted(histogram):
        size = histogram[bucket]
        for rank in ranks:
            if below < rank <= below + size:
                where[rank] = (bucket, rank - below)
        below += size
    return where


@dataclass
class Ask:
    """The ranks wanted of one bucket's values (of a duration, for one key): the stored
    facts' values merged with ``edges`` (values from elsewhere, sorted), ``expected`` in
    all."""

    expected: int
    edges: list[float]
    ranks: set[int] = field(default_factory=set)


async def _values_at_ranks(session: AsyncSession, parts: list[Any],
                           asks: dict[tuple[int, Any], Ask], keyed: bool
                           ) -> dict[tuple[int, Any], dict[int, float]] | None:
    """The values at the asked ranks of each (part, key): ``parts`` select (part, key,
    seconds) of the stored facts, merged with the asked ``edges`` (values from elsewhere).
    The database returns each (part, key)'s values unsorted, on PostgreSQL as one array
    (an aggregate, no sort by value; decoded at once by the driver), and the asked ranks
    are read from the values and ``edges`` sorted together. A 90-day bucket holds ~30,000
    values: sorting them here costs a few ms, where ranking them in the database (window
    functions over all the buckets' rows, a sort) took most of a second on this machine
    (decision 0039). None when the stored and edge values are not the expected number."""
    values: dict[tuple[int, Any], list[float]] = {}
    if parts:
        rows = union_all(*parts).subquery("parts")
        by = [rows.c.part, rows.c.key]
        connection = await session.connection()
        if session.bind.dialect.name == "postgresql":
            for part, key, found in await connection.execute(
                    select(*by, func.array_agg(rows.c.seconds)).group_by(*by)):
                values[(part, key if keyed else None)] = found
        else:  # SQLite, the embedded case: the rows themselves
            for part, key, seconds in await connection.execute(select(*by, rows.c.seconds)):
                values.setdefault((part, key if keyed else None), []).append(seconds)
    out: dict[tuple[int, Any], dict[int, float]] = {}
    for place, ask in asks.items():
        stored = values.get(place, [])
        if len(stored) + len(ask.edges) != ask.expected:
            return None
        ordered = sorted([*stored, *ask.edges])
        out[place] = {rank: float(ordered[rank - 1]) for rank in ask.ranks}
    return out


def bucket_columns(durations: dict[str, float | None]) -> dict[str, int | None]:
    """The ``*_bucket`` columns of a facts row with these durations."""
    return {bucket_name(name): bucket_of(durations.get(name)) for name in DURATIONS}



async def read_agent_days(session: AsyncSession, start: datetime, end: datetime,
                          cut: datetime, facts: FromClause, replies: FromClause
                          ) -> dict[int, Counter[str]]:
    """Per agent the agents report's counts (``AGENT_COUNTS``) for a report without filters
    over ``[start, end)`` (whole UTC hours): the daily rows of the days wholly inside it and
    before ``cut``, the report's facts and replies for the rest."""
    first_day = day_of(start) if day_of(start) == start else day_of(start) + DAY
    last_day = max(first_day, min(day_of(end), day_of(cut)))
    out: dict[int, Counter[str]] = {}
    a = AGENTS.c
    days = first_day < last_day
    if days:
        for agent_id, *numbers in await _rows(session,
                select(a.agent_id, *(func.sum(a[name]) for name in AGENT_COUNTS))
                .where(a.day >= first_day, a.day < last_day).group_by(a.agent_id)):
            out.setdefault(agent_id, Counter()).update(
                {name: int(number or 0) for name, number in zip(AGENT_COUNTS, numbers,
                                                                 strict=True)})
    c = facts.c
    for agent_id, status, rater, rating in await _rows(session, _edges(
            select(c.assignee_id, c.status, c.survey_agent_id, c.survey_rating),
            c.created_at, first_day, last_day)):
        if agent_id is not None:
            out.setdefault(agent_id, Counter()).update(
                handled=1, resolved=int(status in RESOLVED))
        if rating is not None and rater is not None:
            out.setdefault(rater, Counter()).update(ratings=1, rating_sum=rating)
    r = replies.c
    edge_replies = _edges(select(r.agent_id, r.replies), r.created_at, first_day,
                          last_day).subquery("edge_replies")
    for agent_id, written in await _rows(session,
            select(edge_replies.c.agent_id, func.sum(edge_replies.c.replies))
            .group_by(edge_replies.c.agent_id)):
        out.setdefault(agent_id, Counter()).update(replies=int(written or 0))
    return out
