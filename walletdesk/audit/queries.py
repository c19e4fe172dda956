"""Reading the audit log, and exporting it (the export is itself audited)."""

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.audit.actions import record_audit
from walletdesk.audit.models import AuditEvent
from walletdesk.services import Services

EXPORT_LIMIT = 100_000
CSV_COLUMNS = ("id", "created_at", "actor_agent_id", "action", "target_type", "target_id",
               "detail")


async def recent_audit_events(session: AsyncSession, limit: int = 200, *,
                              actor_agent_id: int | None = None,
                              action: str | None = None) -> list[AuditEvent]:
    """The latest events, newest first; only one agent's (``actor_agent_id``) or one action's
    when given."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if actor_agent_id is not None:
        query = query.where(AuditEvent.actor_agent_id == actor_agent_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list((await session.scalars(query)).all())


def event_row(event: AuditEvent) -> dict[str, object]:
    return {"id": event.id, "created_at": event.created_at.isoformat(),
            "actor_agent_id": event.actor_agent_id, "action": event.action,
            "target_type": event.target_type, "target_id": event.target_id,
            "detail": event.detail}


async def export_audit_log(services: Services, actor_id: int, since: datetime | None,
                           until: datetime | None) -> list[dict[str, object]]:
    """The events in [since, until), oldest first; who exported what is recorded. Times
    without a zone are read as UTC."""
    since, until = (_utc(moment) for moment in (since, until))
    async with services.transaction() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if since is not None:
            query = query.where(AuditEvent.created_at >= since)
        if until is not None:
            query = query.where(AuditEvent.created_at < until)
        rows = [event_row(e) for e in (await session.scalars(query.limit(EXPORT_LIMIT))).all()]
        record_audit(session, actor_agent_id=actor_id, action="audit.export",
                     detail={"since": since.isoformat() if since else None,
                             "until": until.isoformat() if until else None,
                             "events": len(rows)})
        return rows


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def as_csv(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "detail": json.dumps(row["detail"], ensure_ascii=False)})
    return out.getvalue()
