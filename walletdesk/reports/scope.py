"""What the reports beyond the conversations' cohort are about: rows dated in the report's
period (their own timestamp: a complaint's opening, a credit's moment) and the conversation
filters without the period, for rows that belong to a conversation."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from walletdesk.conversations.models import Conversation
from walletdesk.reports.filters import ReportFilter, conversation_filters


def in_period(column: Any, report: ReportFilter) -> list[ColumnElement[bool]]:
    return [column >= report.start_utc, column < report.end_utc]


def filtered_conversation_ids(report: ReportFilter) -> Any:
    """``SELECT id FROM conversations WHERE <filters>`` (any start date)."""
    return select(Conversation.id).where(*conversation_filters(report))


def has_conversation_filters(report: ReportFilter) -> bool:
    return any((report.channel, report.team_id, report.agent_id, report.language,
                report.label_id, report.category, report.reason))


def as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_day(moment: datetime, report: ReportFilter) -> date:
    return as_utc(moment).astimezone(report.zone).date()
