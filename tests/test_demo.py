"""The demo seed: what `walletdesk demo` shows is made with the real actions, once."""

from sqlalchemy import func, select

from walletdesk.accounts.models import Agent
from walletdesk.cases.models import SlaPolicy
from walletdesk.complaints.models import Complaint
from walletdesk.conversations.models import Conversation
from walletdesk.demo import DEMO_LOGINS, seed_demo
from walletdesk.followups.models import FollowUp, FollowUpProgramme


async def test_the_demo_is_seeded_once_with_every_kind_of_case(services):
    assert await seed_demo(services) is True
    assert await seed_demo(services) is False  # a second start keeps what is there
    async with services.read() as session:
        assert await session.scalar(select(func.count()).select_from(Agent)) == len(DEMO_LOGINS)
        assert set((await session.scalars(select(SlaPolicy.name))).all()) == {
            "Standard", "Scam reports", "Complaints"}
        [complaint] = (await session.scalars(select(Complaint))).all()
        assert complaint.stage == "resolution_proposed" and complaint.asset == "USDT"
        assert await session.scalar(select(func.count()).select_from(FollowUpProgramme)) == 3
        [followup] = (await session.scalars(select(FollowUp))).all()
        assert followup.reason == "您的 25000 USDT 提币"  # the demo customer writes Chinese
        open_clocks = (await session.scalars(select(Conversation.resolution_due_at).where(
            Conversation.status.in_(("queued", "assigned", "waiting_customer"))))).all()
    assert open_clocks and all(due is not None for due in open_clocks)
