"""Read-only outreach selectors: segments, campaigns, and a campaign's delivery figures."""

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.cases.models import Survey
from walletdesk.conversations.models import Conversation, Message
from walletdesk.customers.models import Customer
from walletdesk.errors import NotFound
from walletdesk.outreach.models import Campaign, OutreachContact, OutreachSend, Segment, SendStatus
from walletdesk.services import Services


@dataclass
class Figures:
    """A campaign's sends, all runs together. ``delivered``: written in the widget or
    accepted by the mail relay (an SMS provider's receipts are not read: SMS count as sent
    only); ``opened``: in-app messages the customer has seen; ``answered``: surveys rated."""

    targeted: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    skipped_cap: int = 0
    skipped_opt_out: int = 0
    skipped_no_address: int = 0
    cancelled: int = 0
    deferred_quiet_hours: int = 0  # sends moved past quiet hours at least once
    opened: int = 0
    answered: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


async def figures_in(session: AsyncSession, campaign_id: int) -> Figures:
    by_status = dict((await session.execute(
        select(OutreachSend.status, func.count()).where(OutreachSend.campaign_id == campaign_id)
        .group_by(OutreachSend.status))).all())
    figures = Figures(
        targeted=sum(by_status.values()), sent=by_status.get(SendStatus.sent, 0),
        failed=by_status.get(SendStatus.failed, 0),
        pending=by_status.get(SendStatus.pending, 0) + by_status.get(SendStatus.sending, 0),
        skipped_cap=by_status.get(SendStatus.skipped_cap, 0),
        skipped_opt_out=by_status.get(SendStatus.skipped_opt_out, 0),
        skipped_no_address=by_status.get(SendStatus.skipped_no_address, 0),
        cancelled=by_status.get(SendStatus.cancelled, 0))
    mine = OutreachSend.campaign_id == campaign_id
    figures.delivered = int(await session.scalar(select(func.count()).select_from(OutreachSend)
                                                 .where(mine, OutreachSend.status == SendStatus.sent,
                                                        OutreachSend.channel != "sms")) or 0)
    figures.deferred_quiet_hours = int(await session.scalar(
        select(func.count()).select_from(OutreachSend).where(
            mine, OutreachSend.deferrals > 0)) or 0)
    figures.opened = int(await session.scalar(
        select(func.count()).select_from(OutreachSend)
        .join(Message, Message.id == OutreachSend.message_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(mine, Conversation.customer_read_seq >= Message.seq)) or 0)
    figures.answered = int(await session.scalar(
        select(func.count()).select_from(OutreachSend)
        .join(Survey, and_(Survey.id == OutreachSend.survey_id, Survey.rating.is_not(None)))
        .where(mine)) or 0)
    return figures


async def campaign_figures(services: Services, campaign_id: int) -> Figures:
    async with services.read() as session:
        if await session.get(Campaign, campaign_id) is None:
            raise NotFound("campaign not found")
        return await figures_in(session, campaign_id)


async def list_segments(session: AsyncSession) -> list[Segment]:
    return list((await session.scalars(select(Segment).order_by(Segment.name))).all())


async def list_campaigns(session: AsyncSession) -> list[Campaign]:
    return list((await session.scalars(select(Campaign).order_by(Campaign.id.desc()))).all())


async def get_segment(session: AsyncSession, segment_id: int) -> Segment:
    segment = await session.get(Segment, segment_id)
    if segment is None:
        raise NotFound("segment not found")
    return segment


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign not found")
    return campaign


async def preferences(session: AsyncSession, customer_id: int) -> dict[str, Any]:
    contact = await session.get(OutreachContact, customer_id)
    return {"customer_id": customer_id,
            "timezone": contact.timezone if contact else None,
            "opted_out": bool(contact and contact.opted_out_at),
            "opted_out_at": contact.opted_out_at.isoformat()
            if contact and contact.opted_out_at else None,
            "opted_out_via": contact.opted_out_via if contact else None}


async def customer_language(session: AsyncSession, customer_id: int) -> str | None:
    """The language of the customer's own pages (the opt-out link's)."""
    return await session.scalar(select(Customer.language).where(Customer.id == customer_id))
