"""What a report is about: a period of local days in a time zone, and the conversation filters.

Every figure is about the conversations *started* in the period (their ``created_at``, in
the chosen time zone) that match the filters — one cohort, so the volume, speed, outcome,
satisfaction and reasons of a period describe the same conversations (docs/reports.md).
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Select, select

from walletdesk.conversations.models import Conversation
from walletdesk.errors import Invalid
from walletdesk.labels.models import ConversationLabel

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
                  "label_id": self.label_id, "category": self.category}
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
                 today: date | None = None) -> ReportFilter:
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
        category=_text(category, "category", 40))


def conversation_conditions(report: ReportFilter) -> list[ColumnElement[bool]]:
    """The SQL conditions selecting the report's conversations (the cohort)."""
    return [Conversation.created_at >= report.start_utc,
            Conversation.created_at < report.end_utc, *conversation_filters(report)]


def conversation_filters(report: ReportFilter) -> list[ColumnElement[bool]]:
    """The report's channel, team, agent, language, label and category conditions (no dates)."""
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
    return conditions


def cohort_ids(report: ReportFilter) -> Select[tuple[int]]:
    """``SELECT id FROM conversations WHERE …``: for ``IN (…)`` conditions of other tables."""
    return select(Conversation.id).where(*conversation_conditions(report))
