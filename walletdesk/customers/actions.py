"""Finding or creating the customer behind a channel identity."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import Customer, CustomerIdentity
from walletdesk.db.base import utcnow

LAST_SEEN_RESOLUTION = timedelta(minutes=1)


async def find_or_create_customer(
    session: AsyncSession,
    *,
    channel: str,
    external_id: str,
    display_name: str | None = None,
    email: str | None = None,
    language: str | None = None,
    verified_user_id: str | None = None,
) -> Customer:
    customer = await session.scalar(
        select(Customer)
        .join(CustomerIdentity, CustomerIdentity.customer_id == Customer.id)
        .where(CustomerIdentity.channel == channel,
               CustomerIdentity.external_hash == keyed_hash(external_id))
    )
    if customer is not None:
        now = utcnow()
        if now - customer.last_seen_at > LAST_SEEN_RESOLUTION:  # not a write per message
            customer.last_seen_at = now
        if display_name and not customer.display_name:
            customer.display_name = display_name[:120]
        if language and not customer.language:
            customer.language = language
        if verified_user_id and customer.verified_user_id != verified_user_id:
            customer.verified_user_id = verified_user_id
        return customer
    customer = Customer(
        display_name=(display_name or "")[:120],
        email=email,
        language=language,
        verified_user_id=verified_user_id,
        identities=[CustomerIdentity(channel=channel, external_id=external_id)],
    )
    session.add(customer)
    await session.flush()
    return customer
