"""The top bar on a phone, in a real browser, for every role: one compact row (the brand and the
menu button, at most BAR_MAX tall: it wrapped to 100–130 px before), everything else (the desk's
pages, who is signed in, Security, Log out, the interface language) behind the menu button and
each whole on the screen, reachable and tappable once it is open; Escape closes it and gives the
focus back to the button. On a wide screen everything shows in the bar and the button is hidden.
Screenshots: test-artifacts/top-bar/."""

from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from tests.conftest import make_agent_in
from tests.e2e.test_workspace_first_use import DESKTOP, PHONE, horizontal_overflow, sign_in
from walletdesk.accounts.models import Role

pytestmark = pytest.mark.e2e
BAR_MAX = 56
# two of each role's pages with the top bar (the workspace and one of its others)
PAGES = {Role.agent: ["/app", "/app/complaints"], Role.outsourced: ["/app", "/app/canned-replies"],
         Role.supervisor: ["/app", "/reports"], Role.admin: ["/app", "/admin/incidents"]}
# what the bar offers besides the brand (the locale form's own button is hidden by its script)
ITEMS = ".topbar nav a, .topbar .who a, .topbar form[action='/logout'] button, .topbar .locale-picker select"


def shot(artifacts: Path, name: str) -> str:
    (artifacts / "top-bar").mkdir(exist_ok=True)
    return str(artifacts / "top-bar" / f"{name}.png")


async def bar_height(page: Page) -> float:
    return float(await page.evaluate("document.querySelector('.topbar').getBoundingClientRect().height"))


async def whole_on_screen(page: Page, item: Locator) -> None:
    box = await item.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None, await item.evaluate("e => e.outerHTML")
    assert (box["x"] >= 0 and box["x"] + box["width"] <= size["width"] and box["y"] >= 0
            and box["y"] + box["height"] <= size["height"]), (await item.text_content(), box)


@pytest.mark.parametrize("role", list(PAGES))
async def test_the_top_bar_is_one_row_on_a_phone_and_its_menu_holds_the_rest(
        browser, server, e2e_services, artifacts, role):
    agent = await make_agent_in(e2e_services, f"Maximilian {role.value}", role=role)
    page = await sign_in(browser, server.url, agent.email, PHONE)
    button = page.locator(".topbar .menu-toggle")
    items = page.locator(ITEMS)
    for path in PAGES[role]:
        await page.goto(f"{server.url}{path}")
        await expect(button).to_be_visible()
        assert await bar_height(page) <= BAR_MAX, path
        assert await horizontal_overflow(page) == 0, path
        count = await items.count()
        assert count >= 6, path  # the pages, Security, Log out, the language
        for index in range(count):
            await expect(items.nth(index)).to_be_hidden()  # folded until asked for
        await page.screenshot(path=shot(artifacts, f"{role.value}{path.replace('/', '_')}-375"))

        await button.click()
        await expect(button).to_have_attribute("aria-expanded", "true")
        for index in range(count):
            item = items.nth(index)
            await expect(item).to_be_visible()
            await whole_on_screen(page, item)
            await item.click(trial=True)  # nothing covers it
        assert await horizontal_overflow(page) == 0, path
        await page.screenshot(path=shot(artifacts, f"{role.value}{path.replace('/', '_')}-375-menu"))
        await page.keyboard.press("Escape")
        await expect(button).to_have_attribute("aria-expanded", "false")
        await expect(button).to_be_focused()
        await expect(items.first).to_be_hidden()

    # from the keyboard: the button opens it, Tab goes on into it
    await button.focus()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await expect(items.first).to_be_focused()
    # and a page is one tap away
    await items.filter(has_text="Complaints").click()
    await page.wait_for_url(f"{server.url}/app/complaints")

    wide = await sign_in(browser, server.url, agent.email, DESKTOP)
    await wide.goto(f"{server.url}{PAGES[role][-1]}")
    await expect(wide.locator(".topbar .menu-toggle")).to_be_hidden()
    wide_items = wide.locator(ITEMS)
    for index in range(await wide_items.count()):
        await expect(wide_items.nth(index)).to_be_in_viewport()
    assert await horizontal_overflow(wide) == 0
    await wide.screenshot(path=shot(artifacts, f"{role.value}{PAGES[role][-1].replace('/', '_')}-1440"))
    await page.context.close()
    await wide.context.close()
