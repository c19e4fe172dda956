"""Anonymous widget messages are limited per client address too
(WALLETDESK_WIDGET_MESSAGES_PER_MIN_PER_ADDRESS): many visitors from one address, each under
their own limit, are cut off with an error frame once the address's limit is spent."""

from sqlalchemy import func, select

from tests.conftest import serving
from tests.live.helpers import customer
from walletdesk.conversations.models import Message, SenderKind
from walletdesk.web.app import create_app


async def test_visitors_from_one_address_share_its_limit(services):
    services.settings.widget_messages_per_min = 10  # each visitor stays under their own
    services.settings.widget_messages_per_min_per_address = 6
    async with serving(create_app(services.settings, services)) as server:
        visitors = [(await customer(server.ws_url))[0] for _ in range(4)]
        answers = [await visitor.say(f"visitor {n} message {i}")
                   for i in range(3) for n, visitor in enumerate(visitors)]
        for visitor in visitors:
            await visitor.close()
    kinds = [a["type"] for a in answers]
    assert kinds == ["ack"] * 6 + ["error"] * 6
    assert {a["code"] for a in answers[6:]} == {"rate_limited"}
    assert all("too many messages" in a["detail"] for a in answers[6:])
    async with services.read() as session:
        stored = await session.scalar(select(func.count()).select_from(Message).where(
            Message.sender_kind == SenderKind.customer))
    assert stored == 6
