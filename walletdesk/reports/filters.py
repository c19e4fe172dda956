"""What a report is about: a period of local days in a time zone, and the conversation filters.

Every figure is about the conversations *started* in the period (their ``created_at``, in
the chosen time zone) that match the filters — one cohort, so the volume, speed, outcome,
satisfaction and reasons of a period describe the same conversations (docs/reports.md).

A conversation's contact reason (``conversation_reason``) is, in this order: the reason the
agent chose when resolving it; else the conversation's category (chosen in the widget or set by
an agent); else the category of the article the bot first matched (its first answered or
suggested turn, a suggestion the customer picked from included); else the conversation's first
label by name; else none. The ``reason`` filter takes any code of a reason: "security" and the
label "Security" are one (walletdesk.conversations.reasons).
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, Team
from walletdesk.bot.choices import MATCHED_OUTCOMES as BOT_MATCHED
from walletdesk.bot.models import BotTurn
from walletdesk.bot.queries import matched_category
from walletdesk.conversations.contact_reasons import MAX_REASON_CHARS
from walletdesk.conversations.models import Conversation
from walletdesk.conversations.reasons import lower_reason_names, same_reason_codes
from walletdesk.errors import Invalid
from walletdesk.labels.models import ConversationLabel, Label

MAX_DAYS = 366
DEFAULT_DAYS = 28
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class ReportFilter:
    start: date  # first local day, inclusive
    end: date  # last local day, inclusive
    timezone: str = "UTC"
    channel: str | None = None
    team_id: int | None = None
    agent_id: int | None = None
    language: str | None = None
    label_id: int | None = None
    category: str | None = None
    reason: str | None = None  # a contact reason: any code of it

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.start, time(0), self.zone).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """The first moment after the period (midnight after the last day, local)."""
        return datetime.combine(self.end + timedelta(days=1), time(0), self.zone).astimezone(UTC)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def previous(self) -> "ReportFilter":
        """The period of the same length just before this one, with the same filters."""
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length),
                       end=self.start - timedelta(days=1))

    def query_string(self) -> dict[str, str]:
        """The filter as the query parameters of the report endpoints."""
        values = {"start": self.start.isoformat(), "end": self.end.isoformat(),
                  "tz": self.timezone, "channel": self.channel, "team_id": self.team_id,
                  "agent_id": self.agent_id, "language": self.language,
                  "label_id": self.label_id, "category": self.category,
                  "reason": self.reason}
        return {key: str(value) for key, value in values.items() if value is not None}


def _day(value: str | None, name: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid("{name} must be a date as YYYY-MM-DD, not {value}", name=name,
                      value=repr(value[:40])) from exc


def _text(value: str | None, name: str, max_length: int) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > max_length:
        raise Invalid("{name} is at most {max} characters", name=name, max=max_length)
    return value


def _row_id(value: int | str | None, name: str) -> int | None:
    """An id from a form or a query string; "" (a form's "all") is none."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            raise Invalid("{name} must be a positive id", name=name)
        value = int(value)
    if value is None:
        return None
    if not 1 <= value <= MAX_ID:
        raise Invalid("{name} must be a positive id", name=name)
    return value


def parse_filter(*, start: str | None = None, end: str | None = None, tz: str | None = None,
                 channel: str | None = None, team_id: int | str | None = None,
                 agent_id: int | str | None = None, language: str | None = None,
                 label_id: int | str | None = None, category: str | None = None,
                 reason: str | None = None, today: date | None = None) -> ReportFilter:
    """Checks the parameters a person or an integration sent; clear errors for bad ones.
    Without dates: the last 28 days up to today (in the time zone)."""
    timezone = _text(tz, "tz", 64) or "UTC"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid("unknown time zone {timezone}; use an IANA name such as Asia/Shanghai or UTC",
                      timezone=repr(timezone)) from exc
    today = today or datetime.now(zone).date()
    last = _day(end, "end") or today
    first = _day(start, "start") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid("start must not be after end")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid("a report covers at most {max} days", max=MAX_DAYS)
    if first.year < 2000 or last.year > 9000:
        raise Invalid("dates must be between the years 2000 and 9000")
    return ReportFilter(
        start=first, end=last, timezone=timezone, channel=_text(channel, "channel", 20),
        team_id=_row_id(team_id, "team_id"), agent_id=_row_id(agent_id, "agent_id"),
        language=_text(language, "language", 16), label_id=_row_id(label_id, "label_id"),
        category=_text(category, "category", 40),
        reason=_text(reason, "reason", MAX_REASON_CHARS))


async def check_filter_ids(session: AsyncSession, report: ReportFilter) -> None:
    """The team, agent and label a filter names exist: an unknown one would give a report of
    nothing under a form that reads "all teams" (422 like any other filter that cannot be used)."""
    async def missing(model: type[Team] | type[Agent] | type[Label], row_id: int | None) -> bool:
        return row_id is not None and await session.scalar(
            select(model.id).where(model.id == row_id)) is None

    if await missing(Team, report.team_id):
        raise Invalid("team {team_id} does not exist", team_id=report.team_id)
    if await missing(Agent, report.agent_id):
        raise Invalid("agent not found")
    if await missing(Label, report.label_id):
        raise Invalid("label not found")


def conversation_conditions(report: ReportFilter) -> list[ColumnElement[bool]]:
    """The SQL conditions selecting the report's conversations (the cohort)."""
    return [Conversation.created_at >= report.start_utc,
            Conversation.created_at < report.end_utc, *conversation_filters(report)]


def bot_category_and_first_label() -> tuple[Any, Any]:
    """Correlated on ``Conversation``: the category of the bot's first answer or suggestion
    (a choice's picked article), and the conversation's first label by name — two of the
    places a reason comes from."""
    bot_category = (
        select(matched_category())
        .where(BotTurn.conversation_id == Conversation.id,
               BotTurn.outcome.in_(BOT_MATCHED))
        .order_by(BotTurn.id).limit(1).scalar_subquery())
    first_label = (select(func.min(Label.name))
                   .join(ConversationLabel, ConversationLabel.label_id == Label.id)
                   .where(ConversationLabel.conversation_id == Conversation.id)
                   .scalar_subquery())
    return bot_category, first_label


def conversation_reason() -> ColumnElement[str]:
    """Correlated on ``Conversation``: its contact reason, "" for none."""
    bot_category, first_label = bot_category_and_first_label()
    return func.coalesce(func.nullif(Conversation.contact_reason, ""),
                         func.nullif(Conversation.category, ""), func.nullif(bot_category, ""),
                         first_label, "")


def is_reason(column: Any, reason: str) -> ColumnElement[bool]:
    """``column`` (a reason code) is a code of ``reason``: "security", the label "Security"
    or "SECURITY" …"""
    return or_(column.in_(same_reason_codes(reason)),
               func.lower(column).in_(lower_reason_names(reason)))


def conversation_filters(report: ReportFilter) -> list[ColumnElement[bool]]:
    """The report's channel, team, agent, language, label, category and reason conditions
    (no dates)."""
    conditions: list[ColumnElement[bool]] = []
    if report.channel:
        conditions.append(Conversation.channel == report.channel)
    if report.team_id:
        conditions.append(Conversation.team_id == report.team_id)
    if report.agent_id:
        conditions.append(Conversation.assignee_id == report.agent_id)
    if report.language:
        conditions.append(Conversation.language == report.language)
    if report.category:
        conditions.append(Conversation.category == report.category)
    if report.label_id:
        conditions.append(Conversation.id.in_(
            select(ConversationLabel.conversation_id)
            .where(ConversationLabel.label_id == report.label_id)))
    if report.reason:
        conditions.append(is_reason(conversation_reason(), report.reason))
    return conditions


def cohort_ids(report: ReportFilter) -> Select[tuple[int]]:
    """``SELECT id FROM conversations WHERE …``: for ``IN (…)`` conditions of other tables."""
    return select(Conversation.id).where(*conversation_conditions(report))
