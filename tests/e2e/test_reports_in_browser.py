"""The reports page in a real browser: its panels fetched each on its own, the figures of a
known history, charts drawn by ECharts under the page's CSP, the product team's CSV
downloaded, a phone-sized screen, and a panel that failed loaded again."""

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import PASSWORD, make_agent_in
from tests.reports.history import END, START, TZ, build_history
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.reports.page import PANELS

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")
QUERY = f"start={START}&end={END}&tz={TZ}"


async def supervisor_page(browser: Browser, base: str, email: str, width: int,
                          height: int) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport={"width": width, "height": height},
                                        accept_downloads=True)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/app")
    return page, problems


async def all_panels_loaded(page: Page) -> None:
    """Every panel in its place: fetched, none failed."""
    await expect(page.locator('.panel[data-state="loaded"]')).to_have_count(len(PANELS),
                                                                             timeout=20_000)
    assert await page.locator(".panel-error").count() == 0


@pytest.fixture
async def lead(e2e_services):  # type: ignore[no-untyped-def]
    async def make_agent(name: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return await make_agent_in(e2e_services, name, **kwargs)

    async def make_team(name: str, **fields: Any):  # type: ignore[no-untyped-def]
        async with e2e_services.transaction() as session:
            return await create_team(session, None, name=name, **fields)

    await build_history(e2e_services, make_agent, make_team)
    return await make_agent("Sue", role=Role.supervisor)


async def test_the_reports_page_shows_figures_and_charts_and_exports(browser, server, lead
                                                                     ) -> None:  # type: ignore[no-untyped-def]
    page, problems = await supervisor_page(browser, server.url, lead.email, 1440, 900)
    await page.click("nav >> text=Reports")
    await page.wait_for_url(f"{server.url}/reports")
    await page.goto(f"{server.url}/reports?{QUERY}")
    await all_panels_loaded(page)
    conversations = page.locator('[data-figure="conversations"]')
    await expect(conversations.locator(".kpi-value")).to_have_text("5")
    await expect(conversations.locator(".kpi-prev")).to_contain_text("1")
    await expect(page.locator('[data-figure="first_response_median_s"] .kpi-value')) \
        .to_have_text("30.0 min")
    await expect(page.locator("table.comments tbody tr").first).to_contain_text("=slow")
    for chart in ("by-day", "heatmap", "ratings", "csat-trend", "reasons"):
        await expect(page.locator(f'[data-chart="{chart}"] canvas')).to_have_count(1)
    await page.screenshot(path=SHOTS / "R_reports_1440.png", full_page=True)

    async with page.expect_download() as download_info:
        await page.click('[data-export="product-team"]')
    download = await download_info.value
    text = Path(await download.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "reason,source,conversations,sample_messages,links"
    assert "What are the fees?" in text

    # a filter narrows every figure
    await page.select_option("select[name=channel]", "email")
    await page.click("form.report-filters button[type=submit]")
    await page.wait_for_url("**channel=email**")
    await expect(conversations.locator(".kpi-value")).to_have_text("1")
    await all_panels_loaded(page)
    await expect(page.locator("select[name=channel]")).to_have_value("email")
    assert not problems, problems  # no script error, no CSP refusal


async def test_a_panel_that_failed_says_so_and_loads_again(browser, server, lead) -> None:  # type: ignore[no-untyped-def]
    page, _ = await supervisor_page(browser, server.url, lead.email, 1440, 900)
    await page.route("**/reports/panels/speed?*", lambda route: route.fulfill(status=500))
    held: list[Any] = []  # the volume panel held back: the page shows it loading
    await page.route("**/reports/panels/volume?*", lambda route: held.append(route))
    await page.goto(f"{server.url}/reports?{QUERY}")
    failed = page.locator('[data-panel="speed"] .panel-error')
    await expect(failed).to_contain_text("could not be loaded")
    await expect(page.locator('[data-panel="volume"] .panel-loading')).to_be_visible()
    await expect(page.locator('[data-panel="volume"]')).to_have_attribute("aria-busy", "true")
    await page.screenshot(path=SHOTS / "R_reports_loading_1440.png",
                          clip={"x": 0, "y": 0, "width": 1440, "height": 1400})
    await page.unroute("**/reports/panels/volume?*")
    for route in held:
        await route.continue_()
    await expect(page.locator('[data-panel="summary"] [data-figure="conversations"] .kpi-value')
                 ).to_have_text("5")  # the others are there
    await page.unroute("**/reports/panels/speed?*")
    await failed.locator("button").click()
    await expect(page.locator('[data-panel="speed"] table.speed')).to_contain_text("30.0 min")
    await all_panels_loaded(page)


async def test_the_reports_page_on_a_phone(browser, server, lead) -> None:  # type: ignore[no-untyped-def]
    page, problems = await supervisor_page(browser, server.url, lead.email, 375, 800)
    await page.goto(f"{server.url}/reports?{QUERY}")
    await all_panels_loaded(page)
    await expect(page.locator('[data-chart="heatmap"] canvas')).to_have_count(1)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways: {width}px"
    await page.screenshot(path=SHOTS / "R_reports_375.png", full_page=True)
    await page.screenshot(path=SHOTS / "R_reports_375_top.png", full_page=True,
                          clip={"x": 0, "y": 0, "width": 375, "height": 1500})
    assert not problems, problems


async def test_an_empty_period_says_so(browser, server, lead) -> None:  # type: ignore[no-untyped-def]
    page, _ = await supervisor_page(browser, server.url, lead.email, 1440, 900)
    await page.goto(f"{server.url}/reports?start=2025-01-01&end=2025-01-07&tz=UTC")
    await all_panels_loaded(page)
    await expect(page.locator(".empty")).to_contain_text("No conversations")
    await expect(page.locator('[data-panel="complaints"] [role=status]')).to_contain_text(
        "No complaints")
    await expect(page.locator('[data-panel="reason-trend"]')).to_contain_text("no reasons yet")
    await page.screenshot(path=SHOTS / "R_reports_empty.png", full_page=True)


async def test_the_case_reports_at_desk_and_phone_width(browser, server, e2e_services) -> None:  # type: ignore[no-untyped-def]
    """Complaints, follow-up calls, points, time online, CSAT per team, the comments' filter
    and the reasons' trend over a generated history, at 1440 and 375 px."""
    from tests.reports.generated_cases import END as G_END
    from tests.reports.generated_cases import START as G_START
    from tests.reports.generated_cases import TZ as G_TZ
    from tests.reports.generated_cases import generate, period
    from walletdesk.reports.page_data import page_extras

    async def make_agent(name: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return await make_agent_in(e2e_services, name, **kwargs)

    async def make_team(name: str, **fields: Any):  # type: ignore[no-untyped-def]
        async with e2e_services.transaction() as session:
            return await create_team(session, None, name=name, **fields)

    await generate(e2e_services, make_agent, make_team)
    async with e2e_services.read() as session:
        expected = await page_extras(session, period())
    lead = await make_agent("Sue", role=Role.supervisor)
    query = f"start={G_START}&end={G_END}&tz={G_TZ}"
    for width, height in ((1440, 900), (375, 800)):
        page, problems = await supervisor_page(browser, server.url, lead.email, width, height)
        await page.goto(f"{server.url}/reports?{query}")
        await all_panels_loaded(page)
        await expect(page.locator('[data-chart="reason-trend"] canvas')).to_have_count(1)
        await expect(page.locator('[data-figure="complaints_opened"]')).to_contain_text(
            str(expected.complaints.opened))
        await expect(page.locator('[data-figure="followups_reached"] .kpi-value')).to_have_text(
            str(expected.followups.reached))
        await expect(page.locator('[data-figure="points"]')).to_contain_text(
            str(expected.points.points))
        await expect(page.locator("table.presence-time tbody tr")).to_have_count(
            len(expected.presence.agents))
        width_used = await page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= width, f"the page scrolls sideways at {width}: {width_used}px"
        await page.screenshot(path=SHOTS / f"R_case_reports_{width}.png", full_page=True)
        if width == 1440:  # the comments' filter: only the lowest ratings
            await page.check('.comment-filters input[name=rating][value="1"]')
            await page.click(".comment-filters button[type=submit]")
            await page.wait_for_url("**rating=1**")
            await all_panels_loaded(page)
            await expect(page.locator("table.comments tbody tr.rating-1").first).to_be_visible()
            assert await page.locator("table.comments tbody tr:not(.rating-1)").count() == 0
            async with page.expect_download() as download_info:
                await page.click('[data-export="loyalty"]')
            text = Path(await (await download_info.value).path()).read_text(encoding="utf-8")
            assert text.splitlines()[0] == \
                "credit_id,customer_id,operator_user_id,points,reason,credited_at"
            assert len(text.splitlines()) == expected.points.credits + 1
        assert not problems, problems
        await page.context.close()
