"""Peaks in a real browser: the overflow offer in the widget (e-mail and call-back choices),
and the staffing page at desk (1440 px) and phone (375 px) width."""

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tests.conftest import PASSWORD, make_agent_in
from tests.staffing.test_staffing_pages import seed_history
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.followups.models import FollowUp
from walletdesk.staffing.models import Shift, TeamOverflow

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")


async def peak(services):  # type: ignore[no-untyped-def]
    """A team whose only agent is full and an overflow threshold of 0: every new
    conversation faces a wait past it."""
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support", languages=["en"],
                                 is_default=True)
        session.add(TeamOverflow(team_id=team.id, wait_threshold_s=0))
    await make_agent_in(services, "Busy", teams=[team], capacity=0, online=True)
    return team


async def widget(browser: Browser, base: str, width: int, height: int) -> tuple[Page, list[str]]:
    page = await (await browser.new_context(viewport={"width": width, "height": height})
                  ).new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    await page.goto(f"{base}/widget?lang=en")
    await expect(page.locator(".greeting")).to_be_visible()
    await page.fill("#text", "My withdrawal is stuck")
    await page.press("#text", "Enter")
    return page, problems


async def test_the_overflow_offer_in_the_widget(browser, server, e2e_services):
    await peak(e2e_services)
    page, problems = await widget(browser, server.url, 1440, 900)
    offer = page.locator(".msg.system .overflow-offer")
    await expect(offer.locator("button")).to_have_count(3)
    await expect(page.locator(".msg.system", has=page.locator(".overflow-offer"))
                 ).to_contain_text("very busy")
    await page.screenshot(path=SHOTS / "P_overflow_offer_1440.png")

    await offer.locator('button[data-choice="email"]').click()
    field = page.locator(".overflow-form input")
    await expect(field).to_have_attribute("type", "email")
    await field.fill("not an address")
    await page.locator(".overflow-form button[type=submit]").click()  # the browser refuses it
    await expect(offer.locator("button.chosen")).to_have_count(0)
    await field.fill("mei@example.com")
    await page.locator(".overflow-form button[type=submit]").click()
    await expect(offer.locator('button[data-choice="email"]')).to_have_class("chosen")
    await expect(offer.locator("button:enabled")).to_have_count(0)
    await expect(page.locator(".msg.system").last).to_contain_text("m***@e***.com")
    async with e2e_services.read() as session:
        emails = (await session.scalars(select(Customer.email))).all()
    assert "mei@example.com" in emails
    await page.screenshot(path=SHOTS / "P_overflow_email_1440.png")

    # after a reload the choice stays made
    await page.reload()
    await expect(page.locator('.overflow-offer button[data-choice="email"]')).to_have_class(
        "chosen")
    assert not problems, problems


async def test_a_call_back_from_the_widget_on_a_phone(browser, server, e2e_services):
    await peak(e2e_services)
    page, problems = await widget(browser, server.url, 375, 740)
    offer = page.locator(".msg.system .overflow-offer")
    await expect(offer.locator("button")).to_have_count(3)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the widget scrolls sideways: {width}px"
    await offer.locator('button[data-choice="callback"]').click()
    await page.locator(".overflow-form input[type=tel]").fill("+44 20 7946 0958")
    await page.locator(".overflow-form button[type=submit]").click()
    await expect(offer.locator('button[data-choice="callback"]')).to_have_class("chosen")
    confirmation = page.locator(".msg.system").last
    await expect(confirmation).to_contain_text("/followup/")
    await expect(confirmation).to_contain_text("**58")
    async with e2e_services.read() as session:
        assert len((await session.scalars(select(FollowUp))).all()) == 1
    await page.screenshot(path=SHOTS / "P_overflow_callback_375.png", full_page=True)
    assert not problems, problems


async def lead_page(browser: Browser, base: str, email: str, width: int, height: int
                    ) -> tuple[Page, list[str]]:
    page = await (await browser.new_context(viewport={"width": width, "height": height})
                  ).new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/app")
    return page, problems


async def test_the_staffing_page_at_desk_and_phone_width(browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", languages=["en"])
    await seed_history(e2e_services, team.id, 21, utcnow())
    ann = await make_agent_in(e2e_services, "Ann", teams=[team])
    lead = await make_agent_in(e2e_services, "Sue", role=Role.supervisor)
    for width, height in ((1440, 900), (375, 800)):
        page, problems = await lead_page(browser, server.url, lead.email, width, height)
        if width == 1440:
            await page.click("nav >> text=Staffing")
            await page.wait_for_url(f"{server.url}/staffing")
        else:
            await page.goto(f"{server.url}/staffing")
        await expect(page.locator('[data-chart="staffing"] canvas')).to_have_count(1)
        await expect(page.locator("[data-method]")).to_have_attribute("data-method",
                                                                    "holt_winters")
        # nobody rostered yet: the page says so instead of counting every need a gap
        await expect(page.locator("p.no-roster a[href='#roster']")).to_be_visible()
        await expect(page.locator("table.gaps tr.short")).to_have_count(0)
        used = await page.evaluate("document.documentElement.scrollWidth")
        assert used <= width, f"the page scrolls sideways at {width}: {used}px"
        await page.screenshot(path=SHOTS / f"P_staffing_{width}.png", full_page=True)
        assert not problems, problems

    # a supervisor rosters Ann on weekdays; the page keeps it and counts the gaps left
    form = page.locator(f'details[data-agent="{ann.id}"] form')
    for day in ("mon", "tue", "wed", "thu", "fri"):
        await form.locator(f"input[name={day}]").fill("08:00-20:00")
    await form.locator("input[name=timezone]").fill("UTC")
    await form.locator("button[type=submit]").click()
    await expect(page.locator(f'details[data-agent="{ann.id}"] summary')).to_contain_text(
        "5 shifts a week")
    missing = page.locator('[data-figure="short_hours"] .kpi-value')
    assert float(await missing.inner_text()) > 0  # Ann alone: one of the agents needed
    short = page.locator("table.gaps tr.short")
    assert await short.count() > 0
    await expect(short.first.locator("td.gap")).to_contain_text("-")
    async with e2e_services.read() as session:
        assert len((await session.scalars(select(Shift))).all()) == 5
