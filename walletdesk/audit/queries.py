"""Reading the audit log."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.audit.models import AuditEvent


async def recent_audit_events(session: AsyncSession, limit: int = 200) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())
