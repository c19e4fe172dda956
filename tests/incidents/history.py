"""Generated weeks of contacts with an ordinary weekly peak, written as rows (the real
actions stamp "now"; the detector is about the past), and an injected spike.

Every week has the same pattern on Monday 08:00–13:00 UTC: per 5 minutes, Poisson
arrivals of three reasons (withdrawal 2, deposit 1, security 1) that quadruple during the
weekly peak 10:00–11:00. Half the conversations carry their reason as the widget's
category, half as the category of the article the bot answered with (both count).
"""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from walletdesk.bot.models import BotTurn
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.services import Services

# the "current" Monday; the history is the four Mondays before it
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
DAY_START, DAY_END = timedelta(hours=8), timedelta(hours=13)
PEAK = (timedelta(hours=10), timedelta(hours=11))
PEAK_FACTOR = 4
RATES = {"withdrawal": 2.0, "deposit": 1.0, "security": 1.0}
TEXTS = {
    "withdrawal": ["How long does a USDT withdrawal take?", "我的提现什么时候到账",
                   "withdraw BTC fee?", "ETH 提现手续费多少", "retiro pendiente"],
    "deposit": ["充值没到账", "deposit BTC address", "USDT deposit: TRC20 or ERC20?",
                "where is my deposit"],
    "security": ["how do I back up my recovery phrase", "我的钱包被盗了", "is this email from you?"],
}
SPIKE_TEXTS = ["USDT TRC20 提现 一个小时了还没到账", "my USDT withdrawal on TRON is stuck",
               "TRC20 提幣 沒到賬", "retiro USDT TRC20 no llegó"]


def _poisson(rng: random.Random, rate: float) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < rate:
        count += 1
        total += rng.expovariate(1.0)
    return count


def arrivals(week_start: datetime, rng: random.Random) -> list[tuple[datetime, str, str]]:
    """(created_at, reason, text) of one Monday's pattern."""
    out = []
    slot = week_start + DAY_START
    while slot < week_start + DAY_END:
        peak = PEAK[0] <= slot - week_start < PEAK[1]
        for reason, rate in RATES.items():
            for _ in range(_poisson(rng, rate * (PEAK_FACTOR if peak else 1))):
                at = slot + timedelta(seconds=rng.randrange(300))
                out.append((at, reason, rng.choice(TEXTS[reason])))
        slot += timedelta(minutes=5)
    return out


async def write_contacts(services: Services, contacts: list[tuple[datetime, str, str]],
                         seed: int = 0) -> list[int]:
    """One conversation per contact with its customer message (rows written directly)."""
    rng = random.Random(seed)
    async with services.transaction() as session:
        customer = Customer(display_name="History", created_at=MONDAY - timedelta(weeks=10))
        session.add(customer)
        await session.flush()
        ids = []
        for at, reason, text in contacts:
            by_bot = rng.random() < 0.5
            conversation = Conversation(
                customer_id=customer.id, channel="widget", status=Status.resolved,
                language="en", category=None if by_bot else reason, last_seq=1,
                created_at=at, updated_at=at, last_message_at=at)
            session.add(conversation)
            await session.flush()
            ids.append(conversation.id)
            message = (await session.execute(insert(Message).values(
                conversation_id=conversation.id, seq=1, sender_kind=SenderKind.customer,
                sender_name="", text=text, is_internal=False,
                created_at=at + timedelta(seconds=1)).returning(Message.id))).scalar_one()
            if by_bot:
                session.add(BotTurn(conversation_id=conversation.id, message_id=message,
                                    query=text, language="en",
                                    candidates=[{"slug": reason, "score": 0.9, "title": reason,
                                                 "category": reason}],
                                    confidence=0.9, outcome="answered", reason="",
                                    created_at=at + timedelta(seconds=2)))
        return ids


async def build_weeks(services: Services, weeks: int = 4, seed: int = 15) -> None:
    """``weeks`` Mondays of history and the current Monday, all with the weekly peak."""
    rng = random.Random(seed)
    contacts = []
    for week in range(weeks, -1, -1):
        contacts += arrivals(MONDAY - timedelta(weeks=week), rng)
    await write_contacts(services, contacts, seed)


def spike(start: datetime, minutes: int, per_minute: int) -> list[tuple[datetime, str, str]]:
    """Extra withdrawal contacts about USDT on TRON, ``per_minute`` from ``start``."""
    return [(start + timedelta(seconds=60 * m + 60 * k // per_minute), "withdrawal",
             SPIKE_TEXTS[(m + k) % len(SPIKE_TEXTS)])
            for m in range(minutes) for k in range(per_minute)]


async def conversation_count(services: Services) -> int:
    async with services.read() as session:
        return len((await session.scalars(select(Conversation.id))).all())
