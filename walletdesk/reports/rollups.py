"""The reports' rollup: one row of facts per conversation (walletdesk.reports.rollup_models),
kept by the worker, read by the reports.

Why per conversation and not per hour × channel × team × agent × …: at a desk's scale
(hundreds of agents, a few hundred conversations an hour) such a cube has about one row per
conversation anyway, and exact medians need the single durations. What the rollup saves is
everything else a report would read: ten messages, the bot turns and the survey per
conversation, and the business-hours arithmetic in Python.

The job ``reports.rollup`` (every minute; at once again while there is a backlog) computes
the facts of the conversations that have none, and again of those whose copied columns
(status, assignee, last message number, survey rating, …) no longer match: incremental,
idempotent, and after downtime it simply finds more to do. When the teams' working hours
change, every row is computed again (the business-hours durations depend on them).

A report reads the rows of conversations started before ``covered_until`` (a minute before
the last complete run) and computes the facts of the newer ones live, with the same code
(``compute_facts``); the two are merged in the same SQL. Until the first complete run, or
when more than ``MAX_RECENT`` conversations of the period are newer (the worker is down),
a report is computed entirely live.
"""

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from walletdesk.accounts.models import Team
from walletdesk.bot.choices import MATCHED_OUTCOMES as BOT_MATCHED
from walletdesk.bot.models import BotTurn
from walletdesk.bot.queries import matched_category
from walletdesk.cases.models import Survey
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.db.base import utcnow
from walletdesk.jobs.actions import schedule_job
from walletdesk.jobs.models import Job
from walletdesk.jobs.runner import JobContext, job_handler
from walletdesk.labels.models import ConversationLabel, Label
from walletdesk.reports.daily import (
    AGENTS,
    DAILY,
    DailyView,
    bucket_columns,
    count_days,
    day_of,
    read_agent_days,
    read_daily,
)
from walletdesk.reports.filters import ReportFilter, conversation_conditions, is_reason
from walletdesk.reports.hourly import (
    ALL,
    HOURLY,
    HOURLY_MESSAGES,
    QUARTER,
    HourlyView,
    Recount,
    cohort_scope,
    count_hours,
    hour_of,
    read_breakdown_hours,
    read_view,
    step_of,
    stored_hours,
    view_scope,
)
from walletdesk.reports.measures import WorkingHours, utc_quarter_hour
from walletdesk.reports.reopens import customer_words_reopen, may_be_courtesy
from walletdesk.reports.rollup_models import (
    ConversationAgentReplies,
    ConversationFacts,
    ConversationMessageQuarters,
    ReportDirty,
    RollupState,
)

if TYPE_CHECKING:
    from walletdesk.services import Services

ROLLUP_JOB = "reports.rollup"
INTERVAL = timedelta(minutes=1)
BATCH = 2000  # conversations a job run computes
CHUNK = 2500  # ids per IN (…) of the computing queries
# conversations computed, and rows inserted, per step: the Python between two awaits (the
# business hours, binding the rows) stays short, so the event loop serving the chat in the
# same process is never held for long (the worker is embedded by default)
STEP = 400
MARGIN = timedelta(minutes=1)  # transactions still open when a run starts
MAX_RECENT = 1000  # conversations of a report computed live before it falls back to live
REPORT_WORK_MEM = "64MB"  # a report read's sort memory on PostgreSQL (the default is 4 MB)
RESOLVED = (Status.resolved, Status.closed)
PUBLIC_SENDERS = (SenderKind.customer, SenderKind.agent, SenderKind.bot)
RESOLVE_MARK = "resolved"
REPEAT_WINDOW = timedelta(days=7)  # walletdesk.reports.first_contact
STATE_ID = 1
FACTS = ConversationFacts.__table__
QUARTERS = ConversationMessageQuarters.__table__
REPLIES = ConversationAgentReplies.__table__


@dataclass
class Facts:
    """The rows of some conversations, as the three rollup tables hold them."""

    facts: list[dict[str, Any]] = field(default_factory=list)
    quarters: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: "Facts") -> None:
        self.facts += other.facts
        self.quarters += other.quarters
        self.replies += other.replies


