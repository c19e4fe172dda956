"""The agents' handling time the staffing plan reads: their active time on a conversation
and how many conversations they handle at once, measured by the database.

An agent's message (reply or internal note) counts the time since the message before it, at
most ``ACTIVE_GAP_CAP`` and never from before the conversation's last assignment when the
message came after it (the wait in the queue is not work): an *active span*. A
conversation's active time is the sum of its spans; the concurrency, the sum of every span
over the time the agents were active at all (each agent's spans as one union: a span counts
only where it passes the furthest end of that agent's earlier spans).

One aggregate query (window functions, on SQLite and PostgreSQL alike): the messages of up
to ``HANDLE_SAMPLE`` conversations stay in the database. Read into Python, 80,000 of them
held the event loop for ~200 ms on every staffing page.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from walletdesk.config import Settings
from walletdesk.conversations.models import Conversation, Message, SenderKind

# an agent's message counts the time since the message before it, up to this: longer, they
# were not on this conversation all along (the customer away, a night, other work)
ACTIVE_GAP_CAP = timedelta(minutes=10)
HANDLE_SAMPLE = 2000  # the newest resolved conversations of the history measured
MIN_HANDLE_SAMPLE = 10


@dataclass(frozen=True)
class HandleTime:
    """What a conversation costs the agents, from the resolved conversations of the history
    (``from_history``), else from the settings."""

    active_s: float  # an agent's active time on a conversation, on average (chat AHT)
    concurrency: float  # conversations an agent was active in at once, on average
    conversations: int  # the resolved conversations with an agent's message measured
    from_history: bool

    @property
    def agent_s(self) -> float:
        """An agent's time per conversation, what Erlang C reads as the handling time: the
        active time shared by the conversations an agent handles at once."""
        return self.active_s / max(self.concurrency, 1.0)


class epoch_s(FunctionElement[float]):  # noqa: N801 (an SQL function's name)
    """A timestamp as seconds since 1970, to subtract and compare: exact to the microsecond
    on PostgreSQL (numeric); on SQLite the whole seconds plus the fraction of the stored text
    (its date functions keep milliseconds only)."""

    type = Float()
    inherit_cache = True


@compiles(epoch_s, "sqlite")
def _epoch_sqlite(element: epoch_s, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    # stored as 'YYYY-MM-DD HH:MM:SS.ffffff': the whole seconds of the first 19 characters
    # (given the fraction, SQLite rounds it to milliseconds: .9996 would carry a second;
    # julianday, rounded back to whole seconds, is twice as fast as strftime('%s')), then the
    # fraction from the 20th ('' is 0)
    return (f"(round((julianday(substr({column}, 1, 19)) - 2440587.5) * 86400)"
            f" + CAST(substr({column}, 20) AS REAL))")


@compiles(epoch_s, "postgresql")
def _epoch_postgresql(element: epoch_s, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(list(element.clauses)[0], **kw)})"


class greatest(FunctionElement[float]):  # noqa: N801 (an SQL function's name)
    """The largest of its arguments (none of them NULL here)."""

    type = Float()
    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"  # SQLite's scalar max


@compiles(greatest, "postgresql")
def _greatest_postgresql(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


async def measure_handle_time(session: AsyncSession, since: datetime, team_id: int | None
                              ) -> tuple[float, float, int]:
    """(active time per conversation, concurrency, conversations measured) of the newest
    ``HANDLE_SAMPLE`` conversations resolved since ``since`` and assigned to an agent; a
    conversation no agent wrote in is not measured."""
    resolved = select(Conversation.id, Conversation.assigned_at).where(
        Conversation.resolved_at >= since, Conversation.assigned_at.is_not(None))
    if team_id is not None:
        resolved = resolved.where(Conversation.team_id == team_id)
    sample = resolved.order_by(Conversation.resolved_at.desc(), Conversation.id.desc()) \
        .limit(HANDLE_SAMPLE).subquery("sample")
    at = epoch_s(Message.created_at)
    written = (select(Message.conversation_id.label("cid"), Message.seq, Message.sender_kind,
                      Message.sender_agent_id.label("agent_id"), at.label("at"),
                      epoch_s(sample.c.assigned_at).label("assigned"))
               .join_from(sample, Message, Message.conversation_id == sample.c.id)
               .subquery("written"))
    timed = select(written, func.lag(written.c.at).over(
        partition_by=written.c.cid, order_by=written.c.seq).label("before")).subquery("timed")
    start = greatest(timed.c.before, timed.c.at - int(ACTIVE_GAP_CAP.total_seconds()),
                     case((timed.c.assigned <= timed.c.at, timed.c.assigned),
                          else_=timed.c.before))
    spans = (select(timed.c.agent_id, start.label("start"), timed.c.at.label("end"))
             .where(timed.c.sender_kind == SenderKind.agent, timed.c.before.is_not(None))
             .subquery("spans"))
    # the furthest end of the same agent's spans before this one (by start, then end)
    reach = func.max(spans.c.end).over(partition_by=spans.c.agent_id,
                                       order_by=(spans.c.start, spans.c.end), rows=(None, -1))
    reached = select(spans, reach.label("reach")).subquery("reached")
    s, e, r = reached.c.start, reached.c.end, reached.c.reach
    busy_part = case(
        (reached.c.agent_id.is_(None), e - s),  # a removed agent: their time counts alone
        (or_(r.is_(None), s > r), e - s),
        (e > r, e - r),
        else_=0)
    answered = (select(func.count(distinct(Message.conversation_id)))
                .join_from(sample, Message, Message.conversation_id == sample.c.id)
                .where(Message.sender_kind == SenderKind.agent).scalar_subquery())
    measured, active, busy = (await session.execute(
        select(answered, func.sum(e - s), func.sum(busy_part)).select_from(reached))).one()
    if not measured:
        return 0.0, 1.0, 0
    active_s, busy_s = float(active or 0), float(busy or 0)
    return active_s / measured, (active_s / busy_s if busy_s > 0 else 1.0), int(measured)


async def handle_time(session: AsyncSession, settings: Settings, since: datetime,
                      team_id: int | None) -> HandleTime:
    """The agents' handling time of the conversations resolved since ``since`` (the newest
    ``HANDLE_SAMPLE``): an agent's active time on each (the time before each of their
    messages, capped, so waiting for the customer and nights do not count) and how many
    conversations an agent was active in at once. Too few (``MIN_HANDLE_SAMPLE``):
    ``average_handle_s`` at ``staffing_chat_concurrency``."""
    active_s, concurrency, measured = await measure_handle_time(session, since, team_id)
    if measured >= MIN_HANDLE_SAMPLE:
        return HandleTime(active_s, concurrency, measured, True)
    return HandleTime(float(settings.average_handle_s),
                      float(settings.staffing_chat_concurrency), measured, False)
