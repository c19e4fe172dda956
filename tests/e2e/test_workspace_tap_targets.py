"""Tap targets in the workspace on a touch screen, in a real browser: every control of the open
conversation's header (← Inbox, Customer, each label's ×, "+ Label", the actions) and of the
side panel (← Conversation, the personal-data link, Edit details and its form) is at least
44 × 44 px on a phone (pointer: coarse, 375 px), and a label's × removes it with a tap. On a
desktop the chips stay small; the × is reached with Tab, shows a focus ring that nothing cuts
and removes the label with Enter. Screenshots: test-artifacts/tap-targets/."""

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.e2e.test_workspace_header_on_a_phone import DESK, PHONE, desk, open_conversation

pytestmark = pytest.mark.e2e
TAP = 44
CHIP_DESK_MAX = 22  # a chip's height on a desktop (20 px before this test)
# every control a pointer or a finger can hit, shown, in the given parts of the page
TARGETS = """(scopes) => {
  const hit = 'a[href], button, select, input:not([type=hidden]), textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])';
  const out = [];
  for (const scope of scopes) for (const part of document.querySelectorAll(scope))
    for (const e of part.querySelectorAll(hit)) {
      if (!e.getClientRects().length) continue;
      const b = e.getBoundingClientRect();
      out.push({where: scope, what: e.id || e.getAttribute('aria-label') || e.textContent.trim(),
                width: b.width, height: b.height});
    }
  return out;
}"""


def shot(artifacts: Path, name: str) -> str:
    (artifacts / "tap-targets").mkdir(exist_ok=True)
    return str(artifacts / "tap-targets" / f"{name}.png")


async def small_targets(page: Page, *scopes: str) -> list[dict[str, object]]:
    seen = await page.evaluate(TARGETS, list(scopes))
    assert seen, scopes
    return [t for t in seen if t["width"] < TAP - 0.5 or t["height"] < TAP - 0.5]


async def test_every_tap_target_of_the_header_and_side_panel_is_big_enough_on_a_phone(
        browser, server, e2e_services, artifacts):
    agents, conversation_id = await desk(e2e_services, busy=True)
    page = await open_conversation(browser, server.url, agents["supervisor"], conversation_id,
                                   PHONE)
    assert await page.evaluate("matchMedia('(pointer: coarse)').matches")
    chips = page.locator("#conv-labels .label-chip")
    await expect(chips).to_have_count(4)
    await expect(page.locator("#conv-labels .add-label")).to_be_visible()
    await page.screenshot(path=shot(artifacts, "header-375"))
    assert await small_targets(page, "#conversation .thread-head") == []

    # a tap on a label's × removes that label
    await chips.first.locator("button").tap()
    await expect(chips).to_have_count(3)

    await page.locator("#show-customer").tap()
    await expect(page.locator("#customer-edit")).to_be_visible()
    await expect(page.locator("#customer-details a[href^='/admin/customers/']")).to_be_visible()
    await page.screenshot(path=shot(artifacts, "panel-375"))
    assert await small_targets(page, "aside.customer") == []
    await page.locator("#customer-edit").tap()
    await expect(page.locator("#customer-form")).to_be_visible()
    await page.screenshot(path=shot(artifacts, "panel-form-375"))
    assert await small_targets(page, "aside.customer") == []
    await page.context.close()


async def test_on_a_desktop_the_chips_stay_small_and_the_remove_button_works_from_the_keyboard(
        browser, server, e2e_services, artifacts):
    agents, conversation_id = await desk(e2e_services, busy=True)
    page = await open_conversation(browser, server.url, agents["supervisor"], conversation_id,
                                   DESK)
    chips = page.locator("#conv-labels .label-chip")
    await expect(chips).to_have_count(4)
    heights = await chips.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().height)")
    assert max(heights) <= CHIP_DESK_MAX, heights

    # Tab from the title reaches the first label's ×
    await page.locator("#conv-title").click()
    remove = chips.first.locator("button")
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await remove.evaluate("e => e === document.activeElement"):
            break
    await expect(remove).to_be_focused()
    ring = await remove.evaluate("""e => { const s = getComputedStyle(e);
        let cut = false;  // a parent that cuts what overflows it would cut the ring too
        for (let p = e.parentElement; p && p.id !== 'conv-labels'; p = p.parentElement)
          cut = cut || getComputedStyle(p).overflow !== 'visible';
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), cut}; }""")
    assert ring["style"] != "none" and ring["width"] >= 2 and not ring["cut"], ring
    await page.screenshot(path=shot(artifacts, "label-focus-1440"))
    await page.keyboard.press("Enter")
    await expect(chips).to_have_count(3)
    await page.context.close()
