"""Test data made with the real actions: widget customers who wrote about something, an
admin, campaigns launched and the worker's jobs run."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from walletdesk.accounts.models import Agent, Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation
from walletdesk.customers.models import Customer
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.outreach.actions import launch_campaign, save_campaign, save_segment
from walletdesk.outreach.models import Campaign, OutreachSend
from walletdesk.services import Services


def awake_everywhere(services: Services) -> None:
    """Quiet hours that do not include the moment the test runs (tests run at any hour)."""
    now = datetime.now(UTC)
    services.settings = services.settings.model_copy(update={
        "outreach_quiet_start": (now + timedelta(hours=6)).strftime("%H:00"),
        "outreach_quiet_end": (now + timedelta(hours=8)).strftime("%H:00"),
        "outreach_default_timezone": "UTC"})


async def admin(services: Services, make_agent: Any) -> Agent:
    async with services.read() as session:
        found = await session.scalar(select(Agent).where(Agent.email == "boss@example.com"))
    return found or await make_agent("Boss", role=Role.admin)


async def widget_customer(services: Services, visitor: str, *, text: str = "hello",
                          reason: str | None = None, language: str | None = None,
                          verified: str | None = None, email: str | None = None,
                          phone: str | None = None, channel: str = "web",
                          days_ago: int = 0) -> int:
    """A customer who wrote on ``channel``; their conversation's contact reason set as an
    agent would have chosen it when resolving."""
    delivered = await receive_message(services, InboundMessage(
        channel=channel, external_id=visitor, text=text, client_id=f"c-{visitor}",
        language=language, customer_email=email, verified_user_id=verified))
    async with services.transaction() as session:
        when = datetime.now(UTC) - timedelta(days=days_ago)
        await session.execute(update(Conversation).where(
            Conversation.id == delivered.conversation.id).values(
                contact_reason=reason, created_at=when))
        customer = await session.get(Customer, delivered.conversation.customer_id)
        assert customer is not None
        if language:
            customer.language = language
        if phone:
            customer.phone = phone
        if email:
            customer.email = email
        customer.last_seen_at = when
        return customer.id


async def run_jobs(services: Services, rounds: int = 3) -> None:
    for _ in range(rounds):
        claimed = await claim_due(services, 200, 60)
        if not claimed:
            return
        for job_id, token in claimed:
            await run_job(services, job_id, token, "test")


async def campaign_to(services: Services, boss: Agent, rule: dict[str, Any], *,
                      name: str = "Withdrawal notice", launch: bool = True,
                      **fields: Any) -> Campaign:
    segment = await save_segment(services, boss, name=f"seg {name}", rule=rule)
    values: dict[str, Any] = {"texts": {"en": "Withdrawals are back to normal.",
                                        "zh-Hans": "提现已恢复正常。"}}
    values.update(fields)
    campaign = await save_campaign(services, boss, name=name, segment_id=segment.id, **values)
    if launch:
        campaign = await launch_campaign(services, boss, campaign.id)
    return campaign


async def sends(services: Services, campaign_id: int | None = None) -> list[OutreachSend]:
    async with services.read() as session:
        query = select(OutreachSend).order_by(OutreachSend.id)
        if campaign_id is not None:
            query = query.where(OutreachSend.campaign_id == campaign_id)
        return list((await session.scalars(query)).all())