def hours_key(teams: list[Team]) -> str:
    """A fingerprint of every team's working hours (business-hours durations use them)."""
    text = json.dumps([[t.id, t.weekly_hours, t.holidays, t.timezone]
                       for t in sorted(teams, key=lambda t: t.id)], sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _among(column: Any, ids: list[int], dialect: str) -> ColumnElement[bool]:
    """``column IN (ids)``; on PostgreSQL one array parameter (thousands of ids compile and
    plan much faster so)."""
    if dialect == "postgresql":
        return column == any_(cast(literal(ids), ARRAY(Integer)))
    return column.in_(ids)


async def _chunk_facts(session: AsyncSession, ids: list[int], hours: WorkingHours) -> Facts:
    out = Facts()
    dialect = session.bind.dialect.name
    rows = (await session.execute(
        select(Conversation.id, Conversation.created_at, Conversation.customer_id,
               Conversation.channel, Conversation.team_id, Conversation.assignee_id,
               Conversation.language, Conversation.category, Conversation.status,
               Conversation.last_seq, Conversation.assigned_at, Conversation.resolved_at,
               Conversation.handoff_reason, Conversation.first_response_due_at,
               Conversation.first_response_breached, Conversation.resolution_due_at,
               Conversation.resolution_breached, Conversation.contact_reason)
        .where(_among(Conversation.id, ids, dialect)))).all()
    if not rows:
        return out
    created = {row.id: row.created_at for row in rows}
    customers = {row.customer_id for row in rows}
    customer_first = dict((await session.execute(
        select(Conversation.customer_id, func.min(Conversation.created_at))
        .where(_among(Conversation.customer_id, sorted(customers), dialect))
        .group_by(Conversation.customer_id))).all())
    previous = dict((await session.execute(
        select(Conversation.id, previous_start(Conversation))
        .where(_among(Conversation.id, ids, dialect)))).all())
    # the message facts in SQL, with the definitions of measures.first_customer_message /
    # first_agent_reply, volume.public_message_conditions and outcome.resolve_marks /
    # reopened_ids (the tests compare both ways; reopens: walletdesk.reports.reopens)
    is_customer = Message.sender_kind == SenderKind.customer
    customer_public = and_(is_customer, Message.is_internal.is_(False))
    agent_public = and_(Message.sender_kind == SenderKind.agent, Message.is_internal.is_(False))
    is_mark = Message.meta["kind"].as_string() == RESOLVE_MARK
    per_conversation = {row.cid: row for row in await session.execute(
        select(Message.conversation_id.label("cid"),
               func.min(Message.created_at).filter(is_customer).label("first_customer"),
               func.min(Message.created_at).filter(agent_public).label("first_agent"),
               func.count().filter(agent_public).label("agent_messages"),
               func.min(Message.created_at).filter(is_mark).label("first_mark"),
               func.count().filter(is_mark).label("marks"),
               # what may reopen it (walletdesk.reports.reopens): an agent's public message,
               # a customer's (one short enough to be courtesy only is read below)
               func.max(Message.created_at).filter(agent_public).label("last_agent"),
               func.max(Message.created_at).filter(customer_public).label("last_customer"),
               func.max(Message.created_at).filter(
                   customer_public, ~may_be_courtesy(Message.text)).label("last_customer_long"))
        .where(_among(Message.conversation_id, ids, dialect)).group_by(Message.conversation_id))}
    firsts: dict[int, tuple[datetime, datetime | None]] = {}
    early = []  # an agent wrote before the customer: the first reply is a later message
    for cid, row in per_conversation.items():
        if row.first_customer is None:
            continue
        if row.first_agent is None or row.first_agent >= row.first_customer:
            firsts[cid] = (row.first_customer, row.first_agent)
        else:
            early.append(cid)
    if early:
        replies_at: dict[int, list[datetime]] = defaultdict(list)
        for cid, at in await session.execute(select(Message.conversation_id, Message.created_at)
                                             .where(_among(Message.conversation_id, early, dialect),
                                                    agent_public)):
            replies_at[cid].append(at)
        for cid in early:
            started = per_conversation[cid].first_customer
            firsts[cid] = (started, min((at for at in replies_at[cid] if at >= started),
                                        default=None))
    agent_replied = {cid for cid, row in per_conversation.items() if row.agent_messages}
    marks = {cid: (row.first_mark, int(row.marks)) for cid, row in per_conversation.items()
             if row.marks}
    reopened = await _reopened(session, per_conversation, marks, dialect)
    came_back = await _came_back(session, rows, {cid: first for cid, (first, _) in marks.items()
                                                 if cid not in reopened}, dialect)
    quarter = utc_quarter_hour(Message.created_at).label("quarter")
    messages: dict[int, int] = defaultdict(int)
    for cid, key, count in await session.execute(
            select(Message.conversation_id, quarter, func.count())
            .where(_among(Message.conversation_id, ids, dialect), Message.sender_kind.in_(PUBLIC_SENDERS),
                   Message.is_internal.is_(False))
            .group_by(Message.conversation_id, quarter)):
        out.quarters.append({"conversation_id": cid, "quarter": key,
                             "created_at": created[cid], "messages": int(count)})
        messages[cid] += int(count)
    out.replies = [{"conversation_id": cid, "agent_id": agent_id, "created_at": created[cid],
                    "replies": int(count)}
                   for cid, agent_id, count in await session.execute(
                       select(Message.conversation_id, Message.sender_agent_id, func.count())
                       .where(_among(Message.conversation_id, ids, dialect), agent_public,
                              Message.sender_agent_id.is_not(None))
                       .group_by(Message.conversation_id, Message.sender_agent_id))]
    with_bot = set((await session.scalars(
        select(BotTurn.conversation_id).where(_among(BotTurn.conversation_id, ids, dialect)).distinct()
    )).all())
    surveys = {cid: (rating, agent_id, team_id, rating is not None and comment != "")
               for cid, rating, agent_id, team_id, comment in await session.execute(
                   select(Survey.conversation_id, Survey.rating, Survey.agent_id, Survey.team_id,
                          Survey.comment)
                   .where(_among(Survey.conversation_id, ids, dialect)))}
    reasons = await _reason_parts(session, ids, dialect)
    for row in rows:
        cid = row.id
        resolved = row.status in RESOLVED
        is_resolved = resolved and row.resolved_at is not None
        resolved_at = row.resolved_at if resolved else None
        durations: dict[str, float | None] = dict.fromkeys(
            ("first_response_s", "first_response_business_s", "resolution_s",
             "resolution_business_s", "handling_s", "handling_business_s"))
        if cid in firsts:  # the customer wrote: the speed report measures it (speed.py)
            started, replied = firsts[cid]
            for name, begin, end, counts in (
                    ("first_response", started, replied, replied is not None),
                    ("resolution", started, resolved_at,
                     resolved_at is not None and resolved_at >= started),
                    ("handling", row.assigned_at, resolved_at,
                     resolved_at is not None and row.assigned_at is not None
                     and replied is not None and resolved_at >= row.assigned_at)):
                if counts:
                    durations[f"{name}_s"] = (end - begin).total_seconds()
                    durations[f"{name}_business_s"] = hours.seconds(row.team_id, begin, end)
        mark = marks.get(cid)
        survey = surveys.get(cid)
        out.facts.append({
            "conversation_id": cid, "created_at": row.created_at,
            "customer_id": row.customer_id, "channel": row.channel, "team_id": row.team_id,
            "assignee_id": row.assignee_id, "language": row.language,
            "category": row.category, "status": str(row.status), "last_seq": row.last_seq,
            "assigned_at": row.assigned_at, "resolved_at": row.resolved_at,
            "handoff_reason": row.handoff_reason,
            "first_response_due": row.first_response_due_at is not None,
            "first_response_breached": bool(row.first_response_breached),
            "resolution_due": row.resolution_due_at is not None,
            "resolution_breached": bool(row.resolution_breached),
            "customer_first_at": customer_first[row.customer_id],
            "previous_at": previous.get(cid),
            "messages": messages.get(cid, 0), **durations, **bucket_columns(durations),
            "is_resolved": is_resolved, "ever_resolved": mark is not None,
            "reopened": cid in reopened,
            "first_resolved_at": mark[0] if mark else None,
            "came_back": cid in came_back and mark is not None and mark[1] == 1,
            "with_bot": cid in with_bot,
            "bot_contained": is_resolved and cid in with_bot and cid not in agent_replied,
            "survey_asked": survey is not None,
            "survey_rating": survey[0] if survey else None,
            "survey_agent_id": survey[1] if survey else None,
            "survey_team_id": survey[2] if survey else None,
            "survey_commented": bool(survey and survey[3]),
            **contact_reason(row.contact_reason, row.category, *reasons.get(cid, (None, None)))})
    return out


async def _reopened(session: AsyncSession, per_conversation: dict[int, Any],
                    marks: dict[int, tuple[datetime, int]], dialect: str) -> set[int]:
    """Of the conversations resolved at least once, those reopened after their first resolve
    (``marks``: first resolve, resolves): resolved again, an agent wrote in public, or the
    customer wrote more than courtesy (walletdesk.reports.reopens)."""

    def after(at: datetime | None, first_at: datetime) -> bool:
        return at is not None and at > first_at

    reopened, unread = set(), {}
    for cid, (first_at, count) in marks.items():
        row = per_conversation[cid]
        if count > 1 or after(row.last_agent, first_at) \
                or after(row.last_customer_long, first_at):
            reopened.add(cid)
        elif after(row.last_customer, first_at):
            unread[cid] = first_at  # only short messages after it: their words say
    if unread:
        for cid, at, words in await session.execute(
                select(Message.conversation_id, Message.created_at, Message.text)
                .where(_among(Message.conversation_id, sorted(unread), dialect),
                       Message.sender_kind == SenderKind.customer,
                       Message.is_internal.is_(False), may_be_courtesy(Message.text))):
            if at > unread[cid] and customer_words_reopen(words):
                reopened.add(cid)
    return reopened


def previous_start(conversation: Any) -> Any:
    """Correlated on ``conversation`` (the model or a table's columns): the start of its
    customer's conversation before it, by start and then id (a tie counts the lower id as
    earlier); NULL for the customer's first. Read by index (customer, start)."""
    other = aliased(Conversation)
    return (select(func.max(other.created_at))
            .where(other.customer_id == conversation.customer_id,
                   or_(other.created_at < conversation.created_at,
                       and_(other.created_at == conversation.created_at,
                            other.id < conversation.id)))
            .scalar_subquery())


async def _came_back(session: AsyncSession, rows: Any, first_resolves: dict[int, datetime],
                     dialect: str) -> set[int]:
    """Of these conversations (resolved at ``first_resolves``), those whose customer started
    another conversation within REPEAT_WINDOW after the resolve (and after it started):
    walletdesk.reports.first_contact's rule."""
    if not first_resolves:
        return set()
    mine = {row.id: row for row in rows if row.id in first_resolves}
    customers = sorted({row.customer_id for row in mine.values()})
    earliest = min(first_resolves.values())
    later: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for cid, customer, started in await session.execute(
            select(Conversation.id, Conversation.customer_id, Conversation.created_at)
            .where(_among(Conversation.customer_id, customers, dialect),
                   Conversation.created_at >= earliest)):
        later[customer].append((cid, started))
    found = set()
    for cid, row in mine.items():
        resolved = first_resolves[cid]
        if any(other != cid and started > row.created_at
               and resolved <= started <= resolved + REPEAT_WINDOW
               for other, started in later[row.customer_id]):
            found.add(cid)
    return found


async def _returning(session: AsyncSession, ids: list[int],
                     gone: list[tuple[int, datetime]], dialect: str) -> list[int]:
    """Conversations whose "came back" may change because of these (and of the deleted
    ones, by their customer and start): the same customers' earlier ones resolved within
    REPEAT_WINDOW before these started."""
    if not ids:
        return []
    rows = [*(await session.execute(
        select(Conversation.customer_id, func.min(Conversation.created_at))
        .where(_among(Conversation.id, ids, dialect)).group_by(Conversation.customer_id))).all(),
        *gone]
    if not rows:
        return []
    since = min(started for _, started in rows) - REPEAT_WINDOW
    f = ConversationFacts
    taken = set(ids)  # left out here, not in SQL: a first build takes 50,000 at a time
    return [cid for cid in (await session.scalars(
        select(f.conversation_id).where(
            _among(f.customer_id, sorted({customer for customer, _ in rows}), dialect),
            f.first_resolved_at >= since))).all() if cid not in taken]


def contact_reason(chosen: str | None, category: str | None, bot: str | None,
                   label: str | None) -> dict[str, str]:
    """The first that exists of the reason chosen at resolve, the category, the bot's
    category and the first label (walletdesk.reports.reasons.reason_rows, the same rule)."""
    for value, source in ((chosen, "resolve"), (category, "category"), (bot, "bot"),
                          (label, "label")):
        if value:  # SQL's nullif(…, ''): an empty text is none
            return {"reason": value, "reason_source": source}
    return {"reason": "", "reason_source": "none"}


async def _reason_parts(session: AsyncSession, ids: list[int], dialect: str
                        ) -> dict[int, tuple[str | None, str | None]]:
    """Per conversation: the category of the bot's first answered or suggested turn (a
    choice's picked article), and its first label by name (the order and collation of the
    database, as reason_rows)."""
    first_turns = (select(func.min(BotTurn.id))
                   .where(_among(BotTurn.conversation_id, ids, dialect),
                          BotTurn.outcome.in_(BOT_MATCHED))
                   .group_by(BotTurn.conversation_id))
    bot = dict((await session.execute(
        select(BotTurn.conversation_id, matched_category())
        .where(BotTurn.id.in_(first_turns)))).all())
    labels = dict((await session.execute(
        select(ConversationLabel.conversation_id, func.min(Label.name))
        .join(Label, Label.id == ConversationLabel.label_id)
        .where(_among(ConversationLabel.conversation_id, ids, dialect))
        .group_by(ConversationLabel.conversation_id))).all())
    return {cid: (bot.get(cid), labels.get(cid)) for cid in set(bot) | set(labels)}


async def compute_facts(session: AsyncSession, ids: list[int],
                        hours: WorkingHours | None = None) -> Facts:
    """The rollup rows of these conversations, computed from the conversations, messages,
    bot turns and surveys with the definitions of docs/reports.md."""
    hours = hours or await WorkingHours.load(session)
    if session.bind.dialect.name == "postgresql":
        # the ids come as one array parameter: a generic plan (after five runs of the
        # prepared statement) cannot see its length and scans all messages
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    out = Facts()
    for start in range(0, len(ids), STEP):
        out.extend(await _chunk_facts(session, ids[start:start + STEP], hours))
    return out


def _stale(limit: int) -> Select[tuple[int]]:
    """Conversations without facts, or whose facts no longer match them or their survey."""
    f = ConversationFacts
    c = Conversation
    missing = (select(c.id).where(~exists().where(f.conversation_id == c.id))
               .order_by(c.id).limit(limit))
    changed = (select(f.conversation_id).join(c, c.id == f.conversation_id)
               .outerjoin(Survey, Survey.conversation_id == f.conversation_id)
               .where(or_(c.last_seq != f.last_seq, c.status != f.status,
                          c.assignee_id.is_distinct_from(f.assignee_id),
                          c.team_id.is_distinct_from(f.team_id),
                          c.category.is_distinct_from(f.category),
                          c.language.is_distinct_from(f.language),
                          c.channel != f.channel, c.customer_id != f.customer_id,
                          c.assigned_at.is_distinct_from(f.assigned_at),
                          c.resolved_at.is_distinct_from(f.resolved_at),
                          c.handoff_reason.is_distinct_from(f.handoff_reason),
                          c.first_response_breached != f.first_response_breached,
                          c.resolution_breached != f.resolution_breached,
                          c.first_response_due_at.is_(None) == f.first_response_due,
                          c.resolution_due_at.is_(None) == f.resolution_due,
                          Survey.id.is_(None) == f.survey_asked,
                          Survey.rating.is_distinct_from(f.survey_rating),
                          Survey.agent_id.is_distinct_from(f.survey_agent_id),
                          Survey.team_id.is_distinct_from(f.survey_team_id),
                          and_(Survey.rating.is_not(None), Survey.comment != "")
                          .is_distinct_from(f.survey_commented)))
               .order_by(f.conversation_id).limit(limit))
    both = union_all(missing.subquery().select(), changed.subquery().select()).subquery()
    return select(both.c[0]).distinct().limit(limit)


async def _state(session: AsyncSession, lock: bool = False) -> RollupState:
    state = await session.get(RollupState, STATE_ID, with_for_update=lock or None)
    if state is None:
        state = RollupState(id=STATE_ID, hours_key="")
        session.add(state)
        await session.flush()
    return state


async def _forget(session: AsyncSession, ids: list[int] | None) -> None:
    for table in (QUARTERS, REPLIES, FACTS):
        statement = delete(table)
        if ids is not None:
            statement = statement.where(_among(table.c.conversation_id, ids,
                                               session.bind.dialect.name))
        await session.execute(statement)


async def _insert(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if session.bind.dialect.name == "postgresql":  # COPY: a tenth of the time of INSERTs
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        names = [column.name for column in table.columns]
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=[tuple(row[name] for name in names) for row in rows],
            columns=names)
        return
    for start in range(0, len(rows), STEP):
        await session.execute(insert(table), rows[start:start + STEP])


Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass
class RollupConnections:
    """Where a run reads and where it writes. ``read``: sessions that never hold the
    writing connection (SQLite: a reading connection on a snapshot, Services.read_apart;
    PostgreSQL: the pool); ``write``: one short transaction each."""

    read: Sessions
    write: Sessions

    @classmethod
    def of(cls, services: "Services") -> "RollupConnections":
        """A process's."""
        return cls(services.read_apart, services.transaction)


@dataclass
class Run:
    """A run's work as read on its snapshot: the conversations to compute and their facts,
    the UTC hours whose counts change, and the queue rows to take out once it is written
    (conversation → the row's version as read)."""

    started: datetime
    ids: list[int] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    hours: set[datetime] = field(default_factory=set)
    queued: dict[int, int] = field(default_factory=dict)
    covered: bool = False  # nothing else was stale: covered_until moves to the run's start
    every_day: bool = False  # the daily rows are counted for every day, once (migration 0031)


async def _queued(session: AsyncSession, started: datetime, limit: int
                  ) -> tuple[Run, list[tuple[int, datetime]]]:
    """Up to ``limit`` conversations of the queue the triggers fill, with the hours of those
    deleted and their customers (``[(customer, start)]``)."""
    d = ReportDirty
    rows = (await session.execute(
        select(d.conversation_id, d.created_at, d.customer_id, d.version)
        .order_by(d.conversation_id).limit(limit))).all()
    run = Run(started, ids=[row[0] for row in rows],
              hours={hour_of(row[1]) for row in rows if row[1]},
              queued={row[0]: row[3] for row in rows})
    return run, [(row[2], row[1]) for row in rows if row[2] and row[1]]


async def _plan(session: AsyncSession, started: datetime, limit: int) -> Run | None:
    """What a run computes, read on one snapshot, with the facts computed; None when the
    teams' working hours changed (every row is stale: ``_reset`` first)."""
    state = await _state_as_read(session)
    teams = list((await session.scalars(select(Team))).all())
    if state.hours_key != hours_key(teams):
        return None
    dialect = session.bind.dialect.name
    gone: list[tuple[int, datetime]] = []  # of deleted conversations, say
    if state.covered_until is None:  # the whole comparison, once
        run = Run(started, ids=sorted((await session.scalars(_stale(limit))).all()))
        for start in range(0, len(run.ids), CHUNK):
            run.queued.update({cid: version for cid, version in await session.execute(
                select(ReportDirty.conversation_id, ReportDirty.version).where(_among(
                    ReportDirty.conversation_id, run.ids[start:start + CHUNK], dialect)))})
    else:
        run, gone = await _queued(session, started, limit)
    run.covered = len(run.ids) < limit
    run.every_day = not state.daily_ready
    if run.ids:
        run.ids = sorted({*run.ids, *await _returning(session, run.ids, gone, dialect)})
        for start in range(0, len(run.ids), CHUNK):  # the hours they started in until now
            run.hours |= {hour_of(at) for at in (await session.scalars(
                select(ConversationFacts.created_at).where(_among(
                    ConversationFacts.conversation_id, run.ids[start:start + CHUNK],
                    dialect)))).all()}
        run.facts = await compute_facts(session, run.ids, WorkingHours(teams))
        run.hours |= {hour_of(row["created_at"]) for row in run.facts.facts}
    return run


async def _state_as_read(session: AsyncSession) -> RollupState:
    return await session.get(RollupState, STATE_ID) or RollupState(id=STATE_ID, hours_key="")


async def _reset(session: AsyncSession, started: datetime) -> None:
    """The working hours changed: every fact and count goes, to be computed again."""
    state = await _state(session, lock=True)
    await _forget(session, None)
    for table in (HOURLY, HOURLY_MESSAGES, DAILY, AGENTS):
        await session.execute(delete(table))
    teams = list((await session.scalars(select(Team))).all())
    state.hours_key, state.covered_until, state.refreshed_at = hours_key(teams), None, started


async def _write_facts(session: AsyncSession, run: Run) -> None:
    state = await _state(session, lock=True)  # one run writes at a time (several workers)
    dialect = session.bind.dialect.name
    # only those with rows (a first build has none: no deletes to plan)
    known = sorted((await session.scalars(select(ConversationFacts.conversation_id).where(
        _among(ConversationFacts.conversation_id, run.ids, dialect)))).all())
    for start in range(0, len(known), CHUNK):
        await _forget(session, known[start:start + CHUNK])
    for table, rows in ((FACTS, run.facts.facts), (QUARTERS, run.facts.quarters),
                        (REPLIES, run.facts.replies)):
        await _insert(session, table, rows)
    state.refreshed_at = run.started  # the counts read after this must see these facts


async def _recount(session: AsyncSession, run: Run) -> tuple[list[Recount], datetime | None]:
    """The hourly and daily rows of the run's hours counted again from the facts (after
    they were written), and the state's ``refreshed_at`` they were counted at."""
    state = await _state_as_read(session)
    days = {day_of(hour) for hour in run.hours}
    if run.every_day:
        first, last = (await session.execute(select(
            func.min(ConversationFacts.created_at), func.max(ConversationFacts.created_at)))).one()
        if first is not None:
            day = day_of(first)
            while day <= last:
                days.add(day)
                day += timedelta(days=1)
    return [*await count_hours(session, sorted(run.hours)),
            *await count_days(session, sorted(days))], state.refreshed_at


async def _done(session: AsyncSession, run: Run, counted_at: datetime | None,
                recounts: list[Recount]) -> None:
    """The counts written and the run's queue rows taken out, unless another run wrote
    facts after they were counted (then its rows stay queued: the next run computes them
    again). A row changed since it was read (its version differs) stays too."""
    state = await _state(session, lock=True)
    if state.refreshed_at != counted_at:
        return
    for recount in recounts:
        await recount.write(session)
    if run.queued:
        d = ReportDirty.__table__
        await session.execute(
            delete(d).where(d.c.conversation_id == bindparam("cid"),
                            d.c.version == bindparam("seen")),
            [{"cid": cid, "seen": version} for cid, version in sorted(run.queued.items())])
    if run.covered:
        state.covered_until = run.started - MARGIN
    if run.every_day:
        state.daily_ready = True


async def refresh_rollups(connections: RollupConnections, limit: int = BATCH) -> int:
    """One run: (re)computes the facts of at most ``limit`` stale conversations and the
    hourly and daily counts of the hours they started in; returns how many. Until the
    first complete run (and after the working hours changed) it compares every
    conversation with its facts; from then on it takes only the conversations the triggers
    queued, so a run with nothing to do reads one empty table. When none are left, every
    conversation started before the run (less MARGIN) is covered.

    It reads and computes on a connection apart and writes in two short transactions (the
    facts; the counts and the queue), so on SQLite the chat's writes wait for those alone,
    not for the whole run (issue 14). A change made meanwhile raises its queue row's
    version: the row stays for the next run."""
    started = utcnow()
    while True:
        async with connections.read() as session:
            run = await _plan(session, started, limit)
        if run is not None:
            break
        async with connections.write() as session:
            await _reset(session, started)
    if run.ids:
        async with connections.write() as session:
            await _write_facts(session, run)
    async with connections.read() as session:
        recounts, counted_at = await _recount(session, run)
    async with connections.write() as session:
        await _done(session, run, counted_at, recounts)
    return len(run.ids)


async def schedule_rollup(session: AsyncSession, when: datetime) -> None:
    await schedule_job(session, ROLLUP_JOB, {}, due_at=when,
                       dedupe_key=f"reports-rollup:{when.isoformat(timespec='minutes')}")


async def _run_apart(services: "Services", job: Job) -> dict[str, Any]:
    """The run, outside the job's transaction (which holds SQLite's writing connection)."""
    return {"conversations": await refresh_rollups(RollupConnections.of(services))}


@job_handler(ROLLUP_JOB, deliver=_run_apart)
async def run_rollup(ctx: JobContext) -> None:
    done = (ctx.delivered or {}).get("conversations", 0)
    now = utcnow()
    await schedule_rollup(ctx.session, now if done == BATCH else now + INTERVAL)
    ctx.job.payload = {"conversations": done}


async def refresh_until_current(database: Any, limit: int = 50_000) -> int:
    """Runs refresh_rollups until nothing is stale (the benchmark; `walletdesk` operators
    can let the worker do it). Returns the conversations computed."""
    connections = RollupConnections(database.session, database.transaction)
    total = 0
    while True:
        done = await refresh_rollups(connections, limit)
        total += done
        if done < limit:
            return total


# -- reading ------------------------------------------------------------------------------


@dataclass
class FactSource:
    """The facts of a report's conversations: rows of the rollup plus the newest computed
    live, as subqueries with the rollup tables' columns."""

    facts: FromClause
    quarters: FromClause
    replies: FromClause
    report: ReportFilter
    covered_until: datetime
    daily_ready: bool = False
    # what ``facts`` is made of: the stored rows' conditions and the rows computed live
    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    recent: list[dict[str, Any]] = field(default_factory=list)
    views: dict[tuple[str, ...], HourlyView] = field(default_factory=dict)
    days: DailyView | None = None

    async def hourly(self, session: AsyncSession, *breakdowns: str,
                     totals: bool = False) -> HourlyView | None:
        """The cohort in hourly counts (walletdesk.reports.hourly), with these breakdowns;
        None when the report's filters or time zone need the facts themselves. ``totals``:
        the caller reads only the period's totals (``HourlyView.total``, the breakdowns),
        not its hours, so any time zone will do (a partial hour at each end of the period,
        in Asia/Kolkata, is counted from the facts)."""
        scope = cohort_scope(self.report) if totals else view_scope(self.report)
        if scope is None:
            return None
        key = ("totals" if totals else "hours", *breakdowns)
        if key not in self.views:
            cut = min(hour_of(self.covered_until), self.report.end_utc)
            quarters = scope[0] == QUARTER
            first, until = stored_hours(self.report, cut, step_of(scope[0]))
            tail = tail_quarters = None
            if first > self.report.start_utc or until < self.report.end_utc:
                tail = select(self.facts).where(
                    self._outside(self.facts.c.created_at, first, until)).subquery()
                tail_quarters = select(self.quarters).where(
                    self._outside(self.quarters.c.created_at, first, until)).subquery()
            view = await read_view(session, self.report, scope, cut, tail,
                                   None if totals else tail_quarters,
                                   () if quarters else breakdowns, messages=not totals)
            if quarters and breakdowns:  # the quarter rows have none: the hours' totals
                totalled = await self.hourly(session, *breakdowns, totals=True)
                view.breakdowns = totalled.breakdowns if totalled else {}
            self.views[key] = view
        return self.views[key]

    def _outside(self, created_at: Any, first: datetime, until: datetime
                 ) -> ColumnElement[bool]:
        """The report's rows outside the stored hours ``[first, until)``: only the
        conditions needed, so that a whole-hour zone's tail stays one index range."""
        before, after = created_at < first, created_at >= until
        if first <= self.report.start_utc:
            return after
        return before if until >= self.report.end_utc else or_(before, after)

    async def daily(self, session: AsyncSession, *, customers: bool = True,
                    durations: bool = True) -> DailyView | None:
        """The cohort's distinct customers and duration histograms from the daily rows
        (walletdesk.reports.daily); None when the report's filters or time zone need the
        facts themselves, as for ``hourly``. What is not asked for is not read: the distinct
        customers' ids (``customers``; the new customers are read all the same) or the
        histograms (``durations``)."""
        scope = cohort_scope(self.report)
        if scope is None or not self.daily_ready:
            return None
        days = self.days
        if days is None or (customers and not days.customers_read) \
                or (durations and not days.durations):
            cut, _ = self._cut_and_tail()
            self.days = await read_daily(session, self.report.start_utc, self.report.end_utc,
                                         cut, scope, self.facts, customers=customers,
                                         durations=durations)
        return self.days

    async def agent_days(self, session: AsyncSession) -> dict[int, Counter[str]] | None:
        """The agents report from the daily rows: without filters."""
        if cohort_scope(self.report) != (ALL, "") or not self.daily_ready:
            return None
        cut, _ = self._cut_and_tail()
        return await read_agent_days(session, self.report.start_utc, self.report.end_utc,
                                     cut, self.facts, self.replies)

    def _cut_and_tail(self) -> tuple[datetime, FromClause | None]:
        cut = min(hour_of(self.covered_until), self.report.end_utc)
        if cut >= self.report.end_utc:
            return cut, None
        return cut, select(self.facts).where(self.facts.c.created_at >= cut).subquery()

    async def hourly_breakdown(self, session: AsyncSession, breakdown: str, keep: set[str]
                               ) -> list[tuple[str | None, datetime, int]] | None:
        """(value, UTC hour of start, conversations) of a breakdown's values in ``keep``,
        the others summed (None); None unless the report has no filter and a whole-hour
        zone."""
        if view_scope(self.report) != (ALL, ""):
            return None
        cut, tail = self._cut_and_tail()
        return await read_breakdown_hours(session, self.report, breakdown, cut, tail, keep)


def _fact_conditions(report: ReportFilter, covered_until: datetime) -> list[ColumnElement[bool]]:
    f = ConversationFacts
    conditions: list[ColumnElement[bool]] = [
        f.created_at >= report.start_utc, f.created_at < min(report.end_utc, covered_until)]
    for column, value in ((f.channel, report.channel), (f.team_id, report.team_id),
                          (f.assignee_id, report.agent_id), (f.language, report.language),
                          (f.category, report.category)):
        if value:
            conditions.append(column == value)
    if report.label_id:
        conditions.append(f.conversation_id.in_(
            select(ConversationLabel.conversation_id)
            .where(ConversationLabel.label_id == report.label_id)))
    if report.reason:  # the facts hold each conversation's reason: any code of the chosen
        conditions.append(is_reason(f.reason, report.reason))
    return conditions


def _rows(table: Any, rows: list[dict[str, Any]]) -> list[Select[Any]]:
    return [select(*[(literal(row[c.name], type_=c.type) if row[c.name] is not None
                      else null().cast(c.type)).label(c.name) for c in table.columns])
            for row in rows]


def _relation(table: Any, stored: Select[Any], rows: list[dict[str, Any]],
              name: str) -> FromClause:
    if not rows:
        return stored.subquery(name)
    return union_all(stored, *_rows(table, rows)).subquery(name)


async def fact_source(session: AsyncSession, report: ReportFilter) -> FactSource | None:
    """Where a report reads its conversations' facts; None: compute the report live. Once
    per session and report (the reports page asks for it in every part)."""
    known = session.info.setdefault("report_fact_sources", {})
    if report not in known:
        known[report] = await _fact_source(session, report)
    return known[report]  # type: ignore[no-any-return]


async def _fact_source(session: AsyncSession, report: ReportFilter) -> FactSource | None:
    if session.bind.dialect.name == "postgresql" and not session.info.get("report_work_mem"):
        # the sorts of a report (the ranks in a duration's buckets, a cohort's medians) hold
        # up to a few hundred thousand values: in memory, not spilled to disk at the
        # default 4 MB; for this read's transaction only
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
        session.info["report_work_mem"] = True
    state = await session.get(RollupState, STATE_ID)
    if state is None or state.covered_until is None:
        return None
    covered = state.covered_until
    if covered < report.end_utc:
        recent_ids = list((await session.scalars(
            select(Conversation.id).where(*conversation_conditions(report),
                                          Conversation.created_at >= covered)
            .limit(MAX_RECENT + 1))).all())
        if len(recent_ids) > MAX_RECENT:
            return None
    else:
        recent_ids = []
    teams = list((await session.scalars(select(Team))).all())
    if hours_key(teams) != state.hours_key:
        return None
    recent = await compute_facts(session, recent_ids, WorkingHours(teams)) if recent_ids \
        else Facts()
    conditions = _fact_conditions(report, covered)

    def of_cohort(table: Any) -> list[ColumnElement[bool]]:
        """The rows of the report's conversations: by their start alone, with a filter
        also by the facts' ids."""
        period = [table.c.created_at >= report.start_utc,
                  table.c.created_at < min(report.end_utc, covered)]
        if len(conditions) == 2:
            return period
        return [*period, table.c.conversation_id.in_(
            select(ConversationFacts.conversation_id).where(*conditions))]

    return FactSource(
        facts=_relation(FACTS, select(*FACTS.columns).where(*conditions), recent.facts,
                        "facts"),
        quarters=_relation(QUARTERS, select(*QUARTERS.columns).where(*of_cohort(QUARTERS)),
                           recent.quarters, "quarters"),
        replies=_relation(REPLIES, select(*REPLIES.columns).where(*of_cohort(REPLIES)),
                          recent.replies, "replies"),
        report=report, covered_until=covered, daily_ready=state.daily_ready,
        conditions=conditions, recent=recent.facts)

