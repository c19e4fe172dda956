"""Page faults from the outside review, in a real browser at 1440 and 375 px: the bot page's
content gaps fit the screen with a transaction hash in a question; the embedded chat's
incident banner folds to its title (a keyboard-usable, translated toggle, remembered per
announcement for the session) and, on a 375×667 phone, the conversation keeps at least half
the frame beside a banner and the queue notice; refused report filters and an unknown team
are said on the page."""

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import sign_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.incidents.actions import AnnouncementFields, create_announcement

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")
HASH = "0x" + "9f3c2b7a41d8e6f05c1a" * 5  # 102 characters, no break
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 375, "height": 667}}
TITLE = "USDT withdrawals on TRON are delayed"
BODY = ("We are seeing more questions than usual about USDT (TRC20) withdrawals and our team "
        "is looking into it. We will post updates here and on our status page. Never share "
        "your recovery phrase or private key with anyone: our staff will never ask for them.")


def shot(artifacts: Path, name: str) -> str:
    return str((SHOTS if SHOTS.is_dir() else artifacts) / name)


async def page_width(page: Page) -> tuple[int, int]:
    return await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")


async def test_content_gaps_with_a_hash_fit_the_screen(browser, server, e2e_services, artifacts):
    services = e2e_services
    root = await make_agent_in(services, "Root", role=Role.admin)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="gap", text="hi", language="en"))
    async with services.transaction() as session:
        for query in (f"where is my transfer {HASH}", f"transfer {HASH} not arrived",
                      f"tx {HASH} pending"):
            session.add(BotTurn(conversation_id=delivered.conversation.id, query=query,
                                language="en", outcome="handed_off", reason="low_confidence"))
    for size, viewport in SIZES.items():
        page = await sign_in(browser, server.url, root.email, viewport=viewport)
        await page.goto(f"{server.url}/admin/bot")
        await expect(page.locator("table.wrap-cells td", has_text=HASH[:20]).first).to_be_visible()
        scroll, client = await page_width(page)
        assert scroll <= client, (size, scroll, client)
        table = await page.locator("table.wrap-cells").bounding_box()
        assert table and table["x"] + table["width"] <= viewport["width"], (size, table)
        await page.screenshot(path=shot(artifacts, f"review-bot-gaps-{size}.png"),
                              full_page=True)
        await page.context.close()


async def _heights(frame) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return await frame.locator("body").evaluate("""() => ({
        frame: window.innerHeight,
        thread: document.getElementById('messages').getBoundingClientRect().height})""")


async def test_the_banner_folds_and_the_thread_keeps_half_a_phone(browser, server, e2e_services,
                                                                   artifacts):
    services = e2e_services
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support")
        await create_announcement(session, None, AnnouncementFields(
            texts={"en": (TITLE, BODY)}, severity="major", affected=["usdt", "tron"],
            contact_reasons=["withdrawal"], published=True))
    await make_agent_in(services, "Bob", teams=[team], capacity=1)  # offline: a queue
    for size, viewport in SIZES.items():
        context = await browser.new_context(
            viewport=viewport, **({"is_mobile": True, "has_touch": True}
                                  if size == "phone" else {}))
        site = await context.new_page()
        await site.goto(f"{server.url}/embed-example")
        await site.locator("button[aria-label^='Chat with support']").click()
        widget = site.frame_locator("iframe[title='Support chat']")
        banner = widget.locator("#wd-announcements .wd-announcement")
        toggle = banner.locator("button.wd-announcement-toggle")
        await expect(banner).to_contain_text(TITLE)
        await widget.locator("#text").fill(f"my withdrawal from the {size}")
        await widget.locator("#text").press("Enter")
        await expect(widget.locator("#notice")).to_contain_text("in line")
        # the embed's frame is at most 560 px tall (on a desktop too): the banner starts folded
        # to its title line and the thread keeps at least half the frame
        await expect(toggle).to_have_attribute("aria-expanded", "false")
        await expect(toggle).to_have_text("Show details")
        await expect(banner.locator(".wd-announcement-body")).to_be_hidden()
        heights = await _heights(widget)
        assert heights["thread"] >= heights["frame"] / 2, (size, heights)
        await site.screenshot(path=shot(artifacts, f"review-embed-banner-{size}.png"))
        # the keyboard: focus the toggle, Enter unfolds it; the choice outlives a reload
        await toggle.focus()
        await toggle.press("Enter")
        await expect(toggle).to_have_attribute("aria-expanded", "true")
        await expect(toggle).to_have_text("Hide details")
        await expect(banner.locator(".wd-announcement-body")).to_be_visible()
        await site.screenshot(path=shot(artifacts, f"review-embed-banner-{size}-open.png"))
        await site.reload()
        await site.locator("button[aria-label^='Chat with support']").click()
        widget = site.frame_locator("iframe[title='Support chat']")
        toggle = widget.locator("#wd-announcements button.wd-announcement-toggle")
        await expect(toggle).to_have_attribute("aria-expanded", "true")
        await toggle.press(" ")
        await expect(toggle).to_have_attribute("aria-expanded", "false")
        await context.close()


async def test_a_tall_window_shows_the_banner_unfolded(browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        await create_announcement(session, None, AnnouncementFields(
            texts={"en": (TITLE, BODY)}, severity="major", affected=["usdt"], published=True))
    page = await (await browser.new_context(viewport=SIZES["desktop"])).new_page()
    await page.goto(f"{server.url}/widget")
    toggle = page.locator("#wd-announcements button.wd-announcement-toggle")
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(page.locator(".wd-announcement-body")).to_be_visible()
    await page.context.close()


async def test_refused_filters_are_said_on_the_pages(browser, server, e2e_services, artifacts):
    lead = await make_agent_in(e2e_services, "Lead", role=Role.supervisor)
    for size, viewport in SIZES.items():
        page = await sign_in(browser, server.url, lead.email, viewport=viewport)
        await page.goto(f"{server.url}/reports?from=2026-12-03&to=2026-01-01&tz=Asia/Tokyo")
        await expect(page.locator("p.error[role=alert]")).to_contain_text(
            "start must not be after end")
        await expect(page.locator("input[name=tz]")).to_have_value("Asia/Tokyo")
        scroll, client = await page_width(page)
        assert scroll <= client, (size, scroll, client)
        await page.screenshot(path=shot(artifacts, f"review-reports-refused-{size}.png"),
                              full_page=True)
        await page.goto(f"{server.url}/staffing?team_id=999")
        await expect(page.locator("main")).to_contain_text("team 999 does not exist")
        await page.screenshot(path=shot(artifacts, f"review-staffing-unknown-{size}.png"))
        await page.context.close()
