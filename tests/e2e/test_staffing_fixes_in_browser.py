"""The staffing page and the team settings in a real browser, as a supervisor and as an admin,
at desk (1440 px) and phone (375 px) width: without a roster the page says so and links to
where it is entered (no "672 half-hours short"); a refused roster names the agent, the day and
the bad time beside the agent's form, which keeps what was typed; once entered, the gaps read
as ranges of days and times; an outsourced team named so is not told so twice; a refused time
zone or holiday on the team's settings is kept, its refusal next to the field."""

import pytest
from playwright.async_api import Page, expect

from tests.conftest import make_agent_in
from tests.e2e.test_peaks_in_browser import lead_page
from tests.staffing.test_gap_rows import seed_round_the_clock
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.db.base import utcnow

pytestmark = pytest.mark.e2e
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COVERED = "00:00-09:00, 12:00-24:00"  # every day but 09:00–12:00


async def fits(page: Page, width: int, what: str) -> None:
    used = await page.evaluate("document.documentElement.scrollWidth")
    assert used <= width, f"{what} scrolls sideways at {width}: {used}px"


async def just_below(page: Page, field: str, refusal: str) -> None:
    """The refusal is the next thing under the field (not at the top of the form)."""
    box = await page.locator(field).bounding_box()
    said = await page.locator(refusal).bounding_box()
    assert box and said and 0 <= said["y"] - (box["y"] + box["height"]) < 40, (box, said)


@pytest.mark.parametrize("role", [Role.supervisor, Role.admin])
@pytest.mark.parametrize("width", [1440, 375])
async def test_staffing_and_team_settings(browser, server, e2e_services, artifacts, role,  # type: ignore[no-untyped-def]
                                          width) -> None:
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", languages=["en"])
        await create_team(session, None, name="Peak partner (outsourced)", languages=["en"],
                          is_outsourced=True)
    await seed_round_the_clock(e2e_services, team.id, 8, utcnow())
    ann = await make_agent_in(e2e_services, "Ann", teams=[team])
    bo = await make_agent_in(e2e_services, "Bo", teams=[team])
    manager = await make_agent_in(e2e_services, "Manager", role=role)
    page, problems = await lead_page(browser, server.url, manager.email, width, 900)
    name = f"staffing_fixes_{role.value}_{width}"

    # no roster: said, with a link to where it is entered; nothing counted short
    await page.goto(f"{server.url}/staffing?team_id={team.id}")
    note = page.locator("p.no-roster")
    await expect(note).to_contain_text("No roster is entered yet")
    await expect(page.locator('[data-figure="short_intervals"]')).to_have_count(0)
    await expect(page.locator("table.gaps")).to_have_count(0)
    await fits(page, width, "/staffing")
    await page.screenshot(path=artifacts / f"{name}_no_roster.png", full_page=True)
    await note.locator('a[href="#roster"]').click()
    await expect(page).to_have_url(f"{server.url}/staffing?team_id={team.id}#roster")
    await expect(page.locator("#h-roster")).to_be_in_viewport()

    # a refused roster: the agent, the day and the bad time, beside the form as typed
    form = page.locator(f"#shifts-{ann.id} form")
    for day in DAYS:
        await form.locator(f"input[name={day}]").fill(COVERED)
    await form.locator("input[name=wed]").fill("09:00-25:00")
    await form.locator("input[name=timezone]").fill("UTC")
    await form.locator("button[type=submit]").click()
    refusal = page.locator(f"#shifts-{ann.id} .refusal")
    await expect(refusal).to_have_text(
        "Ann, Wednesday: 25:00 is not a time of day; write HH:MM, from 00:00 to 24:00")
    await expect(refusal).to_be_in_viewport()
    form = page.locator(f"#shifts-{ann.id} form")
    await expect(form.locator("input[name=wed]")).to_have_value("09:00-25:00")
    await expect(form.locator("input[name=sun]")).to_have_value(COVERED)
    await expect(page.locator(".refusal")).to_have_count(1)
    await fits(page, width, "the refused roster")
    await page.screenshot(path=artifacts / f"{name}_refused_roster.png", full_page=True)

    # entered: the gaps are ranges of days and times
    await form.locator("input[name=wed]").fill(COVERED)
    await form.locator("button[type=submit]").click()
    await expect(page.locator(f"#shifts-{ann.id} summary")).to_contain_text("14 shifts a week")
    form = page.locator(f"#shifts-{bo.id} form")
    for day in DAYS:
        await form.locator(f"input[name={day}]").fill(COVERED)
    await form.locator("button[type=submit]").click()
    await expect(page.locator(f"#shifts-{bo.id} summary")).to_contain_text("14 shifts a week")
    rows = page.locator("table.gaps tr.short")
    await expect(rows.filter(has_text="daily 09:00 – 12:00")).to_have_count(1)
    assert await rows.count() <= 3
    for text in await rows.locator("td.when").all_inner_texts():
        assert "09:00 – 09:00" not in text and "12:00 – 12:00" not in text, text
    await expect(page.locator('[data-figure="short_intervals"]')).to_be_visible()
    partner = page.locator("table.thresholds td", has_text="Peak partner")
    await expect(partner).to_have_text("Peak partner (outsourced)")
    await fits(page, width, "/staffing with gaps")
    await page.locator("#gaps").scroll_into_view_if_needed()
    await page.screenshot(path=artifacts / f"{name}_gaps.png", full_page=True)

    # the team's settings: a refused time zone, then holiday, kept beside their refusal
    await page.goto(f"{server.url}/admin/teams/{team.id}")
    await page.fill("input[name=timezone]", "Mars/Olympus")
    await page.fill("textarea[name=holidays]", "2026-12-25, 2026-13-45")
    await page.click("form.grid button[type=submit]")
    await expect(page.locator(".refusal")).to_contain_text("unknown time zone 'Mars/Olympus'")
    await expect(page.locator("input[name=timezone]")).to_have_value("Mars/Olympus")
    await expect(page.locator("textarea[name=holidays]")).to_have_value("2026-12-25, 2026-13-45")
    await just_below(page, "input[name=timezone]", ".refusal")
    await fits(page, width, "the refused team form")
    await page.screenshot(path=artifacts / f"{name}_team_time_zone.png", full_page=True)
    await page.fill("input[name=timezone]", "America/Bogota")
    await page.click("form.grid button[type=submit]")
    await expect(page.locator(".refusal")).to_contain_text("bad holiday date '2026-13-45'")
    await expect(page.locator("input[name=timezone]")).to_have_value("America/Bogota")
    await expect(page.locator("textarea[name=holidays]")).to_have_value("2026-12-25, 2026-13-45")
    await just_below(page, "textarea[name=holidays]", ".refusal")
    await page.screenshot(path=artifacts / f"{name}_team_holiday.png", full_page=True)
    # the refused forms' pages come with 422, which the console reports: nothing else
    assert not [p for p in problems if "status of 422" not in p], problems
