"""The staffing chart's legend in a real browser, in Spanish (its longest words) at phone
(375 px) and desk (1440 px) width: drawn in the canvas, its second line ran over the axis
names at 375 px. Now a list of buttons above the chart: none overlaps another or the chart,
none leaves the screen, and each still shows or hides its series."""

import pytest
from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_peaks_in_browser import lead_page
from tests.staffing.test_staffing_pages import seed_history
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.db.base import utcnow

pytestmark = pytest.mark.e2e


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


async def test_the_legend_reads_at_phone_and_desk_width(browser, server, e2e_services,
                                                        artifacts) -> None:
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", languages=["en"])
    await seed_history(e2e_services, team.id, 14, utcnow())
    lead = await make_agent_in(e2e_services, "Sue", role=Role.supervisor)
    await set_interface_locale(e2e_services, lead.id, "es")
    for width, height in ((375, 800), (1440, 900)):
        page, problems = await lead_page(browser, server.url, lead.email, width, height)
        await page.goto(f"{server.url}/staffing")
        chart = page.locator('[data-chart="staffing"]')
        await expect(chart).to_have_attribute("data-drawn", "true")
        buttons = page.locator("ul.chart-legend button")
        await expect(buttons).to_have_text(["Necesarios", "Programados", "Faltante",
                                            "Contactos"])
        boxes = [await buttons.nth(i).bounding_box() for i in range(4)]
        area = await chart.bounding_box()
        assert area is not None and all(box is not None for box in boxes)
        for i, box in enumerate(boxes):
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
            assert box["y"] + box["height"] <= area["y"], (width, box, area)  # above it
            assert not any(overlap(box, other) for other in boxes[i + 1:]), (width, boxes)
        await page.screenshot(path=artifacts / f"staffing_legend_{width}.png", full_page=True)

        short = buttons.nth(2)
        await short.click()
        await expect(short).to_have_attribute("aria-pressed", "false")
        selected = await page.evaluate(
            """() => echarts.getInstanceByDom(document.querySelector('[data-chart="staffing"]'))
                     .getOption().legend[0].selected""")
        assert selected["Faltante"] is False and selected["Necesarios"] is True
        await short.click()
        await expect(short).to_have_attribute("aria-pressed", "true")
        assert not problems, problems
