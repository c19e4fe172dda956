"""The demo's sample history gives a new user's reports real figures: weeks of traffic,
replies in minutes and resolutions later, ratings and contact reasons; the rollup and the
live recount agree on it."""

from walletdesk.accounts.actions import create_agent, create_team
from walletdesk.accounts.models import Role
from walletdesk.demo_history import DAYS, seed_report_history
from walletdesk.reports.filters import parse_filter
from walletdesk.reports.rollups import BATCH, RollupConnections, refresh_rollups
from walletdesk.reports.summary import all_reports
from walletdesk.services import Services


async def test_the_demo_history_is_spread_over_weeks_with_real_times(services: Services) -> None:
    async with services.transaction() as session:
        chinese = await create_team(session, None, name="Chinese", languages=["zh-Hans"],
                                    is_default=True)
        global_team = await create_team(session, None, name="Global", languages=["en", "es"])
        await create_agent(session, email="mei@demo.test", display_name="Mei",
                           password="demo-agent-2026", role=Role.agent, team_ids=[chinese.id])
        await create_agent(session, email="sam@demo.test", display_name="Sam",
                           password="demo-agent-2026", role=Role.agent,
                           team_ids=[global_team.id])
    written = await seed_report_history(services)
    assert written > DAYS * 4
    while await refresh_rollups(RollupConnections.of(services)) == BATCH:
        pass
    report = parse_filter()  # what the reports page shows first: the last 28 days
    async with services.read() as session:
        rolled = await all_reports(session, report)
        live = await all_reports(session, report, live=True)
    assert rolled.model_dump() == live.model_dump()
    busy_days = [day for day in rolled.volume.by_day if day.conversations]
    assert len(busy_days) >= 20  # not one "now"
    speed = rolled.speed
    assert speed.first_response.median_s is not None and speed.first_response.median_s > 60
    assert speed.resolution.median_s is not None \
        and speed.resolution.median_s > speed.first_response.median_s
    assert rolled.satisfaction.ratings > 10 and rolled.satisfaction.csat is not None
    # one row per reason, its conversations per source beside
    assert {s for row in rolled.reasons.reasons for s in row.sources} >= {"resolve", "bot"}
    previous = {figure.key: figure.previous for figure in rolled.summary.figures}
    assert previous["conversations"]  # the period before has its history too
    assert rolled.volume.returning_customers > 0
