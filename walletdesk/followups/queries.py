"""Read-only selectors for the agents' call list."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.db.base import utcnow
from walletdesk.followups.models import FollowUp, FollowUpStatus


@dataclass
class WaitingFollowUps:
    """Follow-ups whose customer has not been notified yet (a delay, or quiet hours): they
    appear on the call list once the customer has been asked for a time."""

    count: int
    next_at: datetime | None


async def followups_not_yet_notified(session: AsyncSession) -> WaitingFollowUps:
    count, next_at = (await session.execute(
        select(func.count(), func.min(FollowUp.notify_at))
        .where(FollowUp.status == FollowUpStatus.scheduled, FollowUp.notify_at > utcnow()))).one()
    return WaitingFollowUps(int(count or 0), next_at)
