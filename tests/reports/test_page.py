"""The reports page a panel at a time: each panel (one report, its own request) gives the
figures of the live recount, over the benchmark's generated history, on both engines, with
the rollup built and with the newest conversations computed live; the page renders its
filters and a place for every panel; a panel's access rule is the page's."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.reports.history import END as H_END
from tests.reports.history import START as H_START
from tests.reports.history import TZ as H_TZ
from tests.reports.history import build_history
from tests.reports.test_rollups import END, filters, refresh, write_history
from walletdesk.accounts.actions import create_api_token
from walletdesk.accounts.models import Role
from walletdesk.reports.agents import agents_report
from walletdesk.reports.choices import filter_choices
from walletdesk.reports.filters import ReportFilter
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.page import PANELS, SATISFACTION_COMMENTS, PanelOptions, panel_report
from walletdesk.reports.page_data import page_extras
from walletdesk.reports.reasons import reasons_report
from walletdesk.reports.rollup_models import RollupState
from walletdesk.reports.rollups import STATE_ID
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.summary import summary_report
from walletdesk.reports.volume import volume_report
from walletdesk.services import Services

PERIOD = {"start": H_START, "end": H_END, "tz": H_TZ}
EXTRAS = {"first-contact": "first_contact", "team-csat": "teams", "comments": "comments",
          "presence": "presence", "complaints": "complaints", "followups": "followups",
          "points": "points", "reason-trend": "reason_trend"}


async def recount(services: Services, report: ReportFilter,
                  options: PanelOptions) -> dict[str, dict]:  # type: ignore[type-arg]
    """Every panel's figures computed live (from the conversations, not the rollup)."""
    async with services.read_reports() as session:
        live = {
            "summary": await summary_report(session, report, live=True),
            "volume": await volume_report(session, report, live=True),
            "speed": await speed_report(session, report, live=True),
            "outcome": await outcome_report(session, report, live=True),
            "satisfaction": await satisfaction_report(
                session, report, comments_limit=SATISFACTION_COMMENTS, live=True),
            "agents": await agents_report(session, report, live=True),
            "reasons": await reasons_report(session, report, live=True)}
        extras = await page_extras(session, report, ratings=options.ratings,
                                   search=options.search)
    figures = {name: value.model_dump() for name, value in live.items()}
    figures.update({panel: getattr(extras, field).model_dump()
                    for panel, field in EXTRAS.items()})
    return figures


async def assert_panels_are_the_recount(services: Services) -> None:
    async with services.read_reports() as session:  # the page's filters, from the rollup
        choices = await filter_choices(session)
        assert choices == await filter_choices(session, rollup=False)
        assert choices.channels and choices.languages and choices.categories
    options = PanelOptions(ratings=[1, 2])
    for report in filters()[:3]:
        expected = await recount(services, report, options)
        assert set(expected) == set(PANELS)
        for panel in PANELS:  # each in its own session, as each is its own request
            async with services.read_reports() as session:
                found = await panel_report(session, panel, report, options)
            assert found.model_dump() == expected[panel], (panel, report)


async def test_each_panel_equals_the_recount(services: Services) -> None:
    await write_history(services.db)
    await refresh(services)
    await assert_panels_are_the_recount(services)

    async with services.transaction() as session:  # the newest computed live and merged
        await session.execute(update(RollupState).where(RollupState.id == STATE_ID)
                              .values(covered_until=END - timedelta(days=4)))
    await assert_panels_are_the_recount(services)


@pytest.fixture
async def supervisor(services, make_agent, make_team, sign_in):  # type: ignore[no-untyped-def]
    await build_history(services, make_agent, make_team)
    return await sign_in((await make_agent("Sue", role=Role.supervisor)).email)


