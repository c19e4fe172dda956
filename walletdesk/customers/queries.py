"""Read-only selectors for customers."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from walletdesk.customers.models import Customer
from walletdesk.errors import NotFound


async def get_customer(session: AsyncSession, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id,
                                 options=[selectinload(Customer.identities)],
                                 populate_existing=True)
    if customer is None:
        raise NotFound("customer not found")
    return customer
