"""Conversations and messages for integrations: page after page with an opaque cursor, or all
at once as a streamed export (CSV or JSON lines), in a stable order — (created_at, id), the
oldest first — so rows written meanwhile are never skipped nor repeated on an earlier page.

The cursor is the (created_at, id) of the page's last row, base64url-encoded JSON: opaque to
clients, and harmless if forged (it only says where to start; who may see what is checked on
every page). Exports read the rows in batches of ``BATCH`` by the same keyset and forget each
batch before the next, so their memory stays constant however many rows they write."""

import base64
import binascii
import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from walletdesk.accounts.access import visible_conversations
from walletdesk.accounts.models import Agent
from walletdesk.conversations.messages import (
    conversation_payload,
    message_payload,
)
from walletdesk.conversations.models import Conversation, Message
from walletdesk.errors import Invalid
from walletdesk.labels.models import ConversationLabel
from walletdesk.services import Services

BATCH = 1000
MAX_PAGE = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONVERSATION_COLUMNS = ("id", "created_at", "customer_id", "channel", "status", "priority",
                        "language", "team_id", "assignee_id", "category", "contact_reason",
                        "subject", "handoff_reason", "first_response_at", "resolved_at",
                        "last_message_at")
MESSAGE_COLUMNS = ("id", "created_at", "conversation_id", "seq", "sender_kind",
                   "sender_agent_id", "sender_name", "internal", "text")


@dataclass(frozen=True)
class ListFilter:
    """``since``/``until`` bound the rows' own ``created_at`` (a message's for messages); the
    others select conversations (for messages: the conversations they belong to)."""

    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    status: str | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    language: str | None = None
    label_id: int | None = None


def parse_moment(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid("{name} must be an ISO 8601 date or time, not {value}", name=name,
                      value=repr(value[:40])) from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def encode_cursor(created_at: datetime, row_id: int) -> str:
    raw = json.dumps([created_at.astimezone(UTC).isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """None for the first page (an empty cursor)."""
    if not cursor:
        return None
    try:
        at, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(at)
        if not isinstance(row_id, int) or moment.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise Invalid("the cursor is not one this API gave out") from exc
    return moment, row_id


def _conversation_conditions(flt: ListFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for column, value in ((Conversation.channel, flt.channel), (Conversation.status, flt.status),
                          (Conversation.team_id, flt.team_id),
                          (Conversation.assignee_id, flt.assignee_id),
                          (Conversation.language, flt.language)):
        if value is not None:
            conditions.append(column == value)
    if flt.label_id is not None:
        conditions.append(Conversation.id.in_(select(ConversationLabel.conversation_id)
                                              .where(ConversationLabel.label_id == flt.label_id)))
    return conditions


def _after(created: Any, row_id: Any, position: tuple[datetime, int] | None
           ) -> list[ColumnElement[bool]]:
    if position is None:
        return []
    at, last = position
    return [or_(created > at, and_(created == at, row_id > last))]


def _dated(created: Any, flt: ListFilter) -> list[ColumnElement[bool]]:
    conditions = []
    if flt.since is not None:
        conditions.append(created >= flt.since)
    if flt.until is not None:
        conditions.append(created < flt.until)
    return conditions


async def conversations_after(session: AsyncSession, agent: Agent, flt: ListFilter,
                              position: tuple[datetime, int] | None,
                              limit: int, *, with_customer: bool = False) -> list[Conversation]:
    query = select(Conversation)
    if with_customer:  # to mask the customer's data for a viewer who may not see it
        query = query.options(selectinload(Conversation.customer))
    query = (query.where(visible_conversations(agent), *_conversation_conditions(flt),
                    *_dated(Conversation.created_at, flt),
                    *_after(Conversation.created_at, Conversation.id, position))
             .order_by(Conversation.created_at, Conversation.id).limit(limit))
    return list((await session.scalars(query)).all())


async def messages_after_position(session: AsyncSession, agent: Agent, flt: ListFilter,
                                  position: tuple[datetime, int] | None,
                                  limit: int) -> list[Message]:
    conversations = select(Conversation.id).where(visible_conversations(agent),
                                                  *_conversation_conditions(flt))
    query = (select(Message)
             .where(Message.conversation_id.in_(conversations), *_dated(Message.created_at, flt),
                    *_after(Message.created_at, Message.id, position))
             .order_by(Message.created_at, Message.id).limit(limit))
    return list((await session.scalars(query)).all())


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next_cursor: str | None  # None on the last page


def _next(rows: list[Any], limit: int) -> str | None:
    return encode_cursor(rows[-1].created_at, rows[-1].id) if len(rows) == limit else None


async def conversation_page(services: Services, agent: Agent, flt: ListFilter, cursor: str,
                            limit: int) -> Page:
    position = decode_cursor(cursor)
    async with services.read() as session:
        rows = await conversations_after(session, agent, flt, position, limit,
                                         with_customer=True)
        return Page([conversation_payload(c, agent) for c in rows], _next(rows, limit))


async def message_page(services: Services, agent: Agent, flt: ListFilter, cursor: str,
                       limit: int) -> Page:
    """Managers only (walletdesk.web.routes.api): they see personal data unmasked."""
    position = decode_cursor(cursor)
    async with services.read() as session:
        rows = await messages_after_position(session, agent, flt, position, limit)
        return Page([message_payload(m) for m in rows], _next(rows, limit))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def conversation_row(conversation: Conversation) -> dict[str, Any]:
    return {name: getattr(conversation, name) for name in CONVERSATION_COLUMNS}


def message_row(message: Message) -> dict[str, Any]:
    row = {name: getattr(message, name) for name in MESSAGE_COLUMNS if name != "internal"}
    row["internal"] = message.is_internal
    return {name: row[name] for name in MESSAGE_COLUMNS}


async def _stream(services: Services, agent: Agent, flt: ListFilter, fmt: str,
                  read: Callable[..., Any], columns: tuple[str, ...],
                  as_row: Callable[[Any], dict[str, Any]]) -> AsyncIterator[str]:
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerow(columns)
        yield out.getvalue()
    position: tuple[datetime, int] | None = None
    while True:
        async with services.read() as session:
            rows = await read(session, agent, flt, position, BATCH)
            lines = [as_row(row) for row in rows]
            if rows:
                position = (rows[-1].created_at, rows[-1].id)
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            for line in lines:
                writer.writerow([_cell(line[name]) for name in columns])
            yield out.getvalue()
        else:
            yield "".join(json.dumps({k: _plain(v) for k, v in line.items()},
                                     ensure_ascii=False) + "\n" for line in lines)
        if len(rows) < BATCH:
            return


def export_conversations(services: Services, agent: Agent, flt: ListFilter,
                         fmt: str) -> AsyncIterator[str]:
    """Every conversation the filter selects, as CSV or JSON lines, a batch at a time."""
    return _stream(services, agent, flt, fmt, conversations_after, CONVERSATION_COLUMNS,
                   conversation_row)


def export_messages(services: Services, agent: Agent, flt: ListFilter,
                    fmt: str) -> AsyncIterator[str]:
    """Every message of the conversations the filter selects (internal notes included)."""
    return _stream(services, agent, flt, fmt, messages_after_position, MESSAGE_COLUMNS,
                   message_row)
