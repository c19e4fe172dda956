"""Writing to the audit log, always inside the caller's transaction."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.audit.models import AuditEvent


def record_audit(
    session: AsyncSession,
    *,
    actor_agent_id: int | None,
    action: str,
    target_type: str = "",
    target_id: object = "",
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            actor_agent_id=actor_agent_id,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            detail=detail or {},
        )
    )
