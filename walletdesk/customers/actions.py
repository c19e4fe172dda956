"""Finding or creating the customer behind a channel identity."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.customers.models import Customer, CustomerIdentity
from walletdesk.db.base import utcnow


async def find_or_create_customer(
    session: AsyncSession,
    *,
    channel: str,
    external_id: str,
    display_name: str | None = None,
    email: str | None = None,
    language: str | None = None,
) -> Customer:
    identity = await session.scalar(
        select(CustomerIdentity).where(
            CustomerIdentity.channel == channel, CustomerIdentity.external_id == external_id
        )
    )
    if identity is not None:
        customer = await session.get(Customer, identity.customer_id)
        assert customer is not None
        customer.last_seen_at = utcnow()
        if display_name and not customer.display_name:
            customer.display_name = display_name[:120]
        if language and not customer.language:
            customer.language = language
        return customer
    customer = Customer(
        display_name=(display_name or "")[:120],
        email=email,
        language=language,
        identities=[CustomerIdentity(channel=channel, external_id=external_id)],
    )
    session.add(customer)
    await session.flush()
    return customer
