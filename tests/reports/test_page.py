"""The reports page's reports computed side by side, each in its own session, give the same
figures as one after the other on one connection and as the live recount: over the
benchmark's generated history, on both engines, with the rollup built and with the newest
conversations computed live."""

from datetime import timedelta

from sqlalchemy import update

from tests.reports.test_rollups import END, filters, refresh, write_history
from walletdesk.reports.choices import filter_choices
from walletdesk.reports.page import page_connections, reports_page_data
from walletdesk.reports.page_data import page_extras
from walletdesk.reports.rollup_models import RollupState
from walletdesk.reports.rollups import STATE_ID
from walletdesk.reports.summary import all_reports
from walletdesk.services import Services


async def assert_page_is_the_recount(services: Services, connections: int) -> None:
    for report in filters()[:3]:
        page = await reports_page_data(services.read_reports, report, connections=connections,
                                       ratings=[1, 2], search=None)
        async with services.read_reports() as session:
            live = (await all_reports(session, report, live=True)).model_dump()
            extras = await page_extras(session, report, ratings=[1, 2])
            choices = await filter_choices(session)
        assert page.data.model_dump() == live, report
        assert page.more.model_dump() == extras.model_dump(), report
        assert page.choices == choices


async def test_the_page_side_by_side_equals_the_recount(services: Services) -> None:
    await write_history(services.db)
    await refresh(services)
    await assert_page_is_the_recount(services, page_connections(services.reports_db.engine))
    await assert_page_is_the_recount(services, 3)  # SQLite: three wait for its connection

    async with services.transaction() as session:  # the newest computed live and merged
        await session.execute(update(RollupState).where(RollupState.id == STATE_ID)
                              .values(covered_until=END - timedelta(days=4)))
    await assert_page_is_the_recount(services, 4)