async def test_the_page_renders_its_filters_and_a_place_for_each_panel(supervisor) -> None:  # type: ignore[no-untyped-def]
    page = await supervisor.http.get("/reports", params={**PERIOD, "channel": "email",
                                                         "rating": ["1", "2"], "q": "slow"})
    assert page.status_code == 200
    sources = dict(re.findall(r'data-panel="([\w-]+)" data-src="([^"]+)"', page.text))
    assert list(sources) == list(PANELS)  # in the page's order
    for panel, source in sources.items():
        assert source.startswith(f"/reports/panels/{panel}?start={H_START}&amp;end={H_END}")
        assert "channel=email" in source
        assert ("rating=1&amp;rating=2&amp;q=slow" in source) == (panel == "comments")
    assert 'name="channel"' in page.text and '<option value="email" selected>e-mail</option>' in page.text
    # the period and the one before it, without computing a report
    assert "2026-03-02 – 2026-03-08" in page.text and "2026-02-23 – 2026-03-01" in page.text
    assert '/api/v1/reports/export/summary?' in page.text


async def test_each_panel_is_a_fragment_of_its_report(supervisor) -> None:  # type: ignore[no-untyped-def]
    http = supervisor.http
    for panel in PANELS:
        fragment = await http.get(f"/reports/panels/{panel}", params=PERIOD)
        assert fragment.status_code == 200, panel
        assert fragment.headers["content-type"].startswith("text/html")
        assert "<html" not in fragment.text and "<nav" not in fragment.text  # no page around
    summary = (await http.get("/reports/panels/summary", params=PERIOD)).text
    assert re.search(r'data-figure="conversations">\s*<div class="kpi-name">Conversations'
                     r'</div>\s*<div class="kpi-value">5</div>', summary)
    assert "before: 1" in summary
    speed = (await http.get("/reports/panels/speed", params=PERIOD)).text
    assert "30.0 min" in speed
    volume = (await http.get("/reports/panels/volume", params=PERIOD)).text
    assert '<script type="application/json" class="panel-data">' in volume
    assert '"by_day"' in volume and '"by_channel"' not in volume  # only what the charts draw
    # the comments' own filter; a comment is escaped
    low = (await http.get("/reports/panels/comments",
                          params={**PERIOD, "rating": ["1", "2"]})).text
    assert "=slow" in low and "great" not in low
    none = (await http.get("/reports/panels/comments", params={**PERIOD, "q": "nothing"})).text
    assert "No written comment matches this filter." in none
    # a filter narrows the figures; an empty period says so
    email = (await http.get("/reports/panels/summary", params={**PERIOD, "channel": "email"}))
    assert '<div class="kpi-value">1</div>' in email.text
    empty = await http.get("/reports/panels/summary",
                           params={"start": "2025-01-01", "end": "2025-01-07", "tz": "UTC"})
    assert "No conversations started in this period match the filters." in empty.text
    # in the agent's interface language
    spanish = await http.get("/reports/panels/speed", params=PERIOD,
                             headers={"Accept-Language": "es"})
    assert spanish.status_code == 200 and "First response" not in spanish.text
    # bad filters and an unknown panel are refused clearly
    assert (await http.get("/reports/panels/summary", params={"start": "x"})).status_code == 422
    assert (await http.get("/reports/panels/everything", params=PERIOD)).status_code == 422


async def test_a_panel_is_for_supervisors_and_admins(services, client, make_agent, sign_in,
                                                     supervisor) -> None:  # type: ignore[no-untyped-def]
    no_login = await client.get("/reports/panels/summary", params=PERIOD)
    assert no_login.status_code == 303 and no_login.headers["location"].startswith("/login")
    for role, status in ((Role.agent, 403), (Role.outsourced, 403), (Role.admin, 200)):
        signed = await sign_in((await make_agent(f"{role.value} one", role=role)).email)
        for panel in ("summary", "comments"):
            answer = await signed.http.get(f"/reports/panels/{panel}", params=PERIOD)
            assert answer.status_code == status, (role, panel)
    # an API token reads the JSON API (/api/v1/reports/…), not the page's fragments
    lead = await make_agent("Lead", role=Role.admin)
    _, token = await create_api_token(services, lead, "bi", "read")
    by_token = await client.get("/reports/panels/summary", params=PERIOD,
                                headers={"Authorization": f"Bearer {token}"})
    assert by_token.status_code == 303
    assert (await client.get("/api/v1/reports/summary", params=PERIOD, headers={
        "Authorization": f"Bearer {token}"})).status_code == 200
