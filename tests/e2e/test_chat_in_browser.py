"""A customer in the widget and an agent in the workspace, in a real browser."""

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import PASSWORD, make_agent_in
from walletdesk.accounts.actions import create_team, set_presence
from walletdesk.accounts.models import Presence

pytestmark = pytest.mark.e2e
CONNECTED = re.compile(r"^(online|away|closed)$")  # the widget's socket is up
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


async def sign_in(browser: Browser, base: str, email: str, **context: object) -> Page:
    """An agent signed in to /app (``context``: the browser context's options)."""
    options: dict[str, object] = {"viewport": {"width": 1280, "height": 800}, **context}
    page = await (await browser.new_context(**options)).new_page()  # type: ignore[arg-type]
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/app")
    return page


async def open_widget(browser: Browser, base: str, **context: object) -> Page:
    page = await (await browser.new_context(**context)).new_page()  # type: ignore[arg-type]
    await page.goto(f"{base}/widget")
    # connected; the header then says whether a person is there ("Online" only when an agent
    # who could take the conversation is connected: tests/e2e/test_widget_review_fixes.py)
    await expect(page.locator("#conn-state")).to_have_attribute("data-state", CONNECTED)
    await expect(page.locator(".greeting")).to_contain_text("Ask us anything")
    return page


async def write(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def test_customer_and_agent_chat_live(browser, server, e2e_services, artifacts):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support")
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    workspace = await sign_in(browser, server.url, alice.email)
    widget = await open_widget(browser, server.url)

    await write(widget, "Hi, my USDT transfer is stuck " + XSS)
    await expect(widget.locator(".msg.customer .body")).to_contain_text(XSS)
    await expect(widget.locator(".greeting")).to_have_count(0)  # the greeting made way
    await expect(widget.locator(".msg.system")).to_contain_text("Alice joined")

    conversation = workspace.locator(".conv").first
    await expect(conversation).to_contain_text("my USDT transfer is stuck")  # no reload
    await conversation.click()
    await expect(workspace.locator("#messages .msg.customer .body")).to_contain_text(XSS)

    await workspace.fill("#reply-text", "Let me look that up")
    await workspace.locator("#reply-text").dispatch_event("input")
    await expect(widget.locator("#typing")).to_be_visible()
    await expect(widget.locator("#typing")).to_contain_text("Alice is typing")
    await workspace.press("#reply-text", "Enter")
    await expect(widget.locator(".msg.agent .body")).to_have_text("Let me look that up")

    await workspace.click("input[value=note]")
    await workspace.fill("#reply-text", "internal: customer seems legit")
    await workspace.press("#reply-text", "Enter")
    await expect(workspace.locator(".msg.note .body")).to_have_text(
        "internal: customer seems legit")

    await write(widget, "thanks!")
    await expect(workspace.locator("#messages .msg.customer .body").last).to_have_text("thanks!")
    for page in (widget, workspace):
        assert await page.evaluate("window.__xss") is None
    assert await widget.locator("text=internal: customer seems legit").count() == 0

    await widget.screenshot(path=artifacts / "widget-desktop.png")
    await workspace.screenshot(path=artifacts / "workspace.png")

    # reload: same conversation, nothing doubled
    before = await widget.locator("#messages li").count()
    await widget.reload()
    await expect(widget.locator("#conn-state")).to_have_text("Online")
    await expect(widget.locator("#messages li")).to_have_count(before)
    await expect(widget.locator(".msg.agent .body")).to_have_text("Let me look that up")

    await workspace.click("#resolve")
    await expect(widget.locator(".msg.system", has_text="marked as resolved")).to_have_count(1)
    await widget.locator(".csat button[data-score='5']").click()
    await expect(widget.locator(".msg.system").last).to_contain_text("Thank you for your rating")
    assert await widget.locator(".csat button[disabled]").count() == 5


async def test_queue_position_while_no_agent_is_online(browser, server, e2e_services,
                                                       artifacts):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support")
    bob = await make_agent_in(e2e_services, "Bob", teams=[team], capacity=1)
    first = await open_widget(browser, server.url)
    await write(first, "first customer")
    await expect(first.locator("#notice")).to_contain_text("You are number 1 in line")
    second = await open_widget(browser, server.url, viewport={"width": 390, "height": 844},
                               is_mobile=True, has_touch=True)
    await write(second, "second customer")
    await expect(second.locator("#notice")).to_contain_text("You are number 2 in line")
    await second.screenshot(path=artifacts / "widget-phone-queue.png")
    composer = await second.locator("#composer").bounding_box()
    assert composer is not None and composer["y"] + composer["height"] <= 844
    assert composer["width"] <= 390

    await set_presence(e2e_services, bob.id, Presence.online)
    await expect(first.locator(".msg.system").last).to_contain_text("Bob joined")
    await expect(first.locator("#notice")).to_be_hidden()
    await expect(second.locator("#notice")).to_contain_text("You are number 1 in line")
    # Bob is there but busy with the first: the header says so, not "Online" above "you are
    # number 1 in line" (outside review); the first customer, with Bob, sees "Online"
    await expect(second.locator("#conn-state")).to_have_attribute("data-state", "busy")
    await expect(second.locator("#conn-state")).to_have_text("Agents busy · you're in line")
    await expect(first.locator("#conn-state")).to_have_text("Online")
