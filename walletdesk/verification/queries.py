"""Reading the official channels."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.verification.models import OfficialChannel


async def list_official_channels(session: AsyncSession) -> list[OfficialChannel]:
    query = select(OfficialChannel).order_by(OfficialChannel.kind, OfficialChannel.value)
    return list((await session.scalars(query)).all())
