"""The widget shows the operator's privacy notice (text and link, escaped) and records the
customer's acknowledgement, in a real browser."""

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import XSS, open_widget, write
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.customers.models import Customer
from walletdesk.customers.privacy_notice import save_privacy_notices

pytestmark = pytest.mark.e2e


async def test_the_widget_shows_the_notice_and_records_the_acknowledgement(
        browser, server, e2e_services, artifacts):
    async with e2e_services.transaction() as session:
        await create_team(session, None, name="Support")
    boss = await make_agent_in(e2e_services, "Boss", role=Role.admin)
    await save_privacy_notices(e2e_services, boss, {
        "en": ("We keep chats for two years. " + XSS, "https://wallet.example/privacy")})

    widget = await open_widget(browser, server.url)
    notice = widget.locator("#privacy-notice")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("We keep chats for two years. " + XSS)  # as text
    link = notice.locator("a")
    await expect(link).to_have_attribute("href", "https://wallet.example/privacy")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    await widget.screenshot(path=str(artifacts / "widget-privacy-notice.png"))
    await widget.click("#privacy-ack")
    await expect(notice).to_be_hidden()
    await write(widget, "hello")
    await expect(widget.locator(".msg.customer .body")).to_contain_text("hello")
    assert await widget.evaluate("window.__xss") is None

    acked = None
    for _ in range(50):  # recorded with the first message, on the server's side
        async with e2e_services.read() as session:  # one connection (SQLite): not held
            acked = await session.scalar(select(Customer.privacy_notice_ack_at))
        if acked is not None:
            break
        await widget.wait_for_timeout(100)
    assert acked is not None
    await widget.reload()
    await expect(widget.locator(".msg.customer .body")).to_contain_text("hello")  # resumed
    await expect(notice).to_be_hidden()  # acknowledged: not asked again
