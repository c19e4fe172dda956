"""The demo seed: what `walletdesk demo` shows is made with the real actions, once."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from walletdesk.accounts.models import Agent
from walletdesk.cases.models import SlaPolicy
from walletdesk.complaints.models import Complaint
from walletdesk.conversations.models import Conversation
from walletdesk.demo import DEMO_LOGINS, seed_demo
from walletdesk.followups.models import FollowUp, FollowUpProgramme
from walletdesk.routing.actions import choose_team, speaks


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


async def test_the_readmes_try_it_reaches_mei_in_chinese_and_english_and_sam_in_spanish(
        services):
    # README "To try it": a widget in any browser language hands over to the team that speaks
    # it; Mei (zh, en) must be in that team for Chinese and English, Sam for Spanish
    assert await seed_demo(services) is True
    async with services.read() as session:
        agents = {a.display_name: a for a in (await session.scalars(select(Agent))).all()}
        for now in (datetime(2026, 12, 7, 3, tzinfo=UTC),  # Monday, the VIP desk open
                    datetime(2026, 12, 6, 20, tzinfo=UTC)):  # Sunday night
            for language, name in (("en", "Mei"), ("zh-Hans", "Mei"), ("zh-Hant", "Mei"),
                                   ("es", "Sam")):
                team = await choose_team(session, language, now)
                assert team is not None
                agent = agents[name]
                assert team.id in agent.team_ids and speaks(agent, language), (language, now)
